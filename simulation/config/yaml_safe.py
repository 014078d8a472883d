"""Strict, bounded YAML: the one parser for scenario, experiment and uploaded files.

Safe loading only (no Python objects); a key must be text and appear once per mapping; a date
must exist; nesting, aliases and the expanded size of a document are capped, so an alias bomb
or a self-referencing anchor is an error, not a hang.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, SequenceNode

from simulation.config.errors import ScenarioError, shown

__all__ = ["MAX_ALIASES", "MAX_DEPTH", "MAX_NODES", "parse_yaml", "yaml_load"]

#: Deepest nesting of mappings and lists in a YAML document.
MAX_DEPTH = 40
#: Most aliases (``*name``) in one YAML document.
MAX_ALIASES = 200
#: Most nodes of a YAML document with every alias expanded.
MAX_NODES = 200_000

#: libyaml's parser when PyYAML was built with it (ten times faster), else the pure-Python one.
_BASE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BASE_LOADER):
    """Safe YAML, plus: keys are text and unique, dates exist."""

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            first: dict[str, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                if not isinstance(key, str):
                    raise ConstructorError(
                        None, None, f"key {shown(key)} is not text; quote it or rename it", key_node.start_mark
                    )
                if key in first:
                    raise ConstructorError(
                        None,
                        None,
                        f"duplicate key {shown(key)} (first at line {first[key]}); each key may appear once",
                        key_node.start_mark,
                    )
                first[key] = key_node.start_mark.line + 1
        out = super().construct_mapping(node, deep=deep)
        for key in out:
            if not isinstance(key, str):
                raise ConstructorError(None, None, f"key {shown(key)} is not text", node.start_mark)
        return out


def _construct_timestamp(loader: Any, node: Any) -> Any:
    try:
        return SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError) as exc:
        raise ConstructorError(None, None, f"{shown(node.value)} is not a date ({exc})", node.start_mark) from None


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def _check_graph(root: Node) -> None:
    """Refuse deep nesting, many aliases, recursive anchors and documents that expand too far."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    aliases = 0

    def walk(node: Node, depth: int) -> int:
        nonlocal aliases
        key = id(node)
        if key in sizes:
            aliases += 1
            if aliases > MAX_ALIASES:
                raise ConstructorError(None, None, f"more than {MAX_ALIASES} aliases", node.start_mark)
            return sizes[key]
        if key in on_path:
            raise ConstructorError(None, None, "an anchor refers to itself (recursive alias)", node.start_mark)
        if depth > MAX_DEPTH:
            raise ConstructorError(None, None, f"nested more than {MAX_DEPTH} levels deep", node.start_mark)
        total = 1
        if isinstance(node, SequenceNode | MappingNode):
            on_path.add(key)
            children = node.value if isinstance(node, SequenceNode) else [n for pair in node.value for n in pair]
            for child in children:
                total += walk(child, depth + 1)
                if total > MAX_NODES:
                    raise ConstructorError(
                        None, None, f"more than {MAX_NODES} values once aliases are expanded", node.start_mark
                    )
            on_path.discard(key)
        sizes[key] = total
        return total

    walk(root, 0)


def yaml_load(text: str) -> Any:
    """Parse YAML text like ``yaml.safe_load``, strictly: every problem is a ``yaml.YAMLError``.

    Keys must be text and unique, dates must exist, and the document must stay within
    :data:`MAX_DEPTH`, :data:`MAX_ALIASES` and :data:`MAX_NODES`.
    """
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_graph(node)
        return loader.construct_document(node)
    except yaml.YAMLError:
        raise
    except (ValueError, TypeError, OverflowError, RecursionError, MemoryError) as exc:
        raise ConstructorError(None, None, f"cannot be read: {shown(str(exc))}", None) from None
    finally:
        loader.dispose()


def parse_yaml(text: str, label: str) -> Any:
    """:func:`yaml_load`, with its errors as a :class:`ScenarioError` naming the line."""
    try:
        return yaml_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        problem = getattr(exc, "problem", None) or (str(exc).splitlines() or [""])[0]
        raise ScenarioError(label, [("yaml", f"not valid YAML at {where}: {shown(problem, 200)[1:-1]}")]) from None
