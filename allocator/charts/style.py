"""The look every chart shares: white, readable on paper, colours told apart by people
with the common colour-vision deficiencies, and axis titles that carry their unit.

Also the one rule for large cases: a chart shows at most ``MOST`` bars or rows, the
largest, and the rest are summed into one "other" entry or left to the table, and the
chart's note says which.
"""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.express.colors import qualitative

MOST = 20
"""Most series, bars or rows one chart draws; past it the rest are summed or left out."""

PALETTE = qualitative.Safe + qualitative.Vivid
"""Qualitative colours (Carto's Safe first: distinct under colour-vision deficiencies)."""

GREY = "#8c8c8c"
"""The colour of "other", limits and reference lines."""

GOOD, BAD = "#1b7837", "#b2182b"
"""Colours of a gain and a loss."""


LOOK: dict[str, object] = {
    "template": "simple_white",
    "margin": {"l": 70, "r": 30, "t": 30, "b": 60},
    "font": {"family": "Helvetica, Arial, sans-serif", "size": 13},
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
    "colorway": PALETTE,
    "separators": ".,",
}
"""The layout every chart starts from."""


def figure(height: int = 420, **layout: object) -> go.Figure:
    """An empty figure in the shared look; ``layout`` adds to it (titles, bar mode)."""
    return go.Figure(layout={**LOOK, "height": height, **layout})


def axis(what: str, unit: str) -> str:
    """An axis title with its unit: ``objective (USD_M)``."""
    return f"{what} ({unit})" if unit else what


def top(totals: dict[str, float], most: int = MOST) -> tuple[list[str], list[str]]:
    """(kept, rest): the ``most`` keys with the largest absolute totals, in the order
    they came, and the others; all kept when there are at most ``most``."""
    if len(totals) <= most:
        return list(totals), []
    largest = set(sorted(totals, key=lambda k: -abs(totals[k]))[:most])
    return [k for k in totals if k in largest], [k for k in totals if k not in largest]
