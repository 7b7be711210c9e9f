"""Input errors exit with 2 and say what to change; any other error is an internal one (1).

``InputError`` marks what the caller can fix (options, unknown ids, ranges); a
``ValueError`` or ``KeyError`` from deeper in the code is a fault of the program and
must not be passed off as bad input.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import allocator
from allocator import InputError
from allocator.cli import app, main
from allocator.commands.common import EXIT_BAD_INPUT, EXIT_INTERNAL

CASES = Path(__file__).resolve().parent.parent / "cases"
TAKE_OR_PAY = str(CASES / "take-or-pay.yaml")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["compare", TAKE_OR_PAY, "-s", "nope"], "no scenario named 'nope'"),
        (["opportunity", TAKE_OR_PAY, "-p", "nope"], "no project named 'nope'"),
        (["frontier", TAKE_OR_PAY, "--from", "2", "--to", "1"], "must end above its start"),
        (["frontier", TAKE_OR_PAY, "--source", "nope"], "no funding source named 'nope'"),
        (["solve", TAKE_OR_PAY, "--solver", "nope"], "solver 'nope' is unknown"),
        (["solve", TAKE_OR_PAY, "--backend", "nope"], "no backend named 'nope'"),
        (["solve", TAKE_OR_PAY, "--scenario", "nope"], "no scenario named 'nope'"),
    ],
    ids=["scenario", "project", "range", "source", "solver", "backend", "solve-scenario"],
)
def test_an_input_error_exits_2_with_what_to_change(args: list[str], said: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert said in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_input_errors_are_value_errors_for_python_callers() -> None:
    case = allocator.load_case(TAKE_OR_PAY)
    with pytest.raises(InputError, match="relative gap"):
        allocator.solve(case, gap=2.0)
    with pytest.raises(ValueError, match="time limit must be positive"):
        allocator.solve(case, time_limit=-1.0)


def run_main(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """``main()`` as the console script runs it; its exit status."""
    monkeypatch.setattr(sys, "argv", ["allocator", *args])
    with pytest.raises(SystemExit) as stopped:
        main()
    return stopped.value.code


@pytest.mark.parametrize(
    "error", [ValueError("a bug deep inside"), KeyError("a bug deep inside")], ids=repr
)
def test_an_internal_error_exits_1_as_an_internal_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: Exception
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise error

    monkeypatch.setattr("allocator.engine.formulate", broken)
    assert run_main(monkeypatch, "solve", TAKE_OR_PAY) == EXIT_INTERNAL
    said = capsys.readouterr().err
    assert f"allocator: internal error: {type(error).__name__}: " in said
    assert "a bug deep inside" in said


def test_an_internal_error_in_an_analysis_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise ValueError("a bug in the comparison")

    monkeypatch.setattr("allocator.analysis.compare._summary", broken)
    assert run_main(monkeypatch, "compare", TAKE_OR_PAY, "--all") == EXIT_INTERNAL
    said = capsys.readouterr().err
    assert "allocator: internal error: ValueError: a bug in the comparison" in said
