"""The OR-Tools backend on every solver it finds: known answers, refusals, limits and gaps.

Each model's answer is derived by hand beside it in ``problems.py`` (or by brute force). Whether a
solver must refuse a model is read from its declared ``Capabilities``, not written per test.
Every plan returned goes through ``model.violations`` and must reproduce the
reported objective.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from declared import expected_refusal
from problems import (
    brute_force_best,
    empty_with_offset,
    free_columns,
    ids,
    infeasible,
    integer_equality_row,
    light_knapsack,
    linear,
    minimum_with_offset,
    multidimensional_knapsack,
    unbounded,
)

from allocator.backends import BackendError, SolveOptions, SolveResult, SolveStatus, Termination
from allocator.backends import ortools_backend as ob
from allocator.backends.capabilities import Feature
from allocator.backends.conditions import Condition, Outcome
from allocator.backends.finish import Label, finish
from allocator.backends.ortools_backend import Answer, OrToolsBackend, read_answer
from allocator.backends.ortools_solvers import (
    CONDITIONS,
    CP_SAT_MAX_BOUND,
    SOLVERS,
    OrToolsStatus,
    solver_parameters,
)
from allocator.model import LinearModel, ModelBuilder

BACKEND = OrToolsBackend()
AVAILABLE = BACKEND.available_solvers()
every_solver = pytest.mark.parametrize("solver", AVAILABLE)
every_mip_solver = pytest.mark.parametrize(
    "solver", [name for name in AVAILABLE if SOLVERS[name].capabilities.supports(Feature.INTEGERS)]
)


# --- helpers -----------------------------------------------------------------------------


def _solve(model: LinearModel, solver: str, **options: object) -> SolveResult | None:
    """Solve, or check the refusal the spec promises (then None); check any plan returned."""
    options.setdefault("relative_gap", 0.0)  # known answers: prove them
    solve_options = SolveOptions(solver=solver, **options)  # type: ignore[arg-type]
    refusal = expected_refusal(SOLVERS[solver].capabilities, model)
    if refusal is not None:
        with pytest.raises(BackendError, match=refusal):
            BACKEND.solve(model, solve_options)
        return None
    result = BACKEND.solve(model, solve_options)
    termination = result.termination
    assert (termination.backend, termination.solver) == ("ortools", solver)
    assert termination.seconds >= 0
    assert solver in termination.solver_version
    if termination.status.has_solution:
        assert result.values is not None
        assert result.values.shape == (model.num_variables,)
        assert model.violations(result.values) == []
        assert termination.objective == pytest.approx(
            model.objective_value(result.values), rel=1e-9, abs=1e-6
        )
    else:
        assert result.values is None
        assert termination.objective is None
    return result


def _assert_optimal(result: SolveResult | None, objective: float, values: list[float]) -> None:
    if result is None:  # refused, as the spec says it must be
        return
    termination = result.termination
    assert termination.status is SolveStatus.OPTIMAL, termination.message
    assert termination.objective == pytest.approx(objective, abs=1e-6)
    assert result.values == pytest.approx(values, abs=1e-6)
    assert termination.gap in (None, pytest.approx(0, abs=1e-9))
    assert not termination.limit_reached


# --- known answers -----------------------------------------------------------------------


def test_the_four_solvers_are_known_and_scip_is_the_default() -> None:
    assert list(SOLVERS) == ["scip", "highs", "cp-sat", "glop"]
    assert BACKEND.name == "ortools"
    assert BACKEND.default_solver == "scip"
    assert set(AVAILABLE) <= set(SOLVERS)


def test_cp_sat_bound_limit_is_cp_sat_s_own_default() -> None:
    from ortools.sat import sat_parameters_pb2

    assert sat_parameters_pb2.SatParameters().mip_max_bound == CP_SAT_MAX_BOUND


@every_solver
def test_knapsack(solver: str) -> None:
    _assert_optimal(_solve(light_knapsack(), solver), 23, [1, 1, 0, 0])


def test_default_solver_is_used_when_none_is_named() -> None:
    result = BACKEND.solve(light_knapsack(), SolveOptions())
    assert result.termination.solver == "scip"
    _assert_optimal(result, 23, [1, 1, 0, 0])


@every_solver
def test_linear_program(solver: str) -> None:
    result = _solve(linear(x_max=3.5), solver)
    _assert_optimal(result, 11.5, [3.5, 0.5])
    if result is not None:
        assert result.termination.bound == pytest.approx(11.5, abs=1e-9)


@every_solver
@pytest.mark.parametrize("integer", [True, False], ids=["integer", "continuous"])
def test_infeasible(solver: str, integer: bool) -> None:
    result = _solve(infeasible(integer), solver)
    if result is not None:
        assert result.termination.status is SolveStatus.INFEASIBLE, result.termination.message
        assert result.termination.bound is None


@every_solver
@pytest.mark.parametrize("integer", [True, False], ids=["integer", "continuous"])
def test_unbounded(solver: str, integer: bool) -> None:
    result = _solve(unbounded(integer), solver)
    if result is not None:
        assert result.termination.status is SolveStatus.UNBOUNDED, result.termination.message


@every_solver
def test_minimum_with_offset(solver: str) -> None:
    _assert_optimal(_solve(minimum_with_offset(x_max=3, offset=10), solver), 19, [3, 1])


@every_solver
def test_equality_row(solver: str) -> None:
    _assert_optimal(_solve(integer_equality_row(), solver), 5, [3, 2, 0])


@every_solver
@pytest.mark.parametrize("integer", [True, False], ids=["integer", "continuous"])
def test_free_columns(solver: str, integer: bool) -> None:
    expected = ([-7, 2], -9) if integer else ([-7.5, 2.25], -9.75)
    _assert_optimal(_solve(free_columns(integer), solver), expected[1], expected[0])


@every_solver
def test_negative_finite_bounds(solver: str) -> None:
    _assert_optimal(_solve(free_columns(True, lower=-20, upper=20), solver), -9, [-7, 2])


@every_solver
def test_empty_model_is_its_offset(solver: str) -> None:
    _assert_optimal(_solve(empty_with_offset(), solver), 4.5, [])


@every_mip_solver
def test_brute_forced_knapsack(solver: str) -> None:
    model = multidimensional_knapsack(items=14, dimensions=2, seed=3)
    best = brute_force_best(model)
    result = _solve(model, solver)
    assert result is not None
    assert result.termination.status is SolveStatus.OPTIMAL
    assert result.termination.objective == pytest.approx(best, abs=1e-6)


# --- refusals ----------------------------------------------------------------------------


def test_unknown_solver_lists_the_available_ones() -> None:
    with pytest.raises(BackendError, match="unknown") as error:
        BACKEND.solve(light_knapsack(), SolveOptions(solver="gurobi"))
    for solver in AVAILABLE:
        assert solver in str(error.value)


def test_unavailable_solver_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ob, "_is_supported", lambda name: name != "highs")
    with pytest.raises(BackendError, match=r"not available.*available: scip, cp-sat"):
        BACKEND.solve(light_knapsack(), SolveOptions(solver="highs"))


@pytest.mark.skipif("cp-sat" not in AVAILABLE, reason="cp-sat not available")
def test_cp_sat_names_the_continuous_families() -> None:
    with pytest.raises(BackendError, match=r"cp-sat solves integer-only.*2 continuous.*v \(2\)"):
        BACKEND.solve(linear(x_max=3.5), SolveOptions(solver="cp-sat"))


@pytest.mark.skipif("cp-sat" not in AVAILABLE, reason="cp-sat not available")
def test_cp_sat_refuses_bounds_it_would_clamp() -> None:
    """CP-SAT would call 2e7 optimal here (both columns clamped to 1e7); the truth is 1e8."""
    builder = ModelBuilder(maximize=True)
    v = builder.add_variables("big", ids(2), upper=6e7, integer=True)
    builder.add_rows("r", ids(1), [0, 0], v, 1, upper=1e8)
    builder.add_objective(v, 1)
    with pytest.raises(BackendError, match=r"clamps column bounds.*big \(2\)"):
        BACKEND.solve(builder.build(), SolveOptions(solver="cp-sat"))


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("upper", np.array([1.0, np.nan, 1.0, 1.0]), "NaN in its column upper bounds"),
        ("objective", np.array([1.0, np.inf, 1.0, 1.0]), "infinite coefficient"),
        ("lower", np.array([np.inf, 0.0, 0.0, 0.0]), r"impossible infinite bound: take \(1\)"),
    ],
)
def test_malformed_models_are_refused(field: str, value: np.ndarray, match: str) -> None:
    model = light_knapsack()
    broken = LinearModel(**{**model.__dict__, field: value})
    with pytest.raises(BackendError, match=match):
        BACKEND.solve(broken, SolveOptions())


# --- options -----------------------------------------------------------------------------


SCIP_FIXED = "numerics/feastol = 1e-8\nseparating/aggregation/maxroundsroot = 3"


@pytest.mark.parametrize(
    ("solver", "options", "expected"),
    [
        ("scip", SolveOptions(), f"limits/gap = 0.0001\n{SCIP_FIXED}"),
        ("scip", SolveOptions(relative_gap=0), f"limits/gap = 0.0\n{SCIP_FIXED}"),
        (
            "scip",
            SolveOptions(relative_gap=0.05, threads=4),
            f"limits/gap = 0.05\n{SCIP_FIXED}",
        ),
        ("highs", SolveOptions(relative_gap=0), "output_flag=false\nmip_rel_gap=0.0"),
        ("highs", SolveOptions(relative_gap=1e-5, verbose=True), "mip_rel_gap=1e-05"),
        ("cp-sat", SolveOptions(relative_gap=0), "relative_gap_limit:0.0"),
        (
            "cp-sat",
            SolveOptions(relative_gap=0.05, threads=2),
            "relative_gap_limit:0.05 num_workers:2",
        ),
    ],
)
def test_parameter_strings(solver: str, options: SolveOptions, expected: str) -> None:
    assert solver_parameters(SOLVERS[solver], options) == expected


@every_mip_solver
def test_threads_and_verbose_off(solver: str, capfd: pytest.CaptureFixture[str]) -> None:
    result = _solve(light_knapsack(), solver, threads=2)
    _assert_optimal(result, 23, [1, 1, 0, 0])
    assert capfd.readouterr().out == ""  # nothing on standard output (HiGHS's banner)
    assert result is not None
    message = result.termination.message
    if not SOLVERS[solver].capabilities.supports(Feature.THREADS):
        assert "threads=2 not applied" in message
    else:
        assert message == ""


@pytest.mark.skipif("scip" not in AVAILABLE, reason="scip not available")
def test_one_thread_is_what_scip_does_anyway() -> None:
    result = BACKEND.solve(light_knapsack(), SolveOptions(solver="scip", threads=1))
    assert result.termination.message == ""


# --- limits and gaps ---------------------------------------------------------------------


@every_mip_solver
def test_time_limit_never_claims_unproven_optimality(solver: str) -> None:
    model = multidimensional_knapsack(items=60, dimensions=5, seed=7)
    result = _solve(model, solver, time_limit=0.05)
    assert result is not None
    termination = result.termination
    if termination.status is SolveStatus.OPTIMAL:
        assert termination.gap == pytest.approx(0, abs=1e-9)
        assert not termination.limit_reached
    else:
        assert termination.status in (SolveStatus.FEASIBLE, SolveStatus.NO_SOLUTION)
        assert termination.limit_reached, termination.message
        assert "time limit" in termination.message
    if termination.status is SolveStatus.FEASIBLE and termination.bound is not None:
        assert termination.bound >= termination.objective - 1e-6  # a max problem


@every_mip_solver
@pytest.mark.parametrize("items", [14, 60])
def test_positive_gap_is_optimal_within_it_and_proven_once_closed(solver: str, items: int) -> None:
    gap = 0.05
    model = multidimensional_knapsack(items=items, dimensions=5 if items == 60 else 2, seed=7)
    result = _solve(model, solver, relative_gap=gap, time_limit=5)
    assert result is not None
    termination = result.termination
    assert termination.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert termination.gap_limit == gap
    if termination.proven_optimal:
        assert termination.gap == pytest.approx(0, abs=1e-9)
    elif termination.status is SolveStatus.OPTIMAL and termination.bound is not None:
        assert termination.gap <= gap * 1.01  # solvers measure the gap slightly differently
    if items == 14:
        best = brute_force_best(model)
        assert best / (1 + gap) - 1e-6 <= termination.objective <= best + 1e-6


# --- reading OR-Tools answers through the table and the finishing step (no solver needed) ---


def _answer(
    status: OrToolsStatus,
    text: str = "",
    *,
    plan: bool = False,
    bound: float | None = None,
    seconds: float = 0.01,
    time_limit: float | None = None,
) -> Answer:
    return Answer(
        status=status,
        status_string=text,
        has_response=True,
        seconds=seconds,
        time_limit=time_limit,
        objective=23.0 if plan else None,
        bound=bound if plan else None,
        values=np.array([1.0, 1.0, 0.0, 0.0]) if plan else None,
    )


def _read(
    spec: str, answer: Answer, recheck: Answer | None = None, **options: object
) -> Termination:
    """The termination ``answer`` finishes in; ``recheck`` answers the zero-objective check."""

    def check(seconds: float) -> Outcome:
        assert recheck is not None, "the re-check was not expected"
        return read_answer(SOLVERS[spec], recheck)

    result = finish(
        light_knapsack(),
        SolveOptions(**{"relative_gap": 0.0, **options}),  # type: ignore[arg-type]
        read_answer(SOLVERS[spec], answer),
        label=Label("ortools", spec, "test"),
        started=time.perf_counter(),
        recheck=check,
    )
    return result.termination


MAYBE = "The model may actually be unbounded: SCIP returned SCIP_STATUS_INFORUNBD"


@pytest.mark.parametrize("status", list(OrToolsStatus.__members__.values()))
def test_every_ortools_status_has_a_condition(status: OrToolsStatus) -> None:
    """The table, with OR-Tools' statuses not in it read as errors."""
    plan = status in (OrToolsStatus.OPTIMAL, OrToolsStatus.FEASIBLE)
    answer = _answer(status, plan=plan, seconds=1, time_limit=1)  # the limit ran out
    assert read_answer(SOLVERS["scip"], answer).condition is CONDITIONS.get(status, Condition.ERROR)


