"""Candidate projects, their scales (levels) and their start windows."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from allocator.case.base import CaseModel, Flag
from allocator.case.types import Efficiency, Id, IdList, PeriodLabel, Periods, Score, Series

SINGLE_LEVEL_ID = "full"
"""The level id given to a project written with the single-level shorthand."""

Demand = dict[Id, Series]
"""Units of each resource needed per active period."""


class Level(CaseModel):
    """One scale a project can be funded at; at most one level is chosen.

    In each active period the project earns ``value`` (objective only),
    ``revenue`` (cash, and counted in npv), spends ``cost`` and needs
    ``demand[r]`` units of resource r.
    """

    id: Id
    value: Series = 0.0
    cost: Series = 0.0
    revenue: Series = 0.0
    demand: Demand = Field(default_factory=dict)
    description: str | None = None


def _start_shorthand(value: Any) -> Any:
    """``start: Y2`` is a fixed start: ``{earliest: Y2, latest: Y2}``."""
    if isinstance(value, str | int) and not isinstance(value, bool):
        return {"earliest": value, "latest": value}
    return value


class StartWindow(CaseModel):
    """The periods a project may start in, both ends included.

    Without ``earliest`` the window opens at the first period; without
    ``latest`` it closes at ``earliest`` (a fixed start).
    """

    earliest: PeriodLabel | None = None
    latest: PeriodLabel | None = None


Efficiencies = dict[Id, Efficiency]
"""Resource id -> units of demand one unit of that resource serves."""


class Project(CaseModel):
    """A candidate project.

    Either the single-level shorthand (``value``, ``cost``, ``revenue``,
    ``demand`` on the project) or ``levels``, not both. ``uses[r]`` lists the
    resources that can serve demand for resource r and their efficiencies:
    sum over r' in uses[r] of eff[r'] * alloc[r'] >= demand[r]. Without
    ``uses[r]`` only r itself serves, at efficiency 1.

    Started in period s, the project is active in s .. s + duration - 1 (to the
    end of the horizon without a duration); the horizon cuts the run, it does not
    forbid it. ``finish_by_end`` (off by default) asks that the whole run fit:
    s + duration <= number of periods.
    """

    id: Id
    name: str | None = None
    category: Id = "other"
    description: str | None = None
    value: Series | None = None
    cost: Series | None = None
    revenue: Series | None = None
    demand: Demand | None = None
    levels: Annotated[list[Level], Field(min_length=1)] | None = None
    start: Annotated[StartWindow, BeforeValidator(_start_shorthand)] | None = None
    duration: Periods | None = None
    finish_by_end: Flag = False
    must_fund: Flag = False
    requires: IdList = Field(default_factory=list)
    excludes: IdList = Field(default_factory=list)
    score: Score = 0.0
    uses: dict[Id, Efficiencies] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_form(self) -> Project:
        shorthand = [
            k for k in ("value", "cost", "revenue", "demand") if getattr(self, k) is not None
        ]
        if self.levels is not None and shorthand:
            raise ValueError(
                f"give either 'levels' or {', '.join(repr(k) for k in shorthand)} on the project, "
                "not both"
            )
        return self

    @property
    def all_levels(self) -> list[Level]:
        """The project's levels; the shorthand form is one level named ``full``."""
        if self.levels is not None:
            return self.levels
        return [
            Level(
                id=SINGLE_LEVEL_ID,
                value=self.value if self.value is not None else 0.0,
                cost=self.cost if self.cost is not None else 0.0,
                revenue=self.revenue if self.revenue is not None else 0.0,
                demand=self.demand or {},
            )
        ]

    @property
    def uses_levels(self) -> bool:
        """True when the project was written with explicit ``levels``."""
        return self.levels is not None
