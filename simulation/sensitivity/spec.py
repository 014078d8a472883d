"""A sensitivity experiment file: the validated spec and the plan checked against its base scenario.

::

    name: aannames-gefragmenteerd
    scenario: ../gefragmenteerd.yaml       # the base scenario, relative to this file
    set: {regions: [JZ08]}                 # fixed changes to the base (optional)
    years: 3                               # default: the scenario's
    replications: 2                        # per design point, on the same seeds at every point
    seed: 2026
    method: morris                         # or sobol (--method overrides)
    morris: {trajectories: 10, levels: 4}
    sobol: {samples: 64}                   # a power of 2; N x (k + 2) design points
    kpis: [wait_days_p90, share_over_norm, provider_exits, municipal_cost_per_youth_eur]
    parameters:
      - name: intrek_wachtlijst
        paths: [care_forms.pleegzorg.waiting_withdrawal_per_year.value, ...]
        bounds: [0.5, 2.0]
        note: "GAP: ..."
      - name: tarief_crisis
        path: care_forms.crisisopvang.tariff_eur_per_day.value
        bounds: [0.8, 1.2]
        relative: true                     # bounds multiply each path's base value

A parameter's paths are the dotted paths of ``--set``; every path of a parameter gets the same
value (or the same multiple of its own base value with ``relative``). A path whose base value is a
whole number (``regime.min_providers_per_contract``) is rounded to one.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from simulation import metrics
from simulation.config import (
    FrozenModel,
    ScenarioError,
    load_raw,
    pydantic_problems,
    read_yaml,
    shown,
    validate_scenario,
)
from simulation.config.base import Pair
from simulation.experiment.paths import check_path, set_path

__all__ = ["METHODS", "Parameter", "Plan", "SensitivitySpec", "is_sensitivity_file", "load_plan"]

METHODS = ("morris", "sobol")
_NAME = r"^[A-Za-z0-9_.-]+$"


class Parameter(FrozenModel):
    """One factor of the design: a value in ``bounds`` set at every one of ``paths``."""

    name: str = Field(min_length=1, max_length=60, pattern=_NAME)
    paths: list[str] = Field(min_length=1, max_length=100)
    bounds: Pair
    relative: bool = False
    note: str = Field(default="", max_length=2000)

    @model_validator(mode="before")
    @classmethod
    def _one_path(cls, data: Any) -> Any:
        # ``path: x`` is the common case of ``paths: [x]``
        if isinstance(data, dict) and "path" in data:
            if "paths" in data:
                raise ValueError("give path or paths, not both")
            data = {**data, "paths": [data["path"]]}
            del data["path"]
        return data

    @field_validator("bounds")
    @classmethod
    def _ordered(cls, bounds: tuple[float, float]) -> tuple[float, float]:
        low, high = bounds
        if not low < high:
            raise ValueError(f"must be [low, high] with low < high, got [{low:g}, {high:g}]")
        return bounds


class MorrisSpec(FrozenModel):
    """Morris screening: ``trajectories`` x (k + 1) design points on a grid of ``levels``."""

    trajectories: int = Field(default=10, ge=2, le=1000)
    levels: int = Field(default=4, ge=2, le=20)

    @field_validator("levels")
    @classmethod
    def _even(cls, levels: int) -> int:
        # with an odd number of levels the grid steps are not all equally likely (Morris 1991)
        if levels % 2:
            raise ValueError(f"must be even (SALib's Morris grid needs it), got {levels}")
        return levels


class SobolSpec(FrozenModel):
    """Sobol indices (Saltelli's scheme, first and total order): ``samples`` x (k + 2) points."""

    samples: int = Field(default=64, ge=2, le=2**16)

    @field_validator("samples")
    @classmethod
    def _power_of_two(cls, n: int) -> int:
        if n & (n - 1):
            raise ValueError(f"must be a power of 2 (the Sobol sequence's balance needs it), got {n}")
        return n


class SensitivitySpec(FrozenModel):
    """The validated content of a sensitivity experiment file."""

    name: str = Field(min_length=1, max_length=80, pattern=_NAME)
    description: str = Field(default="", max_length=10_000)
    scenario: str = Field(min_length=1)
    set: dict[str, Any] = Field(default_factory=dict)
    parameters: list[Parameter] = Field(min_length=2, max_length=60)
    kpis: list[str] = Field(min_length=1, max_length=50)
    replications: int = Field(default=2, ge=1, le=1000)
    seed: int = Field(default=2026, ge=0, lt=2**63)
    years: float | None = Field(default=None, gt=0, le=50)
    warmup_days: float | None = Field(default=None, ge=0, le=36_500)
    method: Literal["morris", "sobol"] = "morris"
    morris: MorrisSpec = Field(default_factory=MorrisSpec)
    sobol: SobolSpec = Field(default_factory=SobolSpec)
    conf_level: float = Field(default=0.95, gt=0.5, lt=1)
    resamples: int = Field(default=1000, ge=10, le=100_000)

    @field_validator("kpis")
    @classmethod
    def _known(cls, kpis: list[str]) -> list[str]:
        unknown = [k for k in kpis if k not in metrics.KPIS]
        if unknown:
            raise ValueError(f"unknown KPI(s) {unknown}; known: {list(metrics.KPIS)}")
        if len(set(kpis)) != len(kpis):
            raise ValueError(f"KPIs repeat: {kpis}")
        return kpis

    @model_validator(mode="after")
    def _distinct(self) -> SensitivitySpec:
        names = [p.name for p in self.parameters]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"parameters: names must differ; repeated: {dupes}")
        return self

    def design_points(self) -> int:
        """How many design points the chosen method samples."""
        k = len(self.parameters)
        return self.morris.trajectories * (k + 1) if self.method == "morris" else self.sobol.samples * (k + 2)


