"""The solver-neutral model: variables, constraint rows and objective held as arrays."""

from allocator.model.builder import ModelBuilder
from allocator.model.linear import Family, LinearModel

__all__ = ["Family", "LinearModel", "ModelBuilder"]
