"""Number formats: how a quantity, a share or a count is written, wherever it is written.

Below every module that writes words for people (the reports, the change lists of the
analyses, the explanations of infeasible cases), so that none of them imports another
to format a number.
"""

from __future__ import annotations


def amount(value: float) -> str:
    """A quantity with thousands separators: 2 decimals below 100, none above."""
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def share(value: float) -> str:
    """A fraction as a percentage with one decimal."""
    return f"{value:.1%}"


def printable(text: str) -> str:
    """Text with control characters escaped, so one message stays on one line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def plural(count: int, noun: str) -> str:
    """``3 periods``, ``1 period``, ``2,500 projects``: a count with its noun."""
    return f"{count} {noun}" if count == 1 else f"{count:,} {noun}s"


def short(value: float) -> str:
    """A large quantity in at most five characters and a suffix: 1.25M, 340k, 12."""
    size = abs(value)
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if size >= limit:
            scaled = value / limit
            digits = 0 if abs(scaled) >= 100 else 1 if abs(scaled) >= 10 else 2
            return f"{scaled:.{digits}f}{suffix}"
    return amount(value)


def percent(fraction: float) -> str:
    """A small fraction as a percentage with no trailing zeros: 1e-4 -> 0.01%, 0.05 -> 5%."""
    return f"{fraction * 100:.6g}%"