def test_glop_says_infeasible_for_unbounded_too() -> None:
    outcome = read_answer(SOLVERS["glop"], _answer(OrToolsStatus.INFEASIBLE))
    assert outcome.condition is Condition.INFEASIBLE_OR_UNBOUNDED
    assert read_answer(SOLVERS["scip"], _answer(OrToolsStatus.INFEASIBLE)).condition is (
        Condition.INFEASIBLE
    )


def test_infeasible_or_unbounded_with_a_plan_is_unbounded() -> None:
    termination = _read(
        "scip",
        _answer(OrToolsStatus.INFEASIBLE, MAYBE),
        _answer(OrToolsStatus.OPTIMAL, plan=True),
    )
    assert termination.status is SolveStatus.UNBOUNDED
    assert "zero objective" in termination.message


def test_infeasible_or_unbounded_without_a_plan_is_infeasible() -> None:
    termination = _read(
        "scip", _answer(OrToolsStatus.INFEASIBLE, MAYBE), _answer(OrToolsStatus.INFEASIBLE, MAYBE)
    )
    assert termination.status is SolveStatus.INFEASIBLE


def test_infeasible_or_unbounded_out_of_time_is_no_solution() -> None:
    termination = _read(
        "cp-sat",
        _answer(OrToolsStatus.UNKNOWN_STATUS, "infeasible or unbounded"),
        _answer(OrToolsStatus.UNKNOWN_STATUS, seconds=5, time_limit=5),
        time_limit=5,
    )
    assert (termination.status, termination.limit_reached) == (SolveStatus.NO_SOLUTION, True)


