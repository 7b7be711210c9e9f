"""Backends by name, from an explicit table; solver libraries are imported only when used."""

from __future__ import annotations

import importlib

from allocator.backends.base import Backend, BackendError

BACKENDS: dict[str, tuple[str, str]] = {
    "ortools": ("allocator.backends.ortools_backend", "OrToolsBackend"),
    "pulp": ("allocator.backends.pulp_backend", "PulpBackend"),
    "highs": ("allocator.backends.highs_backend", "HighsBackend"),
}
"""Backend name -> (module, class). The first is the default."""

DEFAULT_BACKEND = "ortools"

DEFAULT_WHY = (
    "the default: fastest measured from 3,000 projects up (docs/performance.md, "
    "Choosing the solver)"
)
"""Why ortools / SCIP is the default, for the report and the JSON."""


def get_backend(name: str = DEFAULT_BACKEND) -> Backend:
    """The backend called ``name``; a clear error lists the known names otherwise."""
    try:
        module_name, class_name = BACKENDS[name]
    except KeyError:
        known = ", ".join(BACKENDS)
        raise BackendError(f"no backend named '{name}' (backends: {known})") from None
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise BackendError(f"the {name} backend cannot be loaded: {err}") from None
    backend: Backend = getattr(module, class_name)()
    return backend


def solver_why(backend: str, solver: str | None) -> str:
    """Why a solve ran on ``backend`` with ``solver`` (None: the backend's default): the
    measured default (``DEFAULT_WHY``), or what was asked for."""
    if solver is not None:
        return f"asked for ({backend} / {solver})"
    if backend != DEFAULT_BACKEND:
        return f"the default of the {backend} backend, which was asked for"
    return DEFAULT_WHY
