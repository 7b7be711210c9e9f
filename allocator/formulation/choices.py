"""The choice index: every (project, level, start) a plan may pick, and its profile.

A choice c = (p, l, s) is active in periods s .. s + length(p, s) - 1, where
length(p, s) = min(duration, periods - s): the horizon cuts a run, it does not
forbid it, so every start of the window is a choice (unless ``finish_by_end``). Its
profile of a series (value, cost, revenue, demand) is a set of triples
(choice, period, amount) built from the three series forms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from allocator.case.model import Case
from allocator.case.projects import Level
from allocator.case.timing import active_length, periods_past_end, start_options


@dataclass(frozen=True)
class Choices:
    """The choice table (one row per choice) with integer positions beside the ids.

    Columns: ``project``, ``level``, ``start`` (period label), ``p`` (project
    position), ``level_index`` (within the project), ``level_row`` (among all
    levels of the case), ``s`` (start index), ``length`` (active periods).
    """

    table: pd.DataFrame

    @property
    def size(self) -> int:
        """Number of choices."""
        return len(self.table)

    def keys(self) -> pd.DataFrame:
        """The case ids of each choice: project, level, start."""
        return self.table[["project", "level", "start"]]


def build_choices(case: Case) -> Choices:
    """Every level of every project at every start it may take."""
    rows: list[tuple[int, ...]] = []  # p, level_index, level_row, s, length, past_end
    level_row = 0
    for p, project in enumerate(case.projects):
        starts = [
            (s, active_length(case, project, s), periods_past_end(case, project, s))
            for s in start_options(case, project)
        ]
        for j, _ in enumerate(project.all_levels):
            rows.extend((p, j, level_row, *start) for start in starts)
            level_row += 1
    array = np.asarray(rows, dtype=np.int64).reshape(-1, 6)
    p, j = array[:, 0], array[:, 1]
    project_ids = np.array([project.id for project in case.projects], dtype=object)
    level_ids = np.array(
        [level.id for project in case.projects for level in project.all_levels], dtype=object
    )
    table = pd.DataFrame(
        {
            "project": project_ids[p] if len(p) else [],
            "level": level_ids[array[:, 2]] if len(p) else [],
            "start": np.asarray(case.periods, dtype=object)[array[:, 3]] if len(p) else [],
            "p": p,
            "level_index": j,
            "level_row": array[:, 2],
            "s": array[:, 3],
            "length": array[:, 4],
            "past_end": array[:, 5],
        }
    )
    return Choices(table)


def level_series(case: Case, series_of: Callable[[Level], Any]) -> tuple[np.ndarray, np.ndarray]:
    """Every level's series as two (levels x periods) matrices.

    Row l of ``by_offset`` holds the amount in the i-th active period (scalar:
    constant; list: its entries, the last one holding); for a map, row l of
    ``by_offset`` is NaN and the amounts come by calendar period instead, in
    ``by_period``.
    """
    return level_series_many(case, [series_of])[0]


def level_series_many(
    case: Case, getters: list[Callable[[Level], Any]]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``level_series`` of each getter, the levels listed once."""
    levels = [level for project in case.projects for level in project.all_levels]
    return [_matrices([get(level) for level in levels], case.periods) for get in getters]


def _matrices(series: list[Any], periods: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(by_offset, by_period) of one series per level (``level_series``), sorted by kind
    in one step each: numbers, maps by period, and lists, which are laid out by length."""
    horizon, count = len(periods), len(series)
    by_offset = np.full((count, horizon), np.nan)
    by_period = np.zeros((count, horizon))
    items = np.fromiter(series, dtype=object, count=count)
    number = np.fromiter((isinstance(one, int | float) for one in series), bool, count)
    mapped = np.fromiter((isinstance(one, dict) for one in series), bool, count)
    rows = np.flatnonzero(number)
    by_offset[rows] = items[rows].astype(float).reshape(-1, 1)
    for row in np.flatnonzero(mapped):
        by_period[row] = [items[row].get(label, 0.0) for label in periods]
    _set_lists(by_offset, np.flatnonzero(~(number | mapped)), items)
    return by_offset, by_period


def _set_lists(by_offset: np.ndarray, rows: np.ndarray, items: np.ndarray) -> None:
    """Row r of ``by_offset`` := the list ``items[r]`` read by offset (to the horizon), its
    last entry holding to the end of the row, for each r of ``rows``; lists of one
    length are set in one step."""
    horizon = by_offset.shape[1]
    lengths = np.fromiter(map(len, items[rows]), dtype=np.int64, count=rows.size)
    for length in np.unique(lengths):
        members = rows[lengths == length]
        block = np.asarray(items[members].tolist(), dtype=float).reshape(members.size, length)
        held = np.minimum(np.arange(horizon), min(length, horizon) - 1)
        by_offset[members] = block[:, held]


def _expand(
    choices: Choices, by_offset: np.ndarray, by_period: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each choice c over its active periods s_c .. s_c + n_c - 1, zero amounts left out.

    Its amount in the i-th active period is by_offset[level, i] (scalar, list) or
    by_period[level, s_c + i] (map).
    """
    table = choices.table
    lengths = table["length"].to_numpy()
    choice_ix = np.repeat(np.arange(len(table), dtype=np.int64), lengths)
    first = np.repeat(np.cumsum(lengths) - lengths, lengths)
    offset = np.arange(lengths.sum(), dtype=np.int64) - first
    level = table["level_row"].to_numpy()[choice_ix]
    period = table["s"].to_numpy()[choice_ix] + offset
    amount = by_offset[level, offset]
    calendar = np.isnan(amount)
    amount[calendar] = by_period[level[calendar], period[calendar]]
    keep = amount != 0
    return choice_ix[keep], period[keep], amount[keep]


def profile(case: Case, choices: Choices, field: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(choice, period, amount) triples of the level series ``field`` (value, cost, revenue)."""
    return _expand(choices, *level_series(case, lambda level: getattr(level, field)))


def demand_profile(
    case: Case, choices: Choices, position: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(choice, resource position, period, units) triples of every level's demand."""
    getters = [lambda level, key=resource: level.demand.get(key, 0.0) for resource in position]
    parts = []
    for r, series in zip(position.values(), level_series_many(case, getters), strict=True):
        choice, period, amount = _expand(choices, *series)
        parts.append((choice, np.full(choice.shape, r, dtype=np.int64), period, amount))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, np.zeros(0)
    return tuple(np.concatenate(column) for column in zip(*parts, strict=True))  # type: ignore[return-value]
