"""Broken and conflicting limits in the case's words, with the case path to change.

``change_text`` says what an elastic slack of ``amount`` on a row means (what to
change, by how much); ``limit_text`` states the limit a conflict row stands for.
"""

from __future__ import annotations

from allocator.case.model import Case
from allocator.case.series import calendar_values
from allocator.case.timing import availability
from allocator.numbers import amount as fmt


def _capacity(case: Case, supply: str, period: str) -> float:
    option = case.supply_by_id[supply]
    first, last = availability(case, option)
    values = calendar_values(option.capacity, case.periods, first, last)
    return values[case.period_index[period]]


def change_text(
    case: Case, family: str, keys: dict[str, str], amount: float, users: list[str]
) -> tuple[str, str]:
    """(what to change, the case path) for a slack of ``amount`` on a row of ``family``."""
    unit = case.money_unit
    t, n = keys.get("period", ""), fmt(amount)
    who = f" (needed by {', '.join(users)})" if users else ""
    if family == "one_choice":
        p = keys["project"]
        return f"must-fund '{p}' cannot be funded with the rest: release it", (
            f"projects[{p}].must_fund"
        )
    if family == "demand":
        r = keys["resource"]
        return (
            f"{r} in {t}: projects need {n} more units than all supply can deliver{who}",
            f"supply (resource {r}), or the demand of {', '.join(users) or 'its projects'}",
        )
    if family == "capacity":
        s = keys["supply"]
        return f"{s} would need {n} more units of capacity in {t}", f"supply[{s}].capacity"
    if family == "buy_capacity":
        s = keys["supply"]
        return f"{s} would need to sell {n} more units in {t}", f"supply[{s}].capacity"
    if family == "cash":
        reserve = fmt(case.budget.min_cash)
        return (
            f"{t} cash is short by {n} ({unit}): raise the money arriving by {t} (budget or "
            f"funding), drop the reserve (min_cash {reserve}) by {n}, or release a project "
            f"that spends by then{who}",
            "budget.amounts, funding[].amounts or budget.min_cash",
        )
    if family == "budget":
        return (
            f"{t} spends {n} ({unit}) more than its budget: raise it, or release a project "
            f"that spends in {t}{who}",
            f"budget.amounts ({t})",
        )
    if family == "earmark_funds":
        f = keys["funding"]
        return f"{f}'s earmarked money is {n} ({unit}) short by {t}", f"funding[{f}].amounts"
    if family == "take_or_pay":
        s = keys["supply"]
        return (
            f"{s}'s take-or-pay minimum in {t} cannot be paid: it fits {n} units lower",
            f"supply[{s}].min_commit",
        )
    if family == "purchase_minimum":
        s = keys["supply"]
        return f"{s}'s purchase commitment fits only {n} units lower", f"supply[{s}].min_commit"
    if family == "site_power":
        g = keys["site"]
        return f"site {g} would need {n} more power in {t}", f"sites[{g}].power"
    g = keys.get("category", "")
    side = "max_share" if family == "max_share" else "min_share"
    return f"category {g} misses its {side} by {n} (in {case.share_basis.value})", f"{side}.{g}"


def limit_text(case: Case, family: str, keys: dict[str, str]) -> tuple[str, str]:
    """(the limit a conflict row states, the case path) for a row of ``family``."""
    t = keys.get("period", "")
    if family == "one_choice":
        p = keys["project"]
        return f"{p} must be funded", f"projects[{p}].must_fund"
    if family == "demand":
        r = keys["resource"]
        return f"every funded project's {r} demand in {t} is met", f"projects[].demand.{r}"
    if family in ("capacity", "buy_capacity"):
        s = keys["supply"]
        verb = "offers" if family == "capacity" else "sells"
        return f"{s} {verb} at most {fmt(_capacity(case, s, t))} units in {t}", (
            f"supply[{s}].capacity"
        )
    if family == "cash":
        return f"cash at the end of {t} stays at or above {fmt(case.budget.min_cash)}", (
            "budget.amounts, budget.min_cash"
        )
    if family == "budget":
        return f"spending in {t} stays within that period's money", f"budget.amounts ({t})"
    if family == "earmark_funds":
        f = keys["funding"]
        return f"{f}'s earmarked money is spent only once it has arrived ({t})", (
            f"funding[{f}].amounts"
        )
    if family in ("take_or_pay", "purchase_minimum"):
        s = keys["supply"]
        minimum = fmt(case.supply_by_id[s].min_commit)
        when = f" in {t}" if t else ""
        return f"{s} is paid for at least {minimum} units{when} once signed", (
            f"supply[{s}].min_commit"
        )
    if family == "site_power":
        g = keys["site"]
        return f"site {g} draws no more power than it has in {t}", f"sites[{g}].power"
    g = keys.get("category", "")
    return f"category {g} keeps its {family}", f"{family}.{g}"
