"""``allocator marginals``: what one more unit of money, capacity or credit is worth."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console

from allocator.analysis.marginals import Marginals, levers, marginals
from allocator.analysis.runner import Change, Runner
from allocator.backends.options import DEFAULT_GAP
from allocator.backends.registry import DEFAULT_BACKEND
from allocator.case import Case
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
    solve_base,
)
from allocator.engine import Result
from allocator.report.marginals_view import render_marginals
from allocator.report.plan_json import CaseOrigin, header, records
from allocator.report.redirect import solver_output

Step = Annotated[
    float, typer.Option(min=0.001, max=0.999, help="Relative step of each lever (0.05: 5%).")
]


def marginals_command(
    case_file: CaseFile,
    scenario: ScenarioName = None,
    step: Step = 0.05,
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
    """Value of one more unit of each limit for the optimal portfolio (LP duals), and the
    change in value when each budget, capacity and optional source moves by a step.

    Exit status: 0 done, 2 bad input, 3 the case is infeasible, 4 no plan in the limit.
    """
    err, out = consoles(json_out)
    check_outputs(err, html, excel)
    case = read_case(err, case_file, scenario)
    runner = make_runner(err, backend, solver, time_limit, gap, change, warm_start)
    with refusals(err, case_file), solver_output():
        base = solve_base(err, case, runner)
        found = run_marginals(err, case, runner, step, base, workers, scheduler)
    out.print(f"{case_file}: optimum {base.termination.objective:,.2f} {case.money_unit}")
    render_marginals(out, found, case.money_unit)
    document = marginals_document(found, case_origin(case_file, scenario))
    if json_out is not None:
        emit_json(err, json_out, document)
    title = str(case_file) + (f" [{scenario}]" if scenario else "")
    emit_report(err, html, excel, "marginals", title, document)


def run_marginals(
    err: Console,
    case: Case,
    runner: Runner,
    step: float,
    base: Result,
    workers: int | None = None,
    scheduler: str | None = None,
) -> Marginals:
    """The marginals of ``base`` with a progress bar over the re-solves (in ``workers``
    processes, default one per CPU, or on the Dask cluster at ``scheduler``)."""
    total = 2 * len(levers(case))
    with progress_bar(err, total, "Moving levers", runner.time_limit) as advance:
        return marginals(
            case,
            runner=runner,
            step=step,
            base=base,
            workers=workers,
            done=advance,
            scheduler=scheduler,
        )


def marginals_document(found: Marginals, origin: CaseOrigin) -> dict[str, Any]:
    """The JSON of a marginals analysis: the header (the base solve's solver), then
    objective (the base optimum), dual_solver, duals and steps."""
    t = found.base.termination
    return header(found.base.case, t, origin) | {
        "objective": t.objective,
        "dual_solver": found.dual_solver,
        "duals": records(found.duals),
        "steps": records(found.steps),
    }
