"""The PuLP backend: a ``LinearModel`` as a ``pulp.LpProblem``, solved by CBC, HiGHS or any
solver PuLP finds on the machine.

Translation
-----------
Column j becomes ``x{j}`` (bounds ±inf become PuLP's ``None``; integer columns
``LpInteger``); row i becomes ``r{i}``:

===========================  ================================  ================================
name here              PuLP solver                       bound and version read from
=====================  ================================  ================================
``cbc`` (default)      ``PULP_CBC_CMD`` (bundled CBC)    CBC's log (see below)
``highs``              ``HiGHS`` (the highspy API)       the ``highspy.Highs`` PuLP keeps
any other name PuLP    ``pulp.getSolver(name)``          nothing: PuLP's status only
reports available
=====================  ================================  ================================

An unknown or unavailable name raises ``BackendError`` listing the available ones;
nothing ever falls back to another solver.

Options
-------
``time_limit`` -> ``timeLimit`` (wall-clock seconds; CBC ``-sec`` with
``timeMode elapsed``, HiGHS ``time_limit``); ``relative_gap`` -> ``gapRel`` (CBC
``-ratio``, HiGHS ``mip_rel_gap``); with a relative gap of 0 the absolute gap is set
to 0 as well (``gapAbs``: CBC ``-allow``, HiGHS ``mip_abs_gap``, whose defaults of
1e-10 and 1e-6 would otherwise let a solver stop short of a proof); ``threads`` ->
``threads``; ``verbose`` -> ``msg``. Other PuLP solvers get ``timeLimit``,
``gapRel``, ``threads`` and ``msg`` by PuLP's common names; whether they honour
them is up to PuLP's adapter for that solver.

Status
------
How each solver's answer becomes a ``SolveStatus`` (``proven`` below: the solver
claims optimality and either ``relative_gap`` is 0, the model has no integer
columns, or a known bound is within 1e-9 relative of the objective):

====================================================  ==================================
solver says                                           status (limit_reached)
====================================================  ==================================
CBC ``Optimal``; HiGHS ``kOptimal``; other: Optimal    OPTIMAL (proven, or within the gap)
CBC ``Stopped on ...`` with a plan; HiGHS time,        FEASIBLE (True when the time
iteration, interrupt or objective limits with a plan;  limit stopped it; other solvers:
other: status Optimal with "Solution Found"            True when a time limit was set)
the same without a plan                                NO_SOLUTION (True) if a time
                                                       limit stopped it, else ERROR
CBC ``Infeasible``; HiGHS ``kInfeasible``;             INFEASIBLE
other: Infeasible
HiGHS ``kUnbounded`` with a feasible point             UNBOUNDED
CBC ``Unbounded``; HiGHS ``kUnboundedOrInfeasible``    confirmed, see below
or ``kUnbounded`` without a point; other: Unbounded
anything else (HiGHS load/solve errors, PuLP's         ERROR, with what the solver said
Undefined, an exception from PuLP or the solver)
====================================================  ==================================

CBC says ``Unbounded`` whenever the LP relaxation is unbounded (its log says
"Linear relaxation unbounded"), even when no integer point exists; HiGHS says
``kUnboundedOrInfeasible``. Both mean "infeasible or unbounded". The backend then
solves the same rows with a zero objective (same solver and options, within what is
left of the time limit): a plan found -> UNBOUNDED (a feasible MIP whose relaxation is
unbounded is unbounded); proven infeasible -> INFEASIBLE; out of time -> NO_SOLUTION
with ``limit_reached``; anything else -> ERROR. The message says a check was run.
Without a time limit the check gets ``CHECK_SECONDS_WITHOUT_LIMIT`` (60 s): CBC can
branch for ever on, say, 2x - 2y = 1 over unbounded integers, which it would otherwise
have answered at once with ``Unbounded``; running out of that time is an ERROR
("unbounded or infeasible, could not tell"), not a NO_SOLUTION, since no limit of the
caller's stopped it.

Bound
-----
PuLP itself reports no dual bound. ``highs``: the bound is HiGHS's ``mip_dual_bound``
(sign and offset restored), read from the ``highspy.Highs`` object PuLP keeps in
``problem.solverModel``. ``cbc``: the bound is the ``Lower bound:`` / ``Upper bound:``
line CBC's log prints when it stops short of optimality; CBC prints it with three
decimals, so it is widened by 0.0005 in the safe direction (not read with
``verbose``, see below). Where no bound is known it is
the objective when the status is OPTIMAL and None otherwise (the gap is then None).

Known limits
------------
- CBC 2.10 can say "Stopped on time limit" well before the limit (it counts its
  preprocessing time twice). When the wall clock around the call is below
  ``CBC_EARLY_SHARE`` (90%) of the limit, the message says so and suggests a longer one;
  the status is what CBC's answer gives (FEASIBLE or NO_SOLUTION, ``limit_reached``).
- CBC's solution file holds values to 8 significant digits (``%15.8g``; no CBC option
  changes it) and PuLP writes the MPS file's coefficients to 13. Integer values are
  exact; a continuous value may be off in its 9th digit, which moves a row's activity
  by that times the coefficient: ``LinearModel.violations`` (1e-6 of the bound, at least
  1e-6) can flag it on rows with large coefficients and a small bound. HiGHS returns
  full doubles.
- PuLP 3.3's HiGHS bridge raises ``KeyError`` on the statuses it does not list
  (kSolutionLimit, kMemoryLimit, kHighsInterrupt): reported as ERROR.
- With ``verbose`` CBC's log goes to the terminal, so CBC's bound and version are not
  read.
- highspy prints its banner on stdout the first time a HiGHS object is made, whatever
  ``verbose`` says.
- ``PULP_CBC_CMD`` is deprecated in PuLP 3.x and removed in 4.0 (its deprecation
  warning is silenced here).
- HiGHS can set its thread count only once per process; the backend resets HiGHS's
  global scheduler before each HiGHS solve, so two HiGHS solves must not run at once
  in one process.
- ``seconds`` is the wall time of the whole call: building the PuLP problem, the
  solve and any unboundedness check.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import signal
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path

import numpy as np

# OR-Tools first: importing PuLP loads highspy's HiGHS, and an OR-Tools HiGHS solve
# in the same process then crashes (the two copies' shared symbols clash, whichever
# loaded first wins). With OR-Tools' library loaded first both backends' HiGHS work.
import ortools.linear_solver.python.model_builder  # noqa: F401
import pulp

from allocator.backends.base import BackendError
from allocator.backends.options import SolveOptions
from allocator.backends.termination import SolveResult, SolveStatus, Termination, relative_gap
from allocator.model.linear import LinearModel

FRIENDLY_NAMES: dict[str, str] = {"cbc": "PULP_CBC_CMD", "highs": "HiGHS"}
"""Our solver name -> PuLP's solver name, for the solvers this backend reads closely."""

