"""The market: the provider landscape, its generator, and the procurement regime."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from simulation.config.base import Date, FrozenModel, Pair, Sourced, check_range

__all__ = ["LandscapeGenerator", "ProviderGroup", "Providers", "Regime", "Split", "Transition"]


class ProviderGroup(FrozenModel):
    """A kind of organisation in the generated landscape, offering one or more care forms."""

    name: str
    forms: list[str] = Field(min_length=1)
    count: int = Field(ge=1, le=100_000)
    spread: Literal["per_region", "weighted"] = "weighted"
    target_utilisation: Sourced
    size_sigma: Sourced
    cost_factor: Pair = Field(
        description="uniform range of a provider's cost level relative to the care form's cost price"
    )
    reserve_months: Pair
    assumption: str = Field(min_length=1)
    werkgebied_file: str | None = Field(
        default=None,
        description="CSV naming the group's organisations and the jeugdregio's each serves (naam, "
        "jeugdregio_codes, gewicht, bron): one provider per row, placed in and contracted by those regions only",
    )

    @model_validator(mode="after")
    def _ranges(self) -> ProviderGroup:
        check_range("target_utilisation.value", self.target_utilisation.value, 0.0, 1.0, low_open=True)
        check_range("size_sigma.value", self.size_sigma.value, 0.0, 3.0)
        lo, hi = self.cost_factor
        if not 0.0 < lo <= hi <= 5.0:
            raise ValueError(f"cost_factor ({lo}, {hi}) must satisfy 0 < low <= high <= 5")
        rlo, rhi = self.reserve_months
        if not 0.0 <= rlo <= rhi <= 120.0:
            raise ValueError(f"reserve_months ({rlo}, {rhi}) must satisfy 0 <= low <= high <= 120")
        return self


class LandscapeGenerator(FrozenModel):
    """Documented distributions from which the default provider landscape is drawn."""

    seed: int = Field(ge=0)
    groups: list[ProviderGroup] = Field(min_length=1)


class Providers(FrozenModel):
    """The provider landscape: two CSV files a user can read and replace.

    ``file`` has one row per provider (location, reserves); ``places_file`` one row per provider
    and care form (places, fixed cost per month, variable cost per occupied day).
    """

    file: str
    places_file: str
    generator: LandscapeGenerator | None = None
    #: A child of a care form that only providers with a werkgebied offer (the GIs) is bound at
    #: referral to one of those serving its region, drawn by their ``gewicht``, and waits for that
    #: one (matching.bind). False: it takes any free place of them, nearest first, as other forms.
    bind_to_werkgebied: bool = True


class Split(FrozenModel):
    """The rule that splits jeugdregio's into sub-regional contracting units (fragmented regime).

    A region is cut into ``ceil(youth / target_youth_per_unit)`` units (at most one per
    gemeente) by recursive bisection along its longer geographic axis, balancing youth.
    ``units_file`` replaces the rule with an explicit gemeente -> unit table.
    """

    target_youth_per_unit: float = Field(
        default=40_000, gt=0, le=1e8, description="youth per sub-regional unit, in (0, 1e8]"
    )
    units_file: str | None = None


class Regime(FrozenModel):
    """How care is bought: which units exist, which forms they buy, on which terms."""

    kind: Literal["fragmented", "regional", "national"]
    national_forms: list[str] = Field(default_factory=list)
    pooled_forms: list[str] = Field(default_factory=list)
    regional_forms: list[str] = Field(default_factory=list)
    split: Split = Field(default_factory=Split)
    min_providers_per_contract: int = Field(default=2, ge=1, le=1000)
    contract_reach_km: float = Field(
        default=0.0,
        ge=0.0,
        le=1000.0,
        description="a unit also contracts the providers of a form within this distance (km) of any of its "
        "gemeenten, in [0, 1000]; 0: only those inside it (and the nearest others up to the minimum)",
    )
    tariff_spread: float = Field(
        default=0.0, ge=0.0, lt=1.0, description="each unit's tariff is the reference x (1 + U(-spread, spread))"
    )
    #: Fragmented only, for ``explain``: the mechanisms in which the sub-regional units act as
    #: their jeugdregio's unit does. ``queues``: one waiting list (and contract account) per region
    #: and form; ``contracting``: each unit contracts the providers its region's unit would;
    #: ``terms``: one set of contract terms per region, so a provider administers one contract
    #: per region and form. [] (the default) is the fragmented regime itself; all three make
    #: its sub-regional forms bought exactly as in the regional regime.
    regional_mechanisms: list[Literal["queues", "contracting", "terms"]] = Field(default_factory=list)
    note: str = ""

    @field_validator("regional_mechanisms")
    @classmethod
    def _once_each(cls, names: list[str]) -> list[str]:
        if len(set(names)) != len(names):
            raise ValueError(f"each mechanism at most once, got {names}")
        return names


class Transition(FrozenModel):
    """The switch from ``from_regime`` (fragmented) to the scenario's regime as old contracts expire.

    Each old unit's contracts end at a time drawn uniformly within ``old_contract_years`` of ``start``.
    A region's joint procurement takes ``base_procurement_months + months_per_gemeente x gemeenten``
    (more gemeenten must agree, so it takes longer); the new contract starts ``lead_months`` after
    signing (at least 3), ``long_lead_months`` (at least 6) for ``long_lead_forms``. A gemeente's
    care form moves to the new unit when both its old contract has ended and the new one has started:
    its waiting children move to the new list with their waiting time; children in care stay put.
    """

    from_regime: Regime
    start: Date
    old_contract_years: float = Field(gt=0.0, le=10.0)
    base_procurement_months: float = Field(ge=0.0, le=60.0)
    months_per_gemeente: float = Field(ge=0.0, le=12.0)
    lead_months: int = Field(default=3, ge=3, le=24)
    long_lead_months: int = Field(default=6, ge=6, le=36)
    long_lead_forms: list[str] = Field(default_factory=list)
    assumption: str = Field(min_length=1)
