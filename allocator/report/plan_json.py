"""JSON documents: the header every command's document carries, and the document of a solve.

The header (``header``), in every document: case {name, file, sha256}, scenario,
backend, solver, solver_version, money_unit, allocator_version.

The solve's document: status, proven_optimal, gap_limit (the relative gap the solve was
allowed to stop at), objective, bound, gap, seconds, backend, solver, solver_version,
solver_why (why that backend and solver: the measured default or as asked), message,
limit_reached, interrupted, then the rest of the header (case, scenario,
money_unit, allocator_version), model {columns, rows, nonzeros, integers}, timings,
warnings, then the plan: projects, allocations, supply, funding, earmarks, credit,
cash (the money table), objective_parts, binding, and checked (True once the
independent checker passed the plan). Without a plan the plan's keys hold empty lists.
NaN is written as null.

Layout (``dumps``): one top-level key per line; a list of records (a plan table) with
one record per line, written compactly; anything else indented by one space. A plan of
100,000 projects and a million allocation rows is written in seconds this way, where
indenting every record took Python's JSON writer 9 s.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from allocator import __version__
from allocator.analysis.runner import Runner
from allocator.backends.registry import get_backend
from allocator.backends.termination import Termination
from allocator.case.model import Case
from allocator.engine import Result

HEADER_KEYS = (
    "case",
    "scenario",
    "backend",
    "solver",
    "solver_version",
    "money_unit",
    "allocator_version",
)
"""The keys every command's JSON document has, built by ``header``."""


@dataclass(frozen=True)
class CaseOrigin:
    """Where a document's case came from: the file as named, the sha256 of its bytes and
    the scenario applied to it (None: the case as written)."""

    file: str
    sha256: str
    scenario: str | None = None


def header(case: Case, termination: Termination, origin: CaseOrigin) -> dict[str, Any]:
    """The keys every JSON document starts with (``HEADER_KEYS``): the case (its name, the
    file and its sha256), the scenario, the backend, solver and solver version of
    ``termination``, the case's money unit and the version of allocator."""
    return {
        "case": {"name": case.name, "file": origin.file, "sha256": origin.sha256},
        "scenario": origin.scenario,
        "backend": termination.backend,
        "solver": termination.solver,
        "solver_version": termination.solver_version,
        "money_unit": case.money_unit,
        "allocator_version": __version__,
    }


def runner_header(
    case: Case, runner: Runner, origin: CaseOrigin, solver_version: str | None
) -> dict[str, Any]:
    """``header`` for a document of many solves run by ``runner`` (a sweep, a hedge):
    the backend and solver asked for, and the solver version the solves reported."""
    return {
        "case": {"name": case.name, "file": origin.file, "sha256": origin.sha256},
        "scenario": origin.scenario,
        "backend": runner.backend,
        "solver": runner.solver or get_backend(runner.backend).default_solver,
        "solver_version": solver_version or None,
        "money_unit": case.money_unit,
        "allocator_version": __version__,
    }


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


def result_document(result: Result, origin: CaseOrigin) -> dict[str, Any]:
    """The whole JSON document of ``result`` (see the module docstring)."""
    t = result.termination
    record: dict[str, Any] = {
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
        "solver_why": result.solver_why or None,
        "message": t.message,
        "limit_reached": t.limit_reached,
        "interrupted": t.interrupted,
    }
    document = record | header(result.case, t, origin)
    document |= {
        "model": result.size,
        "timings": result.seconds,
        "warnings": list(result.warnings),
    }
    plan = result.plan
    for key, table in PLAN_KEYS.items():
        document[key] = [] if plan is None else records(getattr(plan, table))
    document["checked"] = result.verification is not None and result.verification.ok
    if result.decomposition is not None:
        document["decomposition"] = result.decomposition.document()
    return document


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``table`` as JSON-ready dicts (numpy scalars to Python, NaN and
    infinities to None), converted column by column."""
    columns = [str(name) for name in table.columns]
    values = [_plain_column(table[name]) for name in table.columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def _plain_column(column: pd.Series) -> list[Any]:
    """A column as Python values (``plain``): numbers through numpy in one step."""
    data = column.to_numpy()
    if data.dtype.kind in "iub":
        return data.tolist()
    if data.dtype.kind == "f":
        finite = np.isfinite(data)
        listed = data.tolist()
        if finite.all():
            return listed
        return [v if ok else None for v, ok in zip(listed, finite.tolist(), strict=True)]
    return [plain(v) for v in data.tolist()]


def plain(value: Any) -> Any:
    """A value as JSON writes it: numpy scalars as Python values, NaN and infinities as
    None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def dumps(document: dict[str, Any]) -> str:
    """The document as JSON text in the layout of the module docstring, ending in a
    newline."""
    lines = [f" {json.dumps(key)}: {_value(value)}" for key, value in document.items()]
    return "{\n" + ",\n".join(lines) + "\n}\n" if lines else "{}\n"


def _value(value: Any) -> str:
    """One top-level value: a list of records one per line, anything else indented (the
    nested lines shifted one space, as JSON strings hold no raw newline)."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        encode = json.JSONEncoder(allow_nan=False).encode  # one encoder for every record
        rows = ",\n".join(f"  {encode(v)}" for v in value)
        return f"[\n{rows}\n ]"
    return json.dumps(value, indent=1, allow_nan=False).replace("\n", "\n ")
