"""The scenario: the whole of one validated run description, and its schedule of events."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from simulation.config.base import Date, FrozenModel
from simulation.config.capacity import Capacity
from simulation.config.care_forms import CareForm
from simulation.config.finance import EarlyWarning, Finance
from simulation.config.market import Providers, Regime, Transition
from simulation.config.workforce import Workforce

__all__ = [
    "MAX_DEMAND_FACTOR",
    "MAX_REPLICATION_YEARS",
    "Demand",
    "PhaseOut",
    "ProviderFailure",
    "Scenario",
    "TariffChange",
]

#: The largest growth of referrals over a run, ``(1 + growth_per_year) ** years``.
MAX_DEMAND_FACTOR = 10.0
#: The largest amount of simulated time in one run, ``years x replications``.
MAX_REPLICATION_YEARS = 20_000.0


class ProviderFailure(FrozenModel):
    """A shock: a provider leaves at ``date`` without notice (``which``: ``largest`` in ``region``, or an id)."""

    date: Date
    which: str = Field(
        default="largest",
        min_length=1,
        description="'largest' (by places, in region if given) or a provider_id of providers.file; "
        "an unknown id is an error when the world is built",
    )
    region: str | None = Field(
        default=None,
        min_length=1,
        description="a jeugdregio code of the scenario's area (checked when the world is built)",
    )
    note: str = ""


class TariffChange(FrozenModel):
    """From ``date`` on, contract tariffs of ``care_forms`` (all when omitted) are multiplied by ``factor``."""

    date: Date
    factor: float = Field(gt=0.0, le=10.0)
    care_forms: list[str] | None = Field(default=None, min_length=1, description="omit for every care form")
    note: str = ""


class PhaseOut(FrozenModel):
    """A care form phased down linearly between ``start`` and ``end``: places fall to zero and a rising
    share of its referrals (drawn per child at referral) goes to ``divert_to`` instead."""

    care_form: str
    start: Date
    end: Date
    divert_to: str
    note: str = ""

    @model_validator(mode="after")
    def _order(self) -> PhaseOut:
        if self.end <= self.start:
            raise ValueError(f"end {self.end} must be after start {self.start}")
        return self


class Demand(FrozenModel):
    """Which youth count drives referrals, and its trend."""

    youth_column: Literal["jeugd_0_17", "jeugd_0_22"] = "jeugd_0_17"
    growth_per_year: float = Field(
        default=0.0,
        ge=-0.5,
        le=1.0,
        description=f"yearly growth of referral rates, in [-0.5, 1]; (1 + growth) ** years at most "
        f"{MAX_DEMAND_FACTOR:g}",
    )
    regional_factors_file: str | None = Field(
        default=None,
        description="CSV of referral factors per gemeente and care form (gemeentecode, zorgvorm, factor); "
        "a gemeente's rate of a form is the form's rate x its factor; none: one rate everywhere",
    )


class Scenario(FrozenModel):
    """One fully resolved scenario. Build it with :func:`load_scenario`."""

    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = Field(default="", max_length=10_000)
    start_date: Date = Field(default=dt.date(2026, 1, 1), description="first day, in [2000-01-01, 2100-12-31]")
    years: float = Field(default=1.0, gt=0, le=50, description="simulated years, in (0, 50]")
    warmup_days: float = Field(default=0.0, ge=0, le=36_500, description="days left out of statistics; < the horizon")
    seed: int = Field(default=2026, ge=0, lt=2**63)
    replications: int = Field(
        default=10,
        ge=1,
        le=10_000,
        description=f"in [1, 10000]; years x replications at most {MAX_REPLICATION_YEARS:g}",
    )
    initial_stock: bool = True
    gemeenten_file: str
    adjacency_file: str | None = Field(
        default=None, description="CSV of neighbouring jeugdregio's (jeugdregio_code_a, _b); none: no neighbours"
    )
    regions: list[str] | None = Field(default=None, min_length=1)
    only_care_forms: list[str] | None = Field(default=None, min_length=1, description="omit for all care forms")
    demand: Demand = Field(default_factory=Demand)
    care_forms: dict[str, CareForm] = Field(min_length=1)
    providers: Providers
    regime: Regime
    finance: Finance
    workforce: Workforce
    capacity: Capacity = Field(default_factory=Capacity)
    early_warning: EarlyWarning = Field(default_factory=EarlyWarning)
    shocks: list[ProviderFailure] = Field(default_factory=list)
    tariff_changes: list[TariffChange] = Field(default_factory=list)
    phase_out: list[PhaseOut] = Field(default_factory=list)
    transition: Transition | None = None

    @model_validator(mode="before")
    @classmethod
    def _national_forms_from_levels(cls, data: Any) -> Any:
        """A regime that does not list ``national_forms`` buys the forms of level landelijk
        nationally (the LTA): the level says it, the list need not repeat it."""
        if not isinstance(data, dict) or not isinstance(data.get("care_forms"), dict):
            return data
        landelijk = [k for k, f in data["care_forms"].items() if isinstance(f, dict) and f.get("level") == "landelijk"]
        data = dict(data)
        regime = data.get("regime")
        if isinstance(regime, dict) and "national_forms" not in regime:
            data["regime"] = {**regime, "national_forms": landelijk}
        transition = data.get("transition")
        if isinstance(transition, dict) and isinstance(transition.get("from_regime"), dict):
            origin = transition["from_regime"]
            if "national_forms" not in origin:
                data["transition"] = {**transition, "from_regime": {**origin, "national_forms": landelijk}}
        return data

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
        for name, rule in (("expansion", self.capacity.expansion), ("entry", self.capacity.entry)):
            for key in rule.care_forms or [] if rule is not None else []:
                if key not in forms:
                    problems.append(f"capacity.{name}.care_forms: unknown care form {key!r}")
                elif self.care_forms[key].observed_wait_days is None and not (
                    name == "expansion" and getattr(rule, "occupancy_factor", None) is not None
                ):
                    why = "has no observed_wait_days to judge its waits by (nor expansion an occupancy_factor)"
                    problems.append(f"capacity.{name}.care_forms: {key!r} {why}")
        if self.providers.generator:
            for g, group in enumerate(self.providers.generator.groups):
                for key in group.forms:
                    if key not in forms:
                        problems.append(f"providers.generator.groups.{g}.forms: unknown care form {key!r}")
        for key, form in self.care_forms.items():
            if form.cost_price.staff_per_place is not None:
                continue
            if self.finance.admin is None:
                problems.append(
                    f"care_forms.{key}.cost_price.staff_per_place: left out, it is implied by the tariff at "
                    "finance.admin.reference_share; give finance.admin or a staff_per_place"
                )
            elif form.cost_price.break_even_occupancy is None and self.finance.break_even_occupancy is None:
                problems.append(
                    f"care_forms.{key}.cost_price.break_even_occupancy: needed (or finance.break_even_occupancy) "
                    "to imply staff_per_place from the tariff"
                )
            elif self.staff_per_place(key) <= 0:
                problems.append(
                    f"care_forms.{key}.cost_price: the tariff does not cover housing and variable costs at the "
                    "break-even occupancy, so it implies no staff; give staff_per_place or a higher tariff"
                )
        kind = self.regime.kind
        if self.regime.regional_mechanisms and kind != "fragmented":
            problems.append("regime.regional_mechanisms: only a fragmented regime borrows regional mechanisms; use []")
        if self.transition is not None and self.transition.from_regime.regional_mechanisms:
            problems.append("transition.from_regime.regional_mechanisms: a transition starts from [] (fragmented)")
        if not self.regime.national_forms and kind == "national":
            problems.append("regime.national_forms: the national regime needs at least one care form bought nationally")
        if self.regime.regional_forms and kind != "fragmented":
            problems.append("regime.regional_forms: only the fragmented regime buys some forms per region; use []")
        problems += self._levels_agree()
        growth = (1.0 + self.demand.growth_per_year) ** self.years
        if growth > MAX_DEMAND_FACTOR:
            problems.append(
                f"demand.growth_per_year: {self.demand.growth_per_year} over {self.years} years multiplies referrals "
                f"by {growth:.3g}; at most {MAX_DEMAND_FACTOR:g} is allowed"
            )
        if self.years * self.replications > MAX_REPLICATION_YEARS:
            problems.append(
                f"replications: {self.replications} replications x {self.years} years is too large a run; "
                f"years x replications must be at most {MAX_REPLICATION_YEARS:g}"
            )
        if self.warmup_days >= self.years * 365:
            problems.append(
                f"warmup_days: {self.warmup_days} must be shorter than the horizon ({self.years * 365} days)"
            )
        if problems:
            raise ValueError("\n".join(problems))  # one "field: message" a line (errors.pydantic_problems)
        return self

    def _levels_agree(self) -> list[str]:
        """A care form's level is the fact; the regime's lists must not contradict it."""
        levels = {k: f.level for k, f in self.care_forms.items()}
        problems = []
        regimes = [("regime", self.regime)]
        if self.transition is not None:
            regimes.append(("transition.from_regime", self.transition.from_regime))
        for path, regime in regimes:
            missing = sorted(
                k for k, level in levels.items() if level == "landelijk" and k not in regime.national_forms
            )
            if missing:
                problems.append(
                    f"{path}.national_forms: forms of level landelijk are bought nationally (LTA) under every "
                    f"regime; missing {missing}"
                )
            for k in regime.national_forms:
                if levels.get(k) == "regional":
                    problems.append(
                        f"{path}.national_forms: {k!r} has level regional; only landelijk and bovenregionaal "
                        "forms are bought nationally"
                    )
            for k in regime.pooled_forms:
                if k in levels and levels[k] != "bovenregionaal":
                    problems.append(
                        f"{path}.pooled_forms: {k!r} has level {levels[k]}; bovenregionale afstemming is for "
                        "forms of level bovenregionaal"
                    )
            for k in regime.regional_forms:
                if levels.get(k) == "landelijk":
                    problems.append(f"{path}.regional_forms: {k!r} has level landelijk; it is bought nationally")
        return problems

    def staff_per_place(self, key: str) -> float:
        """Care FTE per occupied place of care form ``key``: given, or implied by its tariff.

        The reasonable-price rule (AMvB reele prijzen, Stb 2024, 69: professionals' client and
        non-client time, client costs, overhead) read backwards: at occupancy ``b`` the tariff
        pays for ``((tariff - variable) x b x 365 / (1 + overhead) - housing) / salary`` paid FTE
        per place, of which ``(1 - non_productive) x (1 - reference admin share)`` is care time.
        """
        form = self.care_forms[key]
        cp = form.cost_price
        if cp.staff_per_place is not None:
            return cp.staff_per_place.value
        admin = self.finance.admin
        occupancy = cp.break_even_occupancy or self.finance.break_even_occupancy
        if admin is None or occupancy is None:
            raise ValueError(f"care_forms.{key}.cost_price.staff_per_place cannot be implied (see the docstring)")
        margin_per_place = (form.tariff_eur_per_day.value - cp.variable_eur_per_day.value) * occupancy.value * 365.0
        paid_fte = (margin_per_place / (1.0 + cp.overhead_share.value) - cp.housing_eur_per_place_year.value) / (
            cp.salary_eur_per_fte_year.value
        )
        return paid_fte * (1.0 - cp.non_productive_share.value) * (1.0 - admin.reference_share.value)

    @property
    def horizon_days(self) -> float:
        return self.years * 365.0

    def events_outside_the_run(self) -> list[str]:
        """Dated events that do not happen in this run because they fall before its start or on
        or after its horizon (a stress scenario run with fewer ``years`` than it was written for)."""
        period = f"{self.horizon_days:g} days from {self.start_date.isoformat()}"
        dated = [(f"shocks.{i}", s.date) for i, s in enumerate(self.shocks)]
        dated += [(f"tariff_changes.{i}", c.date) for i, c in enumerate(self.tariff_changes)]
        dated += [(f"phase_out.{i}.start", p.start) for i, p in enumerate(self.phase_out)]
        if self.transition is not None:
            dated.append(("transition.start", self.transition.start))
        return [
            f"{field} on {day.isoformat()} lies outside the run ({period}): it does not happen"
            for field, day in dated
            if not 0 <= (day - self.start_date).days < self.horizon_days  # as the model schedules them
        ]

    def active_care_forms(self) -> dict[str, CareForm]:
        """Care forms in play, after ``only_care_forms``; escalation targets are kept."""
        if self.only_care_forms is None:
            return dict(self.care_forms)
        keep = set(self.only_care_forms)
        return {k: v for k, v in self.care_forms.items() if k in keep}
