"""The ``allocator`` command line: a thin layer over the Python API."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from typer.core import TyperGroup

from allocator import __version__
from allocator.backends.options import DEFAULT_GAP
from allocator.backends.registry import DEFAULT_BACKEND
from allocator.backends.termination import SolveStatus
from allocator.case import Case, CaseError, load_case
from allocator.case.yamlio import dump_yaml
from allocator.commands.common import (
    EXIT_BAD_INPUT,
    EXIT_INFEASIBLE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_NO_PLAN,
    EXIT_OK,
    BackendName,
    CaseFile,
    CommandConsole,
    Gap,
    JsonOut,
    ScenarioName,
    SolverName,
    TimeLimit,
    closed_output_ends_quietly,
    consoles,
    emit_json,
    fail,
    file_sha256,
    make_runner,
    read_case,
    refusals,
    spinner,
)
from allocator.commands.compare import compare_command
from allocator.commands.explain import explain_command, explanation_document
from allocator.commands.frontier import frontier_command
from allocator.commands.marginals import marginals_command, marginals_document, run_marginals
from allocator.commands.opportunity import opportunity_command
from allocator.engine import Result
from allocator.engine import solve as solve_case
from allocator.explain import explain
from allocator.generate import generate_case
from allocator.report.case_summary import summarise
from allocator.report.files import write_tables, write_text
from allocator.report.marginals_view import render_marginals
from allocator.report.plan_json import result_document
from allocator.report.redirect import solver_output
from allocator.report.solve_view import render_result, status_line
from allocator.report.validate_view import render_problems, render_summary

EXIT_BY_STATUS = {
    SolveStatus.OPTIMAL: EXIT_OK,
    SolveStatus.FEASIBLE: EXIT_OK,
    SolveStatus.INFEASIBLE: EXIT_INFEASIBLE,
    SolveStatus.NO_SOLUTION: EXIT_NO_PLAN,
    SolveStatus.UNBOUNDED: EXIT_INTERNAL,
    SolveStatus.ERROR: EXIT_INTERNAL,
}


class _Commands(TyperGroup):
    """The command group: a reader closing standard output ends any command quietly
    (``closed_output_ends_quietly``), before typer would turn it into exit status 1."""

    def make_context(self, *args: Any, **kwargs: Any) -> typer.Context:
        with closed_output_ends_quietly():  # allocator --help | head -1
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: typer.Context) -> Any:
        with closed_output_ends_quietly():
            return super().invoke(ctx)


app = typer.Typer(
    cls=_Commands,
    name="allocator",
    help="Decide which projects get compute, when, from which contracts and which money.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"allocator {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Compute allocation and project-portfolio optimisation."""


@app.command()
def validate(
    cases: Annotated[
        list[Path], typer.Argument(help="Case files (YAML or JSON).", show_default=False)
    ],
    scenario: Annotated[
        str | None, typer.Option("--scenario", "-s", help="Apply this scenario before summarising.")
    ] = None,
) -> None:
    """Check case files and summarise each: every problem is listed with its place.

    Exit status: 0 every case is valid, 2 at least one is not.
    """
    out, err = CommandConsole(), CommandConsole(stderr=True)
    failed = False
    for path in cases:
        try:
            with err.status(f"Reading and checking {path}", spinner="dots"):
                case = load_case(path, scenario=scenario)
        except CaseError as error:
            render_problems(err, str(path), error.problems)
            failed = True
            continue
        render_summary(out, str(path) + (f" [{scenario}]" if scenario else ""), summarise(case))
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)


@app.command()
def solve(
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
) -> None:
    """Find the best plan for a case and report it.

    Exit status: 0 a plan (optimal, or feasible within a limit, as the report
    says), 2 bad input, 3 infeasible, 4 no plan within the time limit, 130
    interrupted (the best plan so far is reported), 1 error.
    """
    err, out = consoles(json_out)
    case = read_case(err, case_file)
    with refusals(err, case_file):
        result = _solve(err, case, scenario, backend, solver, time_limit, gap, threads, verbose)
    title = str(case_file) + (f" [{scenario}]" if scenario else "")
    render_result(out, title, result)
    document = result_document(result, str(case_file), file_sha256(case_file))
    infeasible = result.termination.status is SolveStatus.INFEASIBLE
    found = explanation = None
    runner = make_runner(err, backend, solver, time_limit, gap)
    with refusals(err, case_file), solver_output(verbose):  # reports are printed after it
        if with_marginals and result.plan is not None:
            found = run_marginals(err, result.case, runner, 0.05, result)
        if infeasible and json_out is not None:
            with spinner(err, "Explaining", time_limit) as say:
                explanation = explain(result.case, runner=runner, progress=say)
    if found is not None:
        render_marginals(out, found, result.case.money_unit)
        document["marginals"] = marginals_document(found, case_file, document["case"]["sha256"])
    if explanation is not None:
        document["explanation"] = explanation_document(explanation)
    if json_out is not None:
        emit_json(err, json_out, document)
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
) -> Result:
    """Run the solve with a spinner; the solver's own output is shown only with ``verbose``."""
    with spinner(err, "Solving", time_limit) as say, solver_output(verbose):
        return solve_case(
            case,
            scenario=scenario,
            backend=backend,
            solver=solver,
            time_limit=time_limit,
            gap=gap,
            threads=threads,
            verbose=verbose,
            progress=lambda text: say(text[0].upper() + text[1:]),
        )


def _write_csv(err: Console, folder: Path, result: Result) -> None:
    """The plan's tables as CSV files in ``folder``; exit 2 if they cannot be written."""
    try:
        write_tables(folder, result.plan.tables())
    except OSError as error:
        fail(err, f"cannot write {error.filename or folder}: {error.strerror or error}", 2)


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


@app.command()
def generate(
    projects: Annotated[int, typer.Option("--projects", "-n", min=1, help="Number of projects.")],
    resources: Annotated[int, typer.Option("--resources", "-r", min=1, help="Resources.")] = 4,
    periods: Annotated[int, typer.Option("--periods", "-t", min=1, help="Periods.")] = 12,
    seed: Annotated[int, typer.Option("--seed", "-s", help="Random seed.")] = 0,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (.json or .yaml); default stdout."),
    ] = None,
) -> None:
    """Write a synthetic case (core keys only) for benchmarks and experiments.

    The same arguments always give the same case.
    """
    data = generate_case(projects, resources, periods, seed)
    if output is None:
        sys.stdout.write(dump_yaml(data))
        return
    text = (
        json.dumps(data, indent=1) + "\n" if output.suffix.lower() == ".json" else dump_yaml(data)
    )
    try:
        write_text(output, text)  # atomically: a failed write leaves no partial file
    except OSError as error:
        CommandConsole(stderr=True).print(
            f"allocator: cannot write {output}: {error.strerror or error}",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_BAD_INPUT) from None
    CommandConsole(stderr=True).print(
        f"wrote {output}: {projects} projects, {resources} resources, "
        f"{periods} periods (seed {seed})",
        markup=False,
    )


app.command("compare")(compare_command)
app.command("marginals")(marginals_command)
app.command("opportunity")(opportunity_command)
app.command("explain")(explain_command)
app.command("frontier")(frontier_command)


def main() -> None:
    """Run the command line; an unexpected failure is reported in one line, exit status 1."""
    try:
        app()
    except KeyboardInterrupt:
        Console(stderr=True).print("allocator: interrupted", markup=False)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as error:  # the last guard before the user's terminal
        Console(stderr=True).print(
            f"allocator: internal error: {type(error).__name__}: {error}",
            markup=False,
            soft_wrap=True,
        )
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
