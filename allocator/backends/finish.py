"""The one finishing step: a solver's ``Outcome`` becomes the shared ``SolveResult``.

Every backend ends its ``solve`` here, so every solver's answer is judged by the same
rules (``said`` below is ``Outcome.said``, in parentheses where it is not empty):

==========================================  =========================================
condition, plan                              status, message (flags)
==========================================  =========================================
OPTIMAL, a plan, proven (1)                  OPTIMAL, no message
OPTIMAL, a plan, not proven                  OPTIMAL, "stopped within the allowed
                                             relative gap g (achieved x)"
TIME_LIMIT, a plan                           FEASIBLE, "time limit of t s reached
                                             before optimality was proven (said)", or
                                             the ``limit_note`` (limit_reached)
STOPPED or INTERRUPTED, a plan               FEASIBLE, "stopped before proving
                                             optimality (said)"
TIME_LIMIT, no plan                          NO_SOLUTION, "time limit of t s reached
                                             before any plan was found (said)", or
                                             "no plan was found: " + ``limit_note``
                                             (limit_reached)
STOPPED or INTERRUPTED, no plan              ERROR, "stopped without a plan (said)"
OPTIMAL, no plan                             ERROR
INFEASIBLE / UNBOUNDED                       INFEASIBLE / UNBOUNDED, said
INFEASIBLE_OR_UNBOUNDED                      re-checked (2)
ERROR                                        ERROR, said
a plan the model cannot use (3)              ERROR, what is wrong with it
==========================================  =========================================

Then an interrupt (``Outcome.interrupted``, or the condition INTERRUPTED) turns
FEASIBLE's message into "interrupted before proving optimality (said)" and ERROR into
NO_SOLUTION, "interrupted before any plan was found (said)"; ``interrupted`` is set
unless the status is OPTIMAL. Duals and reduced costs are kept only for an OPTIMAL
linear program.

(1) The solver's claim is a proof when no gap was allowed (``relative_gap`` 0), when
    the bound meets the objective (``CLOSED_GAP``), or, for a linear program, when the
    solver reports no bound. A proven plan without a bound gets the objective as bound.
(2) With a zero objective nothing is unbounded, so the backend solves the same rows
    again with a zero objective (``recheck``), within what is left of the time limit
    (``CHECK_SECONDS_WITHOUT_LIMIT`` when there is none): a plan -> UNBOUNDED;
    infeasible -> INFEASIBLE; the time limit ran out -> NO_SOLUTION (limit_reached),
    and below ``MIN_CHECK_SECONDS`` left it is not tried; the check's own limit ran
    out -> ERROR; anything else -> ERROR. The message says a check was run.
(3) Values of the wrong length, NaN (a column the solver gave no value) or infinite.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from allocator.backends.base import BackendError
from allocator.backends.conditions import Condition, Outcome
from allocator.backends.options import SolveOptions
from allocator.backends.termination import (
    CLOSED_GAP,
    SolveResult,
    SolveStatus,
    Termination,
    relative_gap,
)
from allocator.model.linear import LinearModel, family_counts

MIN_CHECK_SECONDS = 0.05
"""Below this much time left, the infeasible-or-unbounded re-check is not attempted."""

CHECK_SECONDS_WITHOUT_LIMIT = 60.0
"""The re-check's own time limit when the caller set none: CBC, say, can branch for ever
on an infeasible MIP with an unbounded relaxation (2x - 2y = 1 over unbounded integers)
that it first answered at once with "unbounded"."""

Recheck = Callable[[float], Outcome]
"""Solves the same model with a zero objective within the given seconds (the backend's)."""


@dataclass(frozen=True)
class Label:
    """Who solved: the names the ``Termination`` carries."""

    backend: str
    solver: str
    version: str


def refuse_malformed(model: LinearModel, backend: str) -> None:
    """``BackendError`` for what no solver can take (``LinearModel.malformations``).

    A solver would call a NaN bound "infeasible", say, which is not a finding about the case.
    """
    problems = model.malformations()
    if problems:
        raise BackendError(f"the {backend} backend cannot take a model with " + "; ".join(problems))


def ran_out(seconds: float, time_limit: float | None, share: float) -> bool:
    """Whether a call that took ``seconds`` used at least ``share`` of its time limit."""
    return time_limit is not None and seconds >= share * time_limit


def finish(
    model: LinearModel,
    options: SolveOptions,
    outcome: Outcome,
    *,
    label: Label,
    started: float,
    recheck: Recheck,
    note: str = "",
) -> SolveResult:
    """The result of a solve that began at ``started`` (``time.perf_counter``) and whose
    solver call ended in ``outcome`` (the rules in the module docstring). ``note`` is added
    to the message (an option the solver did not apply, say)."""
    verdict = _verdict(model, options, outcome, started, recheck)
    message = verdict.message
    if note:
        message = f"{message}; {note}" if message else note
    status = verdict.status
    termination = Termination(
        status=status,
        objective=verdict.objective,
        bound=verdict.bound,
        seconds=time.perf_counter() - started,
        backend=label.backend,
        solver=label.solver,
        solver_version=label.version,
        message=message,
        limit_reached=verdict.limit_reached,
        interrupted=verdict.interrupted,
        gap_limit=options.relative_gap,
    )
    if status is not SolveStatus.OPTIMAL or model.integer.any():
        return SolveResult(termination, verdict.values if status.has_solution else None)
    return SolveResult(termination, verdict.values, outcome.duals, outcome.reduced_costs)


@dataclass(frozen=True)
class _Verdict:
    status: SolveStatus
    objective: float | None = None
    bound: float | None = None
    values: np.ndarray | None = None
    message: str = ""
    limit_reached: bool = False
    interrupted: bool = False


def _verdict(
    model: LinearModel,
    options: SolveOptions,
    outcome: Outcome,
    started: float,
    recheck: Recheck,
) -> _Verdict:
    condition = outcome.condition
    if condition.searching and outcome.values is not None:
        problem = _unusable(outcome.values, model)
        if problem:
            return _Verdict(SolveStatus.ERROR, message=problem)
        verdict = _with_plan(model, options, outcome, outcome.values)
    elif condition is Condition.INFEASIBLE_OR_UNBOUNDED:
        verdict = _tell_apart(options, outcome, started, recheck)
    else:
        verdict = _without_plan(options, outcome)
    return _interrupts(verdict, outcome)


def _with_plan(
    model: LinearModel, options: SolveOptions, outcome: Outcome, values: np.ndarray
) -> _Verdict:
    objective = outcome.objective
    if objective is None:
        objective = model.objective_value(values)
    bound = outcome.bound
    plan = {"objective": objective, "bound": bound, "values": values}
    if outcome.condition is Condition.OPTIMAL:
        if _proven(model, options, objective, bound):
            return _Verdict(SolveStatus.OPTIMAL, **{**plan, "bound": _or(bound, objective)})
        gap = relative_gap(objective, bound)
        achieved = "the solver reports no bound" if gap is None else f"achieved {gap:.3g}"
        return _Verdict(
            SolveStatus.OPTIMAL,
            message=f"stopped within the allowed relative gap {options.relative_gap:g} "
            f"({achieved})",
            **plan,
        )
    said = _parenthesised(outcome.said)
    if outcome.condition is Condition.TIME_LIMIT:
        message = outcome.limit_note or (
            f"{_time_limit(options)} reached before optimality was proven{said}"
        )
        return _Verdict(SolveStatus.FEASIBLE, message=message, limit_reached=True, **plan)
    return _Verdict(
        SolveStatus.FEASIBLE, message=f"stopped before proving optimality{said}", **plan
    )


def _without_plan(options: SolveOptions, outcome: Outcome) -> _Verdict:
    condition, said = outcome.condition, _parenthesised(outcome.said)
    if condition is Condition.TIME_LIMIT:
        if outcome.limit_note:
            message = f"no plan was found: {outcome.limit_note}"
        else:
            message = f"{_time_limit(options)} reached before any plan was found{said}"
        return _Verdict(
            SolveStatus.NO_SOLUTION, bound=outcome.bound, message=message, limit_reached=True
        )
    if condition in (Condition.STOPPED, Condition.INTERRUPTED):
        return _Verdict(SolveStatus.ERROR, message=f"stopped without a plan{said}")
    if condition is Condition.OPTIMAL:
        return _Verdict(
            SolveStatus.ERROR, message=f"the solver claimed optimality but gave no plan{said}"
        )
    if condition is Condition.INFEASIBLE:
        return _Verdict(SolveStatus.INFEASIBLE, message=outcome.said)
    if condition is Condition.UNBOUNDED:
        return _Verdict(SolveStatus.UNBOUNDED, message=outcome.said)
    return _Verdict(SolveStatus.ERROR, message=outcome.said or "the solver gave no usable answer")


def _tell_apart(
    options: SolveOptions, outcome: Outcome, started: float, recheck: Recheck
) -> _Verdict:
    """Infeasible or unbounded: a zero objective cannot be unbounded, so solve that."""
    said = f"the solver said infeasible or unbounded{_parenthesised(outcome.said)}"
    own_limit = options.time_limit is None
    if options.time_limit is None:
        seconds = CHECK_SECONDS_WITHOUT_LIMIT
    else:
        seconds = options.time_limit - (time.perf_counter() - started)
        if seconds < MIN_CHECK_SECONDS:
            return _Verdict(
                SolveStatus.NO_SOLUTION,
                message=f"{said}; no time left to check whether any plan exists",
                limit_reached=True,
            )
    check = recheck(seconds)
    if check.condition.searching and check.values is not None:
        return _Verdict(
            SolveStatus.UNBOUNDED,
            message=f"{said}; a plan exists (found by a check with a zero objective), "
            "so it is unbounded",
        )
    if check.condition in (Condition.INFEASIBLE, Condition.INFEASIBLE_OR_UNBOUNDED):
        return _Verdict(
            SolveStatus.INFEASIBLE,
            message=f"{said}; a check with a zero objective proved no plan exists",
        )
    if check.condition is Condition.TIME_LIMIT and own_limit:
        return _Verdict(
            SolveStatus.ERROR,
            message=f"{said}; could not tell which within {CHECK_SECONDS_WITHOUT_LIMIT:g} s",
        )
    if check.condition is Condition.TIME_LIMIT:
        return _Verdict(
            SolveStatus.NO_SOLUTION,
            message=f"{said}; the time limit ran out checking whether any plan exists",
            limit_reached=True,
        )
    return _Verdict(
        SolveStatus.ERROR,
        message=f"{said}; the check for any plan was inconclusive{_parenthesised(check.said)}",
    )


def _interrupts(verdict: _Verdict, outcome: Outcome) -> _Verdict:
    """An interrupted solve: its plan, not proven optimal, or no plan at all."""
    if not (outcome.interrupted or outcome.condition is Condition.INTERRUPTED):
        return verdict
    said = _parenthesised(outcome.said)
    if verdict.status is SolveStatus.FEASIBLE:
        verdict = replace(verdict, message=f"interrupted before proving optimality{said}")
    elif verdict.status is SolveStatus.ERROR:
        verdict = replace(
            verdict,
            status=SolveStatus.NO_SOLUTION,
            message=f"interrupted before any plan was found{said}",
        )
    return replace(verdict, interrupted=verdict.status is not SolveStatus.OPTIMAL)


def _proven(
    model: LinearModel, options: SolveOptions, objective: float, bound: float | None
) -> bool:
    """Whether a solver's claim of optimality is a proof (rule (1) of the module docstring)."""
    if options.relative_gap == 0:
        return True
    if bound is None:
        return not model.integer.any()
    return abs(bound - objective) <= CLOSED_GAP * max(1.0, abs(objective))


def _unusable(values: np.ndarray, model: LinearModel) -> str:
    """Why the solver's values cannot be the model's plan; empty if they can."""
    if values.shape != (model.num_variables,):
        return (
            f"the solver reported a plan with {values.size} values for "
            f"{model.num_variables} columns"
        )
    missing = np.flatnonzero(np.isnan(values))
    if missing.size:
        return (
            f"the solver returned no value for {missing.size} columns "
            f"({family_counts(missing, model.variables)})"
        )
    if not np.all(np.isfinite(values)):
        return "the solver returned values that are not finite"
    return ""


def _time_limit(options: SolveOptions) -> str:
    limit = options.time_limit
    return "time limit" if limit is None else f"time limit of {limit:g} s"


def _parenthesised(said: str) -> str:
    return f" ({said})" if said else ""


def _or(value: float | None, default: float) -> float:
    return default if value is None else value
