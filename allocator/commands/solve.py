"""``allocator solve``: the best plan for a case, checked and reported."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from allocator.backends.options import DEFAULT_GAP
from allocator.backends.registry import DEFAULT_BACKEND
from allocator.backends.termination import SolveStatus
from allocator.case import Case
from allocator.commands.common import (
    EXIT_BAD_INPUT,
    EXIT_INFEASIBLE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_NO_PLAN,
    EXIT_OK,
    BackendName,
    CaseFile,
    ExcelOut,
    Gap,
    HtmlOut,
    JsonOut,
    ScenarioName,
    Scheduler,
    SolverName,
    TimeLimit,
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
    spinner,
)
from allocator.commands.explain import explanation_document
from allocator.commands.marginals import marginals_document, run_marginals
from allocator.decompose import decompose_solve
from allocator.decompose.auto import AUTO_ABOVE, automatic_parts
from allocator.engine import Result
from allocator.engine import solve as solve_case
from allocator.explain import explain
from allocator.report.files import write_tables
from allocator.report.marginals_view import render_marginals
from allocator.report.plan_json import result_document
from allocator.report.redirect import solver_output
from allocator.report.solve_view import render_result, status_line


@dataclass(frozen=True)
class Parts:
    """``--decompose K`` and how: the split's seed, the Dask scheduler and workers."""

    count: int
    seed: int
    scheduler: str | None
    workers: int | None
    automatic: bool = False
    """Chosen by ``allocator.decompose.auto`` (no ``--decompose`` given)."""


EXIT_BY_STATUS = {
    SolveStatus.OPTIMAL: EXIT_OK,
    SolveStatus.FEASIBLE: EXIT_OK,
    SolveStatus.INFEASIBLE: EXIT_INFEASIBLE,
    SolveStatus.NO_SOLUTION: EXIT_NO_PLAN,
    SolveStatus.UNBOUNDED: EXIT_INTERNAL,
    SolveStatus.ERROR: EXIT_INTERNAL,
}


