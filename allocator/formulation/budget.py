"""Money per period: project costs against the budget.

With carry_over false, for every period t:
    sum_c cost[c, t] * choose[c] <= amounts[t]
With carry_over true, for every period t:
    sum_{k <= t} sum_c cost[c, k] * choose[c] <= sum_{k <= t} amounts[k] - min_cash
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocator.case.model import Case
from allocator.case.series import calendar_values
from allocator.formulation.choices import Choices, profile
from allocator.model.builder import ModelBuilder


def add_budget(builder: ModelBuilder, case: Case, choices: Choices, choose: np.ndarray) -> None:
    """One money row per period."""
    horizon = len(case.periods)
    amounts = np.asarray(calendar_values(case.budget.amounts, case.periods))
    choice, period, cost = profile(case, choices, "cost")
    keys = pd.DataFrame({"period": case.periods})
    if case.budget.carry_over:
        # the cost paid in period k counts in every row t >= k
        repeats = horizon - period
        rows = (
            np.arange(repeats.sum(), dtype=np.int64)
            - np.repeat(np.cumsum(repeats) - repeats, repeats)
            + np.repeat(period, repeats)
        )
        builder.add_rows(
            "cash",
            keys,
            rows=rows,
            columns=np.repeat(choose[choice], repeats),
            coefficients=np.repeat(cost, repeats),
            upper=np.cumsum(amounts) - case.budget.min_cash,
        )
    else:
        builder.add_rows(
            "budget",
            keys,
            rows=period,
            columns=choose[choice],
            coefficients=cost,
            upper=amounts,
        )
