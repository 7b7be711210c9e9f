"""The command room: every command in its own module, registered from one table, exit
statuses spoken by name, and one header on every JSON document."""

from __future__ import annotations

import ast
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import allocator
from allocator import load_case
from allocator.cli import app
from allocator.commands import COMMANDS
from allocator.commands.common import EXIT_BAD_INPUT, EXIT_INFEASIBLE, EXIT_OK
from allocator.report.plan_json import HEADER_KEYS

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


# -- the JSON header ------------------------------------------------------------------------

CASES = ROOT.parent / "cases"

SHORT_OF_MONEY = """\
name: short-of-money
periods: [Y1]
periods_per_year: 1
money_unit: EUR_k
budget: {amounts: 5}
projects:
  - {id: big, value: 10, cost: 8, must_fund: true}
"""
"""Infeasible by hand: the one project must be funded and costs 8; 5 arrives."""


@pytest.fixture(scope="module")
def short_of_money(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("infeasible") / "short-of-money.yaml"
    path.write_text(SHORT_OF_MONEY, encoding="utf-8")
    return path


def json_of(args: list[str], status: int = EXIT_OK) -> dict[str, Any]:
    shown = CliRunner().invoke(app, [*args, "--backend", "pulp", "--json", "-"])
    assert shown.exit_code == status, shown.output
    return json.loads(shown.stdout)


def assert_header(document: dict[str, Any], path: Path, scenario: str | None = None) -> None:
    assert set(HEADER_KEYS) <= set(document), sorted(set(HEADER_KEYS) - set(document))
    case = load_case(path)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    assert document["case"] == {"name": case.name, "file": str(path), "sha256": sha256}
    assert document["scenario"] == scenario
    assert document["backend"] == "pulp"
    assert document["solver"] == "cbc"
    assert document["solver_version"]
    assert document["money_unit"] == case.money_unit
    assert document["allocator_version"] == allocator.__version__


@pytest.mark.parametrize(
    ("args", "file", "scenario"),
    [
        (["solve"], "take-or-pay", None),
        (["solve", "-s", "high-signing-fee"], "take-or-pay", "high-signing-fee"),
        (["compare", "--all"], "take-or-pay", None),
        (["opportunity", "--workers", "1"], "take-or-pay", None),
        (
            ["marginals", "--workers", "1", "-s", "high-signing-fee"],
            "take-or-pay",
            "high-signing-fee",
        ),
        (["frontier", "--steps", "2", "--workers", "1"], "capital-rationing", None),
    ],
    ids=lambda a: " ".join(a) if isinstance(a, list) else str(a),
)
def test_every_document_has_the_header(args: list[str], file: str, scenario: str | None) -> None:
    path = CASES / f"{file}.yaml"
    assert_header(json_of([args[0], str(path), *args[1:]]), path, scenario)


def test_solve_with_marginals_gives_them_the_header() -> None:
    path = CASES / "take-or-pay.yaml"
    document = json_of(["solve", str(path), "--marginals", "-s", "high-signing-fee"])
    assert_header(document, path, "high-signing-fee")
    assert_header(document["marginals"], path, "high-signing-fee")


def test_an_explanation_has_the_header_alone_and_inside_a_solve(short_of_money: Path) -> None:
    explained = json_of(["explain", str(short_of_money)])
    assert_header(explained, short_of_money)
    assert explained["money_unit"] == "EUR_k"
    assert explained["feasible"] is False
    solved = json_of(["solve", str(short_of_money)], status=EXIT_INFEASIBLE)
    assert_header(solved, short_of_money)
    assert solved["status"] == "infeasible"
    assert_header(solved["explanation"], short_of_money)
    assert solved["explanation"]["changes"] == explained["changes"]


# -- --workers ------------------------------------------------------------------------------

RESOLVING = ["compare", "opportunity", "marginals", "frontier"]
"""The commands that solve the case again and again, in worker processes."""


@pytest.mark.parametrize("command", RESOLVING)
def test_every_resolving_command_takes_workers(command: str) -> None:
    path = str(CASES / "take-or-pay.yaml")
    extra = ["--all"] if command == "compare" else []
    refused = CliRunner().invoke(app, [command, path, *extra, "--workers", "0"])
    assert refused.exit_code == EXIT_BAD_INPUT
    assert "--workers" in refused.output


def test_compare_in_two_workers_writes_what_one_writes() -> None:
    path = str(CASES / "capital-rationing.yaml")
    alone = json_of(["compare", path, "--all", "--gap", "0", "--workers", "1"])
    pooled = json_of(["compare", path, "--all", "--gap", "0", "--workers", "2"])
    assert pooled == alone
    assert [row["variant"] for row in pooled["summary"]] == ["base", *pooled["scenarios"]]
