"""Purchases: units bought in blocks, owned for their life, and purchase commitments.

With buy[s, k] blocks bought in period k of option s's window (integer if block != 1):
    block * buy[s, k] - capacity[s, k] * sign[s] <= 0
    used[s, t] - block * sum_{k <= t < k + life} buy[s, k] <= 0     (t up to the horizon's end)
    block * sum_k buy[s, k] - min_commit[s] * sign[s] >= 0          (if min_commit > 0)
    payment in k: unit_cost * block * buy[s, k]; in t: running_cost * units owned in t
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocator.case.model import Case
from allocator.case.timing import availability
from allocator.formulation.meaning import Elastic, RowMeaning, Tier
from allocator.formulation.offers import capacity_meaning, committed_words, option_array
from allocator.model.builder import ModelBuilder, Terms

BUY_CAPACITY = capacity_meaning(
    "purchase capacity bought in full",
    "{supply} would need to sell {n} more units in {period}",
    "sells",
    "purchase capacity",
)
PURCHASE_MINIMUM = RowMeaning(
    quantity="resource units",
    binding="purchase commitment only just met",
    elastic=Elastic(Tier.COMMITMENT, "lower"),
    change=lambda case, keys, n, users, fmt: (
        f"{keys['supply']}'s purchase commitment fits only {n} units lower",
        f"supply[{keys['supply']}].min_commit",
    ),
    limit=committed_words,
)


def add_purchases(
    builder: ModelBuilder, case: Case, served: pd.DataFrame, sign: np.ndarray
) -> pd.DataFrame:
    """The purchase families for the (option, period) rows ``served``; return their
    payment terms (k, t, column, amount)."""
    options = case.supply
    served = served.reset_index(drop=True)
    last_buy = np.array([availability(case, s)[1] for s in options], dtype=np.int64)
    window = served[served["t"].to_numpy() <= last_buy[served["k"].to_numpy()]]
    window = window.reset_index(drop=True)
    kb = window["k"].to_numpy()
    tb = window["t"].to_numpy()
    block = option_array(options, kb, "block")
    buy = builder.add_variables("buy", window[["supply", "period"]], integer=block != 1)
    builder.add_rows(
        "buy_capacity",
        window[["supply", "period"]],
        terms=[Terms.each(buy, block), Terms.each(sign[kb], -window["capacity"].to_numpy())],
        upper=0.0,
        meaning=BUY_CAPACITY,
    )
    own_buy, own_t, own_row = _ownership(case, served, window)
    builder.add_rows(
        "owned",
        served[["supply", "period"]],
        terms=[
            Terms.each(served["used"].to_numpy()),
            Terms(own_row, buy[own_buy], -block[own_buy]),
        ],
        upper=0.0,
    )
    _purchase_minimum(builder, case, window, buy, block, sign)
    running = option_array(options, kb, "running_cost")
    bought = pd.DataFrame(
        {"k": kb, "t": tb, "column": buy, "amount": option_array(options, kb, "unit_cost") * block}
    )
    owned = pd.DataFrame(
        {
            "k": kb[own_buy],
            "t": own_t,
            "column": buy[own_buy],
            "amount": running[own_buy] * block[own_buy],
        }
    )
    return pd.concat([bought, owned])


def _ownership(
    case: Case, served: pd.DataFrame, window: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which purchase serves which period: a block bought in k serves k .. k + life - 1.

    Returns, per (purchase, period served) pair: the purchase's row in ``window``, the
    period served, and that period's row in ``served`` (whose rows of one option are
    consecutive periods from its first one).
    """
    horizon = len(case.periods)
    kb, tb = window["k"].to_numpy(), window["t"].to_numpy()
    life = np.array([case.supply[k].life or horizon for k in kb], dtype=np.int64)
    span = np.minimum(life, horizon - tb)
    own_buy = np.repeat(np.arange(len(window)), span)
    own_t = tb[own_buy] + (np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span))
    starts = served.groupby("k")["t"].agg(["idxmin", "min"])
    own_k = kb[own_buy]
    own_row = starts.loc[own_k, "idxmin"].to_numpy() + own_t - starts.loc[own_k, "min"].to_numpy()
    return own_buy, own_t, own_row.astype(np.int64)


def _purchase_minimum(
    builder: ModelBuilder,
    case: Case,
    window: pd.DataFrame,
    buy: np.ndarray,
    block: np.ndarray,
    sign: np.ndarray,
) -> None:
    """Once signed, at least min_commit units are bought over the window."""
    options = case.supply
    committed = sorted({k for k in window["k"] if options[k].min_commit > 0})
    if not committed:
        return
    local = {k: i for i, k in enumerate(committed)}
    mine = np.flatnonzero(window["k"].isin(committed).to_numpy())
    kb = window["k"].to_numpy()
    builder.add_rows(
        "purchase_minimum",
        pd.DataFrame({"supply": [options[k].id for k in committed]}),
        terms=[
            Terms([local[k] for k in kb[mine]], buy[mine], block[mine]),
            Terms.each(sign[committed], [-options[k].min_commit for k in committed]),
        ],
        lower=0.0,
        meaning=PURCHASE_MINIMUM,
    )
