"""Fuzzing ``allocator validate``: whatever the file holds, the answer is exit 0 or exit 2.

Three sources of input: random YAML documents built from the schema's own vocabulary,
random mutations of the valid case, and raw random text and bytes. For each, the
command either accepts the case (and ``load_case`` then returns it) or lists at least
one problem and exits 2 -- never an uncaught exception.

Known crashes are pinned by xfail tests in ``test_bad_inputs.py``; the strategies
here avoid them so this file stays green until they are fixed:
- no NUL in text (a ``{csv: ...}`` reference with NUL crashes) -- see
  ``test_unusable_csv_file_name_is_a_problem``;
- no underscores in text (``0o_``, ``._`` crash the number rules) -- see
  ``test_digitless_number_is_a_problem``;
- no explicit YAML tags (``!!int x``) in raw text -- see
  ``test_unconstructible_yaml_scalar_is_a_problem``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml
from hypothesis import event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from allocator import Case, load_case
from allocator.case.loading import VOCABULARY
from allocator.cli import app

RUNNER = CliRunner()

WORDS = [
    "Y1", "Y2", "Y3", "Y9", "gb300", "h100", "owned", "chat", "video", "search",
    "pilot", "full", "contract", "purchase", "spot", "equity", "credit", "value", "npv",
    "cost", "demand", "product", "x.csv", "../x.csv", "/abs.csv", "a[b]", " pad ",
    "", "1e3", "2026", "true", "null", "~", "budget.amounts", "projects[chat].value",
]  # fmt: skip
KEYS = [*sorted(VOCABULARY), "csv", "Y1", "Y2", "gb300", "chat", "budget-cut"]

TEXT = st.text(st.characters(exclude_characters="\x00_", exclude_categories=["Cs"]), max_size=8)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats()
    | TEXT
    | st.sampled_from(WORDS)
)
KEYS_STRATEGY = st.sampled_from(KEYS) | TEXT | st.integers(-3, 3)


def nested(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(KEYS_STRATEGY, children, max_size=5)
        ),
        max_leaves=25,
    )


VALUES = nested(SCALARS)


def outcome_is_clean(path: Path) -> None:
    """``validate path`` exits 0 (and the case loads) or 2 (with problem lines)."""
    result = RUNNER.invoke(app, ["validate", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}\n{path.read_bytes()[:2000]!r}"
    )
    assert result.exit_code in (0, 2), result.output
    event(f"exit {result.exit_code}")
    assert "Traceback" not in result.stderr
    if result.exit_code == 0:
        assert isinstance(load_case(path), Case)
        assert result.stderr == ""
    else:
        # split on "\n" only: a key may hold other line-breaking characters
        header, *problems = result.stderr.split("\n")
        assert header.startswith(f"✗ {path}: ")
        assert problems[0].startswith("  ")


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


# --- (a) random documents from the schema's vocabulary ---------------------------------

DOCUMENTS = st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=10) | VALUES


@settings(max_examples=200)
@given(document=DOCUMENTS)
def test_random_documents(tmp_path_factory, document) -> None:
    outcome_is_clean(write(tmp_path_factory.mktemp("fuzz"), "case.yaml", dump(document)))


@settings(max_examples=100)
@given(document=DOCUMENTS)
def test_random_documents_as_json(tmp_path_factory, document) -> None:

    try:
        text = json.dumps(document)
    except (TypeError, ValueError):  # keys JSON cannot hold
        return
    outcome_is_clean(write(tmp_path_factory.mktemp("fuzz"), "case.json", text))


# --- (b) mutations of the valid case ---------------------------------------------------


def positions(node: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) below ``node``, depth first."""
    found: list[tuple[Any, Any]] = []
    keys = range(len(node)) if isinstance(node, list) else list(node)
    for key in keys:
        found.append((node, key))
        if isinstance(node[key], dict | list):
            found.extend(positions(node[key]))
    return found


