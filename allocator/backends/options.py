"""What a solve may do: the options every backend understands."""

from __future__ import annotations

from dataclasses import dataclass

from allocator.errors import InputError

DEFAULT_GAP = 1e-4
"""The relative gap a solve stops at unless asked otherwise: the default of Gurobi,
CPLEX and HiGHS. A plan within it is reported optimal, "within 0.01%", with its bound;
a gap of 0 asks for a proof."""


@dataclass(frozen=True)
class SolveOptions:
    """Options shared by every backend.

    ``relative_gap`` 0 asks the solver to prove optimality (the solver's own
    smallest tolerance where it cannot take 0); a larger value (by default
    ``DEFAULT_GAP``) lets it stop once |bound - objective| <= relative_gap *
    |objective|: the status is then "optimal" within that gap, and
    ``Termination.proven_optimal`` says whether the bound met the objective.
    ``solver`` None takes the backend's default; ``threads`` None lets the
    solver decide.
    """

    time_limit: float | None = None
    relative_gap: float = DEFAULT_GAP
    threads: int | None = None
    solver: str | None = None
    verbose: bool = False

    def __post_init__(self) -> None:
        if self.time_limit is not None and not self.time_limit > 0:
            raise InputError(f"time limit must be positive, got {self.time_limit}")
        if not 0 <= self.relative_gap < 1:
            raise InputError(f"relative gap must be in [0, 1), got {self.relative_gap}")
        if self.threads is not None and self.threads < 1:
            raise InputError(f"threads must be at least 1, got {self.threads}")
