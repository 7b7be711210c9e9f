"""A conflict set: a small group of the case's limits that cannot all hold, by deletion.

Start from every softened row (``elastic.softened_rows``) with the model infeasible.
Dropping a row means removing its softened bound (the limit it states; its other
side, if any, stays). First the rows that the elastic solution did not need to
break are dropped together: if the model stays infeasible, they are out. Then each
remaining row is dropped in turn and stays dropped if the model is still infeasible
without it. What is left is a conflict: the model is infeasible with these rows,
and feasible without any one of them (irreducible, given the hard rows), unless a
feasibility check ran out of time or ``max_checks`` was reached (then it is
reported as not proven minimal).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from allocator.backends.options import SolveOptions
from allocator.backends.registry import get_backend
from allocator.backends.termination import SolveStatus
from allocator.model.linear import LinearModel


@dataclass(frozen=True)
class Conflict:
    """Row indices of the conflict, and whether it is proven irreducible."""

    rows: list[int]
    minimal: bool
    checks: int


def without(model: LinearModel, rows: np.ndarray, sides: np.ndarray) -> LinearModel:
    """``model`` with the softened bound of ``rows`` removed and a zero objective."""
    lower, upper = model.row_lower.copy(), model.row_upper.copy()
    upper[rows[sides > 0]] = np.inf
    lower[rows[sides < 0]] = -np.inf
    return replace(
        model,
        row_lower=lower,
        row_upper=upper,
        objective=np.zeros(model.num_variables),
        objective_offset=0.0,
    )


def find_conflict(
    model: LinearModel,
    rows: np.ndarray,
    sides: np.ndarray,
    broken: np.ndarray,
    backend: str,
    options: SolveOptions,
    max_checks: int = 200,
    done: Callable[[int], None] | None = None,
) -> Conflict:
    """The deletion filter above; ``broken`` marks the rows the elastic solution broke."""
    solver = get_backend(backend)
    checks = 0
    minimal = True

    def infeasible(dropped: np.ndarray) -> bool:
        nonlocal checks, minimal
        checks += 1
        if done:
            done(checks)
        status = solver.solve(without(model, rows[dropped], sides[dropped]), options).termination
        if status.status not in (SolveStatus.INFEASIBLE, *_PLAN):
            minimal = False  # unknown: keep the row, the conflict may be larger than needed
        return status.status is SolveStatus.INFEASIBLE

    dropped = np.zeros(rows.size, dtype=bool)
    if (~broken).any() and infeasible(~broken):
        dropped = ~broken
    order = [*np.flatnonzero(broken & ~dropped), *np.flatnonzero(~broken & ~dropped)]
    for i in order:
        if checks >= max_checks:
            minimal = False
            break
        trial = dropped.copy()
        trial[i] = True
        if infeasible(trial):
            dropped = trial
    return Conflict([int(r) for r in rows[~dropped]], minimal, checks)


_PLAN = (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
