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

Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]
NonNegative = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0)]
Positive = Annotated[float, Strict(), Field(allow_inf_nan=False, gt=0)]
Fraction = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0, le=1)]


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


Count = Annotated[int, BeforeValidator(_whole_number), Field(ge=1)]


def _as_label(value: Any) -> Any:
    """Read a YAML scalar used as a label (an id or a period) as text."""
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


SERIES_TAGS = ("scalar", "list", "map")


def _series_form(value: Any) -> str | None:
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
    Annotated[NonNegative, Tag("scalar")]
    | Annotated[list[NonNegative], Field(min_length=1), Tag("list")]
    | Annotated[dict[PeriodLabel, NonNegative], BeforeValidator(_label_keys), Tag("map")],
    Discriminator(
        _series_form,
        custom_error_type="series_type",
        custom_error_message="expected a number, a list of numbers or a map from period to number",
    ),
]
"""A time series: a scalar (every period), a list (by period since the start,
the last entry holding for the rest) or a map (by calendar period)."""

IdList = Annotated[list[Id], BeforeValidator(lambda v: [v] if isinstance(v, str) else v)]
"""A list of ids; a single id may be written without brackets."""

PeriodMap = Annotated[dict[PeriodLabel, NonNegative], BeforeValidator(_label_keys)]