def test_infeasible_or_unbounded_with_no_time_left_is_not_rechecked() -> None:
    result = finish(
        light_knapsack(),
        SolveOptions(time_limit=1.0),
        read_answer(SOLVERS["cp-sat"], _answer(OrToolsStatus.UNKNOWN_STATUS, "unbounded")),
        label=Label("ortools", "cp-sat", "test"),
        started=time.perf_counter() - 2.0,  # the limit is already spent
        recheck=lambda seconds: pytest.fail("no re-check without time left"),
    )
    assert (result.termination.status, result.termination.limit_reached) == (
        SolveStatus.NO_SOLUTION,
        True,
    )


def test_not_solved_within_the_limit_is_no_solution() -> None:
    answer = _answer(
        OrToolsStatus.UNKNOWN_STATUS, "Warning HiGHS run()", seconds=0.05, time_limit=0.05
    )
    termination = _read("highs", answer, time_limit=0.05)
    assert (termination.status, termination.limit_reached) == (SolveStatus.NO_SOLUTION, True)


def test_not_solved_before_the_limit_is_an_error() -> None:
    answer = _answer(OrToolsStatus.NOT_SOLVED, "Error running HiGHS run()", time_limit=10)
    termination = _read("highs", answer, time_limit=10)
    assert termination.status is SolveStatus.ERROR
    assert "NOT_SOLVED: Error running HiGHS run()" in termination.message


