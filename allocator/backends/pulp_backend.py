"""The PuLP backend: a ``LinearModel`` as a ``pulp.LpProblem``, solved by CBC, HiGHS or any
solver PuLP finds on the machine (``pulp_solvers`` declares them and reads their answers;
``finish.finish`` judges them).

Translation
-----------
Column j becomes ``x{j}`` (bounds ±inf become PuLP's ``None``; integer columns
``LpInteger``); row i becomes ``r{i}``, or ``r{i}_lo`` and ``r{i}_up`` for the halves of
a ranged row (whose duals are added). An unknown or unavailable solver name raises
``BackendError`` listing the available ones; nothing ever falls back to another solver.

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

Known limits
------------
- CBC's solution file holds values to 8 significant digits (``%15.8g``; no CBC option
  changes it) and PuLP writes the MPS file's coefficients to 13. Integer values are
  exact; a continuous value may be off in its 9th digit, which moves a row's activity
  by that times the coefficient: ``LinearModel.violations`` (1e-6 of the bound, at least
  1e-6) can flag it on rows with large coefficients and a small bound. HiGHS returns
  full doubles.
- PuLP 3.3's HiGHS bridge raises ``KeyError`` on the statuses it does not list
  (kSolutionLimit, kMemoryLimit, kHighsInterrupt): reported as ERROR.
- highspy prints its banner on stdout the first time a HiGHS object is made, whatever
  ``verbose`` says.
- ``PULP_CBC_CMD`` is deprecated in PuLP 3.x and removed in 4.0 (its deprecation
  warning is silenced here).
- HiGHS can set its thread count only once per process; the backend resets HiGHS's
  global scheduler before each HiGHS solve, so two HiGHS solves must not run at once
  in one process.
- No solver here takes a starting plan (``Feature.HINTS``). The bundled CBC (2.10.3)
  reads one (``warmStart``), but on a forced-out variant of the flagship it then
  reported "The LP relaxation is infeasible or too expensive" and returned the start
  (10,099 below the optimum) as optimal; PuLP's HiGHS bridge has no start option.
  A start is refused with ``BackendError``; OR-Tools' SCIP and CP-SAT take one.
- ``seconds`` is the wall time of the whole call: building the PuLP problem, the
  solve and any unboundedness check.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

# OR-Tools first: importing PuLP loads highspy's HiGHS, and an OR-Tools HiGHS solve
# in the same process then crashes (the two copies' shared symbols clash, whichever
# loaded first wins). With OR-Tools' library loaded first both backends' HiGHS work.
# This import is all the PuLP backend takes from OR-Tools.
import ortools.linear_solver.python.model_builder  # noqa: F401
import pulp

from allocator.backends.base import BackendError
from allocator.backends.capabilities import (
    Capabilities,
    Feature,
    refuse_start,
    refuse_unsupported,
    solvers_with,
)
from allocator.backends.conditions import Condition, Outcome
from allocator.backends.finish import Label, finish, refuse_malformed
from allocator.backends.options import SolveOptions
from allocator.backends.pulp_solvers import CAPABILITIES, SOLVERS, PulpSolver, solver_spec
from allocator.backends.termination import SolveResult
from allocator.model.linear import LinearModel


@dataclass(frozen=True)
class _Translation:
    """The PuLP problem and its variables, in column order."""

    problem: pulp.LpProblem
    variables: list[pulp.LpVariable]
    constraints: dict[str, pulp.LpConstraint]
    """By name: ``r{i}``, or ``r{i}_lo`` and ``r{i}_up`` for the halves of a ranged row."""


class PulpBackend:
    """Solves a ``LinearModel`` through PuLP; see the module docstring and ``pulp_solvers``."""

    name = "pulp"
    default_solver = "cbc"

    def available_solvers(self) -> list[str]:
        """``cbc`` and ``highs`` when PuLP can run them, then any other available PuLP name."""
        available = pulp.listSolvers(onlyAvailable=True)
        ours = [name for name, spec in SOLVERS.items() if spec.pulp_name in available]
        theirs = {spec.pulp_name for spec in SOLVERS.values()}
        return ours + [name for name in available if name not in theirs]

    def capabilities(self, solver: str) -> Capabilities:
        """What ``solver`` declares (``pulp_solvers.SOLVERS``); integer and continuous
        columns only for any other PuLP solver."""
        return solver_spec(solver).capabilities

    def solvers_with(self, *features: Feature) -> list[str]:
        """The declared solvers (``pulp_solvers.SOLVERS``) with every one of ``features``."""
        return solvers_with(CAPABILITIES, *features)

    def solve(
        self, model: LinearModel, options: SolveOptions, start: np.ndarray | None = None
    ) -> SolveResult:
        """Solve ``model`` with the solver ``options.solver`` names (``cbc`` by default);
        a ``start`` is refused (no solver here takes one: the module docstring says why)."""
        solver = options.solver or self.default_solver
        spec = self._spec(solver)
        refuse_malformed(model, self.name)
        table = {**CAPABILITIES, solver: spec.capabilities}
        refuse_unsupported(table, solver, model)
        if start is not None:
            refuse_start(table, solver)
        started = time.perf_counter()
        outcome = _solve(spec, build_problem(model), model, options, options.time_limit)

        def recheck(seconds: float) -> Outcome:
            zero = build_problem(model, objective=np.zeros(model.num_variables))
            return _solve(spec, zero, model, options, seconds)

        version = f"PuLP {pulp.__version__}; {outcome.version or spec.pulp_name}"
        label = Label(self.name, solver, version)
        return finish(model, options, outcome, label=label, started=started, recheck=recheck)

    def _spec(self, solver: str) -> PulpSolver:
        """The spec of ``solver``; ``BackendError`` listing the choices if unusable."""
        available = self.available_solvers()
        if solver not in available:
            choices = ", ".join(available) or "none"
            raise BackendError(
                f"the pulp backend has no solver '{solver}' on this machine (available: {choices})"
            )
        return solver_spec(solver)


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


def _make_solver(
    spec: PulpSolver, options: SolveOptions, time_limit: float | None, log_path: Path | None
) -> pulp.LpSolver:
    """The PuLP solver object, with the options under PuLP's parameter names."""
    common: dict[str, object] = {"msg": options.verbose, "gapRel": options.relative_gap}
    if time_limit is not None:
        common["timeLimit"] = time_limit
    if options.threads is not None:
        common["threads"] = options.threads
    if spec.exact_gap and options.relative_gap == 0:
        common["gapAbs"] = 0.0
    if spec.pulp_name == "PULP_CBC_CMD":
        if log_path is not None:
            common["logPath"] = str(log_path)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "PULP_CBC_CMD is deprecated", DeprecationWarning)
            return pulp.PULP_CBC_CMD(timeMode="elapsed", **common)
    if spec.pulp_name == "HiGHS":
        return pulp.HiGHS(**common)
    return pulp.getSolver(spec.pulp_name, **common)


