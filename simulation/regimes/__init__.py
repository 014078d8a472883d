"""The three procurement regimes behind one interface, :class:`~simulation.regimes.base.PurchasingRegime`.

A regime answers three questions (at which level each care form is bought, which sub-regional
units exist, which forms are pooled with neighbouring regions); the shared rules in the base
class turn the answers into a :class:`~simulation.core.world.Market`, which is all the model sees.
"""

from __future__ import annotations

from simulation.config import Scenario
from simulation.regimes.base import PurchasingRegime
from simulation.regimes.fragmented import FragmentedRegime
from simulation.regimes.national import NationalRegime
from simulation.regimes.regional import RegionalRegime

__all__ = ["FragmentedRegime", "NationalRegime", "RegionalRegime", "regime_for"]

_KINDS: dict[str, type[PurchasingRegime]] = {
    "fragmented": FragmentedRegime,
    "regional": RegionalRegime,
    "national": NationalRegime,
}


def regime_for(scenario: Scenario) -> PurchasingRegime:
    """The regime object a scenario asks for."""
    return _KINDS[scenario.regime.kind](scenario.regime, scenario.seed)
