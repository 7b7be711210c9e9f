"""Solver backends: one translator per solver library, chosen by name."""

from allocator.backends.base import Backend, BackendError
from allocator.backends.capabilities import Capabilities, Feature
from allocator.backends.conditions import Condition
from allocator.backends.options import SolveOptions
from allocator.backends.registry import BACKENDS, DEFAULT_BACKEND, get_backend
from allocator.backends.termination import SolveResult, SolveStatus, Termination

__all__ = [
    "BACKENDS",
    "DEFAULT_BACKEND",
    "Backend",
    "BackendError",
    "Capabilities",
    "Condition",
    "Feature",
    "SolveOptions",
    "SolveResult",
    "SolveStatus",
    "Termination",
    "get_backend",
]
