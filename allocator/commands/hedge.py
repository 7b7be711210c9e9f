"""``allocator hedge``: one first stage for every future of the case's uncertainty."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from allocator.analysis.runner import Runner
from allocator.backends.options import DEFAULT_GAP
from allocator.backends.registry import DEFAULT_BACKEND
from allocator.backends.termination import SolveStatus
from allocator.case import Case
from allocator.commands.common import (
    EXIT_BAD_INPUT,
    EXIT_INFEASIBLE,
    EXIT_INTERRUPTED,
    EXIT_NO_PLAN,
    BackendName,
    CaseFile,
    Draws,
    ExcelOut,
    Gap,
    Grid,
    HtmlOut,
    JsonOut,
    ScenarioName,
    Scheduler,
    Seed,
    SolverName,
    TimeLimit,
    Workers,
    case_origin,
    check_outputs,
    consoles,
    emit_json,
    emit_report,
    fail,
    limit_text,
    make_runner,
    read_case,
    refusals,
)
from allocator.hedging.api import EVALUATE_OR_DECOMPOSE, Hedge, hedge
from allocator.hedging.plan_file import read_first_stage
from allocator.hedging.stages import commit_index
from allocator.report.hedge_json import hedge_document
from allocator.report.hedge_view import render_hedge
from allocator.report.plan_json import CaseOrigin, runner_header


def hedge_command(
    case_file: CaseFile,
    grid: Grid = False,
    draws: Draws = None,
    seed: Seed = 0,
    commit_through: Annotated[
        str | None,
        typer.Option(
            "--commit-through", metavar="PERIOD", help="Last period decided now (default: first)."
        ),
    ] = None,
    risk_aversion: Annotated[
        float,
        typer.Option("--risk-aversion", min=0.0, max=1.0, help="Weight lambda of the CVaR (0..1)."),
    ] = 0.0,
    cvar_alpha: Annotated[
        float | None,
        typer.Option(
            "--cvar-alpha", min=0.0, max=1.0, help="Share alpha of the worst futures in the CVaR."
        ),
    ] = None,
    evaluate: Annotated[
        Path | None,
        typer.Option(
            "--evaluate", metavar="PLAN.json", help="Hold this solve or hedge JSON's first stage."
        ),
    ] = None,
    decompose: Annotated[
        int | None,
        typer.Option(
            "--decompose",
            metavar="ITERATIONS",
            min=1,
            help="Dual decomposition by future, at most this many iterations.",
        ),
    ] = None,
    scenario: ScenarioName = None,
    scheduler: Scheduler = None,
    workers: Workers = None,
    backend: BackendName = DEFAULT_BACKEND,
    solver: SolverName = None,
    time_limit: TimeLimit = None,
    gap: Gap = DEFAULT_GAP,
    json_out: JsonOut = None,
    html: HtmlOut = None,
    excel: ExcelOut = None,
) -> None:
    """Choose what to sign, take, buy and start now, once for every future of the case's
    uncertainty, and say what it is worth (expected objective, CVaR, VSS, EVPI).

    Without --grid or --draws, every combination of the choices (when every factor is a
    choice). One extensive form by default; --decompose solves future by future on Dask,
    for many futures. The time limit and gap apply to each solve.
    Exit status: 0 a plan, 2 bad input, 3 no first stage serves every future, 4 none
    found in time.
    """
    err, report = consoles(json_out)
    check_outputs(err, html, excel)
    case = read_case(err, case_file, scenario)
    runner = make_runner(err, backend, solver, time_limit, gap)
    if evaluate is not None and decompose is not None:
        fail(err, EVALUATE_OR_DECOMPOSE, EXIT_BAD_INPUT)
    with refusals(err, case_file):
        stage = None
        if evaluate is not None:
            stage = read_first_stage(evaluate, case, commit_index(case, commit_through))
        with _interrupts(err), _phases(err, time_limit) as phase:
            found = hedge(
                case,
                grid=grid,
                draws=draws,
                seed=seed,
                commit_through=commit_through,
                risk_aversion=risk_aversion,
                alpha=cvar_alpha,
                evaluate=stage,
                runner=runner,
                scheduler=scheduler,
                workers=workers,
                decompose=decompose,
                phase=phase,
            )
    title = str(case_file) + (f" [{scenario}]" if scenario else "")
    render_hedge(report, title, found, case)
    origin = case_origin(case_file, scenario)
    document = _header(found, case, runner, origin) | hedge_document(found, evaluate)
    if json_out is not None:
        emit_json(err, json_out, document)
    emit_report(err, html, excel, "hedge", title, document)
    if found.status == SolveStatus.INFEASIBLE.value:
        raise typer.Exit(EXIT_INFEASIBLE)
    if found.stage is None:
        raise typer.Exit(EXIT_NO_PLAN)


def _header(found: Hedge, case: Case, runner: Runner, origin: CaseOrigin) -> dict[str, Any]:
    """The keys every document starts with; the solver version is the solves' own."""
    t = found.termination
    versions = [o.solver_version for o in found.outcomes if o.solver_version]
    version = (t.solver_version if t else "") or (versions[0] if versions else None)
    return runner_header(case, runner, origin, version)


@contextlib.contextmanager
def _interrupts(err: Console) -> Iterator[None]:
    """Ctrl-C: the solves under way are stopped, nothing is written, exit 130."""
    try:
        yield
    except KeyboardInterrupt:
        stopped = "interrupted: the solves under way were stopped; nothing was written"
        fail(err, stopped, EXIT_INTERRUPTED)


@contextlib.contextmanager
def _phases(err: Console, time_limit: float | None) -> Iterator[Callable[[str, int], Any]]:
    """One line on standard error for the phase running: a bar of its solves done, or a
    spinner with the time for one long solve."""
    if not err.is_terminal:
        yield lambda _what, _n: lambda _label: None
        return
    columns = (
        SpinnerColumn("dots"),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn(limit_text(time_limit, each=True), style="dim"),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        current: list[TaskID] = []

        def phase(what: str, solves: int) -> Callable[[str], None]:
            for task in current:
                progress.remove_task(task)
            current[:] = [progress.add_task(what, total=solves or None)]
            return lambda _label: progress.advance(current[0])

        yield phase
