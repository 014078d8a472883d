"""Scenario files: validated, frozen data.

A scenario is YAML. It may say ``extends: other.yaml``; the loader merges it over its base
(mappings merge key by key, everything else is replaced) and validates the result with the
pydantic models below. Unknown keys are errors, so a typo never silently does nothing.

File paths inside a scenario (keys ending in ``_file``) are relative to the YAML file that
names them. The fingerprint of a scenario hashes its canonical content and the bytes of the
files it names, never their paths, so it is the same on every machine.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "CareForm",
    "CostPrice",
    "Duration",
    "EarlyWarning",
    "Escalation",
    "Finance",
    "LandscapeGenerator",
    "PhaseOut",
    "ProviderFailure",
    "ProviderGroup",
    "Providers",
    "Regime",
    "Scenario",
    "ScenarioError",
    "Shrink",
    "Sourced",
    "Split",
    "Support",
    "TariffChange",
    "Transition",
    "Workforce",
    "fingerprint",
    "load_raw",
    "load_scenario",
    "yaml_load",
]

#: libyaml's parser when PyYAML was built with it (ten times faster), else the pure-Python one.
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def yaml_load(text: str) -> Any:
    """Parse YAML text like ``yaml.safe_load``."""
    return yaml.load(text, Loader=_YAML_LOADER)


class ScenarioError(ValueError):
    """A scenario that cannot be used; ``problems`` lists (field path, message) pairs."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        lines = [f"{source}: {len(problems)} problem(s)"]
        lines += [f"  - {field}: {message}" for field, message in problems]
        super().__init__("\n".join(lines))


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Provenance(_Frozen):
    """Every parameter says where it comes from: a source, or an explicit assumption."""

    source: str | None = None
    assumption: str | None = None

    @model_validator(mode="after")
    def _exactly_one_note(self) -> _Provenance:
        if bool(self.source) == bool(self.assumption):
            raise ValueError("give exactly one of 'source' (a citation) or 'assumption' (why this value)")
        return self


class Sourced(_Provenance):
    """A number with its provenance: ``{value: 1.2, source: "CBS ..."}``."""

    value: float

    @field_validator("value")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError("must be a finite number")
        return v


def _check_range(name: str, value: float, low: float, high: float, *, low_open: bool = False) -> None:
    bad = value < low or value > high or (low_open and value == low)
    if bad:
        bracket = "(" if low_open else "["
        raise ValueError(f"{name} {value} is out of range; allowed {bracket}{low}, {high}]")


class Duration(_Provenance):
    """Treatment duration in days, drawn per child at referral.

    ``exponential`` needs ``mean_days``; ``lognormal`` and ``gamma`` need ``mean_days`` and the
    coefficient of variation ``cv``; ``deterministic`` uses ``mean_days`` exactly.
    """

    dist: Literal["exponential", "lognormal", "gamma", "deterministic"]
    mean_days: float
    cv: float | None = None

    @model_validator(mode="after")
    def _shape(self) -> Duration:
        _check_range("mean_days", self.mean_days, 0.0, 36_500.0, low_open=True)
        if self.dist in ("lognormal", "gamma"):
            if self.cv is None:
                raise ValueError(f"{self.dist} needs 'cv' (coefficient of variation, in (0, 10])")
            _check_range("cv", self.cv, 0.0, 10.0, low_open=True)
        elif self.cv is not None:
            raise ValueError(f"'cv' is not used by {self.dist}; remove it")
        return self


class Escalation(_Provenance):
    """A child still waiting after ``after_days`` moves to care form ``to`` with ``probability``."""

    after_days: float
    probability: float
    to: str

    @model_validator(mode="after")
    def _ranges(self) -> Escalation:
        _check_range("after_days", self.after_days, 0.0, 3650.0, low_open=True)
        _check_range("probability", self.probability, 0.0, 1.0)
        return self


