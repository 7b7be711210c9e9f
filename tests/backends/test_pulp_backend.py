"""The PuLP backend: known answers on every available PuLP solver, honest statuses under
limits, and the translation and readings it relies on.

Every returned plan is checked against the model (``violations`` empty) and must
reproduce the reported objective.
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pulp
import pytest

from allocator.backends import BackendError, SolveOptions, SolveResult, SolveStatus
from allocator.backends.pulp_backend import (
    OPTIMAL_GAP,
    PulpBackend,
    _cbc_bound,
    _read_pulp,
    _Said,
    build_problem,
)
from allocator.model import LinearModel, ModelBuilder

BACKEND = PulpBackend()
SOLVERS = [name for name in ("cbc", "highs") if name in BACKEND.available_solvers()]
INF = np.inf


def ids(n: int) -> pd.DataFrame:
    return pd.DataFrame({"i": range(n)})


def solve(model: LinearModel, solver: str, **options: object) -> SolveResult:
    """Solve and check everything that must hold whatever the status."""
    result = BACKEND.solve(model, SolveOptions(solver=solver, **options))
    assert_consistent(model, result)
    return result


def assert_consistent(model: LinearModel, result: SolveResult) -> None:
    """The status agrees with the values, the objective, the bound and the gap."""
    done = result.termination
    assert done.backend == "pulp"
    assert done.solver_version.startswith(f"PuLP {pulp.__version__}")
    assert done.seconds >= 0
    if done.status.has_solution:
        assert result.values is not None
        assert model.violations(result.values) == []
        assert model.objective_value(result.values) == pytest.approx(done.objective, abs=1e-9)
    else:
        assert result.values is None
        assert done.objective is None
    if done.status is SolveStatus.OPTIMAL:
        assert done.bound is not None
        assert done.gap == pytest.approx(0, abs=1e-9)
        assert not done.limit_reached
    if done.status is SolveStatus.FEASIBLE:
        assert done.gap is None or done.gap > OPTIMAL_GAP or done.limit_reached
        assert done.message
    if done.status is SolveStatus.NO_SOLUTION:
        assert done.limit_reached
    if done.status in (SolveStatus.INFEASIBLE, SolveStatus.UNBOUNDED, SolveStatus.ERROR):
        assert done.bound is None
    if done.bound is not None and done.objective is not None:
        slack = 1e-9 * max(1.0, abs(done.objective))
        if model.maximize:
            assert done.bound >= done.objective - slack
        else:
            assert done.bound <= done.objective + slack


# --- small models with answers worked out by hand ---------------------------------------


def knapsack() -> LinearModel:
    """max 10a + 13b + 7c + 8d, 5a + 6b + 3c + 4d <= 10, binary: {b, d} worth 21.

    (a, c: 17; b, c: 20; b, d: 21; c, d: 15 -- the other pairs are too heavy.)
    """
    builder = ModelBuilder(maximize=True)
    x = builder.add_variables("x", ids(4), upper=1, integer=True)
    builder.add_rows("w", ids(1), np.zeros(4), x, [5, 6, 3, 4], upper=10)
    builder.add_objective(x, [10, 13, 7, 8])
    return builder.build()


def linear() -> LinearModel:
    """max 3x + 2y, x + y <= 4, x + 3y <= 6, x <= 3: the vertex (3, 1), worth 11."""
    builder = ModelBuilder(maximize=True)
    v = builder.add_variables("v", ids(2), upper=[3, INF])
    rows, columns = [0, 0, 1, 1], [v[0], v[1], v[0], v[1]]
    builder.add_rows("r", ids(2), rows, columns, [1, 1, 1, 3], upper=[4, 6])
    builder.add_objective(v, [3, 2])
    return builder.build()


def minimum_with_offset() -> LinearModel:
    """min 2x + 3y + 5, x + y >= 4, x <= 1, integers: (1, 3), worth 16."""
    builder = ModelBuilder(maximize=False)
    v = builder.add_variables("v", ids(2), upper=[1, 10], integer=True)
    builder.add_rows("r", ids(1), [0, 0], v, 1, lower=4)
    builder.add_objective(v, [2, 3])
    builder.add_objective_offset(5)
    return builder.build()


def equality_row() -> LinearModel:
    """max x + 2y, x + y == 3, y <= 2 (x, y >= 0): (1, 2), worth 5."""
    builder = ModelBuilder(maximize=True)
    v = builder.add_variables("v", ids(2), upper=[INF, 2])
    builder.add_rows("r", ids(1), [0, 0], v, 1, lower=3, upper=3)
    builder.add_objective(v, [1, 2])
    return builder.build()


def ranged_row(maximize: bool) -> LinearModel:
    """2 <= x + y <= 5 with x, y in [0, 10], objective x + y: 5 at most, 2 at least."""
    builder = ModelBuilder(maximize=maximize)
    v = builder.add_variables("v", ids(2), upper=10)
    builder.add_rows("r", ids(1), [0, 0], v, 1, lower=2, upper=5)
    builder.add_objective(v, 1)
    return builder.build()


def free_columns() -> LinearModel:
    """min z, z - x = -3, z >= -10, x in [0, 5], z free: z = x - 3 is least at x = 0, worth -3.

    The row z >= -10 does not bind, so z must go below 0 on its own (PuLP's ``None``
    lower bound). A second free column w, in no row and not in the objective, must
    still come back with a value.
    """
    builder = ModelBuilder(maximize=False)
    x = builder.add_variables("x", ids(1), upper=5)
    z = builder.add_variables("z", ids(1), lower=-INF)
    builder.add_variables("w", ids(1), lower=-INF)
    builder.add_rows(
        "link", ids(2), [0, 0, 1], [z[0], x[0], z[0]], [1, -1, 1], lower=[-3, -10], upper=[-3, INF]
    )
    builder.add_objective(z, 1)
    return builder.build()


def infeasible() -> LinearModel:
    """x + y >= 3 with x, y binary: no plan."""
    builder = ModelBuilder(maximize=True)
    v = builder.add_variables("v", ids(2), upper=1, integer=True)
    builder.add_rows("r", ids(1), [0, 0], v, 1, lower=3)
    builder.add_objective(v, 1)
    return builder.build()


def unbounded() -> LinearModel:
    """max x + y, x - y <= 1, x, y >= 0 integers: grows without limit."""
    builder = ModelBuilder(maximize=True)
    v = builder.add_variables("v", ids(2), integer=True)
    builder.add_rows("r", ids(1), [0, 0], v, [1, -1], upper=1)
    builder.add_objective(v, 1)
    return builder.build()


def infeasible_with_unbounded_relaxation() -> LinearModel:
    """max z, a + b == 1.5 with a, b binary, z >= 0 free of rows.

    The LP relaxation is unbounded (z grows, a = 1, b = 0.5), so CBC answers
    "Unbounded"; but no binary a, b sum to 1.5: there is no plan.
    """
    builder = ModelBuilder(maximize=True)
    v = builder.add_variables("v", ids(2), upper=1, integer=True)
    z = builder.add_variables("z", ids(1))
    builder.add_rows("r", ids(1), [0, 0], v, 1, lower=1.5, upper=1.5)
    builder.add_objective(z, 1)
    return builder.build()


def multidimensional_knapsack(seed: int = 3, items: int = 60, dimensions: int = 30) -> LinearModel:
    """A random 0-1 knapsack with 30 weight rows: a second or more for CBC and HiGHS."""
    rng = np.random.default_rng(seed)
    weights = rng.integers(10, 100, size=(dimensions, items))
    values = rng.integers(10, 100, size=items) + weights.sum(axis=0) // dimensions
    builder = ModelBuilder(maximize=True)
    x = builder.add_variables("x", ids(items), upper=1, integer=True)
    rows, columns = np.divmod(np.arange(dimensions * items), items)
    builder.add_rows(
        "capacity", ids(dimensions), rows, x[columns], weights.ravel(), upper=weights.sum(1) // 2
    )
    builder.add_objective(x, values)
    builder.add_objective_offset(-100)
    return builder.build()


def market_split(maximize: bool) -> LinearModel:
    """Four 0-1 equalities sum a_ij x_j = (sum_j a_ij) // 2 over 30 columns (Cornuejols and
    Dawande): hard to find any plan in a fraction of a second."""
    rng = np.random.default_rng(1)
    weights = rng.integers(0, 100, size=(4, 30))
    target = weights.sum(axis=1) // 2
    builder = ModelBuilder(maximize=maximize)
    x = builder.add_variables("x", ids(30), upper=1, integer=True)
    rows, columns = np.divmod(np.arange(weights.size), 30)
    builder.add_rows("split", ids(4), rows, x[columns], weights.ravel(), lower=target, upper=target)
    builder.add_objective(x, 1)
    return builder.build()


KNOWN = [
    ("knapsack", knapsack, 21.0, [0, 1, 0, 1]),
    ("linear", linear, 11.0, [3, 1]),
    ("minimum-with-offset", minimum_with_offset, 16.0, [1, 3]),
    ("equality-row", equality_row, 5.0, [1, 2]),
    ("ranged-row-max", lambda: ranged_row(True), 5.0, None),
    ("ranged-row-min", lambda: ranged_row(False), 2.0, None),
    ("free-columns", free_columns, -3.0, None),
]


# --- known answers -----------------------------------------------------------------------


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize(("name", "build", "objective", "x"), KNOWN, ids=[k[0] for k in KNOWN])
def test_known_optimum(solver: str, name: str, build, objective: float, x) -> None:
    model = build()
    result = solve(model, solver)
    done = result.termination
    assert done.status is SolveStatus.OPTIMAL, done.message
    assert done.objective == pytest.approx(objective, abs=1e-9)
    assert done.solver == solver
    if x is not None:
        assert result.values == pytest.approx(x, abs=1e-9)


@pytest.mark.parametrize("solver", SOLVERS)
def test_free_columns_take_negative_values(solver: str) -> None:
    model = free_columns()
    values = solve(model, solver).values
    assert values is not None
    assert values[:2] == pytest.approx([0, -3], abs=1e-9)  # z below zero: PuLP's None bound


@pytest.mark.parametrize("solver", SOLVERS)
def test_infeasible(solver: str) -> None:
    done = solve(infeasible(), solver).termination
    assert done.status is SolveStatus.INFEASIBLE, done.message


@pytest.mark.parametrize("solver", SOLVERS)
def test_unbounded_is_confirmed_not_called_infeasible(solver: str) -> None:
    done = solve(unbounded(), solver).termination
    assert done.status is SolveStatus.UNBOUNDED, done.message
    assert done.bound is None


@pytest.mark.parametrize("solver", SOLVERS)
def test_unbounded_relaxation_without_any_plan_is_infeasible(solver: str) -> None:
    # CBC says "Unbounded" here; the backend's zero-objective check finds no plan.
    done = solve(infeasible_with_unbounded_relaxation(), solver).termination
    assert done.status is SolveStatus.INFEASIBLE, done.message
    if solver == "cbc":
        assert "check" in done.message


# --- limits, gaps and bounds -------------------------------------------------------------


@pytest.mark.parametrize("solver", SOLVERS)
def test_time_limited_solve_reports_consistently(solver: str) -> None:
    model = multidimensional_knapsack()
    done = solve(model, solver, time_limit=1.0).termination
    assert done.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE, SolveStatus.NO_SOLUTION)
    if done.status is SolveStatus.FEASIBLE:
        assert done.limit_reached
        assert done.bound is not None  # both CBC's log and HiGHS give one here
        assert done.gap is not None
        assert done.gap > 0


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("maximize", [True, False], ids=["max", "min"])
def test_no_plan_within_the_limit(solver: str, maximize: bool) -> None:
    done = solve(market_split(maximize), solver, time_limit=0.3).termination
    assert done.status in (
        SolveStatus.NO_SOLUTION,
        SolveStatus.FEASIBLE,
        SolveStatus.INFEASIBLE,
        SolveStatus.OPTIMAL,
    )
    if done.status is SolveStatus.NO_SOLUTION and done.bound is not None:
        # any plan has 0 <= sum x <= 30; a bound must not cut into what is possible
        assert (done.bound >= 0) if maximize else (done.bound <= 30)


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_relative_gap_never_claims_an_unproven_optimum(solver: str) -> None:
    model = multidimensional_knapsack(seed=3)
    done = solve(model, solver, relative_gap=0.05, time_limit=5.0).termination
    assert done.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    if done.status is SolveStatus.FEASIBLE and done.gap is not None:
        assert done.gap <= 0.06  # the solver stopped within its gap (CBC's bound is rounded)


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_relative_gap_on_a_linear_model_is_still_optimal(solver: str) -> None:
    done = solve(linear(), solver, relative_gap=0.05).termination
    assert done.status is SolveStatus.OPTIMAL


@pytest.mark.skipif("highs" not in SOLVERS, reason="HiGHS is not available")
def test_highs_changes_its_thread_count_between_solves() -> None:
    model = knapsack()
    for threads in (1, 2, None, 1):
        done = solve(model, "highs", threads=threads).termination
        assert done.status is SolveStatus.OPTIMAL, done.message


@pytest.mark.skipif("cbc" not in SOLVERS, reason="CBC is not available")
def test_cbc_verbose_shows_its_log(capfd: pytest.CaptureFixture[str]) -> None:
    done = solve(knapsack(), "cbc", verbose=True, threads=1).termination
    assert done.status is SolveStatus.OPTIMAL
    assert "CBC" in capfd.readouterr().out


# --- solver names and refusals ----------------------------------------------------------


def test_default_solver_is_cbc() -> None:
    assert BACKEND.default_solver == "cbc"
    if "cbc" in SOLVERS:
        assert BACKEND.solve(knapsack(), SolveOptions()).termination.solver == "cbc"


def test_available_solvers_use_our_names_for_cbc_and_highs() -> None:
    names = BACKEND.available_solvers()
    assert "PULP_CBC_CMD" not in names
    assert "HiGHS" not in names
    assert names[: len(SOLVERS)] == SOLVERS


@pytest.mark.parametrize("name", ["no-such-solver", "PULP_CBC_CMD", "GUROBI_CMD-typo"])
def test_unknown_solver_lists_the_available_ones(name: str) -> None:
    with pytest.raises(BackendError) as error:
        BACKEND.solve(knapsack(), SolveOptions(solver=name))
    assert f"'{name}'" in str(error.value)
    for solver in BACKEND.available_solvers():
        assert solver in str(error.value)


def test_a_model_with_nan_is_refused() -> None:
    model = knapsack()
    objective = model.objective.copy()
    objective[0] = np.nan
    bad = dataclasses.replace(model, objective=objective)
    with pytest.raises(BackendError, match="objective coefficients"):
        BACKEND.solve(bad, SolveOptions(solver=SOLVERS[0] if SOLVERS else None))


# --- the translation and the readings ---------------------------------------------------


def test_rows_become_the_right_constraints() -> None:
    builder = ModelBuilder(maximize=True)
    v = builder.add_variables("v", ids(3), lower=[0, -INF, 1], upper=[INF, 4, 1], integer=[1, 0, 0])
    builder.add_rows(
        "r",
        ids(5),
        [0, 0, 1, 2, 3, 4],
        [v[0], v[1], v[1], v[0], v[1], v[0]],
        [1, 2, 1, 1, 1, 0],  # the last term is an explicit zero: row 4 is empty
        lower=[3, 1, -INF, -INF, 0],
        upper=[3, 2, 7, INF, INF],
    )
    translation = build_problem(builder.build())
    constraints = translation.problem._constraints
    assert sorted(constraints) == ["r0", "r1_lo", "r1_up", "r2", "r4"]  # r3 is free
    senses = {name: c.sense for name, c in constraints.items()}
    assert senses == {
        "r0": pulp.LpConstraintEQ,
        "r1_lo": pulp.LpConstraintGE,
        "r1_up": pulp.LpConstraintLE,
        "r2": pulp.LpConstraintLE,
        "r4": pulp.LpConstraintGE,
    }
    assert -constraints["r1_lo"].constant == 1
    assert -constraints["r1_up"].constant == 2
    assert len(constraints["r4"]) == 0
    x0, x1, x2 = translation.variables
    assert dict(constraints["r0"].items()) == {x0: 1, x1: 2}
    assert (x0.lowBound, x0.upBound, x0.cat) == (0, None, pulp.LpInteger)
    assert (x1.lowBound, x1.upBound, x1.cat) == (None, 4, pulp.LpContinuous)
    assert (x2.lowBound, x2.upBound) == (1, 1)
    # every column sits in the objective, so PuLP keeps the ones no row mentions
    assert set(translation.problem.objective) == {x0, x1, x2}


CBC_LOG = """Welcome to the CBC MILP Solver
Version: 2.10.3
Result - Stopped on time limit

