"""Reading time series of a case as one number per period.

Three forms (see ``types.Series``): a scalar holds in every period; a list
counts from a start (the project's start, a supply option's availability or
the horizon's first period) and its last entry holds for the rest; a map
gives amounts by calendar period, zero where a period is missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

SeriesValue = float | Sequence[float] | Mapping[str, float]


def calendar_values(
    series: SeriesValue, periods: Sequence[str], first: int = 0, last: int | None = None
) -> list[float]:
    """Amounts in every period of the horizon, zero outside ``first..last`` (0-based, inclusive).

    A list counts from period ``first``.
    """
    end = len(periods) - 1 if last is None else last
    values = [0.0] * len(periods)
    for k in range(first, end + 1):
        values[k] = _entry(series, k - first, periods[k])
    return values


def active_values(
    series: SeriesValue, periods: Sequence[str], start: int, length: int
) -> list[float]:
    """Amounts in the ``length`` active periods of a project that starts in period ``start``.

    Entry i is the amount in period ``start + i``: a list is read by i, a map by
    the calendar label of period ``start + i``.
    """
    return [_entry(series, i, periods[start + i]) for i in range(length)]


def _entry(series: SeriesValue, offset: int, label: str) -> float:
    if isinstance(series, int | float):
        return float(series)
    if isinstance(series, Mapping):
        return float(series.get(label, 0.0))
    return float(series[min(offset, len(series) - 1)])
