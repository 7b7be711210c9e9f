"""``allocator.replan``: an earlier plan's decisions held through a period, the rest of
the (updated) case re-optimised, and what the freeze costs.

Two solves of the updated case: with the frozen decisions fixed
(``allocator.replanning.freeze``: the replan), and without (the full re-optimum, what
the case would be worth if nothing had happened yet). The freeze costs the difference
of their objectives. The changes are the decisions of the replan that differ from the
earlier plan's, after the freeze period (those up to it are the earlier plan's).
Unless the runner's ``change`` is "any", the replan is, among the plans as good as its
optimum (within the gap), the one closest to the earlier plan's decisions
(``allocator.analysis.closest``): the changes listed are the ones the update forces.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from allocator.analysis.baseplan import BasePlan
from allocator.analysis.runner import Runner
from allocator.backends.termination import SolveStatus
from allocator.case.model import Case
from allocator.engine import Result
from allocator.explain import Explanation, explain
from allocator.formulation import formulate
from allocator.hedging.decisions import FirstStage, decisions, from_plan
from allocator.hedging.stages import period_position
from allocator.replanning.changes import stage_changes
from allocator.replanning.freeze import frozen_bounds

FIRST_STAGE = ("choose", "sign", "take", "buy", "draw")
"""The families an earlier plan's decisions are read into (``hedging.decisions``)."""


@dataclass(frozen=True)
class Replan:
    """A replan: ``result`` (the updated case with the frozen decisions fixed; no plan
    when they cannot be held), ``full`` (the updated case re-optimised from scratch),
    ``frozen_through`` (the last frozen period), ``conflicts`` (frozen decisions the
    updated case cannot hold, in words), ``changes`` (kind, id, before, after, text:
    the replan's decisions after the freeze that differ from the earlier plan's), and
    when the frozen decisions cannot all be kept, ``explanation``: the smallest changes
    of the case's limits that would let them be (``allocator.explain`` with them
    fixed)."""

    result: Result
    full: Result
    frozen_through: str
    conflicts: tuple[str, ...]
    changes: pd.DataFrame
    explanation: Explanation | None = None

    @property
    def freeze_cost(self) -> float | None:
        """The full re-optimum's objective less the replan's (None without both)."""
        a, b = self.full.termination.objective, self.result.termination.objective
        if self.full.plan is None or self.result.plan is None or a is None or b is None:
            return None
        return a - b


def freeze_index(case: Case, period: str) -> int:
    """The index of ``period`` in the case's horizon; ``InputError`` when not in it."""
    return period_position(case, period, "--freeze-through")


def replan(
    case: Case, earlier: FirstStage, frozen_through: str, runner: Runner | None = None
) -> Replan:
    """Solve ``case`` with the decisions of ``earlier`` (a plan read as a first stage
    through its last period) that took effect by ``frozen_through`` held fixed, and
    solve it again without them; see the module docstring."""
    runner = runner or Runner()
    freeze = freeze_index(case, frozen_through)
    formulation = formulate(case)
    values = decisions(case, earlier, freeze)
    lower, upper, conflicts = frozen_bounds(case, formulation, values, freeze)
    model = replace(formulation.model, lower=lower, upper=upper)
    near = runner
    if runner.wants_base:
        stale = decisions(case, earlier, len(case.periods) - 1)
        near = runner.aimed(BasePlan.from_values(formulation.model, stale, FIRST_STAGE))
    result = near.resolve(case, formulation, model)
    full = runner.solve(case)
    changes = pd.DataFrame(columns=["kind", "id", "before", "after", "text"])
    explanation = None
    if result.plan is not None:
        last = len(case.periods) - 1
        changes = stage_changes(case, earlier, from_plan(case, result.plan, last), freeze)
    elif result.termination.status is SolveStatus.INFEASIBLE and not conflicts:
        explanation = explain(case, runner=runner, bounds=(lower, upper))
    return Replan(result, full, frozen_through, tuple(conflicts), changes, explanation)
