"""``allocator sweep``: the case's uncertainty drawn many times, every draw solved."""

from __future__ import annotations

import contextlib
import json
import math
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from allocator.analysis.runner import Change, Runner
from allocator.backends.options import DEFAULT_GAP
from allocator.backends.registry import DEFAULT_BACKEND
from allocator.case import Case
from allocator.commands.common import (
    EXIT_INTERRUPTED,
    BackendName,
    CaseFile,
    ChangeRule,
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
    WarmStart,
    Workers,
    case_origin,
    check_outputs,
    consoles,
    emit_json,
    emit_report,
    fail,
    make_runner,
    read_case,
    refusals,
)
from allocator.report.plan_json import CaseOrigin, records, runner_header
from allocator.report.sweep_view import render_sweep
from allocator.sweeps.api import Sweep, choose_draws, still_to_solve, sweep
from allocator.sweeps.summary import summary_document

JSON_TEXT = ("values", "levels", "starts")
"""Record fields kept as JSON text in the Parquet table, written out as mappings."""


def sweep_command(
    case_file: CaseFile,
    grid: Grid = False,
    draws: Draws = None,
    seed: Seed = 0,
    scenario: ScenarioName = None,
    scheduler: Scheduler = None,
    workers: Workers = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="DIR", help="Folder that keeps every finished draw."),
    ] = None,
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
    """Draw the case's uncertainty, solve every draw, and say what the plans have in common.

    Without --grid or --draws, every combination of the choices (when every factor is a
    choice). Finished draws are kept in --out; run again with the same folder to resume.
    Exit status: 0 done, 2 bad input, 130 interrupted (finished draws are kept).
    """
    err, report = consoles(json_out)
    check_outputs(err, html, excel)
    case = read_case(err, case_file, scenario)
    runner = make_runner(err, backend, solver, time_limit, gap, change, warm_start)
    folder = out or _default_out(json_out) or Path(tempfile.mkdtemp(prefix="allocator-sweep-"))
    with refusals(err, case_file):
        chosen, _ = choose_draws(case, grid=grid, draws=draws, seed=seed)
        total = still_to_solve(case, chosen, runner, folder)
        with _interrupts(err, folder), _progress(err, total) as advance:
            found = sweep(
                case,
                grid=grid,
                draws=draws,
                seed=seed,
                runner=runner,
                out=folder,
                scheduler=scheduler,
                workers=workers,
                done=advance,
            )
    title = str(case_file) + (f" [{scenario}]" if scenario else "")
    render_sweep(report, title, found.summary, case.money_unit)
    report.print(
        f"{found.solved} draws solved now, {found.skipped} found finished; every draw is kept in",
        markup=False,
    )
    report.print(str(found.out), markup=False, soft_wrap=True)
    document = sweep_document(found, case, runner, case_origin(case_file, scenario))
    if json_out is not None:
        emit_json(err, json_out, document)
    emit_report(err, html, excel, "sweep", title, document, case)


def sweep_document(found: Sweep, case: Case, runner: Runner, origin: CaseOrigin) -> dict[str, Any]:
    """The JSON of a sweep: the common header, how the draws were made, every draw and the
    summary."""
    return _header(found, case, runner, origin) | {
        "kind": "grid" if found.grid else "monte_carlo",
        "seed": found.seed,
        "out": str(found.out),
        "solved": found.solved,
        "skipped": found.skipped,
        "draws": [_draw(row) for row in records(found.draws)],
        "summary": summary_document(found.summary),
    }


def _header(found: Sweep, case: Case, runner: Runner, origin: CaseOrigin) -> dict[str, Any]:
    """The keys every document starts with; the solver version is the draws' own."""
    versions = [v for v in found.draws.get("solver_version", []) if v]
    return runner_header(case, runner, origin, versions[0] if versions else None)


def _draw(row: dict[str, Any]) -> dict[str, Any]:
    """A record as JSON: mappings kept as JSON text read back, the key left out."""
    shown = {k: v for k, v in row.items() if k != "key"}
    for name in JSON_TEXT:
        shown[name] = json.loads(shown[name]) if shown.get(name) else {}
    for name, value in shown.items():
        if isinstance(value, float) and not math.isfinite(value):
            shown[name] = None
    return shown


def _default_out(json_out: str | None) -> Path | None:
    """Beside the JSON file (``sweep.json`` -> ``sweep.draws/``); otherwise None (then a
    new temporary folder, named in the report)."""
    if json_out is None or json_out == "-":
        return None
    path = Path(json_out)
    return path.with_name(path.stem + ".draws")


@contextlib.contextmanager
def _progress(err: Console, total: int) -> Iterator[Callable[[Any], None]]:
    """Draws done of all, the time so far and an estimate of the time left."""
    columns = (
        TextColumn("Solving draws"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("draws", total=total)
        yield lambda _record: progress.advance(task)


@contextlib.contextmanager
def _interrupts(err: Console, folder: Path) -> Iterator[None]:
    """Ctrl-C: say where the finished draws are and how to resume, exit 130."""
    try:
        yield
    except KeyboardInterrupt:
        fail(
            err,
            f"interrupted: every finished draw is kept in {folder}; run again with "
            f"--out {folder} to resume",
            EXIT_INTERRUPTED,
        )
