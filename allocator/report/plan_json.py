"""The JSON document of a solve: the termination record, the case, and the plan's tables.

Keys: status, proven_optimal, gap_limit (the relative gap the solve was allowed to
stop at), objective, bound, gap, seconds, backend, solver, solver_version,
message, limit_reached, interrupted, case {name, file, sha256}, scenario, model {columns,
rows, nonzeros, integers}, timings, then the plan: projects, allocations,
supply, funding, earmarks, credit, cash (the money table), objective_parts,
binding, and checked (True once the independent checker passed the plan).
Without a plan the plan's keys hold empty lists. NaN is written as null.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

from allocator.engine import Result

PLAN_KEYS = {
    "projects": "projects",
    "allocations": "allocations",
    "supply": "supply",
    "funding": "funding",
    "earmarks": "earmarks",
    "credit": "credit",
    "cash": "money",
    "objective_parts": "objective",
    "binding": "binding",
}
"""JSON key -> plan table."""


def result_document(result: Result, file: str, sha256: str) -> dict[str, Any]:
    """The whole JSON document of ``result`` (see the module docstring)."""
    t = result.termination
    document: dict[str, Any] = {
        "status": t.status.value,
        "proven_optimal": t.proven_optimal,
        "gap_limit": t.gap_limit,
        "objective": t.objective,
        "bound": t.bound,
        "gap": t.gap,
        "seconds": t.seconds,
        "backend": t.backend,
        "solver": t.solver,
        "solver_version": t.solver_version,
        "message": t.message,
        "limit_reached": t.limit_reached,
        "interrupted": t.interrupted,
        "case": {"name": result.case.name, "file": file, "sha256": sha256},
        "scenario": result.scenario,
        "money_unit": result.case.money_unit,
        "model": result.size,
        "timings": result.seconds,
        "warnings": list(result.warnings),
    }
    plan = result.plan
    for key, table in PLAN_KEYS.items():
        document[key] = [] if plan is None else records(getattr(plan, table))
    document["checked"] = result.verification is not None and result.verification.ok
    return document


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``table`` as JSON-ready dicts (numpy scalars to Python, NaN to None)."""
    return [{k: _plain(v) for k, v in row.items()} for row in table.to_dict(orient="records")]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def dumps(document: dict[str, Any]) -> str:
    """The document as indented JSON text, ending in a newline."""
    return json.dumps(document, indent=1, allow_nan=False) + "\n"
