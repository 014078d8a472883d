"""Provider finance: administration, continuity, shrinking, support; NZa early warning."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from simulation.config.base import FrozenModel, Sourced, check_range

__all__ = ["EarlyWarning", "Finance", "Shrink", "Support"]


class Shrink(FrozenModel):
    """A provider that loses money on a care form for ``after_months`` months cuts its places by ``step``."""

    after_months: int = Field(ge=1, le=120)
    step: float = Field(gt=0.0, le=1.0)
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
                check_range(f"{name}.value", value.value, -0.5, 0.5)
        if self.budget_ceiling_factor is not None:
            check_range("budget_ceiling_factor.value", self.budget_ceiling_factor.value, 0.0, 100.0, low_open=True)
        for name in (
            "provider_admin_share_per_contract",
            "provider_admin_share_per_term_set",
            "provider_admin_share_max",
        ):
            check_range(f"{name}.value", getattr(self, name).value, 0.0, 1.0)
        for name in ("municipal_admin_eur_per_contract_month", "municipal_admin_eur_per_unit_month"):
            check_range(f"{name}.value", getattr(self, name).value, 0.0, 1e9)
        return self
