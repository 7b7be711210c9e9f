"""What the commands share: exit statuses, option types, the command group, reading cases,
the base solve, writing JSON, progress."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from typer.core import TyperGroup

from allocator.analysis.runner import Change, Runner
from allocator.backends.base import BackendError
from allocator.backends.registry import BACKENDS
from allocator.backends.termination import SolveStatus
from allocator.case import Case, CaseError, load_case
from allocator.engine import PlanCheckError, Result
from allocator.errors import InputError
from allocator.report.files import write_text
from allocator.report.plan_json import CaseOrigin, dumps
from allocator.report.solve_view import status_line
from allocator.report.validate_view import render_problems

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2
EXIT_INFEASIBLE = 3
EXIT_NO_PLAN = 4
EXIT_INTERRUPTED = 130
EXIT_CLOSED_OUTPUT = 141
"""Standard output was closed by its reader (``| head``): 128 + SIGPIPE, as a shell
reports a program ended by a closed pipe."""

CaseFile = Annotated[
    Path, typer.Argument(metavar="CASE", help="Case file (YAML or JSON).", show_default=False)
]
BackendName = Annotated[
    str, typer.Option("--backend", "-b", help=f"One of: {', '.join(BACKENDS)}.")
]
SolverName = Annotated[
    str | None,
    typer.Option(
        help="Solver of the backend (ortools: scip, highs, cp-sat; pulp: cbc, ...; highs: highs)."
    ),
]
TimeLimit = Annotated[
    float | None, typer.Option("--time-limit", min=0.001, help="Seconds before stopping a solve.")
]
Gap = Annotated[
    float,
    typer.Option(
        min=0.0, max=0.999, help="Stop within this relative gap (default 1e-4; 0: prove optimal)."
    ),
]
ScenarioName = Annotated[
    str | None, typer.Option("--scenario", "-s", help="Apply this scenario first.")
]
ChangeRule = Annotated[
    Change,
    typer.Option(
        "--change",
        help=(
            "Which optimum a what-if shows: minimal (the fewest of the base plan's decisions "
            "changed), units (then the smallest change in units; slower), any (the solver's "
            "own; fastest)."
        ),
    ),
]
WarmStart = Annotated[
    bool,
    typer.Option(
        "--warm-start", help="Start each what-if's solver from the base plan (scip, cp-sat)."
    ),
]
Workers = Annotated[
    int | None,
    typer.Option(min=1, help="Local Dask worker processes to solve in (default: one per CPU)."),
]
Grid = Annotated[bool, typer.Option("--grid", help="Every combination of the choices.")]
Draws = Annotated[int | None, typer.Option("--draws", "-n", min=1, help="Monte Carlo draws.")]
Seed = Annotated[int, typer.Option("--seed", help="Seed of the Monte Carlo draws.")]
Scheduler = Annotated[
    str | None,
    typer.Option(metavar="ADDRESS", help="An existing Dask scheduler (tcp://host:8786)."),
]
JsonOut = Annotated[
    str | None, typer.Option("--json", metavar="FILE|-", help="Write the result as JSON.")
]


class CommandGroup(TyperGroup):
    """The command group: a reader closing standard output ends any command quietly
    (``closed_output_ends_quietly``), before typer would turn it into exit status 1.
    A report cut short that way still lets the command write the files it was asked for
    (``--json FILE``, ``--html``, ``--excel``, ``--csv``); a command that would have
    succeeded then ends with ``EXIT_CLOSED_OUTPUT``."""

    def make_context(self, *args: Any, **kwargs: Any) -> typer.Context:
        with closed_output_ends_quietly():  # allocator --help | head -1
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: typer.Context) -> Any:
        CommandConsole.closed = False
        with closed_output_ends_quietly():
            try:
                found = super().invoke(ctx)
            except typer.Exit as done:
                if CommandConsole.closed and done.exit_code == EXIT_OK:
                    raise _closed() from None
                raise
            if CommandConsole.closed:
                raise _closed()
            return found


def _closed() -> BrokenPipeError:
    return BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))


class CommandConsole(Console):
    """A rich console for the commands' output. When the reader closes its stream, the
    console stops writing and the command goes on (``CommandGroup``); rich's own handler
    would exit with status 1 at once."""

    closed = False
    """Whether a reader closed a command console's stream during this command."""

    def on_broken_pipe(self) -> None:
        """Write no more: the stream is pointed at the null device, so that nothing
        buffered fails later, and the command is marked as cut short."""
        self.quiet = True
        _to_null(self.file)
        CommandConsole.closed = True


