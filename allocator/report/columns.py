"""What kind of quantity a column of a report's table holds, by its name: money (in the
case's money unit), units of a resource, a share, or a plain number; and how the HTML
page writes a value of each kind. The workbook formats a column by its kind too.
"""

from __future__ import annotations

import math
from enum import Enum
from typing import Any

MONEY = frozenset(
    {
        "value",
        "cost",
        "revenue",
        "payment",
        "received",
        "guaranteed_returns",
        "amount",
        "draw",
        "repay",
        "balance",
        "interest",
        "budget",
        "base_revenue",
        "project_revenue",
        "equity",
        "earmarked",
        "credit_draws",
        "project_costs",
        "supply_payments",
        "repayments",
        "money_in",
        "money_out",
        "net",
        "cash",
        "money",
        "objective",
        "change",
        "cash_low",
        "credit_peak",
        "credit_drawn",
        "hindsight_objective",
        "ev_objective",
        "from_objective",
        "to_objective",
        "expected_objective",
        "bound",
        "best",
        "mean",
        "std",
        "low",
        "high",
        "marginal",
        "objective_mean",
        "guaranteed_returns_mean",
        "cvar",
        "vss",
        "evpi",
        "wait_and_see",
    }
)
"""Columns (and cover lines) in the case's money unit."""

SUMMARY_MONEY = ("summary.objective.", "summary.cash_low.", "summary.credit_peak.")
"""Cover lines of a sweep's summary that are figures of money (mean, quantiles)."""

UNITS = frozenset(
    {
        "compute",
        "capacity",
        "bought",
        "available",
        "used",
        "paid",
        "idle",
        "units",
    }
)
"""Columns in units (or unit-periods) of a resource."""

SHARES = frozenset({"probability", "share", "gap", "gap_limit", "taken", "weight"})
"""Columns holding a fraction of one."""


class Kind(Enum):
    """How a column is written."""

    MONEY = "money"
    UNITS = "units"
    SHARE = "share"
    NUMBER = "number"


def kind_of(name: str) -> Kind:
    """The kind of the column (or cover line) ``name``; its last dotted part decides
    (``summary.objective.mean`` is money)."""
    last = name.rsplit(".", 1)[-1]
    if last in MONEY or name.startswith(SUMMARY_MONEY):
        return Kind.MONEY
    if last in UNITS:
        return Kind.UNITS
    if last in SHARES:
        return Kind.SHARE
    return Kind.NUMBER


def text(name: str, value: Any) -> str:
    """``value`` of the column ``name`` as the HTML page writes it: money and units with
    thousands separators and two decimals, shares as percentages with four significant
    digits, other numbers with up to six significant digits, yes/no for truth values,
    nothing for none."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, int | float):
        return str(value)
    kind = kind_of(name)
    if kind is Kind.SHARE:
        return f"{value * 100:.4g}%"
    if kind in (Kind.MONEY, Kind.UNITS):
        return f"{value:,.2f}"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.6g}"


def is_number(value: Any) -> bool:
    """A number that is not a truth value."""
    return isinstance(value, int | float) and not isinstance(value, bool)
