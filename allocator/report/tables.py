"""Table and list helpers shared by the terminal reports (80 columns)."""

from __future__ import annotations

from collections.abc import Iterable

from rich import box
from rich.table import Table
from rich.text import Text

from allocator.numbers import plural

MAX_ROWS = 25
"""Rows shown per table; the rest are counted in the caption (the JSON has them all)."""


def table(title: str, *columns: str, left: int = 1) -> Table:
    """A plain table: the first ``left`` columns left-justified, the others right; the
    first column (what each row is about) never wraps."""
    out = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        min_width=min(len(title), 78),
    )
    for i, column in enumerate(columns):
        out.add_column(column, justify="left" if i < left else "right", overflow="fold")
    out.columns[0].no_wrap = True  # the ids or names a row is about: other columns wrap first
    return out


def cut(out: Table, total: int, what: str, hint: str = "see --json") -> Table:
    """Say in the caption how many rows were left out."""
    if total > MAX_ROWS:
        out.caption = f"... and {plural(total - MAX_ROWS, what)} more ({hint})"
        out.caption_justify = "left"
    return out


def bullets(lines: Iterable[str]) -> Table:
    """Lines as a list whose wrapped lines stay indented under their first."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for line in lines:
        grid.add_row(" -", Text(line))  # Text: case ids and paths may hold [brackets]
    return grid


def first_few(items: list[str], what: str, most: int) -> list[str]:
    """``items``, or the first ``most`` of them and how many more (the JSON has every one):
    ``... and 12 projects more (see --json)``."""
    if len(items) <= most:
        return items
    return [*items[:most], f"... and {plural(len(items) - most, what)} more (see --json)"]


def signed(value: float | None) -> str:
    """A change with its sign and thousands separators; empty when unknown, 0 when none
    shows at two decimals."""
    if value is None or value != value:  # None or NaN
        return ""
    if abs(value) < 0.005:
        return "0"
    return f"{value:+,.2f}" if abs(value) < 100 else f"{value:+,.0f}"


def per_unit(value: float) -> str:
    """A value per unit: four decimals below 1, two below 100, none above."""
    if abs(value) < 1:
        return f"{value:+.4f}"
    return f"{value:+,.2f}" if abs(value) < 100 else f"{value:+,.0f}"
