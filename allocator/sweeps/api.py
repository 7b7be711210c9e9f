"""``allocator.sweep``: draw a case's uncertainty, solve every draw, summarise.

Which draws: ``grid=True`` every combination of the choices (every factor must be a
choice); ``draws=N`` N Monte Carlo samples from ``seed``; neither: the grid when every
factor is a choice, otherwise an ``InputError`` asking for a number of draws. The
draws are solved on Dask (``allocator.sweeps.engine``): local worker processes, or the
cluster at ``scheduler``; each finished draw is kept in ``out`` (a new temporary
folder by default), and a sweep run again with the same ``out`` solves only the draws
not finished there.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from allocator.analysis.runner import Runner
from allocator.case.draws import Draw, grid_draws, monte_carlo_draws
from allocator.case.model import Case
from allocator.errors import InputError
from allocator.sweeps.summary import Summary, summarise


@dataclass(frozen=True)
class Sweep:
    """A sweep's answer.

    ``draws``: one row per draw (the record of each, see ``allocator.sweeps.record``),
    sorted by draw; ``summary``: what they say together; ``grid``: True for every
    combination of the choices, False for Monte Carlo (then ``seed``); ``solved`` and
    ``skipped``: the draws solved in this run and those found finished in ``out``.
    """

    draws: pd.DataFrame
    summary: Summary
    grid: bool
    seed: int | None
    solved: int
    skipped: int
    out: Path


def choose_draws(
    case: Case, *, grid: bool = False, draws: int | None = None, seed: int = 0
) -> tuple[list[Draw], bool]:
    """The draws to solve and whether they are a grid (see the module docstring)."""
    if grid and draws is not None:
        raise InputError("give --grid or --draws N, not both")
    if draws is not None:
        return monte_carlo_draws(case, draws, seed), False
    if not grid and any(not f.discrete for f in case.uncertainty):
        continuous = ", ".join(f.id for f in case.uncertainty if not f.discrete)
        raise InputError(
            f"{continuous}: a continuous factor has no grid; give the number of Monte Carlo "
            "draws (--draws N)"
        )
    return grid_draws(case), True


def still_to_solve(case: Case, draws: list[Draw], runner: Runner, out: str | Path) -> int:
    """How many of ``draws`` have no record in ``out`` yet (what a resumed sweep solves)."""
    from allocator.sweeps.store import draw_key, finished_keys, solve_identity

    folder = Path(out)
    if not folder.is_dir():
        return len(draws)
    identity = solve_identity(case, runner)
    return len(draws) - len(finished_keys(folder, [draw_key(identity, d) for d in draws]))


def sweep(
    case: Case,
    *,
    grid: bool = False,
    draws: int | None = None,
    seed: int = 0,
    runner: Runner | None = None,
    out: str | Path | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    done: Any = None,
) -> Sweep:
    """Draw ``case``'s uncertainty, solve every draw with ``runner`` and summarise.

    ``done(record)`` is called after each draw is solved and kept (a progress callback).
    Raises ``InputError`` for draws that cannot be made (a grid of continuous factors, a
    case without uncertainty, fewer than one draw).
    """
    from allocator.sweeps.engine import run_sweep  # Dask loads only for a sweep

    chosen, is_grid = choose_draws(case, grid=grid, draws=draws, seed=seed)
    folder = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="allocator-sweep-"))
    runner = runner or Runner()
    if runner.wants_base and still_to_solve(case, chosen, runner, folder):
        runner = runner.near(runner.solve(case))
    run = run_sweep(
        case,
        chosen,
        runner,
        out=folder,
        scheduler=scheduler,
        workers=workers,
        done=done,
    )
    return Sweep(
        draws=run.draws,
        summary=summarise(run.draws, case, monte_carlo=not is_grid),
        grid=is_grid,
        seed=None if is_grid else seed,
        solved=run.solved,
        skipped=run.skipped,
        out=run.out,
    )
