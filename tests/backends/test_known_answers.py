"""Known-answer problems, written once as data and solved by every backend and solver.

Each problem states its answer; every plan returned must satisfy the model
(``violations`` empty) and reproduce the reported objective. The exceptions are
generated from what each solver declares: a solver that cannot take a model must
refuse it (``declared.expected_refusal``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from declared import AVAILABLE, expected_refusal
from problems import (
    equality_with_free_column,
    infeasible_contradicting_rows,
    knapsack,
    linear,
    minimum_with_offset,
    unbounded,
)

from allocator.backends import BACKENDS, BackendError, SolveOptions, SolveStatus, get_backend
from allocator.model import LinearModel


@dataclass(frozen=True)
class Known:
    """A model and what solving it must give."""

    name: str
    build: Callable[[], LinearModel]
    status: SolveStatus
    objective: float | None = None
    integer: bool = True  # False: has continuous columns
    bounded: bool = True  # False: some column has an infinite bound


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
    Known("infeasible", infeasible_contradicting_rows, SolveStatus.INFEASIBLE),
    Known("unbounded", unbounded, SolveStatus.UNBOUNDED, bounded=False),
]


SOLVERS = [(backend, solver) for backend, solver, _ in AVAILABLE]


@pytest.mark.parametrize("known", KNOWN, ids=[k.name for k in KNOWN])
@pytest.mark.parametrize(("backend_name", "solver"), SOLVERS, ids=[f"{b}-{s}" for b, s in SOLVERS])
def test_known_answer(backend_name: str, solver: str, known: Known) -> None:
    backend = get_backend(backend_name)
    model = known.build()
    options = SolveOptions(solver=solver, relative_gap=0)
    refusal = expected_refusal(backend.capabilities(solver), model)
    if refusal is not None:
        with pytest.raises(BackendError, match=f"^{solver} .*{refusal}"):
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


def test_highs_through_both_backends_in_one_process() -> None:
    """PuLP (which loads highspy) used before OR-Tools' own HiGHS must not crash the
    process: a fresh interpreter solves with PuLP, then with OR-Tools' HiGHS."""
    import subprocess
    import sys

    script = (
        "from allocator.backends import SolveOptions, get_backend\n"
        "from allocator.model.builder import ModelBuilder\n"
        "import pandas as pd\n"
        "b = ModelBuilder(maximize=True)\n"
        "x = b.add_variables('x', pd.DataFrame({'i': [0]}), upper=2)\n"
        "b.add_objective(x, [1.0])\n"
        "m = b.build()\n"
        "get_backend('pulp').solve(m, SolveOptions(solver='cbc'))\n"
        "print(get_backend('ortools').solve(m, SolveOptions(solver='highs')).termination.status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip().endswith("optimal")


def test_the_declarations_agree_with_what_the_known_problems_say_of_themselves() -> None:
    """``integer`` and ``bounded`` above, read against the declarations: CP-SAT takes only
    the integer, bounded problems; Glop only the linear ones."""
    for backend_name, solver, capabilities in AVAILABLE:
        for known in KNOWN:
            model = known.build()
            takes = expected_refusal(capabilities, model) is None
            if (backend_name, solver) == ("ortools", "cp-sat"):
                assert takes == (known.integer and known.bounded), known.name
            elif (backend_name, solver) == ("ortools", "glop"):
                assert takes == (not model.integer.any()), known.name
            else:
                assert takes, (backend_name, solver, known.name)
