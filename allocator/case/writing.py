"""Writing a case back out as YAML or JSON that loads to an equal case."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from allocator.case.model import Case
from allocator.case.yamlio import dump_yaml
from allocator.errors import InputError


def case_to_data(case: Case) -> dict[str, Any]:
    """The case as plain data, keeping the keys its author gave and leaving out empty ones.

    ``None`` in the schema means "not given", so leaving it out loses nothing.
    """
    return case.model_dump(mode="json", exclude_unset=True, exclude_none=True)


def dump_case(case: Case, fmt: str = "yaml") -> str:
    """The case as YAML (``fmt="yaml"``) or JSON (``fmt="json"``) text."""
    data = case_to_data(case)
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    if fmt == "yaml":
        return dump_yaml(data)
    raise InputError(f"unknown case format '{fmt}'; use 'yaml' or 'json'")


def save_case(case: Case, path: str | Path) -> None:
    """Write the case to ``path``: JSON for a ``.json`` file, YAML otherwise."""
    target = Path(path)
    target.write_text(
        dump_case(case, "json" if target.suffix.lower() == ".json" else "yaml"), encoding="utf-8"
    )
