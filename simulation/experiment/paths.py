"""Dotted parameter paths (``care_forms.pleegzorg.referral_rate_per_1000.value``): checking,
setting, and parsing ``--set PATH=V1,V2,...``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from simulation.config import ScenarioError, shown, yaml_load

__all__ = ["check_path", "column_values", "overrides_from_sets", "parse_set", "resolve_file_value", "set_path"]

#: Keys a variant or sweep may not set: the name identifies a scenario within a cell.
_FORBIDDEN_PATHS = ("name",)
_FLOAT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+")


def _walk(dump: Any, parts: list[str], path: str) -> str | None:
    """None if ``parts`` address a parameter of ``dump`` (a full scenario dump); else why not."""
    node = dump
    for i, part in enumerate(parts):
        where = ".".join(parts[:i]) or "(top level)"
        if isinstance(node, dict):
            if part not in node:
                return f"unknown parameter path {path!r}: {where} has no {part!r}; known: {sorted(node)}"
            node = node[part]
        elif isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                return f"unknown parameter path {path!r}: {where} is a list of {len(node)}; {part!r} is no index in it"
            node = node[int(part)]
        elif node is None:
            return f"unknown parameter path {path!r}: {where} is not set in this scenario, so it has no {part!r}"
        else:
            return f"unknown parameter path {path!r}: {where} is a value ({shown(node)}), not a mapping"
    return None


def set_path(raw: dict[str, Any], parts: list[str], value: Any) -> None:
    node: Any = raw
    for part in parts[:-1]:
        if isinstance(node, list):
            node = node[int(part)]
        else:
            if not isinstance(node.get(part), dict | list):
                node[part] = {}
            node = node[part]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def resolve_file_value(path: str, value: Any, folder: Path) -> Any:
    last = path.rsplit(".", 1)[-1]
    if isinstance(value, str) and (last.endswith("_file") or last == "file"):
        try:
            return str((folder / value).resolve())
        except (OSError, ValueError, RuntimeError):
            return value  # not a usable path: validation reports the file as not found
    return value


def check_path(path: str, dump: Mapping[str, Any]) -> str | None:
    parts = path.split(".")
    if not path or any(not p for p in parts):
        return f"{path!r} is not a dotted parameter path such as care_forms.pleegzorg.referral_rate_per_1000.value"
    if parts[0] in _FORBIDDEN_PATHS:
        return f"{path!r} cannot be set by a variant or sweep (it names the scenario)"
    return _walk(dict(dump), parts, path)


def parse_set(text: str) -> tuple[str, tuple[Any, ...]]:
    """``PATH=V1,V2,...`` with each value parsed as a YAML scalar."""
    field_name = f"--set {text}"
    if "=" not in text:
        raise ScenarioError("--set", [(field_name, "must be PATH=V1,V2,... (no '=' found)")])
    path, _, rest = text.partition("=")
    path = path.strip()
    if not path:
        raise ScenarioError("--set", [(field_name, "the parameter path before '=' is empty")])
    values = []
    for item in rest.split(","):
        item = item.strip()
        if not item:
            raise ScenarioError("--set", [(f"--set {path}", f"empty value in {rest!r}")])
        try:
            value = yaml_load(item)
        except yaml.YAMLError:
            raise ScenarioError("--set", [(f"--set {path}", f"value {item!r} is not a valid YAML scalar")]) from None
        if isinstance(value, dict | list) or value is None:
            why = f"value {item!r} is not a scalar (a number, text or true/false)"
            raise ScenarioError("--set", [(f"--set {path}", why)])
        if isinstance(value, dt.date):
            value = item  # dates stay text; a scenario field parses them
        elif isinstance(value, str) and _FLOAT.fullmatch(item):
            value = float(item)  # YAML 1.1 reads 1e-3 as text; a user means a number
        values.append(value)
    if len(set(map(repr, values))) != len(values):
        raise ScenarioError("--set", [(f"--set {path}", f"values repeat in {rest!r}")])
    return path, tuple(values)


def overrides_from_sets(texts: list[str]) -> dict[str, Any]:
    """``--set PATH=VALUE`` texts (one value each) as a nested mapping of scenario overrides."""
    overrides: dict[str, Any] = {}
    for text in texts:
        path, values = parse_set(text)
        if len(values) != 1:
            raise ScenarioError("--set", [(f"--set {path}", f"takes one value here, got {len(values)}")])
        set_path(overrides, path.split("."), values[0])
    return overrides


def column_values(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """Values of one swept path in one type, so the column has one type in every table."""
    if all(isinstance(v, bool) for v in values):
        return values
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return values
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return tuple(float(v) for v in values)
    return tuple(str(v) for v in values)