@pytest.mark.parametrize(
    "status",
    [OrToolsStatus.ABNORMAL, OrToolsStatus.MODEL_INVALID, OrToolsStatus.INVALID_SOLVER_PARAMETERS],
)
def test_solver_failures_are_errors_with_their_text(status: OrToolsStatus) -> None:
    termination = _read("scip", _answer(status, "what went wrong"))
    assert termination.status is SolveStatus.ERROR
    assert status.name in termination.message
    assert "what went wrong" in termination.message


def test_a_plan_status_without_values_is_an_error() -> None:
    termination = _read("scip", _answer(OrToolsStatus.OPTIMAL))
    assert termination.status is SolveStatus.ERROR
    assert "no values" in termination.message


def test_no_response_is_an_error() -> None:
    answer = Answer(OrToolsStatus.NOT_SOLVED, "", has_response=False, seconds=0, time_limit=None)
    termination = _read("scip", answer)
    assert termination.status is SolveStatus.ERROR
    assert "gave no answer" in termination.message


def test_optimal_within_a_positive_gap_is_optimal_not_proven() -> None:
    termination = _read(
        "scip", _answer(OrToolsStatus.OPTIMAL, plan=True, bound=24.0), relative_gap=0.05
    )
    assert termination.status is SolveStatus.OPTIMAL
    assert not termination.proven_optimal
    assert termination.bound == 24.0
    assert "allowed relative gap 0.05 (achieved 0.0435)" in termination.message


