"""A report for the review room: one command's JSON document as a headline, tables and
charts, the one input of the HTML page (``allocator.report.html_page``) and the workbook
(``allocator.report.workbook``).

The tables are the JSON document's own: every list of records in it, at any depth, is a
table named by its path (``projects``, ``summary.objective_histogram``,
``first_stage.supply``); an empty list is a line of the cover saying ``(none)``
(nothing says what its columns would be); a mapping the document keys by id (a sweep's
funded probability per project) is a table where ``MAPPINGS`` names its columns. A value inside
a record that is itself a list or a mapping is written as compact JSON text (a future's
``values``, a draw's ``funded``), so every cell holds one number or one piece of text.
Every other plain value of the document is a line of the cover (``case.file``,
``status``, ``objective``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import plotly.graph_objects as go

MAPPINGS: dict[str, tuple[str, ...]] = {
    "summary.statuses": ("status", "draws"),
    "summary.status_probability": ("status", "probability"),
    "summary.funded_probability": ("project", "probability"),
    "summary.level_probability": ("project", "level", "probability"),
    "summary.signed_probability": ("supply", "probability"),
    "summary.cash_low_period_probability": ("period", "probability"),
}
"""Mappings keyed by case ids (or statuses, periods) that are tables: path -> columns."""

NONE = "(none)"
"""The cover's value of an empty list: a table without rows has no sheet or section."""

CELL_TEXT_LIMIT = 32_000
"""Longest text in a cell (a spreadsheet cell holds at most 32,767 characters)."""


@dataclass(frozen=True)
class Chart:
    """One chart: a stable element id, its title, the question it answers and the
    figure; ``note`` says what was aggregated or left out to keep it readable."""

    id: str
    title: str
    answers: str
    figure: go.Figure
    note: str = ""


@dataclass(frozen=True)
class Report:
    """What a command's HTML page and workbook show: ``kind`` (the command), ``title``
    (the case file and scenario), ``cover`` (label -> plain value, the headline first),
    ``tables`` (name -> table, as in the JSON) and ``charts``."""

    kind: str
    title: str
    cover: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    charts: list[Chart] = field(default_factory=list)
    money_unit: str = ""


HEADLINE = (
    "status",
    "objective",
    "bound",
    "gap",
    "expected_objective",
    "cvar",
    "vss",
    "evpi",
    "case.file",
    "case.name",
    "scenario",
    "backend",
    "solver",
    "solver_version",
    "money_unit",
)
"""Cover lines shown first, in this order, where the document has them."""


def report_of(
    kind: str, title: str, document: dict[str, Any], charts: list[Chart] | None = None
) -> Report:
    """The report of one command's JSON ``document``: its cover (with the date it was
    made), its tables and ``charts``."""
    cover, tables = split(document)
    ordered = {k: cover[k] for k in HEADLINE if k in cover}
    ordered |= {k: v for k, v in cover.items() if k not in ordered}
    ordered["created"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    money_unit = str(document.get("money_unit") or "")
    return Report(kind, title, ordered, tables, charts or [], money_unit)


def split(document: dict[str, Any]) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """(cover, tables) of a JSON document; see the module docstring."""
    cover: dict[str, Any] = {}
    tables: dict[str, pd.DataFrame] = {}
    for path, value in _walk(document, ""):
        if path in MAPPINGS:
            tables[path] = mapping_table(value or {}, MAPPINGS[path])
        elif _is_records(value):
            tables[path] = records_table(value)
        elif isinstance(value, list):
            cover[path] = ", ".join(str(v) for v in value) if value else NONE
        else:
            cover[path] = value
    return cover, tables


def _walk(value: dict[str, Any], prefix: str) -> Iterator[tuple[str, Any]]:
    """(path, value) of every leaf: a plain value, a list, or a mapping named in
    ``MAPPINGS``; other mappings are walked into."""
    for key, item in value.items():
        path = f"{prefix}{key}"
        if isinstance(item, dict) and path not in MAPPINGS:
            yield from _walk(item, f"{path}.")
        else:
            yield path, item


def _is_records(value: Any) -> bool:
    """A list of mappings (an empty list is not: nothing says what its columns are)."""
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def records_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A list of records as a table; list and mapping values as compact JSON text."""
    table = pd.DataFrame.from_records(rows)
    for column in table.columns:
        if table[column].map(lambda v: isinstance(v, list | dict)).any():
            table[column] = table[column].map(cell_text)
    return table


def mapping_table(mapping: dict[str, Any], columns: tuple[str, ...]) -> pd.DataFrame:
    """A mapping as rows: ``{a: 0.5}`` with two columns, ``{a: {x: 0.5}}`` with three."""
    if len(columns) == 2:
        return pd.DataFrame(list(mapping.items()), columns=list(columns))
    rows = [(key, inner, v) for key, sub in mapping.items() for inner, v in sub.items()]
    return pd.DataFrame(rows, columns=list(columns))


def cell_text(value: Any) -> Any:
    """A list or mapping as compact JSON text (cut, and said so, past a cell's limit);
    any other value as it is."""
    if not isinstance(value, list | dict):
        return value
    text = json.dumps(value, separators=(",", ":"))
    if len(text) <= CELL_TEXT_LIMIT:
        return text
    return text[: CELL_TEXT_LIMIT - 40] + " ... (cut: the JSON has it whole)"
