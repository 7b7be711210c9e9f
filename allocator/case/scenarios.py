"""Applying scenarios: declarative changes at id-addressed paths, on a copy.

A path is keys joined by dots, where a list of items is entered by id:
``supply[cloud].unit_cost``, ``projects[sora].levels[full].demand.gb300``,
``budget.amounts.2026Q3``. Brackets also name a key of a mapping, which
serves keys that contain dots: ``budget.amounts[2026.5]``. Nothing in a
scenario is ever evaluated as code.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from pydantic import BaseModel

from allocator.case.scenario_model import Change

_SEGMENT = re.compile(r"([^.\[\]]+)(?:\[([^\[\]]+)\])?")


class ChangeError(ValueError):
    """A change that cannot be applied to the data it names."""


def parse_path(path: str) -> list[tuple[str, str | None]]:
    """Split ``a.b[id].c`` into [("a", None), ("b", "id"), ("c", None)]."""
    segments, pos = [], 0
    while pos < len(path):
        match = _SEGMENT.match(path, pos)
        if match is None:
            raise ChangeError(f"cannot read the path '{path}' at character {pos + 1}")
        segments.append((match.group(1).strip(), match.group(2)))
        pos = match.end()
        if pos < len(path):
            if path[pos] != "." or pos == len(path) - 1:
                raise ChangeError(f"cannot read the path '{path}' at character {pos + 1}")
            pos += 1
    if not segments:
        raise ChangeError("the path is empty")
    return segments


def plain(model: BaseModel) -> dict[str, Any]:
    """A case model as plain data with every field present."""
    return model.model_dump(mode="json")


def _writable(container: Any, key: Any) -> Any:
    """``container[key]``, made safe to change: models become plain data, containers copies.

    Data handed to ``apply_change`` may share models and containers with a
    case; only what lies on a changed path is copied, so a change to one
    project of a hundred thousand copies one project.
    """
    value = container[key]
    if isinstance(value, BaseModel):
        value = plain(value)
    elif isinstance(value, dict | list):
        value = type(value)(value)
    else:
        return value
    container[key] = value
    return value


def _ident(item: Any) -> Any:
    return item.get("id") if isinstance(item, dict) else getattr(item, "id", None)


def _item_by_id(items: Any, ident: str, where: str) -> int:
    if not isinstance(items, list):
        raise ChangeError(f"'{where}' is not a list of items with ids")
    for index, item in enumerate(items):
        if str(_ident(item)) == ident:
            return index
    known = ", ".join(str(_ident(i)) for i in items if _ident(i) is not None)
    raise ChangeError(f"'{where}' has no item with id '{ident}' (ids: {known or 'none'})")


def _locate(data: dict[str, Any], path: str) -> tuple[Any, Any, str]:
    """The container holding the path's target, the key or index in it, and the path as read."""
    segments = parse_path(path)
    node: Any = data
    where = ""
    for position, (name, ident) in enumerate(segments):
        last = position == len(segments) - 1
        if not isinstance(node, dict):
            raise ChangeError(f"'{where}' has no key '{name}': it is not a mapping")
        where = f"{where}.{name}" if where else name
        if ident is None and last:
            return node, name, where
        if name not in node:
            raise ChangeError(f"'{where}' does not exist")
        if ident is None:
            node = _writable(node, name)
            continue
        items = _writable(node, name)
        index = ident if isinstance(items, dict) else _item_by_id(items, ident, where)
        where = f"{where}[{ident}]"
        if isinstance(items, dict) and not last and index not in items:
            raise ChangeError(f"'{where}' does not exist")
        if last:
            return items, index, where
        node = _writable(items, index)
    raise ChangeError("the path is empty")


def _keys(container: Any) -> range | Any:
    return range(len(container)) if isinstance(container, list) else container


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numeric(value: Any, where: str, apply: Any) -> Any:
    """Apply ``apply`` to every number in ``value`` (a number, list or mapping of numbers)."""
    if _is_number(value):
        return apply(value)
    if isinstance(value, list) and value:
        return [_numeric(v, where, apply) for v in value]
    if isinstance(value, dict) and value:
        return {k: _numeric(v, where, apply) for k, v in value.items()}
    raise ChangeError(f"'{where}' holds {_kind_of(value)}, not numbers")


def _kind_of(value: Any) -> str:
    """What a value is, in a few words, for a message."""
    if value is None:
        return "nothing (it is not set; use 'set' to give it a value)"
    if isinstance(value, bool):
        return f"the flag {str(value).lower()}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, BaseModel | dict):
        return "a mapping with non-numeric entries" if value else "an empty mapping"
    if isinstance(value, list):
        return "a list with non-numeric entries" if value else "an empty list"
    return type(value).__name__


def apply_change(data: dict[str, Any], change: Change) -> None:
    """Apply one change to case data, in place; only the changed path is copied.

    Raises ChangeError when the path does not fit the data.
    """
    container, key, where = _locate(data, change.path)
    op = change.operation
    exists = key in _keys(container)
    if op == "set":
        container[key] = copy.deepcopy(change.set)
        return
    if not exists:
        raise ChangeError(f"'{where}' does not exist")
    if op == "remove":
        del container[key]
        return
    target = _writable(container, key)
    if op == "append":
        if not isinstance(target, list):
            raise ChangeError(f"'{where}' is not a list")
        target.append(copy.deepcopy(change.append))
    elif op == "scale":
        factor = change.scale
        container[key] = _numeric(target, where, lambda v: v * factor)
    else:
        amount = change.add
        container[key] = _numeric(target, where, lambda v: v + amount)
