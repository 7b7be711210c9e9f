"""Rendering a case summary and case problems for the terminal."""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from allocator.case.errors import Problem
from allocator.numbers import amount, plural, printable, share
from allocator.report.case_summary import CaseSummary


def render_summary(console: Console, file: str, summary: CaseSummary) -> None:
    """Print what a valid case holds: horizon, contents, resources, money, scenarios."""
    console.print(
        Text.assemble(
            ("✓ ", "bold green"), (file, "bold"), " is a valid case: ", (summary.name, "bold")
        )
    )
    console.print(_facts(summary))
    console.print()
    console.print(_resources(summary))
    console.print()  # after the table's caption, or the line saying there are no resources
    if summary.money:
        console.print(_money(summary))
    if summary.scenarios:
        console.print(_scenarios(summary))
    if summary.uncertainty:
        console.print(_uncertainty(summary))


def render_problems(console: Console, file: str, problems: list[Problem]) -> None:
    """Print every problem of a case that cannot be used."""
    console.print(
        Text.assemble(("✗ ", "bold red"), (file, "bold"), ": " + plural(len(problems), "problem"))
    )
    for problem in problems:
        console.print(Text("  " + printable(str(problem))), soft_wrap=True)


def _facts(summary: CaseSummary) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    grid.add_row(
        "horizon",
        f"{summary.horizon} ({plural(summary.periods, 'period')}, "
        f"{summary.periods_per_year} a year)",
    )
    grid.add_row(
        "objective", f"{summary.objective}, discounted at {share(summary.discount_rate)} a year"
    )
    grid.add_row("money unit", summary.money_unit)
    contents = ", ".join(plural(n, what) for what, n in summary.counts.items() if n)
    grid.add_row("contents", contents)
    grid.add_row("categories", ", ".join(f"{c} ({n})" for c, n in summary.categories.items()))
    return grid


def _resources(summary: CaseSummary) -> Table | Text:
    if not summary.resources:
        return Text("No resources: projects need no capacity.", style="dim")
    table = Table(
        title="Demand and capacity per period",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        caption="demand: every project at its largest level from "
        "its earliest start, on the resource it names; capacity: every option signed",
        caption_justify="left",
    )
    table.add_column("resource", no_wrap=True)
    table.add_column("unit", style="dim")
    table.add_column("peak demand", justify="right")
    table.add_column("peak capacity", justify="right")
    table.add_column("short in", justify="right")
    for balance in summary.resources:
        short = sum(d > c + 1e-9 for d, c in zip(balance.demand, balance.capacity, strict=True))
        table.add_row(
            balance.resource,
            balance.unit,
            amount(balance.peak_demand),
            amount(balance.peak_capacity),
            Text(plural(short, "period"), style="yellow") if short else Text("-", style="dim"),
        )
    return table


def _money(summary: CaseSummary) -> Table:
    table = Table(
        title=f"Money in over the horizon ({summary.money_unit})",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("source", no_wrap=True)  # ids stay whole; the terms wrap
    table.add_column("amount", justify="right")
    table.add_column("kind and terms")
    for source in summary.money:
        terms = Text(source.kind, style="dim")
        if source.terms:
            terms.append(f"; {source.terms}")
        table.add_row(source.source, amount(source.total), terms)
    return table


def _scenarios(summary: CaseSummary) -> Group:
    table = Table(title="Scenarios", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("name", no_wrap=True)  # a name is typed back: never broken
    table.add_column("what changes")
    for name, description in summary.scenarios.items():
        text = " ".join(description.split())  # folded YAML ends in a newline
        table.add_row(name, text or Text("(no description)", style="dim"))
    return Group(table)


def _uncertainty(summary: CaseSummary) -> Group:
    grid = f"{summary.grid:,} grid points" if summary.grid else "no grid: a continuous factor"
    title = f"Uncertainty ({grid})"
    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, min_width=min(len(title), 78)
    )
    table.add_column("factor", no_wrap=True)
    table.add_column("changes, and how it is drawn", overflow="fold")
    for ident, path, drawn in summary.uncertainty:  # the path on a line of its own: kept whole
        table.add_row(ident, Text.assemble(path, "\n", (drawn, "dim")))
    return Group(table)
