"""How an analysis solves: one backend and one set of options for every solve it runs."""

from __future__ import annotations

from dataclasses import dataclass

from allocator.backends.options import DEFAULT_GAP, SolveOptions
from allocator.backends.registry import DEFAULT_BACKEND, get_backend
from allocator.case.model import Case
from allocator.engine import Result, solve, solve_formulation
from allocator.formulation import Formulation
from allocator.model.linear import LinearModel


@dataclass(frozen=True)
class Runner:
    """The backend, solver and limits of every solve in an analysis (time limit per solve)."""

    backend: str = DEFAULT_BACKEND
    solver: str | None = None
    time_limit: float | None = None
    gap: float = DEFAULT_GAP

    def __post_init__(self) -> None:
        get_backend(self.backend)  # refuse an unknown backend before any work
        self.options()  # refuse options out of range

    def options(self) -> SolveOptions:
        """The shared solve options."""
        return SolveOptions(time_limit=self.time_limit, relative_gap=self.gap, solver=self.solver)

    def solve(self, case: Case, scenario: str | None = None) -> Result:
        """Formulate and solve ``case`` (with ``scenario`` applied); the plan is checked."""
        return solve(
            case,
            scenario=scenario,
            backend=self.backend,
            solver=self.solver,
            time_limit=self.time_limit,
            gap=self.gap,
        )

    def resolve(self, case: Case, formulation: Formulation, model: LinearModel) -> Result:
        """Solve a variant ``model`` of ``formulation`` (other bounds); the plan is checked."""
        return solve_formulation(case, formulation, self.backend, self.options(), model=model)
