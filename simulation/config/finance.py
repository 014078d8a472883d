"""Provider finance: administration, continuity, shrinking, support; NZa early warning."""

from __future__ import annotations

from typing import ClassVar, Literal, Self

from pydantic import Field, model_validator

from simulation.config.base import FrozenModel, Sourced, check_range

__all__ = ["AdminCurve", "BudgetCeilings", "CostLevels", "EarlyWarning", "Finance", "Shrink", "Support", "TariffAdmin"]


class AdminCurve(FrozenModel):
    """Administration's share of a professional's productive time, by the term sets a provider serves.

    ``share = reference_share + per_doubling_of_term_sets x log2(T / reference_term_sets)
    + per_extra_contract x (C - T)``, within [0, ``provider_admin_share_max``], for a provider with
    ``T`` distinct sets of contract terms (contracting units; at least 1) and ``C`` contracts. The
    curve is anchored at the reported share: a provider with ``reference_term_sets`` term sets (the
    median of today's fragmented market) carries ``reference_share``; staff per place and tariffs
    (the reasonable-price rule) use the same ``reference_share``. Each doubling of the term sets
    adds ``per_doubling_of_term_sets`` (a log curve: a provider's second term set costs more new
    product codes, reporting and invoicing routines than its tenth).
    """

    reference_share: Sourced
    reference_term_sets: Sourced
    per_doubling_of_term_sets: Sourced
    per_extra_contract: Sourced
    staff_target: Literal["reference_share", "own_share"] = Field(
        default="reference_share",
        description="the staff a provider aims for: what its places need at the reference share (the staff the "
        "tariff pays for; its own share then decides how much of that time is care), or at its own share",
    )

    @model_validator(mode="after")
    def _ranges(self) -> AdminCurve:
        check_range("reference_share.value", self.reference_share.value, 0.0, 0.9)
        check_range("reference_term_sets.value", self.reference_term_sets.value, 1.0, 1000.0)
        check_range("per_doubling_of_term_sets.value", self.per_doubling_of_term_sets.value, 0.0, 0.5)
        check_range("per_extra_contract.value", self.per_extra_contract.value, 0.0, 0.5)
        return self


class GroundedRule(FrozenModel):
    """A modelling rule chosen by name that must say where it comes from: a source or an assumption."""

    #: the scenario key the rule sits under, for the error message
    key: ClassVar[str] = "rule"
    source: str | None = Field(default=None, min_length=1)
    assumption: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _grounded(self) -> Self:
        if self.source is None and self.assumption is None:
            raise ValueError(f"{self.key}: give a source or an assumption for the rule")
        return self


class TariffAdmin(GroundedRule):
    """Which administration share a unit's tariff pays for (the reasonable-price rule).

    ``reference``: ``admin.reference_share`` for every unit (the tariff as given); ``contracted_mean``:
    the place-weighted mean share of the providers the unit contracts for the form when that is
    higher (a floor: a tariff is never cut), so a unit whose providers serve many term sets pays
    for the administration that causes (simulation/core/reasonable_price.py).
    """

    key: ClassVar[str] = "tariff_admin"
    rule: Literal["reference", "contracted_mean"] = "reference"


class CostLevels(GroundedRule):
    """Whether a provider's cost level follows the tariffs it is paid.

    ``own``: each provider form costs its drawn ``kostenfactor`` x the form's cost price, whatever
    its units pay. ``expected_tariff``: that, times the tariffs of the units that contract it over
    the form's reference tariff, weighted by the care each unit is expected to buy from it
    (children go to the nearest place first, or, bound to a GI, by the GIs' weights;
    simulation/core/cost_levels.py). The tariffs are those set when contracting, before the
    reasonable-price surcharge for administration, which pays for a cost the model counts apart.
    It reads a regime's market as the steady state of selection: where units have paid more for
    years their providers' wages, overheads and housing have grown into the price, and where they
    paid less those whose costs they did not cover have cut them or left. Reserves stay as given.
    A transition's providers follow the market they start in.
    """

    key: ClassVar[str] = "cost_levels"
    rule: Literal["own", "expected_tariff"] = "own"


class BudgetCeilings(FrozenModel):
    """How a unit's ceiling for a care form is split over its contracted providers, and whether it
    follows tariff changes.

    ``expected_share``: in proportion to each provider's expected share of the unit's care, with
    children going to the nearest provider first (providers' places are filled by the nearest
    units' expected load first); ``even``: the same for every contracted provider. ``indexed``:
    a tariff change (indexation included) scales the ceilings of the forms it touches.
    """

    split: Literal["expected_share", "even"] = "expected_share"
    indexed: bool = True


