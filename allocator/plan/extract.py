"""Reading a solution vector back into the plan's tables (see ``allocator.plan.tables``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocator.case.model import Case, Objective
from allocator.case.money import FundingKind
from allocator.case.series import calendar_values
from allocator.case.supply import SupplyKind
from allocator.formulation import Formulation
from allocator.formulation.choices import Choices, demand_profile, profile
from allocator.formulation.funding import per_period_rate
from allocator.formulation.objective import discount_factors
from allocator.formulation.spending import Spending
from allocator.model.linear import LinearModel
from allocator.plan.binding import binding_limits
from allocator.plan.tables import MONEY_IN, MONEY_OUT, Plan
from allocator.plan.tighten import tighten_use

ZERO = 1e-9
"""Values closer to zero than this are read as zero."""

BOUND_TOLERANCE = 1e-6
"""How far past a column's bound (relative, at least absolute) a solver's value may be and
still be read as on it: the tolerance at which ``LinearModel.violations`` keeps a bound."""


def extract_plan(case: Case, formulation: Formulation, values: np.ndarray) -> Plan:
    """The plan that the column values ``values`` of ``formulation`` describe."""
    x = tighten_use(formulation, clean_values(formulation.model, values))
    chosen = formulation.chosen(x)
    profiles = _Profiles.of(case, chosen)
    return Plan(
        projects=_projects(case, chosen, profiles),
        allocations=_allocations(case, formulation, chosen, profiles.demand, x),
        supply=_supply(case, formulation, x),
        funding=_funding(case, formulation.model, x),
        earmarks=_earmarks(formulation.model, x),
        credit=_credit(case, formulation.model, x),
        money=_money(case, formulation, x),
        objective=_objective(case, formulation, chosen, profiles.value, x),
        binding=binding_limits(formulation.model, x),
    )


@dataclass(frozen=True)
class _Profiles:
    """The chosen levels' series, each read once: (choice, period, amount) triples of
    value, cost and revenue, and (choice, resource, period, units) of demand."""

    value: tuple[np.ndarray, ...]
    cost: tuple[np.ndarray, ...]
    revenue: tuple[np.ndarray, ...]
    demand: tuple[np.ndarray, ...]

    @classmethod
    def of(cls, case: Case, chosen: Choices) -> _Profiles:
        position = {r.id: i for i, r in enumerate(case.resources)}
        return cls(
            *(profile(case, chosen, field) for field in ("value", "cost", "revenue")),
            demand_profile(case, chosen, position),
        )


def clean_values(model: LinearModel, values: np.ndarray) -> np.ndarray:
    """Values put back on the bound they cross by no more than the solver's feasibility
    tolerance (``BOUND_TOLERANCE`` times max(1, |bound|), the rule of
    ``LinearModel.violations``: CBC, say, may return -1e-7 for a column bounded below
    by zero), integer columns rounded, values within ``ZERO`` of zero set to zero, and a
    credit line's draw and repayment in one period netted (drawing and repaying the
    same amount in a period changes no balance, no interest and no cash: solvers may
    return either, and a plan should not show both)."""
    x = np.asarray(values, dtype=float).copy()
    for bound, side in ((model.lower, -1.0), (model.upper, 1.0)):
        finite = np.isfinite(bound)
        over = side * (x - np.where(finite, bound, 0.0))
        allowed = BOUND_TOLERANCE * np.maximum(1.0, np.abs(np.where(finite, bound, 0.0)))
        back = finite & (over > 0) & (over <= allowed)
        x[back] = bound[back]
    x[model.integer] = np.round(x[model.integer])
    if "draw" in model.columns:
        draw, back = model.columns["draw"].slice, model.columns["repay"].slice
        both = np.minimum(x[draw], x[back])
        x[draw] -= both
        x[back] -= both
    x[np.abs(x) < ZERO] = 0.0
    return x


def _totals(chosen: Choices, triples: tuple[np.ndarray, ...]) -> np.ndarray:
    return np.bincount(triples[0], weights=triples[-1], minlength=chosen.size)


def _projects(case: Case, chosen: Choices, profiles: _Profiles) -> pd.DataFrame:
    table = chosen.table
    by_project = pd.DataFrame(
        {
            "level": table["level"].to_numpy(),
            "start": table["start"].to_numpy(),
            "end": [
                case.periods[s + n - 1] for s, n in zip(table["s"], table["length"], strict=True)
            ],
            "periods": table["length"].to_numpy(),
            "past_end": table["past_end"].to_numpy(),
            "value": _totals(chosen, profiles.value),
            "cost": _totals(chosen, profiles.cost),
            "revenue": _totals(chosen, profiles.revenue),
            "compute": _totals(chosen, profiles.demand),
        },
        index=table["project"].to_numpy(),
    )
    out = pd.DataFrame(
        {
            "id": [p.id for p in case.projects],
            "name": [p.name or p.id for p in case.projects],
            "category": [p.category for p in case.projects],
            "must_fund": [p.must_fund for p in case.projects],
        }
    )
    out["funded"] = out["id"].isin(by_project.index)
    out = out.join(by_project, on="id")
    for column in ("value", "cost", "revenue", "compute"):
        out[column] = out[column].fillna(0.0)
    for column in ("periods", "past_end"):
        out[column] = out[column].fillna(0).astype(int)
    out[["level", "start", "end"]] = out[["level", "start", "end"]].astype(object)
    return out.where(out.notna(), None)


def _allocations(
    case: Case,
    formulation: Formulation,
    chosen: Choices,
    demand: tuple[np.ndarray, ...],
    x: np.ndarray,
) -> pd.DataFrame:
    resources = [r.id for r in case.resources]
    choice, r, t, units = demand
    p = chosen.table["p"].to_numpy()[choice]
    routed = _routes(case, resources)[p, r]
    direct = pd.DataFrame(
        {
            "project": chosen.table["project"].to_numpy()[choice[~routed]],
            "resource": np.asarray(resources, dtype=object)[r[~routed]],
            "demand_resource": np.asarray(resources, dtype=object)[r[~routed]],
            "period": np.asarray(case.periods, dtype=object)[t[~routed]],
            "units": units[~routed],
        }
    )
    served = formulation.model.columns.take("alloc", x, "units")
    if served is None:
        return direct
    # units routed to a project that is not funded serve nothing (a solver may leave
    # them at its integrality tolerance); they are not part of the plan
    funded = served["project"].isin(chosen.table["project"])
    served = served[(served["units"] > 0) & funded].rename(
        columns={"resource": "demand_resource", "serving": "resource"}
    )
    table = pd.concat([direct, served[direct.columns]], ignore_index=True)
    return table.sort_values(["project", "period", "resource"], kind="stable").reset_index(
        drop=True
    )


def _supply(case: Case, formulation: Formulation, x: np.ndarray) -> pd.DataFrame:
    model = formulation.model
    served = formulation.supply.table
    options = case.supply
    k = served["k"].to_numpy()
    table = served[["supply", "resource", "period"]].copy()
    table.insert(2, "kind", [options[i].kind.value for i in k])
    table["signed"] = x[formulation.supply.sign][k] > 0.5
    table["capacity"] = served["capacity"].to_numpy()
    table["used"] = x[served["used"].to_numpy()]
    keys = ["supply", "period"]
    table = table.merge(_taken(model, "paid", x, "paid"), on=keys, how="left")
    table = table.merge(_taken(model, "buy", x, "bought"), on=keys, how="left")
    rows = model.rows.take("owned", model.row_activity(x), "slack")  # used - owned units
    if rows is not None:
        rows = rows.merge(table[[*keys, "used"]], on=keys)
        rows["owned"] = rows["used"] - rows["slack"]
        table = table.merge(rows[[*keys, "owned"]], on=keys, how="left")
    else:
        table["owned"] = np.nan
    table = table.fillna({"paid": 0.0, "bought": 0.0})
    block = np.array([o.block for o in options])[k]
    table["bought"] = table["bought"] * block
    purchase = np.array([options[i].kind is SupplyKind.PURCHASE for i in k])
    table["available"] = np.where(
        purchase, table["owned"].fillna(0.0), table["capacity"] * table["signed"]
    )
    table["paid"] = np.where(purchase, table["bought"], table["paid"])
    charged = np.where(purchase, table["available"], table["paid"])
    table["idle"] = np.maximum(charged - table["used"], 0.0)
    payments = formulation.supply.payments
    money = payments["amount"].to_numpy() * x[payments["column"].to_numpy()]
    paid = pd.Series(money).groupby([payments["k"], payments["t"]]).sum()
    index = pd.MultiIndex.from_arrays([k, served["t"].to_numpy()])
    table["payment"] = paid.reindex(index, fill_value=0.0).to_numpy()
    columns = ["supply", "resource", "kind", "period", "signed", "capacity", "bought"]
    columns += ["available", "used", "paid", "idle", "payment"]
    return table[columns]


def _taken(model: LinearModel, name: str, x: np.ndarray, column: str) -> pd.DataFrame:
    table = model.columns.take(name, x, column)
    return pd.DataFrame({"supply": [], "period": [], column: []}) if table is None else table


def _funding(case: Case, model: LinearModel, x: np.ndarray) -> pd.DataFrame:
    take = model.columns.take("take", x)
    taken = {} if take is None else dict(take.itertuples(index=False))
    draws = model.columns.take("draw", x)
    drawn = {} if draws is None else draws.groupby("funding", sort=False)["value"].sum()
    rows = []
    for f in case.funding:
        if f.kind is FundingKind.CREDIT:
            rows.append((f.id, f.kind.value, 1.0, float(drawn[f.id]), 0.0))
        else:
            amounts = np.asarray(calendar_values(f.amounts or 0.0, case.periods))
            # the return of a period is owed on what arrived before it (as in the formulation)
            arrived_before = np.cumsum(amounts)[:-1].sum()
            rate = per_period_rate(f.guaranteed_return, case.periods_per_year)
            returns = taken[f.id] * rate * arrived_before if f.guaranteed_return else 0.0
            rows.append((f.id, f.kind.value, taken[f.id], taken[f.id] * amounts.sum(), returns))
    columns = ["funding", "kind", "taken", "received", "guaranteed_returns"]
    return pd.DataFrame(rows, columns=columns)


def _earmarks(model: LinearModel, x: np.ndarray) -> pd.DataFrame:
    table = model.columns.take("earmarked", x, "amount")
    if table is None:
        return pd.DataFrame(columns=["funding", "supply", "period", "amount"])
    return table[table["amount"] > 0].reset_index(drop=True)


def _credit(case: Case, model: LinearModel, x: np.ndarray) -> pd.DataFrame:
    columns = ["funding", "period", "draw", "repay", "balance", "interest"]
    if "draw" not in model.columns:
        return pd.DataFrame(columns=columns)
    table = model.columns.take("draw", x, "draw")
    for name in ("repay", "balance"):
        table[name] = x[model.columns[name].slice]
    rates = {f.id: per_period_rate(f.rate, case.periods_per_year) for f in case.funding}
    first = table["period"] == case.periods[0]
    before = table["balance"].shift(1).where(~first, 0.0).fillna(0.0)
    table["interest"] = table["funding"].map(rates) * before
    return table[columns]


def _per_period(terms: Spending, x: np.ndarray, horizon: int) -> np.ndarray:
    return np.bincount(terms.period, weights=terms.amount * x[terms.column], minlength=horizon)


def _money(case: Case, formulation: Formulation, x: np.ndarray) -> pd.DataFrame:
    horizon = len(case.periods)
    money = formulation.money
    flows = {name.replace(" ", "_"): terms for name, terms in money.costs.items()}
    flows |= {name.replace(" ", "_"): terms for name, terms in money.financing.items()}
    table = pd.DataFrame({"period": case.periods})
    for name in MONEY_IN + MONEY_OUT:
        if name in ("budget", "base_revenue"):
            table[name] = money.fixed[name.replace("_", " ")]
        else:
            sign = -1.0 if name in MONEY_IN else 1.0
            table[name] = sign * _per_period(flows[name], x, horizon) + 0.0
    table["money_in"] = table[list(MONEY_IN)].sum(axis=1)
    table["money_out"] = table[list(MONEY_OUT)].sum(axis=1)
    table["net"] = table["money_in"] - table["money_out"]
    table["cash"] = table["net"].cumsum() if case.budget.carry_over else table["net"]
    return table


def _routes(case: Case, resources: list[str]) -> np.ndarray:
    """(projects x resources): whether the project's demand for the resource is served
    through ``uses`` (by the resources it lists) rather than by the resource itself."""
    position = {r: i for i, r in enumerate(resources)}
    routes = np.zeros((len(case.projects), len(resources)), dtype=bool)
    for i, project in enumerate(case.projects):
        for used in project.uses:
            if used in position:
                routes[i, position[used]] = True
    return routes


def _objective(
    case: Case,
    formulation: Formulation,
    chosen: Choices,
    value: tuple[np.ndarray, ...],
    x: np.ndarray,
) -> pd.DataFrame:
    factors = discount_factors(case) * case.weights.objective
    _, period, amount = value
    parts = {"value": float(factors[period] @ amount)}
    if case.weights.score:
        scores = {p.id: p.score for p in case.projects}
        parts["score"] = case.weights.score * sum(scores[p] for p in chosen.table["project"])
    if case.objective is Objective.NPV:
        parts["base revenue"] = float(factors @ formulation.money.fixed["base revenue"])
        for name, terms in formulation.money.costs.items():
            parts[name] = -float(factors @ _per_period(terms, x, len(case.periods)))
    return pd.DataFrame({"part": list(parts), "amount": list(parts.values())})
