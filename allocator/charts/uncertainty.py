"""The charts of decisions under uncertainty, drawn from their JSON documents.

- sweep: the objective's distribution over the draws (a histogram of probability, and
  the cumulative distribution), the cash low point's distribution against the reserve,
  and how likely each project is to be funded;
- hedge: each future's objective under the two-stage plan, under the expected-value
  plan, and with hindsight (the future's own optimum).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from allocator.charts.style import BAD, GOOD, GREY, MOST, axis, figure
from allocator.report.document import Chart

CASH_BINS = 20
"""Most bins of the cash low point's histogram."""


def sweep_charts(document: dict[str, Any], reserve: float) -> list[Chart]:
    """Every chart of a sweep; none when no draw has a plan."""
    draws = pd.DataFrame(document["draws"])
    planned = draws[draws["objective"].notna()] if len(draws) else draws
    if planned.empty:
        return []
    unit = document.get("money_unit", "")
    return [
        _histogram(document["summary"]["objective_histogram"], unit),
        _cdf(planned, unit),
        _cash_low(planned, reserve, unit),
        _funded(document["summary"]["funded_probability"]),
    ]


def _histogram(bins: list[dict[str, float]], unit: str) -> Chart:
    """The summary's bins of the objective as bars of probability."""
    fig = figure(xaxis_title=axis("objective", unit), yaxis_title="probability", bargap=0.05)
    fig.add_bar(
        x=[(b["low"] + b["high"]) / 2 for b in bins],
        y=[b["probability"] for b in bins],
        width=[max(b["high"] - b["low"], 1e-9) for b in bins],
        name="draws",
        customdata=[[b["low"], b["high"]] for b in bins],
        hovertemplate="%{customdata[0]:,.0f} to %{customdata[1]:,.0f}: %{y:.1%}<extra></extra>",
    )
    fig.update_yaxes(tickformat=".0%")
    return Chart(
        "objective-histogram",
        "Objective over the draws",
        "How is the best plan's objective spread over the futures drawn?",
        fig,
        "draws with a plan only; bars: share of their probability",
    )


def _cdf(planned: pd.DataFrame, unit: str) -> Chart:
    """The cumulative distribution of the objective (weighted by each draw's weight)."""
    order = planned.sort_values("objective")
    weight = order["weight"].to_numpy(dtype=float)
    cumulative = np.cumsum(weight) / weight.sum()
    fig = figure(xaxis_title=axis("objective", unit), yaxis_title="probability of at most")
    fig.add_scatter(
        x=order["objective"].tolist(),
        y=cumulative.tolist(),
        mode="lines+markers",
        line={"shape": "hv"},
        name="cumulative probability",
    )
    fig.update_yaxes(tickformat=".0%", range=[0, 1.02])
    return Chart(
        "objective-cdf",
        "Chance of at most each objective",
        "How likely is the objective to fall below a figure the plan must reach?",
        fig,
        "one marker per draw with a plan",
    )


def _cash_low(planned: pd.DataFrame, reserve: float, unit: str) -> Chart:
    """A histogram of each draw's lowest cash, with the reserve as a vertical line."""
    known = planned[planned["cash_low"].notna()]
    values = np.round(known["cash_low"].to_numpy(dtype=float), 2)  # rounding noise apart
    weight = known["weight"].to_numpy(dtype=float)
    share, edges = np.histogram(
        values, bins=CASH_BINS, range=_span(values, reserve), weights=weight / weight.sum()
    )
    fig = figure(xaxis_title=axis("lowest cash", unit), yaxis_title="probability", bargap=0.05)
    fig.add_bar(
        x=((edges[:-1] + edges[1:]) / 2).tolist(),
        y=share.tolist(),
        width=np.maximum(np.diff(edges), 1e-9).tolist(),
        name="draws",
    )
    top_share = float(share.max()) if share.size else 1.0
    fig.add_scatter(
        x=[reserve, reserve],
        y=[0, top_share],
        mode="lines",
        name=f"reserve ({reserve:,.0f})",
        line={"color": BAD, "dash": "dash"},
    )
    fig.update_yaxes(tickformat=".0%")
    return Chart(
        "cash-low",
        "Lowest cash over the draws",
        "How close does cash come to the reserve in the futures drawn?",
        fig,
        "each draw's lowest cash at a period's end (unspent earmarked money excluded)",
    )


def _span(values: np.ndarray, reserve: float) -> tuple[float, float]:
    """The range of the cash histogram: the values and the reserve, with a margin (so
    that values all alike make one narrow bar beside the reserve, not a wall)."""
    low, high = min(values.min(), reserve), max(values.max(), reserve)
    margin = max(0.05 * (high - low), 0.01 * max(abs(low), abs(high)), 1.0)
    return float(low - margin), float(high + margin)


def _funded(probability: dict[str, float]) -> Chart:
    """How likely each project is to be funded, as horizontal bars; past ``2 * MOST``
    projects, the most contested (nearest an even chance) are drawn."""
    items = list(probability.items())
    shown = items
    if len(items) > 2 * MOST:
        shown = sorted(items, key=lambda kv: abs(kv[1] - 0.5))[: 2 * MOST]
    shown = sorted(shown, key=lambda kv: kv[1])
    fig = figure(
        height=max(140 + 24 * len(shown), 320),
        xaxis={"title": "probability funded", "tickformat": ".0%", "range": [0, 1]},
        yaxis={"type": "category"},
    )
    fig.add_bar(
        y=[k for k, _ in shown],
        x=[v for _, v in shown],
        orientation="h",
        marker_color=[GOOD if v >= 1 - 1e-9 else GREY if v <= 1e-9 else BAD for _, v in shown],
        name="funded",
    )
    note = ""
    if len(shown) < len(items):
        note = f"the {len(shown)} most contested of {len(items)} projects; the table has all"
    return Chart(
        "funded",
        "How likely each project is funded",
        "Which projects are funded whatever happens, and which depend on the future?",
        fig,
        note or "green: funded in every draw; grey: in none; red: it depends",
    )


def hedge_charts(document: dict[str, Any]) -> list[Chart]:
    """Per future: the two-stage plan's objective, the expected-value plan's (none where
    it has no plan) and the future's own optimum; no chart when no future has a plan."""
    futures = pd.DataFrame(document["futures"])
    if futures.empty or futures["objective"].isna().all():
        return []
    unit = document.get("money_unit", "")
    labels = [f"future {f}" for f in futures["future"]]
    fig = figure(barmode="group", yaxis_title=axis("objective", unit), xaxis_title="future")
    fig.add_bar(x=labels, y=futures["objective"].tolist(), name="this plan", marker_color=GOOD)
    note = ""
    if "ev_objective" in futures:
        fig.add_bar(
            x=labels,
            y=futures["ev_objective"].tolist(),
            name="expected-value plan",
            marker_color=GREY,
        )
        missing = [lab for lab, v in zip(labels, futures["ev_objective"], strict=True) if _none(v)]
        if missing:
            note = f"the expected-value plan has no plan in {', '.join(missing)}"
    fig.add_bar(
        x=labels,
        y=futures["hindsight_objective"].tolist(),
        name="with hindsight",
        marker={"color": "rgba(0,0,0,0)", "line": {"color": "black", "width": 1.5}},
    )
    return [
        Chart(
            "futures",
            "Each future: this plan against the expected-value plan",
            "What does deciding now for every future cost or save, future by future?",
            fig,
            note or "hindsight: the future's own best plan, knowing it in advance",
        )
    ]


def _none(value: Any) -> bool:
    """None or NaN."""
    return value is None or value != value
