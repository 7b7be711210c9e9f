"""What the checker reports, how it compares numbers, and the plan's decisions read once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from allocator.case.model import Case
from allocator.case.projects import Level
from allocator.case.series import active_values
from allocator.plan.tables import Plan

TOLERANCE = 1e-6
"""Relative tolerance: a rule holds when it is off by at most this times its scale."""


@dataclass(frozen=True)
class Violation:
    """One broken rule: its family, the case element it concerns, and what is wrong."""

    rule: str
    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.subject}: {self.message}"


def over(amount: float, limit: float, *scale: float) -> bool:
    """True when ``amount`` exceeds ``limit`` by more than the tolerance.

    The tolerance is TOLERANCE * max(1, |amount|, |limit|, |scale|...), the size
    of the numbers the rule adds up.
    """
    size = max(1.0, abs(amount), abs(limit), *(abs(s) for s in scale))
    return amount - limit > TOLERANCE * size


def over_many(amount: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """``over`` elementwise, for arrays of amounts and limits of one shape."""
    size = np.maximum(1.0, np.maximum(np.abs(amount), np.abs(limit)))
    return amount - limit > TOLERANCE * size


def exceeded(
    periods: list[str], rule: str, subject: str, amount: np.ndarray, limit: np.ndarray, text: str
) -> list[Violation]:
    """A violation for every period in which ``amount`` is ``over`` ``limit``.

    ``text`` is formatted with ``{amount}`` and ``{limit}`` of that period.
    """
    return [
        Violation(rule, f"{subject} {periods[t]}", text.format(amount=amount[t], limit=limit[t]))
        for t in np.flatnonzero(over_many(np.asarray(amount), np.asarray(limit)))
    ]


def whole(amount: float, step: float) -> bool:
    """True when ``amount`` is a whole number of ``step`` (within the tolerance)."""
    blocks = amount / step
    return abs(blocks - round(blocks)) <= TOLERANCE * max(1.0, abs(blocks))


@dataclass
class Decisions:
    """The plan's decisions as plain look-ups, with what the case says they imply.

    ``funded`` maps a project id to (level id, start index); ``series`` gives the
    per-period amounts of a funded project's level series over the horizon.
    """

    case: Case
    plan: Plan
    funded: dict[str, tuple[str, int]] = field(default_factory=dict)
    _placed: dict[str, tuple[Level, int, int]] = field(default_factory=dict, repr=False)
    """Each funded project's level, start and active periods, as ``placed`` read them."""

    def placed(self, project_id: str) -> tuple[Level, int, int]:
        """The funded project's level, start index and number of active periods (to its
        duration or the horizon's end), read once."""
        found = self._placed.get(project_id)
        if found is None:
            level_id, start = self.funded[project_id]
            project = self.case.projects_by_id[project_id]
            level = next(lv for lv in project.all_levels if lv.id == level_id)
            n = len(self.case.periods) - start
            if project.duration is not None:
                n = min(n, project.duration)
            found = self._placed[project_id] = (level, start, n)
        return found

    def series(self, project_id: str, what: str, resource: str | None = None) -> np.ndarray:
        """Amounts of ``what`` (value, cost, revenue, demand) per period of the horizon."""
        if project_id not in self.funded:
            return np.zeros(len(self.case.periods))
        return self.series_matrix([project_id], what, resource)[0]

    def series_matrix(
        self, project_ids: list[str], what: str, resource: str | None = None
    ) -> np.ndarray:
        """``series`` of many funded projects at once, one row each: constant series set
        in one step, lists and maps row by row (the same reading as ``active_values``)."""
        case = self.case
        horizon = len(case.periods)
        out = np.zeros((len(project_ids), horizon))
        rows, values, starts, ends = [], [], [], []
        for i, pid in enumerate(project_ids):
            level, start, n = self.placed(pid)
            series = level.demand.get(resource, 0.0) if what == "demand" else getattr(level, what)
            if isinstance(series, int | float):
                rows.append(i)
                values.append(float(series))
                starts.append(start)
                ends.append(start + n)
            elif isinstance(series, Mapping):
                out[i, start : start + n] = active_values(series, case.periods, start, n)
            else:  # a list, read by offset, its last entry holding
                entries = np.asarray(series, dtype=float)
                out[i, start : start + n] = entries[np.minimum(np.arange(n), entries.size - 1)]
        t = np.arange(horizon)
        first = np.array(starts, dtype=int).reshape(-1, 1)
        stop = np.array(ends, dtype=int).reshape(-1, 1)
        out[rows] = np.array(values).reshape(-1, 1) * ((t >= first) & (t < stop))
        return out
