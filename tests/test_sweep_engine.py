"""Sweeps on real Dask clusters: every draw once, in order, as solved in this process; kept on
disk as it finishes; resumed, interrupted, and carried through a worker's death.

The case is small (three projects, one contract, two choice factors: 6 draws on the
grid), so a solve takes a few hundredths of a second; the tests that need a solve to
last (a worker killed in the middle, an interrupt) use ``SlowRunner``, a ``Runner``
that sleeps before it solves. Its options are the ones of ``Runner()``, so its records
have the same keys. Workers import it from this module (they start with this
process's ``sys.path``).

The grid, checked by hand where it is easy: with the money scaled by 0.2, Y1 has 6
against the 12 that chat, which must run, costs then: infeasible at either capacity.
With 1.5 times the money, 60 units of capacity cannot serve chat and video together
(40 + 50), so chat runs with search; 120 units can, and video is worth more.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dask
import pandas as pd
import pyarrow.parquet as pq
import pytest

from allocator.analysis.runner import Runner
from allocator.case.draws import Draw, grid_draws
from allocator.case.loading import Source, build_case
from allocator.case.model import Case
from allocator.cluster import local_cluster
from allocator.engine import PlanCheckError, Result
from allocator.errors import InputError
from allocator.sweeps.engine import run_sweep
from allocator.sweeps.record import RECORD_FIELDS, solve_draw
from allocator.sweeps.store import (
    draw_key,
    finished_keys,
    read_records,
    solve_identity,
    write_record,
)
from allocator.verify import Violation

CASE: dict[str, Any] = {
    "name": "sweep-lab",
    "periods": ["Y1", "Y2", "Y3"],
    "periods_per_year": 1,
    "discount_rate": 0.1,
    "resources": [{"id": "gpu"}],
    "supply": [
        {"id": "cloud", "resource": "gpu", "kind": "contract", "capacity": 100, "unit_cost": 0.1}
    ],
    "budget": {"carry_over": True, "amounts": {"Y1": 30, "Y2": 10, "Y3": 10}},
    "projects": [
        {
            "id": "chat",
            "value": 14,
            "cost": {"Y1": 12, "Y2": 3},
            "demand": {"gpu": 40},
            "must_fund": True,
        },
        {"id": "video", "value": 9, "cost": 8, "demand": {"gpu": 50}},
        {"id": "search", "value": 5, "cost": 6, "demand": {"gpu": 20}},
    ],
    "uncertainty": [
        {
            "id": "money",
            "path": "budget.amounts",
            "scale": {"choice": [0.2, 1.0, 1.5], "p": [0.2, 0.5, 0.3]},
        },
        {"id": "capacity", "path": "supply[cloud].capacity", "set": {"choice": [60, 120]}},
    ],
}
FUNDED = [[], [], ["chat"], ["chat"], ["chat", "search"], ["chat", "video"]]
"""What each grid draw funds (draw i: money index i // 2, capacity index i % 2)."""

HAND_MADE = [
    Draw(0, 0.25, {"money": 0.2, "capacity": 60}),
    Draw(1, 0.25, {"money": 1.0, "capacity": -10}),  # a negative capacity breaks a rule
    Draw(2, 0.5, {"money": 1.5, "capacity": 120}),
]
"""Draws given by hand: infeasible, invalid, optimal (chat and video)."""

RUNNER = Runner()


@dataclass(frozen=True)
class SlowRunner(Runner):
    """A runner whose every solve first leaves a mark (``<pid>-<random>``) in ``marks`` and
    sleeps ``delay`` seconds."""

    delay: float = 1.0
    marks: str | None = None

    def solve(self, case: Case, scenario: str | None = None) -> Result:
        """Mark, sleep, solve."""
        if self.marks is not None:
            Path(self.marks, f"{os.getpid()}-{uuid.uuid4().hex}").touch()
        time.sleep(self.delay)
        return super().solve(case, scenario)


@dataclass(frozen=True)
class RejectingRunner(Runner):
    """A runner whose plans fail the checker when the money is scaled by 0.2."""

    def solve(self, case: Case, scenario: str | None = None) -> Result:
        """Raise ``PlanCheckError`` for a poor draw, else solve."""
        if case.budget.amounts["Y1"] < 10:
            raise PlanCheckError((Violation("budget", "Y1", "made up for the test"),))
        return super().solve(case, scenario)


@pytest.fixture(scope="module")
def case() -> Case:
    return build_case(json.loads(json.dumps(CASE)), Source("x.yaml"))


@pytest.fixture(scope="module")
def draws(case: Case) -> list[Draw]:
    return grid_draws(case)


@pytest.fixture(scope="module")
def serial(case: Case, draws: list[Draw]) -> list[dict[str, Any]]:
    """Every draw solved in this process, one after the other."""
    return [solve_draw(case, d, RUNNER) for d in draws]


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """The address of a local cluster of two worker processes shared by several tests."""
    with local_cluster(2) as local:
        yield local.scheduler_address


@pytest.fixture
def command_line_cluster(tmp_path: Path) -> Iterator[str]:
    """``dask scheduler`` and one ``dask worker`` on 127.0.0.1, started as commands; the
    scheduler takes a free port and writes its address to a file."""
    address_file = tmp_path / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    quiet: dict[str, Any] = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler_options = ["--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
    worker_options = ["--nworkers", "1", "--nthreads", "1", "--host", "127.0.0.1"]
    started = [
        subprocess.Popen(
            [*dask, "scheduler", *scheduler_options, "--scheduler-file", address_file], **quiet
        )
    ]
    try:
        address = scheduler_address(address_file, started[0])
        started.append(
            subprocess.Popen([*dask, "worker", address, *worker_options, "--no-dashboard"], **quiet)
        )
        yield address
    finally:
        for process in reversed(started):  # the worker first: it would look for the scheduler
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def scheduler_address(address_file: Path, scheduler: subprocess.Popen[bytes]) -> str:
    """The address the scheduler writes once it listens (``tcp://127.0.0.1:PORT``)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert scheduler.poll() is None, "the scheduler ended"
        with contextlib.suppress(FileNotFoundError, ValueError, KeyError):
            return str(json.loads(address_file.read_text())["address"])
        time.sleep(0.05)
    raise AssertionError("the scheduler did not start in 30 s")


def assert_same_records(table: pd.DataFrame, records: list[dict[str, Any]]) -> None:
    """Every field but the seconds equal, row by row and in order."""
    assert list(table.columns) == [*RECORD_FIELDS, "key"]
    assert table["draw"].tolist() == [r["draw"] for r in records]
    for row, record in zip(table.to_dict("records"), records, strict=True):
        for field in RECORD_FIELDS:
            if field == "seconds":
                continue
            expected, got = record[field], row[field]
            if expected is None:
                assert got is None or (isinstance(got, float) and math.isnan(got)), field
            elif isinstance(expected, float):
                assert got == pytest.approx(expected, rel=1e-9), field
            else:
                assert got == expected, field


def record_files(out: Path) -> list[Path]:
    return sorted(out.glob("draw-*.parquet"))


def test_a_local_cluster_solves_every_draw_once_as_this_process_does(
    case: Case, draws: list[Draw], serial: list[dict[str, Any]], tmp_path: Path
) -> None:
    seen: list[dict[str, Any]] = []
    run = run_sweep(case, draws, RUNNER, out=tmp_path, workers=2, done=seen.append)
    assert (run.solved, run.skipped, run.out) == (6, 0, tmp_path)
    assert_same_records(run.draws, serial)
    assert run.draws["funded"].tolist() == FUNDED
    assert run.draws["status"].tolist() == ["infeasible"] * 2 + ["optimal"] * 4
    assert sorted(r["draw"] for r in seen) == list(range(6))
    assert {r["key"] for r in seen} == set(run.draws["key"])
    assert len(record_files(tmp_path)) == 6
    assert run.draws["key"].is_unique


def test_a_cluster_started_with_the_dask_commands(
    case: Case,
    draws: list[Draw],
    serial: list[dict[str, Any]],
    tmp_path: Path,
    command_line_cluster: str,
) -> None:
    run = run_sweep(case, draws, RUNNER, out=tmp_path / "out", scheduler=command_line_cluster)
    assert (run.solved, run.skipped) == (6, 0)
    assert_same_records(run.draws, serial)


def test_the_command_sweeps_on_the_cluster_named_by_scheduler(
    serial: list[dict[str, Any]], tmp_path: Path, command_line_cluster: str
) -> None:
    """``allocator sweep CASE --scheduler ADDRESS``: the same draws, solved there."""
    from typer.testing import CliRunner

    from allocator.cli import app

    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE))
    args = ["sweep", str(path), "--scheduler", command_line_cluster, "--gap", "0"]
    done = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "out"), "--json", "-"])
    assert done.exit_code == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["solved"] == len(serial)
    by_draw = {d["draw"]: d for d in document["draws"]}
    for record in serial:
        assert by_draw[record["draw"]]["status"] == record["status"]
        assert by_draw[record["draw"]]["objective"] == pytest.approx(record["objective"])


def test_a_worker_killed_mid_draw_loses_no_draw_and_counts_none_twice(
    case: Case, draws: list[Draw], serial: list[dict[str, Any]], tmp_path: Path
) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    killed: list[int] = []

    def kill_the_first_to_start() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            started = list(marks.iterdir())
            if started:
                pid = int(started[0].name.split("-")[0])
                time.sleep(0.3)  # well inside its sleep of a second
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_the_first_to_start, daemon=True)
    killer.start()
    seen: list[int] = []
    slow = SlowRunner(delay=1.0, marks=str(marks))
    run = run_sweep(
        case, draws, slow, out=tmp_path / "out", workers=2, done=lambda r: seen.append(r["draw"])
    )
    killer.join()
    assert killed, "no worker was killed"
    assert len(list(marks.iterdir())) > len(draws)  # the killed draw was started again
    assert sorted(seen) == list(range(6))
    assert (run.solved, run.skipped) == (6, 0)
    assert_same_records(run.draws, serial)
    assert len(record_files(tmp_path / "out")) == 6


def test_a_second_run_solves_nothing_and_a_third_only_the_deleted_draws(
    case: Case, draws: list[Draw], serial: list[dict[str, Any]], tmp_path: Path, cluster: str
) -> None:
    first = run_sweep(case, draws, RUNNER, out=tmp_path, scheduler=cluster)
    assert (first.solved, first.skipped) == (6, 0)
    nowhere = "tcp://127.0.0.1:9"  # nothing left to solve: no cluster is reached
    second = run_sweep(case, draws, RUNNER, out=tmp_path, scheduler=nowhere)
    assert (second.solved, second.skipped) == (0, 6)
    pd.testing.assert_frame_equal(second.draws, first.draws)

    for file in record_files(tmp_path):
        if pq.read_table(file, columns=["draw"]).column("draw")[0].as_py() in (1, 4):
            file.unlink()
    solved: list[int] = []
    third = run_sweep(
        case,
        draws,
        RUNNER,
        out=tmp_path,
        scheduler=cluster,
        done=lambda r: solved.append(r["draw"]),
    )
    assert (third.solved, third.skipped) == (2, 4)
    assert sorted(solved) == [1, 4]
    assert_same_records(third.draws, serial)
    pd.testing.assert_frame_equal(
        third.draws.drop(columns="seconds"), first.draws.drop(columns="seconds")
    )


def test_records_of_other_options_or_another_case_are_not_reused(
    case: Case, draws: list[Draw], tmp_path: Path, cluster: str
) -> None:
    base = run_sweep(case, draws, RUNNER, out=tmp_path, scheduler=cluster)
    coarse = run_sweep(case, draws, Runner(gap=0.01), out=tmp_path, scheduler=cluster)
    assert (coarse.solved, coarse.skipped) == (6, 0)
    assert set(coarse.draws["key"]).isdisjoint(base.draws["key"])

    data = json.loads(json.dumps(CASE))
    data["projects"][1]["value"] = 30  # video is worth more: another case
    other = build_case(data, Source("x.yaml"))
    changed = run_sweep(other, grid_draws(other), RUNNER, out=tmp_path, scheduler=cluster)
    assert (changed.solved, changed.skipped) == (6, 0)
    assert len(changed.draws) == 6
    assert changed.draws["objective"][5] > base.draws["objective"][5]  # video, worth more
    assert len(record_files(tmp_path)) == 18

    again = run_sweep(case, draws, RUNNER, out=tmp_path, scheduler=cluster)
    assert (again.solved, again.skipped) == (0, 6)
    pd.testing.assert_frame_equal(again.draws, base.draws)


def test_an_interrupt_stops_at_once_and_keeps_every_finished_draw(
    case: Case, draws: list[Draw], serial: list[dict[str, Any]], tmp_path: Path, cluster: str
) -> None:
    seen: list[int] = []
    interrupted_at: list[float] = []

    def done(record: dict[str, Any]) -> None:
        seen.append(record["draw"])
        if len(seen) == 2:
            interrupted_at.append(time.perf_counter())
            raise KeyboardInterrupt

    slow = SlowRunner(delay=2.5)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(case, draws, slow, out=tmp_path, workers=2, done=done)
    stopped = time.perf_counter() - interrupted_at[0]
    assert stopped < 2.0, f"the sweep took {stopped:.1f} s to stop"  # not the next 2.5 s solve

    files = record_files(tmp_path)
    assert len(files) >= 2
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    on_disk = sorted(pq.read_table(f).column("draw")[0].as_py() for f in files)
    assert set(seen) <= set(on_disk)

    rest: list[int] = []
    run = run_sweep(
        case, draws, RUNNER, out=tmp_path, scheduler=cluster, done=lambda r: rest.append(r["draw"])
    )
    assert (run.solved, run.skipped) == (6 - len(on_disk), len(on_disk))
    assert sorted(rest) == sorted(set(range(6)) - set(on_disk))
    assert_same_records(run.draws, serial)


def test_invalid_and_infeasible_draws_are_records_like_the_others(
    case: Case, tmp_path: Path, cluster: str
) -> None:
    run = run_sweep(case, HAND_MADE, RUNNER, out=tmp_path, scheduler=cluster)
    table = run.draws
    assert table["status"].tolist() == ["infeasible", "invalid", "optimal"]
    assert "capacity" in table["message"][1]
    assert table["funded"].tolist() == [[], [], ["chat", "video"]]
    assert table["objective"].isna().tolist() == [True, True, False]
    assert table["weight"].tolist() == [0.25, 0.25, 0.5]
    assert_same_records(table, [solve_draw(case, d, RUNNER) for d in HAND_MADE])
    assert len(record_files(tmp_path)) == 3


def test_a_draw_that_fails_ends_the_sweep_with_its_error_and_keeps_the_others(
    case: Case, draws: list[Draw], tmp_path: Path, cluster: str
) -> None:
    with pytest.raises(PlanCheckError) as raised:
        run_sweep(case, draws, RejectingRunner(), out=tmp_path, scheduler=cluster)
    assert raised.value.violations == (Violation("budget", "Y1", "made up for the test"),)
    assert str(raised.value) == "the plan breaks 1 rule(s): budget: Y1: made up for the test"
    kept = {pq.read_table(f).column("draw")[0].as_py() for f in record_files(tmp_path)}
    assert kept <= {2, 3, 4, 5}
    run = run_sweep(case, draws[2:], RUNNER, out=tmp_path, scheduler=cluster)
    assert (run.solved, run.skipped) == (4 - len(kept), len(kept))


def test_bad_requests_are_refused_before_any_work(
    case: Case, draws: list[Draw], tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="at least 1"):
        run_sweep(case, draws, RUNNER, out=tmp_path, workers=0)
    twice = [draws[0], Draw(0, 0.5, {"money": 1.0, "capacity": 60})]
    with pytest.raises(InputError, match="same number"):
        run_sweep(case, twice, RUNNER, out=tmp_path)
    with (
        dask.config.set({"distributed.comm.timeouts.connect": "0.5s"}),
        pytest.raises(InputError, match="cannot reach the Dask scheduler"),
    ):
        run_sweep(case, draws, RUNNER, out=tmp_path, scheduler="tcp://127.0.0.1:9")
    nothing = run_sweep(case, [], RUNNER, out=tmp_path / "empty")
    assert (len(nothing.draws), nothing.solved, nothing.skipped) == (0, 0, 0)
    assert list(nothing.draws.columns) == [*RECORD_FIELDS, "key"]


# The store, without a cluster.


def keyed_records(case: Case) -> list[dict[str, Any]]:
    identity = solve_identity(case, Runner())
    solved = []
    for draw in HAND_MADE:
        record = solve_draw(case, draw, Runner())
        record["key"] = draw_key(identity, draw)
        solved.append(record)
    return solved


def test_a_key_changes_with_the_case_the_options_and_the_draw(case: Case) -> None:
    base = solve_identity(case, Runner())
    assert solve_identity(case, Runner(solver="scip")) == base  # the default, named
    assert solve_identity(case, Runner(gap=0.01)) != base
    assert solve_identity(case, Runner(time_limit=10)) != base
    assert solve_identity(case, Runner(backend="pulp")) != base
    data = json.loads(json.dumps(CASE))
    data["budget"]["amounts"]["Y3"] = 11
    assert solve_identity(build_case(data, Source("x.yaml")), Runner()) != base

    key = draw_key(base, HAND_MADE[0])
    assert draw_key(base, Draw(0, 0.25, {"capacity": 60, "money": 0.2})) == key
    assert draw_key(base, Draw(0, 0.4, HAND_MADE[0].values)) != key
    assert draw_key(base, Draw(5, 0.25, HAND_MADE[0].values)) != key
    assert draw_key(base, Draw(0, 0.25, {"money": 0.2, "capacity": 120})) != key


def test_records_are_written_whole_and_read_back_once(case: Case, tmp_path: Path) -> None:
    solved = keyed_records(case)
    paths = [write_record(tmp_path, r) for r in solved]
    assert [p.name[:12] for p in paths] == ["draw-000000-", "draw-000001-", "draw-000002-"]
    assert sorted(tmp_path.iterdir()) == sorted(paths)  # no temporary file left
    shutil.copy(paths[0], tmp_path / "draw-000000-copy.parquet")  # the same key twice
    (tmp_path / "draw-000009-damaged.parquet").write_bytes(b"PAR1 cut short")
    (tmp_path / "summary.json").write_text("{}")  # not a record: never read

    keys = [r["key"] for r in solved]
    assert finished_keys(tmp_path, [*keys, "0" * 64]) == set(keys)
    table = read_records(tmp_path, keys[:2])
    assert list(table.columns) == [*RECORD_FIELDS, "key"]
    assert table["draw"].tolist() == [0, 1]
    assert table["status"].tolist() == ["infeasible", "invalid"]
    assert table["signed"].tolist() == [[], []]
    whole = read_records(tmp_path, keys)
    assert whole["status"].tolist() == ["infeasible", "invalid", "optimal"]
    assert whole["funded"].tolist() == [[], [], ["chat", "video"]]
    assert finished_keys(tmp_path / "missing", keys) == set()
