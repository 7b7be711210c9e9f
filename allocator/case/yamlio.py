"""Reading and writing YAML the way a case author expects.

Plain scalars are read by the YAML 1.2 core schema, not PyYAML's YAML 1.1
one: ``1e3`` is a number, ``07`` is seven (not octal), ``1:30`` and
``2026-01-01`` are text, and only ``true``/``false`` are booleans (``NO``,
``on`` and ``yes`` are text). Underscores may group digits (``1_000``). A key
written twice in one mapping is an error instead of silently keeping the last.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_FLOAT_12 = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)


_FastLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CaseLoader(_FastLoader):  # type: ignore[misc, valid-type]
    """A safe loader (libyaml's parser where present) that records duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[int, str]] = []

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Construct a value; one its tag cannot read is an error at the value's line."""
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, OverflowError) as err:
            problem = f"cannot read a value: {err}"
        except (KeyError, AttributeError, TypeError):
            problem = "a value does not fit the tag written on it"
        raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:
                continue  # unhashable keys are refused by the base constructor
            if duplicate:
                self.duplicate_keys.append((key_node.start_mark.line + 1, str(key)))
        return super().construct_mapping(node, deep=deep)


_INT_12 = re.compile(r"^(?:[-+]?[0-9][0-9_]*|0o[0-7][0-7_]*|0x[0-9a-fA-F][0-9a-fA-F_]*)$")


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    return _int_12(str(loader.construct_scalar(node)))


def _int_12(text: str) -> int:
    """An integer in YAML 1.2 core notation: decimal, ``0o`` octal or ``0x`` hex."""
    text = text.replace("_", "")
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


CaseLoader.yaml_implicit_resolvers = {}
CaseLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
CaseLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
CaseLoader.add_implicit_resolver("tag:yaml.org,2002:int", _INT_12, list("-+0123456789"))
CaseLoader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT_12, list("-+0123456789."))
CaseLoader.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"])
CaseLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


MAX_EXPANDED_NODES = 20_000_000
"""Aliases may repeat a part of the document; past this many values in all, it is refused."""


def parse_yaml(text: str) -> tuple[Any, list[tuple[int, str]]]:
    """Parse YAML text; return the data and the duplicate keys found (line, key).

    Raises ``yaml.YAMLError`` for text that is not usable YAML: not YAML at
    all, a value its tag cannot read (``!!int x``), or aliases that refer to
    themselves or expand beyond ``MAX_EXPANDED_NODES`` values.
    """
    loader = CaseLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError:
        raise
    except (ValueError, OverflowError) as err:
        raise _unusable(f"cannot read a value: {err}") from None
    except (KeyError, AttributeError, TypeError):
        raise _unusable("a value does not fit the tag written on it") from None
    finally:
        loader.dispose()
    if "&" in text:
        _check_aliases(data)
    return data, loader.duplicate_keys


def _unusable(problem: str) -> yaml.YAMLError:
    return yaml.constructor.ConstructorError(None, None, problem, None)


def _check_aliases(data: Any) -> None:
    """Refuse data that contains itself, or that aliases blow up past the limit."""
    seen = 0
    stack: list[tuple[Any, frozenset[int]]] = [(data, frozenset())]
    while stack:
        node, ancestors = stack.pop()
        seen += 1
        if seen > MAX_EXPANDED_NODES:
            raise _unusable(f"aliases expand to more than {MAX_EXPANDED_NODES:,} values")
        if isinstance(node, dict | list):
            if id(node) in ancestors:
                raise _unusable("an alias refers to a value that contains it")
            inner = ancestors | {id(node)}
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, inner) for child in children)


_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_PLAIN_TEXT = re.compile(r"^[^-?.:,\[\]{}#&*!|>'\"%@`\s](?:[^:#\[\]{},]*[^:#\[\]{},\s])?$")


def parse_scalar(text: str) -> Any:
    """Read one CSV cell as a YAML value: ``12`` is a number, ``[a, b]`` a list.

    Plain numbers, flags and words, and flow lists of plain numbers (most cells of a
    large table: a series is a list) are read directly by the same rules as the
    loader; anything else goes to the parser.
    """
    if text.startswith("[") and text.endswith("]"):
        numbers = _number_list(text[1:-1])
        if numbers is not None:
            return numbers
    if _INT_12.match(text):
        return _int_12(text)
    if _FLOAT_12.match(text) and text.lstrip("+-")[:1] != ".":
        return float(text.replace("_", ""))
    if _NULL.match(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _PLAIN_TEXT.match(text):
        return text
    data, _ = parse_yaml(text)
    return data


def _number_list(inside: str) -> list[int | float] | None:
    """The entries between a flow list's brackets read as numbers (``parse_scalar``'s
    rules for one), or None unless every entry is a plain number."""
    entries = [entry.strip() for entry in inside.split(",")]
    if entries == [""]:
        return []
    numbers: list[int | float] = []
    for entry in entries:
        if _DECIMAL_INT.match(entry):
            numbers.append(int(entry))
        elif _FLOAT_12.match(entry) and entry.lstrip("+-")[:1] != "." and "_" not in entry:
            numbers.append(float(entry))
        else:
            return None
    return numbers


_DECIMAL_INT = re.compile(r"^[-+]?[0-9]+$")


class CaseDumper(yaml.SafeDumper):
    """Quotes text that either YAML 1.1 or 1.2 would read as something else."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    """Double-quote text holding a next-line character (U+0085), which other styles fold."""
    style = '"' if "\x85" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


CaseDumper.add_representer(str, _represent_text)
CaseDumper.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT_12, list("-+0123456789."))
CaseDumper.add_implicit_resolver("tag:yaml.org,2002:int", _INT_12, list("-+0123456789"))


def dump_yaml(data: Any) -> str:
    """Write plain data as block-style YAML, keys in their given order."""
    return yaml.dump(
        data,
        Dumper=CaseDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


class LineFinder:
    """Finds the line of a node in YAML text, composing the text once, on first use."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._root: yaml.Node | None = None
        self._composed = False

    def line(self, loc: tuple[str | int, ...]) -> int | None:
        """The 1-based line of the deepest node along ``loc`` (keys and list indices)."""
        if not self._composed:
            self._composed = True
            try:
                self._root = yaml.compose(self._text, Loader=_FastLoader)
            except yaml.YAMLError:
                self._root = None
        node, line = self._root, None
        for segment in loc:
            if isinstance(node, yaml.MappingNode):
                pair = next((kv for kv in node.value if kv[0].value == str(segment)), None)
                if pair is None:
                    break
                line, node = pair[0].start_mark.line + 1, pair[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(segment, int):
                if not 0 <= segment < len(node.value):
                    break
                node = node.value[segment]
                line = node.start_mark.line + 1
            else:
                break
        return line