class Shrink(FrozenModel):
    """A provider that loses money on a care form for ``after_months`` months cuts its places by ``step``.

    A month counts as losing when the form's costs exceed its revenue by more than
    ``loss_share_min`` of that revenue (0: any loss), so that a thin loss the reserves carry does
    not cut capacity.
    """

    after_months: int = Field(ge=1, le=120)
    step: float = Field(gt=0.0, le=1.0)
    loss_share_min: float = Field(default=0.0, ge=0.0, le=1.0)
    assumption: str = Field(min_length=1)


class Support(FrozenModel):
    """Liquidity support to crucial providers that would otherwise give notice (continuity intervention).

    A provider is crucial when it holds at least ``crucial_share`` of the places of a care form in its
    jeugdregio. Support restores its reserves to ``restore_months`` of costs, while the budget lasts.
    """

    budget_eur: float = Field(ge=0.0, le=1e12)
    crucial_share: float = Field(gt=0.0, le=1.0)
    restore_months: float = Field(default=1.0, ge=0.0, le=60.0)
    assumption: str = Field(min_length=1)


class EarlyWarning(FrozenModel):
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


class Finance(FrozenModel):
    """Administration and continuity rules.

    A provider's administration costs a share of its fixed (staff and housing) costs that grows
    with the contracts it holds and the distinct sets of contract terms it serves, capped at
    ``provider_admin_share_max``. Contracting units pay a fixed amount per unit and per contract.
    """

    provider_admin_share_per_contract: Sourced | None = None
    provider_admin_share_per_term_set: Sourced | None = None
    provider_admin_share_max: Sourced
    admin: AdminCurve | None = Field(
        default=None, description="the administration curve; without it the linear per-contract/term-set rule"
    )
    admin_term_sets: Literal["unit", "region"] = Field(
        default="unit",
        description="what counts as one set of contract terms for administration: each contracting unit, or "
        "each jeugdregio (the regional setting, to isolate administration from the other regime mechanisms)",
    )
    break_even_occupancy: Sourced | None = Field(
        default=None, description="occupancy at which a tariff covers costs (reasonable-price rule), in (0, 1]"
    )
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
    budget_ceilings: BudgetCeilings = Field(default_factory=BudgetCeilings)
    tariff_admin: TariffAdmin | None = Field(
        default=None, description="the administration share tariffs pay for; None: admin.reference_share"
    )
    cost_levels: CostLevels | None = Field(
        default=None, description="whether providers' cost levels follow the tariffs they are paid; None: their own"
    )
    shrink: Shrink | None = None
    support: Support | None = None

    @model_validator(mode="after")
    def _ranges(self) -> Finance:
        for name in ("cost_indexation_per_year", "tariff_indexation_per_year"):
            value = getattr(self, name)
            if value is not None:
                check_range(f"{name}.value", value.value, -0.5, 0.5)
        if self.budget_ceiling_factor is not None:
            check_range("budget_ceiling_factor.value", self.budget_ceiling_factor.value, 0.0, 100.0, low_open=True)
        linear = (self.provider_admin_share_per_contract, self.provider_admin_share_per_term_set)
        if self.admin is None and None in linear:
            raise ValueError(
                "admin: give either 'admin' (the administration curve) or both provider_admin_share_per_contract "
                "and provider_admin_share_per_term_set"
            )
        if self.admin is not None and linear != (None, None):
            raise ValueError(
                "admin: the curve replaces provider_admin_share_per_contract and _per_term_set; remove them"
            )
        if self.tariff_admin is not None and self.tariff_admin.rule != "reference" and self.admin is None:
            raise ValueError("tariff_admin: rule contracted_mean needs 'admin' (the administration curve)")
        for name in (
            "provider_admin_share_per_contract",
            "provider_admin_share_per_term_set",
            "provider_admin_share_max",
        ):
            if getattr(self, name) is not None:
                check_range(f"{name}.value", getattr(self, name).value, 0.0, 1.0)
        if self.break_even_occupancy is not None:
            check_range("break_even_occupancy.value", self.break_even_occupancy.value, 0.0, 1.0, low_open=True)
        for name in ("municipal_admin_eur_per_contract_month", "municipal_admin_eur_per_unit_month"):
            check_range(f"{name}.value", getattr(self, name).value, 0.0, 1e9)
        return self
