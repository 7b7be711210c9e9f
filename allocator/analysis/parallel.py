"""Many independent solves of one analysis, on the Dask engine or in this process.

``solve_many(task, shared, items, labels, workers, done, scheduler)`` calls
``task(shared, item)`` for every item and returns the results in the order of
``items``; ``done(label)`` is called in this process as each finishes (in completion
order). ``shared`` is what every solve needs (a runner, the base plan, a formulation):
it goes to each worker once. With one worker and no ``scheduler`` every solve runs
here, one after the other; otherwise on Dask (``allocator.cluster``): a local cluster
of ``workers`` single-threaded processes started for the analysis, or the cluster whose
scheduler is at ``scheduler``, whose workers must import the same ``allocator``.

Results come back without their formulation and column values, which would only cost
moving. A plan the checker rejects in a worker is raised here as ``PlanCheckError``
with its violations. ``run_many`` does the same for any task, whose answers come back
as it returns them. Ctrl-C or a task that fails cancels the solves not finished and
closes the cluster started here (``allocator.cluster``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, TypeVar

from allocator.engine import PlanCheckError, Result
from allocator.errors import InputError
from allocator.quiet import quiet_solvers
from allocator.verify import Violation

Shared = TypeVar("Shared")
Item = TypeVar("Item")
Answer = TypeVar("Answer")


@dataclass(frozen=True)
class _Rejected:
    """A plan the checker rejected, carried back from a worker."""

    violations: tuple[Violation, ...]


def worker_count(jobs: int, workers: int | None = None) -> int:
    """``workers`` if given, else one per CPU, never more than there are jobs; 1 solves
    in this process (unless a scheduler is given)."""
    if workers is not None and workers < 1:
        raise InputError(f"workers must be at least 1, got {workers}")
    return max(1, min(jobs, workers if workers is not None else os.cpu_count() or 1))


def _run(task: Callable[[Shared, Item], Result], shared: Shared, item: Item) -> Result | _Rejected:
    try:
        result = task(shared, item)
    except PlanCheckError as error:
        return _Rejected(error.violations)
    return replace(result, formulation=None, values=None)


def solve_many(
    task: Callable[[Shared, Item], Result],
    shared: Shared,
    items: Sequence[Item],
    labels: Sequence[str],
    workers: int = 1,
    done: Callable[[str], None] | None = None,
    scheduler: str | None = None,
) -> list[Result]:
    """Every item's result, in the order of ``items`` (see the module docstring)."""
    answers = run_many(partial(_run, task), shared, items, labels, workers, done, scheduler)
    for answer in answers:
        if isinstance(answer, _Rejected):
            raise PlanCheckError(answer.violations)
    return answers  # type: ignore[return-value]  # no _Rejected is left


def run_many(
    task: Callable[[Shared, Item], Answer],
    shared: Shared,
    items: Sequence[Item],
    labels: Sequence[str],
    workers: int = 1,
    done: Callable[[str], None] | None = None,
    scheduler: str | None = None,
) -> list[Answer]:
    """``task(shared, item)`` for every item, in the order of ``items``: here when
    ``workers`` <= 1 and no ``scheduler``, else on Dask; ``done(label)`` as each
    finishes."""
    if workers <= 1 and scheduler is None:
        answers: list[Answer] = []
        for item, label in zip(items, labels, strict=True):
            answers.append(task(shared, item))
            if done:
                done(label)
        return answers
    from allocator.cluster import future_pool  # Dask is loaded only when used

    with future_pool(scheduler, workers, len(items)) as pool:
        everywhere = pool.share(shared)
        return pool.map(partial(_quietly, task), items, labels, done, shared=everywhere)


def _quietly(task: Callable[[Shared, Item], Answer], shared: Shared, item: Item) -> Any:
    """``task(shared, item)`` in a worker, what solvers print hidden."""
    with quiet_solvers():
        return task(shared, item)
