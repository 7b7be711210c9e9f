"""Opening a report's HTML page in headless Chromium and reading it back: the console,
every chart's drawn marks (``.point`` elements per Plotly trace) and every table's cells,
then checking them against the JSON document of the same run.

Chromium is Debian's (``/usr/bin/chromium``), driven by Playwright from a thread of its
own (``Pages``); no browser is ever downloaded. Without either the tests skip, unless
``ALLOCATOR_BROWSER_TESTS=required`` (as in CI), when they fail instead.
"""

from __future__ import annotations

import json
import math
import os
import queue
import re
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from allocator.report.columns import Kind, kind_of

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REQUIRED = "ALLOCATOR_BROWSER_TESTS"
"""Set to ``required`` to fail, not skip, when Chromium or Playwright is missing."""

EMPTY_LIST = "(none)"
"""The cover's text for an empty list."""

SHOWN_ROWS = 500
"""Rows a table of the page shows at most (``HTML_ROWS`` of allocator.report.html_page)."""

BROWSERS = 2
"""Browsers opening pages side by side: a page costs Chromium about 2 s of CPU, mostly
running the inlined plotly.js."""

DRAWN_SECONDS = 15
"""How long a page may take to draw every chart."""


def missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@contextmanager
def launched() -> Iterator[Pages]:
    """Headless Chromium to open pages in (``Pages``); skips, or fails under
    ``ALLOCATOR_BROWSER_TESTS=required``, when it cannot run here."""
    reason = missing()
    if reason is not None:
        if os.environ.get(REQUIRED, "").strip().lower() == "required":
            pytest.fail(f"{REQUIRED}=required but {reason}", pytrace=False)
        pytest.skip(reason)
    pages = Pages()
    try:
        yield pages
    finally:
        pages.close()


class Pages:
    """Headless Chromium driven from threads of their own (one browser each, at most
    ``BROWSERS``), so that pages load while the caller goes on (writing the next
    report): ``open(path)`` returns a future of what the page shows. Each thread uses
    its Playwright instance only itself, as Playwright's sync API requires."""

    def __init__(self, browsers: int = 0) -> None:
        count = browsers or max(1, min(BROWSERS, os.cpu_count() or 1))
        self._jobs: queue.SimpleQueue[tuple[Path, Future[Seen]] | None] = queue.SimpleQueue()
        launched = [Future[None]() for _ in range(count)]
        self._threads = [
            threading.Thread(target=self._serve, args=(ready,), name=f"chromium-{i}")
            for i, ready in enumerate(launched)
        ]
        for thread in self._threads:
            thread.start()
        try:
            for ready in launched:
                ready.result()
        except BaseException:
            self.close()
            raise

    def _serve(self, launched: Future[None]) -> None:
        """Launch a browser, then open the pages asked for until told to stop."""
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=LAUNCH_ARGS
                )
                launched.set_result(None)
                try:
                    while (job := self._jobs.get()) is not None:
                        path, seen = job
                        if seen.set_running_or_notify_cancel():
                            try:
                                seen.set_result(open_page(browser, path))
                            except BaseException as error:
                                seen.set_exception(error)
                finally:
                    browser.close()
        except BaseException as error:
            if not launched.done():
                launched.set_exception(error)

    def open(self, path: Path) -> Future[Seen]:
        """What the page at ``path`` shows, once loaded (see ``open_page``)."""
        seen: Future[Seen] = Future()
        self._jobs.put((path, seen))
        return seen

    def close(self) -> None:
        """Close the browsers (after the pages asked for) and end their threads."""
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()


