"""Problems found in a case, each with its file, its path inside it and what is wrong."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a case.

    ``path`` addresses the place inside the file the way a person reads it,
    with list items named by id: ``projects[sora].levels[full].demand.gb300``.
    ``line`` is the line in the file (1-based) when it is known.
    """

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


def _reading_order(problem: Problem) -> tuple[str, float]:
    """By file, then by line; problems without a line keep their order, after those with one."""
    return problem.file, problem.line if problem.line is not None else float("inf")


class CaseError(Exception):
    """A case that cannot be used, with every problem found in it."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        unique = dict.fromkeys(problems)  # each problem once
        self.problems = sorted(unique, key=_reading_order)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, file: str | Path, message: str, path: str = "") -> CaseError:
        """An error with one problem."""
        return cls([Problem(str(file), path, message)])


def join_path(parent: str, segment: str) -> str:
    """Append ``segment`` to a path: a key after a dot, an ``[id]`` selector as is."""
    if not parent:
        return segment
    if segment.startswith("["):
        return parent + segment
    return f"{parent}.{segment}"
