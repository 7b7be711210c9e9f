"""Demand met from supply, per resource and period.

For every resource r and period t with demand or supply:
    sum over options s of r of used[s, t] - sum_c demand[c, r, t] * choose[c] >= 0
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocator.case.model import Case
from allocator.formulation.choices import Choices, demand_profile
from allocator.formulation.supply import SupplyColumns
from allocator.model.builder import ModelBuilder


def add_demand(
    builder: ModelBuilder, case: Case, choices: Choices, choose: np.ndarray, supply: SupplyColumns
) -> None:
    """One row per (resource, period): units used cover the demand of active choices."""
    resources = [r.id for r in case.resources]
    horizon = len(case.periods)
    position = {r: i for i, r in enumerate(resources)}
    choice, resource, period, amount = demand_profile(case, choices, position)
    table = supply.table
    supply_row = table["resource"].map(position).to_numpy(dtype=np.int64) * horizon + table[
        "t"
    ].to_numpy(dtype=np.int64)
    keys = pd.DataFrame(
        {"resource": np.repeat(resources, horizon), "period": case.periods * len(resources)}
    )
    builder.add_rows(
        "demand",
        keys,
        rows=np.concatenate([supply_row, resource * horizon + period]),
        columns=np.concatenate([table["used"].to_numpy(), choose[choice]]),
        coefficients=np.concatenate([np.ones(len(table)), -amount]),
        lower=0.0,
    )
