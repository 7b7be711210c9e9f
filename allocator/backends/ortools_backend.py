"""The OR-Tools backend: a ``LinearModel`` solved by SCIP, HiGHS or CP-SAT through OR-Tools.

The model goes to OR-Tools' linear-solver model builder in one call
(``fill_model_from_sparse_data``: bounds, objective and the CSR matrix as arrays),
then the integer columns are marked, the sense and the objective offset set.
The answer comes back through ``ModelSolverHelper``, whose ``variable_values()``
returns every column value as one array.

Solvers (our name -> OR-Tools name, and what each accepts)

| solver    | OR-Tools | continuous columns | column bounds             | best bound        |
|-----------|----------|--------------------|---------------------------|-------------------|
| ``scip``  | scip     | yes                | any, +-inf allowed        | SCIP's dual bound |
| ``highs`` | highs    | yes                | any, +-inf allowed        | not reported (1)  |
| ``cp-sat``| sat      | no: refused (2)    | finite, within +-1e7 (3)  | CP-SAT's bound    |
| ``glop``  | glop     | only: integer      | any, +-inf allowed        | not reported      |
|           |          | columns refused    |                           |                   |

Glop says INFEASIBLE, with no text, for unbounded linear programs too; its
INFEASIBLE is therefore always re-checked as in (7). Glop, OR-Tools' simplex
solver, is the one that reports row duals and reduced costs
(``SolveResult.duals``, ``reduced_costs``) of a linear program, as d objective /
d bound in both senses. (Through this interface SCIP reports none and HiGHS
returns row activities in their place, so neither is read.)

(1) OR-Tools copies HiGHS's objective into the bound field, so the bound is kept
    only once optimality is proven (an LP, or a MIP asked for a gap of 0);
    otherwise it is reported as unknown (None).
(2) CP-SAT makes every column integer; a continuous column would silently be
    rounded to whole numbers, so such models are refused with ``BackendError``.
(3) CP-SAT clamps every bound beyond ``mip_max_bound`` (1e7) to it and then calls
    the clamped answer optimal; such models are refused with ``BackendError``.

Options -> solver parameters (``set_solver_specific_parameters``)

| option         | scip               | highs                     | cp-sat                   |
|----------------|--------------------|---------------------------|--------------------------|
| relative_gap g | ``limits/gap = g`` | ``mip_rel_gap=g``         | ``relative_gap_limit:g`` |
| (always)       | ``numerics/feastol | -                         | -                        |
|                | = 1e-8`` (8)       |                           |                          |
| threads n      | not applied (4)    | not applied (5)           | ``num_workers:n``        |
| verbose off    | (OR-Tools: quiet)  | ``output_flag=false`` (6) | (OR-Tools: quiet)        |
| time_limit t   | ``set_time_limit_in_seconds(t)``, every solver                            |

Parameters are joined by a newline (scip, highs) or a space (cp-sat). The gap is
always passed, 0 included (HiGHS's own default is 1e-4), written as ``repr(g)``.
The solvers measure the gap differently (SCIP against the smaller of the two
values, HiGHS against the objective, CP-SAT against max(1, objective)); each is
close to ``SolveOptions``'s definition.
(4) OR-Tools runs SCIP on one thread; ``threads`` > 1 is noted in the message.
(5) HiGHS's thread pool is fixed per process at its first solve; asking another
    size later makes ``run()`` fail, so ``threads`` is not passed and this is
    noted in the message.
(6) Given first, so HiGHS does not print its banner on standard output.
(8) SCIP's default feasibility tolerance (1e-6, relative) lets a row with terms of
    1e6 units be short by a whole unit; plans then fail the independent checker once
    integers are rounded (seen on the flagship's growth-slows scenario). 1e-8 keeps
    them within it; 1e-9 made SCIP stop short of the optimum on the same case.

OR-Tools status -> ``SolveStatus``

| OR-Tools status                  | ours                                                      |
|----------------------------------|-----------------------------------------------------------|
| OPTIMAL                          | OPTIMAL: proven when the requested gap is 0 or the        |
|                                  | achieved gap is ~0 (abs(bound - objective) <= 1e-9        |
|                                  | max(1, abs(obj))); else within the allowed gap (message)  |
| FEASIBLE                         | FEASIBLE; ``limit_reached`` when the time limit ran out   |
| INFEASIBLE                       | INFEASIBLE                                                |
| UNBOUNDED                        | UNBOUNDED                                                 |
| "infeasible or unbounded" (7)    | re-checked with a zero objective: a plan -> UNBOUNDED;    |
|                                  | none -> INFEASIBLE; limit -> NO_SOLUTION                  |
| NOT_SOLVED, UNKNOWN_STATUS       | NO_SOLUTION with ``limit_reached`` when the time limit    |
|                                  | ran out; otherwise ERROR                                  |
| ABNORMAL, MODEL_INVALID, other   | ERROR, the OR-Tools status and its text in ``message``    |

(7) SCIP (SCIP_STATUS_INFORUNBD) and HiGHS (kUnboundedOrInfeasible) are reported
    by OR-Tools as INFEASIBLE with a text saying the model "may actually be
    unbounded"; CP-SAT's presolve reports UNKNOWN_STATUS with "infeasible or
    unbounded". With a zero objective a model cannot be unbounded, so the
    re-check settles which it is. It uses what is left of the time limit.

OR-Tools gives no termination reason, so "the time limit ran out" means a time
limit was set and the solve took at least 95% of it, or (for a plan not proven
optimal) at least half of it. A plan not proven optimal otherwise was stopped by an
interrupt (SCIP catches Ctrl-C and stops): ``interrupted``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import ortools
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder as mb
from ortools.linear_solver.python import model_builder_helper as mbh

from allocator.backends.base import BackendError
from allocator.backends.options import SolveOptions
from allocator.backends.termination import CLOSED_GAP, SolveResult, SolveStatus, Termination
from allocator.model.linear import LinearModel, family_counts

OrToolsStatus = mbh.SolveStatus

LIMIT_SHARE = 0.95
"""A solve that took at least this share of its time limit is taken to have hit it."""

_MAYBE_UNBOUNDED = (
    OrToolsStatus.INFEASIBLE,
    OrToolsStatus.UNKNOWN_STATUS,
    OrToolsStatus.NOT_SOLVED,
)
"""Statuses OR-Tools gives "infeasible or unbounded" under, with a text that says so."""


@dataclass(frozen=True)
class SolverSpec:
    """What one solver behind OR-Tools accepts, and how our options reach it."""

    name: str
    """Our name for the solver."""
    ortools_name: str
    """The name ``ModelSolverHelper`` parses."""
    continuous: bool
    """Whether it solves models with continuous columns."""
    bound_limit: float
    """The largest abs(column bound) it handles exactly (inf: no limit)."""
    reports_bound: bool
    """Whether ``best_objective_bound`` is the solver's own bound (not a copy of the objective)."""
    gap_parameter: str
    """The relative-gap parameter, formatted with ``gap``."""
    threads_parameter: str | None
    """The thread-count parameter, formatted with ``threads``; None: not applied."""
    single_threaded: bool
    """Runs on one thread whatever is asked, so ``threads=1`` is honoured as is."""
    threads_note: str
    """Said in the message when ``threads`` is asked for but not applied."""
    quiet_parameter: str | None
    """Given first when ``verbose`` is off (HiGHS prints a banner otherwise)."""
    separator: str
    """Between parameters in the solver-specific string."""
    fixed_parameters: tuple[str, ...] = ()
    """Parameters always passed, after the others."""
    integers: bool = True
    """Whether it solves models with integer columns."""
    duals: bool = False
    """Whether it reports row duals and reduced costs of a linear program."""
    silent_infeasible_or_unbounded: bool = False
    """Whether it says INFEASIBLE, with no text, for unbounded models too (glop does)."""


