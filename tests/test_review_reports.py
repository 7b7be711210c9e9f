"""Reports for the review room: the document's tables, the workbook read back with pandas,
the charts' marks against the plan, and the HTML page's tables against the JSON.

The browser opens the pages in tests/test_html_browser.py; here everything is read with
pandas, openpyxl and Python's HTML parser.
"""

from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from allocator import solve
from allocator.case import Case, load_case
from allocator.charts.plan import Facts, plan_charts
from allocator.charts.style import MOST
from allocator.generate import generate_case
from allocator.report.document import (
    CELL_TEXT_LIMIT,
    cell_text,
    mapping_table,
    report_of,
    split,
)
from allocator.report.html_page import HTML_ROWS, page
from allocator.report.plan_json import CaseOrigin, result_document
from allocator.report.review import build_report
from allocator.report.workbook import COVER, sheet_names, write_excel

FLAGSHIP = Path(__file__).parent.parent / "cases" / "frontier-lab-2026.yaml"


def document_of(case: Case, path: Path) -> dict[str, Any]:
    """The solve document of ``case``, its plan checked."""
    result = solve(case)
    assert result.verification is not None
    assert result.verification.ok
    return result_document(result, CaseOrigin(str(path), "0" * 64))


@pytest.fixture(scope="module")
def flagship() -> tuple[Case, dict[str, Any]]:
    case = load_case(FLAGSHIP)
    return case, document_of(case, FLAGSHIP)


@pytest.fixture(scope="module")
def generated(write_case) -> tuple[Case, dict[str, Any]]:
    """A generated case with more projects than a chart draws one by one."""
    path = write_case(generate_case(60, resources=2, periods=6, seed=4), "generated.yaml")
    case = load_case(path)
    return case, document_of(case, path)


# --- the document's tables --------------------------------------------------------------


def test_records_are_tables_and_plain_values_the_cover() -> None:
    document = {
        "status": "optimal",
        "case": {"name": "x", "file": "x.yaml"},
        "warnings": ["a", "b"],
        "empty": [],
        "rows": [{"id": "p", "values": {"g": 0.1}, "funded": ["a"]}, {"id": "q"}],
        "first_stage": {"supply": [{"id": "s", "signed": True}]},
        "summary": {"funded_probability": {"p": 0.5, "q": 1.0}, "draws": 4},
    }
    cover, tables = split(document)
    assert cover == {
        "status": "optimal",
        "case.name": "x",
        "case.file": "x.yaml",
        "warnings": "a, b",
        "empty": "(none)",
        "summary.draws": 4,
    }
    assert list(tables) == ["rows", "first_stage.supply", "summary.funded_probability"]
    assert tables["rows"]["values"].tolist()[0] == '{"g":0.1}'
    assert tables["rows"]["funded"].tolist()[0] == '["a"]'
    assert tables["summary.funded_probability"].to_dict("records") == [
        {"project": "p", "probability": 0.5},
        {"project": "q", "probability": 1.0},
    ]


def test_a_mapping_of_mappings_is_a_long_table() -> None:
    table = mapping_table({"p": {"full": 0.25, "half": 0.75}}, ("project", "level", "p"))
    assert table.values.tolist() == [["p", "full", 0.25], ["p", "half", 0.75]]


def test_a_cell_never_holds_more_than_a_spreadsheet_takes() -> None:
    long = cell_text([f"project-{i}" for i in range(10_000)])
    assert len(long) <= CELL_TEXT_LIMIT
    assert long.endswith("(cut: the JSON has it whole)")
    assert cell_text(3.5) == 3.5


def test_the_cover_leads_with_the_headline_and_says_when(flagship) -> None:
    _, document = flagship
    report = report_of("solve", "t", document)
    assert list(report.cover)[:4] == ["status", "objective", "bound", "gap"]
    assert report.cover["created"].endswith("UTC")
    assert report.money_unit == "USD_M"


# --- the workbook -----------------------------------------------------------------------


def same_table(read: pd.DataFrame, rows: list[dict[str, Any]]) -> None:
    """The sheet read back equals the JSON rows (an empty text reads back as missing)."""
    expected = pd.DataFrame(rows).replace({"": None}).astype(object)
    expected = expected.map(
        lambda v: json.dumps(v, separators=(",", ":")) if isinstance(v, list | dict) else v
    )
    pd.testing.assert_frame_equal(
        read.reset_index(drop=True),
        expected.astype(read.dtypes.to_dict(), errors="ignore"),
        check_dtype=False,
    )


