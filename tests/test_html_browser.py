"""The HTML reports (``--html``) opened in a real browser: headless Chromium (Debian's,
driven by Playwright) loads each command's page as a ``file://`` URL and the page must
open without a console or page error, draw every chart with one mark per number of its
data, as many as the JSON document of the same run says (a bar per funded project, per
variant with a plan, ...), and show in its tables the JSON's own numbers.

Every report is written once, by the module fixture ``runs`` (``--json`` and ``--html``
in the same run), and its page opened while the next report is written: loading a page
(plotly.js inlined) costs Chromium about as much as a small solve. The helpers that read
the page and compare it with the JSON are in tests/browser.py. Without Chromium or
Playwright the module is skipped, unless ``ALLOCATOR_BROWSER_TESTS=required`` (CI).
"""

from __future__ import annotations

import copy
import json
import traceback
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from browser import Chart, Expected, Pages, Seen, check_chart, check_page, launched
from hedge_cases import LEAD_TIME
from typer.testing import CliRunner

from allocator.cli import app

CASES = Path(__file__).resolve().parent.parent / "cases"
TEACHING = ["take-or-pay", "capital-rationing", "earmarked-funds"]
MOST = 20
"""Most bars or rows one chart draws (``MOST`` of allocator.charts.style)."""
PAGE_SECONDS = 120
"""How long a test waits for its page to be read."""

SMALL_SWEEP: dict[str, Any] = {
    "name": "small",
    "periods": ["Y1", "Y2"],
    "periods_per_year": 1,
    "resources": [{"id": "gpu"}],
    "supply": [
        {"id": "cloud", "resource": "gpu", "capacity": 100, "unit_cost": 0.1},
        {
            "id": "spot",
            "resource": "gpu",
            "kind": "spot",
            "capacity": 50,
            "unit_cost": 0.3,
            "optional": True,
        },
    ],
    "budget": {"amounts": 100},
    "projects": [
        {"id": "a", "value": 10, "demand": {"gpu": 50}},
        {"id": "b", "value": 8, "demand": {"gpu": 60}},
        {"id": "c", "value": 2, "cost": 30, "demand": {"gpu": 40}},
    ],
    "uncertainty": [
        {"id": "cap", "path": "supply[cloud].capacity", "set": {"choice": [60, 120]}},
        {"id": "grow", "path": "projects[a].value", "scale": {"choice": [0.5, 1.0, 2.0]}},
    ],
}
"""The sweep tests' small case (tests/test_sweep_cli.py) with a third project, c, that
only the futures with the larger contract have room for: six draws, c funded in some."""

POOR_FUTURE: dict[str, Any] = copy.deepcopy(LEAD_TIME) | {
    "name": "poor-future",
    "uncertainty": [{"id": "money", "path": "budget.amounts", "scale": {"choice": [0.05, 1.95]}}],
}
"""The hedge tests' two-stage case with the money, not the launch's value, uncertain:
the expected-value plan signs the contract, whose fixed cost the poor future cannot
pay, so that plan has no plan there and its bar is missing from the chart."""

LARGE = ["--projects", "80", "--resources", "2", "--periods", "12", "--seed", "0"]
"""``allocator generate``: a case whose plan is past every limit of the page: more than
``MOST`` projects on a resource, more than ``2 * MOST`` funded, over 500 allocations."""

INFEASIBLE = """\
name: too-dear
periods: [Q1, Q2]
budget: {amounts: 10, carry_over: false}
projects:
  - {id: a, value: 5, cost: 20, must_fund: true}
  - {id: b, value: 3, cost: 2}
scenarios:
  rich:
    description: three times the money
    changes:
      - {path: budget.amounts, scale: 3}
"""
"""A case without a plan (the must-fund project costs more than the money of a
period) and a scenario with one."""

HOPELESS = (
    INFEASIBLE
    + """\
uncertainty:
  - {id: v, path: "projects[a].value", set: {choice: [4, 6]}}
"""
)
"""The case without a plan, uncertain: no future has a plan, so neither does a hedge."""


