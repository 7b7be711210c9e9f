"""What a family of rows means to a planner, declared once beside the rows it describes.

Every formulation module that adds a row family of interest declares a ``RowMeaning``
next to it and hands it to ``ModelBuilder.add_rows(..., meaning=...)``; the family
carries it. Everything that reads rows in business terms reads that declaration,
never a table keyed by family name:

================  ==============================  =========================================
field             read by                         what it says
================  ==============================  =========================================
``quantity``      ``formulation.numerics``        what the row's coefficients count
``relative``      ``formulation.numerics``        the row weighs choices against each other
``binding``       ``plan.binding``                the limit in words, when a plan runs into it
``elastic``       ``explain.elastic``             the tier and the side a slack relaxes
``users``         ``explain``                     whose use to name beside a shortfall
``change``        ``explain``                     a shortfall in words, and the case path
``limit``         ``explain``                     the limit in words, and the case path
``dual``          ``analysis.duals``              one more unit of the limit, and its sign
================  ==============================  =========================================

A family without a declaration is structural (one choice per project, requires,
balance rows, block rounding): it says what the decisions mean, not what the case asks
of them, and no report names it. Adding a family is one declaration and one
``add_rows`` call, in one module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from allocator.case.model import Case

Side = Literal["upper", "lower"]
"""The bound of a row: ``upper`` for a <= row, ``lower`` for a >= row."""

Format = Callable[[float], str]
"""How the caller writes an amount (the reports' number format)."""

ChangeWords = Callable[[Case, Mapping[str, str], str, list[str], Format], tuple[str, str]]
"""(case, the row's case ids, the shortfall written out, the projects whose use it is,
the number format) -> (what to change, by how much, in words; the case path to change)."""

LimitWords = Callable[[Case, Mapping[str, str], Format], tuple[str, str]]
"""(case, the row's case ids, the number format) -> (the limit in words; the case path)."""


class Tier:
    """How hard a limit is to give up in an explanation: the weight of a unit of slack."""

    MUST_FUND = 1000.0
    """Releasing a must-fund project."""
    COMMITMENT = 100.0
    """Breaking a contract commitment (take-or-pay, purchase minimum)."""
    CASH = 10.0
    """Less cash than the reserve, or money that is not there."""
    LIMIT = 1.0
    """More money, earmarked money, capacity, supply or power; a share beyond its bound."""


@dataclass(frozen=True)
class Elastic:
    """How explain softens the rows: a slack of weight ``tier`` (per unit of the row's
    size) on the ``side`` bound."""

    tier: float
    side: Side


@dataclass(frozen=True)
class Dual:
    """How a row's dual y = d objective / d bound reads as the value of one more unit.

    ``label`` names the unit's limit, ``per`` its unit (None: the case's money unit).
    ``sign`` -1 turns the dual of a >= row into the value of one unit less of what it
    demands. ``cumulative``: with carry-over the rows add money up to period t, so one
    more unit arriving in t counts in every row k >= t: its value is sum_{k >= t} y_k.
    """

    label: str
    per: str | None = None
    sign: float = 1.0
    cumulative: bool = False


@dataclass(frozen=True)
class RowMeaning:
    """What a family of rows means (see the module docstring for who reads each field)."""

    quantity: str | None = None
    binding: str | None = None
    elastic: Elastic | None = None
    users: Literal["resource", "money"] | None = None
    change: ChangeWords | None = None
    limit: LimitWords | None = None
    dual: Dual | None = None
    relative: bool = False


def needed_by(users: list[str]) -> str:
    """`` (needed by a, b)``, or nothing without users."""
    return f" (needed by {', '.join(users)})" if users else ""


def meaning_of(family: object) -> RowMeaning | None:
    """The declared meaning of a row family (``Family.meaning``), or None if structural."""
    meaning = getattr(family, "meaning", None)
    return meaning if isinstance(meaning, RowMeaning) else None
