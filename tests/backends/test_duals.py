"""Row duals and reduced costs of a linear program: one sign convention for every solver
that declares duals (``Feature.DUALS``), none from the others.

max 3x + 2y  s.t.  x + y <= 4,  x + 3y >= -6 (slack),  0 <= x, y <= 10
has one optimum, x = 4, y = 0 (objective 12): one more unit of the first row's
bound is worth 3; the second row is slack (0); y sits at its lower bound and
raising that bound by one costs 3 - 2 = 1 (reduced cost -1); x is between bounds (0).
The same model minimising -3x - 2y has the negated answer: -12, duals (-3, 0) and
reduced costs (0, 1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from declared import ids, solvers

from allocator.analysis.marginals import dual_solver
from allocator.analysis.runner import Runner
from allocator.backends import BACKENDS, Feature, SolveOptions, SolveStatus, get_backend
from allocator.model.builder import ModelBuilder
from allocator.model.linear import LinearModel

WITH_DUALS = solvers(Feature.DUALS)
WITHOUT_DUALS = solvers(Feature.CONTINUOUS, lacking=(Feature.DUALS,))


def lp(integer: bool = False, maximize: bool = True) -> LinearModel:
    builder = ModelBuilder(maximize=maximize)
    x = builder.add_variables("x", pd.DataFrame({"name": ["x", "y"]}), upper=10, integer=integer)
    builder.add_rows(
        "rows",
        pd.DataFrame({"row": ["sum", "slack"]}),
        rows=[0, 0, 1, 1],
        columns=[x[0], x[1], x[0], x[1]],
        coefficients=[1, 1, 1, 3],
        lower=[-np.inf, -6],
        upper=[4, np.inf],
    )
    sign = 1 if maximize else -1
    builder.add_objective(x, [3 * sign, 2 * sign])
    return builder.build()


def test_the_solvers_declaring_duals() -> None:
    assert get_backend("ortools").solvers_with(Feature.DUALS) == ["glop"]
    assert get_backend("pulp").solvers_with(Feature.DUALS) == ["cbc", "highs"]


@pytest.mark.parametrize(("backend", "solver"), WITH_DUALS, ids=ids(WITH_DUALS))
@pytest.mark.parametrize(
    ("maximize", "objective", "duals", "reduced"),
    [(True, 12, [3, 0], [0, -1]), (False, -12, [-3, 0], [0, 1])],
    ids=["max", "min"],
)
def test_duals_are_d_objective_d_bound(
    backend: str, solver: str, maximize: bool, objective: float, duals: list, reduced: list
) -> None:
    result = get_backend(backend).solve(lp(maximize=maximize), SolveOptions(solver=solver))
    assert result.termination.status is SolveStatus.OPTIMAL
    assert result.termination.objective == pytest.approx(objective)
    assert result.duals == pytest.approx(duals, abs=1e-9)
    assert result.reduced_costs == pytest.approx(reduced, abs=1e-9)


@pytest.mark.parametrize(("backend", "solver"), WITHOUT_DUALS, ids=ids(WITHOUT_DUALS))
def test_solvers_without_duals_give_none(backend: str, solver: str) -> None:
    result = get_backend(backend).solve(lp(), SolveOptions(solver=solver))
    assert result.termination.status is SolveStatus.OPTIMAL
    assert result.duals is None
    assert result.reduced_costs is None


WITH_DUALS_AND_INTEGERS = solvers(Feature.DUALS, Feature.INTEGERS)


@pytest.mark.parametrize(
    ("backend", "solver"), WITH_DUALS_AND_INTEGERS, ids=ids(WITH_DUALS_AND_INTEGERS)
)
def test_a_model_with_integer_columns_gives_no_duals(backend: str, solver: str) -> None:
    result = get_backend(backend).solve(lp(integer=True), SolveOptions(solver=solver))
    assert result.termination.status is SolveStatus.OPTIMAL
    assert result.duals is None
    assert result.reduced_costs is None


@pytest.mark.parametrize(
    ("backend", "solver", "chosen"),
    [
        ("ortools", None, "glop"),
        ("ortools", "scip", "glop"),
        ("ortools", "glop", "glop"),
        ("pulp", None, "cbc"),
        ("pulp", "cbc", "cbc"),
        ("pulp", "highs", "highs"),
    ],
)
def test_marginals_take_duals_from_the_analysis_solver_or_the_first_declaring_them(
    backend: str, solver: str | None, chosen: str
) -> None:
    assert dual_solver(Runner(backend=backend, solver=solver)) == chosen


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_every_backend_has_a_solver_with_duals_for_marginals(backend: str) -> None:
    assert get_backend(backend).solvers_with(Feature.DUALS)
