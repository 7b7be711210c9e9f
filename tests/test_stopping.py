"""The stopping rule: a relative gap of 1e-4 by default, a proof with ``--gap 0``, and
a status that says which one the plan has."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

import allocator
from allocator.analysis.runner import Runner
from allocator.backends import SolveStatus
from allocator.backends.options import DEFAULT_GAP, SolveOptions
from allocator.backends.termination import Termination
from allocator.cli import app
from allocator.commands.common import spinner
from allocator.engine import Result
from allocator.report.solve_view import status_line

CASES = Path(__file__).resolve().parent.parent / "cases"
FLAGSHIP = CASES / "frontier-lab-2026.yaml"


def termination(status: SolveStatus, objective, bound, gap_limit, **more) -> Termination:
    return Termination(
        status=status,
        objective=objective,
        bound=bound,
        seconds=1.0,
        backend="ortools",
        solver="scip",
        solver_version="test",
        gap_limit=gap_limit,
        **more,
    )


@pytest.mark.parametrize(
    ("status", "objective", "bound", "gap_limit", "proven", "words"),
    [
        (SolveStatus.OPTIMAL, 100.0, 100.0, 0.0, True, "optimal (proven)"),
        (SolveStatus.OPTIMAL, 100.0, 100.0, 1e-4, True, "optimal (proven)"),  # gap closed
        (SolveStatus.OPTIMAL, 100.0, 100.005, 1e-4, False, "optimal within 0.01%"),
        (SolveStatus.OPTIMAL, 100.0, None, 1e-4, False, "optimal within 0.01%"),  # no bound
        (SolveStatus.OPTIMAL, 100.0, 103.0, 0.05, False, "optimal within 5%"),
        (SolveStatus.OPTIMAL, 100.0, 100.0 + 1e-8, 0.05, True, "optimal (proven)"),
    ],
)
def test_optimal_says_whether_it_is_proven(status, objective, bound, gap_limit, proven, words):
    done = termination(status, objective, bound, gap_limit)
    assert done.proven_optimal is proven
    result = Result(
        case=allocator.load_case(CASES / "take-or-pay.yaml"),
        scenario=None,
        termination=done,
        plan=None,
        verification=None,
    )
    assert status_line(result) == words


def test_a_time_limit_is_feasible_never_optimal() -> None:
    done = termination(SolveStatus.FEASIBLE, 100.0, 110.0, 1e-4, limit_reached=True)
    assert not done.proven_optimal
    result = Result(
        case=allocator.load_case(CASES / "take-or-pay.yaml"),
        scenario=None,
        termination=done,
        plan=None,
        verification=None,
    )
    assert status_line(result) == "feasible, not proven optimal (time limit reached)"


def test_the_default_gap_is_1e4_everywhere() -> None:
    assert DEFAULT_GAP == 1e-4
    assert SolveOptions().relative_gap == DEFAULT_GAP
    assert Runner().gap == DEFAULT_GAP
    command = typer.main.get_command(app)
    with_gap = []
    for name, sub in command.commands.items():  # type: ignore[attr-defined]
        for param in sub.params:
            if param.name == "gap":
                assert param.default == DEFAULT_GAP, name
                with_gap.append(name)
    assert {"solve", "compare", "opportunity", "marginals", "frontier", "explain"} <= set(with_gap)


@pytest.mark.parametrize("backend", ["ortools", "pulp"])
def test_the_flagship_stops_within_the_default_gap_and_proves_with_gap_0(backend) -> None:
    """At 1e-4 the plan is within 0.01% of the bound; at 0 the optimum is proven and at
    least as good (70,884.97, docs/performance.md)."""
    case = allocator.load_case(FLAGSHIP)
    quick = allocator.solve(case, backend=backend)
    proof = allocator.solve(case, backend=backend, gap=0)
    assert quick.termination.status is SolveStatus.OPTIMAL
    assert quick.termination.gap_limit == DEFAULT_GAP
    assert proof.termination.proven_optimal
    assert proof.termination.objective == pytest.approx(70_884.97, abs=0.01)
    assert quick.termination.objective <= proof.termination.objective + 1e-6
    assert quick.termination.objective >= proof.termination.objective * (1 - DEFAULT_GAP)
    if quick.termination.bound is not None:
        assert quick.termination.bound >= proof.termination.objective - 1e-6
    assert quick.verification.ok
    assert proof.verification.ok


def test_the_json_says_which_stopping_rule_held() -> None:
    runner = CliRunner()
    default = json.loads(runner.invoke(app, ["solve", str(FLAGSHIP), "--json", "-"]).stdout)
    proven = json.loads(
        runner.invoke(app, ["solve", str(FLAGSHIP), "--gap", "0", "--json", "-"]).stdout
    )
    assert (default["status"], default["gap_limit"]) == ("optimal", DEFAULT_GAP)
    assert default["proven_optimal"] is (default["gap"] is not None and default["gap"] <= 1e-9)
    assert (proven["status"], proven["gap_limit"], proven["proven_optimal"]) == (
        "optimal",
        0.0,
        True,
    )


@pytest.mark.parametrize(("limit", "shown"), [(60.0, "(limit 60 s)"), (None, "")])
def test_the_spinner_shows_the_time_elapsed_and_the_limit(limit, shown) -> None:
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=80)
    with spinner(terminal, "Solving", limit) as say:
        say("Solving 577 columns x 442 rows")
        time.sleep(0.3)  # the spinner refreshes on its own thread
    drawn = screen.getvalue()
    assert "Solving 577 columns x 442 rows" in drawn
    assert "0:00:00" in drawn
    assert shown in drawn
    if limit is None:
        assert "limit" not in drawn


def test_the_spinner_writes_nothing_off_a_terminal() -> None:
    screen = io.StringIO()
    with spinner(Console(file=screen, force_terminal=False), "Solving", 60.0) as say:
        say("Solving")
    assert screen.getvalue() == ""
