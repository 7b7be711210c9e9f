"""Why a case has no plan: the smallest weighted set of changes, and a conflict set.

``explain(case, runner=Runner(backend=...))`` solves the elastic model (``elastic``) —
the case's own formulation with a weighted slack on each limit — to find the cheapest
changes that would make the case feasible, in the case's words and units; then a
deletion filter (``conflict``) finds a small group of limits that cannot all hold. Both
use only the runner's backend's ordinary MIP solves, so they work with every solver.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from allocator.analysis.runner import Runner
from allocator.backends.registry import get_backend
from allocator.backends.termination import Termination
from allocator.case.model import Case
from allocator.explain.conflict import find_conflict
from allocator.explain.elastic import elastic_model
from allocator.explain.words import Users, change_row, limit_row
from allocator.formulation import Formulation, formulate
from allocator.formulation.choices import demand_profile
from allocator.model.linear import LinearModel

BROKEN = 1e-6
"""A slack counts as a change when it exceeds this times its row's size (``_size``)."""

CHANGES = ["family", "subject", "period", "amount", "text", "path"]
LIMITS = ["family", "subject", "period", "text", "path"]


@dataclass(frozen=True)
class Explanation:
    """``feasible`` True: the case has a plan and nothing is explained. Otherwise
    ``changes`` (family, subject, period, amount, text, path) is the cheapest set of
    changes the elastic model found, and ``conflict`` (family, subject, period, text,
    path) a group of limits that cannot all hold; ``minimal`` says whether the
    conflict is proven irreducible."""

    feasible: bool
    changes: pd.DataFrame
    conflict: pd.DataFrame
    minimal: bool
    checks: int
    termination: Termination


def explain(
    case: Case,
    *,
    runner: Runner | None = None,
    max_checks: int = 200,
    progress: Callable[[str], None] | None = None,
    bounds: tuple[np.ndarray, np.ndarray] | None = None,
) -> Explanation:
    """Explain why ``case`` has no plan (see the module docstring).

    Every solve uses the ``runner``'s backend, solver and time limit (``runner`` None:
    ``Runner()``). Its ``gap`` is the relative gap the elastic solve stops at (0: the
    least weighted change proven); the feasibility checks of the conflict search have no
    objective. The conflict search stops after ``max_checks`` checks (the set is then
    not proven minimal); ``progress(text)`` says what is being done. ``bounds`` (lower,
    upper) replace the formulation's column bounds: decisions held fixed (a replan's
    frozen past) stay fixed, and the limits of the case are what must move.
    """
    runner = runner or Runner()
    backend = runner.backend
    say = progress or (lambda _: None)
    options = runner.options()
    formulation = formulate(case)
    model = formulation.model
    if bounds is not None:
        model = replace(model, lower=bounds[0], upper=bounds[1])
    say("solving the elastic model")
    elastic = elastic_model(model)
    solved = get_backend(backend).solve(elastic.model, options)
    t = solved.termination
    if solved.values is None:
        raise ValueError(f"the elastic model could not be solved ({t.status.value}: {t.message})")
    slack = solved.values[elastic.first_slack :]
    rows, sides = elastic.rows, elastic.sides
    broken = slack > BROKEN * _size(model, solved.values[: elastic.first_slack], rows, sides)
    if not broken.any():
        empty = pd.DataFrame(columns=CHANGES)
        return Explanation(True, empty, pd.DataFrame(columns=LIMITS), True, 0, t)
    users = _users(case, formulation, solved.values)
    changes = pd.DataFrame(
        [
            change_row(case, model, int(rows[i]), float(slack[i]), users)
            for i in np.flatnonzero(broken)
        ],
        columns=CHANGES,
    )
    say("looking for a conflict set")
    found = find_conflict(
        model, rows, sides, broken, backend, options, max_checks,
        done=lambda n: say(f"conflict set: {n} feasibility checks"),
    )  # fmt: skip
    conflict = [limit_row(case, model, r) for r in found.rows]
    return Explanation(
        False, changes, pd.DataFrame(conflict, columns=LIMITS), found.minimal, found.checks, t
    )


def _size(model: LinearModel, x: np.ndarray, rows: np.ndarray, sides: np.ndarray) -> np.ndarray:
    """max(1, |bound|, sum_j |a_ij x_j|) of each softened row at the elastic solution: the
    size of the numbers the row adds, the scale a shortfall is judged at (a large
    coefficient on a column that is zero there does not hide a real shortfall)."""
    terms = model.row_magnitude(x)[rows]
    bound = np.where(sides > 0, model.row_upper[rows], model.row_lower[rows])
    return np.maximum.reduce([np.ones(rows.size), np.abs(bound), terms])


def _users(case: Case, formulation: Formulation, x: np.ndarray) -> Users:
    """Funded projects in the elastic solution by (resource, period) they use, and by
    ("money", period) for those that spend in or before the period."""
    chosen = formulation.chosen(x)
    position = {r.id: i for i, r in enumerate(case.resources)}
    choice, r, t, _ = demand_profile(case, chosen, position)
    users: dict[tuple, list[str]] = {}
    names = [res.id for res in case.resources]
    for c, ri, ti in zip(choice, r, t, strict=True):
        pid = chosen.table["project"].iloc[c]
        users.setdefault((names[ri], case.periods[ti]), []).append(pid)
    for row in chosen.table.itertuples(index=False):
        for ti in range(row.s, len(case.periods)):
            users.setdefault(("money", case.periods[ti]), []).append(row.project)
    return {k: list(dict.fromkeys(v)) for k, v in users.items()}
