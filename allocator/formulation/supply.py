"""Supply: signing, capacity, take-or-pay, purchases owned for their life, blocks, payments.

sign[s] is binary for an ``optional`` option and fixed at 1 otherwise; used[s, t] is
the units of option s serving projects in period t.

Contract and spot options, in every period t of the availability window:
    used[s, t] - capacity[s, t] * sign[s] <= 0
    paid[s, t] - used[s, t] >= 0
    paid[s, t] - min_commit[s] * sign[s] >= 0        (take-or-pay, if min_commit > 0)
    paid[s, t] = block[s] * n[s, t], n integer       (if block != 1)
    payment in t: unit_cost * paid[s, t]
Purchases, with buy[s, k] blocks bought in period k of the window (integer if block != 1):
    block * buy[s, k] - capacity[s, k] * sign[s] <= 0
    used[s, t] - block * sum_{k <= t < k + life} buy[s, k] <= 0     (t up to the horizon's end)
    block * sum_k buy[s, k] - min_commit[s] * sign[s] >= 0          (if min_commit > 0)
    payment in k: unit_cost * block * buy[s, k]; in t: running_cost * units owned in t
Every option pays fixed_cost * sign[s] in its first period of availability.
With block 1 (the default) quantities are not rounded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocator.case.model import Case
from allocator.case.series import calendar_values
from allocator.case.supply import Supply, SupplyKind
from allocator.case.timing import availability
from allocator.formulation.meaning import Dual, Elastic, Format, RowMeaning, Tier
from allocator.formulation.spending import Spending
from allocator.model.builder import ModelBuilder, Terms


def _offered(case: Case, supply: str, period: str) -> float:
    """Units option ``supply`` offers (or sells) in ``period``."""
    option = case.supply_by_id[supply]
    first, last = availability(case, option)
    return calendar_values(option.capacity, case.periods, first, last)[case.period_index[period]]


def _committed(case: Case, keys: dict[str, str], fmt: Format) -> tuple[str, str]:
    s, t = keys["supply"], keys.get("period")
    when = f" in {t}" if t else ""
    minimum = fmt(case.supply_by_id[s].min_commit)
    return f"{s} is paid for at least {minimum} units{when} once signed", f"supply[{s}].min_commit"


CAPACITY = RowMeaning(
    quantity="resource units",
    binding="contract capacity used in full",
    elastic=Elastic(Tier.LIMIT, "upper"),
    change=lambda case, keys, n, users, fmt: (
        f"{keys['supply']} would need {n} more units of capacity in {keys['period']}",
        f"supply[{keys['supply']}].capacity",
    ),
    limit=lambda case, keys, fmt: (
        f"{keys['supply']} offers at most "
        f"{fmt(_offered(case, keys['supply'], keys['period']))} units in {keys['period']}",
        f"supply[{keys['supply']}].capacity",
    ),
    dual=Dual("contract capacity", "unit"),
)
BUY_CAPACITY = RowMeaning(
    quantity="resource units",
    binding="purchase capacity bought in full",
    elastic=Elastic(Tier.LIMIT, "upper"),
    change=lambda case, keys, n, users, fmt: (
        f"{keys['supply']} would need to sell {n} more units in {keys['period']}",
        f"supply[{keys['supply']}].capacity",
    ),
    limit=lambda case, keys, fmt: (
        f"{keys['supply']} sells at most "
        f"{fmt(_offered(case, keys['supply'], keys['period']))} units in {keys['period']}",
        f"supply[{keys['supply']}].capacity",
    ),
    dual=Dual("purchase capacity", "unit"),
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
    limit=_committed,
    dual=Dual("take-or-pay commitment, one unit less", "unit", sign=-1.0),
)
PURCHASE_MINIMUM = RowMeaning(
    quantity="resource units",
    binding="purchase commitment only just met",
    elastic=Elastic(Tier.COMMITMENT, "lower"),
    change=lambda case, keys, n, users, fmt: (
        f"{keys['supply']}'s purchase commitment fits only {n} units lower",
        f"supply[{keys['supply']}].min_commit",
    ),
    limit=_committed,
)


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
        payments.append(_add_contracts(builder, case, served[~is_purchase], sign))
    if is_purchase.any():
        payments.append(_add_purchases(builder, case, served[is_purchase], sign))
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


def _option_array(options: list[Supply], k: np.ndarray, field: str) -> np.ndarray:
    return np.array([getattr(s, field) for s in options], dtype=float)[k]


def _add_contracts(
    builder: ModelBuilder, case: Case, served: pd.DataFrame, sign: np.ndarray
) -> pd.DataFrame:
    options = case.supply
    keys = served[["supply", "period"]]
    k = served["k"].to_numpy()
    used = served["used"].to_numpy()
    block = _option_array(options, k, "block")
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
    commit = _option_array(options, k, "min_commit")
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
            "amount": _option_array(options, k, "unit_cost"),
        }
    )


def _add_purchases(
    builder: ModelBuilder, case: Case, served: pd.DataFrame, sign: np.ndarray
) -> pd.DataFrame:
    options = case.supply
    horizon = len(case.periods)
    served = served.reset_index(drop=True)
    last_buy = np.array([availability(case, s)[1] for s in options], dtype=np.int64)
    window = served[served["t"].to_numpy() <= last_buy[served["k"].to_numpy()]]
    window = window.reset_index(drop=True)
    kb = window["k"].to_numpy()
    tb = window["t"].to_numpy()
    block = _option_array(options, kb, "block")
    buy = builder.add_variables("buy", window[["supply", "period"]], integer=block != 1)
    builder.add_rows(
        "buy_capacity",
        window[["supply", "period"]],
        terms=[Terms.each(buy, block), Terms.each(sign[kb], -window["capacity"].to_numpy())],
        upper=0.0,
        meaning=BUY_CAPACITY,
    )
    # owned units: a block bought in k serves periods k .. k + life - 1
    life = np.array([options[k].life or horizon for k in kb], dtype=np.int64)
    span = np.minimum(life, horizon - tb)
    own_buy = np.repeat(np.arange(len(window)), span)
    own_t = tb[own_buy] + (np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span))
    # served rows of one option are consecutive periods from its first one
    starts = served.groupby("k")["t"].agg(["idxmin", "min"])
    own_k = kb[own_buy]
    own_row = (
        starts.loc[own_k, "idxmin"].to_numpy() + own_t - starts.loc[own_k, "min"].to_numpy()
    ).astype(np.int64)
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
    running = _option_array(options, kb, "running_cost")
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "k": kb,
                    "t": tb,
                    "column": buy,
                    "amount": _option_array(options, kb, "unit_cost") * block,
                }
            ),
            pd.DataFrame(
                {
                    "k": kb[own_buy],
                    "t": own_t,
                    "column": buy[own_buy],
                    "amount": running[own_buy] * block[own_buy],
                }
            ),
        ]
    )


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
