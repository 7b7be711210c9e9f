"""Where money comes from: the budget, base revenue and funding sources."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from allocator.case.base import CaseModel, Flag
from allocator.case.types import Amount, Growth, Id, IdList, PeriodLabel, Rate, Series


class Budget(CaseModel):
    """Unrestricted money arriving per period.

    Money in[t] is amounts[t] plus base revenue, project revenue, funding
    arriving and credit drawn in period t.
    carry_over true: for every period t,
    sum_{k<=t} (money in[k] - spending[k]) >= min_cash, where earmarked money
    not yet spent does not count towards the reserve (it cannot pay other bills).
    carry_over false: for every period t, spending[t] <= money in[t]; what is
    not spent is lost (the classic capital-rationing budget).
    A list of amounts counts from the first period of the horizon.
    """

    carry_over: Flag = True
    amounts: Series = 0.0
    min_cash: Amount = 0.0


class Revenue(CaseModel):
    """Cash from the existing business, before any project.

    Period k receives amounts[k] * (1 + growth) ** (k / periods_per_year).
    It is cash (it pays for anything) and counts in the ``npv`` objective.
    """

    amounts: Series = 0.0
    growth: Growth = 0.0
    description: str | None = None


class FundingKind(StrEnum):
    """The two shapes of outside money."""

    EQUITY = "equity"
    """Tranches arriving in given periods; never repaid."""
    CREDIT = "credit"
    """A revolving line: draw, repay and pay interest within a limit."""


class Funding(CaseModel):
    """An outside source of money.

    equity: ``amounts`` arrive by period (a list counts from the first
    period). With ``earmark`` the money may pay only those supply options
    (any of their payments: units, running costs, fixed costs); with
    carry-over, what is unspent waits for later payments to the same options.
    With ``optional`` taking it is a decision (all of it, or with
    ``divisible`` one fraction, the same for every tranche); capital taken with a
    ``guaranteed_return`` g per year costs, in every period after it
    arrives, capital * ((1 + g) ** (1 / periods_per_year) - 1).
    credit: the outstanding balance stays within ``limit``; in period t,
    interest of balance[t-1] * ((1 + rate) ** (1 / periods_per_year) - 1) is
    paid on the balance owed at the end of the period before;
    draws are possible from ``available_from`` to ``available_until``; with
    ``repay_by_end`` the balance is zero after the last period.
    """

    id: Id
    kind: FundingKind = FundingKind.EQUITY
    name: str | None = None
    description: str | None = None
    amounts: Series | None = None
    earmark: IdList = Field(default_factory=list)
    optional: Flag = False
    divisible: Flag = False
    guaranteed_return: Rate = 0.0
    limit: Amount | None = None
    rate: Rate = 0.0
    available_from: PeriodLabel | None = None
    available_until: PeriodLabel | None = None
    repay_by_end: Flag = True

    @model_validator(mode="after")
    def _fits_kind(self) -> Funding:
        if self.kind is FundingKind.EQUITY:
            if self.amounts is None:
                raise ValueError("equity funding needs 'amounts' (money arriving by period)")
            wrong = {
                "limit": self.limit is not None,
                "rate": self.rate != 0,
                "repay_by_end": not self.repay_by_end,
                "available_from": self.available_from is not None,
                "available_until": self.available_until is not None,
            }
        else:
            if self.limit is None:
                raise ValueError("credit funding needs 'limit' (the largest balance owed)")
            wrong = {
                "amounts": self.amounts is not None,
                "earmark": bool(self.earmark),
                "optional": self.optional,
                "divisible": self.divisible,
                "guaranteed_return": self.guaranteed_return != 0,
            }
        given = [key for key, present in wrong.items() if present]
        if given:
            raise ValueError(
                f"{', '.join(repr(k) for k in given)} does not apply to {self.kind.value} funding"
            )
        if self.divisible and not self.optional:
            raise ValueError("'divisible' applies only to optional funding")
        return self
