"""The command room: every command in its own module, registered from one table, and
exit statuses spoken by name."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from allocator.cli import app
from allocator.commands import COMMANDS

ROOT = Path(__file__).resolve().parent.parent / "allocator"
COMMAND_MODULES = sorted((ROOT / "commands").glob("*.py"))


def test_every_command_is_registered_from_the_table() -> None:
    registered = {info.name: info.callback for info in app.registered_commands}
    assert registered == COMMANDS
    for name, command in COMMANDS.items():
        assert command.__module__ == f"allocator.commands.{name}"
        assert command.__name__ == f"{name}_command"


def test_the_command_line_module_defines_no_command() -> None:
    tree = ast.parse((ROOT / "cli.py").read_text(encoding="utf-8"))
    commands = [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and any("command" in ast.unparse(d) for d in node.decorator_list)
    ]
    assert not commands


def literal_statuses(source: str) -> list[str]:
    """Calls in ``source`` that exit with a number written out: ``typer.Exit(2)``,
    ``fail(err, message, 2)``, ``sys.exit(code=3)``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = ast.unparse(node.func)
        if not name.endswith(("Exit", "exit", "fail")):
            continue
        arguments = [*node.args, *(k.value for k in node.keywords)]
        if name.endswith("fail"):
            arguments = arguments[2:]  # fail(err, message, code)
        for argument in arguments:
            if isinstance(argument, ast.Constant) and isinstance(argument.value, int):
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


@pytest.mark.parametrize("path", [*COMMAND_MODULES, ROOT / "cli.py"], ids=lambda p: p.name)
def test_exit_statuses_are_named(path: Path) -> None:
    assert not literal_statuses(path.read_text(encoding="utf-8"))


def test_the_status_check_sees_a_number() -> None:
    source = "fail(err, 'no', 2)\nraise typer.Exit(3)\nsys.exit(code=4)\nfail(err, 'ok', EXIT_OK)\n"
    assert len(literal_statuses(source)) == 3
