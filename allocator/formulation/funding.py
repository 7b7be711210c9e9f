"""Outside money: equity tranches (earmarked, optional, with guaranteed returns) and credit.

Equity source f with tranches a_f[t] and take[f] (fixed 1; binary if optional;
in [0, 1] if also divisible):
    unearmarked: a_f[t] * take[f] is money in during t.
    earmarked to options S_f: e[f, s, t] >= 0 pays option s in t, with
        sum_{f earmarking s} e[f, s, t] <= payment of s in t
        sum_{k <= t} sum_s e[f, s, k] <= sum_{k <= t} a_f[k] * take[f]   (carry_over true;
        per period, without the sums over k, when false)
    guaranteed return g: in every period t, a cost of
        ((1 + g) ** (1 / periods_per_year) - 1) * sum_{k < t} a_f[k] * take[f].
Credit line f with draw[t], repay[t] >= 0 and 0 <= balance[t] <= limit:
    balance[t] - balance[t-1] - draw[t] + repay[t] = 0,  draw[t] = 0 outside its window,
    balance[last] = 0 with repay_by_end; interest in t of rate_p * balance[t-1] is a cost.
Money in and out of financing (tranches, earmarked payments, draws, repayments) enters
the money rows only; interest and guaranteed returns are costs and count in npv too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocator.case.model import Case
from allocator.case.money import Funding, FundingKind
from allocator.case.series import calendar_values
from allocator.case.timing import availability
from allocator.formulation.spending import Spending
from allocator.formulation.supply import SupplyColumns
from allocator.model.builder import ModelBuilder


@dataclass(frozen=True)
class FundingTerms:
    """What the funding families add, by name.

    ``costs`` (interest, guaranteed returns) count in the money rows and npv;
    ``financing`` (equity, earmarked payments, credit draws and repayments)
    in the money rows only.
    """

    costs: dict[str, Spending]
    financing: dict[str, Spending]


def per_period_rate(rate: float, periods_per_year: int) -> float:
    """The per-period equivalent of a yearly rate: (1 + rate) ** (1 / periods_per_year) - 1."""
    return (1.0 + rate) ** (1.0 / periods_per_year) - 1.0


def add_funding(builder: ModelBuilder, case: Case, supply: SupplyColumns) -> FundingTerms:
    """Add the equity and credit families; return their spending terms."""
    equity = [f for f in case.funding if f.kind is FundingKind.EQUITY]
    credit = [f for f in case.funding if f.kind is FundingKind.CREDIT]
    costs: dict[str, list[Spending]] = {"interest": [], "guaranteed returns": []}
    financing: dict[str, list[Spending]] = {
        "equity": [],
        "earmarked": [],
        "credit draws": [],
        "repayments": [],
    }
    if equity:
        _add_equity(builder, case, supply, equity, costs, financing)
    for line in credit:
        _add_credit(builder, case, line, costs, financing)
    return FundingTerms(
        {name: Spending.join(parts) for name, parts in costs.items()},
        {name: Spending.join(parts) for name, parts in financing.items()},
    )


def _add_equity(
    builder: ModelBuilder,
    case: Case,
    supply: SupplyColumns,
    sources: list[Funding],
    costs: dict[str, list[Spending]],
    financing: dict[str, list[Spending]],
) -> None:
    horizon = len(case.periods)
    take = builder.add_variables(
        "take",
        pd.DataFrame({"funding": [f.id for f in sources]}),
        lower=[0.0 if f.optional else 1.0 for f in sources],
        upper=1.0,
        integer=[f.optional and not f.divisible for f in sources],
    )
    for f, column in zip(sources, take, strict=True):
        amounts = np.asarray(calendar_values(f.amounts or 0.0, case.periods))
        periods = np.arange(horizon)
        if not f.earmark:
            financing["equity"].append(Spending(periods, np.full(horizon, column), -amounts))
        if f.guaranteed_return:
            rate = per_period_rate(f.guaranteed_return, case.periods_per_year)
            received_before = np.concatenate([[0.0], np.cumsum(amounts)[:-1]])
            costs["guaranteed returns"].append(
                Spending(periods, np.full(horizon, column), rate * received_before)
            )
    earmarked = [(f, c) for f, c in zip(sources, take, strict=True) if f.earmark]
    if earmarked:
        _add_earmarks(builder, case, supply, earmarked, financing)


def _add_earmarks(
    builder: ModelBuilder,
    case: Case,
    supply: SupplyColumns,
    earmarked: list[tuple[Funding, int]],
    financing: dict[str, list[Spending]],
) -> None:
    served = supply.table.reset_index(drop=True)
    pairs = pd.DataFrame(
        [(f.id, j, s) for j, (f, _) in enumerate(earmarked) for s in f.earmark],
        columns=["funding", "j", "supply"],
    )
    spend = pairs.merge(served.reset_index(names="row"), on="supply")
    e = builder.add_variables("earmarked", spend[["funding", "supply", "period"]])
    financing["earmarked"].append(Spending(spend["t"].to_numpy(), e, -np.ones(len(e))))
    # earmarked money covers at most what the option pays in that period
    covered = np.sort(spend["row"].unique())
    local = pd.Series(np.arange(len(covered)), index=covered)
    pay = supply.payments.merge(
        served.loc[covered, ["k", "t"]].reset_index(names="row"), on=["k", "t"]
    )
    builder.add_rows(
        "earmark_covers",
        served.loc[covered, ["supply", "period"]],
        rows=np.concatenate([local[spend["row"]].to_numpy(), local[pay["row"]].to_numpy()]),
        columns=np.concatenate([e, pay["column"].to_numpy()]),
        coefficients=np.concatenate([np.ones(len(e)), -pay["amount"].to_numpy()]),
        upper=0.0,
    )
    _earmark_limits(builder, case, earmarked, spend, e)


def _earmark_limits(
    builder: ModelBuilder,
    case: Case,
    earmarked: list[tuple[Funding, int]],
    spend: pd.DataFrame,
    e: np.ndarray,
) -> None:
    """Earmarked money spent by period t within what has arrived (per period without carry-over)."""
    horizon = len(case.periods)
    t_of = spend["t"].to_numpy()
    j_of = spend["j"].to_numpy()
    rows, cols, coefs = [], [], []
    for j, (f, column) in enumerate(earmarked):
        arrived = np.asarray(calendar_values(f.amounts or 0.0, case.periods))
        if case.budget.carry_over:
            arrived = np.cumsum(arrived)
        mine = np.flatnonzero(j_of == j)
        for t in range(horizon):
            spent = mine[t_of[mine] <= t] if case.budget.carry_over else mine[t_of[mine] == t]
            row = j * horizon + t
            rows += [np.full(len(spent), row), [row]]
            cols += [e[spent], [column]]
            coefs += [np.ones(len(spent)), [-arrived[t]]]
    builder.add_rows(
        "earmark_funds",
        pd.DataFrame(
            {
                "funding": np.repeat([f.id for f, _ in earmarked], horizon),
                "period": case.periods * len(earmarked),
            }
        ),
        rows=np.concatenate(rows),
        columns=np.concatenate(cols),
        coefficients=np.concatenate(coefs),
        upper=0.0,
    )


def _add_credit(
    builder: ModelBuilder,
    case: Case,
    line: Funding,
    costs: dict[str, list[Spending]],
    financing: dict[str, list[Spending]],
) -> None:
    horizon = len(case.periods)
    limit = float(line.limit or 0.0)
    first, last = availability(case, line)
    keys = pd.DataFrame({"funding": [line.id] * horizon, "period": case.periods})
    window = (np.arange(horizon) >= first) & (np.arange(horizon) <= last)
    draw = builder.add_variables(f"draw[{line.id}]", keys, upper=np.where(window, limit, 0.0))
    repay = builder.add_variables(f"repay[{line.id}]", keys)
    end = np.full(horizon, limit)
    if line.repay_by_end:
        end[-1] = 0.0
    balance = builder.add_variables(f"balance[{line.id}]", keys, upper=end)
    t = np.arange(horizon)
    later = t[1:]
    builder.add_rows(
        f"credit_balance[{line.id}]",
        keys,
        rows=np.concatenate([t, later, t, t]),
        columns=np.concatenate([balance, balance[later - 1], draw, repay]),
        coefficients=np.concatenate(
            [np.ones(horizon), -np.ones(horizon - 1), -np.ones(horizon), np.ones(horizon)]
        ),
        lower=0.0,
        upper=0.0,
    )
    financing["credit draws"].append(Spending(t, draw, -np.ones(horizon)))
    financing["repayments"].append(Spending(t, repay, np.ones(horizon)))
    if line.rate:
        rate = per_period_rate(line.rate, case.periods_per_year)
        costs["interest"].append(Spending(later, balance[later - 1], np.full(horizon - 1, rate)))
