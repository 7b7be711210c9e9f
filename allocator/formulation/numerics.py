"""Numbers solvers handle badly, found in the model before it is solved.

Two checks, each naming the row families (and so the case fields) involved:

- A yes/no or block decision with a coefficient c above ``BIG`` (1e6): solvers accept
  an integer within about 1e-6 of a whole number, so a row can be off by up to
  c * 1e-6 units once the plan is rounded (a whole unit from c = 1,000,000).
- A row whose nonzero coefficients span more than ``SPREAD`` (1e7): the small ones
  are lost in the solver's tolerances next to the large ones.

The suggested remedy is a larger unit for the quantity that is large: resources
counted in thousands of units, or money in a larger ``money_unit``. What a family's
coefficients count comes from its declared meaning (``RowMeaning.quantity``); rows
that weigh choices against each other (``relative``: category shares) are judged by
their spread only.
"""

from __future__ import annotations

import numpy as np

from allocator.formulation.meaning import meaning_of
from allocator.model.linear import LinearModel

BIG = 1e6
SPREAD = 1e7


def numeric_warnings(model: LinearModel) -> list[str]:
    """Plain-language warnings about the model's numbers (see the module docstring), one
    per kind of quantity."""
    matrix = abs(model.matrix.tocsr())
    integer = np.flatnonzero(model.integer)
    big: dict[str, tuple[float, list[str]]] = {}
    found = []
    for family in model.constraints:
        rows = matrix[family.start : family.stop]
        if not rows.nnz:
            continue
        meaning = meaning_of(family)
        what = (meaning and meaning.quantity) or "its quantities"
        on_integers = rows[:, integer]
        relative = meaning is not None and meaning.relative
        if not relative and on_integers.nnz and on_integers.data.max() > BIG:
            c, names = big.get(what, (0.0, []))
            big[what] = (max(c, float(on_integers.data.max())), [*names, family.name])
        largest = rows.max(axis=1).toarray().ravel()
        smallest = _row_minimum(rows)
        spread = np.divide(largest, smallest, out=np.zeros_like(largest), where=smallest > 0)
        if spread.max() > SPREAD:
            i = int(spread.argmax())
            found.append(
                f"{family.name} rows mix coefficients from {smallest[i]:.3g} to "
                f"{largest[i]:,.0f}: express {what} in units that bring them closer"
            )
    for what, (c, names) in big.items():
        found.append(
            f"{what} reach {c:,.0f} on yes/no or block decisions ({', '.join(names)} rows): "
            f"an integrality tolerance of about 1e-6 can leave them off by {c * 1e-6:.2g}; "
            "count them in thousands"
        )
    return found


def _row_minimum(rows: object) -> np.ndarray:
    """The smallest nonzero |coefficient| of every row (0 for an empty row)."""
    out = np.zeros(rows.shape[0])
    for i in range(rows.shape[0]):
        data = rows.data[rows.indptr[i] : rows.indptr[i + 1]]
        if data.size:
            out[i] = data.min()
    return out
