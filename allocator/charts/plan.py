"""The charts of one plan (``allocator solve --html``), drawn from its JSON document.

- capacity: per resource and period, the units given to each project, stacked, and the
  units available (signed contract and spot capacity plus units owned) as a line;
- supply: per supply option, the unit-periods used and those paid for (take-or-pay) or
  owned but idle;
- cash: cash at the end of each period, the credit owed, and the reserve the case keeps;
- timeline: each funded project's run from its start, coloured by level;
- waterfall: the money left over in each period (money in - money out), adding up to
  its total over the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from allocator.case.model import Case
from allocator.charts.style import BAD, GOOD, GREY, LOOK, MOST, PALETTE, axis, figure, top
from allocator.report.document import Chart


@dataclass(frozen=True)
class Facts:
    """What the charts need of the case beyond the document: the periods in order, the
    reserve kept at every period's end, each resource's unit and the money unit."""

    periods: tuple[str, ...]
    reserve: float
    units: dict[str, str]
    money_unit: str

    @classmethod
    def of(cls, case: Case) -> Facts:
        """The facts of ``case``."""
        reserve = case.budget.min_cash if case.budget.carry_over else 0.0
        units = {r.id: r.unit for r in case.resources}
        return cls(tuple(case.periods), float(reserve), units, case.money_unit)


def plan_charts(document: dict[str, Any], facts: Facts) -> list[Chart]:
    """Every chart of a plan; none when the document has no plan."""
    if not document.get("projects"):
        return []
    return [
        capacity_chart(document, facts),
        supply_chart(document, facts),
        cash_chart(document, facts),
        timeline_chart(document, facts),
        waterfall_chart(document, facts),
    ]


def capacity_chart(document: dict[str, Any], facts: Facts) -> Chart:
    """One panel per resource: units by project and period, stacked, under the units
    available. Past ``MOST`` projects in a panel the smaller ones are summed as other."""
    allocations = pd.DataFrame(document["allocations"])
    supply = pd.DataFrame(document["supply"])
    resources = list(dict.fromkeys(supply["resource"])) if len(supply) else []
    fig = make_subplots(
        rows=max(len(resources), 1), cols=1, shared_xaxes=True, subplot_titles=resources
    )
    fig.update_layout(**LOOK, height=max(260 * len(resources), 320), barmode="stack")
    colours: dict[str, str] = {}
    notes = []
    for row, resource in enumerate(resources, start=1):
        given = _given(allocations, resource, facts.periods)
        summed = _panel(fig, row, given, colours, facts.periods)
        if summed:
            notes.append(f"{resource}: the {summed} smallest projects summed as other")
        fig.add_scatter(
            x=list(facts.periods),
            y=_available(supply, resource, facts.periods),
            name=f"available {resource}",
            mode="lines+markers",
            line={"color": "black", "dash": "dot"},
            row=row,
            col=1,
        )
        fig.update_yaxes(title_text=facts.units.get(resource, "units"), row=row, col=1)
    return Chart(
        "capacity",
        "Capacity by resource and period",
        "Who uses each resource in each period, and how close is it to what is available?",
        fig,
        "; ".join(notes),
    )


def _panel(
    fig: go.Figure,
    row: int,
    given: pd.DataFrame,
    colours: dict[str, str],
    periods: tuple[str, ...],
) -> int:
    """The stacked bars of one resource's panel: the ``MOST`` largest projects, each in
    its colour across panels (its legend entry shown once), and the rest summed as
    one grey bar; how many projects were summed."""
    kept, rest = top(given.sum(axis=1).to_dict())
    for project in kept:
        first = project not in colours
        colour = colours.setdefault(project, PALETTE[len(colours) % len(PALETTE)])
        fig.add_bar(
            x=list(periods),
            y=given.loc[project].tolist(),
            name=project,
            legendgroup=project,
            showlegend=first,
            marker_color=colour,
            row=row,
            col=1,
        )
    if rest:
        fig.add_bar(
            x=list(periods),
            y=given.loc[rest].sum(axis=0).tolist(),
            name=f"other ({len(rest)} projects)",
            marker_color=GREY,
            row=row,
            col=1,
        )
    return len(rest)


def _given(allocations: pd.DataFrame, resource: str, periods: tuple[str, ...]) -> pd.DataFrame:
    """Units of ``resource`` given to each project (rows) in each period (columns)."""
    if allocations.empty:
        return pd.DataFrame(columns=list(periods), dtype=float)
    mine = allocations[allocations["resource"] == resource]
    table = mine.pivot_table(
        index="project", columns="period", values="units", aggfunc="sum", sort=False
    )
    return table.reindex(columns=list(periods)).fillna(0.0)


def _available(supply: pd.DataFrame, resource: str, periods: tuple[str, ...]) -> list[float]:
    """Units of ``resource`` available in each period: signed capacity and units owned."""
    mine = supply[supply["resource"] == resource]
    by_period = mine.groupby("period", sort=False)["available"].sum()
    return [float(by_period.get(p, 0.0)) for p in periods]


def supply_chart(document: dict[str, Any], facts: Facts) -> Chart:
    """Per signed supply option: unit-periods used, and unit-periods paid for or owned
    but not used (idle), stacked."""
    supply = pd.DataFrame(document["supply"])
    signed = supply[supply["signed"]] if len(supply) else supply
    totals = signed.groupby("supply", sort=False)[["used", "idle"]].sum()
    resource = signed.groupby("supply", sort=False)["resource"].first()
    labels = [
        f"{s} ({facts.units.get(resource[s], 'units')} of {resource[s]})" for s in totals.index
    ]
    fig = figure(
        barmode="stack",
        yaxis_title="unit-periods (one unit for one period)",
        xaxis_title="supply option (unit of its resource)",
    )
    fig.add_bar(x=labels, y=totals["used"].tolist(), name="used", marker_color=GOOD)
    fig.add_bar(
        x=labels, y=totals["idle"].tolist(), name="paid for or owned, not used", marker_color=BAD
    )
    return Chart(
        "supply",
        "Supply used against paid",
        "What does each contract or purchase deliver that is paid for but not used?",
        fig,
        "idle: take-or-pay minimum paid above the units used (contracts), or units owned "
        "within their life and not used (purchases)",
    )


def cash_chart(document: dict[str, Any], facts: Facts) -> Chart:
    """Cash at each period's end and credit owed, with the reserve as a line."""
    money = pd.DataFrame(document["cash"])
    credit = pd.DataFrame(document["credit"])
    periods = money["period"].tolist()
    owed = credit.groupby("period", sort=False)["balance"].sum() if len(credit) else pd.Series()
    fig = figure(yaxis_title=axis("money", facts.money_unit), xaxis_title="period")
    fig.add_bar(
        x=periods,
        y=[float(owed.get(p, 0.0)) for p in periods],
        name="credit owed",
        marker_color=BAD,
        opacity=0.6,
    )
    fig.add_scatter(
        x=periods,
        y=money["cash"].tolist(),
        name="cash",
        mode="lines+markers",
        line={"color": "#1f4e79"},
    )
    fig.add_scatter(
        x=periods,
        y=[facts.reserve] * len(periods),
        name=f"reserve ({facts.reserve:,.0f})",
        mode="lines",
        line={"color": GREY, "dash": "dash"},
    )
    return Chart(
        "cash",
        "Cash and credit over time",
        "How close does cash come to the reserve, and when is credit owed?",
        fig,
    )