@dataclass
class Trace:
    """One Plotly trace as drawn: its data (``gd.data[i]``) and the marks in the SVG."""

    name: str
    type: str
    mode: str
    orientation: str
    categories: int
    """Length of the category (position) array of the data."""
    positions: list[Any]
    """The position axis of the data: x, or y for horizontal bars."""
    widths: Any
    """The bars' width in the data: none, one number or one per bar."""
    values: list[Any]
    """The value axis of the data: y, or x for horizontal bars."""
    points: int
    """``.point`` elements drawn for the trace."""
    marks: int
    """Of those, the ones that stand for a number (a bar with a value, a marker)."""
    axis: str
    """The y axis it is drawn on (``y``, ``y2``, ...: one per panel of subplots)."""

    @property
    def numbers(self) -> list[float]:
        """The values that are numbers."""
        return [float(v) for v in self.values if _finite(v)]

    def spans(self) -> list[tuple[float, float]]:
        """Each bar's (from, to) on a numeric position axis, from its centre and width."""
        widths = self.widths
        if not isinstance(widths, list):
            widths = [widths] * len(self.positions)
        return [(x - w / 2, x + w / 2) for x, w in zip(self.positions, widths, strict=True)]


@dataclass
class Chart:
    """One ``section.chart`` of the page."""

    id: str
    plot_id: str
    drawn: bool
    traces: list[Trace]
    note: str


@dataclass
class Table:
    """One ``table.data`` of the page: its name, the rows it says the JSON has, and the
    text of every header and cell shown."""

    name: str
    section: str
    rows: int
    columns: list[str]
    cells: list[list[str]]
    note: str


