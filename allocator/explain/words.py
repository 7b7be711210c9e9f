"""Broken and conflicting limits in the case's words, with the case path to change.

Each row family declares its own words beside its rows (``RowMeaning.change`` for a
shortfall, ``RowMeaning.limit`` for the limit itself); here they are filled in with
the row's case ids, the amount and the projects involved.
"""

from __future__ import annotations

from allocator.case.model import Case
from allocator.formulation.meaning import RowMeaning, meaning_of
from allocator.model.linear import LinearModel, member
from allocator.numbers import amount as fmt

Users = dict[tuple[str, str], list[str]]
"""Funded projects by (resource, period) they use, and by ("money", period)."""


def _row(model: LinearModel, row: int) -> tuple[str, RowMeaning, dict[str, str]]:
    family, keys = member(row, model.constraints)
    meaning = meaning_of(family)
    if meaning is None:
        raise ValueError(f"row family '{family.name}' declares no words")
    return family.name, meaning, {k: str(v) for k, v in keys.items()}


def _subject(keys: dict[str, str]) -> str:
    return " ".join(v for k, v in keys.items() if k != "period")


def change_row(case: Case, model: LinearModel, row: int, amount: float, users: Users) -> tuple:
    """(family, subject, period, amount, what to change, case path) for a slack of
    ``amount`` on ``row``."""
    name, meaning, keys = _row(model, row)
    period = keys.get("period", "")
    if meaning.users == "resource":
        who = users.get((keys.get("resource", ""), period), [])
    elif meaning.users == "money":
        who = users.get(("money", period), [])
    else:
        who = []
    assert meaning.change is not None  # every softened family declares its words
    text, path = meaning.change(case, keys, fmt(amount), who, fmt)
    return (name, _subject(keys), period or None, amount, text, path)


def limit_row(case: Case, model: LinearModel, row: int) -> tuple:
    """(family, subject, period, the limit in words, case path) for a conflict row."""
    name, meaning, keys = _row(model, row)
    assert meaning.limit is not None  # every softened family declares its words
    text, path = meaning.limit(case, keys, fmt)
    return (name, _subject(keys), keys.get("period") or None, text, path)
