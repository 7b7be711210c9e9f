"""Synthetic cases for benchmarks and tests, written with the core keys of the case contract.

Each project has two levels (``pilot`` and ``full``) whose demand spreads over up
to three resources and ramps over its first periods, a start window, a duration,
and sometimes a requirement on an earlier project or an exclusion of one. Supply
is one capped contract per resource (some with a take-or-pay minimum) plus a spot
option; the budget carries over and covers about 40% of what funding every project
in full would cost, so the choice matters. The same arguments give the same case.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from allocator.errors import InputError

CATEGORIES = ("chat", "search", "browser", "video", "agents", "enterprise", "training")


def generate_case(
    projects: int, resources: int = 4, periods: int = 12, seed: int = 0
) -> dict[str, Any]:
    """A valid case as plain data (see the module docstring for its shape)."""
    if projects < 1 or resources < 1 or periods < 1:
        raise InputError("projects, resources and periods must each be at least 1")
    rng = np.random.default_rng(seed)
    labels = [f"T{k + 1:02d}" for k in range(periods)]
    resource_ids = [f"r{j + 1}" for j in range(resources)]
    items = [_project(rng, i, labels, resource_ids) for i in range(projects)]
    peak = _peak_demand(items, resource_ids)
    full_cost = sum(_total(item["levels"][1]["cost"], item["duration"]) for item in items)
    return {
        "name": f"synthetic-{projects}x{resources}x{periods}-seed{seed}",
        "periods": labels,
        "periods_per_year": 4,
        "discount_rate": 0.08,
        "resources": [{"id": r} for r in resource_ids],
        "supply": _supply(rng, resource_ids, peak),
        "budget": {
            "carry_over": True,
            "amounts": round(0.4 * full_cost / periods, 2),
            "min_cash": 0,
        },
        "projects": items,
        "objective": "value",
        "scenarios": {
            "budget-cut": {
                "description": "unrestricted money cut by a fifth",
                "changes": [{"path": "budget.amounts", "scale": 0.8}],
            }
        },
    }


def _project(
    rng: np.random.Generator, i: int, labels: list[str], resource_ids: list[str]
) -> dict[str, Any]:
    horizon = len(labels)
    duration = int(rng.integers(1, horizon + 1))
    latest = horizon - duration
    earliest = int(rng.integers(0, latest + 1))
    window = int(rng.integers(earliest, min(latest, earliest + 3) + 1))
    used = rng.choice(resource_ids, size=min(3, len(resource_ids)), replace=False)
    base = rng.integers(5, 100, size=len(used))
    ramp = max(1, min(duration, 3))

    def demand(scale: float) -> dict[str, Any]:
        return {
            str(r): [round(float(u) * scale * (k + 1) / ramp, 2) for k in range(ramp)]
            for r, u in zip(used, base, strict=True)
        }

    value = float(rng.integers(10, 200))
    item: dict[str, Any] = {
        "id": f"p{i + 1}",
        "category": str(rng.choice(CATEGORIES)),
        "levels": [
            {
                "id": "pilot",
                "value": round(0.3 * value, 2),
                "cost": round(float(rng.integers(1, 10)), 2),
                "demand": demand(0.25),
            },
            {
                "id": "full",
                "value": value,
                "cost": [
                    round(float(rng.integers(10, 60)), 2),
                    round(float(rng.integers(5, 30)), 2),
                ][: min(2, duration)],
                "demand": demand(1.0),
            },
        ],
        "start": {"earliest": labels[earliest], "latest": labels[window]},
        "duration": duration,
    }
    if i and rng.random() < 0.1:
        item["requires"] = [f"p{int(rng.integers(1, i + 1))}"]
    elif i and rng.random() < 0.05:
        item["excludes"] = [f"p{int(rng.integers(1, i + 1))}"]
    return item


def _total(series: float | list[float], duration: int) -> float:
    if isinstance(series, list):
        return sum(series[min(k, len(series) - 1)] for k in range(duration))
    return series * duration


def _peak_demand(items: list[dict[str, Any]], resource_ids: list[str]) -> dict[str, float]:
    """The largest full-level demand per resource, summed over projects (an upper bound)."""
    peak = dict.fromkeys(resource_ids, 0.0)
    for item in items:
        for resource, ramp in item["levels"][1]["demand"].items():
            peak[resource] += max(ramp)
    return peak


def _supply(
    rng: np.random.Generator, resource_ids: list[str], peak: dict[str, float]
) -> list[dict[str, Any]]:
    options = []
    for r in resource_ids:
        cap = max(1.0, round(0.3 * peak[r], 0))
        contract: dict[str, Any] = {
            "id": f"{r}-contract",
            "resource": r,
            "kind": "contract",
            "capacity": cap,
            "unit_cost": round(float(rng.uniform(0.01, 0.05)), 4),
            "optional": bool(rng.random() < 0.5),
        }
        if rng.random() < 0.5:
            contract["min_commit"] = round(0.2 * cap, 0)
        options.append(contract)
        options.append(
            {
                "id": f"{r}-spot",
                "resource": r,
                "kind": "spot",
                "capacity": max(1.0, round(0.1 * peak[r], 0)),
                "unit_cost": round(float(rng.uniform(0.06, 0.12)), 4),
                "optional": True,
            }
        )
    return options
