"""The finishing step every backend ends in: neutral outcomes judged by one set of rules.

No solver runs here: each test hands ``finish`` an ``Outcome`` as a backend would and
checks the status, message, flags, bound and values it gives. The rules are the table
of ``allocator.backends.finish``'s docstring.
"""

from __future__ import annotations

import re
import time

import numpy as np
import pytest
from problems import knapsack, linear

from allocator.backends import SolveOptions, SolveResult, SolveStatus
from allocator.backends.conditions import Condition, Outcome
from allocator.backends.finish import CHECK_SECONDS_WITHOUT_LIMIT, Label, finish
from allocator.model import LinearModel

PLAN = np.array([0.0, 1.0, 0.0, 1.0])
"""The knapsack's optimum, {b, d}, worth 21."""


def _finish(
    outcome: Outcome,
    check: Outcome | None = None,
    model: LinearModel | None = None,
    started: float | None = None,
    note: str = "",
    asked: list[float] | None = None,
    **options: object,
) -> SolveResult:
    """``outcome`` finished for the knapsack (or ``model``); ``check`` answers a re-check,
    whose seconds are added to ``asked``."""

    def recheck(seconds: float) -> Outcome:
        if asked is not None:
            asked.append(seconds)
        assert check is not None, "the re-check was not expected"
        return check

    result = finish(
        knapsack() if model is None else model,
        SolveOptions(**options),  # type: ignore[arg-type]
        outcome,
        label=Label("fake", "solver", "fake 1.0"),
        started=time.perf_counter() if started is None else started,
        recheck=recheck,
        note=note,
    )
    return result


# --- a plan --------------------------------------------------------------------------------


def test_a_claim_of_optimality_without_a_gap_is_a_proof() -> None:
    result = _finish(Outcome(Condition.OPTIMAL, PLAN), relative_gap=0)
    done = result.termination
    assert (done.status, done.objective, done.bound, done.message) == (
        SolveStatus.OPTIMAL,
        21,
        21,
        "",
    )
    assert done.proven_optimal
    assert result.values is PLAN
    assert (done.backend, done.solver, done.solver_version) == ("fake", "solver", "fake 1.0")


def test_the_objective_is_the_solver_s_when_it_gives_one() -> None:
    done = _finish(Outcome(Condition.OPTIMAL, PLAN, objective=20.5), relative_gap=0).termination
    assert done.objective == 20.5


def test_within_a_gap_without_a_bound_is_optimal_not_proven() -> None:
    done = _finish(Outcome(Condition.OPTIMAL, PLAN), relative_gap=0.05).termination
    assert (done.status, done.bound) == (SolveStatus.OPTIMAL, None)
    assert not done.proven_optimal
    assert (
        done.message == "stopped within the allowed relative gap 0.05 (the solver reports no bound)"
    )


def test_within_a_gap_with_a_bound_says_the_gap_achieved() -> None:
    done = _finish(Outcome(Condition.OPTIMAL, PLAN, bound=22.0), relative_gap=0.05).termination
    assert (done.status, done.bound) == (SolveStatus.OPTIMAL, 22.0)
    assert "allowed relative gap 0.05 (achieved 0.0476)" in done.message


def test_a_bound_that_meets_the_objective_is_a_proof_whatever_the_gap() -> None:
    done = _finish(Outcome(Condition.OPTIMAL, PLAN, bound=21.0), relative_gap=0.05).termination
    assert done.proven_optimal
    assert done.message == ""


def test_a_linear_program_without_a_bound_is_proven_optimal() -> None:
    done = _finish(
        Outcome(Condition.OPTIMAL, np.array([3.0, 1.0])), model=linear(), relative_gap=0.05
    ).termination
    assert (done.status, done.objective, done.bound) == (SolveStatus.OPTIMAL, 11, 11)
    assert done.proven_optimal


def test_a_time_limit_with_a_plan_is_feasible_and_says_the_limit() -> None:
    outcome = Outcome(Condition.TIME_LIMIT, PLAN, bound=25.0, said="Stopped on time")
    done = _finish(outcome, time_limit=5).termination
    assert (done.status, done.bound, done.limit_reached, done.interrupted) == (
        SolveStatus.FEASIBLE,
        25.0,
        True,
        False,
    )
    assert (
        done.message == "time limit of 5 s reached before optimality was proven (Stopped on time)"
    )


def test_a_limit_note_replaces_the_time_limit_message() -> None:
    outcome = Outcome(Condition.TIME_LIMIT, PLAN, limit_note="stopped early: try longer")
    done = _finish(outcome, time_limit=5).termination
    assert (done.status, done.message, done.limit_reached) == (
        SolveStatus.FEASIBLE,
        "stopped early: try longer",
        True,
    )


