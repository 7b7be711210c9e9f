"""Contract and spot options: capacity, take-or-pay, and payment in whole blocks.

In every period t of the availability window of option s (sign[s] from ``supply``):
    used[s, t] - capacity[s, t] * sign[s] <= 0
    paid[s, t] - used[s, t] >= 0
    paid[s, t] - min_commit[s] * sign[s] >= 0        (take-or-pay, if min_commit > 0)
    paid[s, t] = block[s] * n[s, t], n integer       (if block != 1)
    payment in t: unit_cost * paid[s, t]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocator.case.model import Case
from allocator.formulation.meaning import Dual, Elastic, RowMeaning, Tier
from allocator.formulation.offers import capacity_meaning, committed_words, option_array
from allocator.model.builder import ModelBuilder, Terms

CAPACITY = capacity_meaning(
    "contract capacity used in full",
    "{supply} would need {n} more units of capacity in {period}",
    "offers",
    "contract capacity",
)
TAKE_OR_PAY = RowMeaning(
    quantity="resource units",
    binding="take-or-pay minimum paid, partly idle",
    elastic=Elastic(Tier.COMMITMENT, "lower"),
    change=lambda case, keys, n, users, fmt: (
        f"{keys['supply']}'s take-or-pay minimum in {keys['period']} cannot be paid: it fits "
        f"{n} units lower",
        f"supply[{keys['supply']}].min_commit",
    ),
    limit=committed_words,
    dual=Dual("take-or-pay commitment, one unit less", "unit", sign=-1.0),
)


def add_contracts(
    builder: ModelBuilder, case: Case, served: pd.DataFrame, sign: np.ndarray
) -> pd.DataFrame:
    """The contract and spot families for the (option, period) rows ``served``; return
    their payment terms (k, t, column, amount)."""
    options = case.supply
    keys = served[["supply", "period"]]
    k = served["k"].to_numpy()
    used = served["used"].to_numpy()
    block = option_array(options, k, "block")
    blocked = block != 1
    paid = builder.add_variables("paid", keys)
    builder.add_rows(
        "capacity",
        keys,
        terms=[Terms.each(used), Terms.each(sign[k], -served["capacity"].to_numpy())],
        upper=0.0,
        meaning=CAPACITY,
    )
    builder.add_rows(
        "paid_for_use", keys, terms=[Terms.each(paid), Terms.each(used, -1.0)], lower=0.0
    )
    commit = option_array(options, k, "min_commit")
    binding = np.flatnonzero(commit > 0)
    if binding.size:
        builder.add_rows(
            "take_or_pay",
            keys.iloc[binding],
            terms=[Terms.each(paid[binding]), Terms.each(sign[k[binding]], -commit[binding])],
            lower=0.0,
            meaning=TAKE_OR_PAY,
        )
    rounded = np.flatnonzero(blocked)
    if rounded.size:
        blocks = builder.add_variables("paid_blocks", keys.iloc[rounded], integer=True)
        builder.add_rows(
            "paid_in_blocks",
            keys.iloc[rounded],
            terms=[Terms.each(paid[rounded]), Terms.each(blocks, -block[rounded])],
            lower=0.0,
            upper=0.0,
        )
    return pd.DataFrame(
        {
            "k": k,
            "t": served["t"].to_numpy(),
            "column": paid,
            "amount": option_array(options, k, "unit_cost"),
        }
    )
