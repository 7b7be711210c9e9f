"""The ``allocator`` command line: a thin layer over the Python API."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from allocator import __version__
from allocator.case import CaseError, load_case
from allocator.case.yamlio import dump_yaml
from allocator.generate import generate_case
from allocator.report.case_summary import summarise
from allocator.report.validate_view import render_problems, render_summary

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

app = typer.Typer(
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
    out, err = Console(), Console(stderr=True)
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
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        Console(stderr=True).print(
            f"allocator: cannot write {output}: {error.strerror or error}",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_BAD_INPUT) from None
    Console(stderr=True).print(
        f"wrote {output}: {projects} projects, {resources} resources, "
        f"{periods} periods (seed {seed})",
        markup=False,
    )


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
