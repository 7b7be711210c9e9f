"""Reading and writing YAML the way a case author expects.

Two departures from PyYAML's YAML 1.1 defaults: ``1e3`` is a number (as in
YAML 1.2 and JSON), and a key written twice in one mapping is an error
instead of silently keeping the last one.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_FLOAT_12 = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)


class CaseLoader(yaml.SafeLoader):
    """A safe loader that records duplicate keys as (line, key) pairs."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[int, str]] = []

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


CaseLoader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT_12, list("-+0123456789."))


def parse_yaml(text: str) -> tuple[Any, list[tuple[int, str]]]:
    """Parse YAML text; return the data and the duplicate keys found (line, key).

    Raises ``yaml.YAMLError`` for text that is not YAML.
    """
    loader = CaseLoader(text)
    try:
        return loader.get_single_data(), loader.duplicate_keys
    finally:
        loader.dispose()


def parse_scalar(text: str) -> Any:
    """Read one CSV cell as a YAML value: ``12`` is a number, ``[a, b]`` a list."""
    data, _ = parse_yaml(text)
    return data


def dump_yaml(data: Any) -> str:
    """Write plain data as block-style YAML, keys in their given order."""
    return yaml.dump(
        data,
        Dumper=yaml.SafeDumper,
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
                self._root = yaml.compose(self._text, Loader=CaseLoader)
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
