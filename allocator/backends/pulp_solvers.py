"""The solvers behind the PuLP backend: what each declares, and how its answer is read.

=====================  ================================  ================================
name here              PuLP solver                       condition, bound and version from
=====================  ================================  ================================
``cbc`` (default)      ``PULP_CBC_CMD`` (bundled CBC)    PuLP's status pair and CBC's log
``highs``              ``HiGHS`` (the highspy API)       the ``highspy.Highs`` PuLP keeps
any other name PuLP    ``pulp.getSolver(name)``          PuLP's status pair only
reports available
=====================  ================================  ================================

Each reader turns one call's answer into an ``Outcome`` (without values, which the
backend reads from its variables) and says whether the solver has a plan.

Bound. PuLP itself reports no dual bound. ``highs``: HiGHS's ``mip_dual_bound`` (sign
and offset restored). ``cbc``: the ``Lower bound:`` / ``Upper bound:`` line CBC's log
prints when it stops short of optimality; CBC prints it with three decimals, so it is
widened by 0.0005 in the safe direction (not read with ``verbose``: the log then goes
to the terminal).

CBC 2.10 can say "Stopped on time limit" well before the limit (it counts its
preprocessing time twice). When the wall clock around the call is below
``CBC_EARLY_SHARE`` (90%) of the limit, the message says so and suggests a longer one
(``Outcome.limit_note``); the condition stays the time limit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import pulp

from allocator.backends.capabilities import GENERAL, Capabilities, Feature
from allocator.backends.conditions import HIGHS_CONDITIONS, Condition, Outcome
from allocator.model.linear import LinearModel

Reader = Callable[[pulp.LpProblem, LinearModel, "float | None", str, float], tuple[Outcome, bool]]
"""(problem, model, time limit, CBC's log, wall-clock seconds) -> (outcome, has a plan)."""

CBC_BOUND_ROUNDING = 5e-4
"""CBC prints its bound with three decimals: half a unit in the last place."""

CBC_EARLY_SHARE = 0.9
"""CBC saying it stopped on its time limit before this share of the limit had passed on
the wall clock is CBC's timing fault, and the message says so."""


def read_pulp(
    problem: pulp.LpProblem,
    model: LinearModel,
    time_limit: float | None,
    log: str = "",
    seconds: float = 0.0,
) -> tuple[Outcome, bool]:
    """PuLP's own status pair, for solvers this backend cannot read more closely.

    ========================================  ===================================
    ``problem.status`` / ``sol_status``       condition, plan
    ========================================  ===================================
    Optimal / Optimal Solution Found          OPTIMAL, a plan
    any / Solution Found                      stopped (1), a plan
    Not Solved / anything else                stopped (1), no plan
    Infeasible                                INFEASIBLE
    Unbounded                                 INFEASIBLE_OR_UNBOUNDED (re-checked)
    Undefined, or Optimal without a solution  ERROR
    ========================================  ===================================

    (1) TIME_LIMIT when a time limit was set (PuLP gives no finer reason), else STOPPED.
    """
    status, solution = problem.status, problem.sol_status
    said = f"PuLP: {pulp.LpStatus[status]} / {pulp.LpSolution.get(solution, solution)}"
    stopped = Condition.STOPPED if time_limit is None else Condition.TIME_LIMIT
    if status == pulp.LpStatusOptimal and solution == pulp.LpSolutionOptimal:
        return Outcome(Condition.OPTIMAL, said=said), True
    if solution == pulp.LpSolutionIntegerFeasible:
        return Outcome(stopped, said=said), True
    table = {
        pulp.LpStatusNotSolved: stopped,
        pulp.LpStatusInfeasible: Condition.INFEASIBLE,
        pulp.LpStatusUnbounded: Condition.INFEASIBLE_OR_UNBOUNDED,
    }
    return Outcome(table.get(status, Condition.ERROR), said=said), False


_CBC_RESULT = re.compile(r"^Result - (.*)$", re.MULTILINE)
_CBC_BOUND = re.compile(r"^(Lower|Upper) bound:\s+(\S+)\s*$", re.MULTILINE)
_CBC_VERSION = re.compile(r"^Version:\s*(\S+)", re.MULTILINE)


def read_cbc(
    problem: pulp.LpProblem,
    model: LinearModel,
    time_limit: float | None,
    log: str,
    seconds: float,
) -> tuple[Outcome, bool]:
    """PuLP's reading of CBC's solution file, with the stop reason ("Result - Stopped on
    time limit": TIME_LIMIT, any other stop: STOPPED), bound and version from CBC's log
    when there is one; ``seconds`` is the wall clock of the call."""
    outcome, plan = read_pulp(problem, model, time_limit)
    result = _CBC_RESULT.search(log)
    version = _CBC_VERSION.search(log)
    condition = outcome.condition
    if result and condition in (Condition.TIME_LIMIT, Condition.STOPPED):
        condition = Condition.TIME_LIMIT if "time" in result.group(1) else Condition.STOPPED
    limit = condition is Condition.TIME_LIMIT
    outcome = replace(
        outcome,
        condition=condition,
        bound=cbc_bound(log, model),
        said=f"CBC: {result.group(1)}" if result else outcome.said,
        version=f"CBC {version.group(1)}" if version else "CBC",
        limit_note=cbc_early_stop(seconds, time_limit) if limit else "",
    )
    return outcome, plan


def cbc_early_stop(seconds: float, time_limit: float | None) -> str:
    """What to say when CBC stopped on its time limit after ``seconds`` of wall clock, if
    that is short of ``CBC_EARLY_SHARE`` of the limit; empty otherwise.

    CBC 2.10 counts the time of its preprocessing twice, so it can stop "on its time
    limit" well before the limit; a longer limit then gives it the time asked for.
    """
    if time_limit is None or seconds >= CBC_EARLY_SHARE * time_limit:
        return ""
    return (
        f"CBC stopped on its time limit after {seconds:.1f} s of wall clock, short of the "
        f"{time_limit:g} s limit (a known CBC timing fault: it counts preprocessing time "
        "twice); try a longer --time-limit"
    )


def cbc_bound(log: str, model: LinearModel) -> float | None:
    """The bound line of CBC's log in the model's terms, widened for CBC's rounding."""
    found = _CBC_BOUND.search(log)
    if not found:
        return None
    side, text = found.groups()
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value) or (side == "Upper") != model.maximize:
        return None
    widen = CBC_BOUND_ROUNDING if model.maximize else -CBC_BOUND_ROUNDING
    return value + widen + model.objective_offset


