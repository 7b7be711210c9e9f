"""Scenarios applied to a case: a new, validated case; the original never changes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from allocator.case.checks import check_case
from allocator.case.errors import CaseError, Problem
from allocator.case.gcpause import gc_paused
from allocator.case.loading import VOCABULARY, Source, findings_to_problems
from allocator.case.messages import validation_problems
from allocator.case.model import Case
from allocator.case.scenario_model import Change
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


def checked_scenarios(case: Case, source: Source) -> tuple[dict[str, Case], list[Problem]]:
    """Every scenario of ``case`` applied: the changed cases by name, and every problem
    (changes that cannot apply, or bad results). ``case`` must break no rule (it passed
    ``check_case``): only the rules reading a field a scenario changes are checked again.
    """
    cases: dict[str, Case] = {}
    problems: list[Problem] = []
    for name in case.scenarios:
        changed, found = _apply(case, name, source, checked=True)
        problems.extend(found)
        if changed is not None:
            cases[name] = changed
    return cases, problems


def _apply(
    case: Case, name: str, source: Source, checked: bool = False
) -> tuple[Case | None, list[Problem]]:
    changes = case.scenarios[name].changes
    where = [("scenarios", name, "changes", index, "path") for index in range(len(changes))]
    changed, cannot, inner = _changed(case, changes, source, checked)
    if cannot:
        return None, _located(cannot, where, source)
    return changed, _within(("scenarios", name), inner, source)


def apply_changes(
    case: Case, changes: Sequence[Change | Mapping[str, Any]], source: Source | None = None
) -> Case:
    """A new, validated case with ``changes`` applied in order; ``case`` is unchanged.

    Each change is a scenario change as data (``{"path": ..., "scale": 0.8}``, or a
    ``Change``): the operations of a scenario (set, scale, add, remove, append), the
    same code the scenarios and the sweeps use. Raises ``CaseError`` with every
    problem at once: changes that cannot apply (at ``changes[i].path``), or a result
    that breaks a rule of the case. The new case has no scenarios of its own.
    """
    source = source or Source(case.name)
    parsed = []
    problems = []
    for index, change in enumerate(changes):
        try:
            parsed.append(
                (index, change if isinstance(change, Change) else Change.model_validate(change))
            )
        except ValidationError as err:
            inner = validation_problems(err, change, lambda _: (source.file, None), VOCABULARY)
            problems += [
                Problem(p.file, f"changes[{index}].{p.path}".rstrip("."), p.message, None)
                for p in inner
            ]
    changed, cannot, inner = _changed(case, [c for _, c in parsed], source)
    where = [("changes", index, "path") for index, _ in parsed]
    problems += _located(cannot, where, source)
    if problems:
        raise CaseError(problems)
    if changed is None:
        raise CaseError([_restated(p) for p in inner])
    return changed


def changed_case(
    case: Case, changes: Sequence[Change]
) -> tuple[Case | None, list[str], list[Problem]]:
    """(the changed case, or None; what each change that cannot apply says; the problems
    of a result that breaks a rule, as found in the changed case)."""
    changed, cannot, broken = _changed(case, changes, Source(case.name))
    return changed, [message for _, message in cannot], broken


def _changed(
    case: Case, changes: Sequence[Change], source: Source, checked: bool = False
) -> tuple[Case | None, list[tuple[int, str]], list[Problem]]:
    """The changed case, or the problems: (index, message) of each change that cannot
    apply, and the problems of the result (as found in the changed case). ``checked``:
    ``case`` breaks no rule, so only the rules reading a changed field are checked."""
    data = case_data(case)
    cannot = []
    for index, change in enumerate(changes):
        try:
            apply_change(data, change)
        except ChangeError as err:
            cannot.append((index, str(err)))
    if cannot:
        return None, cannot, []
    data["scenarios"] = {}  # written for the base case, not for this one
    try:
        with gc_paused():
            changed = Case.model_validate(data)
    except ValidationError as err:
        return None, [], validation_problems(err, data, lambda _: (source.file, None), VOCABULARY)
    with gc_paused():
        findings = check_case(changed, base=case if checked else None)
    if findings:
        return None, [], findings_to_problems(findings, data, Source(source.file))
    return changed, [], []


def _located(
    cannot: list[tuple[int, str]], where: list[tuple[str | int, ...]], source: Source
) -> list[Problem]:
    problems = []
    for index, message in cannot:
        file, line = source.locate(where[index])
        problems.append(Problem(file, join_loc(where[index]), message, line))
    return problems


def join_loc(loc: tuple[str | int, ...]) -> str:
    """``scenarios.cut.changes[0].path`` from its parts."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _restated(problem: Problem) -> Problem:
    return Problem(
        problem.file,
        "",
        f"the changes leave {problem.path or 'the case'} invalid: {problem.message}",
    )


def _within(
    loc: tuple[str | int, ...], inner: list[Problem], source: Source, who: str = ""
) -> list[Problem]:
    """Restate problems of a changed case as problems of what made it (a scenario, a
    random factor's value)."""
    if not inner:
        return []  # locating reads the whole file's lines: only when there is a problem
    file, line = source.locate(loc)
    return [
        Problem(
            file, join_loc(loc), f"{who}leaves {p.path or 'the case'} invalid: {p.message}", line
        )
        for p in inner
    ]
