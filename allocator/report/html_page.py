"""A report as one self-contained HTML page: plotly.js and the styles inlined, nothing
fetched when it is opened, so it can be mailed and opened offline.

Charts are Plotly figures (``allocator.charts``); tables are the report's own, every
number written by ``allocator.report.columns.text``. A table shows at most
``HTML_ROWS`` rows and says so; the workbook and the JSON have every row.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.offline
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from allocator import __version__
from allocator.report.columns import Kind, is_number, kind_of, text
from allocator.report.document import HEADLINE, Chart, Report
from allocator.report.files import write_text
from allocator.report.plan_json import plain

HTML_ROWS = 500
"""Rows a table of the page shows; a longer table says how many more the workbook has."""

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
"""Plotly's options for every chart: no logo in the toolbar, resize with the window."""


def write_html(path: Path, report: Report) -> None:
    """Write the page of ``report`` to ``path`` atomically."""
    write_text(path, page(report))


def page(report: Report) -> str:
    """The whole page of ``report`` as text: the headline of its cover first, the rest of
    the cover folded away, then the charts and the tables."""
    headline = {k: v for k, v in report.cover.items() if k in HEADLINE}
    details = {k: v for k, v in report.cover.items() if k not in HEADLINE}
    return _template().render(
        kind=report.kind,
        title=report.title,
        version=__version__,
        created=report.cover.get("created", ""),
        plotly_js=Markup(plotly.offline.get_plotlyjs()),
        headline=[_cover_line(k, v, report.money_unit) for k, v in headline.items()],
        details=[_cover_line(k, v, report.money_unit) for k, v in details.items()],
        charts=[_chart(c) for c in report.charts],
        tables=[_table(name, t) for name, t in report.tables.items()],
    )


@cache
def _template() -> Any:
    """The page template (allocator/report/templates/page.html.j2), HTML-escaped."""
    environment = Environment(
        loader=PackageLoader("allocator.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    return environment.get_template("page.html.j2")


def _cover_line(label: str, value: Any, money_unit: str) -> dict[str, str]:
    """A line of the cover: the value written as its kind, money with its unit."""
    written = text(label, value)
    if is_number(value) and kind_of(label) is Kind.MONEY and money_unit:
        written = f"{written} {money_unit}"
    return {"label": label, "text": written, "align": "number" if is_number(value) else ""}


def _chart(chart: Chart) -> dict[str, Any]:
    """A chart's parts for the template; the figure as a div and the script drawing it."""
    html = chart.figure.to_html(
        full_html=False, include_plotlyjs=False, div_id=f"plot-{chart.id}", config=PLOTLY_CONFIG
    )
    return {
        "id": chart.id,
        "title": chart.title,
        "answers": chart.answers,
        "note": chart.note,
        "html": Markup(html),
    }


def _table(name: str, table: pd.DataFrame) -> dict[str, Any]:
    """A table's parts for the template: columns, the first ``HTML_ROWS`` rows as text
    and a note on the rows left out."""
    shown = table.head(HTML_ROWS)
    numeric = {c: all(is_number(v) or v is None for v in shown[c]) for c in table.columns}
    columns = [{"name": c, "align": "number" if numeric[c] else ""} for c in table.columns]
    rows = [
        [
            {"text": text(c, plain(v)), "align": "number" if numeric[c] else ""}
            for c, v in zip(table.columns, row, strict=True)
        ]
        for row in shown.itertuples(index=False)
    ]
    note = ""
    if len(table) > HTML_ROWS:
        note = f"The first {HTML_ROWS:,} of {len(table):,} rows; --excel and --json have all."
    return {
        "id": name.replace(".", "-"),
        "name": name,
        "columns": columns,
        "rows": rows,
        "total": len(table),
        "note": note,
    }
