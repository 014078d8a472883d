"""Machinery the three regimes share: units per purchasing level, contracts, eligibility.

A regime only decides (a) at which level each care form is bought: ``subregional`` (the
fragmented split), ``regional`` (one unit per jeugdregio) or ``national`` (one unit, the LTA);
(b) which sub-regional units exist; (c) which forms are pooled with neighbouring regions
(bovenregionale afstemming). Everything else follows from the same rules for every regime:

* a unit contracts, for each form it buys, the providers of that form located in its own
  area or within ``contract_reach_km`` of one of its gemeenten (providers work across unit
  borders: many serve several units, each on its own terms); when fewer than
  ``min_providers_per_contract`` are found, it adds the nearest others;
* each unit has its own set of contract terms; the tariff is the care form's reference tariff,
  optionally varied per unit by ``tariff_spread`` (drawn once per seed, not per replication);
* a waiting child may be placed with its unit's contracted providers, nearest first, and for
  pooled forms next with the providers contracted by the units of adjacent regions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from simulation.config import CareForm, Regime
from simulation.core.random import STRUCTURE, Streams
from simulation.core.world import Contract, Gemeente, Geography, Market, Provider, Unit, distance_km

__all__ = ["PurchasingRegime", "centroid", "region_units"]


def centroid(gemeenten: Sequence[Gemeente]) -> tuple[float, float]:
    """Youth-weighted centroid (lon, lat) of a set of gemeenten."""
    weights = [g.youth for g in gemeenten] if sum(g.youth for g in gemeenten) > 0 else [1.0] * len(gemeenten)
    total = sum(weights)
    return (
        sum(g.lon * w for g, w in zip(gemeenten, weights, strict=True)) / total,
        sum(g.lat * w for g, w in zip(gemeenten, weights, strict=True)) / total,
    )


def region_units(geography: Geography) -> list[Unit]:
    units = []
    for region in geography.regions:
        members = geography.in_region(region)
        lon, lat = centroid(members)
        units.append(
            Unit(
                unit_id=f"R-{region}",
                name=members[0].region_name,
                level="regional",
                region=region,
                gemeenten=tuple(g.code for g in members),
                lon=lon,
                lat=lat,
            )
        )
    return units


def national_unit(geography: Geography) -> Unit:
    lon, lat = centroid(geography.gemeenten)
    return Unit("NL", "Landelijk (LTA)", "national", "NL", tuple(g.code for g in geography.gemeenten), lon, lat)


class PurchasingRegime:
    """Base class; subclasses say which level buys each form and which units exist."""

    name = "base"

    def __init__(self, config: Regime, seed: int) -> None:
        self.config = config
        self.seed = seed

    # -- what subclasses decide ----------------------------------------------------------
    def level_of(self, care_form: str) -> str:
        raise NotImplementedError

    def subregional_units(self, geography: Geography) -> list[Unit]:
        return []

    def pooled(self, care_form: str) -> bool:
        """Bovenregionale afstemming: a waiting child may be placed with the providers of the
        units of adjacent regions."""
        return care_form in self.config.pooled_forms

    # -- the shared rules ---------------------------------------------------------------
    def build(
        self,
        geography: Geography,
        care_forms: Mapping[str, CareForm],
        providers: Sequence[Provider],
    ) -> Market:
        levels = {f: self.level_of(f) for f in care_forms}
        borrowed = set(self.config.regional_mechanisms)
        by_level: dict[str, list[Unit]] = {}
        if "subregional" in levels.values():
            by_level["subregional"] = self.subregional_units(geography)
        if "regional" in levels.values() or any(self.pooled(f) for f in care_forms) or borrowed:
            by_level["regional"] = region_units(geography)
        if "national" in levels.values():
            by_level["national"] = [national_unit(geography)]
        region_unit = {u.region: u for u in by_level.get("regional", [])}

        offering: dict[str, list[Provider]] = {f: [] for f in care_forms}
        for p in providers:
            for pf in p.forms:
                # An offer of no places is no offer: it must not fill a unit's minimum of providers.
                if pf.care_form in offering and pf.places > 0:
                    offering[pf.care_form].append(p)

        streams = Streams(self.seed, STRUCTURE)
        used_units: dict[str, Unit] = {}
        contracts: list[Contract] = []
        administered: list[Contract] = []
        contracted: dict[tuple[str, str], list[str]] = {}
        tariff: dict[tuple[str, str], float] = {}
        unit_for: dict[tuple[str, str], str] = {}
        queue_units: dict[tuple[str, str], list[str]] = {}  # (form, region) -> its queues' units
        for f, form in care_forms.items():
            # Each unit buying ``f`` picks its providers; with borrowed regional mechanisms the
            # queue (and account) holder and the term-set holder may be its region's unit.
            picks: dict[str, list[Provider]] = {}
            merged: set[str] = set()
            holder_of: dict[str, Unit] = {}
            for u in by_level[levels[f]]:
                own = borrowed and levels[f] == "subregional"
                region = region_unit.get(u.region, u)
                buyer = region if own and "contracting" in borrowed else u
                holder = region if own and "queues" in borrowed else u
                terms = region if own and "terms" in borrowed else u
                chosen = self._contract_providers(buyer, offering[f], geography)
                kept = picks.setdefault(holder.unit_id, [])
                added = [p for p in chosen if p not in kept]
                if kept and added:
                    merged.add(holder.unit_id)
                kept += added
                holder_of[holder.unit_id] = holder
                administered += [Contract(terms.unit_id, p.provider_id, f) for p in chosen]
                for code in u.gemeenten:
                    unit_for[(code, f)] = holder.unit_id
            for uid, chosen in picks.items():
                u = holder_of[uid]
                factor = 1.0
                if self.config.tariff_spread > 0:
                    rng = streams.generator(f"terms/{u.unit_id}/{f}")
                    factor = 1.0 + self.config.tariff_spread * (2.0 * rng.random() - 1.0)
                # One buyer's picks keep the order its contracting gave (local and within reach
                # first); the differing picks of several buyers merged into one queue are put
                # nearest first.
                ordered = self._nearest_first(u, chosen) if uid in merged else chosen
                contracted[(uid, f)] = [p.provider_id for p in ordered]
                tariff[(uid, f)] = form.tariff_eur_per_day.value * factor
                used_units[uid] = u
                contracts += [Contract(uid, p.provider_id, f) for p in ordered]
                queue_units.setdefault((f, u.region), []).append(uid)

        eligible = {k: list(v) for k, v in contracted.items()}
        for f in care_forms:
            if not self.pooled(f) or levels[f] == "national":
                continue
            where = {p.provider_id: p for p in offering[f]}
            for (form_key, region_id), uids in queue_units.items():
                if form_key != f:
                    continue
                for uid in uids:
                    u, home = used_units[uid], (uid, f)
                    extra: list[str] = []
                    for neighbour in sorted(geography.adjacency.get(region_id, ())):
                        for other in queue_units.get((f, neighbour), []):
                            for pid in contracted.get((other, f), []):
                                if pid not in eligible[home] and pid not in extra:
                                    extra.append(pid)
                    extra.sort(key=lambda pid: (distance_km(u.lon, u.lat, where[pid].lon, where[pid].lat), pid))
                    eligible[home] = eligible[home] + extra

        units_sorted = sorted(used_units.values(), key=lambda u: u.unit_id)
        accounts = {(c.unit_id, c.provider_id, c.care_form) for c in contracts}
        terms_differ = {(c.unit_id, c.provider_id, c.care_form) for c in administered} != accounts
        return Market(units_sorted, unit_for, contracts, eligible, tariff, administered if terms_differ else None)

    @staticmethod
    def _nearest_first(unit: Unit, chosen: Sequence[Provider]) -> list[Provider]:
        """Providers inside the unit's area first, then the others, each nearest first (the
        order :meth:`_contract_providers` returns them in)."""
        inside = set(unit.gemeenten)

        def key(p: Provider) -> tuple[bool, float, str]:
            return (p.gemeente not in inside, distance_km(unit.lon, unit.lat, p.lon, p.lat), p.provider_id)

        return sorted(chosen, key=key)

    def _contract_providers(
        self, unit: Unit, candidates: Sequence[Provider], geography: Geography | None = None
    ) -> list[Provider]:
        """The providers in the unit's area or within ``contract_reach_km`` of its gemeenten,
        topped up with the nearest others to the minimum.

        A provider with a werkgebied (``Provider.serves``, the GIs) is contracted by every unit of
        the regions it serves, wherever its office is, and by no other unit (the national unit
        covers every region)."""
        inside = set(unit.gemeenten)

        def serves_unit(p: Provider) -> bool:
            return p.serves is None or unit.level == "national" or unit.region in p.serves

        candidates = [p for p in candidates if serves_unit(p)]
        reach = self.config.contract_reach_km
        if reach > 0 and geography is not None:
            where = geography.by_code()
            points = [(where[g].lon, where[g].lat) for g in unit.gemeenten if g in where]
            near = {
                p.provider_id
                for p in candidates
                if p.gemeente not in inside and any(distance_km(x, y, p.lon, p.lat) <= reach for x, y in points)
            }
        else:
            near = set()

        def dist(p: Provider) -> tuple[float, str]:
            return (distance_km(unit.lon, unit.lat, p.lon, p.lat), p.provider_id)

        local = sorted(
            (p for p in candidates if p.gemeente in inside or p.serves is not None or p.provider_id in near), key=dist
        )
        need = self.config.min_providers_per_contract - len(local)
        if need > 0:
            chosen = {p.provider_id for p in local}
            others = sorted((p for p in candidates if p.provider_id not in chosen), key=dist)
            local += others[:need]
        return local
