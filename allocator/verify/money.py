"""Money rules: funding taken, earmarks, credit lines and cash, from the case and the plan.

Equity f: taken[f] = 1 unless optional; in {0, 1} unless divisible; arrived[f, t] =
amounts[f, t] * taken[f]. Unearmarked money arrives as it comes; earmarked money
only as payments to its options: e[f, s, t] >= 0 with s in earmark[f],
sum_f e[f, s, t] <= payment[s, t], and sum_{k <= t} e[f, ., k] <= sum_{k <= t}
arrived[f, k] (per period, without the sums, when carry_over is false).
Guaranteed return g: rate_p(g) * sum_{k < t} arrived[f, k] is paid in t.
Credit line: draw, repay, balance >= 0; draws only in the window;
balance[t] = balance[t-1] + draw[t] - repay[t] <= limit (balance[-1] = 0);
balance[last] = 0 with repay_by_end; interest in t: rate_p(rate) * balance[t-1].
rate_p(r) = (1 + r) ** (1 / periods_per_year) - 1.
Cash: net[t] = money in - money out; with carry_over sum_{k <= t} net[k] >= min_cash,
without it net[t] >= 0, for every t.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocator.case.model import Case
from allocator.case.money import Funding, FundingKind
from allocator.case.series import calendar_values
from allocator.case.timing import availability
from allocator.plan.tables import MONEY_IN, MONEY_OUT
from allocator.verify.core import Decisions, Violation, exceeded, over
from allocator.verify.supply import OptionUse


def rate_per_period(rate: float, periods_per_year: int) -> float:
    """rate_p(r) = (1 + r) ** (1 / periods_per_year) - 1 (restated here: the checker
    shares no code with the formulation it checks)."""
    return (1.0 + rate) ** (1.0 / periods_per_year) - 1.0


def money_flows(
    case: Case, decisions: Decisions, uses: dict[str, OptionUse]
) -> tuple[pd.DataFrame, list[Violation]]:
    """Money in and out per period (one column per flow), and the funding rules broken."""
    horizon = len(case.periods)
    k = np.arange(horizon, dtype=float)
    flows = pd.DataFrame({"period": case.periods})
    flows["budget"] = calendar_values(case.budget.amounts, case.periods)
    base = case.revenue
    flows["base_revenue"] = (
        np.asarray(calendar_values(base.amounts, case.periods))
        * (1.0 + base.growth) ** (k / case.periods_per_year)
        if base
        else 0.0
    )
    for column, what in (("project_revenue", "revenue"), ("project_costs", "cost")):
        flows[column] = decisions.series_matrix(list(decisions.funded), what).sum(axis=0)
    flows["supply_payments"] = sum((u.payment for u in uses.values()), np.zeros(horizon))
    found = _equity(case, decisions, uses, flows)
    found += _credit(case, decisions, flows)
    return flows, found


def _taken(case: Case, decisions: Decisions) -> tuple[dict[str, float], list[Violation]]:
    table = decisions.plan.funding
    taken: dict[str, float] = {}
    found = []
    known = {f.id for f in case.funding}
    for source, share in zip(
        table["funding"].astype(str), table["taken"].astype(float), strict=True
    ):
        if source not in known:
            found.append(Violation("funding", source, "is not a funding source of the case"))
        elif source in taken:
            found.append(Violation("funding", source, "appears more than once in the plan"))
        else:
            taken[source] = share
    for f in case.funding:
        if f.kind is FundingKind.CREDIT:
            continue
        share = taken.get(f.id)
        if share is None:
            found.append(Violation("funding", f.id, "is missing from the plan"))
            taken[f.id] = share = 0.0 if f.optional else 1.0
        if not f.optional and abs(share - 1) > 1e-9:
            found.append(Violation("funding", f.id, f"is not optional but {share:.6g} is taken"))
        elif not -1e-9 <= share <= 1 + 1e-9:
            found.append(Violation("funding", f.id, f"takes {share:.6g}, not between 0 and 1"))
        elif not f.divisible and min(share, 1 - share) > 1e-9:
            found.append(Violation("funding", f.id, f"is all or nothing but {share:.6g} is taken"))
    return taken, found


def _equity(
    case: Case, decisions: Decisions, uses: dict[str, OptionUse], flows: pd.DataFrame
) -> list[Violation]:
    horizon = len(case.periods)
    taken, found = _taken(case, decisions)
    spent = _earmarks(case, decisions, uses, found)
    rate = case.periods_per_year
    flows["equity"] = 0.0
    flows["earmarked"] = 0.0
    flows["guaranteed_returns"] = 0.0
    for f in case.funding:
        if f.kind is FundingKind.CREDIT:
            continue
        arrived = np.asarray(calendar_values(f.amounts or 0.0, case.periods)) * taken[f.id]
        mine = spent.get(f.id, np.zeros(horizon))
        if f.earmark:
            flows["earmarked"] += mine
            found += _within_arrivals(case, f, mine, arrived)
        else:
            flows["equity"] += arrived
        before = np.concatenate([[0.0], np.cumsum(arrived)[:-1]])
        flows["guaranteed_returns"] += rate_per_period(f.guaranteed_return, rate) * before
    return found


def _earmarks(
    case: Case, decisions: Decisions, uses: dict[str, OptionUse], found: list[Violation]
) -> dict[str, np.ndarray]:
    """Earmarked money spent per source and period; checks it pays only what it may."""
    horizon = len(case.periods)
    sources = {f.id: f for f in case.funding}
    spent: dict[str, np.ndarray] = {}
    paying: dict[str, np.ndarray] = {}
    for row in decisions.plan.earmarks.itertuples(index=False):
        f, s, amount = sources.get(str(row.funding)), str(row.supply), float(row.amount)
        t = case.period_index.get(str(row.period))
        if f is None or s not in f.earmark or t is None:
            found.append(Violation("earmark", str(row.funding), f"may not pay {s} in {row.period}"))
            continue
        if amount < -1e-9:
            found.append(Violation("earmark", f.id, f"pays a negative amount to {s}"))
        spent.setdefault(f.id, np.zeros(horizon))[t] += amount
        paying.setdefault(s, np.zeros(horizon))[t] += amount
    for s, amounts in paying.items():
        payment = uses[s].payment if s in uses else np.zeros(horizon)
        text = "earmarked money pays {amount:,.6g}, the option costs {limit:,.6g}"
        found += exceeded(case.periods, "earmark", s, amounts, payment, text)
    return spent


def _within_arrivals(
    case: Case, f: Funding, spent: np.ndarray, arrived: np.ndarray
) -> list[Violation]:
    if case.budget.carry_over:
        spent, arrived = np.cumsum(spent), np.cumsum(arrived)
    text = "spends {amount:,.6g} of earmarked money, {limit:,.6g} has arrived"
    return exceeded(case.periods, "earmark", f.id, spent, arrived, text)


def _credit(case: Case, decisions: Decisions, flows: pd.DataFrame) -> list[Violation]:
    table = decisions.plan.credit
    horizon = len(case.periods)
    found: list[Violation] = []
    for column in ("credit_draws", "repayments", "interest"):
        flows[column] = 0.0
    lines = {f.id for f in case.funding if f.kind is FundingKind.CREDIT}
    for source in sorted(set(table["funding"].astype(str)) - lines):
        found.append(Violation("credit", source, "is not a credit line of the case"))
    for label in sorted(set(table["period"].astype(str)) - set(case.periods)):
        found.append(Violation("credit", label, "is not a period of the case"))
    table = table[table["period"].astype(str).isin(case.period_index)]
    for f in case.funding:
        if f.kind is not FundingKind.CREDIT:
            continue
        rows = table[table["funding"] == f.id]
        line = {c: np.zeros(horizon) for c in ("draw", "repay", "balance")}
        for row in rows.itertuples(index=False):
            t = case.period_index[str(row.period)]
            for c in line:
                line[c][t] += float(getattr(row, c))
        found += _credit_rules(case, f, line)
        before = np.concatenate([[0.0], line["balance"][:-1]])
        flows["credit_draws"] += line["draw"]
        flows["repayments"] += line["repay"]
        flows["interest"] += rate_per_period(f.rate, case.periods_per_year) * before
    return found


def _credit_rules(case: Case, f: Funding, line: dict[str, np.ndarray]) -> list[Violation]:
    first, last = availability(case, f)
    limit = f.limit or 0.0
    found = []
    previous = 0.0
    for t, label in enumerate(case.periods):
        draw, repay, balance = line["draw"][t], line["repay"][t], line["balance"][t]
        subject = f"{f.id} {label}"
        if min(draw, repay, balance) < -1e-9:
            found.append(Violation("credit", subject, "has a negative draw, repayment or balance"))
        if not first <= t <= last and over(draw, 0.0):
            found.append(Violation("credit", subject, f"draws {draw:,.6g} outside its window"))
        expected = previous + draw - repay
        if over(abs(balance - expected), 0.0, balance, previous, draw, repay):
            found.append(
                Violation(
                    "credit",
                    subject,
                    f"balance {balance:,.6g}, draws and repayments give {expected:,.6g}",
                )
            )
        if over(balance, limit):
            found.append(
                Violation("credit", subject, f"owes {balance:,.6g}, over the limit {limit:,.6g}")
            )
        previous = balance
    if f.repay_by_end and over(previous, 0.0):
        found.append(
            Violation("credit", f.id, f"still owes {previous:,.6g} at the end of the horizon")
        )
    return found


def check_cash(case: Case, flows: pd.DataFrame) -> list[Violation]:
    """Cash never below min_cash (carry-over), or each period's spending within its money."""
    money_in = flows[list(MONEY_IN)].sum(axis=1).to_numpy()
    money_out = flows[list(MONEY_OUT)].sum(axis=1).to_numpy()
    unit = case.money_unit
    found = []
    if case.budget.carry_over:
        cash = np.cumsum(money_in - money_out)
        scale = np.cumsum(money_in + money_out)
        for t, label in enumerate(case.periods):
            if over(case.budget.min_cash, cash[t], scale[t]):
                found.append(
                    Violation(
                        "cash",
                        label,
                        f"cash at the end is {cash[t]:,.6g} {unit}, "
                        f"below the minimum of {case.budget.min_cash:,.6g}",
                    )
                )
        return found
    for t, label in enumerate(case.periods):
        if over(money_out[t], money_in[t]):
            found.append(
                Violation(
                    "budget",
                    label,
                    f"spends {money_out[t]:,.6g} {unit}, has {money_in[t]:,.6g} "
                    f"(short by {money_out[t] - money_in[t]:,.6g})",
                )
            )
    return found
