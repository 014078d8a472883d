"""Regional procurement (Wet verbetering beschikbaarheid jeugdzorg, 2026).

One contracting unit per jeugdregio (the gemeenschappelijke regeling) with uniform terms within
the region; the existing national purchasing (LTA) for ``national_forms``; and bovenregionale
afstemming for the forms in ``pooled_forms``: a child waiting for such a form may be placed
with a provider contracted by an adjacent region, and those providers take children from the
neighbours' waiting lists in order of waiting time.
"""

from __future__ import annotations

from simulation.regimes.base import PurchasingRegime

__all__ = ["RegionalRegime"]


class RegionalRegime(PurchasingRegime):
    name = "regional"

    def level_of(self, care_form: str) -> str:
        # The LTA forms stay national under the 2026 law.
        return "national" if care_form in self.config.national_forms else "regional"

    def pooled(self, care_form: str) -> bool:
        return care_form in self.config.pooled_forms
