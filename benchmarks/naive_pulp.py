"""A naive PuLP + HiGHS script for generated cases: the peer ``bench_scale.py`` races.

    python benchmarks/naive_pulp.py CASE.json [--json OUT.json]

What a capable analyst would write in an afternoon for the cases of ``allocator
generate`` (core keys only: contracts and spot per resource, a carried-over budget,
projects with levels, a start window, a duration, requires and excludes), using none
of allocator. One binary per project, level and start, and PuLP's HiGHS with its
defaults (relative gap 1e-4):

    x[p,l,s] in {0,1}          project p at level l starting in period s
    sign[o] in {0,1}           option o signed (1 for options already signed)
    use[o,t] >= 0              units of option o used in period t
    paid[o,t] >= 0             units of option o paid in period t

    max  sum x[p,l,s] * sum over active t of value(p,l,t-s) * (1+r)^(-t/ppy)
    s.t. sum over l,s of x[p,l,s] <= 1                                  (one choice)
         use[o,t] <= capacity(o) * sign[o]                              (capacity)
         paid[o,t] >= use[o,t];  paid[o,t] >= min_commit(o) * sign[o]   (take-or-pay)
         sum over o of resource r of use[o,t]
             >= sum x[p,l,s] * demand(p,l,r,t-s)                        (demand)
         sum over t' <= t of (budget(t') - spending(t')) >= min_cash    (cash)
             spending(t) = sum x[p,l,s] * cost(p,l,t-s)
                           + sum over o of unit_cost(o) * paid[o,t]
         x[p,·,s] <= sum over s' <= s of x[q,·,s']  (p requires q: q runs, starts first)
         sum x[p,·,·] + sum x[q,·,·] <= 1           (p excludes q)

A series is a scalar (every active period) or a list by period since the start whose
last entry holds. Prints one JSON line: the seconds to read, build and solve, the
objective, HiGHS's bound and status, and the number of funded projects.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import pulp


def series(values: float | list[float], since: int) -> float:
    """The series' value ``since`` periods after the start."""
    if isinstance(values, list):
        return float(values[min(since, len(values) - 1)])
    return float(values)


def build(case: dict[str, Any]) -> tuple[pulp.LpProblem, dict, dict]:
    """The problem, its choice variables by (project, level, start) and by project."""
    periods = case["periods"]
    horizon = len(periods)
    index = {label: k for k, label in enumerate(periods)}
    discount = [
        (1 + case["discount_rate"]) ** (-k / case["periods_per_year"]) for k in range(horizon)
    ]
    problem = pulp.LpProblem(case["name"], pulp.LpMaximize)
    x: dict[tuple[str, str, int], pulp.LpVariable] = {}
    by_project: dict[str, list[tuple[int, pulp.LpVariable]]] = {}
    objective = []
    demand: dict[tuple[str, int], list] = {}
    spend: list[list] = [[] for _ in range(horizon)]
    for p in case["projects"]:
        first, last = index[p["start"]["earliest"]], index[p["start"]["latest"]]
        duration = p.get("duration") or horizon
        by_project[p["id"]] = []
        for level in p["levels"]:
            for s in range(first, last + 1):
                var = pulp.LpVariable(f"x_{p['id']}_{level['id']}_{s}", cat="Binary")
                x[p["id"], level["id"], s] = var
                by_project[p["id"]].append((s, var))
                worth = 0.0
                for t in range(s, min(s + duration, horizon)):
                    worth += series(level["value"], t - s) * discount[t]
                    spend[t].append((series(level["cost"], t - s), var))
                    for resource, ramp in level["demand"].items():
                        demand.setdefault((resource, t), []).append((series(ramp, t - s), var))
                objective.append((worth, var))
        problem += pulp.lpSum(var for _, var in by_project[p["id"]]) <= 1, f"one_{p['id']}"
    problem += pulp.LpAffineExpression([(v, c) for c, v in objective])
    supply_by_resource: dict[str, list] = {}
    for o in case["supply"]:
        sign = pulp.LpVariable(f"sign_{o['id']}", cat="Binary") if o.get("optional", False) else 1
        for t in range(horizon):
            use = pulp.LpVariable(f"use_{o['id']}_{t}", lowBound=0)
            paid = pulp.LpVariable(f"paid_{o['id']}_{t}", lowBound=0)
            problem += use <= o["capacity"] * sign, f"cap_{o['id']}_{t}"
            problem += paid >= use, f"paid_{o['id']}_{t}"
            if o.get("min_commit"):
                problem += paid >= o["min_commit"] * sign, f"commit_{o['id']}_{t}"
            supply_by_resource.setdefault(o["resource"], []).append((t, use))
            spend[t].append((o["unit_cost"], paid))
    for (resource, t), needs in demand.items():
        offered = [use for k, use in supply_by_resource.get(resource, []) if k == t]
        problem += (
            pulp.lpSum(offered) - pulp.LpAffineExpression([(v, c) for c, v in needs]) >= 0,
            f"demand_{resource}_{t}",
        )
    budget = case["budget"]
    amounts = budget["amounts"]
    cumulative: dict[pulp.LpVariable, float] = {}
    arrived = 0.0
    for t in range(horizon):
        arrived += amounts if not isinstance(amounts, dict) else amounts.get(periods[t], 0.0)
        for c, v in spend[t]:
            cumulative[v] = cumulative.get(v, 0.0) + c
        problem += (
            pulp.LpAffineExpression(cumulative) <= arrived - budget.get("min_cash", 0),
            f"cash_{t}",
        )
    for p in case["projects"]:
        for q in p.get("requires", []):
            for s, var in by_project[p["id"]]:
                earlier = [v for k, v in by_project[q] if k <= s]
                problem += var <= pulp.lpSum(earlier), f"req_{p['id']}_{q}_{var.name}"
        for q in p.get("excludes", []):
            both = [v for _, v in by_project[p["id"]]] + [v for _, v in by_project[q]]
            problem += pulp.lpSum(both) <= 1, f"excl_{p['id']}_{q}"
    return problem, x, by_project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", type=Path)
    parser.add_argument("--json", type=Path, help="write the funded choices here")
    args = parser.parse_args()
    clock = time.perf_counter()
    case = json.loads(args.case.read_text())
    read = time.perf_counter() - clock
    clock = time.perf_counter()
    problem, x, _ = build(case)
    built = time.perf_counter() - clock
    clock = time.perf_counter()
    solver = pulp.HiGHS(msg=False)
    problem.solve(solver)
    solved = time.perf_counter() - clock
    chosen = {key: 1 for key, var in x.items() if (var.value() or 0) > 0.5}
    bound = solver_bound(problem)
    figures = {
        "read": round(read, 3),
        "build": round(built, 3),
        "solve": round(solved, 3),
        "status": pulp.LpStatus[problem.status],
        "objective": pulp.value(problem.objective),
        "bound": bound,
        "funded": len(chosen),
    }
    print(json.dumps(figures))
    if args.json:
        rows = [{"project": p, "level": level, "start": s} for p, level, s in chosen]
        args.json.write_text(json.dumps({**figures, "chosen": rows}))


def solver_bound(problem: pulp.LpProblem) -> float | None:
    """HiGHS's dual bound after the solve, where PuLP kept the solver model."""
    model = getattr(problem, "solverModel", None)
    if model is None:
        return None
    info = model.getInfo()
    # PuLP hands HiGHS a maximisation as the minimisation of the negated objective.
    flipped = info.objective_function_value * (pulp.value(problem.objective) or 0.0) < 0
    return -float(info.mip_dual_bound) if flipped else float(info.mip_dual_bound)


if __name__ == "__main__":
    main()