def timeline_chart(document: dict[str, Any], facts: Facts) -> Chart:
    """A bar per funded project from its start over the periods it runs, one colour per
    level; past ``2 * MOST`` funded projects, the costliest are drawn."""
    projects = pd.DataFrame(document["projects"])
    funded = projects[projects["funded"]]
    kept, rest = top(dict(zip(funded["id"], funded["cost"], strict=True)), 2 * MOST)
    shown = funded[funded["id"].isin(kept)]
    position = {p: i for i, p in enumerate(facts.periods)}
    fig = figure(
        height=max(120 + 26 * len(shown), 300),
        barmode="overlay",
        xaxis={
            "title": "period",
            "tickvals": [i + 0.5 for i in range(len(facts.periods))],
            "ticktext": list(facts.periods),
            "range": [0, len(facts.periods)],
        },
        yaxis={"autorange": "reversed", "type": "category"},
    )
    for level, rows in shown.groupby("level", sort=False):
        fig.add_bar(
            y=rows["id"].tolist(),
            x=rows["periods"].tolist(),
            base=[position[s] for s in rows["start"]],
            orientation="h",
            name=str(level),
            hovertemplate="%{y}: from " + rows["start"] + " for %{x} periods<extra></extra>",
        )
    note = f"the {len(kept)} costliest of {len(funded)} funded projects" if rest else ""
    return Chart(
        "timeline",
        "Project timeline",
        "Which projects run when, and at which level?",
        fig,
        note,
    )


def waterfall_chart(document: dict[str, Any], facts: Facts) -> Chart:
    """Each period's money in minus money out, and their sum over the horizon."""
    money = pd.DataFrame(document["cash"])
    periods = money["period"].tolist()
    hover = [
        f"{p}: in {i:,.0f}, out {o:,.0f}"
        for p, i, o in zip(periods, money["money_in"], money["money_out"], strict=True)
    ]
    fig = figure(yaxis_title=axis("money", facts.money_unit), xaxis_title="period")
    fig.add_trace(
        go.Waterfall(
            x=[*periods, "total"],
            y=[*money["net"].tolist(), 0.0],
            measure=["relative"] * len(periods) + ["total"],
            hovertext=[*hover, "sum of every period's net"],
            increasing={"marker": {"color": GOOD}},
            decreasing={"marker": {"color": BAD}},
            totals={"marker": {"color": GREY}},
            name="net",
        )
    )
    return Chart(
        "waterfall",
        "Money in and out by period",
        "In which periods does the plan spend more than comes in, and what is left in all?",
        fig,
        "each bar: money in minus money out in the period; hover for both",
    )
