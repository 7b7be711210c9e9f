"""The independent checker: every rule of the case recomputed from the case and a plan.

It reads only the case and the plan's decision tables (projects, allocations,
supply, funding, earmarks, credit), never the solver's model, and reports each
broken rule in the case's words. It also recomputes the objective, and checks
the plan's own money table against the money it recomputes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocator.case.model import Case
from allocator.plan.tables import MONEY_IN, MONEY_OUT, Plan
from allocator.verify.core import TOLERANCE, Decisions, Violation
from allocator.verify.demand import check_demand
from allocator.verify.money import check_cash, money_flows
from allocator.verify.objective import recompute_objective
from allocator.verify.projects import check_rules, check_shares, read_projects
from allocator.verify.supply import check_sites, read_supply

__all__ = ["Verification", "Violation", "verify"]


@dataclass(frozen=True)
class Verification:
    """The checker's answer: broken rules, the recomputed objective and money."""

    violations: tuple[Violation, ...]
    objective: float
    money: pd.DataFrame

    @property
    def ok(self) -> bool:
        """True when the plan breaks no rule."""
        return not self.violations

    def rules_broken(self) -> set[str]:
        """The rule families with at least one violation."""
        return {v.rule for v in self.violations}


def verify(case: Case, plan: Plan, objective: float | None = None) -> Verification:
    """Check ``plan`` against every rule of ``case``; with ``objective``, check that too."""
    missing = _missing_numbers(plan)
    if missing:  # nothing can be judged on them
        return Verification(tuple(missing), float("nan"), pd.DataFrame())
    decisions = Decisions(case, plan)
    found = read_projects(case, decisions)
    found += check_rules(case, decisions)
    found += check_shares(case, decisions)
    uses, problems = read_supply(case, decisions)
    found += problems
    found += check_sites(case, uses)
    found += check_demand(case, decisions, uses)
    flows, problems = money_flows(case, decisions, uses)
    found += problems
    found += check_cash(case, flows)
    flows["money_in"] = flows[list(MONEY_IN)].sum(axis=1)
    flows["money_out"] = flows[list(MONEY_OUT)].sum(axis=1)
    flows["net"] = flows["money_in"] - flows["money_out"]
    flows["cash"] = flows["net"].cumsum() if case.budget.carry_over else flows["net"]
    value = recompute_objective(case, decisions, flows)
    found += _agrees("objective", "the plan", value, plan.objective_value)
    if objective is not None:
        found += _agrees("objective", "the solver", value, objective)
    found += _money_table(case, plan, flows)
    return Verification(tuple(found), value, flows)


DECISIONS = {
    "allocations": ("units",),
    "supply": ("used", "paid", "bought"),
    "funding": ("taken",),
    "earmarks": ("amount",),
    "credit": ("draw", "repay", "balance"),
}
"""The numeric decision columns of each table the checker reads."""


def _missing_numbers(plan: Plan) -> list[Violation]:
    """Decision columns that are absent or hold NaN or infinite numbers."""
    found = []
    for name, columns in DECISIONS.items():
        table = getattr(plan, name)
        for column in columns:
            if column not in table:
                found.append(Violation("plan", name, f"has no column '{column}'"))
            elif len(table) and not np.isfinite(table[column].to_numpy(float)).all():
                found.append(Violation("plan", name, f"has missing numbers in '{column}'"))
    return found


def _agrees(rule: str, who: str, value: float, reported: float) -> list[Violation]:
    if abs(value - reported) <= TOLERANCE * max(1.0, abs(value)):
        return []
    return [Violation(rule, who, f"reports {reported:,.9g}, the checker finds {value:,.9g}")]


def _money_table(case: Case, plan: Plan, flows: pd.DataFrame) -> list[Violation]:
    """The plan's money per period against the checker's, flow by flow, with the totals."""
    if plan.money.get("period") is None or plan.money["period"].astype(str).tolist() != list(
        case.periods
    ):
        return [Violation("money", "periods", "the money table's periods are not the case's")]
    found = []
    for column in (*MONEY_IN, *MONEY_OUT, "money_in", "money_out", "net", "cash"):
        if column not in plan.money:
            found.append(Violation("money", column, "is missing from the plan's money table"))
            continue
        mine, theirs = flows[column].to_numpy(), plan.money[column].to_numpy(float)
        scale = np.maximum(1.0, np.maximum(np.abs(mine), np.abs(theirs)))
        for t in np.flatnonzero(np.abs(mine - theirs) > TOLERANCE * scale):
            found.append(
                Violation(
                    "money",
                    f"{column} {case.periods[t]}",
                    f"the plan says {theirs[t]:,.9g}, the checker finds {mine[t]:,.9g}",
                )
            )
    return found
