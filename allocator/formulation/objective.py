"""The objective: discounted value (``value``), or value and revenue less spending (``npv``).

value:  maximise sum_c sum_t d_t * value[c, t] * choose[c]
npv:    maximise sum_c sum_t d_t * (value[c, t] + revenue[c, t]) * choose[c]
                 - sum over spending terms (t, j, a) of d_t * a * x[j]
with d_t = (1 + discount_rate) ** (-t / periods_per_year), both times weights.objective,
plus weights.score * score[p] for every funded project p.
"""

from __future__ import annotations

import numpy as np

from allocator.case.model import Case, Objective
from allocator.formulation.choices import Choices, profile
from allocator.formulation.spending import Spending
from allocator.model.builder import ModelBuilder


def discount_factors(case: Case) -> np.ndarray:
    """d_t for every period t of the horizon."""
    k = np.arange(len(case.periods), dtype=float)
    return (1.0 + case.discount_rate) ** (-k / case.periods_per_year)


def add_objective(
    builder: ModelBuilder, case: Case, choices: Choices, choose: np.ndarray, spending: Spending
) -> None:
    """Add the objective terms of every choice and, for npv, of every spending term."""
    factors = discount_factors(case) * case.weights.objective
    fields = ["value"] + (["revenue"] if case.objective is Objective.NPV else [])
    for field in fields:
        choice, period, amount = profile(case, choices, field)
        builder.add_objective(choose[choice], factors[period] * amount)
    if case.objective is Objective.NPV:
        builder.add_objective(spending.column, -factors[spending.period] * spending.amount)
    if case.weights.score:
        scores = np.array([project.score for project in case.projects])
        builder.add_objective(choose, case.weights.score * scores[choices.table["p"].to_numpy()])
