"""The solver-neutral model: families keep their ids, rows add up, violations are found."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allocator.model import ModelBuilder


def keys(name: str, ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame({name: ids})


def small_model():
    builder = ModelBuilder(maximize=True)
    x = builder.add_variables("choose", keys("project", ["a", "b", "c"]), upper=1, integer=True)
    y = builder.add_variables("use", keys("period", ["Y1", "Y2"]), lower=0, upper=10)
    builder.add_rows(
        "budget",
        keys("period", ["Y1"]),
        rows=np.zeros(3, dtype=int),
        columns=x,
        coefficients=[5, 6, 3],
        upper=10,
    )
    builder.add_rows(
        "link",
        keys("period", ["Y1", "Y2"]),
        rows=np.array([0, 0, 1, 1, 1]),
        columns=np.array([y[0], x[0], y[1], x[1], x[1]]),
        coefficients=[1, -4, 1, -2, -2],
        lower=[0, -np.inf],
        upper=[0, 0],
    )
    builder.add_objective(x, [10, 13, 7])
    builder.add_objective(x[:1], [1])
    builder.add_objective_offset(2.5)
    return builder.build()


def test_arrays_and_families() -> None:
    model = small_model()
    assert (model.num_variables, model.num_constraints) == (5, 3)
    assert [f.name for f in model.variables] == ["choose", "use"]
    assert [f.name for f in model.constraints] == ["budget", "link"]
    assert model.integer.tolist() == [True, True, True, False, False]
    assert model.upper.tolist() == [1, 1, 1, 10, 10]
    assert model.objective.tolist() == [11, 13, 7, 0, 0]  # repeated terms add up
    # repeated (row, column) terms add up: x[1] appears twice in the second link row
    assert model.matrix.toarray().tolist() == [
        [5, 6, 3, 0, 0],
        [-4, 0, 0, 1, 0],
        [0, -4, 0, 0, 1],
    ]
    assert model.row_lower.tolist() == [-np.inf, 0, -np.inf]
    assert model.row_upper.tolist() == [10, 0, 0]


def test_family_take_and_objective() -> None:
    model = small_model()
    x = np.array([1, 0, 1, 4, 0])
    table = model.variable_family("use").take(x)
    assert table.to_dict("list") == {"period": ["Y1", "Y2"], "value": [4, 0]}
    assert model.objective_value(x) == 11 + 7 + 2.5
    with pytest.raises(KeyError, match="families: choose, use"):
        model.variable_family("nope")


def test_violations_name_the_family_and_ids() -> None:
    model = small_model()
    assert model.violations(np.array([1, 0, 1, 4, 0])) == []
    found = model.violations(np.array([1, 1, 0.5, 3, 11]))
    assert "use {'period': 'Y2'}: above upper bound" in found
    assert "budget {'period': 'Y1'}: row above upper bound" in found
    assert "link {'period': 'Y1'}: row below lower bound" in found
    assert "link {'period': 'Y2'}: row above upper bound" in found
    assert "choose {'project': 'c'}: not integral" in found


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda b: b.add_variables("v", keys("k", ["a"]), upper=[1, 2]), "expected 1 values"),
        (lambda b: b.add_variables("v", keys("k", ["a"]), upper=np.nan), "not a number"),
        (lambda b: b.add_variables("v", keys("k", ["a"]), lower=2, upper=1), "above its upper"),
        (lambda b: b.add_variables("v", keys("k", ["a"]), lower=np.inf), "lower bound of \\+inf"),
        (
            lambda b: b.add_rows("r", keys("k", ["a"]), rows=[0], columns=[0], coefficients=np.inf),
            "must be finite",
        ),
        (
            lambda b: b.add_rows("r", keys("k", ["a"]), rows=[1], columns=[0], coefficients=1),
            r"outside 0\.\.0",
        ),
        (
            lambda b: b.add_rows("r", keys("k", ["a"]), rows=[0, 0], columns=[0], coefficients=1),
            "2 row indices but 1 columns",
        ),
    ],
)
def test_builder_refuses_misshapen_input(call, message) -> None:
    with pytest.raises(ValueError, match=message):
        call(ModelBuilder())


def test_family_names_are_unique_and_columns_exist() -> None:
    builder = ModelBuilder()
    builder.add_variables("v", keys("k", ["a"]))
    with pytest.raises(ValueError, match="already exists"):
        builder.add_variables("v", keys("k", ["b"]))
    builder.add_rows("r", keys("k", ["a"]), rows=[0], columns=[3], coefficients=1)
    with pytest.raises(ValueError, match=r"column outside 0\.\.0"):
        builder.build()


@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 7), st.sampled_from([-2.5, 0.0, 1.0, 3.0])),
        max_size=60,
    )
)
@settings(max_examples=100, deadline=None)
def test_the_matrix_adds_up_repeated_terms_and_keeps_every_row_in_order(terms) -> None:
    """Row terms in any order, a term given twice or more: the CSR matrix holds their sums,
    one entry per (row, column) named, with each row's columns in order."""
    builder = ModelBuilder()
    x = builder.add_variables("x", keys("i", [str(i) for i in range(8)]), upper=1)
    rows = np.array([r for r, _, _ in terms], dtype=int)
    builder.add_rows(
        "r",
        keys("j", [str(j) for j in range(6)]),
        rows=rows,
        columns=x[[c for _, c, _ in terms]] if terms else x[:0],
        coefficients=[v for _, _, v in terms],
        upper=1,
    )
    matrix = builder.build().matrix
    expected = np.zeros((6, 8))
    named = np.zeros((6, 8), dtype=bool)
    for r, c, v in terms:
        expected[r, c] += v
        named[r, c] = True
    assert np.array_equal(matrix.toarray(), expected)
    assert matrix.nnz == named.sum()
    assert matrix.has_canonical_format
    for i in range(6):
        row = matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]]
        assert np.all(np.diff(row) > 0)
