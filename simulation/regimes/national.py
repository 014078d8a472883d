"""National procurement: the regional regime with more forms bought by one national unit.

The law keeps national purchasing (the LTA) for the rarest forms and lets the minister make
more forms national (the kan-bepaling). This regime is the regional one with that list
lengthened: each form in ``national_forms`` is bought once for all gemeenten, with one
contract per provider and one waiting list for the country. The mechanics are those of
:class:`RegionalRegime`; what differs is the scenario's list, so the regime insists on it.
"""

from __future__ import annotations

from simulation.config import Regime
from simulation.regimes.regional import RegionalRegime

__all__ = ["NationalRegime"]


class NationalRegime(RegionalRegime):
    name = "national"

    def __init__(self, config: Regime, seed: int) -> None:
        if not config.national_forms:
            raise ValueError("the national regime needs national_forms")
        super().__init__(config, seed)