CP_SAT_MAX_BOUND = 1e7
"""CP-SAT's default ``mip_max_bound``: it clamps every column bound beyond this to it."""


SOLVERS: dict[str, SolverSpec] = {
    "scip": SolverSpec(
        name="scip",
        ortools_name="scip",
        continuous=True,
        bound_limit=math.inf,
        reports_bound=True,
        gap_parameter="limits/gap = {gap}",
        fixed_parameters=("numerics/feastol = 1e-8",),
        threads_parameter=None,
        single_threaded=True,
        threads_note="scip runs on one thread here; threads={threads} not applied",
        quiet_parameter=None,
        separator="\n",
    ),
    "highs": SolverSpec(
        name="highs",
        ortools_name="highs",
        continuous=True,
        bound_limit=math.inf,
        reports_bound=False,
        gap_parameter="mip_rel_gap={gap}",
        threads_parameter=None,
        single_threaded=False,
        threads_note=(
            "threads={threads} not applied: HiGHS fixes its thread pool per process "
            "at its first solve"
        ),
        quiet_parameter="output_flag=false",
        separator="\n",
    ),
    "cp-sat": SolverSpec(
        name="cp-sat",
        ortools_name="sat",
        continuous=False,
        bound_limit=CP_SAT_MAX_BOUND,
        reports_bound=True,
        gap_parameter="relative_gap_limit:{gap}",
        threads_parameter="num_workers:{threads}",
        single_threaded=False,
        threads_note="",
        quiet_parameter=None,
        separator=" ",
    ),
    "glop": SolverSpec(
        name="glop",
        ortools_name="glop",
        continuous=True,
        bound_limit=math.inf,
        reports_bound=False,
        gap_parameter="",
        threads_parameter=None,
        single_threaded=True,
        threads_note="glop runs on one thread; threads={threads} not applied",
        quiet_parameter=None,
        separator=" ",
        integers=False,
        duals=True,
        silent_infeasible_or_unbounded=True,
    ),
}
"""Our solver name -> its spec; the order is the order ``available_solvers`` lists them."""


