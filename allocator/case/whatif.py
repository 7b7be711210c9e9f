"""Scenarios applied to a case: a new, validated case; the original never changes."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from allocator.case.checks import check_case
from allocator.case.errors import CaseError, Problem
from allocator.case.gcpause import gc_paused
from allocator.case.loading import VOCABULARY, Source, findings_to_problems
from allocator.case.messages import validation_problems
from allocator.case.model import Case
from allocator.case.scenarios import ChangeError, apply_change


def case_data(case: Case) -> dict[str, Any]:
    """The case's fields as a mapping that changes can be applied to.

    The values are the case's own (models, lists): ``apply_change`` copies
    what lies on a changed path and nothing else, and validation takes the
    untouched models as they are, so a scenario costs in proportion to what
    it changes, not to the size of the case.
    """
    return {name: getattr(case, name) for name in type(case).model_fields}


def apply_scenario(case: Case, name: str, source: Source | None = None) -> Case:
    """A new case with the changes of scenario ``name`` applied; ``case`` is unchanged.

    The new case has no scenarios: they were written against the base case.
    """
    source = source or Source(case.name)
    if name not in case.scenarios:
        known = ", ".join(case.scenarios) or "none"
        raise CaseError.single(
            source.file, f"no scenario named '{name}' (scenarios: {known})", "scenarios"
        )
    changed, problems = _apply(case, name, source)
    if changed is None:
        raise CaseError(problems)
    return changed


def scenario_problems(case: Case, source: Source) -> list[Problem]:
    """Every problem in every scenario of ``case``: changes that cannot apply, or bad results."""
    problems: list[Problem] = []
    for name in case.scenarios:
        problems.extend(_apply(case, name, source)[1])
    return problems


def _apply(case: Case, name: str, source: Source) -> tuple[Case | None, list[Problem]]:
    data = case_data(case)
    problems = []
    for index, change in enumerate(case.scenarios[name].changes):
        try:
            apply_change(data, change)
        except ChangeError as err:
            loc = ("scenarios", name, "changes", index, "path")
            file, line = source.locate(loc)
            problems.append(
                Problem(file, f"scenarios.{name}.changes[{index}].path", str(err), line)
            )
    if problems:
        return None, problems
    data["scenarios"] = {}  # the scenarios were written for the base case, not for this one
    try:
        with gc_paused():
            changed = Case.model_validate(data)
    except ValidationError as err:
        inner = validation_problems(err, data, lambda _: (source.file, None), VOCABULARY)
        return None, _within(name, inner, source)
    with gc_paused():
        findings = check_case(changed)
    if findings:
        inner = findings_to_problems(findings, data, Source(source.file))
        return None, _within(name, inner, source)
    return changed, []


def _within(name: str, inner: list[Problem], source: Source) -> list[Problem]:
    """Restate problems of a changed case as problems of the scenario that made it."""
    file, line = source.locate(("scenarios", name))
    return [
        Problem(
            file, f"scenarios.{name}", f"leaves {p.path or 'the case'} invalid: {p.message}", line
        )
        for p in inner
    ]
