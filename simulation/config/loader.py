"""One YAML loader for scenarios and experiments, ``extends:``, validation and the fingerprint.

A scenario is YAML. It may say ``extends: other.yaml``; the loader merges it over its base
(mappings merge key by key, everything else is replaced) and validates the result with the
pydantic models of this package. Unknown keys are errors, so a typo never silently does nothing.

File paths inside a scenario (keys ending in ``_file``) are relative to the YAML file that
names them. The fingerprint of a scenario hashes its canonical content and the bytes of the
files it names, never their paths, so it is the same on every machine.

Reading is defensive, because files may come from elsewhere (an upload): a file must be UTF-8
text of at most :attr:`LoadPolicy.max_yaml_bytes`; a key must be text and appear once per
mapping; a date must exist; nesting, aliases and the expanded size of the document are capped
(no alias bombs, no self-referencing anchors); an ``extends`` chain is at most
:attr:`LoadPolicy.max_extends` files long. A :class:`LoadPolicy` with ``roots`` confines every
file a scenario reads (the YAML files, ``extends`` and every ``*_file``) to those folders,
after resolving symbolic links. Each problem is a :class:`ScenarioError` naming the file and
the field.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simulation.config.errors import ScenarioError, pydantic_problems, shown
from simulation.config.scenario import Scenario
from simulation.config.yaml_safe import parse_yaml, yaml_load

__all__ = [
    "PROJECT_ROOT",
    "LoadPolicy",
    "fingerprint",
    "load_raw",
    "load_scenario",
    "parse_yaml",
    "read_yaml",
    "scenario_files",
    "validate_scenario",
    "yaml_load",
]

#: The project folder (holding ``scenarios/`` and ``data/``).
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _is_file(path: str | Path) -> bool:
    try:
        return Path(path).is_file()
    except (OSError, ValueError):
        return False


@dataclass(frozen=True)
class LoadPolicy:
    """Limits on what loading may read.

    ``roots``: when given, every file read (the YAML file itself, each ``extends`` and every
    ``*_file`` of the scenario) must lie inside one of these folders after symbolic links are
    resolved. ``None`` (the default, for the command line) reads any file the process can.
    Use :meth:`confined` for files from elsewhere (the dashboard's uploads).
    """

    roots: tuple[Path, ...] | None = None
    #: largest YAML file, in bytes
    max_yaml_bytes: int = 1_000_000
    #: longest ``extends`` chain (files, the first included)
    max_extends: int = 8

    @classmethod
    def confined(cls, *roots: str | Path, project: bool = True) -> LoadPolicy:
        """Reading only below ``roots`` and (``project``) the project's ``scenarios/`` and ``data/``."""
        folders = [*(Path(r) for r in roots), *((PROJECT_ROOT / "scenarios", PROJECT_ROOT / "data") if project else ())]
        return cls(roots=tuple(f.resolve() for f in folders))

    def allows(self, path: str | Path) -> bool:
        if self.roots is None:
            return True
        try:
            real = Path(path).resolve()
        except (OSError, ValueError, RuntimeError):
            return False
        return any(real.is_relative_to(root) for root in self.roots)

    def check(self, path: str | Path, source: str, field: str) -> None:
        """Raise :class:`ScenarioError` (``source``, ``field``) if ``path`` lies outside the roots."""
        if not self.allows(path):
            folders = ", ".join(str(r) for r in self.roots or ())
            why = f"{shown(str(path))} is outside the folders this load may read ({folders})"
            raise ScenarioError(source, [(field, why)])


_OPEN = LoadPolicy()


def read_yaml(path: str | Path, policy: LoadPolicy | None = None, field: str = "file") -> Any:
    """Read one YAML file (a scenario or an experiment) within ``policy``; any problem is a
    :class:`ScenarioError` naming the file."""
    policy = policy or _OPEN
    label = str(path)
    policy.check(path, label, field)
    if not _is_file(path):
        raise ScenarioError(label, [(field, "no such file")])
    try:
        with open(path, "rb") as fh:
            data = fh.read(policy.max_yaml_bytes + 1)
    except OSError as exc:
        raise ScenarioError(label, [(field, f"cannot be read: {exc.strerror or exc}")]) from None
    if len(data) > policy.max_yaml_bytes:
        raise ScenarioError(label, [(field, f"too large; at most {policy.max_yaml_bytes} bytes")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        why = f"not UTF-8 text (byte {exc.start}, line {line}); save the file as UTF-8"
        raise ScenarioError(label, [(field, why)]) from None
    return parse_yaml(text, label)


# --------------------------------------------------------------------------------------------
# Scenarios


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _resolve(folder: Path, value: str, label: str, field: str) -> str:
    try:
        return str((folder / value).resolve())
    except (OSError, ValueError, RuntimeError) as exc:
        raise ScenarioError(label, [(field, f"{shown(value)} is not a usable path ({exc})")]) from None


def _resolve_paths(node: Any, folder: Path, label: str, where: str = "") -> Any:
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            field = f"{where}{k}"
            if (k.endswith("_file") or k == "file") and isinstance(v, str):
                out[k] = _resolve(folder, v, label, field)
            else:
                out[k] = _resolve_paths(v, folder, label, field + ".")
        return out
    if isinstance(node, list):
        return [_resolve_paths(v, folder, label, f"{where}{i}.") for i, v in enumerate(node)]
    return node


def load_raw(path: str | Path, _seen: tuple[Path, ...] = (), *, policy: LoadPolicy | None = None) -> dict[str, Any]:
    """Read a scenario YAML, follow ``extends`` and return the merged mapping (unvalidated)."""
    policy = policy or _OPEN
    try:
        path = Path(path).resolve()
    except (OSError, ValueError, RuntimeError) as exc:
        raise ScenarioError(shown(str(path)), [("file", f"not a usable path ({exc})")]) from None
    label = str(path)
    if path in _seen:
        chain = " -> ".join(p.name for p in (*_seen, path))
        raise ScenarioError(str(_seen[0]), [("extends", f"circular extends: {chain}")])
    if len(_seen) >= policy.max_extends:
        chain = " -> ".join(p.name for p in (*_seen, path))
        raise ScenarioError(
            str(_seen[0]), [("extends", f"chain of more than {policy.max_extends} files: {shown(chain, 300)}")]
        )
    data = read_yaml(path, policy)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(label, [("file", f"must be a mapping of keys to values, not {type(data).__name__}")])
    data = _resolve_paths(data, path.parent, label)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str) or not parent:
        raise ScenarioError(label, [("extends", f"must be a file name, got {shown(parent)}")])
    parent_path = Path(_resolve(path.parent, parent, label, "extends"))
    policy.check(parent_path, label, "extends")
    if not _is_file(parent_path):
        raise ScenarioError(label, [("extends", f"no such file: {shown(parent)}")])
    base = load_raw(parent_path, (*_seen, path), policy=policy)
    return _deep_merge(base, data)


def scenario_files(s: Scenario) -> list[tuple[str, str | None]]:
    """(field, path) of every data file a run of ``s`` reads."""
    return [
        ("gemeenten_file", s.gemeenten_file),
        ("adjacency_file", s.adjacency_file),
        ("demand.regional_factors_file", s.demand.regional_factors_file),
        ("providers.file", s.providers.file),
        ("providers.places_file", s.providers.places_file),
        ("regime.split.units_file", s.regime.split.units_file),
        (
            "transition.from_regime.split.units_file",
            s.transition.from_regime.split.units_file if s.transition else None,
        ),
        *(
            (f"providers.generator.groups.{i}.werkgebied_file", g.werkgebied_file)
            for i, g in enumerate(s.providers.generator.groups if s.providers.generator else [])
            if g.werkgebied_file is not None
        ),
    ]


_files = scenario_files  # the name older callers use


def validate_scenario(
    raw: Mapping[str, Any],
    label: str = "scenario",
    check_files: bool = True,
    *,
    policy: LoadPolicy | None = None,
) -> Scenario:
    """Validate a merged mapping; raise :class:`ScenarioError` naming every bad field.

    Every file the scenario names must lie within ``policy`` and (``check_files``) exist.
    """
    policy = policy or _OPEN
    if not isinstance(raw, Mapping):
        raise ScenarioError(label, [("file", f"must be a mapping of keys to values, not {type(raw).__name__}")])
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(label, pydantic_problems(exc)) from None
    except (RecursionError, ValueError, TypeError) as exc:  # pydantic's own errors are ValidationError
        raise ScenarioError(label, [("(top level)", f"cannot be validated: {shown(str(exc))}")]) from None
    problems: list[tuple[str, str]] = []
    for field, p in scenario_files(scenario):
        if p is None:
            continue
        if not policy.allows(p):
            folders = ", ".join(str(r) for r in policy.roots or ())
            problems.append((field, f"{shown(p)} is outside the folders this load may read ({folders})"))
        elif check_files and not _is_file(p):
            problems.append((field, f"file not found: {shown(p, 200)}"))
    if problems:
        raise ScenarioError(label, problems)
    return scenario


def load_scenario(
    path: str | Path,
    overrides: Mapping[str, Any] | None = None,
    check_files: bool = True,
    *,
    policy: LoadPolicy | None = None,
    confine_to: Iterable[str | Path] | None = None,
) -> Scenario:
    """Load, merge, override and validate one scenario file.

    ``confine_to`` (folders) is short for ``policy=LoadPolicy(roots=...)``: every file read must
    lie below one of them.
    """
    if confine_to is not None:
        policy = LoadPolicy(roots=tuple(Path(r).resolve() for r in confine_to))
    raw = load_raw(path, policy=policy)
    if overrides:
        raw = _deep_merge(raw, overrides)
    return validate_scenario(raw, str(path), check_files=check_files, policy=policy)


def fingerprint(scenario: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON with each named file replaced by its hash."""
    data = scenario.model_dump(mode="json")

    def digest(field: str, p: str | None) -> str | None:
        if p is None:
            return None
        try:
            return hashlib.sha256(Path(p).read_bytes()).hexdigest()
        except (OSError, ValueError) as exc:
            raise ScenarioError(scenario.name, [(field, f"cannot be read: {shown(p)} ({exc})")]) from None

    for field, p in scenario_files(scenario):
        if p is None:
            continue  # stays None in the dump
        node = data
        *parents, last = field.split(".")
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[last] = digest(field, p)
    if data["adjacency_file"] is None:
        del data["adjacency_file"]  # fingerprints of scenarios without one stay as they were
    if data["demand"]["regional_factors_file"] is None:
        del data["demand"]["regional_factors_file"]  # likewise
    for group in (data["providers"].get("generator") or {}).get("groups", []):
        if group.get("werkgebied_file") is None:
            group.pop("werkgebied_file", None)  # likewise
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
