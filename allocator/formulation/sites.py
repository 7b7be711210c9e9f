"""Power at sites: the units in use at a site draw no more than its power.

For every site g and period t:
    sum over options s placed at g of power[resource of s] * used[s, t] <= power_g[t]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocator.case.model import Case
from allocator.case.series import calendar_values
from allocator.formulation.meaning import Dual, Elastic, RowMeaning, Tier
from allocator.formulation.supply import SupplyColumns
from allocator.model.builder import ModelBuilder

SITE_POWER = RowMeaning(
    quantity="power",
    binding="site power drawn in full",
    elastic=Elastic(Tier.LIMIT, "upper"),
    change=lambda case, keys, n, users, fmt: (
        f"site {keys['site']} would need {n} more power in {keys['period']}",
        f"sites[{keys['site']}].power",
    ),
    limit=lambda case, keys, fmt: (
        f"site {keys['site']} draws no more power than it has in {keys['period']}",
        f"sites[{keys['site']}].power",
    ),
    dual=Dual("site power", "power unit"),
)


def add_sites(builder: ModelBuilder, case: Case, supply: SupplyColumns) -> None:
    """One power row per site and period."""
    if not case.sites:
        return
    horizon = len(case.periods)
    site_of = {s.id: g for g, s in enumerate(case.sites)}
    draw = {r.id: r.power for r in case.resources}
    table = supply.table
    placed = np.array([case.supply[k].site for k in table["k"]], dtype=object)
    at_site = np.flatnonzero(placed != None)  # noqa: E711 - element-wise comparison
    site = np.array([site_of[s] for s in placed[at_site]], dtype=np.int64)
    power = np.array([draw[r] for r in table["resource"].to_numpy()[at_site]])
    limits = np.concatenate([calendar_values(s.power, case.periods) for s in case.sites])
    builder.add_rows(
        "site_power",
        pd.DataFrame(
            {
                "site": np.repeat([s.id for s in case.sites], horizon),
                "period": case.periods * len(case.sites),
            }
        ),
        rows=site * horizon + table["t"].to_numpy()[at_site],
        columns=table["used"].to_numpy()[at_site],
        coefficients=power,
        upper=limits,
        meaning=SITE_POWER,
    )
