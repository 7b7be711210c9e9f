"""``allocator opportunity``: what each project costs the others."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

import typer
from rich.console import Console

from allocator.analysis.opportunity import (
    SCREEN_ABOVE,
    Opportunity,
    automatic_screen,
    opportunity,
    variants_of,
)
from allocator.analysis.runner import Change
from allocator.analysis.screen import SOLVER
from allocator.backends.options import DEFAULT_GAP
from allocator.backends.registry import DEFAULT_BACKEND
from allocator.case.model import Case
from allocator.commands.common import (
    EXIT_BAD_INPUT,
    BackendName,
    CaseFile,
    ChangeRule,
    ExcelOut,
    Gap,
    HtmlOut,
    JsonOut,
    ScenarioName,
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
    scheduler: Scheduler = None,
    screen: Annotated[
        bool | None,
        typer.Option(
            "--screen/--no-screen",
            help="Bracket each variant instead of solving it: a proven bound and a plan "
            "found without a search. --gap, --time-limit and --change then apply to the "
            f"base solve only. Default: screen when forcing more than {SCREEN_ABOVE:,} "
            "projects.",
            show_default=False,
        ),
    ] = None,
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
    if screen and warm_start:
        message = "--screen solves no variant, so --warm-start has nothing to start"
        fail(err, message, EXIT_BAD_INPUT)
    case = read_case(err, case_file, scenario)
    _check_named(err, case, project)
    automatic = screen is None and _automatic(err, case, project, warm_start)
    screen = bool(screen) or automatic
    runner = make_runner(err, backend, solver, time_limit, gap, change, warm_start)
    with refusals(err, case_file), solver_output():
        base = solve_base(err, case, runner)
        total = len(variants_of(case, base, project))
        if automatic:
            err.print(_automatic_line(total), markup=False, soft_wrap=True)
        what = "Screening projects" if screen else "Forcing projects"
        with progress_bar(err, total, what, None if screen else time_limit) as advance:
            found = opportunity(
                case,
                runner=runner,
                projects=project,
                base=base,
                workers=workers,
                done=advance,
                screen=screen,
                scheduler=scheduler,
            )
    found = replace(found, automatic=automatic)
    render_opportunity(out, found, case.money_unit)
    document = opportunity_document(found, case_origin(case_file, scenario))
    if json_out is not None:
        emit_json(err, json_out, document)
    title = str(case_file) + (f" [{scenario}]" if scenario else "")
    emit_report(err, html, excel, "opportunity", title, document)


def _check_named(err: Console, case: Case, projects: list[str] | None) -> None:
    """Exit 2 before any solve when a project named with --project is not in the case."""
    unknown = sorted(set(projects or ()) - set(case.projects_by_id))
    if unknown:
        fail(err, f"no project named {', '.join(map(repr, unknown))}", EXIT_BAD_INPUT)


def _automatic(err: Console, case: Case, projects: list[str] | None, warm_start: bool) -> bool:
    """Whether to screen with neither --screen nor --no-screen given: by the number of
    projects forced (those named, or all of the case's). --warm-start is refused then:
    it starts exact solves, which a screen does not run."""
    if not automatic_screen(len(set(projects)) if projects else len(case.projects)):
        return False
    if warm_start:
        message = (
            f"forcing more than {SCREEN_ABOVE:,} projects screens them, which solves no "
            "variant; add --no-screen to solve each one with --warm-start"
        )
        fail(err, message, EXIT_BAD_INPUT)
    return True


def _automatic_line(variants: int) -> str:
    """What the command says when it screens on its own."""
    return (
        f"allocator: screening the {variants:,} variants instead of solving each (more "
        f"than {SCREEN_ABOVE:,} projects); --no-screen solves every one"
    )


def opportunity_document(found: Opportunity, origin: CaseOrigin) -> dict[str, Any]:
    """The JSON of an opportunity-cost analysis: the header (the base solve's solver),
    then objective (the base optimum), screened (and, if so, screen: how the brackets
    were made), variants and changes."""
    t = found.base.termination
    screened = {"screen": SCREEN_JSON | {"automatic": found.automatic}} if found.screened else {}
    return header(found.base.case, t, origin) | {
        "objective": t.objective,
        "screened": found.screened,
        **screened,
        "variants": records(found.table),
        "changes": records(found.changes),
    }


SCREEN_JSON = {
    "bound_from": "Lagrangian bound at the base's LP relaxation prices, and the base's "
    "proven bound",
    "plan_from": "the base plan with the decision forced, kept or dropped by the "
    "variant's LP relaxation, the rest solved with every choice fixed",
    "solver": SOLVER,
}
"""How screened brackets are made (``allocator.analysis.screen``), for the JSON; with
``automatic``: whether the command screened on its own, by the size."""
