"""Pausing Python's cyclic garbage collector while many objects are made at once."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off, restoring its state after.

    Validating a large case creates hundreds of thousands of small objects and
    none of them are garbage; the collector's repeated passes over them more
    than double the time (measured in ``benchmarks/bench_load.py``).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