@dataclass(frozen=True)
class RawOutcome:
    """What one OR-Tools solve returned, before it is read in our terms."""

    status: OrToolsStatus
    status_string: str
    has_response: bool
    objective: float | None
    bound: float | None
    values: np.ndarray | None
    seconds: float
    time_limit: float | None
    """The limit this solve was given (None: none)."""
    duals: np.ndarray | None = None
    reduced_costs: np.ndarray | None = None

    @property
    def ran_out(self) -> bool:
        """Whether the time limit ran out: the solve took at least ``LIMIT_SHARE`` of it."""
        return self.time_limit is not None and self.seconds >= LIMIT_SHARE * self.time_limit


@dataclass(frozen=True)
class Reading:
    """An outcome read in our terms (everything a ``Termination`` needs but the labels)."""

    status: SolveStatus
    objective: float | None = None
    bound: float | None = None
    values: np.ndarray | None = None
    message: str = ""
    limit_reached: bool = False
    interrupted: bool = False


class OrToolsBackend:
    """Solves a ``LinearModel`` with SCIP (default), HiGHS or CP-SAT through OR-Tools.

    See the module docstring for what each solver accepts, how the options are
    passed and how OR-Tools statuses become ours.
    """

    name = "ortools"
    default_solver = "scip"

    def available_solvers(self) -> list[str]:
        """The solvers of ``SOLVERS`` that this OR-Tools build can run."""
        return [name for name, spec in SOLVERS.items() if _is_supported(spec.ortools_name)]

    def solve(self, model: LinearModel, options: SolveOptions) -> SolveResult:
        """Solve ``model``; ``BackendError`` for an unknown solver or a model it cannot take."""
        started = time.perf_counter()
        spec = self._spec(options.solver or self.default_solver)
        _refuse_malformed(model)
        _refuse_unsupported(spec, model)
        built = _translate(model)
        parameters = solver_parameters(spec, options)
        outcome = _run(spec, built, parameters, options, options.time_limit)

        def recheck() -> RawOutcome | None:
            remaining = options.time_limit
            if remaining is not None:
                remaining -= time.perf_counter() - started
                if remaining <= 0:
                    return None
            feasibility = built.clone()
            feasibility.helper.clear_objective()
            return _run(spec, feasibility, parameters, options, remaining)

        reading = read_outcome(spec, model, options, outcome, recheck)
        message = reading.message
        note = _threads_note(spec, options)
        if note:
            message = f"{message}; {note}" if message else note
        termination = Termination(
            status=reading.status,
            objective=reading.objective,
            bound=reading.bound,
            seconds=time.perf_counter() - started,
            backend=self.name,
            solver=spec.name,
            solver_version=f"OR-Tools {ortools.__version__} ({spec.name})",
            message=message,
            limit_reached=reading.limit_reached,
            interrupted=reading.interrupted,
            gap_limit=options.relative_gap,
        )
        optimal = reading.status is SolveStatus.OPTIMAL
        return SolveResult(
            termination=termination,
            values=reading.values,
            duals=outcome.duals if optimal else None,
            reduced_costs=outcome.reduced_costs if optimal else None,
        )

    def _spec(self, solver: str) -> SolverSpec:
        available = self.available_solvers()
        if solver not in SOLVERS or solver not in available:
            known = ", ".join(available) or "none"
            what = "unknown" if solver not in SOLVERS else "not available on this machine"
            raise BackendError(
                f"solver '{solver}' is {what} for the ortools backend (available: {known})"
            )
        return SOLVERS[solver]


