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
from allocator.formulation.spending import MoneyFlows, Spending
from allocator.model.builder import ModelBuilder


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
        builder.add_rows("budget", keys, period, column, amount, upper=amounts)
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
    )
