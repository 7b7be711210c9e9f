"""A two-stage plan as tables: its first stage, and what it gives in each future.

First stage (``stage_tables``):

- ``supply``: id, kind, optional, signed: every supply option (a non-optional one is
  always signed).
- ``projects``: id, funded, level, start: the projects the first stage decides (those
  that may start by the commit period in some future); ``funded`` is True when the
  project starts by then (at ``level``, in ``start``), False when it does not (it may
  still start later, in the futures that choose to).
- ``purchases``: supply, period, units: units bought up to the commit period.
- ``funding``: id, optional, taken: the fraction of each equity source taken.
- ``credit``: id, period, draw: money drawn on each credit line up to the commit period.

Futures (``futures_table``): future, weight, values (the drawn value of each factor),
status, objective, message, and from the future's plan (see
``allocator.sweeps.record.plan_figures``) funded, levels, starts, signed, cash_low,
cash_low_period, credit_peak, guaranteed_returns; then ``hindsight_objective`` (the
future's own optimum) and, when the expected-value plan was evaluated,
``ev_status`` and ``ev_objective`` (that plan's first stage in this future).
"""

from __future__ import annotations

import json

import pandas as pd

from allocator.case.model import Case
from allocator.case.money import FundingKind
from allocator.hedging.decisions import FirstStage
from allocator.hedging.plans import FutureOutcome
from allocator.sweeps.record import PLAN_FIELDS, plan_figures


def stage_tables(case: Case, stage: FirstStage, decided: list[str]) -> dict[str, pd.DataFrame]:
    """The first stage ``stage`` as the tables of the module docstring."""
    equity = [f for f in case.funding if f.kind is FundingKind.EQUITY]
    return {
        "supply": pd.DataFrame(
            {
                "id": [s.id for s in case.supply],
                "kind": [s.kind.value for s in case.supply],
                "optional": [s.optional for s in case.supply],
                "signed": [stage.signed.get(s.id, not s.optional) for s in case.supply],
            }
        ),
        "projects": pd.DataFrame(
            {
                "id": decided,
                "funded": [p in stage.started for p in decided],
                "level": [stage.started.get(p, (None, None))[0] for p in decided],
                "start": [stage.started.get(p, (None, None))[1] for p in decided],
            }
        ),
        "purchases": pd.DataFrame(
            [(s, t, units) for (s, t), units in stage.bought.items()],
            columns=["supply", "period", "units"],
        ),
        "funding": pd.DataFrame(
            {
                "id": [f.id for f in equity],
                "optional": [f.optional for f in equity],
                "taken": [stage.taken.get(f.id, 0.0 if f.optional else 1.0) for f in equity],
            }
        ),
        "credit": pd.DataFrame(
            [(f, t, money) for (f, t), money in stage.drawn.items()],
            columns=["id", "period", "draw"],
        ),
    }


def futures_table(
    outcomes: list[FutureOutcome],
    hindsight: list[FutureOutcome],
    expected_value: list[FutureOutcome] | None = None,
) -> pd.DataFrame:
    """One row per future (see the module docstring)."""
    rows = []
    for position, outcome in enumerate(outcomes):
        future = outcome.future
        row = {
            "future": future.index,
            "weight": future.weight,
            "values": future.values,
            "status": outcome.status,
            "objective": outcome.objective,
            "message": outcome.message,
        }
        figures = dict.fromkeys(PLAN_FIELDS)
        if outcome.plan is not None:
            figures = plan_figures(future.case, outcome.plan)
            figures["levels"] = json.loads(figures["levels"])
            figures["starts"] = json.loads(figures["starts"])
        row |= {name: figures[name] for name in PLAN_FIELDS}
        row["hindsight_objective"] = hindsight[position].objective
        if expected_value is not None:
            row["ev_status"] = expected_value[position].status
            row["ev_objective"] = expected_value[position].objective
        rows.append(row)
    return pd.DataFrame(rows)