OPTIMAL_GAP = 1e-9
"""A known relative gap at most this small counts as proof of optimality."""

CBC_BOUND_ROUNDING = 5e-4
"""CBC prints its bound with three decimals: half a unit in the last place."""

MIN_CHECK_SECONDS = 0.05
"""Below this much time left, the unboundedness check is not attempted."""

CBC_EARLY_SHARE = 0.9
"""CBC saying it stopped on its time limit before this share of the limit had passed on
the wall clock is CBC's timing fault, and the message says so (see the module docstring)."""

CHECK_SECONDS_WITHOUT_LIMIT = 60.0
"""The unboundedness check's own time limit when the caller set none (see the module
docstring: CBC can branch for ever on an infeasible MIP with an unbounded relaxation)."""


class _Said(Enum):
    """What a solver said, before it is checked against the options and the model."""

    OPTIMAL = "claims optimality"
    STOPPED = "stopped early"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded, with a feasible point"
    UNBOUNDED_OR_INFEASIBLE = "unbounded or infeasible"
    ERROR = "failed"


@dataclass(frozen=True)
class _Reading:
    """One solve's answer in neutral terms; ``bound`` is in the model's objective."""

    said: _Said
    has_plan: bool
    time_limit_hit: bool = False
    bound: float | None = None
    detail: str = ""
    version: str = ""
    interrupted: bool = False
    limit_note: str = ""
    """Said instead of "stopped by the time limit" when that needs a warning."""


@dataclass(frozen=True)
class _Translation:
    """The PuLP problem and its variables, in column order."""

    problem: pulp.LpProblem
    variables: list[pulp.LpVariable]
    constraints: dict[str, pulp.LpConstraint]
    """By name: ``r{i}``, or ``r{i}_lo`` and ``r{i}_up`` for the halves of a ranged row."""


