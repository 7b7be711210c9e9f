"""How long the review-room reports take to make, and how large they are, by case size.

    python benchmarks/bench_reports.py [--projects 2000 10000] [--seed 0] [--repeat 3]

For each size, writes a generated case (``allocator generate``: 4 resources, 12
quarters), solves it once (CBC, stopping within 1e-3: a report does not care how close
the plan is), then builds the solve's report (tables and charts), renders the HTML
page and writes the workbook, ``--repeat`` times each. Prints a Markdown table of the
median seconds of each step, the page's and the workbook's sizes and the rows of the
largest table, beside the seconds of the solve itself.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from allocator import solve
from allocator.case import load_case
from allocator.generate import generate_case
from allocator.report.html_page import write_html
from allocator.report.plan_json import CaseOrigin, result_document
from allocator.report.review import build_report
from allocator.report.workbook import write_excel


def median_seconds(step: Callable[[], object], repeat: int) -> float:
    """The median wall-clock seconds of ``repeat`` calls of ``step``."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def row(projects: int, seed: int, repeat: int, folder: Path) -> str:
    """One line of the table for a generated case of ``projects`` projects."""
    path = folder / f"case-{projects}.json"
    path.write_text(json.dumps(generate_case(projects, 4, 12, seed)))
    case = load_case(path)
    started = time.perf_counter()
    result = solve(case, backend="pulp", solver="cbc", gap=1e-3)
    solved = time.perf_counter() - started
    document = result_document(result, CaseOrigin(str(path), "-"))
    report = build_report("solve", str(path), document, case)
    html, excel = folder / "r.html", folder / "r.xlsx"
    build = median_seconds(lambda: build_report("solve", str(path), document, case), repeat)
    page = median_seconds(lambda: write_html(html, report), repeat)
    book = median_seconds(lambda: write_excel(excel, report), repeat)
    largest = max(len(t) for t in report.tables.values())
    return (
        f"| {projects:,} | {solved:.1f} | {build:.2f} | {page:.2f} | {book:.2f} | "
        f"{html.stat().st_size / 1e6:.1f} MB | {excel.stat().st_size / 1e6:.1f} MB | "
        f"{largest:,} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"generated cases x 4 resources x 12 periods, seed {args.seed}, ", end="")
    print(f"median of {args.repeat} runs of each step\n")
    print(
        "| projects | solve s | report s (tables, charts) | HTML s | Excel s | HTML size "
        "| workbook size | rows of the largest table |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for projects in args.projects:
            print(row(projects, args.seed, args.repeat, Path(folder)), flush=True)


if __name__ == "__main__":
    main()
