"""``allocator frontier``: what more or less money buys, point by point."""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer

from allocator.analysis.frontier import Frontier, frontier
from allocator.analysis.parallel import worker_count
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
    make_runner,
    progress_bar,
    read_case,
    refusals,
)
from allocator.report.frontier_view import render_frontier
from allocator.report.plan_json import CaseOrigin, header, records
from allocator.report.redirect import solver_output


def frontier_command(
    case_file: CaseFile,
    start: Annotated[
        float, typer.Option("--from", help="Smallest factor on the money (above 0).")
    ] = 0.5,
    stop: Annotated[float, typer.Option("--to", help="Largest factor on the money.")] = 1.5,
    steps: Annotated[
        int, typer.Option("--steps", help="Points from --from to --to, equally spaced (>= 2).")
    ] = 11,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            metavar="ID",
            help="Scale only this funding source ('budget': budget.amounts). Default: the "
            "budget and every equity source without an earmark.",
        ),
    ] = None,
    scenario: ScenarioName = None,
    workers: Workers = None,
    scheduler: Scheduler = None,
    backend: BackendName = DEFAULT_BACKEND,
    solver: SolverName = None,
    time_limit: TimeLimit = None,
    gap: Gap = DEFAULT_GAP,
    change: ChangeRule = Change.MINIMAL,
    warm_start: WarmStart = False,
    json_out: JsonOut = None,
    html: HtmlOut = None,
    excel: ExcelOut = None,
) -> None:
    """Scale the money, solve each point: value against money, what enters and leaves, the knee.

    Unrestricted money (budget.amounts and unearmarked equity) is scaled by each
    factor; revenue, earmarked equity and credit lines are not. The knee is the
    point farthest above the line from the first point with a plan to the last
    (money and objective each scaled to 0..1).

    Exit status: 0 done (a point may be infeasible: the table says so), 2 bad input.
    """
    err, out = consoles(json_out)
    check_outputs(err, html, excel)
    case = read_case(err, case_file, scenario)
    runner = make_runner(err, backend, solver, time_limit, gap, change, warm_start)
    clock = time.perf_counter()
    with refusals(err, case_file), solver_output():
        count = worker_count(steps, workers)
        with progress_bar(err, steps, "Solving", time_limit) as advance:
            result = frontier(
                case,
                runner=runner,
                start=start,
                stop=stop,
                steps=steps,
                source=source,
                workers=count,
                done=advance,
                scheduler=scheduler,
            )
    seconds = time.perf_counter() - clock
    title = str(case_file) + (f" [{scenario}]" if scenario else "")
    render_frontier(out, title, result, seconds, None if scheduler else count)
    document = frontier_document(result, case_origin(case_file, scenario))
    if json_out is not None:
        emit_json(err, json_out, document)
    emit_report(err, html, excel, "frontier", title, document)


def frontier_document(result: Frontier, origin: CaseOrigin) -> dict[str, Any]:
    """The JSON of a frontier: the header (the first point's solver), then objective (its
    kind), what was scaled, knee, points, moves, falls and checked."""
    first = result.results[0]
    knee = result.knee
    return header(first.case, first.termination, origin) | {
        "objective": first.case.objective.value,
        "scaled": list(result.scaled),
        "monotone_expected": result.monotone_expected,
        "monotone_caveat": result.monotone_caveat,
        "knee": None if knee is None else vars(knee).copy(),
        "points": records(result.points),
        "moves": records(result.moves),
        "falls": records(result.falls),
        "checked": all(r.verification is None or r.verification.ok for r in result.results),
    }