class PulpBackend:
    """Solves a ``LinearModel`` through PuLP; see the module docstring for the tables."""

    name = "pulp"
    default_solver = "cbc"

    def available_solvers(self) -> list[str]:
        """``cbc`` and ``highs`` when PuLP can run them, then any other available PuLP name."""
        available = pulp.listSolvers(onlyAvailable=True)
        ours = [name for name, theirs in FRIENDLY_NAMES.items() if theirs in available]
        others = [name for name in available if name not in FRIENDLY_NAMES.values()]
        return ours + others

    def solve(self, model: LinearModel, options: SolveOptions) -> SolveResult:
        """Solve ``model`` with the solver ``options.solver`` names (``cbc`` by default)."""
        solver = options.solver or self.default_solver
        pulp_name = self._pulp_name(solver)
        _check_model(model)
        started = time.perf_counter()
        translation = build_problem(model)
        reading = _run(pulp_name, translation.problem, model, options, options.time_limit)
        values: np.ndarray | None = None
        if reading.has_plan and reading.said in (_Said.OPTIMAL, _Said.STOPPED):
            values, problem = _values(translation)
            if problem:
                reading = _Reading(_Said.ERROR, False, detail=problem, version=reading.version)
        if reading.said is _Said.UNBOUNDED_OR_INFEASIBLE:
            reading = _confirm_unbounded(pulp_name, model, options, reading, started)
        status, objective, bound, message = _judge(reading, model, options, values)
        if reading.interrupted:
            status, message = _interrupted(status, message, reading.detail)
        termination = Termination(
            status=status,
            objective=objective,
            bound=bound,
            seconds=time.perf_counter() - started,
            backend=self.name,
            solver=solver,
            solver_version=_version(pulp_name, reading),
            message=message,
            limit_reached=reading.time_limit_hit and status is not SolveStatus.OPTIMAL,
            interrupted=reading.interrupted and status is not SolveStatus.OPTIMAL,
            gap_limit=options.relative_gap,
        )
        if status is not SolveStatus.OPTIMAL or model.integer.any():
            return SolveResult(termination, values if status.has_solution else None)
        duals, reduced = _duals(translation, model, pulp_name)
        return SolveResult(termination, values, duals, reduced)

    def _pulp_name(self, solver: str) -> str:
        """PuLP's name for ``solver``; ``BackendError`` listing the choices if unusable."""
        available = self.available_solvers()
        if solver not in available:
            choices = ", ".join(available) or "none"
            raise BackendError(
                f"the pulp backend has no solver '{solver}' on this machine (available: {choices})"
            )
        return FRIENDLY_NAMES.get(solver, solver)


def build_problem(model: LinearModel, objective: np.ndarray | None = None) -> _Translation:
    """The PuLP problem for ``model`` (rows and columns as in the module docstring).

    ``objective`` replaces the model's objective coefficients (the unboundedness
    check passes zeros). Coefficients are taken from the CSR arrays: one Python
    step per column and per row, none per coefficient in this code.
    """
    sense = pulp.LpMaximize if model.maximize else pulp.LpMinimize
    problem = pulp.LpProblem("allocator", sense)
    make = getattr(problem, "add_variable", None) or pulp.LpVariable  # PuLP < 3.3: no method
    lower = [v if math.isfinite(v) else None for v in model.lower.tolist()]
    upper = [v if math.isfinite(v) else None for v in model.upper.tolist()]
    kinds = [pulp.LpInteger if flag else pulp.LpContinuous for flag in model.integer.tolist()]
    variables = [
        make(f"x{j}", low, up, kind)
        for j, (low, up, kind) in enumerate(zip(lower, upper, kinds, strict=True))
    ]
    costs = model.objective if objective is None else objective
    problem.setObjective(pulp.LpAffineExpression(zip(variables, costs.tolist(), strict=True)))

    matrix = model.matrix.tocsr(copy=True)
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    columns = map(variables.__getitem__, matrix.indices.tolist())
    terms = list(zip(columns, matrix.data.tolist(), strict=True))
    pointers = matrix.indptr.tolist()
    constraints: dict[str, pulp.LpConstraint] = {}
    rows = zip(model.row_lower.tolist(), model.row_upper.tolist(), strict=True)
    for i, (low, up) in enumerate(rows):
        row_terms = terms[pointers[i] : pointers[i + 1]]
        has_low, has_up = math.isfinite(low), math.isfinite(up)
        if has_low and has_up and low == up:
            constraints[f"r{i}"] = _constraint(row_terms, pulp.LpConstraintEQ, f"r{i}", low)
        elif has_low and has_up:
            constraints[f"r{i}_lo"] = _constraint(row_terms, pulp.LpConstraintGE, f"r{i}_lo", low)
            constraints[f"r{i}_up"] = _constraint(row_terms, pulp.LpConstraintLE, f"r{i}_up", up)
        elif has_low:
            constraints[f"r{i}"] = _constraint(row_terms, pulp.LpConstraintGE, f"r{i}", low)
        elif has_up:
            constraints[f"r{i}"] = _constraint(row_terms, pulp.LpConstraintLE, f"r{i}", up)
    problem.extend(constraints)
    return _Translation(problem, variables, constraints)


