"""What a replan changes against the earlier plan, one line per decision after the
freeze, in the case's words: projects (funded or not, level, start), supply options
signed, units bought and credit drawn per period, equity taken."""

from __future__ import annotations

import pandas as pd

from allocator.case.model import Case
from allocator.hedging.decisions import TOLERANCE, FirstStage
from allocator.numbers import amount

COLUMNS = ["kind", "id", "before", "after", "text"]


def stage_changes(case: Case, before: FirstStage, after: FirstStage, freeze: int) -> pd.DataFrame:
    """The decisions of ``after`` that differ from ``before`` and take effect after the
    period of index ``freeze`` (rows: kind, id, before, after, text)."""
    later = {t for t, k in case.period_index.items() if k > freeze}
    rows = _projects(case, before, after)
    rows += _signed(case, before, after)
    rows += _amounts("purchase", before.bought, after.bought, later)
    rows += _amounts("credit", before.drawn, after.drawn, later)
    rows += _taken(before, after)
    return pd.DataFrame(rows, columns=COLUMNS)


def _projects(case: Case, before: FirstStage, after: FirstStage) -> list[tuple[str, ...]]:
    rows = []
    for project in case.projects:
        was, now = _state(before, project.id), _state(after, project.id)
        if was != now:
            rows.append(("project", project.id, was, now, f"{project.id}: {was} -> {now}"))
    return rows


def _state(stage: FirstStage, project: str) -> str:
    if project not in stage.started:
        return "off"
    level, start = stage.started[project]
    return f"{level} from {start}"


def _signed(case: Case, before: FirstStage, after: FirstStage) -> list[tuple[str, ...]]:
    rows = []
    for option in case.supply:
        default = not option.optional
        was = before.signed.get(option.id, default)
        now = after.signed.get(option.id, default)
        if was != now:
            words = ("signed", "not signed")
            a, b = words[not was], words[not now]
            rows.append(("supply", option.id, a, b, f"{option.id}: {a} -> {b}"))
    return rows


def _amounts(
    kind: str,
    before: dict[tuple[str, str], float],
    after: dict[tuple[str, str], float],
    later: set[str],
) -> list[tuple[str, ...]]:
    rows = []
    for key in sorted(set(before) | set(after)):
        if key[1] not in later:
            continue
        was, now = before.get(key, 0.0), after.get(key, 0.0)
        if amount(was) != amount(now):
            verb = "bought" if kind == "purchase" else "drawn"
            text = f"{key[0]} in {key[1]}: {amount(was)} -> {amount(now)} {verb}"
            rows.append((kind, f"{key[0]}@{key[1]}", amount(was), amount(now), text))
    return rows


def _taken(before: FirstStage, after: FirstStage) -> list[tuple[str, ...]]:
    rows = []
    for source in sorted(set(before.taken) | set(after.taken)):
        was, now = before.taken.get(source, 0.0), after.taken.get(source, 0.0)
        if abs(was - now) > TOLERANCE:
            a, b = f"{was:.0%} taken", f"{now:.0%} taken"
            rows.append(("funding", source, a, b, f"{source}: {a} -> {b}"))
    return rows
