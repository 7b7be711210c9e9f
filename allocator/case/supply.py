"""Supply options: where capacity comes from and what it costs."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from allocator.case.base import CaseModel, Flag
from allocator.case.types import Amount, Block, Id, PeriodLabel, Periods, Series


class SupplyKind(StrEnum):
    """How capacity is paid for."""

    CONTRACT = "contract"
    """Paid per unit-period used, with a take-or-pay minimum once signed."""
    PURCHASE = "purchase"
    """Bought outright (capex) and owned for ``life`` periods."""
    SPOT = "spot"
    """Rented per unit-period on demand, no commitment."""


class Supply(CaseModel):
    """One source of one resource.

    contract / spot: in every period t from ``available_from`` to
    ``available_until`` of a signed option, 0 <= used[t] <= capacity[t];
    the payment is unit_cost * max(used[t], min_commit).
    purchase: ``capacity[t]`` units may be bought in period t; each unit costs
    ``unit_cost`` once, serves for ``life`` periods from its purchase and
    costs ``running_cost`` per period owned; once signed at least
    ``min_commit`` units are bought in all.
    ``fixed_cost`` is paid once, in the first period of availability, if
    signed. Units are provided in whole blocks of ``block`` units.
    A capacity list counts from ``available_from``.
    """

    id: Id
    resource: Id
    kind: SupplyKind = SupplyKind.CONTRACT
    capacity: Series
    unit_cost: Amount = 0.0
    min_commit: Amount = 0.0
    fixed_cost: Amount = 0.0
    available_from: PeriodLabel | None = None
    available_until: PeriodLabel | None = None
    optional: Flag = False
    block: Block = 1.0
    life: Periods | None = Field(default=None, description="purchase only: periods owned")
    running_cost: Amount = 0.0
    site: Id | None = None
    name: str | None = None
    description: str | None = None