def _constraint(
    terms: list[tuple[pulp.LpVariable, float]], sense: int, name: str, rhs: float
) -> pulp.LpConstraint:
    return pulp.LpConstraint(pulp.LpAffineExpression(terms), sense, name, rhs)


def _check_model(model: LinearModel) -> None:
    """Refuse what PuLP cannot write (``LinearModel.malformations``)."""
    problems = model.malformations()
    if problems:
        raise BackendError("the pulp backend cannot take a model with " + "; ".join(problems))


def _make_solver(
    pulp_name: str, options: SolveOptions, time_limit: float | None, log_path: Path | None
) -> pulp.LpSolver:
    """The PuLP solver object, with the options under PuLP's parameter names."""
    common: dict[str, object] = {"msg": options.verbose, "gapRel": options.relative_gap}
    if time_limit is not None:
        common["timeLimit"] = time_limit
    if options.threads is not None:
        common["threads"] = options.threads
    if pulp_name in FRIENDLY_NAMES.values() and options.relative_gap == 0:
        common["gapAbs"] = 0.0
    if pulp_name == "PULP_CBC_CMD":
        if log_path is not None:
            common["logPath"] = str(log_path)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "PULP_CBC_CMD is deprecated", DeprecationWarning)
            return pulp.PULP_CBC_CMD(timeMode="elapsed", **common)
    if pulp_name == "HiGHS":
        return pulp.HiGHS(**common)
    return pulp.getSolver(pulp_name, **common)


def _run(
    pulp_name: str,
    problem: pulp.LpProblem,
    model: LinearModel,
    options: SolveOptions,
    time_limit: float | None,
) -> _Reading:
    """Solve ``problem`` once and read what the solver said."""
    with tempfile.TemporaryDirectory(prefix="allocator-pulp-") as folder:
        is_cbc = pulp_name == "PULP_CBC_CMD"
        log_path = Path(folder) / "cbc.log" if is_cbc and not options.verbose else None
        interrupt = _Interrupt(child_solver=is_cbc)
        try:
            solver = _make_solver(pulp_name, options, time_limit, log_path)
            if pulp_name == "HiGHS":
                _reset_highs_threads()
            clock = time.perf_counter()
            with interrupt.deferred():
                problem.solve(solver)
            seconds = time.perf_counter() - clock
        except Exception as error:  # PuLP and the solvers raise many kinds
            return _Reading(_Said.ERROR, False, detail=f"{type(error).__name__}: {error}")
        log = log_path.read_text(errors="replace") if log_path and log_path.exists() else ""
    if is_cbc:
        reading = _read_cbc(problem, model, time_limit, log, seconds)
    elif pulp_name == "HiGHS":
        reading = _read_highs(problem, model)
    else:
        reading = _read_pulp(problem, time_limit)
    return replace(reading, interrupted=interrupt.seen) if interrupt.seen else reading


class _Interrupt:
    """Ctrl-C during a solve, deferred: the solver (CBC, a child process in the same
    process group) receives the terminal's interrupt too, stops and writes its best plan,
    which PuLP then reads; the first interrupt is only noted here. CBC answers it at its
    next check, in the branch-and-bound search: during a long root it may take a while.
    A second one kills CBC and raises ``KeyboardInterrupt`` at once, and so does a first
    one that comes while PuLP is still writing the model, before the child solver has
    started (it would never hear of it and solve to the end)."""

    def __init__(self, child_solver: bool = False) -> None:
        self.seen = False
        self.child_solver = child_solver

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.getsignal(signal.SIGINT)

        def note(signum: int, frame: object) -> None:
            if self.seen or (self.child_solver and not _has_children()):
                _stop_children()  # CBC would run on, orphaned, after we stop
                raise KeyboardInterrupt
            self.seen = True

        signal.signal(signal.SIGINT, note)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)


