"""Demand rules: every funded project's demand is met, and the units used cover it.

Project p funded, resource r, period t, demand d = demand[p, level, r, t]:
without uses[r]: the plan gives p at least d units of r in t;
with uses[r]: sum over r' of eff[p, r, r'] * units of r' given to p for r in t >= d,
    only resources listed in uses[r] serve it.
Resource r', period t: sum over options of r' of used[t] >= all units of r' given.
No units go to a project that is not funded.

Checked table-wise (pandas and numpy over every allocation row at once), so that a
plan of 100,000 projects is checked in seconds; messages are written only for the
rules a plan breaks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocator.case.model import Case
from allocator.verify.core import Decisions, Violation, exceeded, over_many
from allocator.verify.supply import OptionUse

KEYS = ["project", "need", "serving"]


def check_demand(case: Case, decisions: Decisions, uses: dict[str, OptionUse]) -> list[Violation]:
    """Allocations meet demand; used supply covers allocations."""
    given, found = _read_allocations(case, decisions)
    horizon = len(case.periods)
    for r in case.resources:
        mine = given[given["serving"] == r.id]
        units = np.bincount(mine["t"].to_numpy(int), mine["units"].to_numpy(), horizon)
        used = sum(
            (u.used for s, u in uses.items() if case.supply_by_id[s].resource == r.id),
            np.zeros(horizon),
        )
        text = "projects get {amount:,.6g} units, supply delivers {limit:,.6g}"
        found += exceeded(case.periods, "demand", r.id, units, used, text)
    servers = _servers(case, decisions)
    found += _strays(given, servers)
    found += _unmet(case, decisions, given, servers)
    return found


def _read_allocations(case: Case, decisions: Decisions) -> tuple[pd.DataFrame, list[Violation]]:
    """The plan's allocation rows with known ids (project, need, serving, t, units), and
    the rows that name unknown ids, give to unfunded projects or give negative units."""
    table = decisions.plan.allocations
    rows = pd.DataFrame(
        {
            "project": table["project"].astype(str).to_numpy(),
            "need": table["demand_resource"].astype(str).to_numpy(),
            "serving": table["resource"].astype(str).to_numpy(),
            "period": table["period"].astype(str).to_numpy(),
            "units": table["units"].to_numpy(float),
        }
    )
    t = pd.Index(case.periods).get_indexer(rows["period"])  # -1: no such period
    rows["t"] = np.where(t >= 0, t, np.nan)
    resources = {r.id for r in case.resources}
    unfunded = ~rows["project"].isin(decisions.funded.keys()) & (rows["units"] > 0)
    unknown = ~unfunded & (
        rows["t"].isna() | ~rows["need"].isin(resources) | ~rows["serving"].isin(resources)
    )
    found = [
        Violation("demand", row.project, f"gets {row.serving} units but is not funded")
        for row in rows[unfunded].itertuples(index=False)
    ]
    found += [
        Violation(
            "demand",
            row.project,
            f"allocation names unknown ids: {row.need} {row.serving} {row.period}",
        )
        for row in rows[unknown].itertuples(index=False)
    ]
    kept = rows[~unfunded & ~unknown].astype({"t": int})
    found += [
        Violation("demand", row.project, f"gets negative units of {row.serving}")
        for row in kept[kept["units"] < -1e-9].itertuples(index=False)
    ]
    return kept, found


def _servers(case: Case, decisions: Decisions) -> pd.DataFrame:
    """(project, need, serving, eff) for every funded project and resource: the
    project's ``uses[need]``, or the resource itself at 1 without one."""
    records = []
    for pid in decisions.funded:
        uses = case.projects_by_id[pid].uses
        for r in case.resources:
            for serving, eff in uses.get(r.id, {r.id: 1.0}).items():
                records.append((pid, r.id, serving, float(eff)))
    return pd.DataFrame.from_records(records, columns=[*KEYS, "eff"])


def _strays(given: pd.DataFrame, servers: pd.DataFrame) -> list[Violation]:
    """Units of a resource given for a demand it cannot serve, one violation for each
    (project, demand, resource) that has any."""
    pairs = given[KEYS].drop_duplicates()
    pairs = pairs[pairs["project"].isin(set(servers["project"]))]
    known = pairs.merge(servers[KEYS], on=KEYS, how="left", indicator=True)
    stray = known[known["_merge"] == "left_only"]
    return [
        Violation(
            "demand",
            row.project,
            f"gets {row.serving} units for its {row.need} demand, which it cannot use",
        )
        for row in stray.itertuples(index=False)
    ]


def _unmet(
    case: Case, decisions: Decisions, given: pd.DataFrame, servers: pd.DataFrame
) -> list[Violation]:
    """Per funded project, resource and period: the demand against the units that serve
    it (eff times the units of each serving resource), for the projects with demand."""
    horizon = len(case.periods)
    funded = list(decisions.funded)
    served_rows = given.merge(servers, on=KEYS, how="inner")
    served_rows["i"] = pd.Index(funded).get_indexer(served_rows["project"])
    served_rows = served_rows[served_rows["i"] >= 0]  # units to others are strays, above
    found: list[Violation] = []
    for r in case.resources:
        demand = decisions.series_matrix(funded, "demand", r.id)
        mine = served_rows[served_rows["need"] == r.id]
        served = np.zeros((len(funded), horizon))
        np.add.at(
            served,
            (mine["i"].to_numpy(int), mine["t"].to_numpy(int)),
            mine["eff"].to_numpy() * mine["units"].to_numpy(),
        )
        short = over_many(demand, served) & demand.any(axis=1, keepdims=True)
        for i, t in zip(*np.nonzero(short), strict=True):
            found.append(
                Violation(
                    "demand",
                    f"{funded[i]} {r.id} {case.periods[t]}",
                    f"needs {demand[i, t]:,.6g} units, gets {served[i, t]:,.6g}",
                )
            )
    return found
