"""The JSON of a two-stage plan (after the common header).

Keys (a contract): ``kind`` (grid or monte_carlo), ``seed``, ``commit_through``,
``risk_aversion``, ``cvar_alpha``, ``evaluated`` (the plan file held fixed, or null),
``status``, ``message``, ``objective`` (what was maximised: the expected objective, or
its mix with the CVaR), ``bound`` (no first stage does better) and ``gap``, ``expected_objective``,
``cvar`` (null without risk aversion and without --cvar-alpha), ``vss``, ``evpi``,
``wait_and_see`` (the mean of the futures' own optima), ``meaning`` (one line for vss
and evpi), ``first_stage`` (``supply`` [{id, kind, optional, signed}], ``projects``
[{id, funded, level, start}], ``purchases`` [{supply, period, units}], ``funding``
[{id, optional, taken}], ``credit`` [{id, period, draw}]), ``expected_value_plan``
(its ``expected_objective``, ``no_plan_futures``, ``message`` and ``first_stage``; null
when evaluating a given plan), ``futures`` (one per future: future, weight, values,
status, objective, message, funded, levels, starts, signed, cash_low,
cash_low_period, credit_peak, guaranteed_returns, hindsight_objective and, with an
expected-value plan, ev_status and ev_objective), ``method`` (``extensive`` or
``decomposition``), ``model`` (the extensive form's size) and ``decomposition``
(``iterations``, ``evaluated``: first stages held in every future, ``trace``: each
iteration's bound and best; null for the extensive form).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from allocator.hedging.api import Hedge
from allocator.report.hedge_view import EVPI_MEANS, VSS_MEANS
from allocator.report.plan_json import records

STAGE_KEYS = ("supply", "projects", "purchases", "funding", "credit")


def hedge_document(found: Hedge, evaluated: Path | None = None) -> dict[str, Any]:
    """The body of the JSON of ``found`` (see the module docstring)."""
    ev = found.expected_value
    return {
        "kind": "grid" if found.grid else "monte_carlo",
        "seed": found.seed,
        "commit_through": found.commit,
        "risk_aversion": found.risk_aversion,
        "cvar_alpha": found.alpha,
        "evaluated": None if evaluated is None else str(evaluated),
        "status": found.status,
        "message": found.message,
        "objective": found.objective,
        "bound": found.bound,
        "gap": found.gap,
        "expected_objective": found.expected_objective,
        "cvar": found.cvar,
        "vss": found.vss,
        "evpi": found.evpi,
        "wait_and_see": found.wait_and_see,
        "meaning": {"vss": VSS_MEANS, "evpi": EVPI_MEANS},
        "first_stage": stage_document(found.first_stage),
        "expected_value_plan": None
        if ev is None
        else {
            "expected_objective": ev.expected_objective,
            "no_plan_futures": ev.no_plan,
            "message": ev.message,
            "first_stage": stage_document(ev.first_stage or {}),
        },
        "futures": records(found.futures),
        "method": "decomposition" if found.decomposition is not None else "extensive",
        "model": found.size,
        "decomposition": None if found.decomposition is None else decomposition_document(found),
    }


def decomposition_document(found: Hedge) -> dict[str, Any]:
    """How the decomposition went: iterations, first stages evaluated, and each
    iteration's bound and best expected objective."""
    d = found.decomposition
    assert d is not None
    return {"iterations": d.iterations, "evaluated": len(d.evaluated), "trace": d.trace}


def stage_document(tables: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """A first stage's tables as lists of rows (empty lists without a first stage)."""
    return {key: records(tables[key]) if key in tables else [] for key in STAGE_KEYS}
