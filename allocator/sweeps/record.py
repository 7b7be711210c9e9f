"""One draw solved: the flat record a sweep keeps of it.

``solve_draw`` applies a draw to the case, solves it (the plan passes the independent
checker, as every plan does) and reads the plan into one record: the drawn values,
the status, the objective and bound, the funded projects with their level and start,
the optional contracts signed, the cash low point and when, the credit peak, the
guaranteed returns paid, whether its plan is the minimal change from the base plan
(``allocator.plan.nearness.minimal_flag``; null without the search) and the seconds it
took. A draw whose changes break a rule of
the case is ``invalid`` (with the validation message); a draw with no plan keeps its
status (``infeasible``, ``no_solution``) and null figures. Neither is dropped.

The record's fields (``RECORD_FIELDS``) are plain values (numbers, text, lists of
text and JSON text for mappings), so a record is one row of a Parquet table.
"""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np

from allocator.analysis.runner import Runner
from allocator.case.draws import Draw, draw_case
from allocator.case.errors import CaseError
from allocator.case.model import Case
from allocator.engine import Result
from allocator.plan import Plan
from allocator.plan.nearness import minimal_flag

INVALID = "invalid"
"""The status of a draw whose changes break a rule of the case."""

PLAN_FIELDS = (
    "funded",
    "levels",
    "starts",
    "signed",
    "cash_low",
    "cash_low_period",
    "credit_peak",
    "guaranteed_returns",
)
"""The fields read from a plan (``plan_figures``)."""

RECORD_FIELDS = (
    "draw",
    "weight",
    "values",
    "status",
    "objective",
    "bound",
    "gap",
    "message",
    "solver_version",
    *PLAN_FIELDS,
    "minimal",
    "seconds",
)
"""The fields of a record, in order. ``values``, ``levels`` and ``starts`` are JSON text
({factor: value}, {project: level}, {project: start period}); ``funded`` and ``signed``
lists of ids."""


def solve_draw(case: Case, draw: Draw, runner: Runner) -> dict[str, Any]:
    """The record of ``draw`` solved with ``runner`` (see the module docstring)."""
    started = time.perf_counter()
    record = _empty(draw)
    try:
        drawn = draw_case(case, draw)
    except CaseError as error:
        record.update(status=INVALID, message="; ".join(str(p) for p in error.problems))
    else:
        record.update(_figures(runner.solve(drawn)))
    record["seconds"] = time.perf_counter() - started
    return record


def _empty(draw: Draw) -> dict[str, Any]:
    return {
        "draw": draw.index,
        "weight": draw.weight,
        "values": json.dumps(draw.values, sort_keys=True),
        "status": "",
        "objective": None,
        "bound": None,
        "gap": None,
        "message": "",
        "solver_version": "",
        "funded": [],
        "levels": "{}",
        "starts": "{}",
        "signed": [],
        "cash_low": None,
        "cash_low_period": None,
        "credit_peak": None,
        "guaranteed_returns": None,
        "minimal": None,
        "seconds": 0.0,
    }


def _figures(result: Result) -> dict[str, Any]:
    """What a record keeps of a solve's termination and plan."""
    t = result.termination
    figures: dict[str, Any] = {
        "status": t.status.value,
        "objective": t.objective,
        "bound": t.bound,
        "gap": t.gap,
        "message": t.message,
        "solver_version": t.solver_version,
        "minimal": minimal_flag(result.nearness),
    }
    if result.plan is not None:
        figures.update(plan_figures(result.case, result.plan))
    return figures


def plan_figures(case: Case, plan: Plan) -> dict[str, Any]:
    """What a record keeps of a plan: funded projects (level, start), optional contracts
    signed, the cash low point and its period, the credit peak, guaranteed returns paid."""
    funded = plan.projects[plan.projects["funded"]]
    optional = {s.id for s in case.supply if s.optional}
    signed = plan.supply.groupby("supply", sort=False)["signed"].any()
    money = plan.money
    low = int(np.argmin(money["cash"].to_numpy())) if len(money) else None
    balance = plan.credit["balance"].to_numpy()
    return {
        "funded": funded["id"].tolist(),
        "levels": json.dumps(dict(zip(funded["id"], funded["level"], strict=True))),
        "starts": json.dumps(dict(zip(funded["id"], funded["start"], strict=True))),
        "signed": [s for s, yes in signed.items() if yes and s in optional],
        "cash_low": None if low is None else float(money["cash"].iloc[low]),
        "cash_low_period": None if low is None else str(money["period"].iloc[low]),
        "credit_peak": float(balance.max()) if balance.size else 0.0,
        "guaranteed_returns": float(money["guaranteed_returns"].sum()),
    }