@cache
def _is_supported(ortools_name: str) -> bool:
    return bool(mbh.ModelSolverHelper(ortools_name).solver_is_supported())


def solver_parameters(spec: SolverSpec, options: SolveOptions) -> str:
    """The solver-specific parameter string for ``options`` (see the module's table)."""
    parts = []
    if spec.quiet_parameter is not None and not options.verbose:
        parts.append(spec.quiet_parameter)
    if spec.gap_parameter:
        parts.append(spec.gap_parameter.format(gap=repr(float(options.relative_gap))))
    if options.threads is not None and spec.threads_parameter is not None:
        parts.append(spec.threads_parameter.format(threads=options.threads))
    parts.extend(spec.fixed_parameters)
    return spec.separator.join(parts)


def _threads_note(spec: SolverSpec, options: SolveOptions) -> str:
    if options.threads is None or spec.threads_parameter is not None:
        return ""
    if spec.single_threaded and options.threads == 1:
        return ""
    return spec.threads_note.format(threads=options.threads)


def _refuse_malformed(model: LinearModel) -> None:
    """``BackendError`` for what no solver can take (``LinearModel.malformations``).

    OR-Tools would call a NaN bound "infeasible", which is not a finding about the case.
    """
    problems = model.malformations()
    if problems:
        raise BackendError("the ortools backend cannot take a model with " + "; ".join(problems))


def _refuse_unsupported(spec: SolverSpec, model: LinearModel) -> None:
    """``BackendError`` when the solver would answer a different model than the one given."""
    integer = np.asarray(model.integer, dtype=bool)
    if not spec.integers and integer.any():
        columns = np.flatnonzero(integer)
        raise BackendError(
            f"{spec.name} solves linear programs only; this model has {columns.size} integer "
            f"columns ({family_counts(columns, model.variables)}); use scip or highs"
        )
    if not spec.continuous and not integer.all():
        continuous = np.flatnonzero(~integer)
        raise BackendError(
            f"{spec.name} solves integer-only models, and would round continuous columns to "
            f"whole numbers; this model has {continuous.size} continuous columns "
            f"({family_counts(continuous, model.variables)}); use scip or highs"
        )
    limit = spec.bound_limit
    if math.isfinite(limit):
        beyond = (np.abs(model.lower) > limit) | (np.abs(model.upper) > limit)
        if beyond.any():
            columns = np.flatnonzero(beyond)
            raise BackendError(
                f"{spec.name} clamps column bounds to +-{limit:g} and would answer a "
                f"different model; {columns.size} columns have an infinite or larger bound "
                f"({family_counts(columns, model.variables)}); use scip or highs"
            )