def _has_children() -> bool:
    """Whether this process has a child (running, or exited and not yet waited for)."""
    try:
        os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return False
    return True


def _stop_children() -> None:
    """Kill and reap this process's children (on Linux, found through /proc; elsewhere
    none are found and a running CBC finishes on its own)."""
    me = str(os.getpid())
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if fields[1] == me:  # the parent's pid follows the state
                pid = int(stat.parent.name)
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)


def _reset_highs_threads() -> None:
    """Let this solve choose its thread count (HiGHS fixes it once per process otherwise)."""
    import highspy

    highspy.Highs.resetGlobalScheduler(True)


def _read_pulp(problem: pulp.LpProblem, time_limit: float | None) -> _Reading:
    """PuLP's own status pair, for solvers this backend cannot read more closely.

    ========================================  ===================================
    ``problem.status`` / ``sol_status``       reading
    ========================================  ===================================
    Optimal / Optimal Solution Found          claims optimality, with a plan
    Optimal / Solution Found                  stopped early, with a plan
    Not Solved / Solution Found               stopped early, with a plan
    Not Solved / anything else                stopped early, without a plan
    Infeasible                                infeasible
    Unbounded                                 unbounded or infeasible (checked)
    Undefined, or Optimal without a solution  error
    ========================================  ===================================

    Without a finer report, "stopped early" counts as the time limit when one was set.
    """
    status, solution = problem.status, problem.sol_status
    detail = f"PuLP: {pulp.LpStatus[status]} / {pulp.LpSolution.get(solution, solution)}"
    limited = time_limit is not None
    if status == pulp.LpStatusOptimal and solution == pulp.LpSolutionOptimal:
        return _Reading(_Said.OPTIMAL, True, detail=detail)
    if solution == pulp.LpSolutionIntegerFeasible:
        return _Reading(_Said.STOPPED, True, limited, detail=detail)
    if status == pulp.LpStatusNotSolved:
        return _Reading(_Said.STOPPED, False, limited, detail=detail)
    if status == pulp.LpStatusInfeasible:
        return _Reading(_Said.INFEASIBLE, False, detail=detail)
    if status == pulp.LpStatusUnbounded:
        return _Reading(_Said.UNBOUNDED_OR_INFEASIBLE, False, detail=detail)
    return _Reading(_Said.ERROR, False, detail=detail)


_CBC_RESULT = re.compile(r"^Result - (.*)$", re.MULTILINE)
_CBC_BOUND = re.compile(r"^(Lower|Upper) bound:\s+(\S+)\s*$", re.MULTILINE)
_CBC_VERSION = re.compile(r"^Version:\s*(\S+)", re.MULTILINE)


def _read_cbc(
    problem: pulp.LpProblem,
    model: LinearModel,
    time_limit: float | None,
    log: str,
    seconds: float,
) -> _Reading:
    """PuLP's reading of CBC's solution file, with the bound, version and stop reason
    taken from CBC's log when there is one (see the module docstring); ``seconds`` is
    the wall clock of the call."""
    reading = _read_pulp(problem, time_limit)
    result = _CBC_RESULT.search(log)
    version = _CBC_VERSION.search(log)
    detail = f"CBC: {result.group(1)}" if result else reading.detail
    time_limit_hit = reading.time_limit_hit
    if result and reading.said is _Said.STOPPED:
        time_limit_hit = "time" in result.group(1)
    return replace(
        reading,
        time_limit_hit=time_limit_hit,
        bound=_cbc_bound(log, model),
        detail=detail,
        version=f"CBC {version.group(1)}" if version else "CBC",
        limit_note=cbc_early_stop(seconds, time_limit) if time_limit_hit else "",
    )


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


def _cbc_bound(log: str, model: LinearModel) -> float | None:
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


_HIGHS_STOPPED = frozenset(
    {
        "kTimeLimit",
        "kIterationLimit",
        "kSolutionLimit",
        "kInterrupt",
        "kHighsInterrupt",
        "kObjectiveBound",
        "kObjectiveTarget",
        "kMemoryLimit",
    }
)


