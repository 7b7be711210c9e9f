"""The HiGHS backend: a ``LinearModel`` solved by HiGHS through its own Python API (highspy).

The model goes to HiGHS in one call (``Highs.passModel`` of a ``HighsLp``: bounds,
objective, sense, offset, integrality and the row-wise matrix as arrays), with no
per-column objects in between; on the LP relaxation of a 12,500-project part of a
generated case that takes 3.8 s with duals, against 11.8 s through PuLP's HiGHS and
16.7 s through OR-Tools' Glop (docs/performance.md, "Large cases"). It is the backend
that reports HiGHS's row duals: OR-Tools' HiGHS returns row activities in their place.

One solver, ``highs``. Options -> HiGHS options: ``time_limit`` -> ``time_limit``;
``relative_gap`` -> ``mip_rel_gap`` (with 0, ``mip_abs_gap`` 0 too: HiGHS's default
absolute gap of 1e-6 would otherwise let it stop short of a proof); ``threads`` ->
``threads`` (HiGHS fixes its thread pool once per process, so the pool is reset before
each solve, as the PuLP backend does: two HiGHS solves must not run at once in one
process); ``verbose`` -> ``output_flag``.

Reading the answer: HiGHS's model status -> ``conditions.HIGHS_CONDITIONS`` (the same
HiGHS either way); a plan exists when ``primal_solution_status`` is feasible; the bound
is ``mip_dual_bound`` for a model with integer columns, none for a linear program
(``finish`` takes the objective once it is optimal). For a maximisation HiGHS reports
duals as d objective / d bound, as declared. Not declared: starting plans and Ctrl-C
(HiGHS's interrupt needs a callback this backend does not install).
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

# OR-Tools first: its HiGHS and highspy's are two copies of one library, and the one
# loaded second crashes on the first's symbols unless OR-Tools' comes first (see
# ``pulp_backend``). Nothing else is taken from OR-Tools here.
import ortools.linear_solver.python.model_builder  # noqa: F401

# isort: split
import highspy

from allocator.backends.base import BackendError
from allocator.backends.capabilities import (
    Capabilities,
    Feature,
    refuse_start,
    refuse_unsupported,
    solvers_with,
)
from allocator.backends.conditions import HIGHS_CONDITIONS, Condition, Outcome
from allocator.backends.finish import Label, finish, refuse_malformed
from allocator.backends.options import SolveOptions
from allocator.backends.termination import SolveResult
from allocator.model.linear import LinearModel

CAPABILITIES: dict[str, Capabilities] = {
    "highs": Capabilities(
        frozenset(
            {Feature.INTEGERS, Feature.CONTINUOUS, Feature.DUALS, Feature.BOUND, Feature.THREADS}
        ),
        max_dual_sign=1.0,
    )
}
"""The one solver and what it declares."""


class HighsBackend:
    """Solves a ``LinearModel`` with HiGHS through highspy; see the module docstring."""

    name = "highs"
    default_solver = "highs"

    def available_solvers(self) -> list[str]:
        """``highs`` (highspy is a dependency)."""
        return list(CAPABILITIES)

    def capabilities(self, solver: str) -> Capabilities:
        """What ``solver`` declares; ``BackendError`` for any name but ``highs``."""
        if solver not in CAPABILITIES:
            raise BackendError(f"solver '{solver}' is unknown for the highs backend (highs)")
        return CAPABILITIES[solver]

    def solvers_with(self, *features: Feature) -> list[str]:
        """``highs`` if it declares every one of ``features``."""
        return solvers_with(CAPABILITIES, *features)

    def solve(
        self, model: LinearModel, options: SolveOptions, start: np.ndarray | None = None
    ) -> SolveResult:
        """Solve ``model``; ``BackendError`` for an unknown solver, a malformed model or a
        starting plan (HiGHS is given none here)."""
        started = time.perf_counter()
        solver = options.solver or self.default_solver
        self.capabilities(solver)
        refuse_malformed(model, self.name)
        refuse_unsupported(CAPABILITIES, solver, model)
        if start is not None:
            refuse_start(CAPABILITIES, solver)
        return _finished(model, options, _run(model, options, options.time_limit), started)


class Resolver:
    """Variants of one model solved by one HiGHS that keeps its matrix and objective.

    A variant (``dataclasses.replace`` of the model with other column or row bounds)
    passes only its bounds (``changeColsBounds``, ``changeRowsBounds``), and a linear
    program starts from the last basis: on a 2,000-project case a variant's LP takes a
    fraction of a fresh solve. The variant must share the model's matrix (the same
    object), objective and integrality, or ``BackendError`` says so.
    """

    def __init__(self, model: LinearModel) -> None:
        refuse_malformed(model, HighsBackend.name)
        self.model = model
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        passed = self.highs.passModel(_translate(model))
        if passed == highspy.HighsStatus.kError:
            raise BackendError("HiGHS did not take the model")
        self._columns = np.arange(model.num_variables, dtype=np.int32)
        self._rows = np.arange(model.num_constraints, dtype=np.int32)

    def solve(self, variant: LinearModel, options: SolveOptions) -> SolveResult:
        """Solve ``variant`` (see the class docstring) with ``options``."""
        started = time.perf_counter()
        model = self.model
        if variant.matrix is not model.matrix or not (
            np.array_equal(variant.objective, model.objective)
            and np.array_equal(variant.integer, model.integer)
            and variant.maximize == model.maximize
        ):
            raise BackendError(
                "a re-solved variant must share the model's rows, objective and integers"
            )
        highs = self.highs
        _set_options(highs, options, options.time_limit)
        columns, rows = self._columns, self._rows
        highs.changeColsBounds(
            columns.size, columns, _finite(variant.lower), _finite(variant.upper)
        )
        highs.changeRowsBounds(
            rows.size, rows, _finite(variant.row_lower), _finite(variant.row_upper)
        )
        return _finished(variant, options, _run_passed(highs, variant), started)


def _finished(
    model: LinearModel, options: SolveOptions, outcome: Outcome, started: float
) -> SolveResult:
    """``outcome`` of ``model`` as a ``SolveResult`` (``finish``), rechecked by a fresh
    feasibility solve where ``finish`` asks."""

    def recheck(seconds: float) -> Outcome:
        feasibility = replace(model, objective=np.zeros_like(model.objective))
        return _run(feasibility, options, seconds)

    label = Label(HighsBackend.name, HighsBackend.default_solver, outcome.version)
    return finish(model, options, outcome, label=label, started=started, recheck=recheck)


def _finite(bounds: np.ndarray) -> np.ndarray:
    """Bounds with infinities as HiGHS's infinity."""
    return np.clip(bounds, -highspy.kHighsInf, highspy.kHighsInf)


