"""What changed between two plans, one line per decision, in the case's words.

Projects: funded or not, level, start. Supply: signed or not, and the units paid
for (contracts, spot; their total over the periods is in unit-periods) or bought
(purchases) per period. Funding: an equity
source taken or not (or the fraction), credit drawn in all. Two amounts differ
when they differ as the reports write them: in whole units from 100 up, to two
decimals below (a solver's noise, or a re-solve's 200,016.0001 against
200,016, is no change). A supply line's total reads "the same in all" when the
units only moved between periods.
"""

from __future__ import annotations

import pandas as pd

from allocator.numbers import amount, plural, short
from allocator.plan import Plan

COLUMNS = ["kind", "id", "before", "after", "text"]


def _differ(a: float, b: float) -> bool:
    """Whether ``a`` and ``b`` differ at the precision the reports show (``amount``)."""
    digits = 0 if max(abs(a), abs(b)) >= 100 else 2
    return round(a, digits) != round(b, digits)


def plan_changes(before: Plan, after: Plan) -> pd.DataFrame:
    """One row per changed decision: kind (project, supply, funding), id, before, after, text."""
    rows = _projects(before, after) + _supply(before, after) + _funding(before, after)
    return pd.DataFrame(rows, columns=COLUMNS)


def _state(row: pd.Series) -> str:
    return f"{row['level']} from {row['start']}" if row["funded"] else "off"


def _projects(before: Plan, after: Plan) -> list[tuple[str, str, str, str, str]]:
    rows = []
    b = before.projects.set_index("id")
    a = after.projects.set_index("id")
    for pid in b.index:
        old, new = b.loc[pid], a.loc[pid]
        if old["funded"] == new["funded"] and (
            not old["funded"] or (old["level"], old["start"]) == (new["level"], new["start"])
        ):
            continue
        if old["funded"] and new["funded"] and old["level"] == new["level"]:
            text = f"{pid}: starts {old['start']} -> {new['start']}"
        elif old["funded"] and new["funded"] and old["start"] == new["start"]:
            text = f"{pid}: {old['level']} -> {new['level']}"
        else:
            text = f"{pid}: {_state(old)} -> {_state(new)}"
        rows.append(("project", pid, _state(old), _state(new), text))
    return rows


def _supply(before: Plan, after: Plan) -> list[tuple[str, str, str, str, str]]:
    rows = []
    keys = ["supply", "period"]
    merged = before.supply.merge(after.supply, on=keys, suffixes=("_b", "_a"), how="outer")
    for option, group in merged.groupby("supply", sort=False):
        signed_b, signed_a = bool(group["signed_b"].any()), bool(group["signed_a"].any())
        if signed_b != signed_a:
            old, new = ("signed", "not signed") if signed_b else ("not signed", "signed")
            rows.append(("supply", option, old, new, f"{option}: {old} -> {new}"))
        purchase = (group["kind_b"].fillna(group["kind_a"]) == "purchase").any()
        column, verb = ("bought", "bought") if purchase else ("paid", "paid for")
        # units bought add up to units; units paid for per period add up to unit-periods
        whole = "" if purchase else " unit-periods"
        old_units = group[f"{column}_b"].fillna(0.0).to_numpy()
        new_units = group[f"{column}_a"].fillna(0.0).to_numpy()
        changed = [i for i in range(len(group)) if _differ(old_units[i], new_units[i])]
        if not changed:
            continue
        first = changed[0]
        period = group["period"].iloc[first]
        more = f" (and {plural(len(changed) - 1, 'more period')})" if len(changed) > 1 else ""
        total = _pair(old_units.sum(), new_units.sum())
        if _differ(old_units.sum(), new_units.sum()):
            in_all = f"{' -> '.join(total)}{whole} in all"
        else:
            in_all = f"the same {amount(old_units.sum())}{whole} in all"
        text = (
            f"{option}: units {verb} {' -> '.join(_pair(old_units[first], new_units[first]))} "
            f"in {period}{more}; {in_all}"
        )
        rows.append(("supply", option, *total, text))
    return rows


def _funding(before: Plan, after: Plan) -> list[tuple[str, str, str, str, str]]:
    rows = []
    merged = before.funding.merge(after.funding, on="funding", suffixes=("_b", "_a"))
    for row in merged.itertuples(index=False):
        if row.kind_b == "credit":
            if _differ(row.received_b, row.received_a):
                old, new = amount(row.received_b), amount(row.received_a)
                text = f"{row.funding}: {old} -> {new} drawn"
                rows.append(("funding", row.funding, old, new, text))
        elif _differ(row.taken_b, row.taken_a):
            old, new = _taken(row.taken_b), _taken(row.taken_a)
            rows.append(("funding", row.funding, old, new, f"{row.funding}: {old} -> {new}"))
    return rows


def _pair(a: float, b: float) -> tuple[str, str]:
    """Two amounts written short, or in full where short forms would look the same."""
    old, new = short(a), short(b)
    return (amount(a), amount(b)) if old == new else (old, new)


def _taken(share: float) -> str:
    if share <= 1e-9:
        return "not taken"
    return "taken" if share >= 1 - 1e-9 else f"{share:.0%} taken"
