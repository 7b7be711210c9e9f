"""Keeping standard output clean while solver libraries run.

Some solvers print banners from C++ straight to file descriptor 1 (HiGHS does,
whatever its output flag), which would corrupt ``--json -``. While a solve runs,
descriptor 1 points at standard error; Python-level writes are flushed first.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send everything written to descriptor 1 to descriptor 2 inside the block."""
    try:
        out, err = sys.stdout.fileno(), sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # not real files (captured in tests)
        yield
        return
    sys.stdout.flush()
    saved = os.dup(out)
    try:
        os.dup2(err, out)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, out)
        os.close(saved)
