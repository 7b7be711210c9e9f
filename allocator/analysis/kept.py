"""Formulations kept alive across the variants of one analysis, in every process.

A forced variant of ``opportunity`` differs from the base only in bounds, so the base
formulation serves them all. ``keep`` files it under a token before the worker
processes start; forked workers inherit it (Linux), so no variant formulates the case
again; a worker that did not inherit it (started by spawning, elsewhere) formulates
the case once and keeps it for the variants it solves after. ``release`` drops it when
the analysis is done; ``filed`` does both around a block. (The translation for the
solver is not kept: from arrays it takes milliseconds, ``docs/performance.md``.)
Anything else filed the same way is found with ``held`` (a screen of the variants,
which a worker needs) or ``inherited`` (a base plan that only saves work where it is
there).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from typing import Any

from allocator.case.model import Case
from allocator.formulation import Formulation, formulate

_KEPT: dict[str, Any] = {}


def keep(value: Any) -> str:
    """File ``value`` (a formulation); the token finds it again in this process and its
    forks."""
    token = uuid.uuid4().hex
    _KEPT[token] = value
    return token


def kept(token: str, case: Case) -> Formulation:
    """The formulation filed under ``token``, or ``case``'s, formulated once here."""
    found = _KEPT.get(token)
    if found is None:
        found = _KEPT[token] = formulate(case)
    return found


def held(token: str) -> Any:
    """What is filed under ``token`` in this process (inherited by a fork); a process
    that did not inherit it cannot rebuild it, and says so."""
    if token not in _KEPT:
        raise RuntimeError(
            "a worker process did not inherit what the analysis filed (it was not forked); "
            "run with one worker"
        )
    return _KEPT[token]


def inherited(token: str) -> Any:
    """What is filed under ``token`` in this process, or None where it was not inherited
    (a worker started by spawning): for what only saves work."""
    return _KEPT.get(token)


def release(token: str) -> None:
    """Drop the formulation filed under ``token``."""
    _KEPT.pop(token, None)


@contextlib.contextmanager
def filed(value: Any) -> Iterator[str]:
    """``keep(value)`` for the block, released when it ends (however it ends)."""
    token = keep(value)
    try:
        yield token
    finally:
        release(token)
