"""The analyses on the Dask engine: an existing cluster (``scheduler``) gives the answers
solving in this process gives, the base plan still answers the what-ifs it answers
there, and a scheduler that cannot be reached is bad input before anything is solved.

The cluster is the session's one-worker ``dask_scheduler`` (``conftest``); two local
workers are tried by the pooled tests of ``test_analysis`` and ``test_frontier``.
"""

from __future__ import annotations

import copy
from pathlib import Path

import dask
import pandas as pd
import pytest
from four_projects import HAND
from typer.testing import CliRunner

from allocator import load_case
from allocator.analysis.compare import compare
from allocator.analysis.marginals import marginals
from allocator.analysis.opportunity import opportunity
from allocator.analysis.restriction import MESSAGE
from allocator.analysis.runner import Runner
from allocator.case.loading import Source, build_case
from allocator.cli import app
from allocator.generate import generate_case
from allocator.verify import verify

CASES = Path(__file__).resolve().parent.parent / "cases"
UNREACHABLE = "tcp://127.0.0.1:9"


def test_marginals_on_a_cluster_keep_the_base_plan_answers(dask_scheduler: str) -> None:
    """Four projects, 40 by hand: every budget -5% step is the base plan's answer, with
    no solve, on the cluster as here (the base plan goes to the worker)."""
    case = build_case(copy.deepcopy(HAND), Source("hand.yaml"))
    here = marginals(case, runner=Runner(gap=0), workers=1)
    there = marginals(case, runner=Runner(gap=0), scheduler=dask_scheduler)
    pd.testing.assert_frame_equal(there.steps, here.steps)
    answered = [r.termination.message == MESSAGE for r in there.results]
    assert answered == [False, True] * 4 + [False, False]
    assert there.steps["objective"].tolist() == pytest.approx([40.0] * 9 + [0.0])
    for result in there.results:
        assert result.plan is not None
        assert verify(result.case, result.plan, result.termination.objective).ok


def test_screened_brackets_on_a_cluster_are_those_made_here(dask_scheduler: str) -> None:
    """The screen and the formulation it was made of reach the worker as one object (its
    HiGHS takes only variants of its own model), so the brackets are the same."""
    case = build_case(generate_case(16, resources=2, periods=4, seed=3), Source("gen"))
    runner = Runner(gap=0, change="any")
    base = runner.solve(case)
    here = opportunity(case, runner=runner, base=base, workers=1, screen=True)
    there = opportunity(case, runner=runner, base=base, screen=True, scheduler=dask_scheduler)
    assert there.screened
    pd.testing.assert_frame_equal(there.table, here.table)


def test_forced_variants_on_a_cluster_match_those_solved_here(dask_scheduler: str) -> None:
    case = load_case(CASES / "take-or-pay.yaml")
    runner = Runner(backend="pulp", gap=0)
    here = opportunity(case, runner=runner, workers=1)
    there = opportunity(case, runner=runner, scheduler=dask_scheduler)
    pd.testing.assert_frame_equal(there.table, here.table)
    pd.testing.assert_frame_equal(there.changes, here.changes)
    assert there.table["change"].tolist() == pytest.approx([-350.0, -10.0, -70.0])
    for result in there.results:
        assert result.plan is not None
        assert verify(result.case, result.plan).ok


def test_compare_on_a_cluster_matches_compare_here(dask_scheduler: str) -> None:
    rationing = load_case(CASES / "capital-rationing.yaml")
    names = list(rationing.scenarios)
    runner = Runner(backend="pulp", gap=0)
    here = compare(rationing, scenarios=names, runner=runner, workers=1)
    there = compare(rationing, scenarios=names, runner=runner, scheduler=dask_scheduler)
    for table in ("summary", "projects", "changes"):
        pd.testing.assert_frame_equal(getattr(there, table), getattr(here, table))


@pytest.mark.parametrize(
    ("command", "name"),
    [
        ("marginals", "take-or-pay"),
        ("opportunity", "take-or-pay"),
        ("frontier", "take-or-pay"),
        ("compare", "capital-rationing"),
    ],
)
def test_an_unreachable_scheduler_is_bad_input(command: str, name: str, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    extra = ["--all"] if command == "compare" else []
    args = [command, str(CASES / f"{name}.yaml"), *extra, "--scheduler", UNREACHABLE]
    with dask.config.set({"distributed.comm.timeouts.connect": "0.5s"}):
        ran = CliRunner().invoke(app, [*args, "--json", str(out)])
    assert ran.exit_code == 2, ran.output
    assert "cannot reach the Dask scheduler" in " ".join(ran.output.split())
    assert not out.exists()
