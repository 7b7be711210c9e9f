"""A part's own case: its projects, and its share of every limit the projects share.

With share w (the part's projects over all projects), every amount that limits the
projects together is multiplied by w: each supply option's capacity, take-or-pay
minimum and one-off cost; the budget's amounts and cash reserve; the base revenue;
each funding source's amounts and credit limit; each site's power. Prices (unit and
running costs, rates, returns), shares of a category (``max_share``, ``min_share``:
ratios, kept by every part if by each) and the projects' own numbers are unchanged.
Every row of the model that the projects share is linear in these amounts, so plans
that keep each part's case add up to a plan that keeps the whole case, except where
an integer decision (signing an option, a block bought, capital taken whole) is made
by more than one part: the repair on the whole case settles those.
"""

from __future__ import annotations

from typing import Any

from allocator.case.model import Case
from allocator.case.supply import Supply


def scaled(series: Any, share: float) -> Any:
    """A series (scalar, list or map) or amount times ``share``; None stays None."""
    if series is None:
        return None
    if isinstance(series, dict):
        return {key: value * share for key, value in series.items()}
    if isinstance(series, list):
        return [value * share for value in series]
    return series * share


def part_case(case: Case, projects: list[str], share: float, part: int) -> Case:
    """``case`` with only ``projects`` and ``share`` of every shared limit (no scenarios,
    no uncertainty: they were applied before the split)."""
    wanted = set(projects)
    fields = dict(case)
    fields.update(
        name=f"{case.name} (part {part + 1})",
        projects=[p for p in case.projects if p.id in wanted],
        supply=[_supply(option, share) for option in case.supply],
        budget=case.budget.model_copy(
            update={
                "amounts": scaled(case.budget.amounts, share),
                "min_cash": case.budget.min_cash * share,
            }
        ),
        revenue=None
        if case.revenue is None
        else case.revenue.model_copy(update={"amounts": scaled(case.revenue.amounts, share)}),
        funding=[
            source.model_copy(
                update={
                    "amounts": scaled(source.amounts, share),
                    "limit": scaled(source.limit, share),
                }
            )
            for source in case.funding
        ],
        sites=[site.model_copy(update={"power": scaled(site.power, share)}) for site in case.sites],
        scenarios={},
        uncertainty=[],
    )
    return Case.model_construct(**fields)


def _supply(option: Supply, share: float) -> Supply:
    return option.model_copy(
        update={
            "capacity": scaled(option.capacity, share),
            "min_commit": option.min_commit * share,
            "fixed_cost": option.fixed_cost * share,
        }
    )
