"""A first stage in words: what to sign, take, buy, draw and start now.

    sign stargate-gb300 now             do not sign broadcom-asic
    take private-equity                 take 40% of private-equity
    do not take private-equity          buy 40,000 gpu from nvidia-gb300 in 2026Q1
    draw 1,200 USD_M on bank-credit in 2026Q1
    start chat at expand in 2026Q1      do not start video by 2026Q1

Only decisions are said: an option or a source that is not optional is always signed
or taken, and is left out. ``differences`` lists the lines of one first stage that
another does not have (what the expected-value plan would do instead).
"""

from __future__ import annotations

import pandas as pd

from allocator.case.model import Case
from allocator.numbers import amount


def stage_words(case: Case, tables: dict[str, pd.DataFrame], commit: str) -> list[str]:
    """The first stage of ``tables`` (``allocator.hedging.tables``) as sentences."""
    if not tables:
        return []
    resource = {s.id: s.resource for s in case.supply}
    levels = {p.id: p.uses_levels for p in case.projects}
    lines = []
    for s, optional, signed in tables["supply"][["id", "optional", "signed"]].itertuples(
        index=False
    ):
        if optional:
            lines.append(f"sign {s} now" if signed else f"do not sign {s}")
    for f, optional, taken in tables["funding"][["id", "optional", "taken"]].itertuples(
        index=False
    ):
        if optional:
            lines.append(_taken(f, taken))
    for s, t, units in tables["purchases"].itertuples(index=False):
        lines.append(f"buy {amount(units)} {resource.get(s, 'units')} from {s} in {t}")
    for f, t, money in tables["credit"].itertuples(index=False):
        lines.append(f"draw {amount(money)} {case.money_unit} on {f} in {t}")
    for p, funded, level, start in tables["projects"].itertuples(index=False):
        if not funded:
            lines.append(f"do not start {p} by {commit}")
        elif levels.get(p):
            lines.append(f"start {p} at {level} in {start}")
        else:
            lines.append(f"start {p} in {start}")
    return lines


def differences(lines: list[str], other: list[str]) -> list[str]:
    """The lines of ``other`` that ``lines`` does not have, in ``other``'s order."""
    mine = set(lines)
    return [line for line in other if line not in mine]


def _taken(funding: str, fraction: float) -> str:
    if fraction >= 1 - 1e-9:
        return f"take {funding}"
    if fraction <= 1e-9:
        return f"do not take {funding}"
    return f"take {fraction:.0%} of {funding}"
