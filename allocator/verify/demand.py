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
from allocator.verify.core import Decisions, Violation, over
from allocator.verify.supply import OptionUse


def check_demand(case: Case, decisions: Decisions, uses: dict[str, OptionUse]) -> list[Violation]:
    """Allocations meet demand; used supply covers allocations."""
    table = decisions.plan.allocations
    horizon = len(case.periods)
    resources = [r.id for r in case.resources]
    found: list[Violation] = []
    given: dict[tuple[str, str, str], np.ndarray] = {}  # (project, demand_resource, resource)
    for row in table.itertuples(index=False):
        key = (str(row.project), str(row.demand_resource), str(row.resource))
        t = case.period_index.get(str(row.period))
        if key[0] not in decisions.funded and float(row.units) > 0:
            found.append(Violation("demand", key[0], f"gets {key[2]} units but is not funded"))
            continue
        if t is None or key[1] not in resources or key[2] not in resources:
            found.append(
                Violation("demand", key[0], f"allocation names unknown ids: {key[1:]} {row.period}")
            )
            continue
        if float(row.units) < -1e-9:
            found.append(Violation("demand", key[0], f"gets negative units of {key[2]}"))
        given.setdefault(key, np.zeros(horizon))[t] += float(row.units)
    total = {r: np.zeros(horizon) for r in resources}
    for (_, _, serving), units in given.items():
        total[serving] += units
    for pid in decisions.funded:
        found += _project_demand(case, decisions, pid, given)
    for r in resources:
        used = sum(
            (u.used for s, u in uses.items() if case.supply_by_id[s].resource == r),
            np.zeros(horizon),
        )
        for t, label in enumerate(case.periods):
            if over(total[r][t], used[t]):
                found.append(
                    Violation(
                        "demand",
                        f"{r} {label}",
                        f"projects get {total[r][t]:,.6g} units, supply delivers {used[t]:,.6g}",
                    )
                )
    return found


def _project_demand(
    case: Case, decisions: Decisions, pid: str, given: dict[tuple[str, str, str], np.ndarray]
) -> list[Violation]:
    project = case.projects_by_id[pid]
    found = []
    horizon = len(case.periods)
    for r in case.resources:
        demand = decisions.series(pid, "demand", r.id)
        servers = project.uses.get(r.id, {r.id: 1.0})
        served = sum(
            (
                eff * given.get((pid, r.id, other), np.zeros(horizon))
                for other, eff in servers.items()
            ),
            np.zeros(horizon),
        )
        strays = [k[2] for k in given if k[0] == pid and k[1] == r.id and k[2] not in servers]
        found += [
            Violation(
                "demand", pid, f"gets {other} units for its {r.id} demand, which it cannot use"
            )
            for other in strays
        ]
        for t, label in enumerate(case.periods):
            if over(demand[t], served[t]):
                found.append(
                    Violation(
                        "demand",
                        f"{pid} {r.id} {label}",
                        f"needs {demand[t]:,.6g} units, gets {served[t]:,.6g}",
                    )
                )
    return found
