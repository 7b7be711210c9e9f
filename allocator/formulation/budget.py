"""Money per period: every spending term against the budget.

With carry_over false, for every period t:
    sum of spending in t <= amounts[t] + base revenue[t]
With carry_over true, for every period t:
    sum_{k <= t} spending in k <= sum_{k <= t} (amounts[k] + base revenue[k]) - min_cash
Spending is project costs and supply payments less project revenue (``Spending`` terms).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocator.case.model import Case
from allocator.formulation.choices import Choices, profile
from allocator.formulation.meaning import Dual, Elastic, RowMeaning, Tier, needed_by
from allocator.formulation.spending import MoneyFlows, Spending
from allocator.model.builder import ModelBuilder

CASH = RowMeaning(
    quantity="money amounts",
    binding="cash at its minimum",
    elastic=Elastic(Tier.CASH, "upper"),
    users="money",
    change=lambda case, keys, n, users, fmt: (
        f"{keys['period']} cash is short by {n} ({case.money_unit}): raise the money arriving "
        f"by {keys['period']} (budget or funding), drop the reserve (min_cash "
        f"{fmt(case.budget.min_cash)}) by {n}, or release a project that spends by "
        f"then{needed_by(users)}",
        "budget.amounts, funding[].amounts or budget.min_cash",
    ),
    limit=lambda case, keys, fmt: (
        f"cash at the end of {keys['period']} stays at or above {fmt(case.budget.min_cash)}",
        "budget.amounts, budget.min_cash",
    ),
    dual=Dual("money arriving", cumulative=True),
)
BUDGET = RowMeaning(
    quantity="money amounts",
    binding="period budget spent in full",
    elastic=Elastic(Tier.LIMIT, "upper"),
    users="money",
    change=lambda case, keys, n, users, fmt: (
        f"{keys['period']} spends {n} ({case.money_unit}) more than its budget: raise it, or "
        f"release a project that spends in {keys['period']}{needed_by(users)}",
        f"budget.amounts ({keys['period']})",
    ),
    limit=lambda case, keys, fmt: (
        f"spending in {keys['period']} stays within that period's money",
        f"budget.amounts ({keys['period']})",
    ),
    dual=Dual("budget"),
)


def project_costs(case: Case, choices: Choices, choose: np.ndarray) -> Spending:
    """cost[c, t] * choose[c] for every active period of every choice."""
    choice, period, cost = profile(case, choices, "cost")
    return Spending(period, choose[choice], cost)


def add_budget(builder: ModelBuilder, case: Case, money: MoneyFlows) -> None:
    """One money row per period: every cost and financing term against the fixed money in."""
    horizon = len(case.periods)
    amounts = np.sum(list(money.fixed.values()), axis=0)
    keys = pd.DataFrame({"period": case.periods})
    terms = money.all_terms
    period, column, amount = terms.period, terms.column, terms.amount
    if not case.budget.carry_over:
        builder.add_rows("budget", keys, period, column, amount, upper=amounts, meaning=BUDGET)
        return
    # a payment in period k counts in every cumulative row t >= k
    repeats = horizon - period
    starts = np.repeat(np.cumsum(repeats) - repeats, repeats)
    rows = np.arange(repeats.sum(), dtype=np.int64) - starts + np.repeat(period, repeats)
    builder.add_rows(
        "cash",
        keys,
        rows=rows,
        columns=np.repeat(column, repeats),
        coefficients=np.repeat(amount, repeats),
        upper=np.cumsum(amounts) - case.budget.min_cash,
        meaning=CASH,
    )
