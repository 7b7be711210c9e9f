"""Loading a case: file -> plain data -> validated ``Case``, every problem at once."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from allocator.case.checks import Finding, check_case
from allocator.case.errors import CaseError, Problem
from allocator.case.gcpause import gc_paused
from allocator.case.messages import field_names, readable_path, validation_problems
from allocator.case.model import Case
from allocator.case.salvage import salvage
from allocator.case.tables import TableOrigins, expand_tables
from allocator.case.yamlio import LineFinder, parse_yaml

VOCABULARY = field_names(Case)

MAX_CASE_BYTES = 512 * 2**20
"""The largest case file read (a 100,000-project case in JSON is about 60 MiB)."""


@dataclass
class Source:
    """Where a case's plain data came from, to point problems at files and lines."""

    file: str
    text: str = ""
    origins: TableOrigins = field(default_factory=TableOrigins)
    sha256: str = ""
    problems: list[Problem] = field(default_factory=list)
    """Problems found while reading that do not stop validation (keys written twice)."""

    def __post_init__(self) -> None:
        self._lines = LineFinder(self.text) if self.text else None

    def locate(self, loc: tuple[str | int, ...]) -> tuple[str, int | None]:
        """The file and line of a location in the data (a CSV row for table items)."""
        table = self.origins.find(loc)
        if table is not None:
            return table
        return self.file, (self._lines.line(loc) if self._lines and loc else None)


def read_case_data(path: str | Path) -> tuple[dict[str, Any], Source]:
    """Read a case file (YAML or JSON) and the CSV tables it names into plain data."""
    shown = str(path)
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > MAX_CASE_BYTES and file.is_file():
            raise CaseError.single(
                shown,
                f"is {size / 2**20:,.0f} MiB; a case file may be at most "
                f"{MAX_CASE_BYTES / 2**20:,.0f} MiB (put large tables in CSV files beside it)",
            )
        raw_bytes = file.read_bytes()
    except FileNotFoundError:
        raise CaseError.single(shown, "no such file") from None
    except IsADirectoryError:
        raise CaseError.single(shown, "is a folder, not a case file") from None
    except OSError as err:
        raise CaseError.single(shown, f"cannot read the file: {err.strerror or err}") from None
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CaseError.single(shown, "is not UTF-8 text") from None
    source = Source(shown, text, sha256=hashlib.sha256(raw_bytes).hexdigest())
    problems: list[Problem] = []
    with gc_paused():
        data, source.problems = _parse(text, shown, file.suffix.lower() == ".json")
        source.origins = expand_tables(data, file.parent, shown, problems)
    if problems:
        raise CaseError(problems)
    return data, source


def _parse(text: str, shown: str, is_json: bool) -> tuple[dict[str, Any], list[Problem]]:
    """The case's data and the duplicate keys in it (which do not stop validation)."""
    if not text.strip():
        raise CaseError.single(shown, "the file is empty")
    if is_json:
        data, duplicates = _parse_json(text, shown)
    else:
        try:
            data, duplicates = parse_yaml(text)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            what = getattr(err, "problem", None) or str(err)
            line = mark.line + 1 if mark is not None else None
            raise CaseError([Problem(shown, "", f"not valid YAML: {what}", line)]) from None
        except RecursionError:
            raise CaseError.single(shown, "not usable YAML: nested too deeply") from None
    twice = [
        Problem(shown, "", f"key '{k}' appears twice in one mapping", n) for n, k in duplicates
    ]
    if not isinstance(data, dict):
        raise CaseError.single(shown, "a case is a mapping of keys (name, periods, projects, ...)")
    bad_keys = [k for k in data if not isinstance(k, str)]
    if bad_keys:
        raise CaseError.single(shown, f"top-level keys must be text, found {bad_keys[0]!r}")
    return data, twice


def _parse_json(text: str, shown: str) -> tuple[Any, list[tuple[int | None, str]]]:
    duplicates: list[tuple[int | None, str]] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in items:
            if key in seen:
                duplicates.append((None, key))
            seen[key] = value
        return seen

    try:
        return json.loads(text, object_pairs_hook=pairs), duplicates
    except json.JSONDecodeError as err:
        raise CaseError([Problem(shown, "", f"not valid JSON: {err.msg}", err.lineno)]) from None
    except ValueError as err:
        raise CaseError.single(shown, f"not usable JSON: {err}") from None
    except RecursionError:
        raise CaseError.single(shown, "not usable JSON: nested too deeply") from None


def build_case(data: dict[str, Any], source: Source) -> Case:
    """Validate plain data into a ``Case``; raise ``CaseError`` with every problem found."""
    try:
        with gc_paused():
            case = Case.model_validate(data)
    except ValidationError as err:
        problems = validation_problems(err, data, source.locate, VOCABULARY)
        salvaged = salvage(err, data)
        if salvaged is not None:
            problems += findings_to_problems(check_case(salvaged[0]), salvaged[1], source)
        raise CaseError([*source.problems, *problems]) from None
    except RecursionError:
        raise CaseError.single(source.file, "the case is nested too deeply") from None
    with gc_paused():
        findings = check_case(case)
    if findings or source.problems:
        raise CaseError([*source.problems, *findings_to_problems(findings, data, source)])
    return case


def findings_to_problems(findings: list[Finding], data: Any, source: Source) -> list[Problem]:
    """Problems, with id-addressed paths and file lines, for the findings of the checks."""
    problems = []
    for loc, message in findings:
        path, kept = readable_path(data, loc)
        file, line = source.locate(kept)
        problems.append(Problem(file, path, message, line))
    return problems
