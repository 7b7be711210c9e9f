"""Solving a large case by parts, POP-style: split, solve the parts in parallel, combine,
repair on the whole case, and report the gap against a bound of the whole case."""

from allocator.decompose.api import Decomposition, decompose_solve
from allocator.decompose.parts import split

__all__ = ["Decomposition", "decompose_solve", "split"]