@dataclass
class Seen:
    """What a page showed and said when opened."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    """Every URL fetched that is not the page itself nor a ``data:`` URL."""
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    cover: list[tuple[str, str]] = field(default_factory=list)


READ_PAGE = """() => {
  const finite = v => typeof v === 'number' && isFinite(v);
  const charts = Array.from(document.querySelectorAll('section.chart')).map(section => {
    const gd = section.querySelector('.js-plotly-plot');
    const note = Array.from(section.querySelectorAll('p.note')).map(p => p.textContent).join(' ');
    if (!gd || !gd.data) {
      return {id: section.id, plot_id: gd ? gd.id : '', drawn: false, traces: [], note};
    }
    const marks = {};
    for (const group of gd.querySelectorAll('g.trace')) {
      const cd = group.__data__;
      const trace = cd && cd[0] && cd[0].trace;
      if (!trace) continue;
      const points = Array.from(group.querySelectorAll('.point'));
      const valued = points.filter(p => {
        const d = p.__data__;
        if (!d) return false;
        return trace.type === 'scatter' ? finite(d.x) && finite(d.y) : finite(d.s);
      });
      const seen = marks[trace.index] || {points: 0, marks: 0};
      marks[trace.index] = {points: seen.points + points.length, marks: seen.marks + valued.length};
    }
    const traces = gd.data.map((t, i) => {
      const horizontal = t.orientation === 'h';
      const position = (horizontal ? t.y : t.x) || [];
      const values = (horizontal ? t.x : t.y) || [];
      const drawn = marks[i] || {points: 0, marks: 0};
      return {
        name: t.name == null ? '' : String(t.name), type: t.type || 'scatter',
        mode: t.mode || '', orientation: t.orientation || 'v',
        categories: position.length, positions: Array.from(position),
        widths: t.width === undefined ? null : t.width, values: Array.from(values),
        points: drawn.points, marks: drawn.marks, axis: t.yaxis || 'y',
      };
    });
    const drawn = !!gd.querySelector('svg.main-svg');
    return {id: section.id, plot_id: gd.id, drawn, traces, note};
  });
  const tables = Array.from(document.querySelectorAll('table.data')).map(table => {
    const section = table.closest('section');
    return {
      name: table.dataset.name,
      section: section ? section.id : '',
      rows: Number(table.dataset.rows),
      columns: Array.from(table.querySelectorAll('thead th')).map(th => th.textContent),
      cells: Array.from(table.querySelectorAll('tbody tr')).map(
        tr => Array.from(tr.querySelectorAll('td')).map(td => td.textContent)),
      note: section
        ? Array.from(section.querySelectorAll('p.note')).map(p => p.textContent).join(' ')
        : '',
    };
  });
  const cover = Array.from(document.querySelectorAll('table.cover tr')).map(
    tr => Array.from(tr.querySelectorAll('td')).map(td => td.textContent));
  return {charts, tables, cover};
}"""

ALL_DRAWN = """() => Array.from(document.querySelectorAll('section.chart')).every(section => {
  const gd = section.querySelector('.js-plotly-plot');
  return gd && gd._fullLayout && gd.querySelector('svg.main-svg');
})"""


def open_page(browser: Any, path: Path) -> Seen:
    """Open ``path`` as a ``file://`` URL, wait until every chart is drawn (or
    ``DRAWN_SECONDS`` pass) and read what it shows."""
    seen = Seen()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    url = path.resolve().as_uri()

    def on_console(message: Any) -> None:
        if message.type == "error":
            seen.console_errors.append(f"{message.text} at {message.location}")

    def on_request(request: Any) -> None:
        if request.url != url and not request.url.startswith("data:"):
            seen.requests.append(request.url)

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.page_errors.append(str(error)))
    page.on("request", on_request)
    try:
        page.goto(url, wait_until="load")
        with suppress(Exception):  # a chart that never draws: the checks say which
            page.wait_for_function(ALL_DRAWN, timeout=DRAWN_SECONDS * 1000)
        read = page.evaluate(READ_PAGE)
    finally:
        page.close()
    seen.charts = [
        Chart(c["id"], c["plot_id"], c["drawn"], [Trace(**t) for t in c["traces"]], c["note"])
        for c in read["charts"]
    ]
    seen.tables = [Table(**t) for t in read["tables"]]
    seen.cover = [(row[0], row[1]) for row in read["cover"] if len(row) == 2]
    return seen


# The page on its own: clean, every chart drawn, every trace's marks its data.


def check_clean(seen: Seen) -> None:
    """No console error, no uncaught error, nothing fetched from anywhere."""
    assert seen.console_errors == [], "console errors"
    assert seen.page_errors == [], "page errors"
    assert seen.requests == [], "the page fetched something; it must be self-contained"


def check_drawn(seen: Seen) -> None:
    """Every chart has its Plotly div (``plot-ID`` in ``chart-ID``) drawn as an SVG, draws
    something, and every trace draws one mark per number in its data."""
    for chart in seen.charts:
        where = chart.id
        assert chart.id.startswith("chart-"), where
        assert chart.plot_id == "plot-" + chart.id.removeprefix("chart-"), where
        assert chart.drawn, f"{where}: no svg.main-svg"
        assert chart.traces, f"{where}: no trace"
        assert any(t.marks for t in chart.traces), f"{where}: draws no mark"
        for trace in chart.traces:
            what = f"{where}, trace {trace.name!r}"
            if trace.type in ("bar", "waterfall"):
                assert trace.points == trace.categories, f"{what}: a .point per category"
                assert trace.marks == len(trace.numbers), f"{what}: a bar per value"
            elif trace.type == "histogram":  # bins its data: a bar per bin, not per value
                assert trace.marks > 0, f"{what}: no bar"
            elif trace.type == "scatter" and "markers" in trace.mode:
                assert trace.marks == trace.points == len(trace.numbers), f"{what}: markers"
            elif trace.type == "scatter":
                assert trace.points == 0, f"{what}: a line draws no markers"


@dataclass(frozen=True)
class Expected:
    """What the JSON says a trace of a chart draws: its name (up to `` (``), the
    number of marks and, where given, the numbers in any order."""

    name: str
    marks: int
    numbers: tuple[float, ...] | None = None


def check_chart(seen: Seen, chart_id: str, expected: list[Expected]) -> None:
    """The chart ``chart_id`` draws exactly the traces and marks ``expected``."""
    charts = {c.id: c for c in seen.charts}
    assert f"chart-{chart_id}" in charts, f"no chart {chart_id}: {sorted(charts)}"
    traces = charts[f"chart-{chart_id}"].traces
    drawn = Counter((_short(t.name), t.marks) for t in traces)
    wanted = Counter((e.name, e.marks) for e in expected)
    assert drawn == wanted, f"chart {chart_id}: (trace, marks) drawn against the JSON's"
    by_name = {_short(t.name): t for t in traces}
    for e in expected:
        if e.numbers is None:
            continue
        got = sorted(by_name[e.name].numbers)
        assert got == pytest.approx(sorted(e.numbers), rel=1e-9, abs=1e-9), (
            f"chart {chart_id}, trace {e.name!r}: numbers against the JSON's"
        )


def _short(name: str) -> str:
    """A trace's name without its parenthesised detail: ``reserve (3,000)`` -> reserve."""
    return name.split(" (", 1)[0]


# The tables (and cover) against the JSON document.


def check_tables(seen: Seen, document: dict[str, Any]) -> None:
    """Every table of the document is on the page and every table on the page is the
    JSON's: its row count, its columns and every shown cell, parsed back."""
    names = [t.name for t in seen.tables]
    assert len(names) == len(set(names)), f"a table twice: {names}"
    assert set(record_lists(document)) <= set(names), "a list of records with no table"
    for table in seen.tables:
        assert table.section == "table-" + table.name.replace(".", "-"), table.name
        found, value = lookup(document, table.name)
        assert found, f"table {table.name}: no such key in the JSON"
        rows = _rows(value, table)
        assert table.rows == len(rows), f"table {table.name}: data-rows against the JSON"
        assert len(table.cells) == min(len(rows), SHOWN_ROWS), f"table {table.name}: rows"
        if len(rows) > SHOWN_ROWS:
            assert f"{len(rows):,}" in table.note, f"table {table.name}: says rows are left out"
        for r, (cells, record) in enumerate(zip(table.cells, rows, strict=False)):
            assert len(cells) == len(table.columns), f"table {table.name}, row {r}: cells"
            for column, cell, expected in zip(table.columns, cells, record, strict=True):
                check_cell(column, cell, expected, f"table {table.name}, row {r}, {column}")


def _rows(value: Any, table: Table) -> list[list[Any]]:
    """The JSON's rows of a table, in the page's column order: a list of records (its
    columns: every key, in the order met), or a mapping keyed by id (one or two keys
    deep, the page's columns naming the keys and the value)."""
    if isinstance(value, list):
        keys = list(dict.fromkeys(k for record in value for k in record))
        assert table.columns == keys, f"table {table.name}: columns against the JSON's keys"
        return [[record.get(k) for k in keys] for record in value]
    assert isinstance(value, dict), f"table {table.name}: neither records nor a mapping"
    if len(table.columns) == 2:
        return [[k, v] for k, v in value.items()]
    assert len(table.columns) == 3, f"table {table.name}: columns {table.columns}"
    return [[k, inner, v] for k, sub in value.items() for inner, v in sub.items()]


def check_cover(seen: Seen, document: dict[str, Any]) -> None:
    """Every line of the cover (but the date it was made) is the JSON's value; a list as
    its items joined by commas."""
    assert seen.cover, "no cover"
    money_unit = str(document.get("money_unit") or "")
    for label, shown in seen.cover:
        if label == "created":
            continue
        found, value = lookup(document, label)
        assert found, f"cover line {label}: no such key in the JSON"
        if isinstance(value, list):  # an empty list says so (it has no table)
            joined = ", ".join(str(v) for v in value) if value else EMPTY_LIST
            assert shown == joined, f"cover line {label}: {shown!r} for {value!r}"
            continue
        if _is_number(value) and kind_of(label) is Kind.MONEY and money_unit:
            assert shown.endswith(f" {money_unit}"), f"cover line {label}: no money unit"
            shown = shown.removesuffix(f" {money_unit}")
        check_cell(label, shown, value, f"cover line {label}")


def check_cell(column: str, shown: str, value: Any, where: str) -> None:
    """The text ``shown`` for the JSON ``value`` of ``column``: empty for none, yes/no,
    the text itself, compact JSON for a list or mapping, and a number written as its
    column's kind that reads back as the value within the rounding of what is shown."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        assert shown == "", f"{where}: {shown!r} for none"
    elif isinstance(value, bool):
        assert shown == ("yes" if value else "no"), f"{where}: {shown!r} for {value}"
    elif isinstance(value, str):
        assert shown == value, f"{where}: {shown!r} for {value!r}"
    elif isinstance(value, list | dict):
        assert json.loads(shown) == value, f"{where}: {shown!r} for {value!r}"
        assert shown == json.dumps(value, separators=(",", ":")), f"{where}: compact JSON"
    else:
        _check_number(column, shown, value, where)


MONEY_TEXT = re.compile(r"-?\d{1,3}(,\d{3})*\.\d\d")
SHARE_TEXT = re.compile(r"-?\d+(\.\d+)?(e[+-]\d+)?%")
INT_TEXT = re.compile(r"-?\d{1,3}(,\d{3})*")
NUMBER_TEXT = re.compile(r"-?\d{1,3}(,\d{3})*(\.\d+)?(e[+-]\d+)?")


def _check_number(column: str, shown: str, value: float, where: str) -> None:
    """A number: its form by its column's kind (money and units with two decimals and
    thousands separators, shares in percent, counts as integers), its value within half
    a unit of the last digit shown."""
    kind = kind_of(column)
    form = {Kind.MONEY: MONEY_TEXT, Kind.UNITS: MONEY_TEXT, Kind.SHARE: SHARE_TEXT}.get(
        kind, INT_TEXT if isinstance(value, int) else NUMBER_TEXT
    )
    assert form.fullmatch(shown), f"{where}: {shown!r} is not written as {kind.value}"
    scale = 100.0 if kind is Kind.SHARE else 1.0
    written = shown.removesuffix("%").replace(",", "")
    if isinstance(value, int) and kind is Kind.NUMBER:
        assert int(written) == value, f"{where}: {shown!r} for {value}"
        return
    read = float(written) / scale
    tolerance = _half_last_digit(written) / scale
    slack = tolerance * 1e-6 + 1e-12 * max(1.0, abs(value))
    assert abs(read - value) <= tolerance + slack, (
        f"{where}: {shown!r} reads {read!r}, the JSON has {value!r}"
    )


def _half_last_digit(written: str) -> float:
    """Half a unit of the last digit of a number as written (``1.25`` -> 0.005,
    ``1.5e+07`` -> 0.05e7)."""
    mantissa, _, exponent = written.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 0.5 * 10.0 ** (int(exponent or 0) - decimals)


# Reading the JSON document.


def lookup(document: dict[str, Any], path: str) -> tuple[bool, Any]:
    """(found, value) at the dotted ``path`` (keys may hold dots themselves)."""
    if path in document:
        return True, document[path]
    for key, value in document.items():
        if isinstance(value, dict) and path.startswith(f"{key}."):
            found, inner = lookup(value, path[len(key) + 1 :])
            if found:
                return True, inner
    return False, None


def record_lists(document: dict[str, Any], prefix: str = "") -> list[str]:
    """The dotted path of every non-empty list of records in the document's mappings."""
    paths = []
    for key, value in document.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            paths += record_lists(value, f"{path}.")
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            paths.append(path)
    return paths


def _finite(value: Any) -> bool:
    return _is_number(value) and math.isfinite(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_page(seen: Seen, document: dict[str, Any]) -> None:
    """Everything that holds for any report page against its JSON document."""
    check_clean(seen)
    check_drawn(seen)
    check_tables(seen, document)
    check_cover(seen, document)
