"""Strict YAML reading for account files: small, plain documents or one clear refusal.

Account files are a few dozen lines of plain keys and values, so everything else is
refused up front, each with a one-line reason, before it can cost time or memory:

- a file over ``MAX_FILE_BYTES`` (1 MiB, thousands of times a real account file) is not
  read at all;
- anchors and aliases (``&a``/``*a``, and merge keys built on them) are refused: an alias
  "bomb" of nested aliases expands exponentially while the document stays tiny;
- nesting deeper than ``MAX_DEPTH`` is refused before the recursive composer descends;
- a mapping key that is not a plain scalar (``? [a, b]``) is refused: it cannot name a field;
- a key given twice is refused (PyYAML silently keeps the last).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import yaml
from yaml.events import AliasEvent, CollectionStartEvent, NodeEvent

MAX_FILE_BYTES: Final = 1024 * 1024
MAX_DEPTH: Final = 32


class DuplicateKeyError(ValueError):
    """A mapping names the same key twice."""


class YamlRefused(ValueError):
    """The document uses something account files never need; the message says what."""


def _line(mark: Any) -> str:
    return f"line {mark.line + 1}: " if mark is not None else ""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader without aliases, anchors, deep nesting, complex or duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, AliasEvent):
            raise YamlRefused(
                f"{_line(event.start_mark)}uses the alias *{event.anchor}; "
                "anchors and aliases are not allowed, write the value out"
            )
        if isinstance(event, NodeEvent) and event.anchor is not None:
            raise YamlRefused(
                f"{_line(event.start_mark)}defines the anchor &{event.anchor}; "
                "anchors and aliases are not allowed, write the value out"
            )
        if isinstance(event, CollectionStartEvent):
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise YamlRefused(
                    f"{_line(event.start_mark)}nests lists and mappings more than {MAX_DEPTH} "
                    "deep; account files are flat, flatten it"
                )
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
        return super().compose_node(parent, index)


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise YamlRefused(
                f"{_line(key_node.start_mark)}a key is a {key_node.id}, not a plain name; "
                "write keys as plain words such as account_id"
            )
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise DuplicateKeyError(
                f"{_line(key_node.start_mark)}key {key!r} appears twice; keep one"
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file strictly; raise ValueError with a one-line reason."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise ValueError(f"cannot read file ({error.strerror})") from error
    if len(data) > MAX_FILE_BYTES:
        raise YamlRefused(
            f"is larger than {MAX_FILE_BYTES // 1024} KiB; an account file is a few dozen "
            "lines, check that this is the right file"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"is not UTF-8 text (byte {error.start}); save it as UTF-8") from error
    loader = _StrictLoader(text)
    try:
        return loader.get_single_data()
    except (DuplicateKeyError, YamlRefused):
        raise
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ValueError(f"{_line(mark)}invalid YAML ({problem})") from error
    except RecursionError as error:  # belt and braces: MAX_DEPTH stops nesting long before
        raise YamlRefused("nests too deep to read; account files are flat") from error
    finally:
        loader.dispose()
