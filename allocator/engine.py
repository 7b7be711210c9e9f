"""One solve, end to end: formulate, hand to a backend, read the plan back, check it.

    result = allocator.solve(case, backend="pulp", time_limit=60)
    result.termination.status, result.plan.projects, result.verification.ok

Every plan goes through the independent checker (``allocator.verify``); a plan
that breaks a rule raises ``PlanCheckError`` instead of being returned.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from allocator.backends.options import DEFAULT_GAP, SolveOptions
from allocator.backends.registry import DEFAULT_BACKEND, get_backend, solver_why
from allocator.backends.termination import SolveResult, Termination
from allocator.case.model import Case
from allocator.case.whatif import apply_scenario
from allocator.formulation import Formulation, formulate
from allocator.formulation.numerics import numeric_warnings
from allocator.model.linear import LinearModel
from allocator.plan import Plan, extract_plan
from allocator.plan.nearness import Nearness
from allocator.verify import Verification, Violation, verify

if TYPE_CHECKING:
    from allocator.decompose.api import Decomposition

Progress = Callable[[str], None]


class PlanCheckError(Exception):
    """The solver returned a plan that the independent checker rejects."""

    def __init__(self, violations: tuple[Violation, ...]) -> None:
        self.violations = violations
        shown = "; ".join(str(v) for v in violations[:5])
        more = f" (and {len(violations) - 5} more)" if len(violations) > 5 else ""
        super().__init__(f"the plan breaks {len(violations)} rule(s): {shown}{more}")

    def __reduce__(self) -> tuple[type[PlanCheckError], tuple[tuple[Violation, ...]]]:
        """Pickled with its violations (a sweep's worker sends it back to the caller)."""
        return (type(self), (self.violations,))


@dataclass(frozen=True, kw_only=True)
class Result:
    """What a solve gives back (built with keywords only: ``Result(case=..., ...)``).

    ``plan`` and ``verification`` are None when the solve found no plan.
    ``seconds`` has the wall time of each step: formulate, solve, plan, verify.
    """

    case: Case
    scenario: str | None
    termination: Termination
    plan: Plan | None
    verification: Verification | None
    seconds: dict[str, float] = field(default_factory=dict)
    size: dict[str, int] = field(default_factory=dict)
    formulation: Formulation | None = field(default=None, repr=False)
    """The formulation solved, for analyses that re-solve variants of it."""
    values: np.ndarray | None = field(default=None, repr=False)
    """Every column's value in the plan, as the solver returned it."""
    warnings: tuple[str, ...] = ()
    """Numbers in the model that solvers handle badly (``allocator.formulation.numerics``)."""
    nearness: Nearness | None = None
    """For a what-if solved against a base plan: how close its plan is to the base
    (``allocator.analysis.closest``); None otherwise."""
    decomposition: Decomposition | None = None
    """For a plan made by parts (``allocator.decompose``): how; None otherwise."""
    solver_why: str = ""
    """Why this backend and solver (``allocator.backends.registry.solver_why``)."""


def solve(
    case: Case,
    *,
    scenario: str | None = None,
    backend: str = DEFAULT_BACKEND,
    solver: str | None = None,
    time_limit: float | None = None,
    gap: float = DEFAULT_GAP,
    threads: int | None = None,
    verbose: bool = False,
    progress: Progress | None = None,
) -> Result:
    """Solve ``case`` (with ``scenario`` applied) and check the plan.

    ``gap`` is the relative gap to stop at (default 1e-4; 0 proves optimality);
    ``solver`` None is the backend's default.
    Raises ``BackendError`` for an unknown backend or solver, ``InputError`` (a
    ``ValueError``) for bad options, ``CaseError`` for an unknown scenario and
    ``PlanCheckError`` if the plan breaks a rule of the case.
    """
    options = SolveOptions(
        time_limit=time_limit, relative_gap=gap, threads=threads, solver=solver, verbose=verbose
    )
    get_backend(backend)  # an unknown backend is refused before any work
    (progress or _quiet)("building the model")
    case, formulation, seconds = formulated(case, scenario)
    return solve_formulation(
        case, formulation, backend, options, scenario=scenario, progress=progress, seconds=seconds
    )


def stop_if_interrupted(termination: Termination) -> None:
    """Raise ``KeyboardInterrupt`` when Ctrl-C stopped the solver: SCIP catches it and
    returns its best plan, which a single solve reports, but a command that solves many
    times (an analysis) would go on to its next solve; the user asked it to stop."""
    if termination.interrupted:
        raise KeyboardInterrupt


def formulated(
    case: Case, scenario: str | None = None
) -> tuple[Case, Formulation, dict[str, float]]:
    """``case`` with ``scenario`` applied, its formulation, and the seconds that took
    (``{"formulate": s}``, the first step of ``Result.seconds``)."""
    if scenario is not None:
        case = apply_scenario(case, scenario)
    clock = time.perf_counter()
    formulation = formulate(case)
    return case, formulation, {"formulate": time.perf_counter() - clock}


def solve_formulation(
    case: Case,
    formulation: Formulation,
    backend: str,
    options: SolveOptions,
    *,
    model: LinearModel | None = None,
    scenario: str | None = None,
    progress: Progress | None = None,
    seconds: dict[str, float] | None = None,
    start: np.ndarray | None = None,
) -> Result:
    """Solve ``model`` (by default the formulation's own; or a variant of it with other
    bounds, same columns and rows), read the plan back and check it against ``case``.
    ``start``: a starting plan for the solver (one value per column of ``model``)."""
    say = progress or _quiet
    model = model or formulation.model
    seconds = dict(seconds or {})
    say(f"solving {model.num_variables:,} columns x {model.num_constraints:,} rows")
    clock = time.perf_counter()
    solved = get_backend(backend).solve(model, options, start=start)
    seconds["solve"] = time.perf_counter() - clock
    result = checked_result(
        case, formulation, model, solved, scenario=scenario, progress=progress, seconds=seconds
    )
    return replace(result, solver_why=solver_why(backend, options.solver))


def checked_result(
    case: Case,
    formulation: Formulation,
    model: LinearModel,
    solved: SolveResult,
    *,
    scenario: str | None = None,
    progress: Progress | None = None,
    seconds: dict[str, float] | None = None,
) -> Result:
    """The ``Result`` of ``solved`` (an answer for ``model``, a variant of
    ``formulation``): its plan read back and checked against ``case``, whose objective
    must be ``solved.termination.objective``."""
    seconds = dict(seconds or {})
    size = {
        "columns": model.num_variables,
        "rows": model.num_constraints,
        "nonzeros": int(model.matrix.nnz),
        "integers": int(model.integer.sum()),
    }
    warnings = tuple(numeric_warnings(model))
    result = Result(
        case=case,
        scenario=scenario,
        termination=solved.termination,
        plan=None,
        verification=None,
        seconds=seconds,
        size=size,
        formulation=formulation,
        warnings=warnings,
    )
    if solved.values is None or not solved.termination.status.has_solution:
        return result
    (progress or _quiet)("checking the plan")
    plan, verification = _plan(case, formulation, solved.values, solved.termination, seconds)
    if not verification.ok:
        raise PlanCheckError(verification.violations)
    return replace(result, plan=plan, verification=verification, values=solved.values)


def _quiet(_: str) -> None:
    """A progress callback that says nothing."""


def _plan(
    case: Case,
    formulation: Formulation,
    values: np.ndarray,
    termination: Termination,
    seconds: dict[str, float],
) -> tuple[Plan, Verification]:
    clock = time.perf_counter()
    plan = extract_plan(case, formulation, values)
    seconds["plan"] = time.perf_counter() - clock
    clock = time.perf_counter()
    verification = verify(case, plan, termination.objective)
    seconds["verify"] = time.perf_counter() - clock
    return plan, verification
