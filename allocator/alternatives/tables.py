"""The tables of an alternatives search: one row per portfolio, and one per project
saying how often it is funded across them (the robust core, the contested, the never).
"""

from __future__ import annotations

import pandas as pd

from allocator.alternatives.api import Alternatives
from allocator.alternatives.portfolio import Portfolio
from allocator.case.model import Case

SUMMARY = ["rank", "objective", "left_on_table", "left_share", "funded", "differs"]
PRESENCE = ["project", "funded_in", "share", "group", "levels"]


def summary(found: Alternatives) -> pd.DataFrame:
    """rank (0: the optimum), objective (of the portfolio's best plan), left_on_table
    (the optimum less it), left_share (of |optimum|), funded (how many projects),
    differs (against the optimum, one change per entry: +added, -dropped, p: a -> b)."""
    best = found.found[0].portfolio
    rows = []
    for rank, alternative in enumerate(found.found):
        objective = float(alternative.result.termination.objective)
        left = found.optimum - objective
        share = left / abs(found.optimum) if found.optimum else 0.0
        changes = differs(best, alternative.portfolio)
        rows.append((rank, objective, left, share, len(alternative.portfolio), changes))
    return pd.DataFrame(rows, columns=SUMMARY)


def differs(best: Portfolio, other: Portfolio) -> list[str]:
    """What ``other`` funds differently from ``best``, in the order of ``best`` then the
    rest: ``+video (full)``, ``-browser``, ``sovereign: multi-country -> one-country``."""
    out = []
    for project, level in best.items():
        if project not in other:
            out.append(f"-{project}")
        elif other[project] != level:
            out.append(f"{project}: {level} -> {other[project]}")
    out += [f"+{p} ({level})" for p, level in other.items() if p not in best]
    return out


def presence(case: Case, found: Alternatives) -> pd.DataFrame:
    """Per project, in case order: in how many portfolios it is funded, that share, its
    group (core: in all, never: in none, contested: the others) and the levels seen."""
    total = len(found.found)
    rows = []
    for project in case.projects:
        levels = [a.portfolio[project.id] for a in found.found if project.id in a.portfolio]
        count = len(levels)
        group = "core" if count == total else "never" if count == 0 else "contested"
        seen = ", ".join(dict.fromkeys(levels))
        rows.append((project.id, count, count / total, group, seen))
    return pd.DataFrame(rows, columns=PRESENCE)
