"""The charts of the analyses of one case, drawn from their JSON documents.

- frontier: the objective against the money made available, the knee marked and the
  projects entering or leaving at each step written beside the point;
- compare: the objective of the base and of each scenario;
- opportunity: the change of the objective when each project is forced in or out,
  sorted;
- marginals: a tornado of the change when each lever moves up and down by its step;
- alternatives: each portfolio's objective against the band's floor, and the share of
  portfolios funding each project (the robust core).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from allocator.charts.style import BAD, GOOD, GREY, MOST, axis, figure, top
from allocator.report.document import Chart


def frontier_charts(document: dict[str, Any]) -> list[Chart]:
    """The frontier as one chart; none without a point with a plan."""
    points = pd.DataFrame(document["points"])
    planned = points[points["objective"].notna()] if len(points) else points
    if planned.empty:
        return []
    unit = document.get("money_unit", "")
    fig = figure(xaxis_title=axis("money available", unit), yaxis_title=axis("objective", unit))
    fig.add_scatter(
        x=planned["money"].tolist(),
        y=planned["objective"].tolist(),
        mode="lines+markers",
        name="best plan",
        customdata=planned["factor"].tolist(),
        hovertemplate="x%{customdata}: money %{x:,.2f}, objective %{y:,.2f}<extra></extra>",
    )
    knee = document.get("knee")
    if knee:
        fig.add_scatter(
            x=[knee["money"]],
            y=[knee["objective"]],
            mode="markers",
            name="knee",
            marker={"symbol": "star", "size": 16, "color": BAD},
        )
    shown = _annotate_moves(fig, planned, pd.DataFrame(document["moves"]))
    note = (
        f"moves written beside the {shown} steps with the most" if shown < _steps(document) else ""
    )
    return [
        Chart(
            "frontier",
            "Value against money",
            "What does each extra unit of money buy, and where does it stop paying?",
            fig,
            note,
        )
    ]


def _steps(document: dict[str, Any]) -> int:
    """How many steps of the frontier move a project."""
    return len({m["to_factor"] for m in document["moves"]})


def _annotate_moves(fig: Any, planned: pd.DataFrame, moves: pd.DataFrame) -> int:
    """Write beside each point the projects entering (+) and leaving (-) on the way to
    it, for the ``MOST`` steps with the most moves; the number of steps written."""
    if moves.empty:
        return 0
    counts = moves.groupby("to_factor", sort=False).size().to_dict()
    kept, _ = top(counts, MOST)
    where = dict(
        zip(
            planned["factor"], zip(planned["money"], planned["objective"], strict=True), strict=True
        )
    )
    sign = {"entered": "+", "left": "-", "resized": "~", "moved": ">"}
    for factor in kept:
        if factor not in where:
            continue
        step = moves[moves["to_factor"] == factor]
        words = [
            f"{sign.get(m, '')}{p}" for m, p in zip(step["move"], step["project"], strict=True)
        ]
        text = ", ".join(words[:4]) + (f" (+{len(words) - 4} more)" if len(words) > 4 else "")
        x, y = where[factor]
        fig.add_annotation(
            x=x, y=y, text=text, showarrow=True, arrowhead=0, ax=0, ay=-30, font={"size": 11}
        )
    return len(kept)


def compare_charts(document: dict[str, Any]) -> list[Chart]:
    """The objective of the base and each scenario; a scenario without a plan is named
    on the axis with no bar."""
    summary = pd.DataFrame(document["summary"])
    unit = document.get("money_unit", "")
    colours = [
        GREY if v == "base" else (GOOD if (c or 0) >= 0 else BAD)
        for v, c in zip(summary["variant"], summary["change"], strict=True)
    ]
    labels = [
        v if has else f"{v} (no plan)"
        for v, has in zip(summary["variant"], summary["has_plan"], strict=True)
    ]
    fig = figure(yaxis_title=axis("objective", unit), xaxis_title="scenario")
    fig.add_bar(
        x=labels,
        y=summary["objective"].tolist(),
        marker_color=colours,
        name="objective",
        text=[_signed(c) for c in summary["change"]],
        textposition="outside",
    )
    return [
        Chart(
            "objective",
            "Objective by scenario",
            "How much better or worse is each scenario's best plan than the base?",
            fig,
            "the label on each bar: the change against the base",
        )
    ]


def opportunity_charts(document: dict[str, Any]) -> list[Chart]:
    """The change of the objective per forced variant, sorted, as horizontal bars."""
    table = pd.DataFrame(document["variants"])
    if table.empty:
        return []
    known = table[table["change"].notna()]
    label = known["project"] + " " + known["forced"]
    kept, rest = top(dict(zip(label, known["change"], strict=True)), 2 * MOST)
    shown = known[label.isin(kept)].assign(label=label).sort_values("change")
    unit = document.get("money_unit", "")
    fig = figure(
        height=max(140 + 24 * len(shown), 320),
        xaxis_title=axis("change of the objective", unit),
        yaxis={"type": "category", "autorange": "reversed"},
    )
    fig.add_bar(
        y=shown["label"].tolist(),
        x=shown["change"].tolist(),
        orientation="h",
        marker_color=[GOOD if c >= 0 else BAD for c in shown["change"]],
        name="change",
    )
    notes = []
    if rest:
        notes.append(f"the {len(kept)} largest changes of {len(known)}")
    if len(known) < len(table):
        notes.append(f"{len(table) - len(known)} variants without a plan are in the table")
    if document.get("screened"):
        notes.append(
            "screened: each bar is the change of a plan found without a search; the "
            "table's change_bound is the best the change can be"
        )
    return [
        Chart(
            "opportunity",
            "What forcing each project costs",
            "Which projects is the plan most sure of, and which are close calls?",
            fig,
            "; ".join(notes),
        )
    ]


def marginals_charts(document: dict[str, Any]) -> list[Chart]:
    """A tornado: per lever, the change at +step (right) and -step (left)."""
    steps = pd.DataFrame(document["steps"])
    if steps.empty:
        return []
    steps = steps.assign(label=steps.apply(_lever_label, axis=1))
    changes = steps.pivot_table(index="label", columns="step", values="change", sort=False)
    reach = changes.abs().max(axis=1).fillna(0.0).to_dict()
    kept, rest = top(reach, MOST)
    order = sorted(kept, key=lambda k: reach[k])
    unit = document.get("money_unit", "")
    fig = figure(
        height=max(140 + 28 * len(order), 320),
        barmode="overlay",
        xaxis_title=axis("change of the objective", unit),
        yaxis={"type": "category"},
    )
    for step in sorted(changes.columns, reverse=True):
        fig.add_bar(
            y=order,
            x=[_number(changes.at[k, step]) for k in order],
            orientation="h",
            name=f"{step:+.0%}",
            marker_color=GOOD if step > 0 else BAD,
            opacity=0.8,
        )
    note = f"the {len(kept)} levers with the largest changes of {len(reach)}" if rest else ""
    return [
        Chart(
            "tornado",
            "Marginal steps",
            "Which limit is worth moving, and by how much does the objective follow?",
            fig,
            note,
        )
    ]


def _lever_label(row: pd.Series) -> str:
    """``budget 2026Q1``, ``capacity gb300``, ``funding private-equity``."""
    parts = (row["lever"], row["subject"], row["period"])
    return " ".join(str(p) for p in parts if isinstance(p, str) and p)


def _number(value: Any) -> float:
    """A change, 0 when unknown (a step without a plan is in the table)."""
    return 0.0 if value is None or value != value else float(value)


def _signed(value: Any) -> str:
    """A change with its sign; empty when unknown."""
    return "" if value is None or value != value else f"{value:+,.0f}"


def alternatives_charts(document: dict[str, Any]) -> list[Chart]:
    """Each portfolio's objective against the band's floor, and how often each project
    is funded across the portfolios."""
    return [_portfolios_chart(document), _core_chart(document)]


def _portfolios_chart(document: dict[str, Any]) -> Chart:
    """A bar per portfolio (the optimum grey), the band's floor as a dashed line."""
    listed = document["alternatives"]
    unit = document.get("money_unit", "")
    labels = ["optimum" if a["rank"] == 0 else f"#{a['rank']}" for a in listed]
    fig = figure(yaxis_title=axis("objective", unit), xaxis_title="portfolio")
    fig.add_bar(
        x=labels,
        y=[a["objective"] for a in listed],
        marker_color=[GREY if a["rank"] == 0 else GOOD for a in listed],
        name="objective",
        hovertext=["; ".join(a["differs"]) or "the optimum" for a in listed],
    )
    fig.add_scatter(
        x=labels,
        y=[document["floor"]] * len(listed),
        mode="lines",
        name=f"band floor ({document['floor']:,.2f})",
        line={"color": BAD, "dash": "dash"},
    )
    return Chart(
        "portfolios",
        "Portfolios in the band",
        "How much does each other good portfolio leave on the table?",
        fig,
        "hover a bar for what it funds differently from the optimum",
    )


def _core_chart(document: dict[str, Any]) -> Chart:
    """The share of portfolios funding each project, coloured by its group."""
    presence = pd.DataFrame(document["presence"]).sort_values("share", kind="stable")
    fig = figure(
        height=max(140 + 24 * len(presence), 320),
        xaxis={"title": "share of the portfolios funding it", "tickformat": ".0%"},
        yaxis={"type": "category"},
    )
    fig.add_bar(
        y=presence["project"].tolist(),
        x=presence["share"].tolist(),
        orientation="h",
        marker_color=[
            GOOD if g == "core" else GREY if g == "never" else BAD for g in presence["group"]
        ],
        name="funded",
    )
    return Chart(
        "core",
        "The robust core",
        "Which projects are funded in every good portfolio, and which are a choice?",
        fig,
        "green: in every portfolio; red: in some; grey: in none",
    )