def consoles(json_out: str | None) -> tuple[Console, Console]:
    """(errors, report): the report goes to standard error when the JSON takes stdout."""
    err = CommandConsole(stderr=True)
    return err, err if json_out == "-" else CommandConsole()


def read_case(err: Console, path: Path, scenario: str | None = None) -> Case:
    """The case at ``path``; its problems are printed and the command exits 2 otherwise."""
    try:
        with err.status(f"Reading {path}", spinner="dots"):
            return load_case(path, scenario=scenario)
    except CaseError as error:
        render_problems(err, str(path), error.problems)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def make_runner(
    err: Console,
    backend: str,
    solver: str | None,
    time_limit: float | None,
    gap: float,
    change: Change = Change.MINIMAL,
    warm: bool = False,
) -> Runner:
    """The analysis runner; an unknown backend or bad option exits 2 with the reason."""
    try:
        return Runner(
            backend=backend,
            solver=solver,
            time_limit=time_limit,
            gap=gap,
            change=change,
            warm=warm,
        )
    except (BackendError, InputError) as error:
        fail(err, str(error), EXIT_BAD_INPUT)


def solve_base(err: Console, case: Case, runner: Runner) -> Result:
    """The base solve of an analysis measured against it; no plan ends the command with
    3 (infeasible) or 4 (no plan in time)."""
    with spinner(err, "Solving the base case", runner.time_limit):
        base = runner.solve(case)
    if base.plan is None:
        infeasible = base.termination.status is SolveStatus.INFEASIBLE
        code = EXIT_INFEASIBLE if infeasible else EXIT_NO_PLAN
        fail(err, f"the base case has no plan: {status_line(base)}", code)
    return base


def fail(err: Console, message: str, code: int) -> NoReturn:
    """Print ``allocator: message`` on standard error and exit with ``code``."""
    err.print(f"allocator: {message}", markup=False, soft_wrap=True)
    raise typer.Exit(code)


@contextlib.contextmanager
def refusals(err: Console, path: Path) -> Iterator[None]:
    """Map what an analysis may raise to exit statuses: bad input 2, checker failure 1.

    Bad input is a ``CaseError``, a ``BackendError`` (an unknown or unavailable backend
    or solver) or an ``InputError``; any other error is left to ``cli.main``, which
    reports it as an internal error (1).
    """
    try:
        yield
    except CaseError as error:
        render_problems(err, str(path), error.problems)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except (BackendError, InputError) as error:
        fail(err, str(error), EXIT_BAD_INPUT)
    except PlanCheckError as error:
        err.print("allocator: a solver's plan fails the independent checker:", markup=False)
        for violation in error.violations:
            err.print(f"  {violation}", markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_INTERNAL) from None


def limit_text(time_limit: float | None, each: bool = False) -> str:
    """``(limit 60 s)``, or ``(limit 60 s a solve)``; empty without a limit."""
    if time_limit is None:
        return ""
    return f"(limit {time_limit:g} s{' a solve' if each else ''})"


@contextlib.contextmanager
def closed_output_ends_quietly() -> Iterator[None]:
    """A reader that closes standard output early (``allocator validate x | head -1``)
    ends the command with ``EXIT_CLOSED_OUTPUT``: no traceback, no message.

    Python's recipe (the library reference, signal, "Note on SIGPIPE"): once a write
    fails, standard output is pointed at the null device, so that Python's own flush at
    exit cannot fail again, and the program exits. Standard error goes there too: it may
    be the same closed pipe (``2>&1 | head``), and nothing more is said.
    """
    try:
        try:
            yield
        finally:
            sys.stdout.flush()  # what is still buffered fails here, not at exit
    except BrokenPipeError:
        for stream in (sys.stdout, sys.stderr):
            _to_null(stream)
        raise typer.Exit(EXIT_CLOSED_OUTPUT) from None