def solve_command(
    case_file: CaseFile,
    scenario: ScenarioName = None,
    backend: BackendName = DEFAULT_BACKEND,
    solver: SolverName = None,
    time_limit: TimeLimit = None,
    gap: Gap = DEFAULT_GAP,
    threads: Annotated[int | None, typer.Option(min=1, help="Solver threads.")] = None,
    json_out: JsonOut = None,
    csv_dir: Annotated[
        Path | None, typer.Option("--csv", metavar="DIR", help="Write the plan's tables as CSV.")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", help="Show the solver's log.")] = False,
    with_marginals: Annotated[
        bool,
        typer.Option("--marginals", help="Add marginal values (see allocator marginals)."),
    ] = False,
    html: HtmlOut = None,
    excel: ExcelOut = None,
    decompose: Annotated[
        int | None,
        typer.Option(
            "--decompose",
            metavar="K",
            min=1,
            help=(
                "Solve in K parts on Dask and add their plans up (large cases); 1: the "
                f"whole model. Default: by parts above {AUTO_ABOVE:,} projects."
            ),
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the split into parts.")] = 0,
    scheduler: Scheduler = None,
    workers: Workers = None,
) -> None:
    """Find the best plan for a case and report it.

    Exit status: 0 a plan (optimal, or feasible within a limit, as the report
    says), 2 bad input, 3 infeasible, 4 no plan within the time limit, 130
    interrupted (the best plan so far is reported), 1 error.
    """
    err, out = consoles(json_out)
    check_outputs(err, html, excel)
    case = read_case(err, case_file)
    parts = _parts(len(case.projects), decompose, seed, scheduler, workers)
    with refusals(err, case_file):
        result = _solve(
            err, case, scenario, backend, solver, time_limit, gap, threads, verbose, parts
        )
    title = str(case_file) + (f" [{scenario}]" if scenario else "")
    render_result(out, title, result)
    origin = case_origin(case_file, result.scenario)
    document = result_document(result, origin)
    infeasible = result.termination.status is SolveStatus.INFEASIBLE
    found = explanation = None
    runner = make_runner(err, backend, solver, time_limit, gap)
    with refusals(err, case_file), solver_output(verbose):  # reports are printed after it
        if with_marginals and result.plan is not None:
            found = run_marginals(err, result.case, runner, 0.05, result, workers, scheduler)
        if infeasible and any(o is not None for o in (json_out, html, excel)):
            with spinner(err, "Explaining", time_limit) as say:
                explanation = explain(result.case, runner=runner, progress=say)
    if found is not None:
        render_marginals(out, found, result.case.money_unit)
        document["marginals"] = marginals_document(found, origin)
    if explanation is not None:
        document["explanation"] = explanation_document(explanation, result.case, origin)
    if json_out is not None:
        emit_json(err, json_out, document)
    emit_report(err, html, excel, "solve", title, document, result.case)
    if csv_dir is not None and result.plan is not None:
        _write_csv(err, csv_dir, result)
    _exit(err, result, title, case_file, scenario)


def _solve(
    err: Console,
    case: Case,
    scenario: str | None,
    backend: str,
    solver: str | None,
    time_limit: float | None,
    gap: float,
    threads: int | None,
    verbose: bool,
    parts: Parts | None,
) -> Result:
    """Run the solve with a spinner; the solver's own output is shown only with ``verbose``.
    With ``parts``, the case is solved by parts (``allocator.decompose``)."""
    with spinner(err, "Solving", time_limit) as say, solver_output(verbose):
        common: dict[str, Any] = {
            "scenario": scenario,
            "backend": backend,
            "solver": solver,
            "time_limit": time_limit,
            "gap": gap,
            "threads": threads,
            "progress": lambda text: say(text[0].upper() + text[1:]),
        }
        if parts is not None:
            found = decompose_solve(
                case,
                parts.count,
                seed=parts.seed,
                scheduler=parts.scheduler,
                workers=parts.workers,
                **common,
            )
            if found.decomposition is None or not parts.automatic:
                return found
            return replace(found, decomposition=replace(found.decomposition, automatic=True))
        return solve_case(case, verbose=verbose, **common)


def _parts(
    projects: int, asked: int | None, seed: int, scheduler: str | None, workers: int | None
) -> Parts | None:
    """How to split: ``--decompose K`` as asked (1: the whole model), or without it the
    automatic choice for ``projects`` projects (``allocator.decompose.auto``)."""
    count = asked if asked is not None else automatic_parts(projects)
    if count is None or count == 1:
        return None
    return Parts(count, seed, scheduler, workers, automatic=asked is None)


def _write_csv(err: Console, folder: Path, result: Result) -> None:
    """The plan's tables as CSV files in ``folder``; exit 2 if they cannot be written."""
    try:
        write_tables(folder, result.plan.tables())
    except OSError as error:
        message = f"cannot write {error.filename or folder}: {error.strerror or error}"
        fail(err, message, EXIT_BAD_INPUT)


def _exit(
    err: Console, result: Result, title: str, case_file: Path, scenario: str | None
) -> NoReturn:
    """Exit with the status of the outcome, saying in one line what it was."""
    t = result.termination
    if t.interrupted:
        err.print("allocator: interrupted: the best plan found so far is shown", markup=False)
        raise typer.Exit(EXIT_INTERRUPTED)
    code = EXIT_BY_STATUS[t.status]
    if code != EXIT_OK:
        hint = ""
        if t.status is SolveStatus.INFEASIBLE:
            again = f" --scenario {scenario}" if scenario else ""
            hint = f"; run `allocator explain {case_file}{again}` to see why"
        err.print(f"allocator: {title}: {status_line(result)}{hint}", markup=False, soft_wrap=True)
    raise typer.Exit(code)
