"""Care forms (zorgvormen): duration, escalation, tariff, norm and cost price."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from simulation.config.base import FrozenModel, Provenance, Sourced, check_range

__all__ = ["CareForm", "CostPrice", "Duration", "Escalation"]


class Duration(Provenance):
    """Treatment duration in days, drawn per child at referral.

    ``exponential`` needs ``mean_days``; ``lognormal`` and ``gamma`` need ``mean_days`` and the
    coefficient of variation ``cv``; ``deterministic`` uses ``mean_days`` exactly.
    """

    dist: Literal["exponential", "lognormal", "gamma", "deterministic"]
    mean_days: float
    cv: float | None = None

    @model_validator(mode="after")
    def _shape(self) -> Duration:
        check_range("mean_days", self.mean_days, 0.0, 36_500.0, low_open=True)
        if self.dist in ("lognormal", "gamma"):
            if self.cv is None:
                raise ValueError(f"{self.dist} needs 'cv' (coefficient of variation, in (0, 10])")
            check_range("cv", self.cv, 0.0, 10.0, low_open=True)
        elif self.cv is not None:
            raise ValueError(f"'cv' is not used by {self.dist}; remove it")
        return self


class Escalation(Provenance):
    """A child still waiting after ``after_days`` moves to care form ``to`` with ``probability``."""

    after_days: float
    probability: float
    to: str

    @model_validator(mode="after")
    def _ranges(self) -> Escalation:
        check_range("after_days", self.after_days, 0.0, 3650.0, low_open=True)
        check_range("probability", self.probability, 0.0, 1.0)
        return self


class CostPrice(FrozenModel):
    """Cost-price elements of a care form, after the reasonable-tariff rules (Stb 2024, 69).

    ``staff_per_place`` is care time (FTE) per occupied place: the inverse of the caseload norm for
    jeugdbescherming and jeugdreclassering. A professional is productive ``1 - non_productive_share``
    of paid time and spends a regime-dependent share of that on administration. Left out, it is
    implied by the form's tariff under the reasonable-price rule (AMvB reele prijzen): the tariff
    covers the costs at ``break_even_occupancy`` (default ``finance.break_even_occupancy``) when
    administration takes ``finance.admin.reference_share``, the share the model charges the median
    provider of today's fragmented market (:meth:`Scenario.staff_per_place`).
    """

    staff_per_place: Sourced | None = None
    break_even_occupancy: Sourced | None = None
    salary_eur_per_fte_year: Sourced
    non_productive_share: Sourced
    overhead_share: Sourced
    housing_eur_per_place_year: Sourced
    variable_eur_per_day: Sourced
    annual_staff_turnover: Sourced

    @model_validator(mode="after")
    def _ranges(self) -> CostPrice:
        if self.staff_per_place is not None:
            check_range("staff_per_place.value", self.staff_per_place.value, 0.0, 20.0, low_open=True)
        if self.break_even_occupancy is not None:
            check_range("break_even_occupancy.value", self.break_even_occupancy.value, 0.0, 1.0, low_open=True)
        check_range("salary_eur_per_fte_year.value", self.salary_eur_per_fte_year.value, 0.0, 1e6)
        check_range("non_productive_share.value", self.non_productive_share.value, 0.0, 0.9)
        check_range("overhead_share.value", self.overhead_share.value, 0.0, 2.0)
        check_range("housing_eur_per_place_year.value", self.housing_eur_per_place_year.value, 0.0, 1e6)
        check_range("variable_eur_per_day.value", self.variable_eur_per_day.value, 0.0, 1e5)
        check_range("annual_staff_turnover.value", self.annual_staff_turnover.value, 0.0, 5.0)
        return self


class CareForm(FrozenModel):
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
    #: mean wait from referral to intake that is reported for this form (days); sizes the default
    #: landscape and the waiting list at the start (see ``waiting_withdrawal_per_year``)
    observed_wait_days: Sourced | None = None
    #: hazard (per year of waiting) that a waiting child leaves the list without this care (help
    #: elsewhere, free-access care, the family gives up); with it, a list of months is stable
    waiting_withdrawal_per_year: Sourced | None = None

    @model_validator(mode="after")
    def _ranges(self) -> CareForm:
        check_range("referral_rate_per_1000.value", self.referral_rate_per_1000.value, 0.0, 1000.0)
        check_range("tariff_eur_per_day.value", self.tariff_eur_per_day.value, 0.0, 100_000.0)
        check_range("wait_norm_days.value", self.wait_norm_days.value, 0.0, 3650.0, low_open=True)
        if self.observed_wait_days is not None:
            check_range("observed_wait_days.value", self.observed_wait_days.value, 0.0, 3650.0)
        if self.waiting_withdrawal_per_year is not None:
            check_range("waiting_withdrawal_per_year.value", self.waiting_withdrawal_per_year.value, 0.0, 52.0)
        return self

    @property
    def withdrawal_per_day(self) -> float:
        """Hazard of leaving the waiting list, per day of waiting (0 without one)."""
        w = self.waiting_withdrawal_per_year
        return w.value / 365.0 if w is not None else 0.0

    @property
    def waits_steadily(self) -> bool:
        """Whether the form has a steady waiting list by design: an observed wait and withdrawal.

        Such a form is sized so that its mean wait is the observed one, and starts with that
        waiting list (:mod:`simulation.core.steady`)."""
        return self.observed_wait_days is not None and self.withdrawal_per_day > 0.0
