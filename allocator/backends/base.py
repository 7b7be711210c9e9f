"""The interface every backend implements, and the errors a backend may raise."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np

from allocator.backends.options import SolveOptions
from allocator.backends.termination import SolveResult
from allocator.model.linear import LinearModel

if TYPE_CHECKING:
    from allocator.backends.capabilities import Capabilities, Feature


class BackendError(Exception):
    """A backend cannot do what was asked (an unknown or unavailable solver, say)."""


class Backend(Protocol):
    """Translates a ``LinearModel`` for one solver library and reads the answer back.

    A backend never reads the case and never changes the model. It refuses what
    it cannot do with ``BackendError``; it never falls back to something else.
    """

    name: str
    default_solver: str

    def available_solvers(self) -> list[str]:
        """The solver names this backend can use on this machine."""
        ...

    def capabilities(self, solver: str) -> Capabilities:
        """What ``solver`` declares it can do (``allocator.backends.capabilities``)."""
        ...

    def solvers_with(self, *features: Feature) -> list[str]:
        """The solvers declaring every one of ``features``, available here or not, in the
        backend's order."""
        ...

    def solve(
        self, model: LinearModel, options: SolveOptions, start: np.ndarray | None = None
    ) -> SolveResult:
        """Solve ``model``; the status says whether the answer is proven optimal.

        ``start``: a value for every column, handed to the solver as a starting plan;
        ``BackendError`` when the solver does not declare ``Feature.HINTS``. A start
        changes how fast the answer comes, never what counts as an answer."""
        ...
