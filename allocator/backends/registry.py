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