class CostPrice(_Frozen):
    """Cost-price elements of a care form, after the reasonable-tariff rules (Stb 2024, 69).

    ``staff_per_place`` is care time (FTE) per occupied place: the inverse of the caseload norm for
    jeugdbescherming and jeugdreclassering. A professional is productive ``1 - non_productive_share``
    of paid time and spends a regime-dependent share of that on administration.
    """

    staff_per_place: Sourced
    salary_eur_per_fte_year: Sourced
    non_productive_share: Sourced
    overhead_share: Sourced
    housing_eur_per_place_year: Sourced
    variable_eur_per_day: Sourced
    annual_staff_turnover: Sourced

    @model_validator(mode="after")
    def _ranges(self) -> CostPrice:
        _check_range("staff_per_place.value", self.staff_per_place.value, 0.0, 20.0, low_open=True)
        _check_range("salary_eur_per_fte_year.value", self.salary_eur_per_fte_year.value, 0.0, 1e6)
        _check_range("non_productive_share.value", self.non_productive_share.value, 0.0, 0.9)
        _check_range("overhead_share.value", self.overhead_share.value, 0.0, 2.0)
        _check_range("housing_eur_per_place_year.value", self.housing_eur_per_place_year.value, 0.0, 1e6)
        _check_range("variable_eur_per_day.value", self.variable_eur_per_day.value, 0.0, 1e5)
        _check_range("annual_staff_turnover.value", self.annual_staff_turnover.value, 0.0, 5.0)
        return self


class CareForm(_Frozen):
    """A zorgvorm: who is referred to it, for how long, at which price, norm and cost price."""

    name: str = Field(min_length=1)
    level: Literal["regional", "bovenregionaal", "landelijk"]
    residential: bool
    referral_rate_per_1000: Sourced
    duration: Duration
    tariff_eur_per_day: Sourced
    wait_norm_days: Sourced
    escalation: Escalation | None = None
    cost_price: CostPrice

    @model_validator(mode="after")
    def _ranges(self) -> CareForm:
        _check_range("referral_rate_per_1000.value", self.referral_rate_per_1000.value, 0.0, 1000.0)
        _check_range("tariff_eur_per_day.value", self.tariff_eur_per_day.value, 0.0, 100_000.0)
        _check_range("wait_norm_days.value", self.wait_norm_days.value, 0.0, 3650.0, low_open=True)
        return self


class ProviderGroup(_Frozen):
    """A kind of organisation in the generated landscape, offering one or more care forms."""

    name: str
    forms: list[str] = Field(min_length=1)
    count: int = Field(ge=1, le=100_000)
    spread: Literal["per_region", "weighted"] = "weighted"
    target_utilisation: Sourced
    size_sigma: Sourced
    cost_factor: tuple[float, float] = Field(
        description="uniform range of a provider's cost level relative to the care form's cost price"
    )
    reserve_months: tuple[float, float]
    assumption: str = Field(min_length=1)

    @model_validator(mode="after")
    def _ranges(self) -> ProviderGroup:
        _check_range("target_utilisation.value", self.target_utilisation.value, 0.0, 1.0, low_open=True)
        _check_range("size_sigma.value", self.size_sigma.value, 0.0, 3.0)
        lo, hi = self.cost_factor
        if not 0.0 < lo <= hi <= 5.0:
            raise ValueError(f"cost_factor ({lo}, {hi}) must satisfy 0 < low <= high <= 5")
        rlo, rhi = self.reserve_months
        if not 0.0 <= rlo <= rhi <= 120.0:
            raise ValueError(f"reserve_months ({rlo}, {rhi}) must satisfy 0 <= low <= high <= 120")
        return self


class LandscapeGenerator(_Frozen):
    """Documented distributions from which the default provider landscape is drawn."""

    seed: int = Field(ge=0)
    groups: list[ProviderGroup] = Field(min_length=1)


class Providers(_Frozen):
    """The provider landscape: two CSV files a user can read and replace.

    ``file`` has one row per provider (location, reserves); ``places_file`` one row per provider
    and care form (places, fixed cost per month, variable cost per occupied day).
    """

    file: str
    places_file: str
    generator: LandscapeGenerator | None = None


