"""The case: the whole planning problem as one validated, frozen object."""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property

from pydantic import Field

from allocator.case.base import CaseModel
from allocator.case.money import Budget, Funding, Revenue
from allocator.case.projects import Project
from allocator.case.resources import Resource, Site
from allocator.case.scenario_model import Scenario
from allocator.case.supply import Supply
from allocator.case.types import (
    Factor,
    Fraction,
    Id,
    PeriodLabel,
    PeriodsPerYear,
    Rate,
    SignedAmount,
)
from allocator.case.uncertainty import RandomFactor


class Objective(StrEnum):
    """What the plan maximises."""

    VALUE = "value"
    """Discounted project value; costs only constrain."""
    NPV = "npv"
    """Discounted value and revenue minus every cost."""


class ShareBasis(StrEnum):
    """What a category share is measured in, over the whole horizon, undiscounted.

    For a category c with max_share m (min_share likewise, with >=):
    sum over funded projects p in c of basis[p] <= m * sum over funded p of basis[p],
    where basis is the project's cost, its value, or its demand (units of all
    resources in all its active periods).
    """

    COST = "cost"
    VALUE = "value"
    DEMAND = "demand"


class Weights(CaseModel):
    """Weights of the objective's parts.

    maximise objective * (value or npv) + score * sum of funded projects' score.
    """

    objective: Factor = 1.0
    score: SignedAmount = 0.0


class Case(CaseModel):
    """A planning case: horizon, capacity, money, projects, policies, scenarios."""

    name: str = Field(min_length=1)
    description: str | None = None
    periods: list[PeriodLabel] = Field(min_length=1)
    periods_per_year: PeriodsPerYear = 4
    discount_rate: Rate = 0.0
    money_unit: str = "USD_M"
    resources: list[Resource] = Field(default_factory=list)
    sites: list[Site] = Field(default_factory=list)
    supply: list[Supply] = Field(default_factory=list)
    budget: Budget = Field(default_factory=Budget)
    revenue: Revenue | None = None
    funding: list[Funding] = Field(default_factory=list)
    projects: list[Project] = Field(min_length=1)
    objective: Objective = Objective.VALUE
    weights: Weights = Field(default_factory=Weights)
    max_share: dict[Id, Fraction] = Field(default_factory=dict)
    min_share: dict[Id, Fraction] = Field(default_factory=dict)
    share_basis: ShareBasis = ShareBasis.COST
    scenarios: dict[Id, Scenario] = Field(default_factory=dict)
    uncertainty: list[RandomFactor] = Field(default_factory=list)

    @cached_property
    def period_index(self) -> dict[str, int]:
        """Period label -> 0-based position in the horizon."""
        return {label: k for k, label in enumerate(self.periods)}

    @cached_property
    def projects_by_id(self) -> dict[str, Project]:
        """Projects keyed by id."""
        return {p.id: p for p in self.projects}

    @cached_property
    def supply_by_id(self) -> dict[str, Supply]:
        """Supply options keyed by id."""
        return {s.id: s for s in self.supply}
