"""Revenue as cash: base revenue of the existing business and project revenue.

Base revenue is money in: period k receives amounts[k] * (1 + growth) ** (k / periods_per_year),
which raises that period's money limit and, under ``npv``, adds a constant
sum_k d_k * base[k] to the objective. Project revenue is a negative spending term:
revenue[c, t] * choose[c] pays for spending in t like any other money in.
"""

from __future__ import annotations

import numpy as np

from allocator.case.model import Case
from allocator.case.series import calendar_values
from allocator.formulation.choices import Choices, profile
from allocator.formulation.spending import Spending


def base_revenue(case: Case) -> np.ndarray:
    """Base revenue per period, grown."""
    horizon = len(case.periods)
    if case.revenue is None:
        return np.zeros(horizon)
    amounts = np.asarray(calendar_values(case.revenue.amounts, case.periods))
    k = np.arange(horizon, dtype=float)
    return amounts * (1.0 + case.revenue.growth) ** (k / case.periods_per_year)


def project_revenue(case: Case, choices: Choices, choose: np.ndarray) -> Spending:
    """-revenue[c, t] * choose[c]: project revenue as money in."""
    choice, period, amount = profile(case, choices, "revenue")
    return Spending(period, choose[choice], -amount)
