"""What each solver declares, and the refusals generated from the declarations.

A solver that does not declare integer columns must refuse a model with any; one that
does not declare continuous columns must refuse a model with any; one with a finite
``bound_limit`` must refuse larger bounds. Each refusal names the solver and the solvers
of the same backend that would take the model, and those must take it.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from declared import AVAILABLE, ids, solvers
from problems import brute_force_best, knapsack, linear, multidimensional_knapsack
from problems import ids as rows

from allocator.backends import BACKENDS, BackendError, Feature, SolveOptions, get_backend
from allocator.backends.capabilities import GENERAL
from allocator.model import LinearModel, ModelBuilder


def _refusal(backend: str, solver: str, model: LinearModel, match: str) -> None:
    """The solve is refused as ``match`` says, and the solvers it suggests take the model."""
    with pytest.raises(BackendError, match=match) as refused:
        get_backend(backend).solve(model, SolveOptions(solver=solver))
    message = str(refused.value)
    assert message.startswith(f"{solver} ")
    suggested = re.search(r"; use (.*)$", message)
    assert suggested, message
    for other in re.split(r", | or ", suggested.group(1)):
        assert get_backend(backend).capabilities(other).why_not(model) is None, other


NO_INTEGERS = solvers(lacking=(Feature.INTEGERS,))
NO_CONTINUOUS = solvers(lacking=(Feature.CONTINUOUS,))
NO_START = solvers(lacking=(Feature.HINTS,))
START = solvers(Feature.HINTS)
BOUND_LIMITED = [
    (backend, solver)
    for backend, solver, capabilities in AVAILABLE
    if np.isfinite(capabilities.bound_limit)
]


@pytest.mark.parametrize(("backend", "solver"), NO_INTEGERS, ids=ids(NO_INTEGERS))
def test_solvers_without_integers_refuse_integer_columns(backend: str, solver: str) -> None:
    _refusal(backend, solver, knapsack(), r"solves linear programs only; .*4 integer.*x \(4\)")


@pytest.mark.parametrize(("backend", "solver"), NO_CONTINUOUS, ids=ids(NO_CONTINUOUS))
def test_solvers_without_continuous_columns_refuse_them(backend: str, solver: str) -> None:
    _refusal(backend, solver, linear(x_max=3.5), r"solves integer-only.*2 continuous.*v \(2\)")


@pytest.mark.parametrize(("backend", "solver"), BOUND_LIMITED, ids=ids(BOUND_LIMITED))
def test_solvers_with_a_bound_limit_refuse_larger_bounds(backend: str, solver: str) -> None:
    """CP-SAT, say, would call 2e7 optimal here (both columns clamped to 1e7); the truth is 1e8."""
    limit = get_backend(backend).capabilities(solver).bound_limit
    builder = ModelBuilder(maximize=True)
    v = builder.add_variables("big", rows(2), upper=6 * limit, integer=True)
    builder.add_rows("r", rows(1), [0, 0], v, 1, upper=10 * limit)
    builder.add_objective(v, 1)
    _refusal(backend, solver, builder.build(), r"clamps column bounds.*big \(2\)")


def test_the_refusals_cover_cp_sat_and_glop_where_ortools_has_them() -> None:
    available = get_backend("ortools").available_solvers()
    assert (("ortools", "glop") in NO_INTEGERS) == ("glop" in available)
    assert (("ortools", "cp-sat") in NO_CONTINUOUS) == ("cp-sat" in available)
    assert (("ortools", "cp-sat") in BOUND_LIMITED) == ("cp-sat" in available)


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_every_available_solver_declares_the_columns_it_takes(backend: str) -> None:
    for solver in get_backend(backend).available_solvers():
        capabilities = get_backend(backend).capabilities(solver)
        assert capabilities.supports(Feature.INTEGERS) or capabilities.supports(Feature.CONTINUOUS)


def test_the_solvers_that_take_a_starting_plan() -> None:
    assert get_backend("ortools").solvers_with(Feature.HINTS) == ["scip", "cp-sat"]
    assert get_backend("pulp").solvers_with(Feature.HINTS) == []


@pytest.mark.parametrize(("backend", "solver"), NO_START, ids=ids(NO_START))
def test_a_start_is_refused_by_a_solver_that_takes_none(backend: str, solver: str) -> None:
    model = (
        knapsack()
        if get_backend(backend).capabilities(solver).supports(Feature.INTEGERS)
        else linear()
    )
    start = np.zeros(model.num_variables)
    with pytest.raises(BackendError, match=f"^{solver} is given no starting plan"):
        get_backend(backend).solve(model, SolveOptions(solver=solver), start=start)


@pytest.mark.parametrize(("backend", "solver"), START, ids=ids(START))
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_start_changes_no_optimum(backend: str, solver: str, seed: int) -> None:
    """Started from the optimum, from a plan that breaks rows, or from nothing: the same
    proven optimum (the brute-force enumeration's)."""
    model = multidimensional_knapsack(items=10, dimensions=3, seed=seed)
    best = brute_force_best(model)
    solve = get_backend(backend).solve
    cold = solve(model, SolveOptions(solver=solver, relative_gap=0))
    assert cold.termination.objective == pytest.approx(best)
    for start in (cold.values, np.ones(model.num_variables), np.zeros(model.num_variables)):
        warm = solve(model, SolveOptions(solver=solver, relative_gap=0), start=start)
        assert warm.termination.status.value == "optimal"
        assert warm.termination.objective == pytest.approx(best)


@pytest.mark.parametrize(("backend", "solver"), START, ids=ids(START))
def test_a_start_of_the_wrong_size_is_refused(backend: str, solver: str) -> None:
    model = knapsack()
    with pytest.raises(BackendError, match="a finite value for each of the"):
        get_backend(backend).solve(
            model, SolveOptions(solver=solver), start=np.zeros(model.num_variables + 1)
        )


def test_the_declarations_of_the_known_solvers() -> None:
    ortools, pulp = get_backend("ortools"), get_backend("pulp")
    assert ortools.solvers_with(Feature.INTEGERS, Feature.CONTINUOUS) == ["scip", "highs"]
    assert ortools.solvers_with(Feature.BOUND) == ["scip", "cp-sat"]
    assert ortools.solvers_with(Feature.THREADS) == ["cp-sat"]
    assert ortools.solvers_with(Feature.INTERRUPT) == ["scip"]
    assert pulp.solvers_with(Feature.INTEGERS, Feature.CONTINUOUS, Feature.BOUND) == [
        "cbc",
        "highs",
    ]
    assert pulp.solvers_with(Feature.INTERRUPT) == ["cbc"]
    assert pulp.capabilities("cbc").max_dual_sign == 1.0
    assert pulp.capabilities("highs").max_dual_sign == -1.0


def test_an_undeclared_pulp_solver_is_taken_as_general_and_an_unknown_ortools_one_refused() -> None:
    assert get_backend("pulp").capabilities("GUROBI_CMD") == GENERAL
    with pytest.raises(BackendError, match="unknown"):
        get_backend("ortools").capabilities("gurobi")
