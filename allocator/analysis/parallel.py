"""Many independent solves, in worker processes or in this one.

``solve_many(task, items, labels, workers, done)`` calls ``task(item)`` for every item
and returns the results in the order of ``items``; ``done(label)`` is called as
each finishes (in completion order). ``workers`` <= 1 solves here, one after the
other; more starts a process pool (forked on Linux, so nothing is imported again
and callers need no ``if __name__ == "__main__"`` guard; the platform's default
elsewhere). Results come back without their formulation and column values, which
would only cost pickling. A plan the checker rejects in a worker is raised here as
``PlanCheckError`` with its violations. ``run_many`` does the same for any task, whose
answers come back as it returns them.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from functools import partial
from typing import TypeVar

from allocator.engine import PlanCheckError, Result
from allocator.errors import InputError
from allocator.verify import Violation

Item = TypeVar("Item")
Answer = TypeVar("Answer")


@dataclass(frozen=True)
class _Rejected:
    """A plan the checker rejected, carried back from a worker (the exception's own
    pickled form loses the violations)."""

    violations: tuple[Violation, ...]


def worker_count(jobs: int, workers: int | None = None) -> int:
    """``workers`` if given, else one per CPU, never more than there are jobs; 1 solves
    in this process."""
    if workers is not None and workers < 1:
        raise InputError(f"workers must be at least 1, got {workers}")
    return max(1, min(jobs, workers if workers is not None else os.cpu_count() or 1))


def _run(task: Callable[[Item], Result], item: Item) -> Result | _Rejected:
    try:
        result = task(item)
    except PlanCheckError as error:
        return _Rejected(error.violations)
    return replace(result, formulation=None, values=None)


def solve_many(
    task: Callable[[Item], Result],
    items: Sequence[Item],
    labels: Sequence[str],
    workers: int = 1,
    done: Callable[[str], None] | None = None,
) -> list[Result]:
    """Every item's result, in the order of ``items`` (see the module docstring)."""
    answers = run_many(partial(_run, task), items, labels, workers, done)
    for answer in answers:
        if isinstance(answer, _Rejected):
            raise PlanCheckError(answer.violations)
    return answers  # type: ignore[return-value]  # no _Rejected is left


def run_many(
    task: Callable[[Item], Answer],
    items: Sequence[Item],
    labels: Sequence[str],
    workers: int = 1,
    done: Callable[[str], None] | None = None,
) -> list[Answer]:
    """``task(item)`` for every item, in the order of ``items``: here when ``workers``
    <= 1, else in that many worker processes; ``done(label)`` as each finishes."""
    answers: list[Answer | None] = [None] * len(items)
    if workers <= 1:
        for i, item in enumerate(items):
            answers[i] = task(item)
            if done:
                done(labels[i])
        return answers  # type: ignore[return-value]  # every slot is filled
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=_context())
    try:
        futures: dict[Future[Answer], int] = {
            executor.submit(task, item): i for i, item in enumerate(items)
        }
        for future in as_completed(futures):
            i = futures[future]
            answers[i] = future.result()
            if done:
                done(labels[i])
    except BaseException:  # an interrupt, or a task that failed: stop the rest now
        _stop(executor)
        raise
    executor.shutdown()
    return answers  # type: ignore[return-value]  # every slot is filled


def _stop(executor: ProcessPoolExecutor) -> None:
    """Cancel the solves not started and end the workers running the others (a worker
    that caught an interrupt would otherwise go on to the solves already queued)."""
    terminate = getattr(executor, "terminate_workers", None)  # Python 3.14 and later
    if terminate is not None:
        terminate()
        return
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()


def _context() -> multiprocessing.context.BaseContext:
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()
