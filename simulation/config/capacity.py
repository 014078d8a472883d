"""Capacity growth: providers add places where waiting lists persist and the tariff covers costs."""

from __future__ import annotations

from pydantic import Field, model_validator

from simulation.config.base import FrozenModel, Provenance, check_range

__all__ = ["Capacity", "Entry", "Expansion"]


class Expansion(Provenance):
    """A provider form adds places when its waiting lists stay long and it does not lose money.

    At a month end, a provider form of an active provider counts a *long-wait month* when the
    longest current wait on a waiting list it serves exceeds ``wait_factor`` x its form's
    ``observed_wait_days`` and its revenue covered its costs that month. After ``after_months``
    such months in a row it orders ``step`` x its places more (at least one), which open
    ``build_delay_months`` later (then staff are hired for them as for any vacancy). Only the
    forms in ``care_forms`` expand (default: every form with an observed wait).

    A form without a steady waiting list (``CareForm.waits_steadily`` false: crisis, JZ+) is
    planned to run below full (crisis places must be free on the day): a waiting list hardly
    signals its unmet demand, its occupancy does. With ``occupancy_factor`` such a provider form
    also counts a long-wait month when its staffed places were more than ``occupancy_factor`` x
    its form's break-even occupancy occupied that month (and its revenue covered its costs)."""

    wait_factor: float = Field(description="expand above this multiple of the observed wait, in [1, 20]")
    after_months: int = Field(ge=1, le=120)
    step: float = Field(description="share of the places added at once, in (0, 1]")
    build_delay_months: int = Field(ge=0, le=120)
    care_forms: list[str] | None = Field(default=None, description="forms that may expand; None: all")
    occupancy_factor: float | None = Field(
        default=None,
        description="forms without a steady waiting list also expand above this multiple of their break-even "
        "occupancy, in [1, 5]; None: only by the wait",
    )

    @model_validator(mode="after")
    def _ranges(self) -> Expansion:
        check_range("wait_factor", self.wait_factor, 1.0, 20.0)
        check_range("step", self.step, 0.0, 1.0, low_open=True)
        if self.occupancy_factor is not None:
            check_range("occupancy_factor", self.occupancy_factor, 1.0, 5.0)
        return self


class Entry(Provenance):
    """New providers enter a region where a care form's waiting list persists and the terms pay.

    At a month end a (jeugdregio, care form) counts a *long-wait month* when the longest current
    wait of a child of that region on the form's waiting lists exceeds ``wait_factor`` x the form's
    ``observed_wait_days`` and an entrant's contract terms would cover its costs: the tariff of the
    units buying the form there, at the form's reference (break-even) occupancy, pays the staff
    (at the administration share an entrant would carry: one contract, and one set of terms, per
    unit of the region), housing, overhead and variable costs. After ``after_months`` such months
    in a row an entrant is founded; it opens ``setup_months`` later with ``places_share`` x the
    region's places of the form at the start (at least one), staffed, contracted by every unit
    that buys the form for the region, on their terms. At most ``max_per_region`` per region and form, of the forms in
    ``care_forms`` (default: every form with an observed wait)."""

    wait_factor: float = Field(description="enter above this multiple of the observed wait, in [1, 20]")
    after_months: int = Field(ge=1, le=120)
    setup_months: int = Field(ge=0, le=120)
    places_share: float = Field(description="the entrant's places over the region's places of the form, in (0, 1]")
    max_per_region: int = Field(ge=1, le=20)
    reserves_share: float = Field(description="starting reserves over the entrant's yearly revenue, in [0, 5]")
    care_forms: list[str] | None = Field(
        default=None, description="forms entrants may offer; None: all but those bound to a werkgebied (the GIs)"
    )

    @model_validator(mode="after")
    def _ranges(self) -> Entry:
        check_range("wait_factor", self.wait_factor, 1.0, 20.0)
        check_range("places_share", self.places_share, 0.0, 1.0, low_open=True)
        check_range("reserves_share", self.reserves_share, 0.0, 5.0)
        return self


class Capacity(FrozenModel):
    """How capacity grows (shrinking is ``finance.shrink``); omit a part to switch it off.

    ``places_factor`` is a what-if lever: every provider's places of every care form at the
    start times this factor, rounded (an offer of at least one place keeps at least one).
    """

    expansion: Expansion | None = None
    entry: Entry | None = None
    places_factor: float = Field(default=1.0, gt=0.0, le=5.0, description="multiplies every provider's places")
