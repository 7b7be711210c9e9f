"""What a solve may do: the options every backend understands."""

from __future__ import annotations

from dataclasses import dataclass

from allocator.errors import InputError


@dataclass(frozen=True)
class SolveOptions:
    """Options shared by every backend.

    ``relative_gap`` 0 asks the solver to prove optimality (the solver's own
    smallest tolerance where it cannot take 0); a larger value lets it stop
    once |bound - objective| <= relative_gap * |objective|, and the status
    then says "feasible", never "optimal". ``solver`` None takes the backend's
    default; ``threads`` None lets the solver decide.
    """

    time_limit: float | None = None
    relative_gap: float = 0.0
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