def _run(model: LinearModel, options: SolveOptions, time_limit: float | None) -> Outcome:
    """One HiGHS solve of ``model``, read back."""
    highs = highspy.Highs()
    _set_options(highs, options, time_limit)
    passed = highs.passModel(_translate(model))
    if passed == highspy.HighsStatus.kError:
        return Outcome(Condition.ERROR, said="HiGHS did not take the model")
    return _run_passed(highs, model)


def _set_options(highs: highspy.Highs, options: SolveOptions, time_limit: float | None) -> None:
    """The run's options on ``highs`` (module docstring), its thread pool reset."""
    highs.setOptionValue("output_flag", bool(options.verbose))
    highspy.Highs.resetGlobalScheduler(True)
    if options.threads is not None:
        highs.setOptionValue("threads", int(options.threads))
    highs.setOptionValue("time_limit", float(time_limit) if time_limit is not None else np.inf)
    highs.setOptionValue("mip_rel_gap", float(options.relative_gap))
    highs.setOptionValue("mip_abs_gap", 0.0 if options.relative_gap == 0 else HIGHS_ABS_GAP)


HIGHS_ABS_GAP = 1e-6
"""HiGHS's own default ``mip_abs_gap``, set again on a ``Resolver`` after a gap of 0."""


def _run_passed(highs: highspy.Highs, model: LinearModel) -> Outcome:
    """Run the model ``highs`` holds (``model``), read back."""
    try:
        highs.run()
    except Exception as error:  # highspy raises what HiGHS reports as an error
        return Outcome(Condition.ERROR, said=f"{type(error).__name__}: {error}")
    return _read(highs, model)


def _translate(model: LinearModel) -> highspy.HighsLp:
    """``model`` as a ``HighsLp``: infinite bounds as HiGHS's infinity, the CSR matrix
    row-wise, the sense and the offset."""
    matrix = model.matrix.tocsr()
    lp = highspy.HighsLp()
    lp.num_col_ = model.num_variables
    lp.num_row_ = model.num_constraints
    lp.col_cost_ = np.asarray(model.objective, dtype=np.float64)
    lp.offset_ = float(model.objective_offset)
    lp.col_lower_ = _finite(model.lower)
    lp.col_upper_ = _finite(model.upper)
    lp.row_lower_ = _finite(model.row_lower)
    lp.row_upper_ = _finite(model.row_upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(np.float64)
    sense = highspy.ObjSense
    lp.sense_ = sense.kMaximize if model.maximize else sense.kMinimize
    if model.integer.any():
        kinds = highspy.HighsVarType
        lp.integrality_ = [kinds.kInteger if flag else kinds.kContinuous for flag in model.integer]
    return lp


def _read(highs: highspy.Highs, model: LinearModel) -> Outcome:
    """HiGHS's status (``HIGHS_CONDITIONS``), plan, objective, bound and, for an optimal
    linear program, its duals and reduced costs."""
    status = highs.getModelStatus()
    info = highs.getInfo()
    feasible = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    condition = HIGHS_CONDITIONS.get(status.name, Condition.ERROR)
    if status.name == "kUnbounded" and feasible:
        condition = Condition.UNBOUNDED
    said = f"HiGHS: {highs.modelStatusToString(status)}"
    outcome = Outcome(condition, said=said, version=f"HiGHS {highs.version()}")
    if not (feasible and condition.searching):
        return outcome
    solution = highs.getSolution()
    values = np.asarray(solution.col_value, dtype=np.float64)
    integer = bool(model.integer.any())
    bound = float(info.mip_dual_bound) if integer and np.isfinite(info.mip_dual_bound) else None
    outcome = replace(
        outcome, values=values, objective=float(info.objective_function_value), bound=bound
    )
    if integer or condition is not Condition.OPTIMAL or not solution.dual_valid:
        return outcome
    return replace(
        outcome,
        duals=np.asarray(solution.row_dual, dtype=np.float64),
        reduced_costs=np.asarray(solution.col_dual, dtype=np.float64),
    )
