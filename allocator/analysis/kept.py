"""Formulations kept alive across the variants of one analysis, in every process.

A forced variant of ``opportunity`` differs from the base only in bounds, so the base
formulation serves them all. ``keep`` files it under a token before the worker
processes start; forked workers inherit it (Linux), so no variant formulates the case
again; a worker that did not inherit it (started by spawning, elsewhere) formulates
the case once and keeps it for the variants it solves after. ``release`` drops it when
the analysis is done. (The translation for the solver is not kept: from arrays it takes
milliseconds, ``docs/performance.md``.)
"""

from __future__ import annotations

import uuid

from allocator.case.model import Case
from allocator.formulation import Formulation, formulate

_KEPT: dict[str, Formulation] = {}


def keep(formulation: Formulation) -> str:
    """File ``formulation``; the token finds it again in this process and its forks."""
    token = uuid.uuid4().hex
    _KEPT[token] = formulation
    return token


def kept(token: str, case: Case) -> Formulation:
    """The formulation filed under ``token``, or ``case``'s, formulated once here."""
    found = _KEPT.get(token)
    if found is None:
        found = _KEPT[token] = formulate(case)
    return found


def release(token: str) -> None:
    """Drop the formulation filed under ``token``."""
    _KEPT.pop(token, None)
