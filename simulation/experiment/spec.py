"""An experiment's validated content: the file's spec, its cells, the resolved experiment and its fingerprint."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator

from simulation import metrics
from simulation.config import FrozenModel, Scenario, fingerprint

__all__ = ["DEFAULT_PRECISION_KPIS", "Cell", "Experiment", "ExperimentSpec", "PrecisionSpec", "Variant"]

DEFAULT_PRECISION_KPIS = ("wait_days_mean", "share_over_norm")
_NAME = r"^[A-Za-z0-9_.-]+$"


class _Frozen(FrozenModel):
    """Strict like a scenario: no unknown keys, finite numbers, no true/false as a number."""


class Variant(_Frozen):
    """A named set of parameter changes applied to every scenario of the experiment."""

    name: str = Field(default="baseline", pattern=_NAME)
    set: dict[str, Any] = Field(default_factory=dict)


class PrecisionSpec(_Frozen):
    """Add replications until the 95% CI half-width of ``kpis`` is within ``target`` x |mean|,
    at most ``max_replications`` and, with ``time_budget_seconds``, no further batch once the
    budget is spent (a batch is sized to fit the time left at the pace so far)."""

    target: float = Field(default=0.05, gt=0, lt=1)
    kpis: list[str] = Field(default_factory=lambda: list(DEFAULT_PRECISION_KPIS), min_length=1)
    max_replications: int = Field(default=100, ge=2, le=10_000)
    #: wall-clock seconds; None: no limit but max_replications (at most 30 days)
    time_budget_seconds: float | None = Field(default=None, gt=0, le=30 * 86_400)

    def fingerprint_content(self) -> dict[str, Any]:
        """What the experiment fingerprint hashes: without a time budget exactly what it hashed
        before the budget existed, so stored results keep their names."""
        return self.model_dump(
            mode="json", exclude={"time_budget_seconds"} if self.time_budget_seconds is None else None
        )

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
            "precision": precision.fingerprint_content() if precision else None,
            "engine": engine,
        }
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()
