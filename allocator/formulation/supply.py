"""Supply: signing, the units each option can serve, and what it is paid (the rows of each
kind are in ``contracts`` and ``purchases``).

sign[s] is binary for an ``optional`` option and fixed at 1 otherwise; used[s, t] is
the units of option s serving projects in period t.

Contract and spot options add the rows of ``contracts`` (capacity, take-or-pay, blocks
paid for), purchases those of ``purchases`` (units bought, owned for their life,
purchase commitments); each module states its inequalities.
Every option pays fixed_cost * sign[s] in its first period of availability.
With block 1 (the default) quantities are not rounded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocator.case.model import Case
from allocator.case.series import calendar_values
from allocator.case.supply import SupplyKind
from allocator.case.timing import availability
from allocator.formulation.contracts import add_contracts
from allocator.formulation.purchases import add_purchases
from allocator.formulation.spending import Spending
from allocator.model.builder import ModelBuilder


@dataclass(frozen=True)
class SupplyColumns:
    """Where the supply columns are.

    ``table`` has one row per (option, period) in which the option can serve:
    k (option position), t, supply, resource, period, used (column).
    ``payments`` has one row per payment term: k, t, column, amount.
    """

    table: pd.DataFrame
    sign: np.ndarray
    payments: pd.DataFrame

    @property
    def spending(self) -> Spending:
        """The payments as spending terms."""
        p = self.payments
        return Spending(
            p["t"].to_numpy(np.int64), p["column"].to_numpy(np.int64), p["amount"].to_numpy(float)
        )


def add_supply(builder: ModelBuilder, case: Case) -> SupplyColumns:
    """Add the sign and used columns, and the families of each kind of option."""
    options = case.supply
    sign = builder.add_variables(
        "sign",
        pd.DataFrame({"supply": [s.id for s in options]}),
        lower=[0.0 if s.optional else 1.0 for s in options],
        upper=1.0,
        integer=True,
    )
    served = _served(case)
    used = builder.add_variables("used", served[["supply", "period"]])
    served["used"] = used
    first = np.array([availability(case, s)[0] for s in options], dtype=np.int64)
    payments = [
        pd.DataFrame(
            {
                "k": np.arange(len(options)),
                "t": first,
                "column": sign,
                "amount": [s.fixed_cost for s in options],
            }
        )
    ]
    is_purchase = served["k"].map(lambda k: options[k].kind is SupplyKind.PURCHASE).to_numpy(bool)
    if (~is_purchase).any():
        payments.append(add_contracts(builder, case, served[~is_purchase], sign))
    if is_purchase.any():
        payments.append(add_purchases(builder, case, served[is_purchase], sign))
    table = pd.concat(payments, ignore_index=True)
    return SupplyColumns(served, sign, table[table["amount"] != 0].reset_index(drop=True))


def _served(case: Case) -> pd.DataFrame:
    """(option, period) pairs in which an option can serve, with its capacity there."""
    rows = []
    horizon = len(case.periods)
    for k, option in enumerate(case.supply):
        first, last = availability(case, option)
        end = horizon - 1 if option.kind is SupplyKind.PURCHASE else last
        capacity = calendar_values(option.capacity, case.periods, first, last)
        rows.extend((k, t, capacity[t]) for t in range(first, end + 1))
    served = pd.DataFrame(rows, columns=["k", "t", "capacity"]).astype(
        {"k": np.int64, "t": np.int64, "capacity": float}
    )
    served["supply"] = [case.supply[k].id for k in served["k"]]
    served["resource"] = [case.supply[k].resource for k in served["k"]]
    served["period"] = [case.periods[t] for t in served["t"]]
    return served
