"""Capacity growth: providers add places where waiting lists persist and the tariff covers costs."""

from __future__ import annotations

from pydantic import Field, model_validator

from simulation.config.base import FrozenModel, Provenance, check_range

__all__ = ["Capacity", "Expansion"]


class Expansion(Provenance):
    """A provider form adds places when its waiting lists stay long and it does not lose money.

    At a month end, a provider form of an active provider counts a *long-wait month* when the
    longest current wait on a waiting list it serves exceeds ``wait_factor`` x its form's
    ``observed_wait_days`` and its revenue covered its costs that month. After ``after_months``
    such months in a row it orders ``step`` x its places more (at least one), which open
    ``build_delay_months`` later (then staff are hired for them as for any vacancy)."""

    wait_factor: float = Field(description="expand above this multiple of the observed wait, in [1, 20]")
    after_months: int = Field(ge=1, le=120)
    step: float = Field(description="share of the places added at once, in (0, 1]")
    build_delay_months: int = Field(ge=0, le=120)

    @model_validator(mode="after")
    def _ranges(self) -> Expansion:
        check_range("wait_factor", self.wait_factor, 1.0, 20.0)
        check_range("step", self.step, 0.0, 1.0, low_open=True)
        return self


class Capacity(FrozenModel):
    """How capacity grows (shrinking is ``finance.shrink``); omit a part to switch it off."""

    expansion: Expansion | None = None