def _read_highs(problem: pulp.LpProblem, model: LinearModel) -> _Reading:
    """HiGHS's own model status and bound, from the ``highspy.Highs`` PuLP keeps.

    ======================================  ================================================
    ``getModelStatus()``                    reading
    ======================================  ================================================
    kOptimal                                claims optimality
    kTimeLimit                              stopped early by the time limit
    kIterationLimit, kSolutionLimit,        stopped early (not by the time limit)
    kInterrupt, kHighsInterrupt,
    kObjectiveBound, kObjectiveTarget,
    kMemoryLimit
    kInfeasible                             infeasible
    kUnbounded with a feasible point        unbounded
    kUnbounded without one,                 unbounded or infeasible (checked)
    kUnboundedOrInfeasible
    anything else                           error
    ======================================  ================================================

    A plan exists when ``primal_solution_status`` is feasible. The bound is
    ``mip_dual_bound`` for models with integer columns (PuLP hands HiGHS a minimisation,
    negated for a maximisation, without the offset; both are undone here).
    """
    import highspy

    highs = problem.solverModel
    status = highs.getModelStatus()
    info = highs.getInfo()
    feasible = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    version = f"HiGHS {highs.version()}"
    name = status.name
    detail = f"HiGHS: {highs.modelStatusToString(status)}"
    bound = None
    if model.integer.any() and math.isfinite(info.mip_dual_bound):
        sign = -1.0 if model.maximize else 1.0
        bound = sign * info.mip_dual_bound + model.objective_offset
    if name == "kOptimal":
        said = _Said.OPTIMAL
    elif name in _HIGHS_STOPPED:
        said = _Said.STOPPED
    elif name == "kInfeasible":
        said = _Said.INFEASIBLE
    elif name == "kUnbounded" and feasible:
        said = _Said.UNBOUNDED
    elif name in ("kUnbounded", "kUnboundedOrInfeasible"):
        said = _Said.UNBOUNDED_OR_INFEASIBLE
    else:
        said = _Said.ERROR
    has_plan = feasible and said in (_Said.OPTIMAL, _Said.STOPPED)
    return _Reading(said, has_plan, name == "kTimeLimit", bound, detail, version)


DUAL_SOLVERS = {"PULP_CBC_CMD": 1.0, "HiGHS": -1.0}
"""PuLP solvers whose duals are read, and the sign that makes them d objective / d bound
for a maximisation (CBC reports that; PuLP's HiGHS reports its negative)."""


