"""Demand rules: every funded project's demand is met, and the units used cover it.

Project p funded, resource r, period t, demand d = demand[p, level, r, t]:
without uses[r]: the plan gives p at least d units of r in t;
with uses[r]: sum over r' of eff[p, r, r'] * units of r' given to p for r in t >= d,
    only resources listed in uses[r] serve it.
Resource r', period t: sum over options of r' of used[t] >= all units of r' given.
No units go to a project that is not funded.
"""

from __future__ import annotations

import numpy as np

from allocator.case.model import Case
from allocator.verify.core import Decisions, Violation, exceeded
from allocator.verify.supply import OptionUse

Given = dict[tuple[str, str], np.ndarray]
"""(demand resource, resource given) -> units per period, for one project."""


def check_demand(case: Case, decisions: Decisions, uses: dict[str, OptionUse]) -> list[Violation]:
    """Allocations meet demand; used supply covers allocations."""
    given, found = _read_allocations(case, decisions)
    horizon = len(case.periods)
    total = {r.id: np.zeros(horizon) for r in case.resources}
    for mine in given.values():
        for (_, serving), units in mine.items():
            total[serving] += units
    for pid in decisions.funded:
        found += _project_demand(case, decisions, pid, given.get(pid, {}))
    for r, units in total.items():
        used = sum(
            (u.used for s, u in uses.items() if case.supply_by_id[s].resource == r),
            np.zeros(horizon),
        )
        text = "projects get {amount:,.6g} units, supply delivers {limit:,.6g}"
        found += exceeded(case.periods, "demand", r, units, used, text)
    return found


def _read_allocations(case: Case, decisions: Decisions) -> tuple[dict[str, Given], list[Violation]]:
    """The plan's allocations by project; rows that name unknown ids or unfunded projects."""
    horizon = len(case.periods)
    resources = {r.id for r in case.resources}
    given: dict[str, Given] = {}
    found: list[Violation] = []
    for row in decisions.plan.allocations.itertuples(index=False):
        pid, need, serving = str(row.project), str(row.demand_resource), str(row.resource)
        units = float(row.units)
        t = case.period_index.get(str(row.period))
        if pid not in decisions.funded and units > 0:
            found.append(Violation("demand", pid, f"gets {serving} units but is not funded"))
        elif t is None or need not in resources or serving not in resources:
            where = f"{need} {serving} {row.period}"
            found.append(Violation("demand", pid, f"allocation names unknown ids: {where}"))
        else:
            if units < -1e-9:
                found.append(Violation("demand", pid, f"gets negative units of {serving}"))
            mine = given.setdefault(pid, {})
            mine.setdefault((need, serving), np.zeros(horizon))[t] += units
    return given, found


def _project_demand(case: Case, decisions: Decisions, pid: str, given: Given) -> list[Violation]:
    project = case.projects_by_id[pid]
    found = []
    horizon = len(case.periods)
    for r in case.resources:
        servers = project.uses.get(r.id, {r.id: 1.0})
        strays = [serving for need, serving in given if need == r.id and serving not in servers]
        found += [
            Violation(
                "demand", pid, f"gets {other} units for its {r.id} demand, which it cannot use"
            )
            for other in strays
        ]
        demand = decisions.series(pid, "demand", r.id)
        if not demand.any():
            continue
        served = sum(
            (eff * given.get((r.id, other), np.zeros(horizon)) for other, eff in servers.items()),
            np.zeros(horizon),
        )
        text = "needs {amount:,.6g} units, gets {limit:,.6g}"
        found += exceeded(case.periods, "demand", f"{pid} {r.id}", demand, served, text)
    return found
