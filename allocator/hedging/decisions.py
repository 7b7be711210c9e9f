"""A first stage in the case's own terms, and the columns it fixes.

``FirstStage`` says what is decided now: which supply options are signed, the units
bought and the credit drawn in each committed period, the fraction of each equity
source taken, and the projects started (at which level, in which period) by the
commit period. It is read from a plan (``from_plan``, the expected-value plan's), from
the extensive form's first-stage columns (``from_decisions``), or from a ``solve`` or
``hedge`` JSON (``allocator.hedging.plan_file``). ``decisions`` turns it into the value
of every first-stage column of the formulation (``allocator.hedging.stages``):

    sign[s]          = 1 if s is signed, else 0
    buy[s, t]        = units bought / block          (t <= commit)
    take[f]          = the fraction taken            (equity sources)
    draw[f, t]       = the money drawn               (credit lines, t <= commit)
    choose[p, l, t]  = 1 if p starts at level l in t (t <= commit), else 0

A decision it does not name is the default: an optional option not signed and an
optional source not taken (the others signed and taken), nothing bought or drawn, no
project started by the commit period.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from allocator.case.model import Case
from allocator.case.money import FundingKind
from allocator.case.supply import SupplyKind
from allocator.plan import Plan

Decisions = dict[tuple[str, tuple], float]
"""A first stage as column values: the value of each first-stage column, by (family, key)."""

TOLERANCE = 1e-6
"""Below this a bought unit, a drawn amount or a taken fraction counts as none."""


@dataclass(frozen=True)
class FirstStage:
    """What is decided now (see the module docstring)."""

    signed: dict[str, bool] = field(default_factory=dict)
    bought: dict[tuple[str, str], float] = field(default_factory=dict)
    taken: dict[str, float] = field(default_factory=dict)
    drawn: dict[tuple[str, str], float] = field(default_factory=dict)
    started: dict[str, tuple[str, str]] = field(default_factory=dict)
    """project -> (level, start period)."""


def committed(case: Case, period: str, commit: int) -> bool:
    """Whether ``period`` is a period of the horizon up to the commit period."""
    return case.period_index.get(period, commit + 1) <= commit


def from_plan(case: Case, plan: Plan, commit: int) -> FirstStage:
    """The first stage a plan took: its signatures and equity, and its purchases, credit
    draws and starts up to the commit period."""
    supply = plan.supply
    signed = supply.groupby("supply", sort=False)["signed"].any()
    purchases = supply[supply["kind"] == SupplyKind.PURCHASE.value]
    equity = plan.funding[plan.funding["kind"] == FundingKind.EQUITY.value]
    funded = plan.projects[plan.projects["funded"]]
    return FirstStage(
        signed={str(s): bool(v) for s, v in signed.items()},
        bought={
            (s, t): float(units)
            for s, t, units in zip(
                purchases["supply"], purchases["period"], purchases["bought"], strict=True
            )
            if committed(case, t, commit) and units > TOLERANCE
        },
        taken={str(f): float(v) for f, v in zip(equity["funding"], equity["taken"], strict=True)},
        drawn={
            (f, t): float(v)
            for f, t, v in zip(
                plan.credit["funding"], plan.credit["period"], plan.credit["draw"], strict=True
            )
            if committed(case, t, commit) and v > TOLERANCE
        },
        started={
            p: (level, start)
            for p, level, start in zip(funded["id"], funded["level"], funded["start"], strict=True)
            if committed(case, start, commit)
        },
    )


def decisions(case: Case, stage: FirstStage, commit: int) -> Decisions:
    """The value of every first-stage column ``stage`` names (see the module docstring)."""
    block = {s.id: s.block for s in case.supply}
    values: Decisions = {}
    for option in case.supply:
        values["sign", (option.id,)] = float(stage.signed.get(option.id, not option.optional))
    for (s, t), units in stage.bought.items():
        if committed(case, t, commit):
            values["buy", (s, t)] = units / block.get(s, 1.0)
    for source in case.funding:
        if source.kind is FundingKind.EQUITY:
            default = 0.0 if source.optional else 1.0
            values["take", (source.id,)] = stage.taken.get(source.id, default)
    for (f, t), money in stage.drawn.items():
        if committed(case, t, commit):
            values["draw", (f, t)] = money
    for p, (level, start) in stage.started.items():
        if committed(case, start, commit):
            values["choose", (p, level, start)] = 1.0
    return values


def from_decisions(case: Case, values: Decisions) -> FirstStage:
    """The first stage the extensive form's first-stage columns ``values`` take."""
    block = {s.id: s.block for s in case.supply}
    stage = FirstStage()
    for (family, key), value in values.items():
        if family == "sign":
            stage.signed[key[0]] = value > 0.5
        elif family == "buy" and value * block.get(key[0], 1.0) > TOLERANCE:
            stage.bought[key] = value * block.get(key[0], 1.0)
        elif family == "take":
            stage.taken[key[0]] = value
        elif family == "draw" and value > TOLERANCE:
            stage.drawn[key] = value
        elif family == "choose" and value > 0.5:
            stage.started[key[0]] = (key[1], key[2])
    return stage
