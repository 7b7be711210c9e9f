"""The PuLP backend: known answers on every available PuLP solver, honest statuses under
limits, and the translation and readings it relies on.

Every returned plan is checked against the model (``violations`` empty) and must
reproduce the reported objective.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pulp
import pytest
from problems import (
    equality_row,
    ids,
    infeasible,
    infeasible_with_unbounded_relaxation,
    knapsack,
    linear,
    linked_free_column,
    market_split,
    minimum_with_offset,
    ranged_row,
    slow_knapsack,
    unbounded,
)

from allocator.backends import BackendError, SolveOptions, SolveResult, SolveStatus, Termination
from allocator.backends.conditions import Condition, Outcome
from allocator.backends.finish import Label, finish
from allocator.backends.pulp_backend import PulpBackend, _Interrupt, build_problem
from allocator.backends.pulp_solvers import (
    cbc_bound,
    cbc_early_stop,
    read_cbc,
    read_highs,
    read_pulp,
)
from allocator.backends.termination import CLOSED_GAP
from allocator.model import LinearModel, ModelBuilder

BACKEND = PulpBackend()
SOLVERS = [name for name in ("cbc", "highs") if name in BACKEND.available_solvers()]
INF = np.inf


def solve(model: LinearModel, solver: str, **options: object) -> SolveResult:
    """Solve and check everything that must hold whatever the status."""
    options.setdefault("relative_gap", 0.0)  # known answers: prove them
    result = BACKEND.solve(model, SolveOptions(solver=solver, **options))  # type: ignore[arg-type]
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
    if done.proven_optimal:
        assert done.bound is not None
        assert done.gap == pytest.approx(0, abs=1e-9)
    if done.status is SolveStatus.OPTIMAL:
        assert not done.limit_reached
        assert done.proven_optimal or "allowed relative gap" in done.message
    if done.status is SolveStatus.FEASIBLE:
        assert done.gap is None or done.gap > CLOSED_GAP or done.limit_reached
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


KNOWN = [
    ("knapsack", knapsack, 21.0, [0, 1, 0, 1]),
    ("linear", linear, 11.0, [3, 1]),
    ("minimum-with-offset", minimum_with_offset, 16.0, [1, 3]),
    ("equality-row", equality_row, 5.0, [1, 2]),
    ("ranged-row-max", lambda: ranged_row(True), 5.0, None),
    ("ranged-row-min", lambda: ranged_row(False), 2.0, None),
    ("free-columns", linked_free_column, -3.0, None),
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
    model = linked_free_column()
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
    model = slow_knapsack()
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
    model = slow_knapsack(seed=3)
    done = solve(model, solver, relative_gap=0.05, time_limit=5.0).termination
    assert done.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert done.gap_limit == 0.05
    if done.status is SolveStatus.OPTIMAL and not done.proven_optimal:
        assert "allowed relative gap 0.05" in done.message
    if done.gap is not None and not done.limit_reached:
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
    maximise = slow_knapsack()  # offset -100
    assert cbc_bound(CBC_LOG.format(side="Upper"), maximise) == pytest.approx(
        3734.853 + 0.0005 - 100
    )
    assert cbc_bound(CBC_LOG.format(side="Lower"), maximise) is None  # wrong side: ignored
    minimise = minimum_with_offset()  # offset 5
    assert cbc_bound(CBC_LOG.format(side="Lower"), minimise) == pytest.approx(3734.853 - 0.0005 + 5)
    assert cbc_bound("Result - Optimal solution found\n", minimise) is None


@pytest.mark.parametrize(
    ("status", "solution", "time_limit", "condition", "has_plan"),
    [
        (pulp.LpStatusOptimal, pulp.LpSolutionOptimal, None, Condition.OPTIMAL, True),
        (pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible, 5, Condition.TIME_LIMIT, True),
        (pulp.LpStatusNotSolved, pulp.LpSolutionIntegerFeasible, None, Condition.STOPPED, True),
        (pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound, 5, Condition.TIME_LIMIT, False),
        (pulp.LpStatusNotSolved, pulp.LpSolutionInfeasible, None, Condition.STOPPED, False),
        (pulp.LpStatusInfeasible, pulp.LpSolutionInfeasible, None, Condition.INFEASIBLE, False),
        (
            pulp.LpStatusUnbounded,
            pulp.LpSolutionUnbounded,
            None,
            Condition.INFEASIBLE_OR_UNBOUNDED,
            False,
        ),
        (pulp.LpStatusUndefined, pulp.LpSolutionInfeasible, None, Condition.ERROR, False),
        (pulp.LpStatusOptimal, pulp.LpSolutionNoSolutionFound, None, Condition.ERROR, False),
    ],
)
def test_other_solvers_are_read_from_pulps_status_pair(
    status: int,
    solution: int,
    time_limit: float | None,
    condition: Condition,
    has_plan: bool,
) -> None:
    problem = SimpleNamespace(status=status, sol_status=solution)
    outcome, plan = read_pulp(problem, knapsack(), time_limit)
    assert (outcome.condition, plan) == (condition, has_plan)


class _FakeHighs:
    """What ``read_highs`` asks of the ``highspy.Highs`` PuLP keeps."""

    def __init__(self, status: str, feasible: bool, dual_bound: float = INF) -> None:
        import highspy

        kind = highspy.SolutionStatus
        self.status = SimpleNamespace(name=status)
        self.info = SimpleNamespace(
            primal_solution_status=kind.kSolutionStatusFeasible
            if feasible
            else kind.kSolutionStatusNone,
            mip_dual_bound=dual_bound,
        )

    def getModelStatus(self) -> SimpleNamespace:  # noqa: N802 (highspy's name)
        return self.status

    def getInfo(self) -> SimpleNamespace:  # noqa: N802 (highspy's name)
        return self.info

    def modelStatusToString(self, status: SimpleNamespace) -> str:  # noqa: N802
        return status.name

    def version(self) -> str:
        return "1.0"


@pytest.mark.parametrize(
    ("status", "feasible", "condition", "has_plan"),
    [
        ("kOptimal", True, Condition.OPTIMAL, True),
        ("kOptimal", False, Condition.OPTIMAL, False),
        ("kTimeLimit", True, Condition.TIME_LIMIT, True),
        ("kTimeLimit", False, Condition.TIME_LIMIT, False),
        ("kIterationLimit", True, Condition.STOPPED, True),
        ("kInterrupt", False, Condition.STOPPED, False),
        ("kInfeasible", False, Condition.INFEASIBLE, False),
        ("kUnbounded", True, Condition.UNBOUNDED, False),
        ("kUnbounded", False, Condition.INFEASIBLE_OR_UNBOUNDED, False),
        ("kUnboundedOrInfeasible", False, Condition.INFEASIBLE_OR_UNBOUNDED, False),
        ("kSolveError", False, Condition.ERROR, False),
    ],
)
def test_highs_is_read_from_its_model_status(
    status: str, feasible: bool, condition: Condition, has_plan: bool
) -> None:
    problem = SimpleNamespace(solverModel=_FakeHighs(status, feasible))
    outcome, plan = read_highs(problem, knapsack())
    assert (outcome.condition, plan) == (condition, has_plan)
    assert outcome.said == f"HiGHS: {status}"
    assert outcome.version == "HiGHS 1.0"


def test_highs_bound_is_restored_to_the_model_s_sense_and_offset() -> None:
    problem = SimpleNamespace(solverModel=_FakeHighs("kTimeLimit", True, dual_bound=-3734.0))
    outcome, _ = read_highs(problem, slow_knapsack())  # a maximisation, offset -100
    assert outcome.bound == pytest.approx(3734.0 - 100)
    linear_model = SimpleNamespace(solverModel=_FakeHighs("kOptimal", True, dual_bound=1.0))
    assert read_highs(linear_model, linear())[0].bound is None  # no integer columns


# --- CBC stopping "on its time limit" before the limit ----------------------------------

CBC_STOPPED_ON_TIME = "Version: 2.10.3\nResult - Stopped on time limit\n"


def test_cbc_early_stop_names_the_wall_clock_the_limit_and_the_remedy() -> None:
    assert cbc_early_stop(34.2, 60) == (
        "CBC stopped on its time limit after 34.2 s of wall clock, short of the 60 s limit "
        "(a known CBC timing fault: it counts preprocessing time twice); "
        "try a longer --time-limit"
    )
    assert cbc_early_stop(54.0, 60) == ""  # 90% of the limit: the limit, as CBC says
    assert cbc_early_stop(3.0, None) == ""


def _finished(outcome: Outcome, plan: bool, model: LinearModel, **options: object) -> Termination:
    """What the finishing step makes of a reading (the plan, if any, all zeros)."""
    values = np.zeros(model.num_variables) if plan else None
    result = finish(
        model,
        SolveOptions(**options),  # type: ignore[arg-type]
        replace(outcome, values=values),
        label=Label("pulp", "cbc", "test"),
        started=time.perf_counter(),
        recheck=lambda seconds: pytest.fail("no re-check expected"),
    )
    return result.termination


@pytest.mark.parametrize(
    ("seconds", "says_early"), [(34.2, True), (53.9, True), (54.0, False), (61.0, False)]
)
def test_a_cbc_time_limit_stop_short_of_the_limit_says_so(seconds: float, says_early: bool) -> None:
    """A fake CBC answer (PuLP's status pair and CBC's log) read with the wall clock."""
    model = knapsack()
    problem = SimpleNamespace(
        status=pulp.LpStatusOptimal, sol_status=pulp.LpSolutionIntegerFeasible
    )
    outcome, plan = read_cbc(problem, model, 60.0, CBC_STOPPED_ON_TIME, seconds)
    assert (outcome.condition, plan) == (Condition.TIME_LIMIT, True)
    done = _finished(outcome, plan, model, time_limit=60.0)
    assert (done.status, done.limit_reached) == (SolveStatus.FEASIBLE, True)
    if says_early:
        assert done.message == cbc_early_stop(seconds, 60.0)
        assert f"after {seconds:.1f} s of wall clock, short of the 60 s limit" in done.message
    else:
        assert done.message == (
            "time limit of 60 s reached before optimality was proven (CBC: Stopped on time limit)"
        )


def test_a_cbc_time_limit_stop_without_a_plan_short_of_the_limit_says_so() -> None:
    model = knapsack()
    problem = SimpleNamespace(
        status=pulp.LpStatusNotSolved, sol_status=pulp.LpSolutionNoSolutionFound
    )
    outcome, plan = read_cbc(problem, model, 60.0, CBC_STOPPED_ON_TIME, 12.5)
    done = _finished(outcome, plan, model, time_limit=60.0)
    assert (done.status, done.objective, done.limit_reached) == (
        SolveStatus.NO_SOLUTION,
        None,
        True,
    )
    assert done.message == "no plan was found: " + cbc_early_stop(12.5, 60.0)


def test_a_cbc_stop_that_is_not_the_time_limit_gets_no_timing_note() -> None:
    model = knapsack()
    problem = SimpleNamespace(
        status=pulp.LpStatusOptimal, sol_status=pulp.LpSolutionIntegerFeasible
    )
    log = "Result - Stopped on ctrl-c\n"
    outcome, _ = read_cbc(problem, model, 60.0, log, 2.0)
    assert (outcome.condition, outcome.limit_note) == (Condition.STOPPED, "")
    assert (outcome.said, outcome.version) == ("CBC: Stopped on ctrl-c", "CBC")


def test_cbc_s_version_is_read_from_its_log() -> None:
    problem = SimpleNamespace(status=pulp.LpStatusOptimal, sol_status=pulp.LpSolutionOptimal)
    outcome, plan = read_cbc(problem, knapsack(), None, CBC_STOPPED_ON_TIME, 1.0)
    assert (outcome.condition, plan, outcome.version) == (Condition.OPTIMAL, True, "CBC 2.10.3")


def test_ctrl_c_before_cbc_has_started_stops_at_once() -> None:
    """While PuLP still writes the model there is no CBC to hear the interrupt: stop now."""
    import os
    import signal

    interrupt = _Interrupt(child_solver=True)
    with pytest.raises(KeyboardInterrupt), interrupt.deferred():
        os.kill(os.getpid(), signal.SIGINT)
    assert not interrupt.seen


def test_ctrl_c_while_cbc_runs_is_noted_for_cbc_to_answer() -> None:
    """With the solver running as a child, the first interrupt is left to it."""
    import os
    import signal
    import subprocess

    interrupt = _Interrupt(child_solver=True)
    child = subprocess.Popen(["sleep", "5"])
    try:
        with interrupt.deferred():
            os.kill(os.getpid(), signal.SIGINT)
    finally:
        child.kill()
        child.wait()
    assert interrupt.seen


def test_a_second_ctrl_c_stops_cbc_too() -> None:
    """The second interrupt stops at once, and takes the running solver down with it."""
    import os
    import signal
    import subprocess

    from allocator.backends.pulp_backend import _Interrupt

    interrupt = _Interrupt(child_solver=True)
    child = subprocess.Popen(["sleep", "30"])
    with interrupt.deferred():
        os.kill(os.getpid(), signal.SIGINT)  # noted: the solver answers it
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
    with pytest.raises(ProcessLookupError):
        os.kill(child.pid, 0)
