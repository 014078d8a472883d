"""Workforce: turnover, hiring with a delay, vacancies."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from simulation.config.base import FrozenModel, Sourced, check_range

__all__ = ["Workforce"]


class Workforce(FrozenModel):
    """Staff dynamics (monthly, expected values): turnover, hiring with a delay, vacancies."""

    hiring_delay_months: int = Field(ge=0, le=24)
    vacancy_fill_per_month: Sourced
    deficit_hiring_factor: Sourced
    workload_turnover_elasticity: Sourced
    initial_staffing: float | Literal["equilibrium"] = Field(
        default="equilibrium",
        description="staff at the start as a share of the target, in (0, 2], or 'equilibrium': the steady state "
        "of turnover and hiring",
    )
    turnover_factor: float = Field(default=1.0, ge=0.0, le=10.0, description="multiplies every form's turnover")

    @model_validator(mode="after")
    def _ranges(self) -> Workforce:
        if not isinstance(self.initial_staffing, str):
            check_range("initial_staffing", self.initial_staffing, 0.0, 2.0, low_open=True)
        check_range("vacancy_fill_per_month.value", self.vacancy_fill_per_month.value, 0.0, 1.0)
        check_range("deficit_hiring_factor.value", self.deficit_hiring_factor.value, 0.0, 1.0)
        check_range("workload_turnover_elasticity.value", self.workload_turnover_elasticity.value, 0.0, 20.0)
        return self
