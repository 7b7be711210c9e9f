"""What a solver said, in one vocabulary for every solver: the condition it stopped in.

Each backend maps its solver's own codes to a ``Condition`` by a table (see
``ortools_solvers.CONDITIONS`` and ``pulp_solvers``) and hands an ``Outcome`` to
``finish.finish``, which alone decides the ``SolveStatus``, the message and the flags.
A condition says why the solver stopped; whether it has a plan is said by
``Outcome.values``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np


class Condition(StrEnum):
    """Why one solver call stopped, in neutral terms."""

    OPTIMAL = "optimal"
    """The solver says it is done: optimal within the relative gap it was given (0 or
    more). ``finish`` decides whether that is a proof."""
    TIME_LIMIT = "time_limit"
    """The time limit stopped the search, with or without a plan."""
    INTERRUPTED = "interrupted"
    """An interrupt (Ctrl-C) stopped the search, as the solver reports it."""
    STOPPED = "stopped"
    """Another limit stopped the search (iterations, nodes, solutions, memory, an
    objective target, a stop the solver gives no reason for)."""
    INFEASIBLE = "infeasible"
    """Proven: no plan meets every row and bound."""
    UNBOUNDED = "unbounded"
    """Proven: the objective grows without limit."""
    INFEASIBLE_OR_UNBOUNDED = "infeasible_or_unbounded"
    """One of the two, the solver cannot say which; ``finish`` re-checks with a zero
    objective."""
    ERROR = "error"
    """The solver failed, or gave an answer that cannot be read."""

    @property
    def searching(self) -> bool:
        """True when the solver was still looking for (better) plans: a plan, if any, is read."""
        return self in _SEARCHING


_SEARCHING = frozenset(
    {Condition.OPTIMAL, Condition.TIME_LIMIT, Condition.INTERRUPTED, Condition.STOPPED}
)


@dataclass(frozen=True)
class Outcome:
    """One solver call read back by a backend, before ``finish`` judges it.

    ``values`` are the column values of the solver's plan (None: it has none; NaN where
    it gave no value for a column). ``objective`` is the solver's objective value (None:
    computed from ``values``); ``bound`` its best bound, in the model's objective, where
    the solver reports one. ``said`` is what the solver said, in words for a message
    (a status text, a log line, an error). ``duals`` and ``reduced_costs`` are read
    only for solvers that declare ``Feature.DUALS``.
    """

    condition: Condition
    values: np.ndarray | None = field(default=None, repr=False)
    objective: float | None = None
    bound: float | None = None
    said: str = ""
    interrupted: bool = False
    """An interrupt (Ctrl-C) came during the call, whatever the solver then said."""
    limit_note: str = ""
    """Said instead of "the time limit stopped it" when that stop needs a warning."""
    version: str = ""
    """The solver's version, where its answer names it."""
    duals: np.ndarray | None = field(default=None, repr=False)
    reduced_costs: np.ndarray | None = field(default=None, repr=False)


HIGHS_CONDITIONS: dict[str, Condition] = {
    "kOptimal": Condition.OPTIMAL,
    "kTimeLimit": Condition.TIME_LIMIT,
    "kIterationLimit": Condition.STOPPED,
    "kSolutionLimit": Condition.STOPPED,
    "kInterrupt": Condition.STOPPED,
    "kHighsInterrupt": Condition.STOPPED,
    "kObjectiveBound": Condition.STOPPED,
    "kObjectiveTarget": Condition.STOPPED,
    "kMemoryLimit": Condition.STOPPED,
    "kInfeasible": Condition.INFEASIBLE,
    "kUnbounded": Condition.INFEASIBLE_OR_UNBOUNDED,  # UNBOUNDED with a feasible point
    "kUnboundedOrInfeasible": Condition.INFEASIBLE_OR_UNBOUNDED,
}
"""HiGHS's model status (by name) -> our condition, for every backend that runs HiGHS
itself (``pulp``, ``highs``); any other status is ERROR. (HiGHS's interrupts
come from its callbacks, which are not used; Ctrl-C is noted by the backend.)"""