def _to_null(stream: Any) -> None:
    """Point ``stream``'s descriptor at the null device (nothing, for a stream without
    one: a test's capture)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    with contextlib.suppress(AttributeError, OSError, ValueError):  # not real files
        os.dup2(devnull, stream.fileno())
    os.close(devnull)


@contextlib.contextmanager
def spinner(
    err: Console, what: str, time_limit: float | None = None
) -> Iterator[Callable[[str], None]]:
    """A spinner on standard error with the time elapsed and the limit, if any:
    ``Solving 577 columns x 442 rows 0:00:12 (limit 60 s)``. The yielded function
    replaces the text. Nothing is written where standard error is not a terminal."""
    if not err.is_terminal:
        yield lambda _: None
        return
    columns = (
        SpinnerColumn("dots"),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        TextColumn(limit_text(time_limit), style="dim"),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(what, total=None)
        yield lambda text: progress.update(task, description=text)


@contextlib.contextmanager
def progress_bar(
    err: Console, total: int, what: str, time_limit: float | None = None
) -> Iterator[Callable[[str], None]]:
    """A progress bar on standard error; the yielded function marks one step done."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn(limit_text(time_limit, each=True), style="dim"),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(what, total=total)

        def advance(name: str) -> None:
            progress.update(task, advance=1, description=f"{what}: {name} done")

        yield advance


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def case_origin(path: Path, scenario: str | None = None) -> CaseOrigin:
    """The case file as named on the command line, its sha256 and the scenario applied:
    what the header of a JSON document says of the case."""
    return CaseOrigin(file=str(path), sha256=file_sha256(path), scenario=scenario)


def emit_json(err: Console, json_out: str, document: dict[str, Any]) -> None:
    """Write ``document`` to ``json_out`` (``-``: standard output), atomically; exit 2 if not."""
    text = dumps(document)
    if json_out == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        write_text(Path(json_out), text)
    except OSError as error:
        fail(
            err,
            f"cannot write {error.filename or json_out}: {error.strerror or error}",
            EXIT_BAD_INPUT,
        )


HtmlOut = Annotated[
    Path | None,
    typer.Option("--html", metavar="FILE", help="Write a self-contained HTML report with charts."),
]
ExcelOut = Annotated[
    Path | None,
    typer.Option("--excel", metavar="FILE", help="Write the tables as an Excel workbook (.xlsx)."),
]


def check_outputs(err: Console, html: Path | None, excel: Path | None) -> None:
    """Refuse, before any work, an output that cannot be written: a folder that does not
    exist, a workbook not named ``.xlsx``, or a file asked for twice (exit 2)."""
    for path in (html, excel):
        if path is not None and not path.parent.is_dir():
            fail(err, f"cannot write {path}: no folder {path.parent}", EXIT_BAD_INPUT)
        if path is not None and path.is_dir():
            fail(err, f"cannot write {path}: it is a folder", EXIT_BAD_INPUT)
    if excel is not None and excel.suffix.lower() != ".xlsx":
        fail(err, f"--excel {excel}: a workbook's name ends in .xlsx", EXIT_BAD_INPUT)
    if html is not None and excel is not None and html.resolve() == excel.resolve():
        fail(err, f"--html and --excel name the same file {html}", EXIT_BAD_INPUT)


def emit_report(
    err: Console,
    html: Path | None,
    excel: Path | None,
    kind: str,
    title: str,
    document: dict[str, Any],
    case: Case | None = None,
) -> None:
    """Write the report of a command's JSON ``document`` as an HTML page and/or a
    workbook, atomically; nothing is built when neither is asked for; exit 2 if a file
    cannot be written. (The charting and spreadsheet libraries load only here.)"""
    if html is None and excel is None:
        return
    from allocator.report.html_page import write_html
    from allocator.report.review import build_report
    from allocator.report.workbook import write_excel

    with spinner(err, "Writing the report"):
        report = build_report(kind, title, document, case)
        for path, write in ((html, write_html), (excel, write_excel)):
            if path is None:
                continue
            try:
                write(path, report)
            except OSError as error:
                fail(err, f"cannot write {path}: {error.strerror or error}", EXIT_BAD_INPUT)
