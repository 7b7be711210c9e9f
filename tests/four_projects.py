"""The four-project hand case the minimal-change and restriction tests share; each test
module derives its figures from it in its own docstring."""

from __future__ import annotations

from typing import Any

QUARTERS = ["Q1", "Q2", "Q3", "Q4"]

HAND: dict[str, Any] = {
    "name": "minimal-change-hand",
    "periods": QUARTERS,
    "periods_per_year": 4,
    "discount_rate": 0.0,
    "objective": "value",
    "resources": [{"id": "gpu"}],
    "supply": [
        {"id": "cloud", "resource": "gpu", "kind": "contract", "capacity": 10, "unit_cost": 0}
    ],
    "budget": {"carry_over": True, "amounts": 1000},
    "projects": [
        {
            "id": f"p{i}",
            "value": 10,
            "demand": {"gpu": 10},
            "start": {"earliest": "Q1", "latest": "Q4"},
            "duration": 1,
        }
        for i in range(1, 5)
    ],
    "scenarios": {
        "no-q4": {"changes": [{"path": "supply[cloud].capacity", "set": [10, 10, 10, 0]}]}
    },
}
