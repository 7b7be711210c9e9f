"""The command line's streams in real processes: a reader that closes standard output
early, and solver chatter kept off the terminal unless ``--verbose``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from allocator.commands.common import EXIT_CLOSED_OUTPUT, EXIT_OK
from allocator.generate import generate_case

CASES = Path(__file__).resolve().parent.parent / "cases"
ALLOCATOR = [sys.executable, "-m", "allocator.cli"]


def assert_quiet(stderr: str) -> None:
    """Nothing on standard error says something went wrong."""
    for sign in ("Traceback", "internal error", "Exception ignored", "BrokenPipeError"):
        assert sign not in stderr, stderr


# --- a reader that closes standard output ------------------------------------------------


def piped(args: list[str], reader: list[str]) -> tuple[int, str, str]:
    """``allocator ARGS | READER``: allocator's status and standard error, the reader's output."""
    writer = subprocess.Popen(
        [*ALLOCATOR, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    head = subprocess.run(reader, stdin=writer.stdout, capture_output=True, text=True, check=True)
    writer.stdout.close()  # only the reader holds the pipe now
    stderr = writer.stderr.read()
    writer.stderr.close()
    return writer.wait(timeout=120), stderr, head.stdout


def test_validate_piped_into_head_ends_quietly() -> None:
    status, stderr, shown = piped(
        ["validate", str(CASES / "frontier-lab-2026.yaml")], ["head", "-1"]
    )
    assert shown.startswith("✓ ")
    assert_quiet(stderr)
    # 141 when a write found the reader gone (it usually does: the summary is printed in
    # pieces); 0 if everything was written before head left
    assert status in (EXIT_CLOSED_OUTPUT, EXIT_OK)


def test_json_on_stdout_piped_into_head_ends_quietly() -> None:
    args = ["solve", str(CASES / "take-or-pay.yaml"), "--json", "-"]
    status, stderr, shown = piped(args, ["head", "-c", "10"])
    assert shown.startswith("{")
    assert_quiet(stderr)
    assert status in (EXIT_CLOSED_OUTPUT, EXIT_OK)  # the document may fit in the pipe


@pytest.mark.parametrize(
    "args",
    [
        ["validate", str(CASES / "frontier-lab-2026.yaml")],
        ["solve", str(CASES / "take-or-pay.yaml")],
        ["solve", str(CASES / "take-or-pay.yaml"), "--json", "-"],
        ["generate", "-n", "20"],
        ["solve", "--help"],
    ],
    ids=["validate", "solve-report", "solve-json", "generate", "help"],
)
def test_output_closed_before_the_first_write_exits_141_quietly(args: list[str]) -> None:
    process = subprocess.Popen(
        [*ALLOCATOR, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    process.stdout.close()  # long before the command writes: it is still importing
    stderr = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=120) == EXIT_CLOSED_OUTPUT, stderr
    assert_quiet(stderr)
    assert "allocator:" not in stderr  # no message of ours either (the report may be there)


# --- solver chatter ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def chatty_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic case on which HiGHS (through OR-Tools) prints debugging lines
    (``HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();``) on
    descriptor 2 while it solves."""
    path = tmp_path_factory.mktemp("chatty") / "g20.yaml"
    path.write_text(yaml.safe_dump(generate_case(20, seed=2), sort_keys=False))
    return path


def solve(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ALLOCATOR, "solve", *map(str, args)], capture_output=True, text=True, check=False
    )


def chatter(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "highs" in line.lower() or "tmpSolver" in line]


@pytest.mark.parametrize(
    "args",
    [("--solver", "highs"), ("--backend", "pulp", "--solver", "highs")],
    ids=["ortools-highs", "pulp-highs"],
)
def test_solver_chatter_stays_off_the_terminal(chatty_case: Path, args: tuple[str, ...]) -> None:
    done = solve(chatty_case, *args)
    assert done.returncode == 0, done.stderr
    assert chatter(done.stderr) == []
    assert done.stderr == ""
    assert "optimal" in done.stdout


def test_verbose_shows_the_solver_log_on_stderr_only(chatty_case: Path) -> None:
    done = solve(chatty_case, "--solver", "highs", "--verbose", "--json", "-")
    assert done.returncode == 0, done.stderr
    assert chatter(done.stderr), "the solver's log is shown"
    assert json.loads(done.stdout)["solver"] == "highs"  # and standard output stays JSON


def test_reports_printed_after_extra_solves_still_reach_stdout() -> None:
    """--marginals solves again after the plan; its report must not be hidden with the
    solvers' output."""
    done = solve(CASES / "take-or-pay.yaml", "--marginals")
    assert done.returncode == 0, done.stderr
    assert "Marginal values (USD_M per unit)" in done.stdout
    assert "Moving each lever by a step" in done.stdout


def test_a_closed_report_still_writes_the_json_file(tmp_path: Path) -> None:
    """``allocator solve case --json out.json | head``: the reader leaves before the report
    is written, and the JSON document is written all the same (exit 141)."""
    out = tmp_path / "out.json"
    args = ["solve", str(CASES / "take-or-pay.yaml"), "--json", str(out)]
    process = subprocess.Popen(
        [*ALLOCATOR, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    process.stdout.close()
    stderr = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=120) == EXIT_CLOSED_OUTPUT, stderr
    assert_quiet(stderr)
    assert json.loads(out.read_text())["status"] == "optimal"