Objective value:                3675.00000000
{side} bound:                    3734.853
Gap:                            -0.02
"""


def test_cbc_bound_is_read_and_widened_for_rounding() -> None:
    maximise = multidimensional_knapsack()  # offset -100
    assert _cbc_bound(CBC_LOG.format(side="Upper"), maximise) == pytest.approx(
        3734.853 + 0.0005 - 100
    )
    assert _cbc_bound(CBC_LOG.format(side="Lower"), maximise) is None  # wrong side: ignored
    minimise = minimum_with_offset()  # offset 5
    assert _cbc_bound(CBC_LOG.format(side="Lower"), minimise) == pytest.approx(
        3734.853 - 0.0005 + 5
    )
    assert _cbc_bound("Result - Optimal solution found\n", minimise) is None


@pytest.mark.parametrize(
    ("status", "solution", "time_limit", "said", "has_plan", "limit"),
    [
        (pulp.LpStatusOptimal, pulp.LpSolutionOptimal, None, _Said.OPTIMAL, True, False),
        (pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible, 5, _Said.STOPPED, True, True),
        (pulp.LpStatusNotSolved, pulp.LpSolutionIntegerFeasible, None, _Said.STOPPED, True, False),
        (pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound, 5, _Said.STOPPED, False, True),
        (pulp.LpStatusNotSolved, pulp.LpSolutionInfeasible, None, _Said.STOPPED, False, False),
        (pulp.LpStatusInfeasible, pulp.LpSolutionInfeasible, None, _Said.INFEASIBLE, False, False),
        (
            pulp.LpStatusUnbounded,
            pulp.LpSolutionUnbounded,
            None,
            _Said.UNBOUNDED_OR_INFEASIBLE,
            False,
            False,
        ),
        (pulp.LpStatusUndefined, pulp.LpSolutionInfeasible, None, _Said.ERROR, False, False),
        (pulp.LpStatusOptimal, pulp.LpSolutionNoSolutionFound, None, _Said.ERROR, False, False),
    ],
)
def test_other_solvers_are_read_from_pulps_status_pair(
    status: int, solution: int, time_limit: float | None, said: _Said, has_plan: bool, limit: bool
) -> None:
    reading = _read_pulp(SimpleNamespace(status=status, sol_status=solution), time_limit)
    assert (reading.said, reading.has_plan, reading.time_limit_hit) == (said, has_plan, limit)