@pytest.mark.parametrize("which", ["flagship", "generated"])
def test_the_workbook_read_back_gives_the_json_tables(which, request, tmp_path) -> None:
    case, document = request.getfixturevalue(which)
    path = tmp_path / "plan.xlsx"
    report = build_report("solve", "t", document, case)
    write_excel(path, report)
    sheets = pd.read_excel(path, sheet_name=None)
    names = sheet_names(report)
    assert list(sheets) == [COVER, *names.values()]
    for key in ("projects", "allocations", "supply", "funding", "credit", "cash", "binding"):
        if document[key]:
            same_table(sheets[names[key]], document[key])


def test_the_cover_sheet_names_the_run_and_every_sheet(flagship, tmp_path) -> None:
    case, document = flagship
    path = tmp_path / "plan.xlsx"
    write_excel(path, build_report("solve", "t", document, case))
    cover = pd.read_excel(path, sheet_name=COVER)
    lines = dict(zip(cover["item"], cover["value"], strict=True))
    assert lines["status"] == document["status"]
    assert lines["objective"] == pytest.approx(document["objective"])
    assert lines["case.file"] == document["case"]["file"]
    assert lines["solver"] == "scip"
    assert lines["sheet projects"] == f"projects, {len(document['projects'])} rows"


def test_sheets_have_frozen_headers_filters_and_money_formats(flagship, tmp_path) -> None:
    case, document = flagship
    path = tmp_path / "plan.xlsx"
    write_excel(path, build_report("solve", "t", document, case))
    book = openpyxl.load_workbook(path)
    sheet = book["projects"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:")
    header = [c.value for c in sheet[1]]
    cost = sheet.cell(row=2, column=header.index("cost") + 1)
    assert "USD_M" in cost.number_format
    compute = sheet.cell(row=2, column=header.index("compute") + 1)
    assert "USD_M" not in compute.number_format
    assert "#,##0" in compute.number_format
    assert book["cover"]["B3"].number_format.count("USD_M") >= 1  # the objective


def test_long_table_names_get_short_unique_sheet_names() -> None:
    tables = {
        "expected_value_plan.first_stage.supply": pd.DataFrame({"a": [1]}),
        "expected_value_plan.first_stage.supply_extra_long_name": pd.DataFrame({"a": [1]}),
        "first_stage.supply": pd.DataFrame({"a": [1]}),
    }
    report = report_of("hedge", "t", {})
    report = type(report)("hedge", "t", {}, tables)
    names = sheet_names(report)
    assert names["expected_value_plan.first_stage.supply"] == "ev_plan.first_stage.supply"
    assert all(len(n) <= 31 for n in names.values())
    assert len(set(names.values())) == 3


# --- charts -----------------------------------------------------------------------------


def charts_by_id(case: Case, document: dict[str, Any]) -> dict[str, Any]:
    return {c.id: c for c in plan_charts(document, Facts.of(case))}


def test_the_timeline_has_a_bar_per_funded_project(flagship) -> None:
    case, document = flagship
    fig = charts_by_id(case, document)["timeline"].figure
    bars = [(y, x) for trace in fig.data for y, x in zip(trace.y, trace.x, strict=True)]
    funded = {p["id"]: p["periods"] for p in document["projects"] if p["funded"]}
    assert dict(bars) == funded


def test_stacked_capacity_adds_up_to_the_units_used(generated) -> None:
    """Summing every bar of a resource's panel gives the units of that resource given to
    projects per period, within what the supply options used; past MOST projects the rest
    are one 'other' bar."""
    case, document = generated
    fig = charts_by_id(case, document)["capacity"].figure
    supply = pd.DataFrame(document["supply"])
    given = pd.DataFrame(document["allocations"])
    for axis, resource in (("y", "r1"), ("y2", "r2")):
        bars = [t for t in fig.data if t.type == "bar" and t.yaxis == axis]
        assert len(bars) <= MOST + 1
        stacked = pd.DataFrame([list(t.y) for t in bars]).sum(axis=0).to_numpy()
        mine = given[given["resource"] == resource].groupby("period")["units"].sum()
        assert stacked == pytest.approx([mine.get(p, 0.0) for p in case.periods], abs=1e-6)
        used = supply[supply["resource"] == resource].groupby("period")["used"].sum()
        assert (stacked <= [used.get(p, 0.0) + 1e-6 for p in case.periods]).all()
    assert "summed as other" in charts_by_id(case, document)["capacity"].note


def test_the_cash_chart_draws_the_plan_s_cash_and_the_reserve(flagship) -> None:
    case, document = flagship
    fig = charts_by_id(case, document)["cash"].figure
    cash = next(t for t in fig.data if t.name == "cash")
    assert list(cash.y) == [row["cash"] for row in document["cash"]]
    reserve = next(t for t in fig.data if t.name.startswith("reserve"))
    assert set(reserve.y) == {case.budget.min_cash}


def test_the_waterfall_ends_at_the_sum_of_the_nets(flagship) -> None:
    case, document = flagship
    trace = charts_by_id(case, document)["waterfall"].figure.data[0]
    nets = [row["net"] for row in document["cash"]]
    assert list(trace.y[:-1]) == nets
    assert trace.measure[-1] == "total"


def test_idle_supply_is_what_was_paid_or_owned_but_not_used(flagship) -> None:
    case, document = flagship
    fig = charts_by_id(case, document)["supply"].figure
    idle = next(t for t in fig.data if t.name.startswith("paid for"))
    signed = [r for r in document["supply"] if r["signed"]]
    assert sum(idle.y) == pytest.approx(sum(r["idle"] for r in signed))


def test_a_document_without_a_plan_has_no_charts(flagship) -> None:
    case, document = flagship
    empty = document | {key: [] for key in ("projects", "allocations", "supply", "cash")}
    assert plan_charts(empty, Facts.of(case)) == []


# --- the HTML page ----------------------------------------------------------------------


class Tables(HTMLParser):
    """The text of every cell of every ``table.data``, by its data-name."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.rows_attr: dict[str, int] = {}
        self._name: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table" and found.get("class") == "data":
            self._name = found["data-name"]
            self.tables[self._name] = []
            self.rows_attr[self._name] = int(found["data-rows"] or 0)
        elif self._name and tag == "tr":
            self.tables[self._name].append([])
        elif self._name and tag in ("td", "th"):
            self._cell = []

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._name:
            self.tables[self._name][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._name = None


def number(text: str) -> float:
    """A written number read back: thousands separators and a percent sign."""
    if text.endswith("%"):
        return float(text[:-1].replace(",", "")) / 100
    return float(text.replace(",", ""))


def test_the_page_holds_every_table_of_the_json_as_written(flagship) -> None:
    case, document = flagship
    html = page(build_report("solve", "t", document, case))
    parsed = Tables()
    parsed.feed(html)
    for key in ("projects", "supply", "cash", "funding"):
        header, *rows = parsed.tables[key]
        assert parsed.rows_attr[key] == len(document[key])
        assert header == list(document[key][0])
        for shown, record in zip(rows, document[key], strict=True):
            for column, text in zip(header, shown, strict=True):
                value = record[column]
                if isinstance(value, bool):
                    assert text == ("yes" if value else "no")
                elif isinstance(value, int | float):
                    assert number(text) == pytest.approx(value, abs=0.006, rel=1e-4)
                else:
                    assert text == ("" if value is None else str(value))


def test_the_page_fetches_nothing_and_carries_plotly(flagship) -> None:
    case, document = flagship
    html = page(build_report("solve", "t", document, case))
    assert "plotly.js v" in html
    markup = re.sub(r"<script>.*?</script>", "<script></script>", html, flags=re.DOTALL)
    assert "src=" not in markup  # no script, image or frame from elsewhere
    assert "<link" not in markup
    assert "http" not in markup
    assert html.count('class="plotly-graph-div"') == 5


def test_a_long_table_says_how_many_rows_it_leaves_out() -> None:
    rows = [{"id": f"p{i}", "value": float(i)} for i in range(HTML_ROWS + 7)]
    html = page(report_of("solve", "t", {"projects": rows}))
    parsed = Tables()
    parsed.feed(html)
    assert len(parsed.tables["projects"]) == HTML_ROWS + 1
    assert f"The first {HTML_ROWS} of {HTML_ROWS + 7:,} rows" in html


def test_numbers_are_written_with_their_kind() -> None:
    from allocator.report.columns import text

    assert text("cost", 1234.5) == "1,234.50"
    assert text("probability", 0.125) == "12.5%"
    assert text("gap", 6.85e-05) == "0.00685%"
    assert text("funded", True) == "yes"
    assert text("objective", None) == ""
    assert text("objective", math.nan) == ""
    assert text("funded", 12) == "12"