class Split(_Frozen):
    """The rule that splits jeugdregio's into sub-regional contracting units (fragmented regime).

    A region is cut into ``ceil(youth / target_youth_per_unit)`` units (at most one per
    gemeente) by recursive bisection along its longer geographic axis, balancing youth.
    ``units_file`` replaces the rule with an explicit gemeente -> unit table.
    """

    target_youth_per_unit: float = Field(default=40_000, gt=0)
    units_file: str | None = None


class Regime(_Frozen):
    """How care is bought: which units exist, which forms they buy, on which terms."""

    kind: Literal["fragmented", "regional", "national"]
    national_forms: list[str] = Field(default_factory=list)
    pooled_forms: list[str] = Field(default_factory=list)
    regional_forms: list[str] = Field(default_factory=list)
    split: Split = Field(default_factory=Split)
    min_providers_per_contract: int = Field(default=2, ge=1, le=1000)
    tariff_spread: float = Field(default=0.0, ge=0.0, lt=1.0)
    note: str = ""


class Shrink(_Frozen):
    """A provider that loses money on a care form for ``after_months`` months cuts its places by ``step``."""

    after_months: int = Field(ge=1, le=120)
    step: float = Field(gt=0.0, le=1.0)
    assumption: str = Field(min_length=1)


class Support(_Frozen):
    """Liquidity support to crucial providers that would otherwise give notice (continuity intervention).

    A provider is crucial when it holds at least ``crucial_share`` of the places of a care form in its
    jeugdregio. Support restores its reserves to ``restore_months`` of costs, while the budget lasts.
    """

    budget_eur: float = Field(ge=0.0, le=1e12)
    crucial_share: float = Field(gt=0.0, le=1.0)
    restore_months: float = Field(default=1.0, ge=0.0, le=60.0)
    assumption: str = Field(min_length=1)


class Workforce(_Frozen):
    """Staff dynamics (monthly, expected values): turnover, hiring with a delay, vacancies."""

    hiring_delay_months: int = Field(ge=0, le=24)
    vacancy_fill_per_month: Sourced
    deficit_hiring_factor: Sourced
    workload_turnover_elasticity: Sourced
    initial_staffing: float | Literal["equilibrium"] = Field(
        default="equilibrium",
        description="staff at the start as a share of the target, or the steady state of turnover and hiring",
    )
    turnover_factor: float = Field(default=1.0, ge=0.0, le=10.0, description="multiplies every form's turnover")

    @model_validator(mode="after")
    def _ranges(self) -> Workforce:
        if isinstance(self.initial_staffing, float):
            _check_range("initial_staffing", self.initial_staffing, 0.0, 2.0, low_open=True)
        _check_range("vacancy_fill_per_month.value", self.vacancy_fill_per_month.value, 0.0, 1.0)
        _check_range("deficit_hiring_factor.value", self.deficit_hiring_factor.value, 0.0, 1.0)
        _check_range("workload_turnover_elasticity.value", self.workload_turnover_elasticity.value, 0.0, 20.0)
        return self


class EarlyWarning(_Frozen):
    """NZa vroegsignalering: thresholds on what the regulator can see, and when it sees it.

    ``annual`` reporting shows each calendar year's accounts ``lag_months`` after the year ends;
    ``quarterly`` or ``monthly`` (the law's more frequent, transparent reporting) shows each period
    ``lag_months`` after it ends.
    """

    reporting: Literal["annual", "quarterly", "monthly"] = "annual"
    lag_months: int = Field(default=6, ge=0, le=24)
    solvency_min: float = Field(default=0.10, ge=-10, le=10, description="reserves / revenue of the period, annualised")
    margin_min: float = Field(default=-0.02, ge=-10, le=10)
    occupancy_min: float = Field(default=0.70, ge=0, le=2)
    turnover_max: float = Field(default=0.30, ge=0, le=10, description="annualised share of staff leaving")


