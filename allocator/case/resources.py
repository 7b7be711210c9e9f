"""Resources (kinds of capacity) and the sites that host them."""

from __future__ import annotations

from pydantic import Field

from allocator.case.base import CaseModel
from allocator.case.types import Amount, Id, Series


class Resource(CaseModel):
    """A kind of capacity, such as an accelerator type.

    ``power`` is what one unit in use draws at a site (in the sites' power
    unit, e.g. MW per accelerator including cooling overhead).
    """

    id: Id
    name: str | None = None
    unit: str = "units"
    power: Amount = 0.0
    description: str | None = None


class Site(CaseModel):
    """A location with a power limit per period.

    For every period t: sum over supply s placed at the site of
    used[s, t] * resources[s.resource].power <= power[t].
    A list counts from the first period of the horizon.
    """

    id: Id
    name: str | None = None
    power: Series = Field(description="power available per period")
    description: str | None = None
