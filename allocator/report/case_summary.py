"""What a case holds, as plain data: the body of ``allocator validate``'s report."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from allocator.case.model import Case
from allocator.case.money import Funding, FundingKind
from allocator.case.series import active_values, calendar_values
from allocator.case.supply import Supply, SupplyKind
from allocator.case.timing import active_length, availability, start_bounds
from allocator.case.uncertainty import Choice, RandomFactor


@dataclass(frozen=True)
class ResourceBalance:
    """Demand against capacity for one resource, in units per period.

    ``demand`` assumes every project runs at its most demanding level from its
    earliest start (an upper bound, before any substitution through ``uses``);
    ``capacity`` counts every supply option as if signed, and every unit that
    could be bought as bought.
    """

    resource: str
    unit: str
    demand: list[float]
    capacity: list[float]

    @property
    def peak_demand(self) -> float:
        return max(self.demand, default=0.0)

    @property
    def peak_capacity(self) -> float:
        return max(self.capacity, default=0.0)


@dataclass(frozen=True)
class MoneySource:
    """Money that can come in over the horizon from one source."""

    source: str
    kind: str
    total: float
    terms: str


@dataclass(frozen=True)
class CaseSummary:
    """Horizon, counts, resource balance, money in and scenarios of one case."""

    name: str
    horizon: str
    periods: int
    periods_per_year: int
    money_unit: str
    objective: str
    discount_rate: float
    counts: dict[str, int]
    categories: dict[str, int]
    resources: list[ResourceBalance] = field(default_factory=list)
    money: list[MoneySource] = field(default_factory=list)
    scenarios: dict[str, str] = field(default_factory=dict)
    uncertainty: list[tuple[str, str, str]] = field(default_factory=list)
    """(factor id, what it changes, how it is drawn) of each random factor."""
    grid: int | None = None
    """The number of grid points (combinations of the choices); None with a continuous
    factor."""


def summarise(case: Case) -> CaseSummary:
    """The summary of a validated case."""
    projects = case.projects
    counts = {
        "resource": len(case.resources),
        "site": len(case.sites),
        "supply option": len(case.supply),
        "funding source": len(case.funding),
        "project": len(projects),
        "level": sum(len(p.all_levels) for p in projects),
        "must-fund project": sum(p.must_fund for p in projects),
        "scenario": len(case.scenarios),
        "random factor": len(case.uncertainty),
    }
    first, last = case.periods[0], case.periods[-1]
    return CaseSummary(
        name=case.name,
        horizon=first if first == last else f"{first} .. {last}",
        periods=len(case.periods),
        periods_per_year=case.periods_per_year,
        money_unit=case.money_unit,
        objective=case.objective.value,
        discount_rate=case.discount_rate,
        counts=counts,
        categories=dict(sorted(Counter(p.category for p in projects).items())),
        resources=[_balance(case, r.id, r.unit) for r in case.resources],
        money=_money(case),
        scenarios={name: s.description or "" for name, s in case.scenarios.items()},
        uncertainty=[(f.id, f.path, _drawn(f)) for f in case.uncertainty],
        grid=_grid_size(case),
    )


def _drawn(factor: RandomFactor) -> str:
    """``scale, 2 choices``, ``add, normal [0, 0.5]``."""
    distribution = factor.distribution
    if isinstance(distribution, Choice):
        return f"{factor.operation}, {len(distribution.choice)} choices"
    numbers = ", ".join(f"{v:g}" for v in getattr(distribution, distribution.kind))
    return f"{factor.operation}, {distribution.kind} [{numbers}]"


def _grid_size(case: Case) -> int | None:
    if not case.uncertainty or not all(f.discrete for f in case.uncertainty):
        return None
    return math.prod(len(f.distribution.choice) for f in case.uncertainty)  # type: ignore[union-attr]


def _balance(case: Case, resource: str, unit: str) -> ResourceBalance:
    horizon = len(case.periods)
    demand = [0.0] * horizon
    for project in case.projects:
        start = start_bounds(case, project)[0]
        length = active_length(case, project, start)
        best = [0.0] * length
        for level in project.all_levels:
            if resource in level.demand:
                values = active_values(level.demand[resource], case.periods, start, length)
                if sum(values) > sum(best):
                    best = values
        for offset, units in enumerate(best):
            demand[start + offset] += units
    capacity = [0.0] * horizon
    for supply in case.supply:
        if supply.resource == resource:
            for k, units in enumerate(supply_capacity(case, supply)):
                capacity[k] += units
    return ResourceBalance(resource, unit, demand, capacity)


def supply_capacity(case: Case, supply: Supply) -> list[float]:
    """Units the option can provide in each period if signed (purchases: all bought)."""
    first, last = availability(case, supply)
    offered = calendar_values(supply.capacity, case.periods, first, last)
    if supply.kind is not SupplyKind.PURCHASE:
        return offered
    life = supply.life or len(case.periods)
    return [sum(offered[max(0, t - life + 1) : t + 1]) for t in range(len(case.periods))]


def _money(case: Case) -> list[MoneySource]:
    periods = case.periods
    sources = []
    budget = sum(calendar_values(case.budget.amounts, periods))
    if budget:
        rule = "carried over" if case.budget.carry_over else "use it or lose it, per period"
        sources.append(MoneySource("budget", "unrestricted", budget, rule))
    if case.revenue is not None:
        growth = case.revenue.growth
        base = calendar_values(case.revenue.amounts, periods)
        total = sum(a * (1 + growth) ** (k / case.periods_per_year) for k, a in enumerate(base))
        sources.append(MoneySource("revenue", "base revenue", total, f"growth {growth:.1%}/yr"))
    sources.extend(_funding(case, source) for source in case.funding)
    return sources


def _funding(case: Case, source: Funding) -> MoneySource:
    if source.kind is FundingKind.CREDIT:
        terms = f"the amount is its limit; {source.rate:.1%}/yr interest on what is owed"
        return MoneySource(source.id, "credit", source.limit or 0.0, terms)
    notes = []
    if source.earmark:
        notes.append("only for " + ", ".join(source.earmark))
    if source.optional:
        notes.append("optional" + (", divisible" if source.divisible else ""))
    if source.guaranteed_return:
        notes.append(f"{source.guaranteed_return:.1%}/yr guaranteed")
    total = sum(calendar_values(source.amounts or 0.0, case.periods))
    return MoneySource(source.id, "equity", total, "; ".join(notes))
