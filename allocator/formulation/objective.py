"""The objective: discounted value (``value``), or value and revenue less spending (``npv``).

value:  maximise sum_c sum_t d_t * value[c, t] * choose[c]
npv:    maximise sum_c sum_t d_t * value[c, t] * choose[c] + sum_t d_t * base revenue[t]
                 - sum over spending terms (t, j, a) of d_t * a * x[j]
(project revenue is a negative spending term, so npv counts it once).
with d_t = (1 + discount_rate) ** (-t / periods_per_year), both times weights.objective,
plus weights.score * score[p] for every funded project p.
"""

from __future__ import annotations

import numpy as np

from allocator.case.model import Case, Objective
from allocator.formulation.choices import Choices, profile
from allocator.formulation.spending import MoneyFlows
from allocator.model.builder import ModelBuilder


def discount_factors(case: Case) -> np.ndarray:
    """d_t for every period t of the horizon."""
    k = np.arange(len(case.periods), dtype=float)
    return (1.0 + case.discount_rate) ** (-k / case.periods_per_year)


def add_objective(
    builder: ModelBuilder,
    case: Case,
    choices: Choices,
    choose: np.ndarray,
    money: MoneyFlows,
) -> None:
    """Add the value of every choice and, for npv, every cost term and the base revenue."""
    factors = discount_factors(case) * case.weights.objective
    choice, period, amount = profile(case, choices, "value")
    builder.add_objective(choose[choice], factors[period] * amount)
    if case.objective is Objective.NPV:
        costs = money.all_costs
        builder.add_objective(costs.column, -factors[costs.period] * costs.amount)
        builder.add_objective_offset(float(factors @ money.fixed["base revenue"]))
    if case.weights.score:
        scores = np.array([project.score for project in case.projects])
        builder.add_objective(choose, case.weights.score * scores[choices.table["p"].to_numpy()])
