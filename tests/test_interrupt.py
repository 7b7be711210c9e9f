"""Ctrl-C during a solve: the best plan so far is reported and written, exit 130.

Ctrl-C in a terminal signals the whole foreground process group, so the test starts
the command in its own session and signals that group: CBC (a child process of
PuLP) stops too.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from allocator.generate import generate_case


def _wait_for_the_search(process: subprocess.Popen, backend: str) -> None:
    """Until the solver is well into its search (the model takes minutes to prove): SCIP
    runs in the process, CBC as a child once PuLP has written the model."""
    if backend == "ortools":
        time.sleep(8)
        return
    for _ in range(600):
        children = subprocess.run(
            ["ps", "-o", "cmd=", "--ppid", str(process.pid)], capture_output=True, text=True
        ).stdout
        if "cbc" in children:
            time.sleep(3)  # past reading the model, into the root
            return
        time.sleep(0.1)
    pytest.fail("CBC did not start within a minute")


@pytest.mark.parametrize("backend", ["ortools", "pulp"])
def test_sigint_reports_or_stops_and_leaves_no_partial_file(tmp_path: Path, backend: str) -> None:
    case = tmp_path / "big.json"
    case.write_text(json.dumps(generate_case(3000, 4, 12, 5)))
    out = tmp_path / "plan.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "allocator.cli",
            "solve",
            str(case),
            "--backend",
            backend,
            "--gap",
            "0",  # a proof takes minutes: the interrupt comes mid-search
            "--json",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    _wait_for_the_search(process, backend)
    os.killpg(process.pid, signal.SIGINT)
    try:
        stdout, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        # CBC answers the first Ctrl-C at its next check in the search, which a long root
        # can delay; a second one stops at once, as a user who waits no longer would do
        assert backend == "pulp"
        os.killpg(process.pid, signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    leftover = subprocess.run(["ps", "-o", "cmd=", "-g", str(process.pid)], capture_output=True)
    assert b"cbc" not in leftover.stdout  # no solver left running
    assert not list(tmp_path.glob(".*.tmp"))
    if out.exists():  # SCIP and CBC stop and hand back their best plan, which is reported
        document = json.loads(out.read_text())
        assert document["interrupted"] is True
        assert document["status"] in ("feasible", "no_solution")
        assert "interrupted" in stdout
        assert "interrupted" in stderr


def test_sigint_in_an_analysis_s_base_solve_stops_the_analysis(tmp_path: Path) -> None:
    """SCIP catches Ctrl-C and returns its best plan; a solve reports it, but marginals
    must stop there rather than go on to its what-ifs: exit 130, no file written."""
    case = tmp_path / "big.json"
    case.write_text(json.dumps(generate_case(3000, 4, 12, 5)))
    out = tmp_path / "marginals.json"
    command = ["marginals", str(case), "--gap", "0", "--json", str(out)]
    process = subprocess.Popen(
        [sys.executable, "-m", "allocator.cli", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    _wait_for_the_search(process, "ortools")  # the base's proof takes minutes
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert not out.exists()
    assert not list(tmp_path.glob(".*.tmp"))


def test_an_interrupted_solve_stops_an_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    import allocator
    import allocator.analysis.runner as runner_module
    from allocator.analysis.runner import Runner

    real = runner_module.solve_formulation

    def stopped(*args, **kwargs):  # as SCIP answers Ctrl-C: its best plan, interrupted
        result = real(*args, **kwargs)
        return replace(result, termination=replace(result.termination, interrupted=True))

    monkeypatch.setattr(runner_module, "solve_formulation", stopped)
    case = allocator.load_case(Path(__file__).resolve().parent.parent / "cases/take-or-pay.yaml")
    with pytest.raises(KeyboardInterrupt):
        Runner(gap=0).solve(case)


@pytest.mark.parametrize("backend", ["ortools", "pulp"])
def test_the_same_case_and_options_give_the_same_plan(backend: str) -> None:
    import allocator

    case = allocator.load_case(Path(__file__).resolve().parent.parent / "cases/take-or-pay.yaml")
    first, second = (allocator.solve(case, backend=backend) for _ in range(2))
    for name, table in first.plan.tables().items():
        assert table.equals(second.plan.tables()[name]), name


def test_a_time_limit_gives_the_best_plan_with_its_bound_and_gap(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from allocator.cli import app

    case = tmp_path / "hard.json"
    case.write_text(json.dumps(generate_case(2000, 4, 12, 3)))
    shown = CliRunner().invoke(
        app, ["solve", str(case), "--time-limit", "3", "--gap", "0", "--json", "-"]
    )
    document = json.loads(shown.stdout)
    assert document["limit_reached"] is True
    if shown.exit_code == 0:  # a plan, not proven optimal
        assert document["status"] == "feasible"
        assert document["bound"] >= document["objective"]
        assert document["gap"] > 0
    else:  # no plan in time: exit 4
        assert shown.exit_code == 4
        assert document["status"] == "no_solution"