def read_highs(
    problem: pulp.LpProblem,
    model: LinearModel,
    time_limit: float | None = None,
    log: str = "",
    seconds: float = 0.0,
) -> tuple[Outcome, bool]:
    """HiGHS's own model status (``HIGHS_CONDITIONS``) and bound, from the ``highspy.Highs``
    PuLP keeps. A plan exists when ``primal_solution_status`` is feasible. The bound is
    ``mip_dual_bound`` for models with integer columns (PuLP hands HiGHS a minimisation,
    negated for a maximisation, without the offset; both are undone here)."""
    import highspy

    highs = problem.solverModel
    status = highs.getModelStatus()
    info = highs.getInfo()
    feasible = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    bound = None
    if model.integer.any() and math.isfinite(info.mip_dual_bound):
        sign = -1.0 if model.maximize else 1.0
        bound = sign * info.mip_dual_bound + model.objective_offset
    condition = HIGHS_CONDITIONS.get(status.name, Condition.ERROR)
    if status.name == "kUnbounded" and feasible:
        condition = Condition.UNBOUNDED
    said = f"HiGHS: {highs.modelStatusToString(status)}"
    outcome = Outcome(condition, bound=bound, said=said, version=f"HiGHS {highs.version()}")
    return outcome, feasible and condition.searching


@dataclass(frozen=True)
class PulpSolver:
    """One solver behind PuLP: its PuLP name, what it declares and how it is read."""

    pulp_name: str
    capabilities: Capabilities
    read: Reader
    child_process: bool = False
    """Runs as a child process that hears Ctrl-C itself (see ``pulp_backend._Interrupt``)."""
    exact_gap: bool = False
    """Given an absolute gap of 0 with a relative gap of 0 (CBC's and HiGHS's defaults of
    1e-10 and 1e-6 would otherwise let them stop short of a proof)."""


_DUAL_MIP = frozenset(
    {Feature.INTEGERS, Feature.CONTINUOUS, Feature.DUALS, Feature.BOUND, Feature.THREADS}
)

SOLVERS: dict[str, PulpSolver] = {
    "cbc": PulpSolver(
        "PULP_CBC_CMD",
        Capabilities(_DUAL_MIP | {Feature.INTERRUPT}, max_dual_sign=1.0),
        read_cbc,
        child_process=True,
        exact_gap=True,
    ),
    "highs": PulpSolver(
        "HiGHS", Capabilities(_DUAL_MIP, max_dual_sign=-1.0), read_highs, exact_gap=True
    ),
}
"""Our name -> the solvers this backend reads closely, in the order they are listed. CBC
reports duals as d objective / d bound for a maximisation; PuLP's HiGHS, their negative."""

CAPABILITIES: dict[str, Capabilities] = {name: spec.capabilities for name, spec in SOLVERS.items()}


def solver_spec(name: str) -> PulpSolver:
    """The spec of ``name``: declared, or any other PuLP solver read by PuLP's status pair."""
    return SOLVERS.get(name) or PulpSolver(name, GENERAL, read_pulp)
