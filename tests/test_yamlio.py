"""YAML is read by the 1.2 core rules, CSV cells the same way, and text survives a dump."""

from __future__ import annotations

import math
import string
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allocator.case.yamlio import dump_yaml, parse_scalar, parse_yaml


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1e3", 1000.0),
        ("-2.5E-1", -0.25),
        ("1_000", 1000),
        ("07", 7),
        ("010", 10),
        ("0x1F", 31),
        ("0o17", 15),
        (".5", 0.5),
        ("true", True),
        ("FALSE", False),
        ("NO", "NO"),
        ("on", "on"),
        ("yes", "yes"),
        ("1:30", "1:30"),
        ("2026-01-01", "2026-01-01"),
        ("~", None),
        ("0x_", "0x_"),
        ("._", "._"),
    ],
)
def test_plain_scalars_follow_yaml_1_2(text: str, value: Any) -> None:
    parsed = parse_yaml(f"k: {text}\n")[0]["k"]
    assert parsed == value
    assert type(parsed) is type(value)


def test_infinity_and_nan_are_numbers_for_the_schema_to_refuse() -> None:
    assert parse_yaml("k: -.inf\n")[0]["k"] == -math.inf
    assert math.isnan(parse_yaml("k: .nan\n")[0]["k"])


CELL = st.text(
    alphabet=string.ascii_letters[:6] + string.digits + "-+._:#[]{},'\" !&*?|>%@~xeEo",
    min_size=1,
    max_size=8,
).map(str.strip)


@given(CELL)
def test_fast_cell_reading_agrees_with_the_parser(text: str) -> None:
    try:
        expected: Any = parse_yaml(text)[0]
    except Exception as error:  # the parser refuses it: so must the cell reader
        with pytest.raises(type(error)):
            parse_scalar(text)
        return
    got = parse_scalar(text)
    assert type(got) is type(expected)
    assert got == expected or (got != got and expected != expected)


NUMBER_TEXT = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["1e5", "+3", "-0", "07", "2.", ".5", "-.5", "1_000", "0x1f", ".inf", "a"]),
)


@given(st.lists(NUMBER_TEXT, max_size=6), st.sampled_from([",", ", ", " ,  "]))
def test_number_lists_read_as_the_parser_reads_them(entries: list[str], comma: str) -> None:
    text = "[" + comma.join(entries) + "]"
    expected = parse_yaml(text)[0]
    got = parse_scalar(text)
    assert got == expected
    assert [type(v) for v in got] == [type(v) for v in expected]


@given(st.text(max_size=20))
def test_any_text_survives_a_dump(text: str) -> None:
    assert parse_yaml(dump_yaml({"k": text}))[0] == {"k": text}


@given(st.integers(-(10**30), 10**30) | st.floats(allow_nan=False))
def test_numbers_survive_a_dump(number: float) -> None:
    assert parse_yaml(dump_yaml({"k": number}))[0] == {"k": number}