@dataclass(frozen=True)
class Plan:
    """A spec checked against its base scenario: every path exists, every bound validates."""

    spec: SensitivitySpec
    path: Path
    #: each path's value in the base scenario (after ``set``), which ``relative`` multiplies
    base_values: dict[str, Any]
    years: float
    warmup_days: float

    def values(self, point: list[float] | Any) -> dict[str, Any]:
        """The ``--set`` changes of one design point (one value per parameter, in order)."""
        out: dict[str, Any] = {}
        for p, x in zip(self.spec.parameters, point, strict=True):
            for path in p.paths:
                out[path] = applied(self.base_values[path], float(x), p.relative)
        return out


def applied(base: Any, x: float, relative: bool) -> Any:
    """The value set at a path: ``x`` (or ``x`` times its base value), whole where the base is."""
    value = base * x if relative else x
    if isinstance(base, int) and not isinstance(base, bool):
        return round(value)
    return float(value)


def is_sensitivity_file(path: str | Path) -> bool:
    """A sensitivity file is a mapping with ``scenario``, ``parameters`` and ``kpis``."""
    try:
        data = read_yaml(path)
    except ScenarioError:
        return False
    return isinstance(data, dict) and {"scenario", "parameters", "kpis"} <= set(data)


def _value_at(dump: Any, parts: list[str]) -> Any:
    for part in parts:
        dump = dump[int(part)] if isinstance(dump, list) else dump[part]
    return dump


