"""Every solver of every backend with what it declares: the tables tests are generated from.

A plain helper module, like ``problems.py``. A test that needs "every solver with duals"
or "every solver that cannot take continuous columns" asks ``solvers`` for them instead
of listing names, so a solver added to a backend's table is tested without a new test.
"""

from __future__ import annotations

import numpy as np

from allocator.backends import BACKENDS, Capabilities, Feature, get_backend
from allocator.model import LinearModel


def _available() -> list[tuple[str, str, Capabilities]]:
    found = []
    for backend_name in BACKENDS:
        backend = get_backend(backend_name)
        for solver in backend.available_solvers():
            found.append((backend_name, solver, backend.capabilities(solver)))
    return found


AVAILABLE = _available()
"""(backend, solver, capabilities) for every solver available on this machine."""


def solvers(*features: Feature, lacking: tuple[Feature, ...] = ()) -> list[tuple[str, str]]:
    """(backend, solver) of every available solver declaring all of ``features`` and none of
    ``lacking``."""
    return [
        (backend, solver)
        for backend, solver, capabilities in AVAILABLE
        if all(capabilities.supports(f) for f in features)
        and not any(capabilities.supports(f) for f in lacking)
    ]


def ids(pairs: list[tuple[str, str]]) -> list[str]:
    """Test ids: ``backend-solver``."""
    return [f"{backend}-{solver}" for backend, solver in pairs]


def expected_refusal(capabilities: Capabilities, model: LinearModel) -> str | None:
    """What the declarations say a backend must refuse ``model`` for (a regex), or None.

    Written from the declarations, not from the backend's own check, so the two can disagree.
    """
    if not capabilities.supports(Feature.INTEGERS) and model.integer.any():
        return "linear programs only"
    if not capabilities.supports(Feature.CONTINUOUS) and not model.integer.all():
        return "integer-only"
    bounds = np.concatenate([model.lower, model.upper])
    if np.any(np.abs(bounds) > capabilities.bound_limit):
        return "clamps column bounds"
    return None