def _translate(model: LinearModel) -> mb.Model:
    """The OR-Tools model: arrays in one call, then integrality, sense and offset."""
    matrix = model.matrix
    if not isinstance(matrix, sp.csr_matrix) or matrix.dtype != np.float64:
        matrix = sp.csr_matrix(matrix, dtype=np.float64)
    if not matrix.has_canonical_format:
        matrix = matrix.copy()  # never change the caller's model
        matrix.sum_duplicates()  # OR-Tools would keep a repeated column twice in a row
    built = mb.Model()
    helper = built.helper
    helper.fill_model_from_sparse_data(
        _floats(model.lower),
        _floats(model.upper),
        _floats(model.objective),
        _floats(model.row_lower),
        _floats(model.row_upper),
        matrix,
    )
    # The helper has no array setter for integrality: one call per integer column.
    for column in np.flatnonzero(model.integer):
        helper.set_var_integrality(int(column), True)
    helper.set_maximize(bool(model.maximize))
    helper.set_objective_offset(float(model.objective_offset))
    return built


def _floats(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.float64)


def _run(
    spec: SolverSpec,
    built: mb.Model,
    parameters: str,
    options: SolveOptions,
    time_limit: float | None,
) -> RawOutcome:
    """One call to the solver, read into a ``RawOutcome``."""
    solver = mbh.ModelSolverHelper(spec.ortools_name)
    solver.enable_output(options.verbose)
    solver.set_solver_specific_parameters(parameters)
    if time_limit is not None:
        solver.set_time_limit_in_seconds(float(time_limit))
    started = time.perf_counter()
    solver.solve(built.helper)
    seconds = time.perf_counter() - started
    has_solution = bool(solver.has_solution())
    duals = reduced = None
    if has_solution and spec.duals:
        duals = np.array(solver.dual_values(), dtype=np.float64)
        reduced = np.array(solver.reduced_costs(), dtype=np.float64)
    return RawOutcome(
        status=solver.status(),
        status_string=str(solver.status_string()),
        has_response=bool(solver.has_response()),
        objective=float(solver.objective_value()) if has_solution else None,
        bound=float(solver.best_objective_bound()) if has_solution else None,
        values=np.array(solver.variable_values(), dtype=np.float64) if has_solution else None,
        seconds=seconds,
        time_limit=time_limit,
        duals=duals,
        reduced_costs=reduced,
    )


def read_outcome(
    spec: SolverSpec,
    model: LinearModel,
    options: SolveOptions,
    outcome: RawOutcome,
    recheck: Callable[[], RawOutcome | None],
) -> Reading:
    """Read an OR-Tools outcome in our terms (the status table of the module docstring).

    ``recheck`` solves the model again with a zero objective, or returns None when
    no time is left; it is called only for an "infeasible or unbounded" answer.
    """
    status, text = outcome.status, outcome.status_string
    if not outcome.has_response:
        return Reading(SolveStatus.ERROR, message=f"{spec.name} gave no answer ({status.name})")
    if status in (OrToolsStatus.OPTIMAL, OrToolsStatus.FEASIBLE):
        return _read_plan(spec, model, options, outcome)
    if status == OrToolsStatus.UNBOUNDED:
        return Reading(SolveStatus.UNBOUNDED, message=text)
    ambiguous = spec.silent_infeasible_or_unbounded and status == OrToolsStatus.INFEASIBLE
    if ambiguous or (status in _MAYBE_UNBOUNDED and "unbounded" in text.lower()):
        return _tell_apart(text, recheck)
    if status == OrToolsStatus.INFEASIBLE:
        return Reading(SolveStatus.INFEASIBLE, message=text)
    if status in (OrToolsStatus.NOT_SOLVED, OrToolsStatus.UNKNOWN_STATUS) and outcome.ran_out:
        return Reading(
            SolveStatus.NO_SOLUTION,
            message=f"time limit of {options.time_limit:g} s reached before any plan was found",
            limit_reached=True,
        )
    detail = f": {text}" if text else ""
    return Reading(SolveStatus.ERROR, message=f"{spec.name} ended with {status.name}{detail}")


