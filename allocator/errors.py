"""The error for a request the caller can fix."""

from __future__ import annotations


class InputError(ValueError):
    """A request refused for what was asked: an option out of range, an unknown scenario,
    project or funding source, a range the wrong way round.

    The message says what to change. It is a ``ValueError``, so callers that caught
    ``ValueError`` for bad options still do. The command line exits with status 2 for
    it (as for ``CaseError``, a case that cannot be used, and ``BackendError``, an
    unknown or unavailable backend or solver); any other ``ValueError`` or ``KeyError``
    escaping the code is a fault of the program, reported as an internal error (1).
    """
