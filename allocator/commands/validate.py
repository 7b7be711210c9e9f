"""``allocator validate``: check case files and summarise each."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from allocator.case import CaseError, load_case
from allocator.commands.common import EXIT_BAD_INPUT, CommandConsole
from allocator.report.case_summary import summarise
from allocator.report.validate_view import render_problems, render_summary


def validate_command(
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
