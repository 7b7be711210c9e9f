"""Checking the rest of a case whose fields do not all validate.

A case with a negative cost may also name an unknown resource: the author
should hear of both at once. The fields that fail validation are left out of
a copy of the data (so their defaults apply), and if that copy validates the
cross-field rules run on it. Only fields that have a default are left out:
a missing required key, a bad id or a rule about a whole item stops the
salvage, so no problem is reported that the author's own data would not have.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import ValidationError

from allocator.case.messages import key_of
from allocator.case.model import Case

ROUNDS = 4


def salvage(error: ValidationError, data: dict[str, Any]) -> tuple[Case, dict[str, Any]] | None:
    """A case, and the data it came from, with every failing field left out; None if impossible."""
    pruned = copy.deepcopy(data)
    for _ in range(ROUNDS):
        for detail in error.errors(include_url=False):
            if detail["type"] == "missing" or not _drop_field(pruned, detail["loc"]):
                return None
        try:
            return Case.model_validate(pruned), pruned
        except ValidationError as again:
            error = again
    return None


def _drop_field(data: dict[str, Any], loc: tuple[str | int, ...]) -> bool:
    """Remove the deepest key along ``loc`` below an item or section; False if there is none."""
    node: Any = data
    target: tuple[dict[Any, Any], Any] | None = None
    for segment in loc:
        if isinstance(node, dict):
            key = key_of(node, segment)
            if key is None:
                continue
            if node is not data:
                target = (node, key)
            node = node[key]
        elif isinstance(node, list) and isinstance(segment, int) and 0 <= segment < len(node):
            node = node[segment]
    if target is None or target[1] == "id":
        return False
    container, key = target
    del container[key]
    return True
