"""How a solve ended: one record for every backend and solver."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

CLOSED_GAP = 1e-9
"""abs(bound - objective) <= CLOSED_GAP * max(1, abs(objective)) counts as no gap at all."""


class SolveStatus(StrEnum):
    """The outcome of a solve, in the words the report and the JSON use."""

    OPTIMAL = "optimal"
    """A plan optimal within the requested relative gap: proven optimal when that gap is 0
    or the bound meets the objective (``Termination.proven_optimal``), as Gurobi, CPLEX
    and HiGHS call a plan optimal within their default gap of 1e-4."""
    FEASIBLE = "feasible"
    """A plan not known to be within the requested gap: a limit or an interrupt stopped
    the search first."""
    INFEASIBLE = "infeasible"
    """Proven: no plan satisfies every rule."""
    UNBOUNDED = "unbounded"
    """Proven: the objective can grow without limit."""
    NO_SOLUTION = "no_solution"
    """A limit stopped the solver before it found any plan."""
    ERROR = "error"
    """The solver failed; ``message`` says how."""

    @property
    def has_solution(self) -> bool:
        """True when the solve returned a plan."""
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


@dataclass(frozen=True)
class Termination:
    """The shared termination record.

    ``gap`` is |bound - objective| / max(|objective|, 1e-9), None when either
    is unknown. ``gap_limit`` is the relative gap the solve was asked to stop at.
    ``limit_reached`` is True when a time limit ended the search. ``interrupted``
    is True when Ctrl-C ended it.
    """

    status: SolveStatus
    objective: float | None
    bound: float | None
    seconds: float
    backend: str
    solver: str
    solver_version: str
    message: str = ""
    limit_reached: bool = False
    interrupted: bool = False
    """True when an interrupt (Ctrl-C) stopped the solver; the plan, if any, is the best
    found by then."""
    gap_limit: float = 0.0
    """The relative gap the solver was allowed to stop at (0: prove optimality)."""

    @property
    def gap(self) -> float | None:
        """The relative gap between the objective and the best bound."""
        return relative_gap(self.objective, self.bound)

    @property
    def proven_optimal(self) -> bool:
        """Optimal with nothing left to prove: no gap was allowed, or the bound meets the
        objective (|bound - objective| <= CLOSED_GAP * max(1, |objective|))."""
        if self.status is not SolveStatus.OPTIMAL:
            return False
        if self.gap_limit == 0:
            return True
        if self.objective is None or self.bound is None:
            return False
        return abs(self.bound - self.objective) <= CLOSED_GAP * max(1.0, abs(self.objective))


@dataclass(frozen=True)
class SolveResult:
    """A termination record and, when there is a plan, the value of every column.

    For a model without integer columns solved by a solver that reports them,
    ``duals[i]`` is d objective / d (the bound of row i that holds it) and
    ``reduced_costs[j]`` is d objective / d (the bound of column j that holds it):
    how much the objective moves per unit the limit is moved, with the sign of the
    change. Otherwise both are None.
    """

    termination: Termination
    values: np.ndarray | None = field(default=None, repr=False)
    duals: np.ndarray | None = field(default=None, repr=False)
    reduced_costs: np.ndarray | None = field(default=None, repr=False)


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """|bound - objective| / max(|objective|, 1e-9); 0 when they are equal; None if unknown."""
    if (
        objective is None
        or bound is None
        or not (math.isfinite(objective) and math.isfinite(bound))
    ):
        return None
    if bound == objective:
        return 0.0
    return abs(bound - objective) / max(abs(objective), 1e-9)
