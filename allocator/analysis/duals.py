"""LP duals of the plan's fixed portfolio, read as the value of one more unit of a limit.

With every integer decision fixed at the plan's value, the model is a linear program;
its row duals y_i = d objective / d bound_i and reduced costs are read per family, as
the family declares beside its rows (``RowMeaning.dual``: label, unit, sign, and
whether the rows are cumulative under carry-over):

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
from allocator.formulation.meaning import meaning_of
from allocator.model.linear import Family, LinearModel

COLUMNS = ["limit", "subject", "period", "value", "per"]


def marginal_values(
    case: Case, model: LinearModel, x: np.ndarray, duals: np.ndarray, reduced: np.ndarray
) -> pd.DataFrame:
    """One row per limit with a marginal value: limit, subject, period, value, per (unit)."""
    parts = []
    for family in model.constraints:
        meaning = meaning_of(family)
        if meaning is None or meaning.dual is None:
            continue
        dual = meaning.dual
        y = dual.sign * duals[family.slice]
        per = dual.per or case.money_unit
        if dual.cumulative and case.budget.carry_over:
            parts.append(_cumulative(family, y, dual.label, per))
        else:
            parts.append(_direct(family, y, dual.label, per))
    parts.append(_credit_limits(case, model, x, reduced))
    table = pd.concat([p for p in parts if len(p)], ignore_index=True) if parts else None
    if table is None or table.empty:
        return pd.DataFrame(columns=COLUMNS)
    worth = np.abs(table["value"].to_numpy(float)) > 1e-9
    return table[worth].reset_index(drop=True)


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


def _cumulative(family: Family, y: np.ndarray, label: str, per: str) -> pd.DataFrame:
    """Cumulative rows: money arriving in t counts in every row k >= t of its group."""
    subject = _subject(family)
    values = np.zeros(family.size)
    for _, rows in subject.groupby(subject, sort=False).groups.items():
        index = np.asarray(rows)
        values[index] = np.cumsum(y[index][::-1])[::-1]
    return _direct(family, values, label, per)


def _credit_limits(
    case: Case, model: LinearModel, x: np.ndarray, reduced: np.ndarray
) -> pd.DataFrame:
    """A credit line's limit bounds its balance columns: one more unit of limit is worth
    the sum of the reduced costs of its balances held at the limit."""
    rows = []
    if "balance" in model.columns:
        balance = model.columns["balance"]
        funding = balance.keys["funding"].to_numpy()
        owed, upper = x[balance.slice], model.upper[balance.slice]
        for line in case.funding:
            if line.kind is not FundingKind.CREDIT or not line.limit:
                continue
            mine = funding == line.id
            at_limit = mine & (upper == line.limit) & (owed >= line.limit * (1 - 1e-9))
            value = float(reduced[balance.slice][at_limit].sum())
            rows.append(("credit limit", line.id, None, value, case.money_unit))
    return pd.DataFrame(rows, columns=COLUMNS)