def load_plan(path: str | Path, overrides: dict[str, Any] | None = None) -> Plan:
    """Read, validate and check a sensitivity file; ``overrides`` replace its top-level keys
    (seed, replications, years, method, ``start_date`` into ``set``). Every problem is one
    :class:`ScenarioError` naming the field."""
    path = Path(path)
    label = str(path)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ScenarioError(label, [("file", f"must be a mapping of keys to values, not {type(data).__name__}")])
    overrides = dict(overrides or {})
    start_date = overrides.pop("start_date", None)
    data = {**data, **overrides}
    if start_date is not None:
        data["set"] = {**(data.get("set") or {}), "start_date": str(start_date)}
    try:
        spec = SensitivitySpec.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(label, pydantic_problems(exc)) from None

    base_file = path.parent / spec.scenario
    try:
        raw = load_raw(base_file)
    except ScenarioError as exc:
        raise ScenarioError(label, [(f"scenario ({shown(spec.scenario)}): {f}", m) for f, m in exc.problems]) from None
    raw = {**raw, "seed": spec.seed, "replications": spec.replications}
    for key in ("years", "warmup_days"):
        if getattr(spec, key) is not None:
            raw[key] = getattr(spec, key)
    problems: list[tuple[str, str]] = []
    try:
        plain = validate_scenario(raw, str(base_file)).model_dump(mode="json")
    except ScenarioError as exc:
        raise ScenarioError(label, [(f"scenario ({shown(spec.scenario)}): {f}", m) for f, m in exc.problems]) from None
    for p in spec.set:
        why = check_path(p, plain)
        if why:
            problems.append((f"set.{p}", why))
    if problems:
        raise ScenarioError(label, problems)
    for p, v in spec.set.items():
        set_path(raw, p.split("."), copy.deepcopy(v))
    try:
        base = validate_scenario(raw, f"{base_file} with set")
    except ScenarioError as exc:
        raise ScenarioError(label, [(f"set: {f}", m) for f, m in exc.problems]) from None
    dump = base.model_dump(mode="json")
    base_values = _check_parameters(spec, dump, problems)
    if problems:
        raise ScenarioError(label, problems)
    _check_bounds(spec, raw, base_values, str(base_file), problems)
    if problems:
        raise ScenarioError(label, problems)
    return Plan(spec, path, base_values, float(dump["years"]), float(dump["warmup_days"]))


def _check_parameters(spec: SensitivitySpec, dump: dict[str, Any], problems: list[tuple[str, str]]) -> dict[str, Any]:
    """Each path exists, holds a number, is set by one parameter only and not by ``set``."""
    base_values: dict[str, Any] = {}
    owner: dict[str, str] = dict.fromkeys(spec.set, "set")
    for i, p in enumerate(spec.parameters):
        for j, q in enumerate(p.paths):
            where = f"parameters.{i}.paths.{j}"
            why = check_path(q, dump)
            if why:
                problems.append((where, why))
                continue
            clash = next((o for o in owner if o == q or q.startswith(o + ".") or o.startswith(q + ".")), None)
            if clash is not None:
                problems.append((where, f"{q!r} is also set by {owner[clash]} ({clash!r}); set each path once"))
                continue
            value = _value_at(dump, q.split("."))
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                problems.append((where, f"{q!r} holds {shown(value)}, not a number a design can vary"))
                continue
            if isinstance(value, int) and round(p.bounds[1] * (value if p.relative else 1)) == round(
                p.bounds[0] * (value if p.relative else 1)
            ):
                problems.append((f"parameters.{i}.bounds", f"{q!r} is a whole number; the bounds round to one value"))
            owner[q] = f"parameters.{i} ({p.name})"
            base_values[q] = value
    return base_values


def _check_bounds(
    spec: SensitivitySpec, raw: dict[str, Any], base_values: dict[str, Any], label: str, problems: list[tuple[str, str]]
) -> None:
    """The scenario validates with each parameter at each bound (the others at their base)."""
    for i, p in enumerate(spec.parameters):
        for end, x in zip(("low", "high"), p.bounds, strict=True):
            r = copy.deepcopy(raw)
            for q in p.paths:
                set_path(r, q.split("."), applied(base_values[q], x, p.relative))
            try:
                validate_scenario(r, label)
            except ScenarioError as exc:
                why = "; ".join(f"{f}: {m}" for f, m in exc.problems[:3])
                problems.append((f"parameters.{i}.bounds", f"the scenario is invalid at the {end} bound {x:g}: {why}"))