class ProviderFailure(_Frozen):
    """A shock: a provider leaves at ``date`` without notice (``which``: ``largest`` in ``region``, or an id)."""

    date: dt.date
    which: str = "largest"
    region: str | None = None
    note: str = ""


class TariffChange(_Frozen):
    """From ``date`` on, contract tariffs of ``care_forms`` (all when omitted) are multiplied by ``factor``."""

    date: dt.date
    factor: float = Field(gt=0.0, le=10.0)
    care_forms: list[str] | None = None
    note: str = ""


class PhaseOut(_Frozen):
    """A care form phased down linearly between ``start`` and ``end``: places fall to zero and a rising
    share of its referrals (drawn per child at referral) goes to ``divert_to`` instead."""

    care_form: str
    start: dt.date
    end: dt.date
    divert_to: str
    note: str = ""

    @model_validator(mode="after")
    def _order(self) -> PhaseOut:
        if self.end <= self.start:
            raise ValueError(f"end {self.end} must be after start {self.start}")
        return self


class Finance(_Frozen):
    """Administration and continuity rules.

    A provider's administration costs a share of its fixed (staff and housing) costs that grows
    with the contracts it holds and the distinct sets of contract terms it serves, capped at
    ``provider_admin_share_max``. Contracting units pay a fixed amount per unit and per contract.
    """

    provider_admin_share_per_contract: Sourced
    provider_admin_share_per_term_set: Sourced
    provider_admin_share_max: Sourced
    municipal_admin_eur_per_contract_month: Sourced
    municipal_admin_eur_per_unit_month: Sourced
    months_negative_before_notice: int = Field(ge=1, le=120)
    notice_months: int = Field(ge=0, le=60)
    continuity_solvency_threshold: float = Field(
        default=0.0, ge=-10.0, le=10.0, description="reserves / annual revenue below which a month counts as bad"
    )
    cost_indexation_per_year: Sourced | None = None
    tariff_indexation_per_year: Sourced | None = None
    budget_ceiling_factor: Sourced | None = None
    shrink: Shrink | None = None
    support: Support | None = None

    @model_validator(mode="after")
    def _ranges(self) -> Finance:
        for name in ("cost_indexation_per_year", "tariff_indexation_per_year"):
            value = getattr(self, name)
            if value is not None:
                _check_range(f"{name}.value", value.value, -0.5, 0.5)
        if self.budget_ceiling_factor is not None:
            _check_range("budget_ceiling_factor.value", self.budget_ceiling_factor.value, 0.0, 100.0, low_open=True)
        for name in (
            "provider_admin_share_per_contract",
            "provider_admin_share_per_term_set",
            "provider_admin_share_max",
        ):
            _check_range(f"{name}.value", getattr(self, name).value, 0.0, 1.0)
        for name in ("municipal_admin_eur_per_contract_month", "municipal_admin_eur_per_unit_month"):
            _check_range(f"{name}.value", getattr(self, name).value, 0.0, 1e9)
        return self


class Transition(_Frozen):
    """The switch from ``from_regime`` (fragmented) to the scenario's regime as old contracts expire.

    Each old unit's contracts end at a time drawn uniformly within ``old_contract_years`` of ``start``.
    A region's joint procurement takes ``base_procurement_months + months_per_gemeente x gemeenten``
    (more gemeenten must agree, so it takes longer); the new contract starts ``lead_months`` after
    signing (at least 3), ``long_lead_months`` (at least 6) for ``long_lead_forms``. A gemeente's
    care form moves to the new unit when both its old contract has ended and the new one has started:
    its waiting children move to the new list with their waiting time; children in care stay put.
    """

    from_regime: Regime
    start: dt.date
    old_contract_years: float = Field(gt=0.0, le=10.0)
    base_procurement_months: float = Field(ge=0.0, le=60.0)
    months_per_gemeente: float = Field(ge=0.0, le=12.0)
    lead_months: int = Field(default=3, ge=3, le=24)
    long_lead_months: int = Field(default=6, ge=6, le=36)
    long_lead_forms: list[str] = Field(default_factory=list)
    assumption: str = Field(min_length=1)


