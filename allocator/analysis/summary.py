"""A plan in a few numbers, for side-by-side tables: what is funded, signed, bought, owed."""

from __future__ import annotations

from typing import Any

from allocator.engine import Result

COUNTS = ("funded", "binding")
"""The columns of a summary that count things: whole numbers, or None without a plan."""


def plan_summary(result: Result) -> dict[str, Any]:
    """status, objective, funded (count), signed (options), bought (units), cash_low and its
    period, credit_drawn, binding (count); None where the solve found no plan, which
    ``has_plan`` (last) says."""
    t = result.termination
    row: dict[str, Any] = {"status": t.status.value, "objective": t.objective}
    plan = result.plan
    if plan is None:
        empty = ("funded", "signed", "bought", "cash_low", "cash_low_period", "credit_drawn")
        return row | dict.fromkeys((*empty, "binding")) | {"has_plan": False}
    supply = plan.supply
    signed = supply.groupby("supply", sort=False)["signed"].any()
    low = plan.money["cash"].idxmin()
    credit = plan.funding.loc[plan.funding["kind"] == "credit", "received"].sum()
    return row | {
        "funded": int(plan.projects["funded"].sum()),
        "signed": ", ".join(signed[signed].index),
        "bought": float(supply["bought"].sum()),
        "cash_low": float(plan.money["cash"].iloc[low]),
        "cash_low_period": plan.money["period"].iloc[low],
        "credit_drawn": float(credit),
        "binding": len(plan.binding),
        "has_plan": True,
    }
