"""``allocator opportunity``: what each project costs the others."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from allocator.analysis.opportunity import Opportunity, opportunity, variants_of
from allocator.analysis.runner import Change
from allocator.backends.options import DEFAULT_GAP
from allocator.backends.registry import DEFAULT_BACKEND
from allocator.commands.common import (
    BackendName,
    CaseFile,
    ChangeRule,
    ExcelOut,
    Gap,
    HtmlOut,
    JsonOut,
    ScenarioName,
    SolverName,
    TimeLimit,
    WarmStart,
    Workers,
    case_origin,
    check_outputs,
    consoles,
    emit_json,
    emit_report,
    make_runner,
    progress_bar,
    read_case,
    refusals,
    solve_base,
)
from allocator.report.opportunity_view import render_opportunity
from allocator.report.plan_json import CaseOrigin, header, records
from allocator.report.redirect import solver_output


def opportunity_command(
    case_file: CaseFile,
    project: Annotated[
        list[str] | None,
        typer.Option("--project", "-p", help="Only this project (repeat for more)."),
    ] = None,
    scenario: ScenarioName = None,
    backend: BackendName = DEFAULT_BACKEND,
    solver: SolverName = None,
    time_limit: TimeLimit = None,
    gap: Gap = DEFAULT_GAP,
    change: ChangeRule = Change.MINIMAL,
    warm_start: WarmStart = False,
    workers: Workers = None,
    json_out: JsonOut = None,
    html: HtmlOut = None,
    excel: ExcelOut = None,
) -> None:
    """Force each project out (if funded) or in at each level (if not), solve again and
    report the change in value and the other decisions that change.

    Exit status: 0 done, 2 bad input, 3 the case is infeasible, 4 no plan in the limit.
    """
    err, out = consoles(json_out)
    check_outputs(err, html, excel)
    case = read_case(err, case_file, scenario)
    runner = make_runner(err, backend, solver, time_limit, gap, change, warm_start)
    with refusals(err, case_file), solver_output():
        base = solve_base(err, case, runner)
        total = len(variants_of(case, base, project))
        with progress_bar(err, total, "Forcing projects", time_limit) as advance:
            found = opportunity(
                case, runner=runner, projects=project, base=base, workers=workers, done=advance
            )
    render_opportunity(out, found, case.money_unit)
    document = opportunity_document(found, case_origin(case_file, scenario))
    if json_out is not None:
        emit_json(err, json_out, document)
    title = str(case_file) + (f" [{scenario}]" if scenario else "")
    emit_report(err, html, excel, "opportunity", title, document)


def opportunity_document(found: Opportunity, origin: CaseOrigin) -> dict[str, Any]:
    """The JSON of an opportunity-cost analysis: the header (the base solve's solver),
    then objective (the base optimum), variants and changes."""
    t = found.base.termination
    return header(found.base.case, t, origin) | {
        "objective": t.objective,
        "variants": records(found.table),
        "changes": records(found.changes),
    }
