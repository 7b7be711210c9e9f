"""``allocator generate``: a synthetic case for benchmarks and experiments."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from allocator.case.tablewrite import write_projects_table
from allocator.case.yamlio import dump_yaml
from allocator.commands.common import EXIT_BAD_INPUT, CommandConsole
from allocator.generate import generate_case
from allocator.report.files import write_atomic, write_text


class Table(StrEnum):
    """Where the generated projects go: into the case file, or a table beside it."""

    CSV = "csv"
    PARQUET = "parquet"


def generate_command(
    projects: Annotated[int, typer.Option("--projects", "-n", min=1, help="Number of projects.")],
    resources: Annotated[int, typer.Option("--resources", "-r", min=1, help="Resources.")] = 4,
    periods: Annotated[int, typer.Option("--periods", "-t", min=1, help="Periods.")] = 12,
    seed: Annotated[int, typer.Option("--seed", "-s", help="Random seed.")] = 0,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (.json or .yaml); default stdout."),
    ] = None,
    table: Annotated[
        Table | None,
        typer.Option(
            "--table",
            help=(
                "Write the projects as a CSV or Parquet table beside the case "
                "(OUTPUT's name with .projects.csv or .projects.parquet), one row per "
                "level; the case refers to it. Needs --output."
            ),
        ),
    ] = None,
) -> None:
    """Write a synthetic case (core keys only) for benchmarks and experiments.

    The same arguments always give the same case.
    """
    if table is not None and output is None:
        CommandConsole(stderr=True).print(
            "allocator: --table writes a file beside the case; give the case's file with --output",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    data = generate_case(projects, resources, periods, seed)
    if output is None:
        sys.stdout.write(dump_yaml(data))
        return
    writing = output
    try:
        if table is not None:
            writing = output.with_name(f"{output.stem}.projects.{table.value}")
            rows = data["projects"]
            write_atomic(writing, lambda target: write_projects_table(rows, target, table.value))
            data = {**data, "projects": {table.value: writing.name}}
            writing = output
        text = (
            json.dumps(data, indent=1) + "\n"
            if output.suffix.lower() == ".json"
            else dump_yaml(data)
        )
        write_text(output, text)  # atomically: a failed write leaves no partial file
    except OSError as error:
        CommandConsole(stderr=True).print(
            f"allocator: cannot write {writing}: {error.strerror or error}",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_BAD_INPUT) from None
    beside = f"; projects in {output.stem}.projects.{table.value}" if table else ""
    CommandConsole(stderr=True).print(
        f"wrote {output}: {projects} projects, {resources} resources, "
        f"{periods} periods (seed {seed}){beside}",
        markup=False,
    )
