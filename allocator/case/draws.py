"""Draws of a case's uncertainty: every combination of the choices, or Monte Carlo samples.

A draw is one value per random factor. On a grid (``grid_draws``) the draws are every
combination of the ``choice`` factors, each weighted by the product of its
probabilities (the weights add up to 1). Monte Carlo draws (``monte_carlo_draws``)
each weigh 1/N; draw i is sampled from its own stream, seeded by (seed, i), so the
same seed gives the same draw i whatever N, the number of workers or the order in
which draws are solved. ``mean_draw`` is every factor at its mean (the expected-value
future). ``draw_case`` applies a draw to the case: each factor's value
as the scenario change it names, in the order the factors are listed.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from allocator.case.model import Case
from allocator.case.uncertainty import Choice, LogNormal, Normal, RandomFactor, Triangular, Uniform
from allocator.case.uncertainty_checks import factor_change
from allocator.case.whatif import apply_changes
from allocator.errors import InputError


@dataclass(frozen=True)
class Draw:
    """One draw: its number, its weight (a probability) and each factor's value."""

    index: int
    weight: float
    values: dict[str, Any]


def grid_draws(case: Case) -> list[Draw]:
    """Every combination of the choice factors, weighted by the product of probabilities.

    Raises ``InputError`` when a factor is continuous (it has no finite grid) or when
    the case has no uncertainty.
    """
    factors = _factors(case)
    continuous = [f.id for f in factors if not f.discrete]
    if continuous:
        raise InputError(
            f"a grid needs every factor to be a choice; {', '.join(continuous)} "
            f"{'is' if len(continuous) == 1 else 'are'} continuous: use --draws N"
        )
    options = [
        list(zip(f.distribution.choice, f.distribution.weights, strict=True))  # type: ignore[union-attr]
        for f in factors
    ]
    draws = []
    for index, combination in enumerate(itertools.product(*options)):
        values = {f.id: value for f, (value, _) in zip(factors, combination, strict=True)}
        weight = math.prod(p for _, p in combination)
        draws.append(Draw(index, weight, values))
    return draws


def monte_carlo_draws(case: Case, count: int, seed: int) -> list[Draw]:
    """``count`` samples of every factor, each draw weighing 1 / count."""
    if count < 1:
        raise InputError(f"the number of draws must be at least 1, got {count}")
    factors = _factors(case)
    return [
        Draw(i, 1.0 / count, sample(factors, np.random.default_rng([seed, i])))
        for i in range(count)
    ]


def mean_draw(case: Case) -> Draw:
    """Every factor at its mean (weight 1): the expected-value future.

    A choice of numbers: the probability-weighted mean sum_i p_i v_i (of lists of
    numbers of one length, element by element); a choice of period labels: the period
    at the weighted mean of their positions, rounded to the nearest (half a period
    later); any other choice: its most probable value. A uniform: (lo + hi) / 2; a
    normal: mu; a lognormal: exp(mu + sigma^2 / 2); a triangular: (lo + mode + hi) / 3.
    """
    return Draw(-1, 1.0, {f.id: _mean(case, f.distribution) for f in _factors(case)})


def _mean(case: Case, d: Any) -> Any:
    if isinstance(d, Uniform):
        return (d.uniform[0] + d.uniform[1]) / 2
    if isinstance(d, Normal):
        return float(d.normal[0])
    if isinstance(d, LogNormal):
        return float(math.exp(d.lognormal[0] + d.lognormal[1] ** 2 / 2))
    if isinstance(d, Triangular):
        return sum(d.triangular) / 3
    assert isinstance(d, Choice)
    p = np.asarray(d.weights)
    if all(_number(v) for v in d.choice):
        return float(p @ np.asarray(d.choice, dtype=float))
    if _series(d.choice):
        return (p @ np.asarray(d.choice, dtype=float)).tolist()
    if all(isinstance(v, str) and v in case.period_index for v in d.choice):
        position = p @ np.array([case.period_index[v] for v in d.choice], dtype=float)
        return case.periods[math.floor(position + 0.5)]
    return d.choice[int(np.argmax(p))]


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _series(choice: list[Any]) -> bool:
    """Lists of numbers, all of one length."""
    return (
        all(isinstance(v, list) and all(_number(x) for x in v) for v in choice)
        and len({len(v) for v in choice}) == 1
    )


def sample(factors: list[RandomFactor], rng: np.random.Generator) -> dict[str, Any]:
    """One value of every factor, drawn from ``rng`` in the order the factors are listed."""
    return {f.id: _one(f.distribution, rng) for f in factors}


def draw_changes(case: Case, draw: Draw) -> list[Any]:
    """The scenario changes ``draw`` makes, in the order the factors are listed."""
    return [factor_change(f, draw.values[f.id]) for f in case.uncertainty]


def draw_case(case: Case, draw: Draw) -> Case:
    """``case`` with ``draw`` applied; raises ``CaseError`` if the result breaks a rule."""
    return apply_changes(case, draw_changes(case, draw))


def _factors(case: Case) -> list[RandomFactor]:
    if not case.uncertainty:
        raise InputError(f"the case {case.name!r} has no uncertainty to draw from")
    return list(case.uncertainty)


def _one(distribution: Any, rng: np.random.Generator) -> Any:
    if isinstance(distribution, Choice):
        return distribution.choice[
            int(rng.choice(len(distribution.choice), p=distribution.weights))
        ]
    if isinstance(distribution, Uniform):
        return float(rng.uniform(*distribution.uniform))
    if isinstance(distribution, Normal):
        return float(rng.normal(*distribution.normal))
    if isinstance(distribution, LogNormal):
        return float(rng.lognormal(*distribution.lognormal))
    assert isinstance(distribution, Triangular)
    lo, mode, hi = distribution.triangular
    return float(lo) if lo == hi else float(rng.triangular(lo, mode, hi))
