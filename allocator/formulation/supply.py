"""Contract and spot supply: signing, capacity, take-or-pay and payments.

For every option s and period t of its availability window:
    used[s, t] - capacity[s, t] * sign[s] <= 0
    paid[s, t] - used[s, t] >= 0
    paid[s, t] - min_commit[s] * sign[s] >= 0        (take-or-pay, if min_commit > 0)
sign[s] is binary for an ``optional`` option and fixed at 1 otherwise. The option
spends unit_cost * paid[s, t] in period t and fixed_cost * sign[s] in its first
period of availability.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocator.case.model import Case
from allocator.case.series import calendar_values
from allocator.case.timing import availability
from allocator.formulation.spending import Spending
from allocator.model.builder import ModelBuilder


@dataclass(frozen=True)
class SupplyColumns:
    """Where the supply columns are: ``table`` has one row per (option, period) served."""

    table: pd.DataFrame  # supply, resource, period, t, used, paid
    sign: np.ndarray  # sign column of each option, in case order
    spending: Spending


def add_supply(builder: ModelBuilder, case: Case) -> SupplyColumns:
    """Add sign, used and paid columns with their capacity and take-or-pay rows."""
    options = case.supply
    sign = builder.add_variables(
        "sign",
        pd.DataFrame({"supply": [s.id for s in options]}),
        lower=[0.0 if s.optional else 1.0 for s in options],
        upper=1.0,
        integer=True,
    )
    rows = []
    for k, option in enumerate(options):
        first, last = availability(case, option)
        capacity = calendar_values(option.capacity, case.periods, first, last)
        rows.extend((k, t, capacity[t]) for t in range(first, last + 1))
    served = pd.DataFrame(rows, columns=["k", "t", "capacity"]).astype(
        {"k": np.int64, "t": np.int64, "capacity": float}
    )
    served["supply"] = [options[k].id for k in served["k"]]
    served["resource"] = [options[k].resource for k in served["k"]]
    served["period"] = [case.periods[t] for t in served["t"]]
    keys = served[["supply", "period"]]
    used = builder.add_variables("used", keys)
    paid = builder.add_variables("paid", keys)
    n = len(served)
    k = served["k"].to_numpy()
    local = np.arange(n)
    builder.add_rows(
        "capacity",
        keys,
        np.concatenate([local, local]),
        np.concatenate([used, sign[k]]),
        np.concatenate([np.ones(n), -served["capacity"].to_numpy()]),
        upper=0.0,
    )
    builder.add_rows(
        "paid_for_use",
        keys,
        np.concatenate([local, local]),
        np.concatenate([paid, used]),
        np.concatenate([np.ones(n), -np.ones(n)]),
        lower=0.0,
    )
    commit = np.array([s.min_commit for s in options])[k]
    binding = np.flatnonzero(commit > 0)
    if binding.size:
        m = binding.size
        builder.add_rows(
            "take_or_pay",
            keys.iloc[binding],
            np.concatenate([np.arange(m), np.arange(m)]),
            np.concatenate([paid[binding], sign[k[binding]]]),
            np.concatenate([np.ones(m), -commit[binding]]),
            lower=0.0,
        )
    served["used"], served["paid"] = used, paid
    return SupplyColumns(served, sign, _spending(case, served, paid, sign))


def _spending(case: Case, served: pd.DataFrame, paid: np.ndarray, sign: np.ndarray) -> Spending:
    unit = np.array([s.unit_cost for s in case.supply])[served["k"].to_numpy()]
    fixed = np.array([s.fixed_cost for s in case.supply])
    first = np.array([availability(case, s)[0] for s in case.supply], dtype=np.int64)
    return Spending(
        np.concatenate([served["t"].to_numpy(), first]),
        np.concatenate([paid, sign]),
        np.concatenate([unit, fixed]),
    )
