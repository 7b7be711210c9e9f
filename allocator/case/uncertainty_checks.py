"""Checking a case's uncertainty when it loads: every factor applies, every choice is valid.

A factor's path must resolve on the case and its operation must apply there. Every
value of a ``choice`` is applied to a copy of the case and the result checked with
every rule, so a period label that is not a period, or a number where a label is
due, is reported at load, not at the draw. A continuous distribution is checked
with its centre (the mean; exp(mu) for a lognormal; the mode of a triangular): the
path must take a number. Values drawn later that break a rule (a normal reaching
below zero, say) make that draw ``invalid``; they are reported by the sweep.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import ValidationError

from allocator.case.errors import Problem
from allocator.case.loading import Source
from allocator.case.model import Case
from allocator.case.scenario_model import Change
from allocator.case.uncertainty import Choice, LogNormal, Normal, RandomFactor, Triangular, Uniform
from allocator.case.whatif import changed_case


def uncertainty_problems(case: Case, source: Source) -> list[Problem]:
    """Every problem of every random factor of ``case`` (see the module docstring)."""
    problems: list[Problem] = []
    for index, factor in enumerate(case.uncertainty):
        problems.extend(_factor_problems(case, index, factor, source))
    return problems


def centre(distribution: Uniform | Normal | LogNormal | Triangular) -> float:
    """A value the distribution takes: its mean (the mode of a triangular)."""
    if isinstance(distribution, Uniform):
        return (distribution.uniform[0] + distribution.uniform[1]) / 2
    if isinstance(distribution, Normal):
        return distribution.normal[0]
    if isinstance(distribution, LogNormal):
        return math.exp(distribution.lognormal[0])
    return distribution.triangular[1]


def factor_change(factor: RandomFactor, value: Any) -> Change:
    """The scenario change a drawn ``value`` of ``factor`` makes."""
    return Change.model_validate({"path": factor.path, factor.operation: value})


def _factor_problems(case: Case, index: int, factor: RandomFactor, source: Source) -> list[Problem]:
    where = f"uncertainty[{factor.id}]"
    distribution = factor.distribution
    if isinstance(distribution, Choice):
        tried = [
            (f"{where}.{factor.operation}.choice[{j}]", (factor.operation, "choice", j), value)
            for j, value in enumerate(distribution.choice)
        ]
    else:
        tried = [(where, (), centre(distribution))]
    problems: list[Problem] = []
    for path, inner_loc, value in tried:
        loc = ("uncertainty", index, *inner_loc)
        try:
            change = factor_change(factor, value)
        except ValidationError as err:
            message = _first_message(err, factor.operation, value)
            problems.append(_problem(source, loc, path, message))
            continue
        _, cannot, broken = changed_case(case, [change])
        if cannot:  # the path does not resolve: say it once, at the path
            file, line = source.locate(("uncertainty", index, "path"))
            return [Problem(file, f"{where}.path", cannot[0], line)]
        for p in broken:
            message = f"{value!r} leaves {p.path or 'the case'} invalid: {p.message}"
            problems.append(_problem(source, loc, path, message))
    return problems


def _problem(source: Source, loc: tuple[str | int, ...], path: str, message: str) -> Problem:
    file, line = source.locate(loc)
    return Problem(file, path, message, line)


def _first_message(err: ValidationError, operation: str, value: Any) -> str:
    error = err.errors()[0]
    if error["type"] in ("float_type", "float_parsing"):
        return f"{operation} takes a number, got {value!r}"
    return f"{operation} {value!r}: {error['msg']}"
