"""What each solver can do, declared once per solver and queried everywhere else.

A backend keeps a table, solver name -> ``Capabilities``. The backend refuses a model
its solver would answer differently (``refuse_unsupported``), reads duals only from
solvers that declare them, and the analyses choose a solver by asking for a feature
(``Backend.solvers_with(Feature.DUALS)``). The tests are generated from the same tables.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from allocator.backends.base import BackendError
from allocator.model.linear import LinearModel, family_counts


class Feature(StrEnum):
    """One thing a solver may or may not do."""

    INTEGERS = "integers"
    """Solves models with integer columns."""
    CONTINUOUS = "continuous"
    """Solves models with continuous columns (not rounded to whole numbers)."""
    DUALS = "duals"
    """Reports row duals and reduced costs of a linear program (sign: ``max_dual_sign``)."""
    BOUND = "bound"
    """Reports its own best bound on the objective (not a copy of the objective)."""
    HINTS = "hints"
    """Takes a starting plan (``Backend.solve(..., start=x)``): the backend hands every
    column's value to the solver, which may use it as its first incumbent."""
    INTERRUPT = "interrupt"
    """Stops on Ctrl-C and hands back its best plan so far."""
    THREADS = "threads"
    """Runs on the number of threads ``SolveOptions.threads`` asks for."""


@dataclass(frozen=True)
class Capabilities:
    """What one solver does; ``features`` is the set of ``Feature`` it supports."""

    features: frozenset[Feature]
    bound_limit: float = math.inf
    """The largest abs(column bound) it handles exactly (inf: no limit); larger bounds
    are refused."""
    max_dual_sign: float = 1.0
    """Multiplies the duals and reduced costs it reports for a maximisation to make them
    d objective / d bound; a minimisation's are read as reported."""

    def supports(self, feature: Feature) -> bool:
        """Whether the solver declares ``feature``."""
        return feature in self.features

    def why_not(self, model: LinearModel) -> str | None:
        """Why the solver would answer a different model than ``model`` (None: it would not)."""
        integer = np.asarray(model.integer, dtype=bool)
        if not self.supports(Feature.INTEGERS) and integer.any():
            columns = np.flatnonzero(integer)
            return (
                f"solves linear programs only; this model has {columns.size} integer "
                f"columns ({family_counts(columns, model.variables)})"
            )
        if not self.supports(Feature.CONTINUOUS) and not integer.all():
            columns = np.flatnonzero(~integer)
            return (
                "solves integer-only models, and would round continuous columns to whole "
                f"numbers; this model has {columns.size} continuous columns "
                f"({family_counts(columns, model.variables)})"
            )
        limit = self.bound_limit
        if math.isfinite(limit):
            beyond = (np.abs(model.lower) > limit) | (np.abs(model.upper) > limit)
            if beyond.any():
                columns = np.flatnonzero(beyond)
                return (
                    f"clamps column bounds to +-{limit:g} and would answer a different model; "
                    f"{columns.size} columns have an infinite or larger bound "
                    f"({family_counts(columns, model.variables)})"
                )
        return None


GENERAL = Capabilities(frozenset({Feature.INTEGERS, Feature.CONTINUOUS}))
"""What is assumed of a solver nobody has declared: it takes integer and continuous
columns, and nothing more is known."""


def solvers_with(table: Mapping[str, Capabilities], *features: Feature) -> list[str]:
    """The solvers of ``table`` declaring every one of ``features``, in the table's order."""
    return [name for name, caps in table.items() if all(caps.supports(f) for f in features)]


def refuse_unsupported(table: Mapping[str, Capabilities], solver: str, model: LinearModel) -> None:
    """``BackendError`` when ``solver`` would answer a different model than ``model``,
    naming the solvers of ``table`` that would not."""
    reason = table.get(solver, GENERAL).why_not(model)
    if reason is None:
        return
    others = [name for name, caps in table.items() if name != solver and not caps.why_not(model)]
    use = f"; use {_either(others)}" if others else ""
    raise BackendError(f"{solver} {reason}{use}")


def refuse_start(table: Mapping[str, Capabilities], solver: str) -> None:
    """``BackendError`` when a starting plan is given to ``solver``, which takes none
    (``Feature.HINTS``), naming the solvers of ``table`` that do."""
    if table.get(solver, GENERAL).supports(Feature.HINTS):
        return
    others = solvers_with(table, Feature.HINTS)
    use = f"; {_either(others)} take one" if others else ""
    raise BackendError(f"{solver} is given no starting plan by this backend{use}")


def _either(names: list[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" or {names[-1]}"
