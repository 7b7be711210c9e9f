"""What supply options offer, per option and period, and the words of their commitments."""

from __future__ import annotations

import numpy as np

from allocator.case.model import Case
from allocator.case.series import calendar_values
from allocator.case.supply import Supply
from allocator.case.timing import availability
from allocator.formulation.meaning import Dual, Elastic, Format, RowMeaning, Tier


def option_array(options: list[Supply], k: np.ndarray, field: str) -> np.ndarray:
    """The field of each option k, as numbers."""
    return np.array([getattr(s, field) for s in options], dtype=float)[k]


def offered(case: Case, supply: str, period: str) -> float:
    """Units option ``supply`` offers (or sells) in ``period``."""
    option = case.supply_by_id[supply]
    first, last = availability(case, option)
    return calendar_values(option.capacity, case.periods, first, last)[case.period_index[period]]


def committed_words(case: Case, keys: dict[str, str], fmt: Format) -> tuple[str, str]:
    """A commitment (take-or-pay or purchase minimum) as a limit, and its case path."""
    s, t = keys["supply"], keys.get("period")
    when = f" in {t}" if t else ""
    minimum = fmt(case.supply_by_id[s].min_commit)
    return f"{s} is paid for at least {minimum} units{when} once signed", f"supply[{s}].min_commit"


def capacity_meaning(binding: str, needed: str, verb: str, label: str) -> RowMeaning:
    """The meaning of a per-period cap on what an option offers (``verb``: offers, sells).

    ``needed`` says the shortfall, with ``{supply}``, ``{n}`` and ``{period}`` filled in.
    """
    return RowMeaning(
        quantity="resource units",
        binding=binding,
        elastic=Elastic(Tier.LIMIT, "upper"),
        change=lambda case, keys, n, users, fmt: (
            needed.format(supply=keys["supply"], n=n, period=keys["period"]),
            f"supply[{keys['supply']}].capacity",
        ),
        limit=lambda case, keys, fmt: (
            f"{keys['supply']} {verb} at most "
            f"{fmt(offered(case, keys['supply'], keys['period']))} units in {keys['period']}",
            f"supply[{keys['supply']}].capacity",
        ),
        dual=Dual(label, "unit"),
    )
