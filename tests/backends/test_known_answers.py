"""Known-answer problems, written once as data and solved by every backend and solver.

Each problem states its answer; every plan returned must satisfy the model
(``violations`` empty) and reproduce the reported objective.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from allocator.backends import BACKENDS, BackendError, SolveOptions, SolveStatus, get_backend
from allocator.model import LinearModel, ModelBuilder


@dataclass(frozen=True)
class Known:
    """A model and what solving it must give."""

    name: str
    build: Callable[[], LinearModel]
    status: SolveStatus
    objective: float | None = None
    integer: bool = True  # False: has continuous columns
    bounded: bool = True  # False: some column has an infinite bound


def refused(backend: str, solver: str, known: Known) -> bool:
    """What a solver declares it cannot do: CP-SAT needs integer columns with finite bounds."""
    return (backend, solver) == ("ortools", "cp-sat") and not (known.integer and known.bounded)


def _ids(n: int) -> pd.DataFrame:
    return pd.DataFrame({"i": range(n)})


def knapsack() -> LinearModel:
    """max 10a + 13b + 7c + 8d, 5a + 6b + 3c + 4d <= 10, binary: b and d, worth 21."""
    builder = ModelBuilder(maximize=True)
    x = builder.add_variables("x", _ids(4), upper=1, integer=True)
    builder.add_rows("w", _ids(1), np.zeros(4), x, [5, 6, 3, 4], upper=10)
    builder.add_objective(x, [10, 13, 7, 8])
    return builder.build()


def linear() -> LinearModel:
    """max 3x + 2y, x + y <= 4, x + 3y <= 6, x <= 3: the vertex (3, 1), worth 11."""
    builder = ModelBuilder(maximize=True)
    v = builder.add_variables("v", _ids(2), upper=[3, np.inf])
    builder.add_rows(
        "r", _ids(2), [0, 0, 1, 1], [v[0], v[1], v[0], v[1]], [1, 1, 1, 3], upper=[4, 6]
    )
    builder.add_objective(v, [3, 2])
    return builder.build()


def minimum_with_offset() -> LinearModel:
    """min 2x + 3y + 5, x + y >= 4, x <= 1, integers: (1, 3), worth 16."""
    builder = ModelBuilder(maximize=False)
    v = builder.add_variables("v", _ids(2), upper=[1, 10], integer=True)
    builder.add_rows("r", _ids(1), [0, 0], v, 1, lower=4)
    builder.add_objective(v, [2, 3])
    builder.add_objective_offset(5)
    return builder.build()


def equality_with_free_column() -> LinearModel:
    """min z, z - x = -3, x = 1, z free: z = -2."""
    builder = ModelBuilder(maximize=False)
    x = builder.add_variables("x", _ids(1), upper=5)
    z = builder.add_variables("z", _ids(1), lower=-np.inf)
    builder.add_rows(
        "link", _ids(2), [0, 0, 1], [z[0], x[0], x[0]], [1, -1, 1], lower=[-3, 1], upper=[-3, 1]
    )
    builder.add_objective(z, 1)
    return builder.build()


def infeasible() -> LinearModel:
    """x + y >= 3 with x, y binary and x + y <= 1: no plan."""
    builder = ModelBuilder(maximize=True)
    v = builder.add_variables("v", _ids(2), upper=1, integer=True)
    builder.add_rows(
        "r",
        _ids(2),
        [0, 0, 1, 1],
        [v[0], v[1], v[0], v[1]],
        1,
        lower=[3, -np.inf],
        upper=[np.inf, 1],
    )
    builder.add_objective(v, 1)
    return builder.build()


def unbounded() -> LinearModel:
    """max x + y, x - y <= 1, x, y >= 0 integers: grows without limit."""
    builder = ModelBuilder(maximize=True)
    v = builder.add_variables("v", _ids(2), integer=True)
    builder.add_rows("r", _ids(1), [0, 0], v, [1, -1], upper=1)
    builder.add_objective(v, 1)
    return builder.build()


KNOWN = [
    Known("knapsack", knapsack, SolveStatus.OPTIMAL, 21),
    Known("linear", linear, SolveStatus.OPTIMAL, 11, integer=False, bounded=False),
    Known("minimum-with-offset", minimum_with_offset, SolveStatus.OPTIMAL, 16),
    Known(
        "equality-free-column",
        equality_with_free_column,
        SolveStatus.OPTIMAL,
        -2,
        integer=False,
        bounded=False,
    ),
    Known("infeasible", infeasible, SolveStatus.INFEASIBLE),
    Known("unbounded", unbounded, SolveStatus.UNBOUNDED, bounded=False),
]


def _solvers() -> list[tuple[str, str]]:
    pairs = []
    for backend_name in BACKENDS:
        backend = get_backend(backend_name)
        pairs.extend((backend_name, solver) for solver in backend.available_solvers())
    return pairs


SOLVERS = _solvers()


@pytest.mark.parametrize("known", KNOWN, ids=[k.name for k in KNOWN])
@pytest.mark.parametrize(("backend_name", "solver"), SOLVERS, ids=[f"{b}-{s}" for b, s in SOLVERS])
def test_known_answer(backend_name: str, solver: str, known: Known) -> None:
    backend = get_backend(backend_name)
    model = known.build()
    options = SolveOptions(solver=solver)
    if refused(backend_name, solver, known):
        with pytest.raises(BackendError, match="cp-sat"):
            backend.solve(model, options)
        return
    result = backend.solve(model, options)
    termination = result.termination
    if known.status is SolveStatus.UNBOUNDED and termination.status is SolveStatus.INFEASIBLE:
        pytest.fail(f"{backend_name}/{solver} calls an unbounded model infeasible")
    assert termination.status is known.status, termination.message
    assert (termination.backend, termination.solver) == (backend_name, solver)
    if known.objective is None:
        assert result.values is None
        return
    assert result.values is not None
    assert model.violations(result.values) == []
    assert termination.objective == pytest.approx(known.objective, rel=1e-9, abs=1e-9)
    assert model.objective_value(result.values) == pytest.approx(known.objective, abs=1e-6)
    assert termination.gap in (None, pytest.approx(0, abs=1e-9))


@pytest.mark.parametrize("backend_name", list(BACKENDS))
def test_unknown_solver_lists_the_available_ones(backend_name: str) -> None:
    backend = get_backend(backend_name)
    with pytest.raises(BackendError) as error:
        backend.solve(knapsack(), SolveOptions(solver="no-such-solver"))
    for solver in backend.available_solvers():
        assert solver in str(error.value)


def test_unknown_backend_lists_the_known_ones() -> None:
    with pytest.raises(BackendError, match="backends: ortools, pulp"):
        get_backend("gurobipy-direct")
