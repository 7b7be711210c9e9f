"""The tables of a plan, and what each column means.

Decisions (what the checker reads):

- ``projects``: id, name, category, must_fund, funded, level, start, end (last
  active period inside the horizon), periods (how many it is active inside the
  horizon), past_end (periods of its run cut off by the end of the horizon; they
  count for nothing), and over the active periods,
  undiscounted: value, cost, revenue, compute (units of every resource).
- ``allocations``: project, resource (the units given), demand_resource (the
  demand they serve: the same resource, or another one through ``uses``),
  period, units.
- ``supply``: supply, resource, kind, period, signed, capacity (units that may
  be used (contract, spot) or bought (purchase) in the period), bought
  (purchases), available (signed capacity, or units owned), used, paid (units
  paid for: contracts pay max(used, min_commit)), idle (available or paid, not
  used), payment (money paid to the option in the period).
- ``funding``: funding, kind, taken (the fraction of an equity source taken; 1
  for credit lines), received (equity money in, or credit drawn, in total),
  guaranteed_returns (the guaranteed return paid on the source over the
  horizon; 0 without one, and for credit lines, whose interest is in ``credit``).
- ``earmarks``: funding, supply, period, amount (earmarked money paying that
  option in that period).
- ``credit``: funding, period, draw, repay, balance (end of period), interest.

Derived:

- ``money``: one row per period; money in (budget, base_revenue,
  project_revenue, equity, earmarked, credit_draws), money out (project_costs,
  supply_payments, interest, guaranteed_returns, repayments), their totals,
  ``net`` and ``cash`` (end of period, cumulative with carry-over, unspent
  earmarked money excluded; without carry-over the period's own surplus).
- ``objective``: part, amount: the objective split into its discounted,
  weighted parts; the amounts add up to the objective.
- ``binding``: limit, meaning, subject, period: the limits the plan runs into
  (see ``allocator.plan.binding``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import pandas as pd

MONEY_IN = ("budget", "base_revenue", "project_revenue", "equity", "earmarked", "credit_draws")
MONEY_OUT = ("project_costs", "supply_payments", "interest", "guaranteed_returns", "repayments")


@dataclass(frozen=True)
class Plan:
    """A plan as tables; see the module docstring for every column."""

    projects: pd.DataFrame
    allocations: pd.DataFrame
    supply: pd.DataFrame
    funding: pd.DataFrame
    earmarks: pd.DataFrame
    credit: pd.DataFrame
    money: pd.DataFrame
    objective: pd.DataFrame
    binding: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name, in a fixed order."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def objective_value(self) -> float:
        """The sum of the objective's parts."""
        return float(self.objective["amount"].sum())

    @property
    def funded(self) -> list[str]:
        """Ids of the funded projects, in case order."""
        return self.projects.loc[self.projects["funded"], "id"].tolist()
