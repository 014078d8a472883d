"""Experiments: scenario files (the regimes) x variants x a sweep grid x replications.

An experiment file (``scenarios/experiments/*.yaml``) names scenario files relative to itself,
optional variants (``{name, set: {dotted.path: value}}``, applied to every scenario), the
replications, seed, horizon in years and warm-up, and optionally a precision target::

    name: drie-regimes
    description: the three regimes on the national default
    scenarios: [../gefragmenteerd.yaml, ../regionaal.yaml, ../landelijk.yaml]
    variants:
      - name: basis
      - name: meer-pleegzorg
        set: {care_forms.pleegzorg.referral_rate_per_1000.value: 1.3}
    replications: 10
    seed: 2026
    years: 1
    warmup_days: 90
    precision: {target: 0.05, kpis: [wait_days_mean, share_over_norm], max_replications: 100}

A dotted path addresses any scenario parameter: mapping keys and list indices, e.g.
``regime.min_providers_per_contract`` or ``providers.generator.groups.0.count``. An unknown path
is an error naming it. A *cell* is one variant at one point of the sweep grid; a cell holds
every scenario of the experiment, and every cell, scenario and replication draws from the same
named streams, so they all see the same children (common random numbers).

The experiment's fingerprint hashes its resolved content: every resolved scenario's
:func:`simulation.config.fingerprint`, the variants, the sweep grid, replications, years,
warm-up, precision target and engine. Together with the seed it names the result in the store.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
import itertools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from simulation import metrics
from simulation.config import (
    FrozenModel,
    LoadPolicy,
    Scenario,
    ScenarioError,
    fingerprint,
    load_raw,
    pydantic_problems,
    read_yaml,
    shown,
    validate_scenario,
    yaml_load,
)

__all__ = [
    "DEFAULT_PRECISION_KPIS",
    "Cell",
    "Experiment",
    "ExperimentSpec",
    "PrecisionSpec",
    "Variant",
    "check_experiment",
    "is_experiment_file",
    "load_any",
    "load_experiment",
    "parse_set",
    "scenarios_experiment",
]

#: KPIs (care form ALL) that ``--precision`` watches unless the experiment names others.
DEFAULT_PRECISION_KPIS = ("wait_days_mean", "share_over_norm")
#: Keys a variant or sweep may not set: the name identifies a scenario within a cell.
_FORBIDDEN_PATHS = ("name",)
_NAME = r"^[A-Za-z0-9_.-]+$"
_FLOAT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+")


class _Frozen(FrozenModel):
    """Strict like a scenario: no unknown keys, finite numbers, no true/false as a number."""


class Variant(_Frozen):
    """A named set of parameter changes applied to every scenario of the experiment."""

    name: str = Field(default="baseline", pattern=_NAME)
    set: dict[str, Any] = Field(default_factory=dict)


class PrecisionSpec(_Frozen):
    """Add replications until the 95% CI half-width of ``kpis`` is within ``target`` x |mean|."""

    target: float = Field(default=0.05, gt=0, lt=1)
    kpis: list[str] = Field(default_factory=lambda: list(DEFAULT_PRECISION_KPIS), min_length=1)
    max_replications: int = Field(default=100, ge=2, le=10_000)

    @field_validator("kpis")
    @classmethod
    def _known(cls, kpis: list[str]) -> list[str]:
        unknown = [k for k in kpis if k not in metrics.KPIS]
        if unknown:
            raise ValueError(f"unknown KPI(s) {unknown}; known: {list(metrics.KPIS)}")
        return kpis


class ExperimentSpec(_Frozen):
    """The validated content of an experiment file."""

    name: str = Field(min_length=1, max_length=80, pattern=_NAME)
    description: str = Field(default="", max_length=10_000)
    scenarios: list[str] = Field(min_length=1, max_length=100)
    variants: list[Variant] = Field(default_factory=lambda: [Variant()], min_length=1)
    replications: int = Field(ge=1, le=10_000)
    seed: int = Field(ge=0, lt=2**63)
    years: float = Field(gt=0, le=50)
    warmup_days: float = Field(ge=0, le=36_500)
    precision: PrecisionSpec | None = None

    @model_validator(mode="after")
    def _unique(self) -> ExperimentSpec:
        names = [v.name for v in self.variants]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"variants: variant names must differ; repeated: {dupes}")
        if self.warmup_days >= self.years * 365:
            horizon = self.years * 365
            raise ValueError(f"warmup_days: {self.warmup_days} must be shorter than the horizon ({horizon} days)")
        return self


@dataclass(frozen=True)
class Cell:
    """One variant at one point of the sweep grid, with every scenario resolved for it."""

    index: int
    variant: str
    point: tuple[tuple[str, Any], ...]
    scenarios: tuple[Scenario, ...]

    def columns(self, with_variant: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"variant": self.variant} if with_variant else {}
        out.update(self.point)
        return out

    def label(self, with_variant: bool) -> str:
        parts = [f"variant {self.variant}"] if with_variant else []
        parts += [f"{p}={v}" for p, v in self.point]
        return ", ".join(parts)


@dataclass(frozen=True)
class Experiment:
    """A resolved experiment: its spec, sweep grid and cells. ``kind`` says what the file was."""

    spec: ExperimentSpec
    kind: str  # "experiment", "scenario" (one scenario file) or "scenarios" (several)
    path: Path
    files: tuple[str, ...]
    sweep: tuple[tuple[str, tuple[Any, ...]], ...]
    cells: tuple[Cell, ...]
    #: what a reader should know about how the files were combined
    notes: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def seed(self) -> int:
        return self.spec.seed

    @property
    def scenario_names(self) -> list[str]:
        return [s.name for s in self.cells[0].scenarios]

    @property
    def with_variant(self) -> bool:
        return self.kind == "experiment"

    def cell_columns(self) -> list[str]:
        return (["variant"] if self.with_variant else []) + [p for p, _ in self.sweep]

    def scenario_fingerprints(self) -> dict[str, str]:
        out = {}
        for cell in self.cells:
            label = cell.label(self.with_variant)
            for s in cell.scenarios:
                out[f"{label} / {s.name}" if label else s.name] = fingerprint(s)
        return out

    def fingerprint(self, engine: str, precision: PrecisionSpec | None) -> str:
        content = {
            "kind": self.kind,
            "name": self.name,
            "scenarios": self.scenario_fingerprints(),
            "variants": [v.model_dump(mode="json") for v in self.spec.variants],
            "sweep": [[p, list(vals)] for p, vals in self.sweep],
            "replications": self.spec.replications,
            "seed": self.spec.seed,
            "years": self.spec.years,
            "warmup_days": self.spec.warmup_days,
            "precision": precision.model_dump(mode="json") if precision else None,
            "engine": engine,
        }
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


# --------------------------------------------------------------------------------------------
# Loading


def _read_yaml(path: Path, policy: LoadPolicy | None = None) -> Any:
    """The one YAML reader of scenarios (:func:`simulation.config.read_yaml`)."""
    return read_yaml(path, policy)


def is_experiment_file(path: str | Path, policy: LoadPolicy | None = None) -> bool:
    """An experiment file is a mapping with a ``scenarios`` list; a scenario file never has one.

    A file that cannot be read is no experiment; loading it as a scenario then says why.
    """
    try:
        data = read_yaml(path, policy)
    except ScenarioError:
        return False
    return isinstance(data, dict) and "scenarios" in data and "care_forms" not in data and "extends" not in data


#: The one formatter of validation problems (:func:`simulation.config.pydantic_problems`).
_pydantic_problems = pydantic_problems


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


def _set_path(raw: dict[str, Any], parts: list[str], value: Any) -> None:
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


def _resolve_file_value(path: str, value: Any, folder: Path) -> Any:
    last = path.rsplit(".", 1)[-1]
    if isinstance(value, str) and (last.endswith("_file") or last == "file"):
        try:
            return str((folder / value).resolve())
        except (OSError, ValueError, RuntimeError):
            return value  # not a usable path: validation reports the file as not found
    return value


def _check_path(path: str, dump: Mapping[str, Any]) -> str | None:
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


def _column_values(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """Values of one swept path in one type, so the column has one type in every table."""
    if all(isinstance(v, bool) for v in values):
        return values
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return values
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return tuple(float(v) for v in values)
    return tuple(str(v) for v in values)


def _build(
    spec: ExperimentSpec,
    kind: str,
    path: Path,
    raws: list[tuple[str, dict[str, Any]]],
    sweep: Sequence[tuple[str, Sequence[Any]]],
    set_folder: Path,
    policy: LoadPolicy | None = None,
) -> Experiment:
    common = {
        "replications": spec.replications,
        "seed": spec.seed,
        "years": spec.years,
        "warmup_days": spec.warmup_days,
    }
    label = str(path)
    bases: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    problems: list[tuple[str, str]] = []
    for file, raw in raws:
        raw = {**raw, **common}
        try:
            base = validate_scenario(raw, file, policy=policy)
        except ScenarioError as exc:
            problems += [(f"{file}: {f}", m) for f, m in exc.problems]
            continue
        bases.append((file, raw, base.model_dump(mode="json")))
    if problems:
        raise ScenarioError(label, problems)
    for i, variant in enumerate(spec.variants):
        for p in variant.set:
            for file, _, dump in bases:
                why = _check_path(p, dump)
                if why:
                    problems.append((f"variants.{i}.set.{p}", f"{why} (in {Path(file).name})"))
                    break
        # Paths are applied one after another: one inside another would index what the other set.
        paths = [*variant.set, *(p for p, _ in sweep)]
        for a in paths:
            for b in paths:
                if b.startswith(a + "."):
                    why = f"sets {shown(a)} and, inside it, {shown(b)}; set one of them"
                    problems.append((f"variants.{i}.set", why))
    for p, _ in sweep:
        for file, _, dump in bases:
            why = _check_path(p, dump)
            if why:
                problems.append((f"--set {p}", f"{why} (in {Path(file).name})"))
                break
    if problems:
        raise ScenarioError(label, problems)
    names = [b[2]["name"] for b in bases]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ScenarioError(label, [("scenarios", f"scenario names must differ; repeated: {dupes}")])

    typed_sweep = tuple((p, _column_values(tuple(v))) for p, v in sweep)
    paths = [p for p, _ in typed_sweep]
    grid = [tuple(zip(paths, combo, strict=True)) for combo in itertools.product(*(v for _, v in typed_sweep))]
    cells: list[Cell] = []
    for variant in spec.variants:
        for point in grid:
            scenarios = []
            for file, raw, _ in bases:
                r = copy.deepcopy(raw)
                for p, v in variant.set.items():
                    _set_path(r, p.split("."), _resolve_file_value(p, copy.deepcopy(v), path.parent))
                for p, v in point:
                    _set_path(r, p.split("."), _resolve_file_value(p, v, set_folder))
                where = [f"variant {variant.name}"] if kind == "experiment" else []
                where += [f"{p}={v}" for p, v in point]
                try:
                    cell_label = f"{file} ({', '.join(where)})" if where else file
                    scenarios.append(validate_scenario(r, cell_label, policy=policy))
                except ScenarioError as exc:
                    problems += [(f"{exc.source}: {f}", m) for f, m in exc.problems]
            cells.append(Cell(len(cells), variant.name, point, tuple(scenarios)))
    if problems:
        raise ScenarioError(label, problems)
    return Experiment(spec, kind, path, tuple(f for f, _ in raws), typed_sweep, tuple(cells))


def load_experiment(
    path: str | Path,
    overrides: Mapping[str, Any] | None = None,
    sweep: Sequence[tuple[str, Sequence[Any]]] = (),
    *,
    policy: LoadPolicy | None = None,
) -> Experiment:
    """Load and validate an experiment file; ``overrides`` replace top-level keys (seed, ...).

    ``policy`` confines and limits what is read (:class:`simulation.config.LoadPolicy`).
    """
    path = Path(path)
    data = _read_yaml(path, policy)
    if not isinstance(data, dict):
        raise ScenarioError(str(path), [("file", f"must be a mapping of keys to values, not {type(data).__name__}")])
    data = {**data, **(overrides or {})}
    try:
        spec = ExperimentSpec.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(str(path), _pydantic_problems(exc)) from None
    raws, problems = [], []
    for i, rel in enumerate(spec.scenarios):
        try:
            raw = load_raw(path.parent / rel, policy=policy)  # refuses a path it cannot resolve
            raws.append((str((path.parent / rel).resolve()), raw))
        except ScenarioError as exc:
            problems += [(f"scenarios.{i} ({shown(rel)}): {f}", m) for f, m in exc.problems]
    if problems:
        raise ScenarioError(str(path), problems)
    return _build(spec, "experiment", path, raws, sweep, Path.cwd(), policy)


def scenario_experiment(
    path: str | Path,
    overrides: Mapping[str, Any] | None = None,
    sweep: Sequence[tuple[str, Sequence[Any]]] = (),
    *,
    policy: LoadPolicy | None = None,
) -> Experiment:
    """A scenario file as an experiment of one scenario and no variants."""
    path = Path(path)
    raw = load_raw(path, policy=policy)
    raw = {**raw, **(overrides or {})}
    base = validate_scenario(raw, str(path), policy=policy)
    spec = ExperimentSpec(
        name=base.name,
        description=base.description,
        scenarios=[str(path)],
        replications=base.replications,
        seed=base.seed,
        years=base.years,
        warmup_days=base.warmup_days,
    )
    return _build(spec, "scenario", path, [(str(path.resolve()), raw)], sweep, Path.cwd(), policy)


def scenarios_experiment(
    paths: Sequence[str | Path],
    overrides: Mapping[str, Any] | None = None,
    sweep: Sequence[tuple[str, Sequence[Any]]] = (),
    *,
    policy: LoadPolicy | None = None,
) -> Experiment:
    """Several scenario files as one experiment (no variants), the first the baseline.

    They run with one seed, horizon, warm-up and number of replications, so every scenario
    sees the same children and the paired differences compare like with like: the first
    file's values, unless ``overrides`` give them. Where the files disagree, the note in
    :attr:`Experiment.notes` says which values were used.
    """
    files = [Path(p) for p in paths]
    raws, bases, problems = [], [], []
    for f in files:
        try:
            raw = {**load_raw(f, policy=policy), **(overrides or {})}
            bases.append(validate_scenario(raw, str(f)))
            raws.append((str(f.resolve()), raw))
        except ScenarioError as exc:
            problems += [(f"{exc.source}: {field}", m) for field, m in exc.problems]
    if problems:
        raise ScenarioError("input", problems)
    first = bases[0]
    shared = ("replications", "seed", "years", "warmup_days")
    notes = [
        f"{key} differs between the files ({', '.join(f'{b.name}: {getattr(b, key)}' for b in bases)}); "
        f"using {getattr(first, key)} from {first.name} for all"
        for key in shared
        if len({getattr(b, key) for b in bases}) > 1
    ]
    spec = ExperimentSpec(
        name=first.name,
        description=first.description,
        scenarios=[str(f) for f in files],
        **{key: getattr(first, key) for key in shared},
    )
    exp = _build(spec, "scenarios", files[0], raws, sweep, Path.cwd(), policy)
    return dataclasses.replace(exp, notes=tuple(notes))


def load_any(
    path: str | Path,
    overrides: Mapping[str, Any] | None = None,
    sweep: Sequence[tuple[str, Sequence[Any]]] = (),
    *,
    policy: LoadPolicy | None = None,
) -> Experiment:
    """An experiment file or a scenario file (told apart by their keys)."""
    if is_experiment_file(path, policy):
        return load_experiment(path, overrides, sweep, policy=policy)
    return scenario_experiment(path, overrides, sweep, policy=policy)


def check_experiment(experiment: Experiment) -> None:
    """Build the world of every scenario of every cell, as a run would, without running it.

    Loading validates each scenario's values; this also reads its data files (they exist, are
    CSV with the right columns and values in range), checks its regions, care forms and shocks
    against them, and lets its regime build the market. Each distinct scenario (by
    fingerprint) is built once. Raises :class:`ScenarioError` listing every cell's problems, so
    ``validate`` refuses what ``run`` would refuse.
    """
    from simulation.runner import build_world

    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for cell in experiment.cells:
        where = cell.label(experiment.with_variant)
        for scenario in cell.scenarios:
            label = f"{where} / {scenario.name}" if where else scenario.name
            try:
                key = fingerprint(scenario)
                if key in seen:
                    continue
                seen.add(key)
                build_world(scenario)
            except ScenarioError as exc:
                problems += [(f"{label}: {exc.source}: {f}", m) for f, m in exc.problems]
            except (ValueError, LookupError, ArithmeticError) as exc:
                why = f"the world cannot be built: {type(exc).__name__}: {shown(str(exc), 200)}"
                problems.append((label, why))
    if problems:
        raise ScenarioError(str(experiment.path), problems)
