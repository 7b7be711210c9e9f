"""When ``allocator solve`` solves by parts on its own, and into how many.

A case of more than ``AUTO_ABOVE`` projects is solved by parts unless the command says
otherwise (``--decompose 1``: the whole model; ``--decompose K``: K parts), in
``ceil(projects / PART_PROJECTS)`` parts (at least 2). The numbers come from the
measurements in docs/performance.md ("Large cases"), 2 cores:

- At 10,000 generated projects the whole model is solved within the default gap in
  29 s, proven by SCIP's own bound (6e-5); by parts takes 16 s for a plan 0.007% worse,
  whose gap against the parts' bound is 0.08%.
- At 20,000 the whole model takes 193 s, and as long at a gap of 1%; 2 parts take 56 s
  (32 s at a gap of 1%) for a better plan, 0.06% from the parts' bound.
- At 100,000 the whole model had not reached a gap of 1% after 12 minutes of CPU time.
  By parts at a gap of 1%: 16 parts of 6,250 gave a checked plan within 0.099% in
  112 s end to end, 8 parts of 12,500 within 0.085% in 121 to 140 s, 4 parts of 25,000
  took 30 s longer than 8 (a part's LP relaxation grows faster than its size; at
  10,000 projects 2, 4 and 8 parts took 19, 17 and 19 s).

The choice depends on the number of projects only, so the same case and options always
get the same choice; the report and the JSON say it was automatic.
"""

from __future__ import annotations

import math

AUTO_ABOVE = 15_000
"""Cases with more projects than this are solved by parts unless told otherwise."""

PART_PROJECTS = 6_250
"""About this many projects per part."""


def automatic_parts(projects: int) -> int | None:
    """The number of parts for a case of ``projects`` projects; None: the whole model."""
    if projects <= AUTO_ABOVE:
        return None
    return max(2, math.ceil(projects / PART_PROJECTS))
