"""The command line's streams in real processes: a reader that closes standard output
early."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from allocator.commands.common import EXIT_CLOSED_OUTPUT, EXIT_OK

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
