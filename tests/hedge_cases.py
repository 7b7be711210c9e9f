"""The two-stage case the hedge tests share; its figures are derived in tests/test_hedge.py."""

from __future__ import annotations

from typing import Any

LEAD_TIME: dict[str, Any] = {
    "name": "lead-time",
    "periods": ["Q1", "Q2"],
    "periods_per_year": 4,
    "discount_rate": 0.0,
    "objective": "npv",
    "resources": [{"id": "gpu"}],
    "supply": [
        {
            "id": "reserved",
            "resource": "gpu",
            "kind": "contract",
            "optional": True,
            "available_from": "Q2",
            "capacity": 100,
            "unit_cost": 0,
            "fixed_cost": 200,
        },
        {"id": "spot", "resource": "gpu", "kind": "spot", "capacity": 100, "unit_cost": 3},
    ],
    "budget": {"carry_over": True, "amounts": 1000},
    "projects": [
        {"id": "launch", "value": 325, "demand": {"gpu": 100}, "start": "Q2", "duration": 1}
    ],
    "uncertainty": [
        {
            "id": "launch-value",
            "path": "projects[launch].value",
            "set": {"choice": [50, 600], "p": [0.5, 0.5]},
        }
    ],
}
