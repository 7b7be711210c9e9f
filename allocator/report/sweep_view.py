"""The terminal report of a sweep: how the outcome is spread over the draws of the uncertainty.

Reads a ``Summary`` only (allocator/sweeps/summary.py): the headline (how many draws,
grid or Monte Carlo, the chance of no plan, the statuses), the objective, the cash low
point and the credit peak (mean, standard deviation, quantiles; for Monte Carlo the
standard error of the mean), a histogram of the objective, how often each project is
funded (and at which level) and how often each optional supply option is signed.
Every section fits an 80-column terminal with every id whole.
"""

from __future__ import annotations

import math

from rich.console import Console
from rich.table import Table
from rich.text import Text

from allocator.numbers import amount, plural, share
from allocator.report import tables
from allocator.sweeps.summary import Bin, Summary

BLOCKS = " ▏▎▍▌▋▊▉█"
"""A bar's last character by eighths of a cell: BLOCKS[k] is k eighths (BLOCKS[8] full)."""

BAR_WIDTH = 40
"""Cells of the longest histogram bar (fewer on a narrow terminal)."""

HISTOGRAM_TITLE = "Objective over the draws with a plan (share of their probability)"

COVERED = 1 - 1e-9
"""A total weight below this is an unfinished sweep (a grid's weights add up to 1 within
rounding)."""


def render_sweep(console: Console, title: str, summary: Summary, money_unit: str) -> None:
    """Print the whole report of a sweep's ``summary``."""
    console.print(_headline(title, summary, money_unit))
    console.print()
    if summary.draws_with_plan == 0:
        console.print(Text("No draw has a plan: there is no outcome to describe.", style="bold"))
        return
    console.print(_figures(summary, money_unit))
    console.print(_notes(summary))
    console.print()
    console.print(Text(HISTOGRAM_TITLE, style="italic"))
    console.print(histogram_lines(summary.histogram, console.width))
    console.print()
    console.print(_projects(summary))
    console.print()
    signed = _signed(summary)
    if signed is not None:
        console.print(signed)
    guaranteed = _guaranteed(summary, money_unit)
    if guaranteed is not None:
        console.print(guaranteed)


def chance(probability: float) -> str:
    """A probability as a percentage with one decimal; ``<0.1%`` when above 0 but below
    what one decimal shows, ``>99.9%`` likewise below 1."""
    if 0 < probability < 0.0005:
        return "<0.1%"
    if 0.9995 <= probability < 1 - 1e-12:
        return ">99.9%"
    return share(probability)


def _headline(title: str, summary: Summary, unit: str) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    grid.add_row("case", Text(title, style="bold"))
    if summary.monte_carlo:
        kind = f"{plural(summary.draws, 'Monte Carlo draw')}, each of equal weight"
    else:
        kind = (
            f"{plural(summary.draws, 'grid point')} (combinations of the choices), "
            "weighted by their probability"
        )
    grid.add_row("draws", Text(kind))
    if summary.total_weight < COVERED:
        grid.add_row(
            "note",
            Text(
                f"these draws carry {chance(summary.total_weight)} of the sweep's weight "
                "(an unfinished sweep); every probability below is relative to them",
                style="yellow",
            ),
        )
    no_plan = summary.no_plan_probability
    grid.add_row(
        "no plan",
        Text(
            f"{chance(no_plan)} chance ({summary.draws - summary.draws_with_plan} of "
            f"{summary.draws} draws)",
            style="bold yellow" if no_plan > 0 else "bold green",
        ),
    )
    seen = [(s, n) for s, n in summary.statuses.items() if n]
    grid.add_row("statuses", Text(", ".join(f"{s} {n:,}" for s, n in seen)))
    if summary.expected_objective is not None:
        expected = f"{summary.expected_objective:,.2f} {unit}"
        if summary.objective.stderr is not None:
            expected += f" ± {amount(summary.objective.stderr)} (standard error)"
        grid.add_row("expected", Text(f"{expected}, over the draws with a plan"))
    return grid


def _figures(summary: Summary, unit: str) -> Table:
    spreads = (summary.objective, summary.cash_low, summary.credit_peak)
    table = tables.table(
        f"Outcome over the {plural(summary.draws_with_plan, 'draw')} with a plan ({unit})",
        "",
        "objective",
        "lowest cash",
        "credit peak",
    )
    rows: list[tuple[str, str]] = [("mean", "mean"), ("standard deviation", "std")]
    rows += [(f"{name[1:].lstrip('0')}%", name) for name in ("q05", "q25", "q50", "q75", "q95")]
    if summary.monte_carlo:
        rows.append(("standard error of the mean", "stderr"))
    for label, field in rows:
        table.add_row(label, *(_number(getattr(s, field)) for s in spreads))
    return table


