"""LP duals of the plan's fixed portfolio, read as the value of one more unit of a limit.

With every integer decision fixed at the plan's value, the model is a linear program;
its row duals y_i = d objective / d bound_i and reduced costs are read per family:

| family         | one more unit of                     | value per unit              |
|----------------|--------------------------------------|-----------------------------|
| cash (t)       | money arriving in t (carry-over)     | sum_{k >= t} y_k            |
| budget (t)     | budget of t (no carry-over)          | y_t                         |
| earmark_funds  | earmarked money arriving in t        | as cash, or y_t without     |
|                |                                      | carry-over                  |
| capacity       | a contract's capacity in t           | y                           |
| buy_capacity   | units a purchase may buy in t        | y                           |
| site_power     | power at a site in t                 | y                           |
| demand (r, t)  | a free unit of resource r in t       | -y (a >= row)               |
| take_or_pay    | one unit less committed in t         | -y (a >= row)               |
| credit limit   | the line's limit, every period       | sum_t reduced cost of       |
|                |                                      | balance[t] at its limit     |

Only limits worth something (|value| > 1e-9) are listed. Rows that hold integer
columns only (shares, requires, excludes) have no marginal once the portfolio is
fixed: their value shows only in discrete re-solves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocator.case.model import Case
from allocator.case.money import FundingKind
from allocator.model.linear import Family, LinearModel

COLUMNS = ["limit", "subject", "period", "value", "per"]

PER_UNIT = {
    "capacity": ("contract capacity", "unit"),
    "buy_capacity": ("purchase capacity", "unit"),
    "site_power": ("site power", "power unit"),
    "demand": ("free unit of resource", "unit"),
    "take_or_pay": ("take-or-pay commitment, one unit less", "unit"),
}


def marginal_values(
    case: Case, model: LinearModel, x: np.ndarray, duals: np.ndarray, reduced: np.ndarray
) -> pd.DataFrame:
    """One row per limit with a marginal value: limit, subject, period, value, per (unit)."""
    unit = case.money_unit
    parts = []
    for family in model.constraints:
        y = duals[family.start : family.stop]
        if family.name in ("cash", "earmark_funds") and case.budget.carry_over:
            parts.append(_cumulative(family, y, unit))
        elif family.name in ("budget", "earmark_funds"):
            parts.append(_direct(family, y, _money_label(family), unit))
        elif family.name in PER_UNIT:
            label, per = PER_UNIT[family.name]
            sign = -1.0 if family.name in ("demand", "take_or_pay") else 1.0
            parts.append(_direct(family, sign * y, label, per))
    parts.append(_credit_limits(case, model, x, reduced, unit))
    table = pd.concat([p for p in parts if len(p)], ignore_index=True) if parts else None
    if table is None or table.empty:
        return pd.DataFrame(columns=COLUMNS)
    worth = np.abs(table["value"].to_numpy(float)) > 1e-9
    return table[worth].reset_index(drop=True)


def _money_label(family: Family) -> str:
    return "budget" if family.name == "budget" else "earmarked money arriving"


def _subject(family: Family) -> pd.Series:
    keys = family.keys.drop(columns=["period"], errors="ignore")
    if keys.columns.empty or not family.size:
        return pd.Series([""] * family.size, dtype=object)
    return keys.astype(str).agg(" ".join, axis=1)


def _direct(family: Family, values: np.ndarray, label: str, per: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "limit": label,
            "subject": _subject(family).to_numpy(),
            "period": family.keys["period"].to_numpy() if "period" in family.keys else None,
            "value": values,
            "per": per,
        }
    )


def _cumulative(family: Family, y: np.ndarray, unit: str) -> pd.DataFrame:
    """Cumulative rows: money arriving in t counts in every row k >= t of its group."""
    subject = _subject(family)
    values = np.zeros(family.size)
    for _, rows in subject.groupby(subject, sort=False).groups.items():
        index = np.asarray(rows)
        values[index] = np.cumsum(y[index][::-1])[::-1]
    label = "money arriving" if family.name == "cash" else "earmarked money arriving"
    return _direct(family, values, label, unit)


def _credit_limits(
    case: Case, model: LinearModel, x: np.ndarray, reduced: np.ndarray, unit: str
) -> pd.DataFrame:
    rows = []
    for line in case.funding:
        if line.kind is not FundingKind.CREDIT or not line.limit:
            continue
        family = model.variable_family(f"balance[{line.id}]")
        balance = x[family.start : family.stop]
        at_limit = (model.upper[family.start : family.stop] == line.limit) & (
            balance >= line.limit * (1 - 1e-9)
        )
        value = float(reduced[family.start : family.stop][at_limit].sum())
        rows.append(("credit limit", line.id, None, value, unit))
    return pd.DataFrame(rows, columns=COLUMNS)
