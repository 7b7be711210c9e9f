"""Case edits for re-solves: numbers scaled in whichever series form they are written.

A series (scalar, list counted from its start, or {period: amount} map) scaled by f
is the same form with every number times f; one period of a series scaled by f is
the series written as a map over the horizon with that period's amount times f.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from allocator.case.model import Case
from allocator.case.series import SeriesValue, calendar_values


def scale_series(series: SeriesValue, factor: float) -> SeriesValue:
    """Every number of ``series`` times ``factor``, in the same form."""
    if isinstance(series, Mapping):
        return {label: float(value) * factor for label, value in series.items()}
    if isinstance(series, Sequence):
        return [float(value) * factor for value in series]
    return float(series) * factor


def scale_period(
    series: SeriesValue, periods: list[str], period: str, factor: float
) -> SeriesValue:
    """``series`` as a calendar map, with the amount in ``period`` times ``factor``."""
    values = calendar_values(series, periods)
    return {
        label: value * (factor if label == period else 1.0)
        for label, value in zip(periods, values, strict=True)
    }


def scale_budget_in(case: Case, period: str, factor: float) -> Case:
    """``case`` with the budget of one period scaled."""
    amounts = scale_period(case.budget.amounts, case.periods, period, factor)
    return case.model_copy(update={"budget": case.budget.model_copy(update={"amounts": amounts})})


def scale_capacity(case: Case, resource: str, factor: float) -> Case:
    """``case`` with the capacity of every supply option of ``resource`` scaled."""
    supply = [
        option.model_copy(update={"capacity": scale_series(option.capacity, factor)})
        if option.resource == resource
        else option
        for option in case.supply
    ]
    return case.model_copy(update={"supply": supply})


def scale_funding(case: Case, source: str, factor: float) -> Case:
    """``case`` with the amounts of one equity source scaled."""
    funding = [
        f.model_copy(update={"amounts": scale_series(f.amounts or 0.0, factor)})
        if f.id == source
        else f
        for f in case.funding
    ]
    return case.model_copy(update={"funding": funding})