def test_optimal_with_a_closed_gap_is_optimal_whatever_gap_was_allowed() -> None:
    termination = _read(
        "scip", _answer(OrToolsStatus.OPTIMAL, plan=True, bound=23.0), relative_gap=0.05
    )
    assert termination.status is SolveStatus.OPTIMAL
    assert termination.proven_optimal


def test_highs_copied_bound_is_dropped_unless_optimality_is_proven() -> None:
    """OR-Tools copies HiGHS's objective into the bound: for a MIP it proves nothing."""
    proven = _read("highs", _answer(OrToolsStatus.OPTIMAL, plan=True, bound=23.0))
    assert (proven.status, proven.bound) == (SolveStatus.OPTIMAL, 23.0)
    within_gap = _read(
        "highs", _answer(OrToolsStatus.OPTIMAL, plan=True, bound=23.0), relative_gap=0.05
    )
    assert (within_gap.status, within_gap.bound) == (SolveStatus.OPTIMAL, None)
    assert "the solver reports no bound" in within_gap.message
    timed_out = _read(
        "highs",
        _answer(OrToolsStatus.FEASIBLE, plan=True, bound=23.0, seconds=1.0, time_limit=1.0),
        time_limit=1.0,
    )
    assert (timed_out.status, timed_out.bound, timed_out.limit_reached) == (
        SolveStatus.FEASIBLE,
        None,
        True,
    )


def test_feasible_without_a_time_limit_is_an_interrupt() -> None:
    """With no limit and no gap, only Ctrl-C stops SCIP short of a proof (it catches it)."""
    termination = _read("scip", _answer(OrToolsStatus.FEASIBLE, plan=True, bound=25.0))
    assert (termination.status, termination.limit_reached) == (SolveStatus.FEASIBLE, False)
    assert termination.interrupted
    assert "interrupted before proving optimality" in termination.message


@pytest.mark.parametrize(("seconds", "limit"), [(0.49, False), (0.5, True)])
def test_a_plan_after_half_the_limit_was_stopped_by_it(seconds: float, limit: bool) -> None:
    answer = _answer(OrToolsStatus.FEASIBLE, plan=True, bound=25.0, seconds=seconds, time_limit=1)
    termination = _read("scip", answer, time_limit=1.0)
    assert (termination.limit_reached, termination.interrupted) == (limit, not limit)