def retyped(value: Any) -> Any:
    """The same content in another shape: a number as text, a list as a mapping, ..."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    if isinstance(value, dict):
        return list(value.values())
    return {}


@st.composite
def mutated_case(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        spots = positions(data)
        if not spots:
            break
        container, key = draw(st.sampled_from(spots))
        operation = draw(st.sampled_from(["delete", "replace", "duplicate", "retype"]))
        if operation == "delete":
            del container[key]
        elif operation == "replace":
            container[key] = draw(VALUES)
        elif operation == "retype":
            container[key] = retyped(container[key])
        elif isinstance(container[key], list) and container[key]:
            container[key].append(copy.deepcopy(draw(st.sampled_from(container[key]))))
        elif isinstance(container, list):
            container.insert(key, copy.deepcopy(container[key]))
    return data


@settings(max_examples=300)
@given(data=st.data())
def test_mutated_valid_case(tmp_path_factory, fresh_case, data) -> None:
    case = data.draw(mutated_case(fresh_case()))
    outcome_is_clean(write(tmp_path_factory.mktemp("fuzz"), "case.yaml", dump(case)))


def test_mutations_do_reach_both_outcomes(tmp_path_factory, fresh_case) -> None:
    """Sanity check of the harness itself: a harmless and a harmful mutation."""
    folder = tmp_path_factory.mktemp("fuzz")
    case = fresh_case()
    case["projects"][2]["value"] = 4
    good = write(folder, "good.yaml", dump(case))
    assert RUNNER.invoke(app, ["validate", str(good)]).exit_code == 0
    del case["periods"]
    bad = write(folder, "bad.yaml", dump(case))
    result = RUNNER.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "missing required key 'periods'" in result.stderr


# --- (c) raw text and bytes ----------------------------------------------------------------

TOKENS = [
    "name:", "periods:", "projects:", "scenarios:", "id:", "value:", " ", "  ", "\n", "- ",
    "[", "]", "{", "}", ":", ",", "&a ", "*a", "!!str ", "'", '"', "#", "Y1", "a", "1",
    "2.5", "-1", ".inf", ".nan", "1e3", "~", "---", "? ", "|", ">", "\t", "\\", "%",
]  # fmt: skip
YAMLISH = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)


@settings(max_examples=150)
@given(
    text=YAMLISH
    | st.text(st.characters(exclude_characters="_", exclude_categories=["Cs"]), max_size=60)
)
def test_raw_text(tmp_path_factory, text) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    outcome_is_clean(write(folder, "case.yaml", text))
    outcome_is_clean(write(folder, "case.json", text))


@settings(max_examples=100)
@given(blob=st.binary(max_size=80))
def test_raw_bytes(tmp_path_factory, blob) -> None:
    outcome_is_clean(write(tmp_path_factory.mktemp("fuzz"), "case.yaml", blob))


# --- (d) mutated cases through solve and explain -----------------------------------------


@settings(max_examples=60)
@given(data=st.data())
def test_mutated_case_solves_or_is_refused_or_explained(tmp_path_factory, fresh_case, data) -> None:
    """Never a traceback: a checked plan (0), bad input (2), or infeasible (3), which
    ``explain`` then explains."""
    path = write(
        tmp_path_factory.mktemp("fuzz"), "case.yaml", dump(data.draw(mutated_case(fresh_case())))
    )
    result = RUNNER.invoke(app, ["solve", str(path), "--backend", "pulp"])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}"
    )
    assert result.exit_code in (0, 2, 3), result.output
    event(f"solve exit {result.exit_code}")
    if result.exit_code == 0:
        assert "the plan keeps every rule of the case" in result.stdout
    if result.exit_code == 3:
        explained = RUNNER.invoke(app, ["explain", str(path), "--backend", "pulp"])
        assert explained.exit_code == 0, explained.output
        assert "is infeasible" in explained.stdout