class Demand(_Frozen):
    """Which youth count drives referrals, and its trend."""

    youth_column: Literal["jeugd_0_17", "jeugd_0_22"] = "jeugd_0_17"
    growth_per_year: float = Field(default=0.0, ge=-0.5, le=1.0)


class Scenario(_Frozen):
    """One fully resolved scenario. Build it with :func:`load_scenario`."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    start_date: dt.date = dt.date(2026, 1, 1)
    years: float = Field(default=1.0, gt=0, le=50)
    warmup_days: float = Field(default=0.0, ge=0, le=36_500)
    seed: int = Field(default=2026, ge=0, lt=2**63)
    replications: int = Field(default=10, ge=1, le=10_000)
    initial_stock: bool = True
    gemeenten_file: str
    regions: list[str] | None = None
    only_care_forms: list[str] | None = None
    demand: Demand = Field(default_factory=Demand)
    care_forms: dict[str, CareForm] = Field(min_length=1)
    providers: Providers
    regime: Regime
    finance: Finance
    workforce: Workforce
    early_warning: EarlyWarning = Field(default_factory=EarlyWarning)
    shocks: list[ProviderFailure] = Field(default_factory=list)
    tariff_changes: list[TariffChange] = Field(default_factory=list)
    phase_out: list[PhaseOut] = Field(default_factory=list)
    transition: Transition | None = None

    @field_validator("care_forms")
    @classmethod
    def _keys(cls, forms: dict[str, CareForm]) -> dict[str, CareForm]:
        for key in forms:
            if not key.replace("_", "").isalnum() or not key.islower():
                raise ValueError(f"care form key {key!r} must be lower_snake_case")
        return forms

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        forms = set(self.care_forms)
        problems = []
        for key, form in self.care_forms.items():
            if form.escalation and form.escalation.to not in forms:
                problems.append(f"care_forms.{key}.escalation.to: unknown care form {form.escalation.to!r}")
            if form.escalation and form.escalation.to == key:
                problems.append(f"care_forms.{key}.escalation.to: a form cannot escalate to itself")
        for field in ("national_forms", "pooled_forms", "regional_forms"):
            for key in getattr(self.regime, field):
                if key not in forms:
                    problems.append(f"regime.{field}: unknown care form {key!r}; known: {sorted(forms)}")
        for i, change in enumerate(self.tariff_changes):
            for key in change.care_forms or []:
                if key not in forms:
                    problems.append(f"tariff_changes.{i}.care_forms: unknown care form {key!r}")
        for i, po in enumerate(self.phase_out):
            for field in ("care_form", "divert_to"):
                if getattr(po, field) not in forms:
                    problems.append(f"phase_out.{i}.{field}: unknown care form {getattr(po, field)!r}")
            if po.care_form == po.divert_to:
                problems.append(f"phase_out.{i}.divert_to: must differ from care_form")
        if self.transition is not None:
            if self.transition.from_regime.kind != "fragmented":
                problems.append("transition.from_regime.kind: a transition starts from the fragmented regime")
            if self.regime.kind == "fragmented":
                problems.append("transition: the scenario's own regime must be regional or national")
            for key in self.transition.long_lead_forms:
                if key not in forms:
                    problems.append(f"transition.long_lead_forms: unknown care form {key!r}")
        for key in self.only_care_forms or []:
            if key not in forms:
                problems.append(f"only_care_forms: unknown care form {key!r}")
        if self.providers.generator:
            for g, group in enumerate(self.providers.generator.groups):
                for key in group.forms:
                    if key not in forms:
                        problems.append(f"providers.generator.groups.{g}.forms: unknown care form {key!r}")
        kind = self.regime.kind
        if self.regime.pooled_forms and kind == "fragmented":
            problems.append(
                "regime.pooled_forms: bovenregionale afstemming needs regional units; use [] for fragmented"
            )
        if not self.regime.national_forms and kind == "national":
            problems.append("regime.national_forms: the national regime needs at least one care form bought nationally")
        if self.regime.regional_forms and kind != "fragmented":
            problems.append("regime.regional_forms: only the fragmented regime buys some forms per region; use []")
        if self.warmup_days >= self.years * 365:
            problems.append(
                f"warmup_days: {self.warmup_days} must be shorter than the horizon ({self.years * 365} days)"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def horizon_days(self) -> float:
        return self.years * 365.0

    def active_care_forms(self) -> dict[str, CareForm]:
        """Care forms in play, after ``only_care_forms``; escalation targets are kept."""
        if self.only_care_forms is None:
            return dict(self.care_forms)
        keep = set(self.only_care_forms)
        return {k: v for k, v in self.care_forms.items() if k in keep}


# --------------------------------------------------------------------------------------------
# Loading


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _resolve_paths(node: Any, folder: Path) -> Any:
    if isinstance(node, dict):
        return {
            k: str((folder / v).resolve())
            if (k.endswith("_file") or k == "file") and isinstance(v, str)
            else _resolve_paths(v, folder)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_resolve_paths(v, folder) for v in node]
    return node


def load_raw(path: str | Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a scenario YAML, follow ``extends`` and return the merged mapping (unvalidated)."""
    path = Path(path).resolve()
    label = str(path)
    if path in _seen:
        raise ScenarioError(label, [("extends", "circular extends: " + " -> ".join(map(str, (*_seen, path))))])
    if not path.is_file():
        raise ScenarioError(label, [("file", "no such file")])
    try:
        data = yaml_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        raise ScenarioError(label, [("yaml", f"not valid YAML at {where}: {getattr(exc, 'problem', exc)}")]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(label, [("file", f"must be a mapping of keys to values, not {type(data).__name__}")])
    data = _resolve_paths(data, path.parent)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(label, [("extends", "must be a file name")])
    base = load_raw(path.parent / parent, (*_seen, path))
    return _deep_merge(base, data)


def _format_loc(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def validate_scenario(raw: Mapping[str, Any], label: str = "scenario", check_files: bool = True) -> Scenario:
    """Validate a merged mapping; raise :class:`ScenarioError` naming every bad field."""
    from pydantic import ValidationError

    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = _format_loc(err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = f"unknown key (value {err.get('input')!r}); check the spelling"
            elif "input" in err and err["type"] not in ("missing",):
                shown = err["input"]
                if not isinstance(shown, dict | list):
                    msg = f"{msg} (got {shown!r})"
            problems.append((loc, msg))
        raise ScenarioError(label, problems) from None
    missing = [
        (field, f"file not found: {p}")
        for field, p in _files(scenario)
        if check_files and p is not None and not Path(p).is_file()
    ]
    if missing:
        raise ScenarioError(label, missing)
    return scenario


def _files(s: Scenario) -> list[tuple[str, str | None]]:
    return [
        ("gemeenten_file", s.gemeenten_file),
        ("providers.file", s.providers.file),
        ("providers.places_file", s.providers.places_file),
        ("regime.split.units_file", s.regime.split.units_file),
    ]


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None, check_files: bool = True) -> Scenario:
    """Load, merge, override and validate one scenario file."""
    raw = load_raw(path)
    if overrides:
        raw = _deep_merge(raw, overrides)
    return validate_scenario(raw, str(path), check_files=check_files)


def fingerprint(scenario: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON with each named file replaced by its hash."""
    data = scenario.model_dump(mode="json")
    files = dict(_files(scenario))

    def digest(p: str | None) -> str | None:
        return None if p is None else hashlib.sha256(Path(p).read_bytes()).hexdigest()

    data["gemeenten_file"] = digest(files["gemeenten_file"])
    data["providers"]["file"] = digest(files["providers.file"])
    data["providers"]["places_file"] = digest(files["providers.places_file"])
    data["regime"]["split"]["units_file"] = digest(files["regime.split.units_file"])
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
