"""The per-future solves of a two-stage plan, on Dask as a sweep's draws are.

``future_pool(scheduler, workers, jobs)`` opens a client of the cluster at ``scheduler``
or of a local cluster of single-threaded worker processes started for the run
(``allocator.sweeps.engine.dask_client``: one per CPU by default, never more than
``jobs``), and yields a ``FuturePool`` whose ``map(task, items, labels, done)`` runs
``task(item)`` for every item there and returns the answers in the order of ``items``;
``done(label)`` is called in this process as each one finishes. A task that raises ends
the map with its error after cancelling the rest; so does Ctrl-C.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from distributed import Client, Future, as_completed

from allocator.sweeps.engine import dask_client

Item = TypeVar("Item")
Answer = TypeVar("Answer")


@dataclass(frozen=True)
class FuturePool:
    """Runs many independent solves on one Dask client (see the module docstring)."""

    client: Client

    def map(
        self,
        task: Callable[[Item], Answer],
        items: Sequence[Item],
        labels: Sequence[str],
        done: Callable[[str], None] | None = None,
    ) -> list[Answer]:
        """``task(item)`` for every item, in the order of ``items``."""
        run = uuid.uuid4().hex[:8]
        submitted: dict[Future, int] = {
            self.client.submit(task, item, key=f"{label}-{run}", pure=False): i
            for i, (item, label) in enumerate(zip(items, labels, strict=True))
        }
        answers: list[Any] = [None] * len(items)
        running = set(submitted)
        try:
            for future in as_completed(list(submitted)):
                i = submitted[future]
                answers[i] = future.result()
                running.discard(future)
                future.release()
                if done is not None:
                    done(labels[i])
        except BaseException:  # a task that failed, or Ctrl-C: stop the rest now
            self.client.cancel(list(running))
            raise
        return answers


@contextlib.contextmanager
def future_pool(scheduler: str | None, workers: int | None, jobs: int) -> Iterator[FuturePool]:
    """A pool on the cluster at ``scheduler``, or on a local one started for the run."""
    with dask_client(scheduler, workers, max(1, jobs)) as client:
        yield FuturePool(client)
