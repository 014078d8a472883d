"""Fragmented procurement: sub-regional contracting units, each with its own terms.

The real split of the 42 jeugdregio's into more than 55 contracting units is not published.
The default rule cuts each region into ``ceil(youth / target_youth_per_unit)`` units (never more
than it has gemeenten) by recursive bisection along its longer geographic axis, so that units
are contiguous-ish and hold similar numbers of youth. ``split.units_file`` (columns
``gemeentecode``, ``unit_id``) replaces the rule. Forms listed in ``regional_forms`` (the legal
minimum of joint purchasing since 2015: jeugdbescherming, jeugdreclassering, gesloten
jeugdhulp) are still bought per region; forms in ``national_forms`` nationally.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence

from simulation.config import ScenarioError
from simulation.core.world import Gemeente, Geography, Unit
from simulation.regimes.base import PurchasingRegime, centroid

__all__ = ["FragmentedRegime", "split_region"]


def split_region(gemeenten: Sequence[Gemeente], k: int) -> list[list[Gemeente]]:
    """Cut ``gemeenten`` into ``k`` groups of similar youth by recursive geographic bisection."""
    members = sorted(gemeenten, key=lambda g: g.code)
    if k <= 1 or len(members) <= 1:
        return [members]
    lat0 = sum(g.lat for g in members) / len(members)
    width = (max(g.lon for g in members) - min(g.lon for g in members)) * math.cos(math.radians(lat0))
    height = max(g.lat for g in members) - min(g.lat for g in members)
    axis = (lambda g: (g.lon, g.code)) if width >= height else (lambda g: (g.lat, g.code))
    members.sort(key=axis)
    k_left = k // 2
    k_right = k - k_left
    total = sum(g.youth for g in members)
    goal = total * k_left / k
    best, best_gap, running = k_left, math.inf, 0.0
    for i in range(len(members) - 1):
        running += members[i].youth
        cut = i + 1
        if cut < k_left or len(members) - cut < k_right:
            continue
        gap = abs(running - goal)
        if gap < best_gap:
            best, best_gap = cut, gap
    return split_region(members[:best], k_left) + split_region(members[best:], k_right)


class FragmentedRegime(PurchasingRegime):
    name = "fragmented"

    def level_of(self, care_form: str) -> str:
        if care_form in self.config.national_forms:
            return "national"
        if care_form in self.config.regional_forms:
            return "regional"
        return "subregional"

    def subregional_units(self, geography: Geography) -> list[Unit]:
        if self.config.split.units_file:
            return self._units_from_file(geography, self.config.split.units_file)
        units = []
        for region in geography.regions:
            members = geography.in_region(region)
            youth = sum(g.youth for g in members)
            k = max(1, min(len(members), math.ceil(youth / self.config.split.target_youth_per_unit)))
            for i, group in enumerate(split_region(members, k), start=1):
                units.append(self._unit(f"S-{region}-{i:02d}", region, group))
        return units

    @staticmethod
    def _unit(unit_id: str, region: str, group: Sequence[Gemeente]) -> Unit:
        lead = max(group, key=lambda g: (g.youth, g.code))
        name = lead.name if len(group) == 1 else f"{lead.name} e.o."
        lon, lat = centroid(group)
        return Unit(unit_id, name, "subregional", region, tuple(g.code for g in group), lon, lat)

    def _units_from_file(self, geography: Geography, path: str) -> list[Unit]:
        where = geography.by_code()
        groups: dict[str, list[Gemeente]] = {}
        with open(path, newline="", encoding="utf-8") as fh:
            for i, row in enumerate(csv.DictReader(fh), start=2):
                code, uid = row.get("gemeentecode"), row.get("unit_id")
                if not code or not uid:
                    raise ScenarioError(path, [(f"line {i}", "needs columns gemeentecode and unit_id")])
                if code in where:
                    groups.setdefault(uid, []).append(where[code])
        missing = sorted(set(where) - {g.code for gs in groups.values() for g in gs})
        if missing:
            raise ScenarioError(path, [("regime.split.units_file", f"gemeenten without a unit: {missing[:10]}")])
        units = []
        for uid, group in sorted(groups.items()):
            regions = {g.region for g in group}
            if len(regions) != 1:
                raise ScenarioError(path, [(f"unit {uid}", f"spans regions {sorted(regions)}; a unit lies in one")])
            units.append(self._unit(uid, regions.pop(), group))
        return units
