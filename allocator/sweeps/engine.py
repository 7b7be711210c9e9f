"""Running a sweep's draws on Dask, keeping every finished draw on disk, resuming.

``run_sweep(case, draws, runner, out=...)`` solves every draw not already in ``out``
(see ``allocator.sweeps.store``) on a Dask cluster: a ``LocalCluster`` of single-threaded
worker processes started for the run (``workers`` of them, default one per CPU), or the
cluster whose scheduler is at ``scheduler`` (``tcp://host:8786``), whose workers must
import the same ``allocator``. The case goes to every worker once
(``client.scatter(case, broadcast=True)``); each draw is one task calling
``solve_draw``. Records are taken as they finish (``as_completed``), each written to
``out`` at once, then handed to ``done``.

- Resuming: a draw whose key is in ``out`` is not solved again (``skipped``).
- Ctrl-C (``KeyboardInterrupt`` in this process, from a signal or from ``done``): the
  tasks not finished are cancelled, the client and the cluster started for the run are
  closed, and the interrupt goes on up; every draw finished so far is on disk. The
  workers of a cluster started here ignore Ctrl-C themselves: they are closed by it.
- A worker lost mid-draw (killed, out of memory): the scheduler runs its task again on
  another worker, up to ``distributed.scheduler.allowed-failures`` times (Dask's
  default 3) before giving up on that draw with ``KilledWorker``; a draw is written and
  counted once, by its key.
- A task that fails (an error in the solve) ends the sweep with that error, after the
  same cancelling and closing; what finished is kept.

The draws come from the caller, already sampled, so the records do not depend on the
number of workers or on the cluster. A script that calls ``run_sweep`` without a
``scheduler`` starts worker processes with ``spawn``: its own code belongs under
``if __name__ == "__main__":``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from distributed import Client, Future, as_completed

from allocator.analysis.runner import Runner
from allocator.case.draws import Draw
from allocator.case.model import Case
from allocator.cluster import dask_client
from allocator.errors import InputError
from allocator.quiet import quiet_solvers
from allocator.sweeps.record import solve_draw
from allocator.sweeps.store import (
    KEY,
    draw_key,
    finished_keys,
    read_records,
    solve_identity,
    write_record,
)

Done = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class SweepRun:
    """What a sweep gives back.

    ``draws`` has one row per draw asked for, sorted by draw, with the columns
    ``RECORD_FIELDS`` and ``key``; ``solved`` counts the draws solved in this run,
    ``skipped`` those found finished in ``out`` and not solved again.
    """

    draws: pd.DataFrame
    solved: int
    skipped: int
    out: Path


def run_sweep(
    case: Case,
    draws: list[Draw],
    runner: Runner,
    *,
    out: Path,
    scheduler: str | None = None,
    workers: int | None = None,
    done: Done | None = None,
) -> SweepRun:
    """Solve every draw of ``draws`` not already in ``out`` on Dask (module docstring).

    ``workers`` is the number of worker processes of the cluster started here (default
    one per CPU, never more than the draws to solve); it is not used with ``scheduler``.
    ``done(record)`` is called in this process after each record is written.
    """
    if workers is not None and workers < 1:
        raise InputError(f"workers must be at least 1, got {workers}")
    indices = [d.index for d in draws]
    if len(set(indices)) != len(indices):
        raise InputError("two draws have the same number; every draw needs its own")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    identity = solve_identity(case, runner)
    keys = [draw_key(identity, d) for d in draws]
    finished = finished_keys(out, keys)
    pending = [(d, k) for d, k in zip(draws, keys, strict=True) if k not in finished]
    solved = 0
    if pending:
        with dask_client(scheduler, workers, len(pending)) as client:
            solved = _solve(client, case, pending, runner, out, done)
    table = read_records(out, keys)
    missing = len(keys) - len(table)
    if missing:
        raise RuntimeError(f"{missing} finished draw(s) cannot be read back from {out}")
    table = table.sort_values("draw", ignore_index=True)
    return SweepRun(draws=table, solved=solved, skipped=len(draws) - len(pending), out=out)


def solve_task(case: Case, draw: Draw, runner: Runner, key: str) -> dict[str, Any]:
    """One draw's record with its key: the task a worker runs, solver output hidden."""
    with quiet_solvers():
        record = solve_draw(case, draw, runner)
    record[KEY] = key
    return record


def _solve(
    client: Client,
    case: Case,
    pending: list[tuple[Draw, str]],
    runner: Runner,
    out: Path,
    done: Done | None,
) -> int:
    """Solve ``pending`` on ``client``'s cluster, writing each record as it finishes."""
    shared = client.scatter(case, broadcast=True)
    run = uuid.uuid4().hex[:8]  # task names of this run only: a rerun never meets them
    futures: list[Future] = [
        client.submit(
            solve_task, shared, draw, runner, key, key=f"draw-{draw.index}-{run}", pure=False
        )
        for draw, key in pending
    ]
    running = set(futures)
    written: set[str] = set()
    try:
        for future in as_completed(futures):
            record = future.result()
            running.discard(future)
            future.release()  # the record is here now: the worker need not keep it
            if record[KEY] in written:
                continue
            write_record(out, record)
            written.add(record[KEY])
            if done is not None:
                done(record)
    except BaseException:  # Ctrl-C, or a draw that failed: stop the rest now
        client.cancel(list(running))
        raise
    return len(written)
