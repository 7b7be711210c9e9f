"""Keeping solver chatter off the user's terminal: ``solver_output`` (see ``allocator.quiet``).

The helper works on file descriptors and knows nothing of reports, so it lives in
``allocator.quiet``, where the sweep's workers use it too; the commands import it here.
"""

from __future__ import annotations

from allocator.quiet import solver_output

__all__ = ["solver_output"]
