"""The terminal report of a scenario comparison: side by side, then what changed.

Fits an 80-column terminal with every id and scenario name whole: the projects
that differ are listed one scenario per line rather than one column per scenario.
A variant without a plan says so and points at ``allocator explain``.
"""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from allocator.analysis.compare import BASE, Comparison
from allocator.numbers import amount, plural
from allocator.plan.nearness import minimal_note
from allocator.report import tables

NO_PLAN = {"infeasible": "infeasible", "no_solution": "no plan in time"}
"""Status words of a variant without a plan."""


def render_comparison(
    console: Console, title: str, comparison: Comparison, unit: str, case_file: str = "CASE"
) -> None:
    """Print the summary, the projects that differ, and each scenario's changes."""
    console.print(Text(title, style="bold"))
    console.print(_summary(comparison.summary, unit))
    notes = [
        why_no_plan(row.variant, row.status, case_file)
        for row in comparison.summary.itertuples(index=False)
        if not _has_plan(row)
    ]
    if notes:
        console.print(Text("\n".join(notes) + "\n"))
    console.print(_projects(comparison))
    _changes(console, comparison, case_file)
    note = minimal_note([r.nearness for n, r in comparison.results.items() if n != BASE])
    if note:
        console.print(Text(note + "\n", style="dim"))


def _has_plan(row: object) -> bool:
    return bool(getattr(row, "has_plan", True))


def _money(value: object) -> str:
    return "" if value is None or pd.isna(value) else amount(float(value))


def _count(value: object) -> str:
    return "" if value is None or pd.isna(value) else f"{int(value):,}"


def why_no_plan(variant: str, status: str, case_file: str) -> str:
    """What a variant without a plan is, and the command that tells more."""
    if status == "infeasible":
        scenario = "" if variant == BASE else f" -s {variant}"
        return f"{variant}: infeasible — see `allocator explain {case_file}{scenario}`"
    if status == "no_solution":
        return f"{variant}: no plan found within the time limit (raise --time-limit)"
    return f"{variant}: no plan ({status})"


def _summary(summary: pd.DataFrame, unit: str) -> Table:
    table = tables.table(
        f"Side by side (money in {unit})",
        "variant",
        "status",
        "objective",
        "change",
        "funded",
        "lowest\ncash",
        "in",
        "credit\ndrawn",
    )
    table.collapse_padding = True  # eight columns in 80
    table.columns[1].justify = "left"
    table.columns[6].justify = "left"
    for row in summary.itertuples(index=False):
        if not _has_plan(row):
            table.add_row(row.variant, NO_PLAN.get(row.status, row.status))
            continue
        change = "" if row.variant == BASE else tables.signed(row.change)
        table.add_row(
            row.variant, row.status, _money(row.objective), change, _count(row.funded),
            _money(row.cash_low), row.cash_low_period or "", _money(row.credit_drawn),
        )  # fmt: skip
    return table


def _projects(comparison: Comparison) -> Table | Text:
    """One line per project and scenario where the scenario's decision differs from the base."""
    summary = comparison.summary.set_index("variant")
    planned = [v for v in summary.index if bool(summary.loc[v].get("has_plan", True))]
    if BASE not in planned:
        return Text("\nThe base case has no plan: there is nothing to set the scenarios against.\n")
    others = [v for v in planned if v != BASE]
    table = tables.table(
        "Projects whose level or start differs from the base (level, start; or off)",
        "project",
        "in the base",
        "scenario",
        "in the scenario",
        left=4,
    )
    table.columns[2].no_wrap = True  # scenario names, typed back as -s NAME
    rows = 0
    for record in comparison.projects.to_dict(orient="records"):
        base = record[BASE]
        differ = [(v, record[v]) for v in others if record[v] != base]
        for i, (variant, state) in enumerate(differ):
            first = i == 0
            cells = (record["project"], _state(base)) if first else ("", "")
            table.add_row(*cells, variant, _state(state))
            rows += 1
        if differ:
            table.add_section()
    if not rows:
        return Text(
            "\nEvery scenario with a plan funds the same projects at the same levels and "
            "starts as the base.\n"
        )
    return table


def _state(state: str) -> str:
    """``full from 2026Q2`` as ``full, 2026Q2``: short enough to stay on one line."""
    return state.replace(" from ", ", ")


def _changes(console: Console, comparison: Comparison, case_file: str) -> None:
    changes = comparison.changes
    summary = comparison.summary
    base_planned = all(_has_plan(r) for r in summary.itertuples(index=False) if r.variant == BASE)
    for row in summary.itertuples(index=False):
        variant = row.variant
        if variant == BASE:
            continue
        if not _has_plan(row):
            console.print(Text(f"{why_no_plan(variant, row.status, case_file)}", style="bold"))
            console.print()
            continue
        if not base_planned:
            continue
        mine = changes[changes["variant"] == variant]
        count = len(mine)
        verb = "changes" if count == 1 else "change"
        heading = f"{variant} against the base: {plural(count, 'decision')} {verb}"
        if mine.empty:
            heading = f"{variant} against the base: no decision changes"
        console.print(Text(heading, style="bold"))
        if not mine.empty:
            console.print(tables.bullets(mine["text"]))
        console.print()
