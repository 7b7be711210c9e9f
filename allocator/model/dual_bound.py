"""A proven bound on a model's optimum from any row multipliers: the Lagrangian bound.

For ``maximise c @ x + c0`` subject to ``rl <= A @ x <= ru`` and ``l <= x <= u``, and
any multipliers y (read as d objective / d bound: y_i > 0 prices row i's upper bound,
y_i < 0 its lower one), every x that keeps the rows has

    c @ x  <=  c @ x + sum_i y_i (b_i - a_i @ x)        b_i = ru_i if y_i > 0, else rl_i
           =   y @ b + (c - A^T y) @ x
           <=  y @ b + sum_j max(d_j l_j, d_j u_j),     d = c - A^T y,

because each added term is >= 0 for such x. So ``lagrangian_bound(model, y)`` bounds
every plan, integer or not, whatever y is: y decides only how tight the bound is. At
the LP relaxation's optimal duals it equals the LP optimum (LP duality); a
minimisation is the maximisation of -c, with -y. A multiplier on an infinite row bound
is dropped (taken as 0); a column whose reduced cost points at an infinite bound makes
the bound infinite, so columns are first given the finite bounds their rows imply
(``implied_bounds``; a bound every feasible x keeps changes no plan).

``tighten`` makes the bound as small as it can be along the multipliers of a family of
rows that share no column (each project's one-choice row, say), all at once: along one
row's multiplier t the bound is convex and piecewise linear, with slope rb(t) - S(t),
where S(t) = sum_j a_j x_j(t) is the row's activity at the columns' bound-maximising
values (non-increasing in t) and rb(t) its upper bound for t > 0, lower for t < 0. So
the best t is 0 when rl <= S(0) <= ru, else the breakpoint d_j / a_j where S crosses
the bound it breaks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from allocator.model.linear import Family, LinearModel

IMPLIED_PASSES = 3
"""Rounds of implied-bound propagation (a bound found in one round can bound another)."""


def lagrangian_bound(
    model: LinearModel, y: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> float:
    """The bound above (an upper bound for a maximisation, a lower one for a
    minimisation) at multipliers ``y`` (d objective / d bound), with column bounds
    ``lower``/``upper`` (the model's, or tighter implied ones); +-inf when a reduced cost
    points at an infinite column bound."""
    sign, y, d = _priced(model, y)
    rows = np.where(y > 0, model.row_upper, model.row_lower)
    priced = y != 0
    best = _column_best(d, lower, upper)
    value = float(y[priced] @ rows[priced]) + best
    return sign * value + model.objective_offset


def reduced_costs(model: LinearModel, y: np.ndarray) -> np.ndarray:
    """d = c - A^T y in the maximisation's sense (for a minimisation, of -c at -y): how
    much each column adds to the bound per unit at multipliers ``y``. A column with
    d >= 0 is one an LP at these prices would take."""
    return _priced(model, y)[2]


def _priced(model: LinearModel, y: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """(the sign that makes ``model`` a maximisation, ``y`` in that sense and usable,
    the reduced costs d = sign c - A^T y)."""
    sign = 1.0 if model.maximize else -1.0
    y = _usable(model, sign * np.asarray(y, dtype=float))
    return sign, y, sign * model.objective - model.matrix.T @ y


def _usable(model: LinearModel, y: np.ndarray) -> np.ndarray:
    """``y`` with each multiplier on an infinite row bound set to 0, and NaN as 0."""
    y = np.nan_to_num(y, nan=0.0, posinf=0.0, neginf=0.0)
    y[(y > 0) & ~np.isfinite(model.row_upper)] = 0.0
    y[(y < 0) & ~np.isfinite(model.row_lower)] = 0.0
    return y


def _column_best(d: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """sum_j max over l_j <= x_j <= u_j of d_j x_j (inf when some d_j points at an
    infinite bound)."""
    up, down = d > 0, d < 0
    if (up & ~np.isfinite(upper)).any() or (down & ~np.isfinite(lower)).any():
        return float("inf")
    return float(d[up] @ upper[up] + d[down] @ lower[down])


def implied_bounds(model: LinearModel) -> tuple[np.ndarray, np.ndarray]:
    """Column bounds no feasible x can leave, from each row on its own: a_ij x_j <=
    ru_i - (the least the row's other terms can add), and the same from rl_i, for the
    columns whose own bounds are infinite (``IMPLIED_PASSES`` rounds)."""
    lower, upper = model.lower.astype(float), model.upper.astype(float)
    matrix = model.matrix
    rows = np.repeat(np.arange(model.num_constraints), np.diff(matrix.indptr))
    cols, a = matrix.indices, matrix.data
    for _ in range(IMPLIED_PASSES):
        open_up, open_down = ~np.isfinite(upper), ~np.isfinite(lower)
        if not (open_up.any() or open_down.any()):
            break
        # Row sums run over every entry; the bounds only over the entries of open columns
        # (few: the choices are binary), which keeps the temporaries small on long rows.
        pick = np.flatnonzero(open_up[cols] | open_down[cols])
        least, most = _extremes(a, cols, lower, upper)
        for side, others, bound in ((1.0, least, model.row_upper), (-1.0, most, model.row_lower)):
            at, v, c = rows[pick], a[pick], cols[pick]
            rest = _rest(others, rows, model.num_constraints, pick)
            limit = np.where(np.isfinite(rest), bound[at] - rest, np.nan)
            # side * a_ij x_j <= side * limit: an upper bound when side * a > 0, else lower
            with np.errstate(invalid="ignore", divide="ignore"):
                value = limit / v
            found = np.isfinite(value) & np.isfinite(bound[at])
            to_up = found & (side * v > 0) & open_up[c]
            to_down = found & (side * v < 0) & open_down[c]
            np.minimum.at(upper, c[to_up], value[to_up])
            np.maximum.at(lower, c[to_down], value[to_down])
    return lower, upper


def _extremes(
    a: np.ndarray, cols: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each entry's least and most a_ij x_j over l_j <= x_j <= u_j."""
    at_lower = lower[cols]
    at_lower *= a
    at_upper = upper[cols]
    at_upper *= a
    rising = a > 0
    return np.where(rising, at_lower, at_upper), np.where(rising, at_upper, at_lower)


def _rest(terms: np.ndarray, rows: np.ndarray, num_rows: int, pick: np.ndarray) -> np.ndarray:
    """For each entry ``pick`` names, the sum of its row's other ``terms`` (inf or -inf
    where one of the others is infinite, NaN where they are infinite both ways)."""
    finite = np.isfinite(terms)
    total = np.bincount(rows, np.where(finite, terms, 0.0), num_rows)
    plus_all = np.bincount(rows, terms == np.inf, num_rows)
    minus_all = np.bincount(rows, terms == -np.inf, num_rows)
    del finite
    mine, at = terms[pick], rows[pick]
    plus = plus_all[at] - (mine == np.inf)
    minus = minus_all[at] - (mine == -np.inf)
    rest = total[at] - np.where(np.isfinite(mine), mine, 0.0)
    rest = np.where(plus > 0, np.inf, rest)
    rest = np.where(minus > 0, -np.inf, rest)
    return np.where((plus > 0) & (minus > 0), np.nan, rest)


def disjoint_families(model: LinearModel) -> list[Family]:
    """The row families none of whose columns is in two of its rows."""
    found = []
    indptr, indices = model.matrix.indptr, model.matrix.indices
    for family in model.constraints:
        columns = indices[indptr[family.start] : indptr[family.stop]]  # a view, no copy
        if columns.size and np.bincount(columns, minlength=model.num_variables).max() <= 1:
            found.append(family)
    return found


def tighten(
    model: LinearModel,
    y: np.ndarray,
    family: Family,
    lower: np.ndarray,
    upper: np.ndarray,
) -> np.ndarray:
    """``y`` with the multipliers of ``family`` (rows that share no column) each set to
    where the bound is least along it, the others held (see the module docstring). A
    row with an infinite column bound among its terms keeps its multiplier."""
    sign, y, d = _priced(model, y)
    block = sp.csr_matrix(model.matrix[family.slice])
    block.eliminate_zeros()  # an entry stored as 0 has no break point
    rows = np.repeat(np.arange(family.size), np.diff(block.indptr))
    cols, a = block.indices, block.data
    own = d[cols] + y[family.slice][rows] * a  # reduced cost without this row's term
    best = _best_multipliers(
        own / a,
        np.abs(a) * (upper[cols] - lower[cols]),
        np.maximum(a * upper[cols], a * lower[cols]),
        rows,
        model.row_lower[family.slice],
        model.row_upper[family.slice],
    )
    keep = ~np.isfinite(best)
    y[family.slice] = np.where(keep, y[family.slice], best)
    return sign * y


def tighten_all(
    model: LinearModel,
    y: np.ndarray,
    families: Sequence[Family],
    lower: np.ndarray,
    upper: np.ndarray,
    rounds: int = 1,
) -> np.ndarray:
    """``y`` tightened along each of ``families`` (``disjoint_families``) in turn, ``rounds``
    times over (each family's new multipliers move the bound along the others)."""
    for _ in range(rounds):
        for family in families:
            y = tighten(model, y, family, lower, upper)
    return y


@np.errstate(invalid="ignore")  # inf - inf where a drop is infinite: that row is unsettled
def _best_multipliers(
    breaks: np.ndarray,
    drops: np.ndarray,
    tops: np.ndarray,
    rows: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
) -> np.ndarray:
    """Per row, the t minimising t * rb(t) + sum_j (terms): S(t) = sum tops - the drops
    of the entries whose break is below t; NaN where the row cannot be settled (an
    infinite drop, or a bound S never meets)."""
    count = row_lower.shape[0]
    order = np.lexsort((breaks, rows))
    breaks, drops, rows = breaks[order], drops[order], rows[order]
    start = np.bincount(rows, tops, count)  # S(-inf)
    dropped = np.cumsum(drops)
    first = np.searchsorted(rows, np.arange(count))
    dropped -= np.concatenate([[0.0], dropped])[first][rows]  # within the row
    after = start[rows] - dropped  # S just above each break
    before = after + drops  # S just below it
    at_zero_up = start - np.bincount(rows, np.where(breaks <= 0, drops, 0.0), count)
    at_zero_down = start - np.bincount(rows, np.where(breaks < 0, drops, 0.0), count)
    up = at_zero_up > row_upper  # the upper bound is broken at 0: t > 0
    down = ~up & (at_zero_down < row_lower)  # the lower one: t < 0
    rise = np.full(count, np.inf)
    ok = up[rows] & (breaks > 0) & (after <= row_upper[rows])
    np.minimum.at(rise, rows[ok], breaks[ok])
    fall = np.full(count, -np.inf)
    ok = down[rows] & (breaks < 0) & (before >= row_lower[rows])
    np.maximum.at(fall, rows[ok], breaks[ok])
    best = np.where(up, rise, np.where(down, fall, 0.0))
    unsettled = np.bincount(rows, ~np.isfinite(drops), count) > 0
    return np.where(unsettled | ~np.isfinite(best), np.nan, best)
