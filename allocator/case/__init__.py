"""Case files: the schema, loading and validation, and scenarios."""

from __future__ import annotations

from pathlib import Path

from allocator.case.errors import CaseError, Problem
from allocator.case.loading import Source, build_case, read_case_data
from allocator.case.model import Case
from allocator.case.uncertainty_checks import uncertainty_problems
from allocator.case.whatif import apply_changes, apply_scenario, checked_scenarios
from allocator.case.writing import case_to_data, dump_case, save_case


def load_case(path: str | Path, scenario: str | None = None) -> Case:
    """Load, validate and (optionally) apply one scenario to the case at ``path``.

    Raises ``CaseError`` listing every problem: in the file, in the CSV tables
    it names, in each of its scenarios and in its uncertainty.
    """
    data, source = read_case_data(path)
    case = build_case(data, source)
    scenarios, problems = checked_scenarios(case, source)
    problems += uncertainty_problems(case, source)
    if problems:
        raise CaseError(problems)
    if scenario is None:
        return case
    return scenarios[scenario] if scenario in scenarios else apply_scenario(case, scenario, source)


__all__ = [
    "Case",
    "CaseError",
    "Problem",
    "Source",
    "apply_changes",
    "apply_scenario",
    "case_to_data",
    "dump_case",
    "load_case",
    "save_case",
]
