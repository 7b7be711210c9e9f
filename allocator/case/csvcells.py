"""Reading a CSV table's cells a column at a time, exactly as ``parse_scalar`` reads one.

A column's cells are sorted into kinds by regular expressions run over the whole column
(Arrow's compute functions), and the common kinds are converted in one pass each:

- empty: the key is left out (``MISSING``)
- a decimal integer ``[-+]?[0-9]+``: ``int(text)``
- a decimal float (``1.5``, ``2.``, ``1e3``, ``-0.5e-2``): ``float(text)``
- ``true``/``false`` in any of YAML's three spellings
- a plain word: a letter or underscore, then no ``: # [ ] { } ,`` and no trailing space
- a flow list ``[a, b]`` whose entries are all decimal numbers, or all identifier-like
  words (``p5``, ``chat-v2``) other than null and the booleans

Only cells of printable ASCII are sorted this way (a space is the only white space they
can hold, so stripping is stripping spaces). Every other cell (``null``, ``0x1F``,
``1_000``, quoted text, a nested list, non-ASCII text) is read by ``parse_scalar`` on its
own; a cell the YAML parser refuses comes back as ``Unreadable``. The kinds are chosen so
that ``parse_scalar`` gives the same value, of the same type, for every cell they take:
the property ``tests/test_csv_cells.py`` checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from allocator.case.yamlio import parse_scalar

MISSING = object()
"""An empty cell: its key is left out of the row."""


@dataclass(frozen=True)
class Unreadable:
    """A cell the YAML parser refuses, as written (stripped)."""

    text: str


_PRINTABLE = r"^[\x20-\x7e]*$"
_INT = r"^[-+]?[0-9]+$"
_FLOAT = r"^[-+]?[0-9]+(?:\.[0-9]*(?:[eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)$"
_WORD = r"^[A-Za-z_](?:[^:#\[\]{},]*[^:#\[\]{}, ])?$"
_ENTRY_WORD = r"^[A-Za-z_][A-Za-z0-9_./-]*$"
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_SPECIAL = pa.array([*_BOOLS, "null", "Null", "NULL"])

_SLOW, _EMPTY, _INTEGER, _REAL, _FLAG, _TEXT, _LIST = range(7)


def read_cells(cells: Sequence[str]) -> list[Any]:
    """Each cell read as ``parse_scalar(cell.strip())`` reads it: ``MISSING`` for an empty
    cell, ``Unreadable`` for one the YAML parser refuses."""
    if not cells:
        return []
    raw = pa.array(cells, type=pa.string())
    text = pc.utf8_trim(raw, " ")
    kind = _kinds(raw, text)
    values: list[Any] = [MISSING] * len(cells)
    strings = text.to_pylist()
    for index in np.flatnonzero(kind == _INTEGER).tolist():
        values[index] = int(strings[index])
    real = np.flatnonzero(kind == _REAL)
    for index, number in zip(real.tolist(), _floats(text.take(pa.array(real))), strict=True):
        values[index] = number
    for index in np.flatnonzero(kind == _FLAG).tolist():
        values[index] = _BOOLS[strings[index]]
    for index in np.flatnonzero(kind == _TEXT).tolist():
        values[index] = strings[index]
    _read_lists(text, kind, values)
    for index in np.flatnonzero(kind == _SLOW).tolist():
        values[index] = _one(cells[index])
    return values


def _matches(array: pa.Array, pattern: str) -> np.ndarray:
    return _flags(pc.match_substring_regex(array, pattern))


def _flags(result: pa.Array) -> np.ndarray:
    return result.to_numpy(zero_copy_only=False).astype(bool)


def _kinds(raw: pa.Array, text: pa.Array) -> np.ndarray:
    """The kind of every cell: how it is read (``_SLOW`` unless one of the fast kinds)."""
    kind = np.full(len(raw), _SLOW, dtype=np.int8)
    fast = _matches(raw, _PRINTABLE)
    special = _flags(pc.is_in(text, value_set=_SPECIAL))
    bracketed = _flags(pc.and_(pc.starts_with(text, "["), pc.ends_with(text, "]")))
    choices = [
        (_EMPTY, _flags(pc.equal(pc.utf8_length(text), 0))),
        (_INTEGER, _matches(text, _INT)),
        (_REAL, _matches(text, _FLOAT)),
        (_FLAG, _flags(pc.is_in(text, value_set=pa.array(list(_BOOLS))))),
        (_TEXT, _matches(text, _WORD) & ~special),
        (_LIST, bracketed),
    ]
    for value, where in reversed(choices):
        kind[fast & where] = value
    return kind


def _read_lists(text: pa.Array, kind: np.ndarray, values: list[Any]) -> None:
    """Read the bracketed cells whose entries are all numbers or all words; send the rest
    to ``_SLOW``."""
    where = np.flatnonzero(kind == _LIST)
    if not len(where):
        return
    inner = pc.utf8_slice_codeunits(text.take(pa.array(where)), 1, -1)
    parts = pc.split_pattern(inner, ",")
    lengths = pc.list_value_length(parts).to_numpy()
    entries = pc.utf8_trim(pc.list_flatten(parts), " ")
    integer, real = _matches(entries, _INT), _matches(entries, _FLOAT)
    word = _matches(entries, _ENTRY_WORD) & ~_flags(pc.is_in(entries, value_set=_SPECIAL))
    blank = _flags(pc.equal(pc.utf8_length(entries), 0))
    starts = np.concatenate(([0], np.cumsum(lengths)))
    numeric = np.add.reduceat((integer | real).astype(np.int64), starts[:-1]) == lengths
    wordy = np.add.reduceat(word.astype(np.int64), starts[:-1]) == lengths
    numbers = np.empty(len(entries), dtype=object)
    numbers[real & ~integer] = _floats(entries.filter(pa.array(real & ~integer)))
    numbers[integer] = [int(entry) for entry in entries.filter(pa.array(integer)).to_pylist()]
    numbers[word] = entries.filter(pa.array(word)).to_pylist()
    flat = numbers.tolist()
    for cell, begin, end, number, words in zip(
        where.tolist(), starts[:-1].tolist(), starts[1:].tolist(), numeric, wordy, strict=True
    ):
        if number or words:
            values[cell] = flat[begin:end]
        elif end - begin == 1 and blank[begin]:
            values[cell] = []
        else:
            kind[cell] = _SLOW


def _floats(texts: pa.Array) -> list[float]:
    """Decimal floats read by Arrow, which rounds correctly as ``float`` does (the same
    double for every text); ``float`` itself if Arrow refuses one."""
    try:
        return pc.cast(texts, pa.float64()).to_numpy(zero_copy_only=False).tolist()
    except pa.ArrowInvalid:
        return [float(text) for text in texts.to_pylist()]


def _one(cell: str) -> Any:
    """One cell read on its own."""
    text = cell.strip()
    if not text:
        return MISSING
    try:
        return parse_scalar(text)
    except yaml.YAMLError:
        return Unreadable(text)