def _read_plan(
    spec: SolverSpec,
    model: LinearModel,
    options: SolveOptions,
    outcome: RawOutcome,
) -> Reading:
    """An outcome with a plan: optimal when the solver says so (proven, or within the
    allowed gap); feasible when a limit or an interrupt stopped it first."""
    values = outcome.values
    if values is None or values.shape != (model.num_variables,):
        size = "no" if values is None else str(values.shape[0])
        return Reading(
            SolveStatus.ERROR,
            message=f"{spec.name} reported a plan with {size} values for "
            f"{model.num_variables} columns",
        )
    proven = outcome.status == OrToolsStatus.OPTIMAL
    bound = outcome.bound
    # Where the bound is a copy of the objective, it is a bound only once optimality
    # is proven: always for an LP, with a zero gap for a MIP.
    copy_is_bound = proven and (options.relative_gap == 0 or not np.any(model.integer))
    if not spec.reports_bound:  # proven: the objective is the bound; else unknown
        bound = outcome.objective if copy_is_bound else None
    common = {"objective": outcome.objective, "bound": bound, "values": values}
    if proven and (options.relative_gap == 0 or _closed(outcome.objective, bound)):
        return Reading(SolveStatus.OPTIMAL, **common)
    if proven:
        achieved = (
            "the solver reports no bound"
            if bound is None
            else f"achieved {_gap(outcome.objective, bound):.3g}"
        )
        return Reading(
            SolveStatus.OPTIMAL,
            message=f"stopped within the allowed relative gap {options.relative_gap:g} "
            f"({achieved})",
            **common,
        )
    if _stopped_by_limit(outcome, options):
        return Reading(
            SolveStatus.FEASIBLE,
            message=f"time limit of {options.time_limit:g} s reached before optimality was proven",
            limit_reached=True,
            **common,
        )
    detail = f" ({outcome.status_string})" if outcome.status_string else ""
    return Reading(
        SolveStatus.FEASIBLE,
        message=f"{spec.name} was interrupted before proving optimality{detail}",
        interrupted=True,
        **common,
    )


def _stopped_by_limit(outcome: RawOutcome, options: SolveOptions) -> bool:
    """Whether the time limit, rather than an interrupt, stopped a solve short of a proof.

    With no gap to stop at, only the time limit or an interrupt (Ctrl-C, which SCIP
    catches and OR-Tools reports as FEASIBLE with no reason) can: a solve that used at
    least half its limit is taken to have reached it (a busy machine can make a short
    limit end early by the wall clock)."""
    limit = options.time_limit
    return outcome.ran_out or (limit is not None and outcome.seconds >= 0.5 * limit)


def _tell_apart(text: str, recheck: Callable[[], RawOutcome | None]) -> Reading:
    """Infeasible or unbounded: a zero objective cannot be unbounded, so solve that."""
    said = f"the solver said '{text}'"
    check = recheck()
    if check is not None and check.status in (OrToolsStatus.OPTIMAL, OrToolsStatus.FEASIBLE):
        return Reading(
            SolveStatus.UNBOUNDED,
            message=f"{said}; a plan exists (found with a zero objective), so it is unbounded",
        )
    if check is not None and check.status == OrToolsStatus.INFEASIBLE:
        return Reading(
            SolveStatus.INFEASIBLE, message=f"{said}; with a zero objective it is infeasible"
        )
    if check is None or check.ran_out:
        return Reading(
            SolveStatus.NO_SOLUTION,
            message=f"{said}; the time limit ran out before the two could be told apart",
            limit_reached=True,
        )
    detail = f": {check.status_string}" if check.status_string else ""
    return Reading(
        SolveStatus.ERROR,
        message=f"{said}; the zero-objective re-check ended with {check.status.name}{detail}",
    )


def _closed(objective: float | None, bound: float | None) -> bool:
    if objective is None or bound is None:
        return False
    return abs(bound - objective) <= CLOSED_GAP * max(1.0, abs(objective))


def _gap(objective: float | None, bound: float) -> float:
    objective = 0.0 if objective is None else objective
    return abs(bound - objective) / max(abs(objective), 1e-9)
