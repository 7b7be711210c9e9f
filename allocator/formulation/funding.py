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
Credit line f with draw[f, t], repay[f, t] >= 0 and 0 <= balance[f, t] <= limit (three
column families keyed by (funding, period), every line in each):
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
from allocator.formulation.meaning import Dual, Elastic, RowMeaning, Tier
from allocator.formulation.spending import Spending
from allocator.formulation.supply import SupplyColumns
from allocator.model.builder import ModelBuilder, Terms

EARMARK_FUNDS = RowMeaning(
    quantity="money amounts",
    binding="earmarked money spent as it arrives",
    elastic=Elastic(Tier.LIMIT, "upper"),
    change=lambda case, keys, n, users, fmt: (
        f"{keys['funding']}'s earmarked money is {n} ({case.money_unit}) short by {keys['period']}",
        f"funding[{keys['funding']}].amounts",
    ),
    limit=lambda case, keys, fmt: (
        f"{keys['funding']}'s earmarked money is spent only once it has arrived ({keys['period']})",
        f"funding[{keys['funding']}].amounts",
    ),
    dual=Dual("earmarked money arriving", cumulative=True),
)
EARMARK_COVERS = RowMeaning(quantity="money amounts")


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
    if credit:
        _add_credit(builder, case, credit, costs, financing)
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
        terms=[
            Terms(local[spend["row"]].to_numpy(), e),
            Terms(
                local[pay["row"]].to_numpy(), pay["column"].to_numpy(), -pay["amount"].to_numpy()
            ),
        ],
        upper=0.0,
        meaning=EARMARK_COVERS,
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
    terms = []
    for j, (f, column) in enumerate(earmarked):
        arrived = np.asarray(calendar_values(f.amounts or 0.0, case.periods))
        if case.budget.carry_over:
            arrived = np.cumsum(arrived)
        mine = np.flatnonzero(j_of == j)
        for t in range(horizon):
            spent = mine[t_of[mine] <= t] if case.budget.carry_over else mine[t_of[mine] == t]
            row = j * horizon + t
            terms += [
                Terms(np.full(len(spent), row), e[spent]),
                Terms([row], [column], -arrived[t]),
            ]
    builder.add_rows(
        "earmark_funds",
        pd.DataFrame(
            {
                "funding": np.repeat([f.id for f, _ in earmarked], horizon),
                "period": case.periods * len(earmarked),
            }
        ),
        terms=terms,
        upper=0.0,
        meaning=EARMARK_FUNDS,
    )


def _add_credit(
    builder: ModelBuilder,
    case: Case,
    lines: list[Funding],
    costs: dict[str, list[Spending]],
    financing: dict[str, list[Spending]],
) -> None:
    """The draw, repay and balance families of every credit line, keyed by (funding, period)."""
    horizon = len(case.periods)
    keys = pd.DataFrame(
        {"funding": np.repeat([f.id for f in lines], horizon), "period": case.periods * len(lines)}
    )
    t = np.tile(np.arange(horizon), len(lines))
    limit = np.repeat([float(f.limit or 0.0) for f in lines], horizon)
    window = np.concatenate([_window(case, f) for f in lines])
    draw = builder.add_variables("draw", keys, upper=np.where(window, limit, 0.0))
    repay = builder.add_variables("repay", keys)
    last = (t == horizon - 1) & np.repeat([f.repay_by_end for f in lines], horizon)
    balance = builder.add_variables("balance", keys, upper=np.where(last, 0.0, limit))
    later = np.flatnonzero(t > 0)
    builder.add_rows(
        "credit_balance",
        keys,
        terms=[
            Terms.each(balance),
            Terms(later, balance[later - 1], -1.0),
            Terms.each(draw, -1.0),
            Terms.each(repay),
        ],
        lower=0.0,
        upper=0.0,
    )
    ones = np.ones(len(t))
    financing["credit draws"].append(Spending(t, draw, -ones))
    financing["repayments"].append(Spending(t, repay, ones))
    rate = np.repeat([per_period_rate(f.rate, case.periods_per_year) for f in lines], horizon)
    owed = later[rate[later] > 0]
    costs["interest"].append(Spending(t[owed], balance[owed - 1], rate[owed]))


def _window(case: Case, line: Funding) -> np.ndarray:
    """Whether the line may be drawn in each period."""
    first, last = availability(case, line)
    periods = np.arange(len(case.periods))
    return (periods >= first) & (periods <= last)
