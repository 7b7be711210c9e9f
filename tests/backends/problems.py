"""The small test models of the backend tests, each with its known answer.

One definition a model, shared by ``test_known_answers.py`` (run on every backend
and solver), ``test_ortools_backend.py`` and ``test_pulp_backend.py``. Each
docstring derives the answer by hand (or says how to find it, as for the random
knapsacks); the tests state the numbers they assert.

This is a plain helper module, not a test file: the test files import it as
``from problems import ...`` (pytest puts their folder on ``sys.path``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocator.model import LinearModel, ModelBuilder


def ids(n: int) -> pd.DataFrame:
    """``n`` rows of one column ``i``: the index of a family of columns or rows."""
    return pd.DataFrame({"i": range(n)})


# --- small models with answers worked out by hand ----------------------------------------


def knapsack() -> LinearModel:
    """max 10a + 13b + 7c + 8d, 5a + 6b + 3c + 4d <= 10, binary: {b, d} worth 21.

    (a, c: 17; a, d: 18; b, c: 20; b, d: 21; c, d: 15 -- the other pairs, and every
    three, are too heavy.)
    """
    builder = ModelBuilder(maximize=True)
    x = builder.add_variables("x", ids(4), upper=1, integer=True)
    builder.add_rows("w", ids(1), np.zeros(4), x, [5, 6, 3, 4], upper=10)
    builder.add_objective(x, [10, 13, 7, 8])
    return builder.build()


def light_knapsack() -> LinearModel:
    """max 10a + 13b + 7c + 8d, 3a + 4b + 2c + 3d <= 7, binary: {a, b} worth 23.

    Weight 7 fits {a, b} = 23, {b, d} = 21, {b, c} = 20, {a, d} = 18, {a, c} = 17,
    {c, d} = 15 and no three. The columns are called ``take``.
    """
    builder = ModelBuilder(maximize=True)
    x = builder.add_variables("take", ids(4), upper=1, integer=True)
    builder.add_rows("weight", ids(1), np.zeros(4), x, [3, 4, 2, 3], upper=7)
    builder.add_objective(x, [10, 13, 7, 8])
    return builder.build()


def linear(x_max: float = 3) -> LinearModel:
    """max 3x + 2y, x + y <= 4, x + 3y <= 6, x <= x_max, x, y >= 0 continuous.

    For 3 <= x_max <= 4 the best vertex is (x_max, 4 - x_max), worth x_max + 8:
    x_max = 3 gives (3, 1), worth 11; x_max = 3.5 gives (3.5, 0.5), worth 11.5
    (the other vertices: (0, 0) 0, (3.5, 0) 10.5, (3, 1) 11, (0, 2) 4).
    """
    builder = ModelBuilder(maximize=True)
    v = builder.add_variables("v", ids(2), upper=[x_max, np.inf])
    rows, columns = [0, 0, 1, 1], [v[0], v[1], v[0], v[1]]
    builder.add_rows("r", ids(2), rows, columns, [1, 1, 1, 3], upper=[4, 6])
    builder.add_objective(v, [3, 2])
    return builder.build()


def minimum_with_offset(x_max: float = 1, offset: float = 5) -> LinearModel:
    """min 2x + 3y + offset, x + y >= 4, x <= x_max, y <= 10, integers.

    x is cheaper, so x = x_max and y = 4 - x_max (x_max <= 4), worth 12 - x_max + offset:
    x_max 1, offset 5 gives (1, 3), worth 16; x_max 3, offset 10 gives (3, 1), worth 19.
    """
    builder = ModelBuilder(maximize=False)
    v = builder.add_variables("v", ids(2), upper=[x_max, 10], integer=True)
    builder.add_rows("r", ids(1), [0, 0], v, 1, lower=4)
    builder.add_objective(v, [2, 3])
    builder.add_objective_offset(offset)
    return builder.build()


def equality_row() -> LinearModel:
    """max x + 2y, x + y == 3, y <= 2 (x, y >= 0 continuous): (1, 2), worth 5."""
    builder = ModelBuilder(maximize=True)
    v = builder.add_variables("v", ids(2), upper=[np.inf, 2])
    builder.add_rows("r", ids(1), [0, 0], v, 1, lower=3, upper=3)
    builder.add_objective(v, [1, 2])
    return builder.build()


def integer_equality_row() -> LinearModel:
    """max x + y + z, x + 2y + 3z = 7, x <= 3, integers in [0, 5].

    x = 3: 2y + 3z = 4 -> (2, 0), sum 5; x = 2: (1, 1), 4; x = 1: (3, 0), 4 or
    (0, 2), 3; x = 0: (2, 1), 3. Best (3, 2, 0), worth 5.
    """
    builder = ModelBuilder(maximize=True)
    v = builder.add_variables("v", ids(3), upper=[3, 5, 5], integer=True)
    builder.add_rows("sum", ids(1), [0, 0, 0], v, [1, 2, 3], lower=7, upper=7)
    builder.add_objective(v, 1)
    return builder.build()


def ranged_row(maximize: bool) -> LinearModel:
    """2 <= x + y <= 5 with x, y in [0, 10], objective x + y: 5 at most, 2 at least."""
    builder = ModelBuilder(maximize=maximize)
    v = builder.add_variables("v", ids(2), upper=10)
    builder.add_rows("r", ids(1), [0, 0], v, 1, lower=2, upper=5)
    builder.add_objective(v, 1)
    return builder.build()


def equality_with_free_column() -> LinearModel:
    """min z, z - x = -3, x = 1, z free: z = -2."""
    builder = ModelBuilder(maximize=False)
    x = builder.add_variables("x", ids(1), upper=5)
    z = builder.add_variables("z", ids(1), lower=-np.inf)
    builder.add_rows(
        "link", ids(2), [0, 0, 1], [z[0], x[0], x[0]], [1, -1, 1], lower=[-3, 1], upper=[-3, 1]
    )
    builder.add_objective(z, 1)
    return builder.build()


def linked_free_column() -> LinearModel:
    """min z, z - x = -3, z >= -10, x in [0, 5], z free: z = x - 3 is least at x = 0, worth -3.

    The row z >= -10 does not bind, so z must go below 0 on its own (PuLP's ``None``
    lower bound). A second free column w, in no row and not in the objective, must
    still come back with a value.
    """
    builder = ModelBuilder(maximize=False)
    x = builder.add_variables("x", ids(1), upper=5)
    z = builder.add_variables("z", ids(1), lower=-np.inf)
    builder.add_variables("w", ids(1), lower=-np.inf)
    builder.add_rows(
        "link",
        ids(2),
        [0, 0, 1],
        [z[0], x[0], z[0]],
        [1, -1, 1],
        lower=[-3, -10],
        upper=[-3, np.inf],
    )
    builder.add_objective(z, 1)
    return builder.build()


def free_columns(integer: bool, lower: float = -np.inf, upper: float = np.inf) -> LinearModel:
    """min x - y, x >= -7.5, y <= 2.25 (rows), x and y free (or in [lower, upper]).

    Continuous: (-7.5, 2.25), worth -9.75. Integer: (-7, 2), worth -9. A lower
    bound read as 0, or an upper bound read as finite, would change the answer.
    """
    builder = ModelBuilder(maximize=False)
    v = builder.add_variables("v", ids(2), lower=lower, upper=upper, integer=integer)
    builder.add_rows("r", ids(2), [0, 1], v, 1, lower=[-7.5, -np.inf], upper=[np.inf, 2.25])
    builder.add_objective(v, [1, -1])
    return builder.build()


def empty_with_offset() -> LinearModel:
    """No columns, no rows, objective 4.5: optimal at 4.5."""
    builder = ModelBuilder(maximize=True)
    builder.add_objective_offset(4.5)
    return builder.build()


# --- no plan, or no bound -----------------------------------------------------------------


def infeasible(integer: bool = True) -> LinearModel:
    """x + y >= 3 with x, y in [0, 1] (binary unless ``integer`` is False): no plan."""
    builder = ModelBuilder(maximize=True)
    v = builder.add_variables("v", ids(2), upper=1, integer=integer)
    builder.add_rows("r", ids(1), [0, 0], v, 1, lower=3)
    builder.add_objective(v, 1)
    return builder.build()


def infeasible_contradicting_rows() -> LinearModel:
    """x + y >= 3 with x, y binary and x + y <= 1: no plan."""
    builder = ModelBuilder(maximize=True)
    v = builder.add_variables("v", ids(2), upper=1, integer=True)
    builder.add_rows(
        "r",
        ids(2),
        [0, 0, 1, 1],
        [v[0], v[1], v[0], v[1]],
        1,
        lower=[3, -np.inf],
        upper=[np.inf, 1],
    )
    builder.add_objective(v, 1)
    return builder.build()


def unbounded(integer: bool = True) -> LinearModel:
    """max x + y, x - y <= 1, x, y >= 0 (integers unless ``integer`` is False).

    Grows without limit: (t + 1, t) is a plan for every t, worth 2t + 1.
    """
    builder = ModelBuilder(maximize=True)
    v = builder.add_variables("v", ids(2), integer=integer)
    builder.add_rows("r", ids(1), [0, 0], v, [1, -1], upper=1)
    builder.add_objective(v, 1)
    return builder.build()


def infeasible_with_unbounded_relaxation() -> LinearModel:
    """max z, a + b == 1.5 with a, b binary, z >= 0 free of rows.

    The LP relaxation is unbounded (z grows, a = 1, b = 0.5), so CBC answers
    "Unbounded"; but no binary a, b sum to 1.5: there is no plan.
    """
    builder = ModelBuilder(maximize=True)
    v = builder.add_variables("v", ids(2), upper=1, integer=True)
    z = builder.add_variables("z", ids(1))
    builder.add_rows("r", ids(1), [0, 0], v, 1, lower=1.5, upper=1.5)
    builder.add_objective(z, 1)
    return builder.build()


# --- random models: answers by brute force, or none (for limits and gaps) ----------------


def multidimensional_knapsack(items: int, dimensions: int, seed: int) -> LinearModel:
    """A random 0/1 knapsack with ``dimensions`` capacity rows, each half the total weight.

    Small ones are solved exactly by ``brute_force_best``.
    """
    rng = np.random.default_rng(seed)
    weights = rng.integers(10, 100, size=(dimensions, items)).astype(float)
    values = rng.integers(10, 100, size=items) + weights.mean(axis=0) / 2
    builder = ModelBuilder(maximize=True)
    x = builder.add_variables("take", ids(items), upper=1, integer=True)
    rows, columns = np.nonzero(weights)
    builder.add_rows(
        "capacity",
        ids(dimensions),
        rows,
        x[columns],
        weights[rows, columns],
        upper=weights.sum(axis=1) / 2,
    )
    builder.add_objective(x, values)
    return builder.build()


def brute_force_best(model: LinearModel) -> float:
    """The best objective of a small 0/1 model, by trying every choice."""
    n = model.num_variables
    choices = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(float)
    activity = model.matrix @ choices.T
    fits = np.all(
        (activity <= model.row_upper[:, None] + 1e-9)
        & (activity >= model.row_lower[:, None] - 1e-9),
        axis=0,
    )
    worth = choices @ model.objective + model.objective_offset
    return float(worth[fits].max())


def slow_knapsack(seed: int = 3, items: int = 60, dimensions: int = 30) -> LinearModel:
    """A random 0-1 knapsack with 30 weight rows and offset -100, all in whole numbers.

    Takes a second or more for CBC and HiGHS: for time limits and relative gaps.
    """
    rng = np.random.default_rng(seed)
    weights = rng.integers(10, 100, size=(dimensions, items))
    values = rng.integers(10, 100, size=items) + weights.sum(axis=0) // dimensions
    builder = ModelBuilder(maximize=True)
    x = builder.add_variables("x", ids(items), upper=1, integer=True)
    rows, columns = np.divmod(np.arange(dimensions * items), items)
    builder.add_rows(
        "capacity", ids(dimensions), rows, x[columns], weights.ravel(), upper=weights.sum(1) // 2
    )
    builder.add_objective(x, values)
    builder.add_objective_offset(-100)
    return builder.build()


def market_split(maximize: bool) -> LinearModel:
    """Four 0-1 equalities sum a_ij x_j = (sum_j a_ij) // 2 over 30 columns (Cornuejols and
    Dawande): hard to find any plan in a fraction of a second."""
    rng = np.random.default_rng(1)
    weights = rng.integers(0, 100, size=(4, 30))
    target = weights.sum(axis=1) // 2
    builder = ModelBuilder(maximize=maximize)
    x = builder.add_variables("x", ids(30), upper=1, integer=True)
    rows, columns = np.divmod(np.arange(weights.size), 30)
    builder.add_rows("split", ids(4), rows, x[columns], weights.ravel(), lower=target, upper=target)
    builder.add_objective(x, 1)
    return builder.build()