def jobs(folder: Path, scheduler: str) -> dict[str, tuple[list[str], int]]:
    """Every report of the module: name -> (the command's arguments, exit status), in the
    order they are written (the replan reads the solve's JSON)."""
    small, poor, dear = folder / "small.yaml", folder / "poor.yaml", folder / "too-dear.yaml"
    small.write_text(yaml.safe_dump(SMALL_SWEEP), encoding="utf-8")
    poor.write_text(yaml.safe_dump(POOR_FUTURE), encoding="utf-8")
    dear.write_text(INFEASIBLE, encoding="utf-8")
    hopeless = folder / "hopeless.yaml"
    hopeless.write_text(HOPELESS, encoding="utf-8")
    large = folder / "large.yaml"
    made = CliRunner().invoke(app, ["generate", *LARGE, "--output", str(large)])
    assert made.exit_code == 0, made.output
    found: dict[str, tuple[list[Any], int]] = {
        "solve": (["solve", CASES / "frontier-lab-2026.yaml"], 0),
        "solve-large": (["solve", large, "--gap", "0.01", "--time-limit", "30"], 0),
        "solve-infeasible": (["solve", dear], 3),
        "compare-no-plan": (["compare", dear, "--all"], 0),
        "sweep": (["sweep", small, "--grid", "--scheduler", scheduler], 0),
        "hedge": (["hedge", poor, "--grid", "--scheduler", scheduler], 0),
        "hedge-no-plan": (["hedge", hopeless, "--grid", "--scheduler", scheduler], 3),
        "replan": (
            [
                "replan",
                CASES / "frontier-lab-2026.yaml",
                "--plan",
                folder / "solve" / "report.json",
                "--freeze-through",
                "2026Q2",
                "--scenario",
                "growth-slows",
            ],
            0,
        ),
        "alternatives": (
            ["alternatives", CASES / "capital-rationing.yaml", "--within", "0.2", "--all"],
            0,
        ),
    }
    for case in TEACHING:
        path = CASES / f"{case}.yaml"
        found[f"compare-{case}"] = (["compare", path, "--all"], 0)
        found[f"frontier-{case}"] = (["frontier", path, "--steps", "5"], 0)
        found[f"opportunity-{case}"] = (["opportunity", path], 0)
        found[f"marginals-{case}"] = (["marginals", path], 0)
    return {name: ([str(a) for a in args], code) for name, (args, code) in found.items()}


@dataclass
class Run:
    """One report written: the command's exit status and output, its JSON document
    and (a future of) what its page shows in the browser."""

    args: list[str]
    expected_code: int
    code: int
    output: str
    document: dict[str, Any] | None
    page: Future[Seen] | None


