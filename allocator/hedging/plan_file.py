"""The first stage of a plan kept as JSON: a ``solve`` document or a ``hedge`` one.

A ``solve`` JSON gives the plan's tables (``projects``, ``supply``, ``funding``,
``credit``); its first stage is read as from a plan (``allocator.hedging.decisions``): the
options signed, the equity taken, and the purchases, credit draws and starts up to the
commit period. A ``hedge`` JSON gives its ``first_stage`` directly. Every id must be one
of the case's (an option, a source, a project and its level, a period of the horizon);
a file that is not such a document, or names something the case does not have, raises
``InputError`` with the file and the place in it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from allocator.case.model import Case
from allocator.errors import InputError
from allocator.hedging.decisions import TOLERANCE, FirstStage, committed

WITH_PLAN = ("optimal", "feasible", "evaluated")
"""The statuses of a solve or hedge document that has a plan."""

SOLVE_TABLES = {
    "projects": ("id", "funded", "level", "start"),
    "supply": ("supply", "kind", "period", "signed", "bought"),
    "funding": ("funding", "kind", "taken"),
    "credit": ("funding", "period", "draw"),
}
"""The tables of a ``solve`` JSON a first stage is read from, and the keys each row needs."""

STAGE_TABLES = {
    "supply": ("id", "signed"),
    "projects": ("id", "funded", "level", "start"),
    "purchases": ("supply", "period", "units"),
    "funding": ("id", "taken"),
    "credit": ("id", "period", "draw"),
}
"""The tables of a ``hedge`` JSON's ``first_stage``, and the keys each row needs."""


@dataclass(frozen=True)
class PlanFile:
    """A plan file read: its first stage, the case its header names (None without
    one) and, for a hedge, the last period it decided (``commit_through``)."""

    stage: FirstStage
    case_name: str | None
    commit_through: str | None


def read_first_stage(path: Path, case: Case, commit: int) -> FirstStage:
    """The first stage of the plan in ``path`` (see the module docstring), every id
    checked against ``case``."""
    stage = read_plan(path, case, commit).stage
    check_ids(path, case, stage)
    return stage


def read_plan(path: Path, case: Case, commit: int) -> PlanFile:
    """The plan in ``path``: its first stage (see the module docstring; its ids not yet
    checked: ``check_ids``) and what its header says it is for."""
    document = _document(path)
    status = document.get("status")
    if status is not None and status not in WITH_PLAN:
        raise InputError(f"{path}: the plan file has no plan (status {status})")
    commit_through = None
    if "first_stage" in document:
        tables = _tables(path, document["first_stage"], STAGE_TABLES, "first_stage.")
        stage = _from_stage(tables)
        commit_through = document.get("commit_through")
    else:
        stage = _from_solve(case, _tables(path, document, SOLVE_TABLES, ""), commit)
    named = document.get("case")
    name = named.get("name") if isinstance(named, dict) else None
    return PlanFile(
        stage,
        None if name is None else str(name),
        str(commit_through) if commit_through else None,
    )


def _document(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"{path}: cannot read the plan file: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: not a JSON document: {error}") from None
    if not isinstance(document, dict):
        raise InputError(f"{path}: not the JSON of a solve or a hedge (no keys at the top)")
    return document


def _tables(
    path: Path, document: dict[str, Any], wanted: dict[str, tuple[str, ...]], prefix: str
) -> dict[str, pd.DataFrame]:
    """Each wanted list of rows as a table, every row with the keys it needs."""
    if not isinstance(document, dict) or not all(name in document for name in wanted):
        missing = [n for n in wanted if not isinstance(document, dict) or n not in document]
        raise InputError(
            f"{path}: not the JSON of a solve or a hedge: no {prefix}{', '.join(missing)}"
        )
    tables = {}
    for name, keys in wanted.items():
        rows = document[name]
        if not isinstance(rows, list):
            raise InputError(f"{path}: {prefix}{name}: a list of rows, got {type(rows).__name__}")
        for i, row in enumerate(rows):
            if not isinstance(row, dict) or any(k not in row for k in keys):
                raise InputError(f"{path}: {prefix}{name}[{i}]: a row needs {', '.join(keys)}")
        tables[name] = pd.DataFrame(rows, columns=list(keys))
    return tables


def _from_solve(case: Case, tables: dict[str, pd.DataFrame], commit: int) -> FirstStage:
    supply, funding, credit = tables["supply"], tables["funding"], tables["credit"]
    projects = tables["projects"]
    purchases = supply[(supply["kind"] == "purchase") & (supply["bought"] > TOLERANCE)]
    funded = projects[projects["funded"].astype(bool)]
    return FirstStage(
        signed={str(s): bool(v) for s, v in supply.groupby("supply")["signed"].any().items()},
        bought={
            (s, t): float(u)
            for s, t, u in purchases[["supply", "period", "bought"]].itertuples(index=False)
            if committed(case, t, commit)
        },
        taken={
            str(f): float(v) for f, kind, v in funding.itertuples(index=False) if kind == "equity"
        },
        drawn={
            (f, t): float(v)
            for f, t, v in credit.itertuples(index=False)
            if committed(case, t, commit) and v > TOLERANCE
        },
        started={
            p: (level, start)
            for p, _, level, start in funded.itertuples(index=False)
            if committed(case, start, commit)
        },
    )


def _from_stage(tables: dict[str, pd.DataFrame]) -> FirstStage:
    funded = tables["projects"][tables["projects"]["funded"].astype(bool)]
    return FirstStage(
        signed={str(s): bool(v) for s, v in tables["supply"].itertuples(index=False)},
        bought={(s, t): float(u) for s, t, u in tables["purchases"].itertuples(index=False)},
        taken={str(f): float(v) for f, v in tables["funding"].itertuples(index=False)},
        drawn={(f, t): float(v) for f, t, v in tables["credit"].itertuples(index=False)},
        started={p: (level, start) for p, _, level, start in funded.itertuples(index=False)},
    )


def check_ids(path: Path, case: Case, stage: FirstStage) -> None:
    """Every id the first stage names is one of the case's; otherwise ``InputError``."""
    supply = {s.id for s in case.supply}
    funding = {f.id: f for f in case.funding}
    levels = {p.id: {level.id for level in p.all_levels} for p in case.projects}
    problems = [f"supply option {s!r}" for s in stage.signed if s not in supply]
    problems += [f"supply option {s!r}" for s, _ in stage.bought if s not in supply]
    problems += [f"funding source {f!r}" for f in stage.taken if f not in funding]
    problems += [f"funding source {f!r}" for f, _ in stage.drawn if f not in funding]
    problems += [f"project {p!r}" for p in stage.started if p not in levels]
    problems += [
        f"level {level!r} of project {p!r}"
        for p, (level, _) in stage.started.items()
        if p in levels and level not in levels[p]
    ]
    periods = [t for _, t in stage.bought] + [t for _, t in stage.drawn]
    periods += [t for _, t in stage.started.values()]
    problems += [f"period {t!r}" for t in periods if t not in case.period_index]
    if problems:
        raise InputError(
            f"{path}: the plan names what the case {case.name!r} does not have: "
            + ", ".join(dict.fromkeys(problems))
        )