def test_another_limit_with_a_plan_is_feasible_without_the_limit_flag() -> None:
    done = _finish(Outcome(Condition.STOPPED, PLAN, said="iteration limit")).termination
    assert (done.status, done.limit_reached) == (SolveStatus.FEASIBLE, False)
    assert done.message == "stopped before proving optimality (iteration limit)"


# --- no plan -------------------------------------------------------------------------------


def test_a_time_limit_without_a_plan_is_no_solution_and_keeps_the_bound() -> None:
    done = _finish(Outcome(Condition.TIME_LIMIT, bound=30.0), time_limit=2).termination
    assert (done.status, done.objective, done.bound, done.limit_reached) == (
        SolveStatus.NO_SOLUTION,
        None,
        30.0,
        True,
    )
    assert done.message == "time limit of 2 s reached before any plan was found"
    note = _finish(Outcome(Condition.TIME_LIMIT, limit_note="early"), time_limit=2).termination
    assert note.message == "no plan was found: early"


@pytest.mark.parametrize(
    ("outcome", "status", "message"),
    [
        (Outcome(Condition.STOPPED, said="x"), SolveStatus.ERROR, "stopped without a plan (x)"),
        (Outcome(Condition.OPTIMAL, said="x"), SolveStatus.ERROR, "claimed optimality"),
        (Outcome(Condition.INFEASIBLE, said="x"), SolveStatus.INFEASIBLE, "x"),
        (Outcome(Condition.UNBOUNDED, said="x"), SolveStatus.UNBOUNDED, "x"),
        (Outcome(Condition.ERROR, said="it broke"), SolveStatus.ERROR, "it broke"),
        (Outcome(Condition.ERROR), SolveStatus.ERROR, "no usable answer"),
    ],
)
def test_answers_without_a_plan(outcome: Outcome, status: SolveStatus, message: str) -> None:
    result = _finish(outcome)
    done = result.termination
    assert done.status is status
    assert message in done.message
    assert (done.objective, done.bound, result.values) == (None, None, None)
    assert not done.limit_reached


# --- plans that cannot be used -------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (np.array([1.0, 0.0]), "a plan with 2 values for 4 columns"),
        (np.array([np.nan, 1.0, 0.0, np.nan]), r"no value for 2 columns \(x \(2\)\)"),
        (np.array([np.inf, 1.0, 0.0, 1.0]), "not finite"),
    ],
)
def test_unusable_values_are_an_error_even_when_interrupted(
    values: np.ndarray, message: str
) -> None:
    result = _finish(Outcome(Condition.TIME_LIMIT, values, interrupted=True), time_limit=1)
    done = result.termination
    assert done.status is SolveStatus.ERROR
    assert (done.limit_reached, done.interrupted, result.values) == (False, False, None)
    assert re.search(message, done.message), done.message


# --- interrupts ----------------------------------------------------------------------------


def test_an_interrupt_with_a_plan_is_feasible_and_says_so() -> None:
    done = _finish(Outcome(Condition.STOPPED, PLAN, said="ctrl-c", interrupted=True)).termination
    assert (done.status, done.interrupted, done.limit_reached) == (
        SolveStatus.FEASIBLE,
        True,
        False,
    )
    assert done.message == "interrupted before proving optimality (ctrl-c)"


def test_an_interrupt_the_solver_reports_is_the_same() -> None:
    done = _finish(Outcome(Condition.INTERRUPTED, PLAN)).termination
    assert (done.status, done.interrupted) == (SolveStatus.FEASIBLE, True)
    assert done.message == "interrupted before proving optimality"


def test_an_interrupt_without_a_plan_is_no_solution() -> None:
    done = _finish(Outcome(Condition.STOPPED, said="ctrl-c", interrupted=True)).termination
    assert (done.status, done.interrupted) == (SolveStatus.NO_SOLUTION, True)
    assert done.message == "interrupted before any plan was found (ctrl-c)"


def test_an_interrupt_after_a_time_limit_keeps_both_flags() -> None:
    outcome = Outcome(Condition.TIME_LIMIT, PLAN, interrupted=True)
    done = _finish(outcome, time_limit=1).termination
    assert (done.status, done.limit_reached, done.interrupted) == (SolveStatus.FEASIBLE, True, True)
    assert done.message.startswith("interrupted before proving optimality")


def test_an_interrupt_changes_neither_an_optimum_nor_a_proof_of_infeasibility() -> None:
    optimal = _finish(Outcome(Condition.OPTIMAL, PLAN, interrupted=True), relative_gap=0)
    assert (optimal.termination.status, optimal.termination.interrupted) == (
        SolveStatus.OPTIMAL,
        False,
    )
    infeasible = _finish(Outcome(Condition.INFEASIBLE, said="x", interrupted=True)).termination
    assert (infeasible.status, infeasible.message, infeasible.interrupted) == (
        SolveStatus.INFEASIBLE,
        "x",
        True,
    )