@pytest.fixture(scope="module")
def runs(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[dict[str, Run]]:
    """Every report of ``jobs``, written in turn while Chromium opens the ones done."""
    with launched() as pages:  # skips before any work when there is no browser
        scheduler = request.getfixturevalue("dask_scheduler")
        root = tmp_path_factory.mktemp("reports")
        yield {
            name: write_report(pages, root / name, args, code)
            for name, (args, code) in jobs(root, scheduler).items()
        }


def write_report(pages: Pages, folder: Path, args: list[str], code: int) -> Run:
    """``allocator ARGS --json --html`` into ``folder``; the page queued for opening."""
    folder.mkdir()
    json_path, html_path = folder / "report.json", folder / "report.html"
    done = CliRunner().invoke(
        app, [*args, "--json", str(json_path), "--html", str(html_path)], env={"COLUMNS": "80"}
    )
    output = done.output
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        output += "".join(traceback.format_exception(done.exception))
    document = json.loads(json_path.read_text(encoding="utf-8")) if json_path.exists() else None
    page = pages.open(html_path) if html_path.exists() else None
    return Run(args, code, done.exit_code, output, document, page)


def opened(runs: dict[str, Run], name: str) -> tuple[dict[str, Any], Seen]:
    """The JSON document and the page of the report ``name``, once the page has passed
    the checks every report page must pass (tests/browser.py ``check_page``)."""
    run = runs[name]
    where = "allocator " + " ".join(run.args)
    assert run.code == run.expected_code, f"{where}: exit {run.code}\n{run.output}"
    assert run.document is not None, f"{where}: no JSON written\n{run.output}"
    assert run.page is not None, f"{where}: no HTML written\n{run.output}"
    seen = run.page.result(timeout=PAGE_SECONDS)
    check_page(seen, run.document)
    return run.document, seen


def chart_ids(seen: Seen) -> list[str]:
    return [c.id.removeprefix("chart-") for c in seen.charts]


def chart(seen: Seen, chart_id: str) -> Chart:
    return next(c for c in seen.charts if c.id == f"chart-{chart_id}")


# solve


def test_the_flagship_plan_page(runs) -> None:
    document, seen = opened(runs, "solve")
    assert chart_ids(seen) == ["capacity", "supply", "cash", "timeline", "waterfall"]
    periods = [row["period"] for row in document["cash"]]
    n = len(periods)

    capacity = []
    for resource in dict.fromkeys(row["resource"] for row in document["supply"]):
        users = {a["project"] for a in document["allocations"] if a["resource"] == resource}
        assert len(users) <= MOST  # the flagship needs no "other" bar
        capacity += [Expected(project, n) for project in users]
        capacity.append(Expected(f"available {resource}", n))
    check_chart(seen, "capacity", capacity)

    signed = {row["supply"] for row in document["supply"] if row["signed"]}
    check_chart(
        seen,
        "supply",
        [Expected("used", len(signed)), Expected("paid for or owned, not used", len(signed))],
    )

    check_chart(
        seen,
        "cash",
        [
            Expected("credit owed", n),
            Expected("cash", n, tuple(row["cash"] for row in document["cash"])),
            Expected("reserve", 0),
        ],
    )

    funded = [p for p in document["projects"] if p["funded"]]
    assert 0 < len(funded) <= 2 * MOST
    check_chart(
        seen,
        "timeline",
        [
            Expected(
                level,
                sum(p["level"] == level for p in funded),
                tuple(p["periods"] for p in funded if p["level"] == level),
            )
            for level in {p["level"] for p in funded}
        ],
    )

    nets = tuple(row["net"] for row in document["cash"])
    check_chart(seen, "waterfall", [Expected("net", n + 1, (*nets, 0.0))])


def test_a_large_plan_page_sums_and_cuts_what_is_past_its_limits(runs) -> None:
    document, seen = opened(runs, "solve-large")
    n = len(document["cash"])
    resources = list(dict.fromkeys(row["resource"] for row in document["supply"]))
    traces = chart(seen, "capacity").traces
    axes = list(dict.fromkeys(t.axis for t in traces))
    assert len(axes) == len(resources)  # a panel per resource, in the JSON's order
    for resource, axis in zip(resources, axes, strict=True):
        units: dict[str, float] = {}
        for a in document["allocations"]:
            if a["resource"] == resource:
                units[a["project"]] = units.get(a["project"], 0.0) + a["units"]
        assert len(units) > MOST  # the smaller projects are summed as one bar
        panel = [t for t in traces if t.axis == axis]
        assert all(t.marks == n for t in panel), resource
        names = [t.name for t in panel]
        assert names[-2:] == [f"other ({len(units) - MOST} projects)", f"available {resource}"]
        check_largest(set(names[:-2]), units, MOST)
    assert "summed as other" in chart(seen, "capacity").note

    funded = {p["id"]: p["cost"] for p in document["projects"] if p["funded"]}
    assert len(funded) > 2 * MOST  # the costliest are drawn
    timeline = chart(seen, "timeline")
    assert sum(t.marks for t in timeline.traces) == 2 * MOST
    check_largest({p for t in timeline.traces for p in t.positions}, funded, 2 * MOST)
    assert f"of {len(funded)} funded" in timeline.note

    allocations = next(t for t in seen.tables if t.name == "allocations")
    assert allocations.rows == len(document["allocations"]) > 500
    assert len(allocations.cells) == 500


def check_largest(drawn: set[str], totals: dict[str, float], most: int) -> None:
    """``drawn`` is ``most`` keys with the largest absolute totals (either of a tie)."""
    cut = sorted((abs(v) for v in totals.values()), reverse=True)[most - 1]
    assert len(drawn) == most
    assert {k for k, v in totals.items() if abs(v) > cut} <= drawn
    assert drawn <= {k for k, v in totals.items() if abs(v) >= cut}


def test_an_infeasible_plan_page_opens_with_no_chart(runs) -> None:
    document, seen = opened(runs, "solve-infeasible")
    assert document["status"] == "infeasible"
    assert seen.charts == []
    assert ("status", "infeasible") in seen.cover


# compare, frontier, opportunity, marginals


@pytest.mark.parametrize("case", TEACHING)
def test_the_compare_page(runs, case) -> None:
    document, seen = opened(runs, f"compare-{case}")
    assert chart_ids(seen) == ["objective"]
    planned = [row["objective"] for row in document["summary"] if row["objective"] is not None]
    check_chart(seen, "objective", [Expected("objective", len(planned), tuple(planned))])
    (trace,) = seen.charts[0].traces
    assert trace.categories == len(document["summary"])  # every variant named on the axis


def test_a_compare_page_names_a_variant_without_a_plan_with_no_bar(runs) -> None:
    document, seen = opened(runs, "compare-no-plan")
    has_plan = {row["variant"]: row["has_plan"] for row in document["summary"]}
    assert has_plan == {"base": False, "rich": True}
    rich = next(row["objective"] for row in document["summary"] if row["variant"] == "rich")
    check_chart(seen, "objective", [Expected("objective", 1, (rich,))])
    (trace,) = seen.charts[0].traces
    assert (trace.categories, trace.points) == (2, 2)


@pytest.mark.parametrize("case", TEACHING)
def test_the_frontier_page(runs, case) -> None:
    document, seen = opened(runs, f"frontier-{case}")
    assert chart_ids(seen) == ["frontier"]
    assert len(document["points"]) == 5
    points = [p for p in document["points"] if p["objective"] is not None]
    expected = [Expected("best plan", len(points), tuple(p["objective"] for p in points))]
    if document.get("knee"):
        expected.append(Expected("knee", 1, (document["knee"]["objective"],)))
    check_chart(seen, "frontier", expected)


@pytest.mark.parametrize("case", TEACHING)
def test_the_opportunity_page(runs, case) -> None:
    document, seen = opened(runs, f"opportunity-{case}")
    assert chart_ids(seen) == ["opportunity"]
    known = [v["change"] for v in document["variants"] if v["change"] is not None]
    assert 0 < len(known) <= 2 * MOST
    check_chart(seen, "opportunity", [Expected("change", len(known), tuple(known))])


@pytest.mark.parametrize("case", TEACHING)
def test_the_marginals_page(runs, case) -> None:
    document, seen = opened(runs, f"marginals-{case}")
    assert chart_ids(seen) == ["tornado"]
    steps = document["steps"]
    levers = {(s["lever"], s["subject"], s["period"]) for s in steps}
    assert 0 < len(levers) <= MOST
    check_chart(
        seen,
        "tornado",
        [Expected(f"{step:+.0%}", len(levers)) for step in {s["step"] for s in steps}],
    )


# sweep and hedge


def test_the_sweep_page(runs) -> None:
    document, seen = opened(runs, "sweep")
    assert chart_ids(seen) == ["objective-histogram", "objective-cdf", "cash-low", "funded"]
    draws = document["draws"]
    assert len(draws) == 6
    summary = document["summary"]
    bins = summary["objective_histogram"]
    check_chart(
        seen,
        "objective-histogram",
        [Expected("draws", len(bins), tuple(b["probability"] for b in bins))],
    )
    (bars,) = chart(seen, "objective-histogram").traces
    edges = [edge for span in bars.spans() for edge in span]
    assert edges == pytest.approx([edge for b in bins for edge in (b["low"], b["high"])])
    planned = [d for d in draws if d["objective"] is not None]
    check_chart(seen, "objective-cdf", [Expected("cumulative probability", len(planned))])

    # lowest cash: each bar as high as the weight of the draws whose (rounded) lowest
    # cash falls in it, however many bins it takes (at most 20)
    bars, reserve = chart(seen, "cash-low").traces
    assert 0 < bars.marks == bars.categories <= 20
    assert reserve.name.startswith("reserve")
    assert reserve.points == 0
    lows = [(round(d["cash_low"], 2), d["weight"]) for d in planned if d["cash_low"] is not None]
    share = [0.0] * bars.categories
    spans = bars.spans()
    for low, weight in lows:
        inside = [i for i, (a, b) in enumerate(spans) if a - 1e-9 <= low < b - 1e-9]
        share[inside[0] if inside else len(spans) - 1] += weight / sum(w for _, w in lows)
    assert bars.numbers == pytest.approx(share, abs=1e-9)
    assert spans[0][0] <= min(low for low, _ in lows) <= max(low for low, _ in lows)
    assert max(low for low, _ in lows) <= spans[-1][1]

    funded = summary["funded_probability"]
    assert set(funded) == {"a", "b", "c"}
    assert 0 < funded["c"] < 1  # a project that depends on the future
    check_chart(seen, "funded", [Expected("funded", len(funded), tuple(funded.values()))])


def test_the_hedge_page(runs) -> None:
    document, seen = opened(runs, "hedge")
    assert chart_ids(seen) == ["futures"]
    futures = document["futures"]
    assert [f.get("ev_objective") is None for f in futures] == [True, False]

    def known(key: str) -> tuple[float, ...]:
        return tuple(f[key] for f in futures if f.get(key) is not None)

    check_chart(
        seen,
        "futures",
        [
            Expected("this plan", len(known("objective")), known("objective")),
            Expected("expected-value plan", len(known("ev_objective")), known("ev_objective")),
            Expected(
                "with hindsight", len(known("hindsight_objective")), known("hindsight_objective")
            ),
        ],
    )
    assert "future 0" in seen.charts[0].note  # says where the expected-value plan has none
    names = {t.name for t in seen.tables}
    assert {"futures", "first_stage.supply", "expected_value_plan.first_stage.supply"} <= names


def test_the_replan_page(runs) -> None:
    """A replan's page is a plan's (its five charts), with its changes as a table."""
    document, seen = opened(runs, "replan")
    assert chart_ids(seen) == ["capacity", "supply", "cash", "timeline", "waterfall"]
    assert document["frozen_through"] == "2026Q2"
    changes = next(t for t in seen.tables if t.name == "changes")
    assert changes.rows == len(document["changes"]) > 0


def test_the_alternatives_page(runs) -> None:
    document, seen = opened(runs, "alternatives")
    assert chart_ids(seen) == ["portfolios", "core"]
    listed = document["alternatives"]
    objectives = tuple(a["objective"] for a in listed)
    check_chart(
        seen,
        "portfolios",
        [Expected("objective", len(listed), objectives), Expected("band floor", 0)],
    )
    shares = tuple(p["share"] for p in document["presence"])
    check_chart(seen, "core", [Expected("funded", len(shares), shares)])


def test_a_hedge_page_without_a_plan_in_any_future_has_no_chart(runs) -> None:
    document, seen = opened(runs, "hedge-no-plan")
    assert document["status"] == "infeasible"
    assert all(f["objective"] is None for f in document["futures"])
    assert seen.charts == []
