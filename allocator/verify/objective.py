"""The objective recomputed from the plan's decisions and the money they move.

value:  sum over funded projects p, periods t of d_t * value[p, t] * w_objective
npv:    the above plus sum_t d_t * w_objective * (base revenue + project revenue
        - project costs - supply payments - interest - guaranteed returns)[t]
both:   plus w_score * score[p] for every funded project p;
d_t = (1 + discount_rate) ** (-t / periods_per_year).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocator.case.model import Case, Objective
from allocator.verify.core import Decisions


def recompute_objective(case: Case, decisions: Decisions, flows: pd.DataFrame) -> float:
    """The objective of the plan, by the formula above."""
    k = np.arange(len(case.periods), dtype=float)
    d = (1.0 + case.discount_rate) ** (-k / case.periods_per_year) * case.weights.objective
    total = float(d @ decisions.series_matrix(list(decisions.funded), "value").sum(axis=0))
    total += case.weights.score * sum(case.projects_by_id[p].score for p in decisions.funded)
    if case.objective is Objective.NPV:
        net = (
            flows["base_revenue"]
            + flows["project_revenue"]
            - flows["project_costs"]
            - flows["supply_payments"]
            - flows["interest"]
            - flows["guaranteed_returns"]
        )
        total += float(d @ net.to_numpy())
    return total
