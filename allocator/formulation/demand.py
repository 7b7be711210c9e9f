"""Demand met from supply, per resource and period, directly or through ``uses``.

A project's demand for resource r is served by r itself unless the project lists
``uses[r]``; then alloc[p, r, r', t] >= 0 units of each listed r' serve it:
    sum_{r'} eff[p, r, r'] * alloc[p, r, r', t] - sum_{c of p} demand[c, r, t] * choose[c] >= 0
For every resource r' and period t, the units used cover direct demand and allocations:
    sum over options s of r' of used[s, t] - direct demand[r', t] - sum alloc[., ., r', t] >= 0
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocator.case.model import Case
from allocator.formulation.choices import Choices, demand_profile
from allocator.formulation.meaning import Dual, Elastic, RowMeaning, Tier, needed_by
from allocator.formulation.supply import SupplyColumns
from allocator.model.builder import ModelBuilder, Terms

DEMAND = RowMeaning(
    quantity="resource units",
    elastic=Elastic(Tier.LIMIT, "lower"),
    users="resource",
    change=lambda case, keys, n, users, fmt: (
        f"{keys['resource']} in {keys['period']}: projects need {n} more units than all "
        f"supply can deliver{needed_by(users)}",
        f"supply (resource {keys['resource']}), or the demand of "
        f"{', '.join(users) or 'its projects'}",
    ),
    limit=lambda case, keys, fmt: (
        f"every funded project's {keys['resource']} demand in {keys['period']} is met",
        f"projects[].demand.{keys['resource']}",
    ),
    dual=Dual("free unit of resource", "unit", sign=-1.0),
)
ROUTED_DEMAND = RowMeaning(quantity="resource units")


def add_demand(
    builder: ModelBuilder, case: Case, choices: Choices, choose: np.ndarray, supply: SupplyColumns
) -> None:
    """Balance rows per (resource, period), and per (project, resource, period) with ``uses``."""
    resources = [r.id for r in case.resources]
    horizon = len(case.periods)
    position = {r: i for i, r in enumerate(resources)}
    choice, resource, period, amount = demand_profile(case, choices, position)
    project = choices.table["p"].to_numpy()[choice]
    has_uses = np.zeros((len(case.projects), len(resources)), dtype=bool)
    for p, item in enumerate(case.projects):
        for r in item.uses:
            has_uses[p, position[r]] = True
    routed = has_uses[project, resource]
    alloc = _add_allocations(
        builder,
        case,
        choose[choice[routed]],
        project[routed],
        resource[routed],
        period[routed],
        amount[routed],
        resources,
    )
    table = supply.table
    supply_row = table["resource"].map(position).to_numpy(dtype=np.int64) * horizon + table[
        "t"
    ].to_numpy(dtype=np.int64)
    direct = ~routed
    keys = pd.DataFrame(
        {"resource": np.repeat(resources, horizon), "period": case.periods * len(resources)}
    )
    builder.add_rows(
        "demand",
        keys,
        terms=[
            Terms(supply_row, table["used"].to_numpy()),
            Terms(
                resource[direct] * horizon + period[direct], choose[choice[direct]], -amount[direct]
            ),
            Terms(alloc["serving"] * horizon + alloc["t"], alloc["column"], -1.0),
        ],
        lower=0.0,
        meaning=DEMAND,
    )


def _add_allocations(
    builder: ModelBuilder,
    case: Case,
    columns: np.ndarray,
    project: np.ndarray,
    resource: np.ndarray,
    period: np.ndarray,
    amount: np.ndarray,
    resources: list[str],
) -> dict[str, np.ndarray]:
    """The alloc columns and the rows that make them serve each routed demand."""
    empty = np.zeros(0, dtype=np.int64)
    if not len(project):
        return {"serving": empty, "t": empty, "column": empty}
    needs = pd.DataFrame({"p": project, "r": resource, "t": period}).drop_duplicates()
    needs = needs.sort_values(["p", "r", "t"]).reset_index(drop=True)
    cells = _cells(case, needs, resources)
    keys = pd.DataFrame(
        {
            "project": [case.projects[p].id for p in cells["p"]],
            "resource": [resources[r] for r in cells["r"]],
            "serving": [resources[r] for r in cells["serving"]],
            "period": [case.periods[t] for t in cells["t"]],
        }
    )
    alloc = builder.add_variables("alloc", keys)
    row_of = pd.Series(needs.index, index=pd.MultiIndex.from_frame(needs[["p", "r", "t"]]))
    demand_rows = row_of[pd.MultiIndex.from_arrays([project, resource, period])].to_numpy()
    builder.add_rows(
        "routed_demand",
        pd.DataFrame(
            {
                "project": [case.projects[p].id for p in needs["p"]],
                "resource": [resources[r] for r in needs["r"]],
                "period": [case.periods[t] for t in needs["t"]],
            }
        ),
        terms=[
            Terms(cells["row"].to_numpy(), alloc, cells["eff"].to_numpy(float)),
            Terms(demand_rows, columns, -amount),
        ],
        lower=0.0,
        meaning=ROUTED_DEMAND,
    )
    return {
        "serving": cells["serving"].to_numpy(np.int64),
        "t": cells["t"].to_numpy(np.int64),
        "column": alloc,
    }


def _cells(case: Case, needs: pd.DataFrame, resources: list[str]) -> pd.DataFrame:
    """One row per (routed need, resource that may serve it): row (the need's routed_demand
    row), p, r, t, serving (resource position) and eff (its efficiency)."""
    position = {r: i for i, r in enumerate(resources)}
    options = pd.DataFrame(
        [
            (p, position[r], position[other], eff)
            for p in needs["p"].unique()
            for r, serving in case.projects[p].uses.items()
            for other, eff in serving.items()
        ],
        columns=["p", "r", "serving", "eff"],
    )
    return needs.reset_index(names="row").merge(options, on=["p", "r"])
