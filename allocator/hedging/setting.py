"""What a two-stage plan is computed on and with, shared by its steps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from allocator.analysis.runner import Runner
from allocator.case.model import Case
from allocator.hedging.extensive import Future

if TYPE_CHECKING:
    from allocator.cluster import FuturePool  # Dask loads only when a pool is made

Done = Callable[[str], None]
Phase = Callable[[str, int], Done]
"""``phase(what, solves)`` is called as each phase begins (``solves`` 0: one long solve)
and returns the callback each of its solves calls as it finishes."""


@dataclass(frozen=True)
class Setting:
    """The case, its futures, the commit period's index, how each solve runs, where the
    per-future solves run, the progress callback, the projects the first stage decides,
    and the method: ``iterations`` of dual
    decomposition evaluating up to ``candidates`` first stages each (``iterations``
    None: the extensive form)."""

    case: Case
    futures: list[Future]
    commit: int
    runner: Runner
    pool: FuturePool
    phase: Phase
    iterations: int | None = None
    candidates: int = 2
    decided: tuple[str, ...] = ()
    """The projects the first stage decides (``allocator.hedging.futures.decided_projects``)."""
