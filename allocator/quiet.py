"""Keeping solver chatter off the user's terminal and off standard output.

Solver libraries write from C++ straight to the file descriptors, whatever their
output flags say: HiGHS prints its banner on descriptor 1 (which would corrupt
``--json -``) and debugging lines such as ``HighsMipSolverData::
transformNewIntegerFeasibleSolution tmpSolver.run();`` on descriptor 2. Python's own
writers — the report, rich spinners and progress bars, error messages — go through
``sys.stdout`` and ``sys.stderr`` instead, so the two can be told apart:

================  =====================================  ==============================
inside the block  descriptors 1 and 2 (C++, children)    ``sys.stderr`` (Python, rich)
================  =====================================  ==============================
quiet (default)   a temporary file, dropped afterwards   the terminal's standard error
verbose           1: standard error; 2: unchanged        unchanged
================  =====================================  ==============================

In quiet mode ``sys.stderr`` is, for the block, a text stream on a duplicate of the
original descriptor 2; a ``rich`` console made with ``stderr=True`` looks
``sys.stderr`` up at every write, so spinners keep showing. ``sys.stdout`` is left
as it is, on descriptor 1: a library printing from Python is chatter too, and must
not reach ``--json -``; so reports are printed after the block, not inside it.
Worker processes started inside the block inherit the redirected descriptors.

The descriptors belong to the whole process: ``quiet_solvers`` is the form for code
that may run in several threads at once (a Dask worker with more than one thread),
where one block must not restore what another has just redirected.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def solver_output(verbose: bool = False) -> Iterator[None]:
    """Inside the block, what solvers write to descriptors 1 and 2 is hidden (see above);
    with ``verbose`` it is shown on standard error, never on standard output."""
    try:
        out, err = sys.stdout.fileno(), sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # not real files (captured in tests)
        yield
        return
    sys.stdout.flush()
    sys.stderr.flush()
    saved_out, saved_err = os.dup(out), os.dup(err)
    python_stderr = sys.stderr
    with contextlib.ExitStack() as restore:
        restore.callback(os.close, saved_out)
        restore.callback(os.close, saved_err)
        restore.callback(os.dup2, saved_out, out)
        restore.callback(os.dup2, saved_err, err)
        restore.callback(sys.stdout.flush)
        if verbose:
            os.dup2(saved_err, out)
        else:
            sink = restore.enter_context(tempfile.TemporaryFile(prefix="allocator-solver-"))
            terminal = os.fdopen(
                saved_err,
                "w",
                encoding=python_stderr.encoding or "utf-8",
                errors=getattr(python_stderr, "errors", None) or "backslashreplace",
                buffering=1,
                closefd=False,
            )
            restore.callback(terminal.close)  # not the descriptor: that is closed last
            restore.callback(setattr, sys, "stderr", python_stderr)
            sys.stderr = terminal
            os.dup2(sink.fileno(), out)
            os.dup2(sink.fileno(), err)
        yield


_shared = threading.Lock()
_holders = 0
_held: contextlib.ExitStack | None = None


@contextlib.contextmanager
def quiet_solvers() -> Iterator[None]:
    """``solver_output()`` shared by the threads of a process: the first thread in hides
    the solvers' output, the last one out shows it again."""
    global _holders, _held
    with _shared:
        if _holders == 0:
            stack = contextlib.ExitStack()
            stack.enter_context(solver_output())
            _held = stack
        _holders += 1
    try:
        yield
    finally:
        with _shared:
            _holders -= 1
            if _holders == 0 and _held is not None:
                _held.close()
                _held = None
