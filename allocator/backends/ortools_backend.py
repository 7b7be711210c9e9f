"""The OR-Tools backend: a ``LinearModel`` solved by SCIP, HiGHS, CP-SAT or Glop through OR-Tools.

The model goes to OR-Tools' linear-solver model builder in one call
(``fill_model_from_sparse_data``: bounds, objective and the CSR matrix as arrays),
then the integer columns are marked, the sense and the objective offset set.
The answer comes back through ``ModelSolverHelper``, whose ``variable_values()``
returns every column value as one array; ``finish.finish`` judges it.

Solvers, their declarations, options and status table: ``ortools_solvers``.
OR-Tools status -> ``Condition``: ``ortools_solvers.CONDITIONS``. OR-Tools gives no
termination reason, so "the time limit ran out" is read from the clock: a plan not
proven optimal after at least ``PLAN_LIMIT_SHARE`` (half) of the limit (a busy machine
can make a short limit end early by the wall clock), no plan after ``LIMIT_SHARE`` of
it. A plan not proven optimal before that was stopped by an interrupt (SCIP catches
Ctrl-C and stops).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import ortools
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder as mb
from ortools.linear_solver.python import model_builder_helper as mbh

from allocator.backends.base import BackendError
from allocator.backends.capabilities import (
    Capabilities,
    Feature,
    refuse_start,
    refuse_unsupported,
    solvers_with,
)
from allocator.backends.conditions import Condition, Outcome
from allocator.backends.finish import Label, finish, ran_out, refuse_malformed
from allocator.backends.options import SolveOptions
from allocator.backends.ortools_solvers import (
    CAPABILITIES,
    SOLVERS,
    OrToolsStatus,
    SolverSpec,
    solver_parameters,
    threads_note,
)
from allocator.backends.termination import SolveResult
from allocator.model.linear import LinearModel

LIMIT_SHARE = 0.95
"""A solve without a plan that took at least this share of its time limit hit it."""

PLAN_LIMIT_SHARE = 0.5
"""A plan not proven optimal after at least this share of the time limit: the limit."""

_MAY_BE_UNBOUNDED = (
    OrToolsStatus.INFEASIBLE,
    OrToolsStatus.NOT_SOLVED,
    OrToolsStatus.UNKNOWN_STATUS,
)
_PLAN = (OrToolsStatus.OPTIMAL, OrToolsStatus.FEASIBLE)


class OrToolsBackend:
    """Solves a ``LinearModel`` with SCIP (default), HiGHS, CP-SAT or Glop through OR-Tools.

    ``ortools_solvers`` says what each solver accepts, how the options are passed and
    how OR-Tools statuses become conditions.
    """

    name = "ortools"
    default_solver = "scip"

    def available_solvers(self) -> list[str]:
        """The solvers of ``SOLVERS`` that this OR-Tools build can run."""
        return [name for name, spec in SOLVERS.items() if _is_supported(spec.ortools_name)]

    def capabilities(self, solver: str) -> Capabilities:
        """What ``solver`` declares (``SOLVERS``); ``BackendError`` for an unknown name."""
        if solver not in SOLVERS:
            raise BackendError(f"solver '{solver}' is unknown for the ortools backend")
        return SOLVERS[solver].capabilities

    def solvers_with(self, *features: Feature) -> list[str]:
        """The solvers of ``SOLVERS`` declaring every one of ``features``."""
        return solvers_with(CAPABILITIES, *features)

    def solve(
        self, model: LinearModel, options: SolveOptions, start: np.ndarray | None = None
    ) -> SolveResult:
        """Solve ``model`` (from ``start`` where given: every column's value, as OR-Tools
        hints); ``BackendError`` for an unknown solver, a model it cannot take, or a start
        for a solver that takes none."""
        started = time.perf_counter()
        spec = self._spec(options.solver or self.default_solver)
        refuse_malformed(model, self.name)
        refuse_unsupported(CAPABILITIES, spec.name, model)
        if start is not None:
            refuse_start(CAPABILITIES, spec.name)
        built = _translate(model)
        if start is not None:
            _hint(built, model, start)
        parameters = solver_parameters(spec, options)
        answer = _run(spec, built, parameters, options, options.time_limit)

        def recheck(seconds: float) -> Outcome:
            feasibility = built.clone()
            feasibility.helper.clear_objective()
            return read_answer(spec, _run(spec, feasibility, parameters, options, seconds))

        version = f"OR-Tools {ortools.__version__} ({spec.name})"
        return finish(
            model,
            options,
            read_answer(spec, answer),
            label=Label(self.name, spec.name, version),
            started=started,
            recheck=recheck,
            note=threads_note(spec, options),
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


def _hint(built: mb.Model, model: LinearModel, start: np.ndarray) -> None:
    """Every column's value in ``start`` as a hint (integer columns rounded); the helper
    takes one hint at a time."""
    values = np.asarray(start, dtype=np.float64)
    if values.shape != (model.num_variables,) or not np.isfinite(values).all():
        raise BackendError(
            f"a starting plan needs a finite value for each of the {model.num_variables} columns"
        )
    values = np.where(model.integer, np.round(values), values)
    helper = built.helper
    for column, value in enumerate(values.tolist()):
        helper.add_hint(column, value)


def _floats(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.float64)


@dataclass(frozen=True)
class Answer:
    """What one OR-Tools call returned, before it is read through the status table."""

    status: OrToolsStatus
    status_string: str
    has_response: bool
    seconds: float
    time_limit: float | None
    """The limit this call was given (None: none)."""
    objective: float | None = None
    bound: float | None = None
    values: np.ndarray | None = field(default=None, repr=False)
    duals: np.ndarray | None = field(default=None, repr=False)
    reduced_costs: np.ndarray | None = field(default=None, repr=False)


def _run(
    spec: SolverSpec,
    built: mb.Model,
    parameters: str,
    options: SolveOptions,
    time_limit: float | None,
) -> Answer:
    """One call to the solver."""
    solver = mbh.ModelSolverHelper(spec.ortools_name)
    solver.enable_output(options.verbose)
    solver.set_solver_specific_parameters(parameters)
    if time_limit is not None:
        solver.set_time_limit_in_seconds(float(time_limit))
    started = time.perf_counter()
    solver.solve(built.helper)
    seconds = time.perf_counter() - started
    plan = bool(solver.has_solution())
    duals = plan and spec.capabilities.supports(Feature.DUALS)
    return Answer(
        status=solver.status(),
        status_string=str(solver.status_string()),
        has_response=bool(solver.has_response()),
        seconds=seconds,
        time_limit=time_limit,
        objective=float(solver.objective_value()) if plan else None,
        bound=float(solver.best_objective_bound()) if plan else None,
        values=np.array(solver.variable_values(), dtype=np.float64) if plan else None,
        duals=np.array(solver.dual_values(), dtype=np.float64) if duals else None,
        reduced_costs=np.array(solver.reduced_costs(), dtype=np.float64) if duals else None,
    )


def read_answer(spec: SolverSpec, answer: Answer) -> Outcome:
    """``answer`` in neutral terms: its condition from the solver's table (``CONDITIONS``,
    refined as its docstring says), its plan, and its bound where the solver reports one."""
    status, text = answer.status, answer.status_string
    if not answer.has_response:
        return Outcome(Condition.ERROR, said=f"{spec.name} gave no answer ({status.name})")
    condition = _condition(spec, answer)
    if condition is Condition.ERROR:
        detail = f": {text}" if text else ""
        return Outcome(condition, said=f"{spec.name} ended with {status.name}{detail}")
    if status not in _PLAN:
        return Outcome(condition, said=text)
    if answer.values is None:
        return Outcome(
            Condition.ERROR, said=f"{spec.name} reported a plan with no values ({status.name})"
        )
    reports_bound = spec.capabilities.supports(Feature.BOUND)
    return Outcome(
        condition,
        values=answer.values,
        objective=answer.objective,
        bound=answer.bound if reports_bound else None,
        said=text,
        duals=answer.duals,
        reduced_costs=answer.reduced_costs,
    )


def _condition(spec: SolverSpec, answer: Answer) -> Condition:
    """The solver's table entry for ``answer``, refined by its text and by the clock."""
    status = answer.status
    if status in _MAY_BE_UNBOUNDED and "unbounded" in answer.status_string.lower():
        return Condition.INFEASIBLE_OR_UNBOUNDED
    condition = spec.conditions.get(status, Condition.ERROR)
    if condition is not Condition.TIME_LIMIT:
        return condition
    if status in _PLAN:
        limit = ran_out(answer.seconds, answer.time_limit, PLAN_LIMIT_SHARE)
        return Condition.TIME_LIMIT if limit else Condition.INTERRUPTED
    limit = ran_out(answer.seconds, answer.time_limit, LIMIT_SHARE)
    return Condition.TIME_LIMIT if limit else Condition.ERROR
