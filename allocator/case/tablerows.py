"""Rows of a table as nested items: column names with dots nest (``demand.gb300``)."""

from __future__ import annotations

from typing import Any


def column_problem(columns: list[str]) -> str | None:
    """What is wrong with a table's column names (empty, dots at an end or doubled, or
    a name given twice), or None."""
    bad = [
        i + 1
        for i, c in enumerate(columns)
        if not c or c.startswith(".") or c.endswith(".") or ".." in c
    ]
    if bad:
        return f"column(s) {bad} have no usable name"
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        return f"column(s) {twice} appear twice"
    return None


def nest(row: dict[str, Any], keys: list[str], value: Any) -> bool:
    """Put ``value`` at the dotted ``keys`` of ``row``; False if another column holds that place."""
    *parents, leaf = keys
    target = row
    for key in parents:
        nested = target.setdefault(key, {})
        if not isinstance(nested, dict):
            return False
        target = nested
    if leaf in target:
        return False
    target[leaf] = value
    return True
