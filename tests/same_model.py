"""Whether two cases make the same model: the same columns, rows, bounds and terms."""

from __future__ import annotations

import numpy as np

from allocator.model.linear import LinearModel


def same_model(a: LinearModel, b: LinearModel) -> None:
    """Assert that ``a`` and ``b`` are the same model, array for array."""
    for field in ("objective", "lower", "upper", "row_lower", "row_upper", "integer"):
        assert np.array_equal(getattr(a, field), getattr(b, field)), field
    assert a.objective_offset == b.objective_offset
    assert (a.matrix != b.matrix).nnz == 0