# --- infeasible or unbounded: the re-check with a zero objective -------------------------

MAYBE = Outcome(Condition.INFEASIBLE_OR_UNBOUNDED, said="may be unbounded")


@pytest.mark.parametrize(
    ("check", "status", "message"),
    [
        (Outcome(Condition.OPTIMAL, PLAN), SolveStatus.UNBOUNDED, "a plan exists"),
        (Outcome(Condition.TIME_LIMIT, PLAN), SolveStatus.UNBOUNDED, "a plan exists"),
        (Outcome(Condition.INFEASIBLE), SolveStatus.INFEASIBLE, "proved no plan exists"),
        (MAYBE, SolveStatus.INFEASIBLE, "proved no plan exists"),
        (Outcome(Condition.ERROR, said="boom"), SolveStatus.ERROR, "inconclusive (boom)"),
        (Outcome(Condition.OPTIMAL), SolveStatus.ERROR, "inconclusive"),
    ],
)
def test_the_recheck_tells_infeasible_from_unbounded(
    check: Outcome, status: SolveStatus, message: str
) -> None:
    result = _finish(MAYBE, check=check, time_limit=10)
    done = result.termination
    assert done.status is status
    assert done.message.startswith("the solver said infeasible or unbounded (may be unbounded); ")
    assert "check" in done.message
    assert message in done.message
    assert (done.objective, done.bound, result.values, done.limit_reached) == (
        None,
        None,
        None,
        False,
    )


def test_the_recheck_gets_what_is_left_of_the_time_limit() -> None:
    asked: list[float] = []
    started = time.perf_counter() - 4
    _finish(MAYBE, Outcome(Condition.INFEASIBLE), time_limit=10, started=started, asked=asked)
    (seconds,) = asked
    assert 5.5 < seconds <= 6


def test_the_recheck_running_out_of_the_callers_time_is_no_solution() -> None:
    done = _finish(MAYBE, check=Outcome(Condition.TIME_LIMIT), time_limit=10).termination
    assert (done.status, done.limit_reached) == (SolveStatus.NO_SOLUTION, True)
    assert "the time limit ran out checking whether any plan exists" in done.message


def test_without_a_time_limit_the_recheck_has_its_own_and_running_out_is_an_error() -> None:
    asked: list[float] = []
    done = _finish(MAYBE, check=Outcome(Condition.TIME_LIMIT), asked=asked).termination
    assert asked == [CHECK_SECONDS_WITHOUT_LIMIT]
    assert (done.status, done.limit_reached) == (SolveStatus.ERROR, False)
    assert f"could not tell which within {CHECK_SECONDS_WITHOUT_LIMIT:g} s" in done.message


def test_with_no_time_left_there_is_no_recheck() -> None:
    done = _finish(MAYBE, time_limit=1, started=time.perf_counter() - 2).termination  # no check
    assert (done.status, done.limit_reached) == (SolveStatus.NO_SOLUTION, True)
    assert "no time left to check" in done.message


def test_an_interrupted_recheck_that_fails_is_no_solution() -> None:
    outcome = Outcome(Condition.INFEASIBLE_OR_UNBOUNDED, interrupted=True)
    done = _finish(outcome, check=Outcome(Condition.ERROR), time_limit=10).termination
    assert (done.status, done.interrupted) == (SolveStatus.NO_SOLUTION, True)


# --- duals and notes -----------------------------------------------------------------------


def test_duals_are_kept_for_an_optimal_linear_program_only() -> None:
    duals, reduced = np.array([1.0, 2.0]), np.array([0.0, -1.0])
    lp = Outcome(Condition.OPTIMAL, np.array([3.0, 1.0]), duals=duals, reduced_costs=reduced)
    result = _finish(lp, model=linear())
    assert result.duals is duals
    assert result.reduced_costs is reduced
    stopped = _finish(
        Outcome(Condition.TIME_LIMIT, np.array([3.0, 1.0]), duals=duals), model=linear()
    )
    assert stopped.duals is None
    mip = _finish(Outcome(Condition.OPTIMAL, PLAN, duals=np.zeros(1)), relative_gap=0)
    assert mip.duals is None


def test_a_note_is_added_to_the_message() -> None:
    optimal = _finish(Outcome(Condition.OPTIMAL, PLAN), note="n", relative_gap=0).termination
    assert optimal.message == "n"
    done = _finish(Outcome(Condition.STOPPED, PLAN), note="n").termination
    assert done.message == "stopped before proving optimality; n"
