"""The terminal report of a scenario comparison: side by side, then what changed."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from allocator.analysis.compare import BASE, Comparison
from allocator.report import tables
from allocator.report.numbers import amount, plural


def render_comparison(console: Console, title: str, comparison: Comparison, unit: str) -> None:
    """Print the summary, the projects that differ, and each scenario's changes."""
    console.print(Text(title, style="bold"))
    console.print(_summary(comparison.summary, unit))
    console.print(_projects(comparison.projects))
    _changes(console, comparison)


def _money(value: object) -> str:
    return "" if value is None or pd.isna(value) else amount(float(value))


def _summary(summary: pd.DataFrame, unit: str) -> Table:
    table = tables.table(
        f"Side by side (money in {unit})",
        "variant",
        "status",
        "objective",
        "change",
        "funded",
        "cash low",
        "credit",
    )
    for row in summary.itertuples(index=False):
        change = "" if row.change is None or pd.isna(row.change) else f"{row.change:+,.0f}"
        low = "" if row.cash_low is None else f"{amount(row.cash_low)} {row.cash_low_period}"
        funded = "" if row.funded is None else str(row.funded)
        table.add_row(
            row.variant, row.status, _money(row.objective), change, funded, low,
            _money(row.credit_drawn),
        )  # fmt: skip
    return table


def _projects(projects: pd.DataFrame) -> Table | Text:
    variants = [c for c in projects.columns if c != "project"]
    differ = projects[projects[variants].nunique(axis=1, dropna=False) > 1]
    if differ.empty:
        return Text("Every variant funds the same projects at the same levels and starts.\n")
    table = tables.table("Projects that differ (level and start, or off)", "project", *variants)
    for column in table.columns[1:]:
        column.overflow = "fold"
    for row in differ.itertuples(index=False):
        cells = [str(v).replace(" from ", "\n") if v is not None else "" for v in row[1:]]
        table.add_row(row[0], *cells)
    return table


def _changes(console: Console, comparison: Comparison) -> None:
    changes = comparison.changes
    for variant in comparison.summary["variant"]:
        if variant == BASE:
            continue
        mine = changes[changes["variant"] == variant]
        heading = f"{variant} against the base: {plural(len(mine), 'decision')} change"
        console.print(Text(heading, style="bold"))
        lines = Table.grid(padding=(0, 1))
        lines.add_column(no_wrap=True)
        lines.add_column()
        for text in mine["text"]:
            lines.add_row(" -", text)
        console.print(lines)
        console.print()
