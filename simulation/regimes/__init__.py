"""The three procurement regimes behind one protocol (``simulation.core.world.ProcurementRegime``)."""

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