def _duals(
    translation: _Translation, model: LinearModel, pulp_name: str
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Row duals (a ranged row's two halves added) and reduced costs, or None if unknown."""
    if pulp_name not in DUAL_SOLVERS:
        return None, None
    sign = DUAL_SOLVERS[pulp_name] if model.maximize else 1.0
    duals = np.zeros(model.num_constraints)
    for name, constraint in translation.constraints.items():
        if constraint.pi is None:
            return None, None
        duals[int(name[1:].split("_")[0])] += constraint.pi
    reduced = [variable.dj for variable in translation.variables]
    if any(value is None for value in reduced):
        return None, None
    return sign * duals, sign * np.asarray(reduced, dtype=float)


def _values(translation: _Translation) -> tuple[np.ndarray | None, str]:
    """The column values in model order, or None and why they cannot be used."""
    raw = [variable.varValue for variable in translation.variables]
    missing = [j for j, value in enumerate(raw) if value is None]
    if missing:
        return None, f"the solver returned no value for {len(missing)} columns (x{missing[0]}, ...)"
    values = np.asarray(raw, dtype=float)
    if not np.all(np.isfinite(values)):
        return None, "the solver returned values that are not finite"
    return values, ""


def _confirm_unbounded(
    pulp_name: str,
    model: LinearModel,
    options: SolveOptions,
    reading: _Reading,
    started: float,
) -> _Reading:
    """Tell "unbounded" from "infeasible" by looking for any plan (zero objective)."""
    said = f"{reading.detail} (unbounded or infeasible)"
    time_limit = options.time_limit
    if time_limit is not None:
        time_limit -= time.perf_counter() - started
        if time_limit < MIN_CHECK_SECONDS:
            return replace(
                reading,
                said=_Said.STOPPED,
                has_plan=False,
                time_limit_hit=True,
                detail=f"{said}; no time left to check whether any plan exists",
            )
    translation = build_problem(model, objective=np.zeros(model.num_variables))
    own_limit = time_limit is None
    if own_limit:
        time_limit = CHECK_SECONDS_WITHOUT_LIMIT
    check = _run(pulp_name, translation.problem, model, options, time_limit)
    if check.has_plan and check.said in (_Said.OPTIMAL, _Said.STOPPED):
        return replace(
            reading,
            said=_Said.UNBOUNDED,
            detail=f"{said}; a plan exists (found by a check with a zero objective)",
        )
    if check.said is _Said.INFEASIBLE:
        return replace(
            reading,
            said=_Said.INFEASIBLE,
            detail=f"{said}; a check with a zero objective proved no plan exists",
        )
    if check.said is _Said.STOPPED and check.time_limit_hit and own_limit:
        return replace(
            reading,
            said=_Said.ERROR,
            detail=f"{said}; could not tell which within {CHECK_SECONDS_WITHOUT_LIMIT:g} s",
        )
    if check.said is _Said.STOPPED and check.time_limit_hit:
        return replace(
            reading,
            said=_Said.STOPPED,
            has_plan=False,
            time_limit_hit=True,
            detail=f"{said}; the time limit ran out checking whether any plan exists",
        )
    return replace(
        reading,
        said=_Said.ERROR,
        detail=f"{said}; the check for any plan was inconclusive ({check.detail})",
    )


def _judge(
    reading: _Reading, model: LinearModel, options: SolveOptions, values: np.ndarray | None
) -> tuple[SolveStatus, float | None, float | None, str]:
    """Status, objective, bound and message from a reading (tables in the module docstring)."""
    if reading.said in (_Said.OPTIMAL, _Said.STOPPED) and values is not None:
        objective = model.objective_value(values)
        bound = reading.bound
        gap = relative_gap(objective, bound)
        proven = reading.said is _Said.OPTIMAL and (
            options.relative_gap == 0
            or not model.integer.any()
            or (gap is not None and gap <= OPTIMAL_GAP)
        )
        if proven:
            return SolveStatus.OPTIMAL, objective, objective if bound is None else bound, ""
        if reading.said is _Said.OPTIMAL:
            achieved = "the solver reports no bound" if gap is None else f"achieved {gap:.3g}"
            why = f"stopped within the allowed relative gap {options.relative_gap:g} ({achieved})"
            return SolveStatus.OPTIMAL, objective, bound, why
        if reading.limit_note:
            return SolveStatus.FEASIBLE, objective, bound, reading.limit_note
        if reading.time_limit_hit:
            why = "stopped by the time limit"
        else:
            why = "stopped before proving optimality"
        return SolveStatus.FEASIBLE, objective, bound, f"{why} ({reading.detail})"
    if reading.said is _Said.STOPPED and not reading.has_plan:
        if reading.limit_note:
            message = f"no plan was found: {reading.limit_note}"
            return SolveStatus.NO_SOLUTION, None, reading.bound, message
        if reading.time_limit_hit:
            message = f"the time limit ran out before any plan was found ({reading.detail})"
            return SolveStatus.NO_SOLUTION, None, reading.bound, message
        return SolveStatus.ERROR, None, None, f"stopped without a plan ({reading.detail})"
    if reading.said is _Said.INFEASIBLE:
        return SolveStatus.INFEASIBLE, None, None, reading.detail
    if reading.said is _Said.UNBOUNDED:
        return SolveStatus.UNBOUNDED, None, None, reading.detail
    detail = reading.detail or "the solver gave no usable answer"
    return SolveStatus.ERROR, None, None, detail


def _interrupted(status: SolveStatus, message: str, detail: str) -> tuple[SolveStatus, str]:
    """An interrupted solve: its plan, not proven optimal, or no plan at all."""
    said = f" ({detail})" if detail else ""
    if status is SolveStatus.FEASIBLE:
        return status, f"interrupted before proving optimality{said}"
    if status is SolveStatus.ERROR:
        return SolveStatus.NO_SOLUTION, f"interrupted before any plan was found{said}"
    return status, message


def _version(pulp_name: str, reading: _Reading) -> str:
    """PuLP's version and, where known, the solver's."""
    return f"PuLP {pulp.__version__}; {reading.version or pulp_name}"
