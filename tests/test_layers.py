"""Data flows one way: the rooms below the reports never import the reports or the commands.

Case, model, formulation, backends, plan, checker, analyses, explanations, sweeps and the
engine produce data; ``allocator.report`` renders it and ``allocator.commands`` (with
``allocator.cli``) parse arguments and call both. An import from a lower room back up
into a higher one is read here from the source (``ast``), without importing anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "allocator"

BELOW_THE_REPORTS = [
    "case",
    "model",
    "formulation",
    "backends",
    "plan",
    "verify",
    "analysis",
    "explain",
    "sweeps",
    "decompose",
    "cluster.py",
    "engine.py",
    "errors.py",
    "numbers.py",
    "quiet.py",
]
ABOVE = ("allocator.report", "allocator.commands", "allocator.cli")


def modules(rooms: list[str]) -> list[Path]:
    found: list[Path] = []
    for room in rooms:
        path = PACKAGE / room
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, source: str | None = None) -> set[str]:
    """Every module ``path`` imports (its text, or ``source``), relative imports resolved;
    ``from A import b`` counts as ``A`` and ``A.b`` (``b`` may be a submodule)."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    text = source if source is not None else path.read_text(encoding="utf-8")
    names: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                stem = package[: len(package) - node.level + 1]
                base = ".".join([*stem, base] if base else stem)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def upward(names: set[str]) -> list[str]:
    return sorted(n for n in names if any(n == a or n.startswith(f"{a}.") for a in ABOVE))


def test_the_rooms_below_the_reports_are_all_there() -> None:
    for room in BELOW_THE_REPORTS:
        assert (PACKAGE / room).exists(), room
    assert len(modules(BELOW_THE_REPORTS)) > 30


@pytest.mark.parametrize("path", modules(BELOW_THE_REPORTS), ids=module_name)
def test_no_import_runs_back_up(path: Path) -> None:
    found = upward(imported(path))
    assert not found, f"{module_name(path)} imports {', '.join(found)}"


@pytest.mark.parametrize(
    "source",
    [
        "from allocator.report.plan_json import records\n",
        "import allocator.commands.common\n",
        "from allocator import report\n",
        "from ..report import numbers\n",
        "from ..cli import app\n",
        "def later():\n    from allocator.commands import common\n",
    ],
)
def test_the_check_sees_every_form_of_an_upward_import(source: str) -> None:
    assert upward(imported(PACKAGE / "analysis" / "probe.py", source))


def test_dask_loads_only_when_a_command_uses_it() -> None:
    """Every command starts by importing ``allocator.cli``; Dask (about 0.2 s) is loaded
    by the commands that run on it, when they do, not by every start."""
    import subprocess
    import sys

    probe = "import sys, allocator.cli; print('distributed' in sys.modules, 'dask' in sys.modules)"
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert ran.stdout.split() == ["False", "False"]