def _solve(
    spec: PulpSolver,
    translation: _Translation,
    model: LinearModel,
    options: SolveOptions,
    time_limit: float | None,
) -> Outcome:
    """Solve ``translation`` once and read the answer back, with its plan and duals."""
    outcome, plan = _run(spec, translation.problem, model, options, time_limit)
    if not plan:
        return outcome
    values = _values(translation)
    linear_optimum = outcome.condition is Condition.OPTIMAL and not model.integer.any()
    if not (linear_optimum and spec.capabilities.supports(Feature.DUALS)):
        return replace(outcome, values=values)
    duals, reduced = _duals(translation, model, spec.capabilities)
    return replace(outcome, values=values, duals=duals, reduced_costs=reduced)


def _run(
    spec: PulpSolver,
    problem: pulp.LpProblem,
    model: LinearModel,
    options: SolveOptions,
    time_limit: float | None,
) -> tuple[Outcome, bool]:
    """Solve ``problem`` once and read what the solver said (and whether it has a plan)."""
    with tempfile.TemporaryDirectory(prefix="allocator-pulp-") as folder:
        is_cbc = spec.pulp_name == "PULP_CBC_CMD"
        log_path = Path(folder) / "cbc.log" if is_cbc and not options.verbose else None
        interrupt = _Interrupt(child_solver=spec.child_process)
        try:
            solver = _make_solver(spec, options, time_limit, log_path)
            if spec.pulp_name == "HiGHS":
                _reset_highs_threads()
            clock = time.perf_counter()
            with interrupt.deferred():
                problem.solve(solver)
            seconds = time.perf_counter() - clock
        except Exception as error:  # PuLP and the solvers raise many kinds
            return Outcome(Condition.ERROR, said=f"{type(error).__name__}: {error}"), False
        log = log_path.read_text(errors="replace") if log_path and log_path.exists() else ""
    outcome, plan = spec.read(problem, model, time_limit, log, seconds)
    return (replace(outcome, interrupted=True) if interrupt.seen else outcome), plan


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


def _has_children() -> bool:
    """Whether this process has a child (running, or exited and not yet waited for)."""
    try:
        os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return False
    return True


def _values(translation: _Translation) -> np.ndarray:
    """The column values in model order; NaN where the solver gave none."""
    raw = [variable.varValue for variable in translation.variables]
    return np.array([math.nan if value is None else value for value in raw], dtype=float)


def _duals(
    translation: _Translation, model: LinearModel, capabilities: Capabilities
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Row duals (a ranged row's two halves added) and reduced costs, or None if unknown,
    as d objective / d bound (``Capabilities.max_dual_sign``)."""
    sign = capabilities.max_dual_sign if model.maximize else 1.0
    duals = np.zeros(model.num_constraints)
    for name, constraint in translation.constraints.items():
        if constraint.pi is None:
            return None, None
        duals[int(name[1:].split("_")[0])] += constraint.pi
    reduced = [variable.dj for variable in translation.variables]
    if any(value is None for value in reduced):
        return None, None
    return sign * duals, sign * np.asarray(reduced, dtype=float)


def _reset_highs_threads() -> None:
    """Let this solve choose its thread count (HiGHS fixes it once per process otherwise)."""
    import highspy

    highspy.Highs.resetGlobalScheduler(True)
