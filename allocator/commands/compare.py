"""``allocator compare``: the base case and scenarios side by side, and what changes."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from allocator.analysis.compare import Comparison, compare
from allocator.analysis.runner import Change
from allocator.backends.options import DEFAULT_GAP
from allocator.backends.registry import DEFAULT_BACKEND
from allocator.commands.common import (
    EXIT_BAD_INPUT,
    BackendName,
    CaseFile,
    ChangeRule,
    ExcelOut,
    Gap,
    HtmlOut,
    JsonOut,
    Scheduler,
    SolverName,
    TimeLimit,
    WarmStart,
    Workers,
    case_origin,
    check_outputs,
    consoles,
    emit_json,
    emit_report,
    fail,
    make_runner,
    progress_bar,
    read_case,
    refusals,
)
from allocator.report.compare_view import render_comparison
from allocator.report.plan_json import CaseOrigin, header, records
from allocator.report.redirect import solver_output


def compare_command(
    case_file: CaseFile,
    scenario: Annotated[
        list[str] | None,
        typer.Option("--scenario", "-s", help="A scenario to compare (repeat for more)."),
    ] = None,
    every: Annotated[
        bool, typer.Option("--all", help="Compare every scenario of the case.")
    ] = False,
    backend: BackendName = DEFAULT_BACKEND,
    solver: SolverName = None,
    time_limit: TimeLimit = None,
    gap: Gap = DEFAULT_GAP,
    change: ChangeRule = Change.MINIMAL,
    warm_start: WarmStart = False,
    workers: Workers = None,
    scheduler: Scheduler = None,
    json_out: JsonOut = None,
    html: HtmlOut = None,
    excel: ExcelOut = None,
) -> None:
    """Solve the base case and scenarios; show them side by side and what changes.

    Exit status: 0 done (a variant may be infeasible: the table says so), 2 bad input.
    """
    err, out = consoles(json_out)
    check_outputs(err, html, excel)
    case = read_case(err, case_file)
    names = list(case.scenarios) if every else list(dict.fromkeys(scenario or []))
    if not names:
        fail(err, "name scenarios with --scenario, or --all", EXIT_BAD_INPUT)
    runner = make_runner(err, backend, solver, time_limit, gap, change, warm_start)
    with (
        refusals(err, case_file),
        solver_output(),
        progress_bar(err, len(names) + 1, "Solving", time_limit) as advance,
    ):
        comparison = compare(
            case,
            scenarios=names,
            runner=runner,
            workers=workers,
            done=advance,
            scheduler=scheduler,
        )
    title = f"{case_file}: base and {', '.join(names)}"
    render_comparison(out, title, comparison, case.money_unit, str(case_file))
    document = comparison_document(comparison, case_origin(case_file))
    if json_out is not None:
        emit_json(err, json_out, document)
    emit_report(err, html, excel, "compare", title, document)


def comparison_document(comparison: Comparison, origin: CaseOrigin) -> dict[str, Any]:
    """The JSON of a comparison: the header (of the base case: no scenario; the base
    solve's solver), then scenarios (those compared, in order), summary, projects and
    changes (each a list of records)."""
    base, *variants = comparison.results
    first = comparison.results[base]
    return header(first.case, first.termination, origin) | {
        "scenarios": variants,
        "summary": records(comparison.summary),
        "projects": records(comparison.projects),
        "changes": records(comparison.changes),
    }
