"""The formulation: the case as one solver-neutral model, family by family (docs/engine.md).

Written once; every backend translates the same ``LinearModel``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocator.case.model import Case
from allocator.case.series import calendar_values
from allocator.formulation.budget import add_budget, project_costs
from allocator.formulation.choices import Choices, build_choices
from allocator.formulation.choose import add_choose
from allocator.formulation.demand import add_demand
from allocator.formulation.funding import add_funding
from allocator.formulation.objective import add_objective
from allocator.formulation.policies import add_excludes, add_requires
from allocator.formulation.revenue import base_revenue, project_revenue
from allocator.formulation.shares import add_shares
from allocator.formulation.sites import add_sites
from allocator.formulation.spending import MoneyFlows
from allocator.formulation.supply import SupplyColumns, add_supply
from allocator.model.builder import ModelBuilder
from allocator.model.linear import LinearModel


@dataclass(frozen=True)
class Formulation:
    """The model and the handles that map its columns and rows back to the case.

    ``model.columns`` and ``model.rows`` give every family by name, with the case ids
    of each member; ``choices`` and ``choose`` the choice table and its columns;
    ``supply`` the supply columns and payments; ``money`` every money flow by name.
    """

    model: LinearModel
    choices: Choices
    choose: np.ndarray
    supply: SupplyColumns
    money: MoneyFlows

    def chosen(self, x: np.ndarray) -> Choices:
        """The choices a plan takes: those whose choose column is 1 in ``x``."""
        taken = self.choices.table[x[self.choose] > 0.5]
        return Choices(taken.reset_index(drop=True))


def formulate(case: Case) -> Formulation:
    """Build the model of ``case``, every family in turn."""
    builder = ModelBuilder(maximize=True)
    choices = build_choices(case)
    choose = add_choose(builder, case, choices)
    add_requires(builder, case, choices, choose)
    add_excludes(builder, case, choices, choose)
    add_shares(builder, case, choices, choose)
    supply = add_supply(builder, case)
    add_demand(builder, case, choices, choose, supply)
    add_sites(builder, case, supply)
    funding = add_funding(builder, case, supply)
    money = MoneyFlows(
        costs={
            "project costs": project_costs(case, choices, choose),
            "project revenue": project_revenue(case, choices, choose),
            "supply payments": supply.spending,
            **funding.costs,
        },
        financing=funding.financing,
        fixed={
            "budget": np.asarray(calendar_values(case.budget.amounts, case.periods)),
            "base revenue": base_revenue(case),
        },
    )
    add_budget(builder, case, money)
    add_objective(builder, case, choices, choose, money)
    return Formulation(builder.build(), choices, choose, supply, money)
