"""The Dask engine every parallel command runs on: sweeps, two-stage plans, the parts of a
decomposition and the re-solves of an analysis.

``dask_client(scheduler, workers, jobs)`` opens a client of the cluster whose scheduler is
at ``scheduler`` (``tcp://host:8786``; its workers must import the same ``allocator``),
or of a ``LocalCluster`` of single-threaded worker processes started for the run and
closed after it (``workers`` of them, default one per CPU, never more than ``jobs``).
``future_pool`` wraps that client in a ``FuturePool``, whose ``map(task, items, labels,
done, shared)`` runs ``task(item)`` (or ``task(shared, item)``) for every item there and
returns the answers in the order of ``items``; ``done(label)`` is called in this process
as each finishes. ``share(value)`` sends a value every task needs to each worker once.

A task that raises ends the map with its error after cancelling the rest; so does
Ctrl-C. The workers of a cluster started here ignore Ctrl-C themselves (the terminal
sends it to every process of the command): the command stops them, giving each
``STOP_SECONDS``, and closes the cluster.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from distributed import Client, Future, LocalCluster, Nanny, WorkerPlugin, as_completed

from allocator.errors import InputError

Item = TypeVar("Item")
Answer = TypeVar("Answer")

STOP_SECONDS = 0.5
"""How long a worker of a local cluster is given to stop when a run is interrupted."""


@dataclass(frozen=True)
class FuturePool:
    """Runs many independent solves on one Dask client (see the module docstring)."""

    client: Client

    def share(self, value: Any) -> Future:
        """``value`` sent to every worker once (``Client.scatter``, broadcast); hand the
        future to ``map`` as ``shared``. It goes as one object (``Whole``): Dask would
        send the entries of a tuple one by one, and objects that must stay one (a model
        and a screen holding that model) would arrive as copies."""
        return self.client.scatter(Whole(value), broadcast=True, hash=False)

    def map(
        self,
        task: Callable[..., Answer],
        items: Sequence[Item],
        labels: Sequence[str],
        done: Callable[[str], None] | None = None,
        shared: Future | None = None,
    ) -> list[Answer]:
        """``task(item)``, or ``task(value, item)`` with the value ``shared`` holds, for
        every item, in the order of ``items``."""
        run = uuid.uuid4().hex[:8]
        call = (task,) if shared is None else (_with_shared, task, shared)
        submitted: dict[Future, int] = {
            self.client.submit(*call, item, key=f"{label}-{run}", pure=False): i
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


@dataclass(frozen=True)
class Whole:
    """A value every task of a map needs, sent to the workers as one object."""

    value: Any


def _with_shared(task: Callable[[Any, Item], Answer], shared: Whole, item: Item) -> Answer:
    return task(shared.value, item)


@contextlib.contextmanager
def future_pool(scheduler: str | None, workers: int | None, jobs: int) -> Iterator[FuturePool]:
    """A pool on the cluster at ``scheduler``, or on a local one started for the run."""
    with dask_client(scheduler, workers, max(1, jobs)) as client:
        yield FuturePool(client)


@contextlib.contextmanager
def dask_client(scheduler: str | None, workers: int | None, jobs: int) -> Iterator[Client]:
    """A client of the cluster at ``scheduler``, or of a local cluster started (and closed)
    here."""
    if scheduler is not None:
        try:
            client = Client(scheduler)
        except (OSError, TimeoutError) as error:
            raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
        with client:
            yield client
        return
    cluster = _start(min(workers or os.cpu_count() or 1, jobs))
    try:
        with Client(cluster) as client:
            client.register_plugin(IgnoreInterrupts(), name="allocator-ignore-interrupts")
            yield client
    except BaseException:
        _stop_workers(cluster)
        raise
    finally:
        cluster.close()


def _start(workers: int) -> LocalCluster:
    """A local cluster of ``workers`` processes. A Ctrl-C while it starts (about two
    seconds) is answered once it has: the cluster is closed and the interrupt raised.
    Dask cannot close a cluster interrupted while its workers start (its exit handler
    fails with a traceback)."""
    with _held_interrupts() as held:
        cluster = local_cluster(workers)
    if held:
        _stop_workers(cluster)
        cluster.close()
        raise KeyboardInterrupt
    return cluster


@contextlib.contextmanager
def _held_interrupts() -> Iterator[list[int]]:
    """Inside the block, a Ctrl-C is noted in the yielded list instead of raised (in the
    main thread only: elsewhere the block runs as it is)."""
    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return
    previous = signal.signal(signal.SIGINT, lambda number, _frame: caught.append(number))
    try:
        yield caught
    finally:
        signal.signal(signal.SIGINT, previous)


def local_cluster(workers: int) -> LocalCluster:
    """The cluster a run starts: ``workers`` single-threaded worker processes, no
    dashboard, only errors logged."""
    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},  # its health page: any free port
        silence_logs=logging.ERROR,
    )


def _stop_workers(cluster: LocalCluster) -> None:
    """End the worker processes now, solving or not: closing the cluster would wait for
    the tasks they are running. Each worker is given ``STOP_SECONDS`` to stop, then killed."""

    async def stop() -> None:
        nannies = [w for w in cluster.workers.values() if isinstance(w, Nanny)]
        await asyncio.gather(
            *(n.close(timeout=STOP_SECONDS, reason="run stopped") for n in nannies)
        )

    with contextlib.suppress(Exception):
        cluster.sync(stop)


class IgnoreInterrupts(WorkerPlugin):
    """Workers of a local cluster ignore Ctrl-C: the terminal sends it to every process of
    the command, and the command itself stops them (without a traceback from each)."""

    def setup(self, worker: Any) -> None:
        """Ignore SIGINT in the worker process (its main thread runs the worker)."""
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)
