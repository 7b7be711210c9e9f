"""Scenarios as data: named lists of declarative changes to a case."""

from __future__ import annotations

from typing import Any

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from allocator.case.base import CaseModel
from allocator.case.types import SignedAmount, SignedFactor

OPERATIONS = ("set", "scale", "add", "remove", "append")


def _key_text(key: Any) -> str:
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, bool):
        return {None: "null", True: "true", False: "false"}[key]
    return str(key)


def _text_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {_key_text(k): _text_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_text_keys(v) for v in value]
    return value


class Change(CaseModel):
    """One change at an id-addressed path such as ``supply[cloud].unit_cost``.

    Exactly one operation: ``set`` a value, ``scale`` every number at the
    path by a factor, ``add`` an amount to every number at the path,
    ``remove`` the item the path names (``remove: true``) or ``append`` an
    item to the list the path names.
    """

    path: str = Field(min_length=1)
    set: Any = None
    scale: SignedFactor | None = None
    add: SignedAmount | None = None
    remove: bool | None = None
    append: Any = None

    @field_validator("set", "append", mode="before")
    @classmethod
    def _text_keys(cls, value: Any) -> Any:
        """Mapping keys as text, as every key of a case is: ``{2026: 5}`` sets ``{"2026": 5}``."""
        return _text_keys(value)

    @model_validator(mode="after")
    def _one_operation(self) -> Change:
        given = [op for op in OPERATIONS if op in self.model_fields_set]
        if len(given) != 1:
            found = ", ".join(given) if given else "none"
            raise ValueError(f"give exactly one of {', '.join(OPERATIONS)} (found: {found})")
        if self.remove is False:
            raise ValueError("'remove' takes the value true")
        return self

    @model_serializer(mode="wrap")
    def _given_only(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Write the path and the one operation given: the key present names the operation."""
        data = handler(self)
        return {"path": data.get("path", self.path), self.operation: data.get(self.operation)}

    @property
    def operation(self) -> str:
        """The name of the operation this change performs."""
        return next(op for op in OPERATIONS if op in self.model_fields_set)


class Scenario(CaseModel):
    """A named what-if: changes applied, in order, to a copy of the case."""

    description: str | None = None
    changes: list[Change] = Field(default_factory=list)