def _notes(summary: Summary) -> Text:
    """What the figures' rows and columns mean, and when cash is lowest."""
    lines = [
        "lowest cash: the least cash at a period end; credit peak: the most owed on",
        "credit; 5% .. 95%: the least value with at least that share of the probability",
        "at or below it.",
    ]
    periods = summary.cash_low_period_probability
    if periods:
        top = sorted(periods.items(), key=lambda kv: -kv[1])[:3]
        lines.append("Cash is lowest in " + ", ".join(f"{p} ({chance(w)})" for p, w in top) + ".")
    return Text("\n".join(lines), style="dim")


def _number(value: float | None) -> str:
    return "" if value is None else amount(value)


def histogram_lines(bins: tuple[Bin, ...], width: int = 80) -> Table:
    """One line per bin: its range, a bar as long as its weight (the heaviest bin
    ``BAR_WIDTH`` cells, in eighths of a cell) and the weight as a percentage."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    if not bins:
        return grid
    step = (bins[-1].high - bins[0].low) / len(bins)
    labels = [f"{_edge(b.low, step)} to {_edge(b.high, step)}" for b in bins]
    cells = max(8, min(BAR_WIDTH, width - max(map(len, labels)) - len(" 100.0%") - 4))
    heaviest = max(b.probability for b in bins)
    for label, b in zip(labels, bins, strict=True):
        grid.add_row(
            f" {label}", bar(b.probability / heaviest * cells, cells), chance(b.probability)
        )
    return grid


def bar(length: float, cells: int) -> str:
    """A bar ``length`` cells long (rounded to an eighth), padded with spaces to ``cells``."""
    eighths = round(length * 8)
    full, rest = divmod(eighths, 8)
    text = "█" * full + (BLOCKS[rest] if rest else "")
    return text.ljust(cells)


def _edge(value: float, step: float) -> str:
    """A bin edge with as many decimals as the bins' width needs to tell edges apart."""
    if step >= 10 or step == 0:
        return amount(value)
    decimals = min(6, max(0, 1 - math.floor(math.log10(abs(step)))))
    return f"{value:,.{decimals}f}"


def _projects(summary: Summary) -> Table:
    """One row per project, most often funded first; under a project funded at several
    levels, one indented row per level it is funded at."""
    ranked = sorted(summary.funded_probability.items(), key=lambda kv: -kv[1])
    table = tables.table("Projects: how often each is funded", "project / level", "funded")
    table.min_width = 50  # the caption on one line
    for project, probability in ranked[: tables.MAX_ROWS]:
        style = "dim" if probability == 0 else ""
        table.add_row(Text(project, style=style), Text(chance(probability), style=style))
        levels = summary.level_probability.get(project, {})
        if len(levels) > 1:
            for level, p in levels.items():
                if p > 0:
                    table.add_row(Text(f"  {level}", style="dim"), Text(chance(p), style="dim"))
    table.caption = "a draw without a plan counts as not funded"
    table.caption_justify = "left"
    return tables.cut(table, len(ranked), "project")


def _signed(summary: Summary) -> Table | Text | None:
    signed = summary.signed_probability
    if signed is None:
        return Text("Optional supply: the records do not say which options were signed.\n")
    if not signed:
        return None
    table = tables.table("Optional supply: how often each is signed", "option", "signed")
    ranked = sorted(signed.items(), key=lambda kv: -kv[1])
    for option, probability in ranked[: tables.MAX_ROWS]:
        table.add_row(option, chance(probability))
    return tables.cut(table, len(ranked), "option")


def _guaranteed(summary: Summary, unit: str) -> Text | None:
    if not summary.guaranteed_capital:
        return None
    sources = ", ".join(summary.guaranteed_capital)
    taken = summary.guaranteed_capital_taken_probability
    if taken is None:
        return Text(f"Guaranteed-return capital ({sources}): the records do not keep it.")
    mean = summary.guaranteed_returns_mean
    paid = "" if mean is None else f"; returns paid {amount(mean)} {unit} on average"
    return Text(
        f"Guaranteed-return capital ({sources}): taken in {chance(taken)} of draws{paid} "
        f"(a draw takes it when its plan pays returns)"
    )
