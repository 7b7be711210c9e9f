"""Field types shared by every part of the case schema.

Numbers are strict: ``true`` or ``"12"`` is not a number, and neither is
``.inf`` or ``.nan``. Identifiers and period labels are text; a bare YAML
number such as ``2026`` is read as the text ``"2026"`` so that a horizon of
years can be written naturally.
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Any

from pydantic import BeforeValidator, Discriminator, Field, Strict, Tag
from pydantic_core import PydanticCustomError

# The largest and smallest numbers a case may hold, by kind of quantity. MIP solvers
# take magnitudes around 1e20 as infinite (SCIP's and HiGHS's infinity is 1e20, CBC's
# 1e30) and lose integrality and feasibility precision long before: a row adding up
# 1e15 units cannot tell a unit from a tolerance. Every number a case holds is bounded
# here, so a case that validates is one a solver can take (docs/case-format.md, §3).

MAX_AMOUNT = 1e12
"""Money (in ``money_unit``), units of capacity and power: at most a trillion."""
MAX_RATE = 10.0
"""Yearly rates (discount, growth, returns, interest): at most 10, that is 1,000% a year."""
EFFICIENCY_RANGE = (1e-6, 1e6)
"""Units of demand one unit of another resource serves (``uses``)."""
MIN_BLOCK = 1e-6
"""The smallest block a supply option is provided in."""
MAX_FACTOR = 1e6
"""Dimensionless multipliers: the objective's weight, a scenario's ``scale``."""
MAX_SCORE = 1e6
"""A project's score, in points (its weight turns points into money)."""
MAX_PERIODS = 1_000_000
"""Periods in a ``duration`` or ``life``: more than any horizon a case can be solved over."""
MAX_PERIODS_PER_YEAR = 8784
"""One period per hour of a leap year, at the finest."""


Amount = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0, le=MAX_AMOUNT)]
"""Money, units or power: 0 .. 1e12."""
SignedAmount = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=-MAX_AMOUNT, le=MAX_AMOUNT)]
"""Money that may be negative (a score's weight, a scenario's ``add``): -1e12 .. 1e12."""
Rate = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0, le=MAX_RATE)]
"""A yearly rate: 0 .. 10."""
Growth = Annotated[float, Strict(), Field(allow_inf_nan=False, gt=-1, le=MAX_RATE)]
"""A yearly growth rate: above -1 (revenue never turns negative), at most 10."""
Efficiency = Annotated[
    float,
    Strict(),
    Field(allow_inf_nan=False, ge=EFFICIENCY_RANGE[0], le=EFFICIENCY_RANGE[1]),
]
"""Units of demand served per unit given: 1e-6 .. 1e6."""
Block = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=MIN_BLOCK, le=MAX_AMOUNT)]
"""Units per block: 1e-6 .. 1e12."""
Factor = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0, le=MAX_FACTOR)]
"""A multiplier: 0 .. 1e6."""
SignedFactor = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=-MAX_FACTOR, le=MAX_FACTOR)]
"""A multiplier that may be negative: -1e6 .. 1e6."""
Score = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=-MAX_SCORE, le=MAX_SCORE)]
"""Points: -1e6 .. 1e6."""
Fraction = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0, le=1)]
"""A share: 0 .. 1."""


def _whole_number(value: Any) -> Any:
    """Accept 3 and 3.0 as the whole number 3; refuse booleans, text and 2.5."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("whole_number", "expected a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise PydanticCustomError(
                "whole_number", "expected a whole number, got {value}", {"value": value}
            )
        return int(value)
    return value


Periods = Annotated[int, BeforeValidator(_whole_number), Field(ge=1, le=MAX_PERIODS)]
"""A number of periods (``duration``, ``life``): 1 .. 1,000,000."""
PeriodsPerYear = Annotated[
    int, BeforeValidator(_whole_number), Field(ge=1, le=MAX_PERIODS_PER_YEAR)
]
"""Periods in a year: 1 .. 8,784."""


def _as_label(value: Any) -> Any:
    """Read a YAML scalar used as a label (an id or a period) as text."""
    if type(value) is str:
        return value
    if isinstance(value, bool):
        raise PydanticCustomError("label_type", "expected text, got a boolean")
    if isinstance(value, int | _dt.date):
        return str(value)
    if isinstance(value, float):
        raise PydanticCustomError(
            "label_type", "expected text, got the number {value}", {"value": value}
        )
    return value


# Ids appear inside paths such as ``projects[sora].value``: no brackets, no
# surrounding blanks, nothing empty.
Id = Annotated[
    str,
    BeforeValidator(_as_label),
    Strict(),
    Field(min_length=1, pattern=r"^[^\[\]\s](?:[^\[\]]*[^\[\]\s])?$"),
]
PeriodLabel = Annotated[str, BeforeValidator(_as_label), Strict(), Field(min_length=1)]


def _label_keys(value: Any) -> Any:
    """Read the keys of a mapping as labels (``{2026: 5}`` keys ``"2026"``)."""
    if isinstance(value, dict):
        return {
            (str(k) if isinstance(k, int | _dt.date) and not isinstance(k, bool) else k): v
            for k, v in value.items()
        }
    return value


def _series_form(value: Any) -> str | None:
    kind = type(value)
    if kind is float or kind is int:
        return "scalar"
    if kind is list:
        return "list"
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return "scalar"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, dict):
        return "map"
    return None


Series = Annotated[
    Annotated[Amount, Tag("scalar")]
    | Annotated[list[Amount], Field(min_length=1), Tag("list")]
    | Annotated[dict[PeriodLabel, Amount], BeforeValidator(_label_keys), Tag("map")],
    Discriminator(
        _series_form,
        custom_error_type="series_type",
        custom_error_message="expected a number, a list of numbers or a map from period to number",
    ),
]
"""A time series of amounts (money, units or power, each 0 .. 1e12): a scalar (every
period), a list (by period since the start, the last entry holding for the rest) or a map
(by calendar period)."""

IdList = Annotated[list[Id], BeforeValidator(lambda v: [v] if isinstance(v, str) else v)]
"""A list of ids; a single id may be written without brackets."""
