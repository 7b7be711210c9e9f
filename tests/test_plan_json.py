"""The JSON writer (``allocator.report.plan_json``): records from tables, and the layout."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from allocator.report.plan_json import dumps, records


def test_records_turn_numpy_values_into_json_values() -> None:
    table = pd.DataFrame(
        {
            "project": ["a", "b"],
            "units": [1.5, np.nan],
            "periods": np.array([3, 4], dtype=np.int64),
            "funded": [True, False],
            "level": [None, "base"],
            "cost": [np.inf, 2.0],
        }
    )
    found = records(table)
    assert found[0] == {
        "project": "a",
        "units": 1.5,
        "periods": 3,
        "funded": True,
        "level": None,
        "cost": None,
    }
    assert found[1] == {
        "project": "b",
        "units": None,
        "periods": 4,
        "funded": False,
        "level": "base",
        "cost": 2.0,
    }
    assert all(type(row["periods"]) is int for row in found)
    assert all(type(row["funded"]) is bool for row in found)


def test_the_layout_puts_one_record_a_line_and_reads_back_the_same() -> None:
    document = {
        "status": "optimal",
        "model": {"columns": 3, "note": "two\nlines"},
        "projects": [{"id": "a", "value": 1.0}, {"id": "b", "value": None}],
        "funding": [],
        "bound": None,
    }
    text = dumps(document)
    assert json.loads(text) == document
    lines = text.splitlines()
    assert lines[0] == "{"
    assert lines[-1] == "}"
    assert '  {"id": "a", "value": 1.0},' in lines
    assert '  {"id": "b", "value": null}' in lines
    assert ' "funding": [],' in lines
    assert '  "columns": 3,' in lines  # a nested object, indented under its key
    assert text.endswith("}\n")
