"""Turning pydantic's validation errors into problems a case author can act on."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from allocator.case.errors import Problem, join_path

Locate = Callable[[tuple[str | int, ...]], tuple[str, int | None]]
"""Maps a location in the raw data to (file, line) for the problem."""


def field_names(*models: type[BaseModel]) -> set[str]:
    """Every field name of the given models and of the models nested in them."""
    names: set[str] = set()
    seen: set[type] = set()
    stack: list[Any] = list(models)
    while stack:
        model = stack.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            names.add(name)
            stack.extend(_nested_models(info.annotation))
    return names


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in getattr(annotation, "__args__", ()) or ():
        found.extend(_nested_models(arg))
    for arg in getattr(annotation, "__metadata__", ()) or ():
        found.extend(_nested_models(arg))
    origin = getattr(annotation, "__origin__", None)
    if origin is not None and origin is not annotation:
        found.extend(_nested_models(origin))
    return found


def readable_path(raw: Any, loc: tuple[str | int, ...]) -> tuple[str, tuple[str | int, ...]]:
    """The id-addressed path of ``loc`` in ``raw``, and the part of ``loc`` that exists.

    List items that carry an ``id`` are written ``[id]``, others ``[index]``;
    segments pydantic adds that are not in the data (union tags) are skipped.
    """
    path, node, kept = "", raw, []
    for segment in loc:
        if (
            isinstance(node, BaseModel)
            and isinstance(segment, str)
            and segment in type(node).model_fields
        ):
            path, node = join_path(path, segment), getattr(node, segment)
        elif isinstance(node, dict) and (key := key_of(node, segment)) is not None:
            path, node, segment = join_path(path, str(key)), node[key], key
        elif isinstance(node, list) and isinstance(segment, int) and 0 <= segment < len(node):
            item = node[segment]
            ident = item.get("id") if isinstance(item, dict) else getattr(item, "id", None)
            usable = isinstance(ident, str | int) and not isinstance(ident, bool) and ident != ""
            label = ident if usable else segment
            path, node = join_path(path, f"[{label}]"), item
        else:
            continue
        kept.append(segment)
    return path, tuple(kept)


def key_of(mapping: dict[Any, Any], segment: str | int) -> Any:
    """The key of ``mapping`` that ``segment`` names; ``"2027"`` also finds the number 2027."""
    if segment in mapping:
        return segment
    if isinstance(segment, str) and segment.lstrip("-").isdigit() and int(segment) in mapping:
        return int(segment)
    return None


def _shown(value: Any) -> str:
    """A value as the case author wrote it: text quoted, numbers short, flags lower case."""
    if isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, float):
        text = f"{value:g}"
    elif isinstance(value, str):
        text = repr(value)
    else:
        text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _message(error: dict[str, Any], vocabulary: set[str]) -> str:
    kind, given = error["type"], error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        close = difflib.get_close_matches(key, vocabulary, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown key{hint}"
    if kind == "missing":
        return f"missing required key '{error['loc'][-1]}'"
    if kind in {"greater_than_equal", "greater_than"}:
        bound = ctx.get("ge", ctx.get("gt"))
        sign = ">=" if kind == "greater_than_equal" else ">"
        word = "negative number" if bound == 0 and kind == "greater_than_equal" else "number"
        return f"{word} {_shown(given)}; must be {sign} {_shown(bound)}"
    if kind in {"less_than_equal", "less_than"}:
        bound = _shown(ctx.get("le", ctx.get("lt")))
        return f"number {_shown(given)} is too large; must be <= {bound}"
    if kind == "finite_number":
        return "must be a finite number"
    if kind in {"float_type", "int_type"}:
        return f"expected a number, got {_shown(given)}"
    if kind == "bool_type":
        return f"expected true or false, got {_shown(given)}"
    if kind == "string_type":
        return f"expected text, got {_shown(given)}"
    if kind == "string_pattern_mismatch":
        return (
            f"{_shown(given)} is not a usable id: ids are not empty, have no brackets "
            "and no blanks at either end"
        )
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return f"expected a mapping of keys to values, got {_shown(given)}"
    if kind == "list_type":
        return f"expected a list, got {_shown(given)}"
    if kind in {"too_short", "string_too_short"}:
        return "must not be empty"
    if kind == "enum":
        return f"expected one of {ctx.get('expected')}, got {_shown(given)}"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    message = str(error["msg"])
    return message[0].lower() + message[1:]


def validation_problems(
    err: ValidationError,
    raw: Any,
    locate: Locate,
    vocabulary: set[str],
    prefix: tuple[str | int, ...] = (),
) -> list[Problem]:
    """One problem per pydantic error, with the id-addressed path and the file and line."""
    problems = []
    for error in err.errors(include_url=False):
        loc = prefix + tuple(error["loc"])
        path, kept = readable_path(raw, loc)
        file, line = locate(kept)
        problems.append(Problem(file, path, _message(error, vocabulary), line))
    return problems
