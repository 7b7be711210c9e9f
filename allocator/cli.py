"""The ``allocator`` command line: a thin layer over the Python API.

The commands live in ``allocator.commands``, one module each, named in its ``COMMANDS``
table; this module makes the application, registers them and guards ``main``.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

from allocator import __version__
from allocator.commands import COMMANDS
from allocator.commands.common import EXIT_INTERNAL, EXIT_INTERRUPTED, CommandGroup

app = typer.Typer(
    cls=CommandGroup,
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


for _name, _command in COMMANDS.items():
    app.command(_name)(_command)


def main() -> None:
    """Run the command line; an unexpected failure is reported in one line, exit status 1.

    A reader closing standard output is handled inside the app (``CommandGroup``): the
    command ends quietly with 141.
    """
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
