"""How an analysis solves: one backend and one set of options for every solve it runs.

A runner aimed at a base plan (``Runner.near``) does two things for every solve, as its
options say:

- ``change``: "minimal" (the default) returns, among the plans as good as the optimum
  found (within the allowed gap), the one that changes the fewest of the base plan's
  decisions (``allocator.analysis.closest``); "units" then also keeps the change in
  units bought, paid for and drawn smallest; "any" returns the optimum as found.
- ``warm``: hands the solver the base plan, matched to the variant's columns, as a
  starting plan, where the solver takes one (``Feature.HINTS``); a solver that takes
  none is refused up front (``Runner.__post_init__``), never silently run cold.

A solve that Ctrl-C stopped (SCIP catches it and returns its best plan) raises
``KeyboardInterrupt``: a single solve reports that plan, but an analysis must stop rather
than go on to its next solve.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from allocator.analysis.baseplan import BasePlan
from allocator.analysis.closest import closest
from allocator.backends.base import BackendError
from allocator.backends.capabilities import Feature
from allocator.backends.options import DEFAULT_GAP, SolveOptions
from allocator.backends.registry import BACKENDS, DEFAULT_BACKEND, get_backend
from allocator.case.model import Case
from allocator.engine import Result, formulated, solve_formulation, stop_if_interrupted
from allocator.errors import InputError
from allocator.formulation import Formulation
from allocator.model.linear import LinearModel


class Change(StrEnum):
    """Which plan a variant returns among those as good as its optimum."""

    MINIMAL = "minimal"
    """The fewest of the base plan's decisions changed."""
    UNITS = "units"
    """The fewest decisions changed, then the smallest change in units."""
    ANY = "any"
    """The optimum the solver found (fastest)."""


@dataclass(frozen=True)
class Runner:
    """The backend, solver and limits of every solve in an analysis (time limit per solve),
    and how its variants relate to a base plan (module docstring)."""

    backend: str = DEFAULT_BACKEND
    solver: str | None = None
    time_limit: float | None = None
    gap: float = DEFAULT_GAP
    change: Change = Change.MINIMAL
    warm: bool = False
    base: BasePlan | None = field(default=None, compare=False, repr=False)
    """The plan the variants are compared with and started from (set by ``near``)."""

    def __post_init__(self) -> None:
        if self.change not in set(Change):
            known = ", ".join(Change)
            raise InputError(f"change must be one of {known}, got {self.change!r}")
        object.__setattr__(self, "change", Change(self.change))  # "any" as Change.ANY
        get_backend(self.backend)  # refuse an unknown backend before any work
        self.options()  # refuse options out of range
        if self.warm and not self.takes_start():
            solver = self.solver or get_backend(self.backend).default_solver
            takes = [
                f"{name}: {', '.join(found)}"
                for name in BACKENDS
                if (found := get_backend(name).solvers_with(Feature.HINTS))
            ]
            raise BackendError(
                f"{self.backend}/{solver} takes no starting plan, so it cannot start warm "
                f"(solvers that take one: {'; '.join(takes) or 'none'})"
            )

    def options(self) -> SolveOptions:
        """The shared solve options."""
        return SolveOptions(time_limit=self.time_limit, relative_gap=self.gap, solver=self.solver)

    def takes_start(self) -> bool:
        """Whether the solver takes a starting plan (declares ``Feature.HINTS``)."""
        backend = get_backend(self.backend)
        solver = self.solver or backend.default_solver
        return backend.capabilities(solver).supports(Feature.HINTS)

    def near(self, base: Result) -> Runner:
        """This runner aimed at ``base``'s plan (as it is when ``base`` has no plan)."""
        if base.values is None or base.formulation is None:
            return self
        return self.aimed(BasePlan.of(base.formulation.model, base.values))

    def aimed(self, base: BasePlan) -> Runner:
        """This runner aimed at ``base``."""
        return replace(self, base=base)

    @property
    def minimal(self) -> bool:
        """Whether variants are brought closest to a base plan (``change`` is not "any")."""
        return self.change is not Change.ANY

    @property
    def wants_base(self) -> bool:
        """Whether a base plan serves this runner: to bring variants closest to it, or to
        start them from it."""
        return self.minimal or self.warm

    @property
    def starts_warm(self) -> bool:
        """Whether ``resolve`` hands the solver the base plan as a starting plan."""
        return self.warm and self.base is not None

    def solve(self, case: Case, scenario: str | None = None) -> Result:
        """Formulate and solve ``case`` (with ``scenario`` applied); the plan is checked."""
        case, formulation, seconds = formulated(case, scenario)
        return self.resolve(case, formulation, formulation.model, scenario, seconds)

    def resolve(
        self,
        case: Case,
        formulation: Formulation,
        model: LinearModel,
        scenario: str | None = None,
        seconds: dict[str, float] | None = None,
    ) -> Result:
        """Solve ``model``, a variant of ``formulation`` (other bounds), as the module
        docstring says; the plan is checked. ``seconds``: steps timed before."""
        start = self.base.start_for(model) if self.starts_warm else None
        result = solve_formulation(
            case,
            formulation,
            self.backend,
            self.options(),
            model=model,
            scenario=scenario,
            seconds=seconds,
            start=start,
        )
        stop_if_interrupted(result.termination)
        if self.change is Change.ANY or self.base is None:
            return result
        return closest(
            case,
            formulation,
            model,
            result,
            self.base,
            self.backend,
            self.options(),
            units=self.change is Change.UNITS,
            hints=self.takes_start(),
        )
