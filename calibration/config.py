"""The calibration config: what to fit, to which targets, how; validated before anything runs.

A config is a YAML file (``calibration/configs/*.yaml``)::

    name: flevoland-ci
    scenario: ../../scenarios/history/flevoland-gefragmenteerd-2019.yaml   # relative to this file
    replications: 3          # k: every trial runs on the same k replications (common random numbers)
    seed: 2026               # the replications' seed and the sampler's; never a fitted parameter
    trials: 12
    sampler: tpe             # or cmaes
    fresh_replications: 5    # the fit checked afterwards on replications of other seeds
    parameters:
      - path: care_forms.pleegzorg.referral_rate_per_1000.value   # a --set path, set to the value
        low: 0.8
        high: 1.6
      - name: duration_scale
        paths: [care_forms.*.duration.mean_days]                  # every form's
        scale: multiply                                            # base value x the fitted factor
        low: 0.8
        high: 1.25
    targets:
      - indicator: jeugdhulptrajecten_begonnen_pleegzorg
        periods: ["2019", "2020"]      # default: every period the run covers
    trend_break: {mode: level_shift, low: 0.0, high: 0.2}

Paths are checked against the scenario (:func:`check_against`), so an unknown path, a target
not in the data or one the scenario's forms cannot count is reported with its field before a
run starts (exit 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from simulation.config import FrozenModel, ScenarioError, pydantic_problems, read_yaml

__all__ = ["CalibrationConfig", "Parameter", "TargetSelection", "TrendBreak", "load_config"]


class Parameter(FrozenModel):
    """One fitted parameter: a value set at one path, or a factor on the base values at paths."""

    name: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.*-]+$", max_length=120)
    path: str | None = Field(default=None, min_length=1, max_length=300)
    paths: list[str] | None = Field(default=None, min_length=1)
    scale: Literal["set", "multiply"] = "set"
    low: float
    high: float
    log: bool = False
    source: str = Field(default="", max_length=2000, description="why these bounds (a figure, a range in a source)")

    @model_validator(mode="after")
    def _check(self) -> Parameter:
        if (self.path is None) == (self.paths is None):
            raise ValueError("path: give either path (one) or paths (a list), not both or neither")
        if self.paths is not None and self.scale != "multiply":
            raise ValueError("scale: several paths take one factor: use scale: multiply")
        if self.paths is not None and self.name is None:
            raise ValueError("name: a parameter over several paths needs a name")
        if not self.low < self.high:
            raise ValueError(f"low: the bounds must satisfy low < high (got low {self.low:g}, high {self.high:g})")
        if self.log and self.low <= 0:
            raise ValueError(f"low: a log-scale parameter needs low > 0 (got {self.low:g})")
        return self

    @property
    def label(self) -> str:
        return self.name or str(self.path)

    @property
    def targets(self) -> list[str]:
        return list(self.paths) if self.paths is not None else [str(self.path)]


class TargetSelection(FrozenModel):
    """CBS targets of one indicator (calibration/targets.py ``model_targets``)."""

    indicator: str = Field(min_length=1)
    periods: list[str] | None = Field(default=None, min_length=1, description="default: every period in the run")
    age_range: str | None = None
    weight: float = Field(default=1.0, gt=0, le=100, description="a factor on the data-quality weight, in (0, 100]")


class TrendBreak(FrozenModel):
    """How the 2021 break in CBS's jeugdhulp reporting is handled: ``level_shift`` compares the
    flagged targets with the model's value x (1 + shift), the shift fitted within [low, high]
    (in closed form per trial, calibration/objective.py); ``drop`` leaves them out."""

    mode: Literal["level_shift", "drop"] = "level_shift"
    low: float = Field(default=0.0, ge=-0.5, le=1.0)
    high: float = Field(default=0.25, ge=-0.5, le=1.0)

    @model_validator(mode="after")
    def _bounds(self) -> TrendBreak:
        if not self.low <= self.high:
            raise ValueError(f"low: the bounds must satisfy low <= high (got {self.low:g}, {self.high:g})")
        return self


class CalibrationConfig(FrozenModel):
    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = Field(default="", max_length=10_000)
    scenario: str = Field(min_length=1, description="the scenario to fit, relative to the config file")
    years: float | None = Field(default=None, gt=0, le=50, description="default: the scenario's")
    replications: int = Field(default=3, ge=1, le=1000, description="k, in [1, 1000]")
    seed: int = Field(default=2026, ge=0, lt=2**63)
    trials: int = Field(default=20, ge=1, le=100_000, description="in [1, 100000]")
    sampler: Literal["tpe", "cmaes"] = "tpe"
    startup_trials: int = Field(default=8, ge=1, le=10_000, description="TPE's random trials before it models")
    fresh_replications: int = Field(default=5, ge=0, le=1000, description="the check on fresh seeds; 0: none")
    parameters: list[Parameter] = Field(min_length=1, max_length=50)
    targets: list[TargetSelection] = Field(min_length=1)
    trend_break: TrendBreak = Field(default_factory=TrendBreak)
    holdout_from: int | None = Field(
        default=None, ge=2000, le=2100, description="validate-history: fit before this year, predict from it"
    )

    @field_validator("parameters")
    @classmethod
    def _unique(cls, params: list[Parameter]) -> list[Parameter]:
        labels = [p.label for p in params]
        dupes = sorted({x for x in labels if labels.count(x) > 1})
        if dupes:
            raise ValueError(f"parameters named twice: {dupes}")
        return params

    @property
    def fresh_seed(self) -> int:
        """The seed of the check on fresh replications: another stream family than the fit's."""
        return (self.seed + 1_000_003) % 2**63


def load_config(path: str | Path) -> tuple[CalibrationConfig, Path]:
    """The validated config and the scenario file it names (resolved against the config's folder)."""
    path = Path(path)
    label = str(path)
    if not path.is_file():
        raise ScenarioError(label, [("CONFIG", "no such file")])
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ScenarioError(label, [("(top level)", "a calibration config is a mapping of keys")])
    try:
        config = CalibrationConfig.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(label, pydantic_problems(exc)) from None
    scenario = (path.parent / config.scenario).resolve()
    if not scenario.is_file():
        raise ScenarioError(label, [("scenario", f"no such file: {scenario}")])
    return config, scenario
