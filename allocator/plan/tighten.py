"""Supply used as what the projects need, not what a solver was free to report.

The demand row of resource r in period t only asks that the options' use cover the
projects' need:

    surplus[r, t] = sum over options s of r of used[s, t] - need[r, t] >= 0

Where using more costs nothing (a contract already paid to its take-or-pay minimum,
units owned, any option whose ``used`` column is neither paid for nor in the
objective), a solver may return a surplus: the plan would then show idle capacity as
used. ``tighten_use`` takes each surplus back from those free ``used`` columns (the
options later in the case first), which changes neither the objective nor any money,
and keeps the result only if it breaks no row or bound that ``x`` kept.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocator.formulation import Formulation


def tighten_use(formulation: Formulation, x: np.ndarray) -> np.ndarray:
    """``x`` with each resource's surplus use removed from free ``used`` columns; ``x``
    itself when the model has no demand rows or the result would break a row ``x``
    kept."""
    model = formulation.model
    if "demand" not in model.rows or "used" not in model.columns:
        return x
    surplus = model.rows.take("demand", model.row_activity(x), "surplus")
    free = _free_used(formulation)
    table = formulation.supply.table.assign(column=formulation.supply.table["used"])
    table = table[free[table["column"].to_numpy()]]
    tightened = x.copy()
    for (resource, period), rows in table.groupby(["resource", "period"], sort=False):
        left = _surplus_of(surplus, resource, period)
        for column in rows["column"].to_numpy()[::-1]:
            if left <= 0:
                break
            taken = min(left, tightened[column])
            tightened[column] -= taken
            left -= taken
    if set(model.violations(tightened)) - set(model.violations(x)):
        return x
    return tightened


def _free_used(formulation: Formulation) -> np.ndarray:
    """A mask over the model's columns: ``used`` columns that no money flow and no
    objective coefficient reads (moving them moves no money)."""
    model = formulation.model
    mask = np.zeros(model.num_variables, dtype=bool)
    mask[model.columns["used"].slice] = True
    mask[formulation.money.all_terms.column] = False
    mask &= model.objective == 0
    return mask


def _surplus_of(surplus: pd.DataFrame, resource: str, period: str) -> float:
    """The demand row's surplus for (resource, period); 0 where there is no such row."""
    rows = surplus[(surplus["resource"] == resource) & (surplus["period"] == period)]
    return float(rows["surplus"].iloc[0]) if len(rows) else 0.0
