"""The static world of a run: gemeenten, regions, providers, and the market a regime builds.

Nothing here changes during a run. A regime (``simulation.regimes``) answers once, at start,
who buys what from whom, as a :class:`Market`; the model sees only that market.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from simulation.config import Scenario, ScenarioError, shown
from simulation.core.csv_files import read_csv, read_number

__all__ = [
    "Contract",
    "Gemeente",
    "Geography",
    "Market",
    "Provider",
    "ProviderForm",
    "Unit",
    "distance_km",
    "load_geography",
    "load_providers",
]


@dataclass(frozen=True, slots=True)
class Gemeente:
    code: str
    name: str
    region: str
    region_name: str
    youth: float
    lon: float
    lat: float
    #: care form -> factor on the national referral rate (``demand.regional_factors_file``; absent: 1)
    referral_factors: Mapping[str, float] = field(default_factory=dict, compare=False, hash=False)

    def youth_for(self, form: str) -> float:
        """Youth weighted by the form's regional referral factor: the national rate per 1,000
        youth times this gives the gemeente's referrals (or starts) of that form."""
        return self.youth * self.referral_factors.get(form, 1.0)


@dataclass(frozen=True)
class Geography:
    gemeenten: tuple[Gemeente, ...]
    #: region code -> neighbouring region codes (shared land border)
    adjacency: Mapping[str, frozenset[str]]

    @property
    def regions(self) -> list[str]:
        return sorted({g.region for g in self.gemeenten})

    def in_region(self, region: str) -> list[Gemeente]:
        return [g for g in self.gemeenten if g.region == region]

    def by_code(self) -> dict[str, Gemeente]:
        return {g.code: g for g in self.gemeenten}


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Equirectangular distance; good to well under 1% at Dutch scales."""
    k = 111.32
    x = (lon2 - lon1) * k * math.cos(math.radians((lat1 + lat2) / 2.0))
    y = (lat2 - lat1) * k
    return math.hypot(x, y)


@dataclass(frozen=True, slots=True)
class ProviderForm:
    """A provider's offer of one care form."""

    provider_id: str
    care_form: str
    places: int
    #: the provider's cost level relative to the care form's cost price (1.0 = the norm)
    cost_factor: float


@dataclass(frozen=True)
class Provider:
    provider_id: str
    name: str
    gemeente: str
    group: str
    reserves_eur: float
    forms: tuple[ProviderForm, ...]
    lon: float = 0.0
    lat: float = 0.0
    #: jeugdregio codes the provider serves (its werkgebied); None: any unit may contract it
    serves: frozenset[str] | None = None
    #: with a werkgebied: the share of each served region's children bound to it is its weight
    #: over the weights of all providers serving the region (``gewicht``, matching.bind)
    weight: float = 1.0
    #: a dormant slot for a new provider (``capacity.entry``): no places until it enters
    entrant: bool = False


@dataclass(frozen=True, slots=True)
class Unit:
    """An inkoopeenheid: buys some care forms for a set of gemeenten on one set of terms."""

    unit_id: str
    name: str
    level: str  # "subregional", "regional" or "national"
    region: str  # home region code ("NL" for the national unit)
    gemeenten: tuple[str, ...]
    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class Contract:
    """A unit buys a care form from a provider, on the unit's own terms at the unit's tariff
    (``Market.tariff``): each unit is one set of contract terms."""

    unit_id: str
    provider_id: str
    care_form: str


@dataclass
class Market:
    """What a regime decides, in tables the model indexes once."""

    units: list[Unit]
    #: (gemeente code, care form) -> unit id
    unit_for: dict[tuple[str, str], str]
    contracts: list[Contract]
    #: (unit id, care form) -> provider ids a waiting child may be placed with, best first
    eligible: dict[tuple[str, str], list[str]]
    #: (unit id, care form) -> tariff the unit pays for that form
    tariff: dict[tuple[str, str], float] = field(default_factory=dict)
    #: the contracts as providers and units administer them (one per term set, provider and
    #: form) when that differs from ``contracts`` (the accounts children are paid from); None:
    #: the same (every regime but a fragmented one with ``regional_mechanisms``)
    term_contracts: list[Contract] | None = None


# --------------------------------------------------------------------------------------------
# Loading the world's tables


#: Largest referral factor a gemeente may have (a form's rate there over the national rate).
MAX_REFERRAL_FACTOR = 50.0


def _referral_factors(scenario: Scenario) -> dict[str, dict[str, float]]:
    """gemeentecode -> care form -> factor, from ``demand.regional_factors_file`` (none: empty)."""
    path = scenario.demand.regional_factors_file
    if path is None:
        return {}
    label = "demand.regional_factors_file"
    out: dict[str, dict[str, float]] = {}
    for i, r in enumerate(read_csv(path, label, ["gemeentecode", "zorgvorm", "factor"]), start=2):
        forms = out.setdefault(r["gemeentecode"], {})
        if r["zorgvorm"] in forms:
            twice = f"second factor for {shown(r['gemeentecode'])}, {shown(r['zorgvorm'])}"
            raise ScenarioError(path, [(f"line {i}", twice)])
        forms[r["zorgvorm"]] = read_number(r, "factor", path, i, 0.0, MAX_REFERRAL_FACTOR)
    return out


def _check_factors_cover(
    scenario: Scenario, gemeenten: Sequence[Gemeente], factors: dict[str, dict[str, float]]
) -> None:
    """A care form of the factors file needs a factor for every gemeente of the run; forms the file does
    not name keep the national rate everywhere."""
    if not factors:
        return
    named = {f for forms in factors.values() for f in forms}
    for g in gemeenten:
        missing = sorted(named - set(g.referral_factors))
        if missing:
            why = f"no factor for gemeente {g.code} ({g.name}), care form(s) {shown(missing, 120)}"
            raise ScenarioError(str(scenario.demand.regional_factors_file), [("demand.regional_factors_file", why)])


def load_geography(scenario: Scenario, adjacency_file: str | None = None) -> Geography:
    """Gemeenten (optionally only some regions) and the region adjacency of ``adjacency_file``
    (default: the scenario's; none there: no region has neighbours)."""
    rows = read_csv(
        scenario.gemeenten_file,
        "gemeenten_file",
        ["gemeentecode", "gemeentenaam", "jeugdregio_code", "jeugdregio_naam", "lon", "lat"],
    )
    column = scenario.demand.youth_column
    if column not in rows[0]:
        raise ScenarioError(scenario.gemeenten_file, [("demand.youth_column", f"column {column!r} not in file")])
    factors = _referral_factors(scenario)
    gemeenten = []
    for i, r in enumerate(rows, start=2):
        if scenario.regions is not None and r["jeugdregio_code"] not in scenario.regions:
            continue
        gemeenten.append(
            Gemeente(
                code=r["gemeentecode"],
                name=r["gemeentenaam"],
                region=r["jeugdregio_code"],
                region_name=r["jeugdregio_naam"],
                youth=read_number(r, column, scenario.gemeenten_file, i, 0, 1e8),
                lon=read_number(r, "lon", scenario.gemeenten_file, i, -180, 180),
                lat=read_number(r, "lat", scenario.gemeenten_file, i, -90, 90),
                referral_factors=factors.get(r["gemeentecode"], {}),
            )
        )
    _check_factors_cover(scenario, gemeenten, factors)
    if not gemeenten:
        where = shown(scenario.regions, 200)
        raise ScenarioError(scenario.gemeenten_file, [("regions", f"no gemeente in regions {where}")])
    if scenario.regions is not None:
        unknown = set(scenario.regions) - {g.region for g in gemeenten}
        if unknown:
            shown_codes = shown(sorted(unknown), 200)
            raise ScenarioError(scenario.gemeenten_file, [("regions", f"unknown region code(s) {shown_codes}")])
    # The regime reads its units file itself; read it here first, so a file that is no proper
    # CSV is refused like every other data file.
    units_files = [("regime.split.units_file", scenario.regime.split.units_file)]
    if scenario.transition is not None:
        units_files.append(
            ("transition.from_regime.split.units_file", scenario.transition.from_regime.split.units_file)
        )
    for label, units_file in units_files:
        if units_file is not None:
            read_csv(units_file, label, ["gemeentecode", "unit_id"])
    adjacency: dict[str, set[str]] = {g.region: set() for g in gemeenten}
    adj_path = adjacency_file or scenario.adjacency_file
    if adj_path is not None:
        for r in read_csv(adj_path, "adjacency_file", ["jeugdregio_code_a", "jeugdregio_code_b"]):
            a, b = r["jeugdregio_code_a"], r["jeugdregio_code_b"]
            if a in adjacency and b in adjacency:
                adjacency[a].add(b)
                adjacency[b].add(a)
    return Geography(tuple(gemeenten), {k: frozenset(v) for k, v in adjacency.items()})


def _check_shocks(scenario: Scenario, geography: Geography, known_ids: set[str], providers: list[Provider]) -> None:
    """A shock must hit something: a region of the scenario's area, a provider in it."""
    regions = {g.region for g in geography.gemeenten}
    in_area = {p.provider_id for p in providers}
    where = {g.code: g.region for g in geography.gemeenten}
    problems: list[tuple[str, str]] = []
    for i, shock in enumerate(scenario.shocks):
        if shock.region is not None and shock.region not in regions:
            known = shown(sorted(regions), 120)
            problems.append(
                (f"shocks.{i}.region", f"{shown(shock.region)} is no region of this scenario; known: {known}")
            )
            continue
        if shock.which == "largest":
            if not any(shock.region is None or where[p.gemeente] == shock.region for p in providers):
                problems.append((f"shocks.{i}.which", f"no provider of the active care forms in {shock.region}"))
        elif shock.which not in known_ids:
            what = f"{shown(shock.which)} is neither 'largest' nor a provider_id of providers.file"
            problems.append((f"shocks.{i}.which", what))
        elif shock.which not in in_area:
            why = f"provider {shown(shock.which)} is outside this scenario's area or offers none of its care forms"
            problems.append((f"shocks.{i}.which", why))
    if problems:
        raise ScenarioError(f"scenario {scenario.name}", problems)


def _scaled(places: int, factor: float) -> int:
    """``places`` x ``factor`` rounded; an offer of places keeps at least one (``capacity.places_factor``)."""
    if factor == 1.0 or places == 0:
        return places
    return max(1, round(places * factor))


def _werkgebied(row: dict[str, str], label: str, line: int) -> frozenset[str] | None:
    """The optional ``werkgebied`` column: space-separated jeugdregio codes; empty or absent: none."""
    codes = row.get("werkgebied", "").split()
    if not codes:
        return None
    bad = [c for c in codes if not (c.startswith("JZ") and c[2:].isdigit())]
    if bad:
        raise ScenarioError(label, [(f"line {line}, werkgebied", f"not jeugdregio codes (JZnn): {shown(bad, 120)}")])
    return frozenset(codes)


def _branch_in_area(scenario: Scenario, geography: Geography, serves: frozenset[str]) -> tuple[Gemeente | None, float]:
    """The part of an organisation with a werkgebied (a GI) that serves a sub-national run's area: its
    share of the werkgebied's youth that lives in the area, placed in the area's largest gemeente of
    those regions (its branch there; wherever its head office is). None: it serves none of the area."""
    inside = [g for g in geography.gemeenten if g.region in serves]
    if not inside:
        return None, 0.0
    column = scenario.demand.youth_column
    total = sum(
        float(r[column])
        for r in read_csv(scenario.gemeenten_file, "gemeenten_file", [column])
        if r["jeugdregio_code"] in serves
    )
    share = min(1.0, sum(g.youth for g in inside) / total) if total > 0 else 1.0
    return max(inside, key=lambda g: (g.youth, g.code)), share


def load_providers(scenario: Scenario, geography: Geography) -> list[Provider]:
    """Providers located in the scenario's gemeenten, with their offer of active care forms.

    In a sub-national run (``regions``) a provider with a werkgebied (the GIs) takes part with the
    share of its places and reserves that serves the area (:func:`_branch_in_area`)."""
    pfile, ffile = scenario.providers.file, scenario.providers.places_file
    prow = read_csv(pfile, "providers.file", ["provider_id", "naam", "gemeentecode", "groep", "reserves_eur"])
    frow = read_csv(
        ffile,
        "providers.places_file",
        ["provider_id", "zorgvorm", "plaatsen", "kostenfactor"],
    )
    where = geography.by_code()
    active = scenario.active_care_forms()
    offers: dict[str, list[ProviderForm]] = {}
    known_ids = {r["provider_id"] for r in prow}
    for i, r in enumerate(frow, start=2):
        if r["provider_id"] not in known_ids:
            raise ScenarioError(ffile, [(f"line {i}, provider_id", f"{shown(r['provider_id'])} is not in {pfile}")])
        if r["zorgvorm"] not in scenario.care_forms:
            raise ScenarioError(ffile, [(f"line {i}, zorgvorm", f"unknown care form {shown(r['zorgvorm'])}")])
        places = read_number(r, "plaatsen", ffile, i, 0, 1e6)
        if places != int(places):
            raise ScenarioError(ffile, [(f"line {i}, plaatsen", f"must be a whole number, got {places}")])
        if r["zorgvorm"] not in active:
            continue
        offers.setdefault(r["provider_id"], []).append(
            ProviderForm(
                provider_id=r["provider_id"],
                care_form=r["zorgvorm"],
                places=_scaled(int(places), scenario.capacity.places_factor),
                cost_factor=read_number(r, "kostenfactor", ffile, i, 0.0, 1e6),
            )
        )
    providers = []
    seen: set[str] = set()
    for i, r in enumerate(prow, start=2):
        pid = r["provider_id"]
        if pid in seen:
            raise ScenarioError(pfile, [(f"line {i}, provider_id", f"duplicate id {shown(pid)}")])
        seen.add(pid)
        reserves = read_number(r, "reserves_eur", pfile, i, -1e12, 1e12)
        g = where.get(r["gemeentecode"])
        serves = _werkgebied(r, pfile, i)
        weight = read_number(r, "gewicht", pfile, i, 1e-9, 100.0) if r.get("gewicht", "").strip() else 1.0
        forms = offers.get(pid, [])
        if serves is not None and scenario.regions is not None and forms:
            g, share = _branch_in_area(scenario, geography, serves)
            forms = [dataclasses.replace(f, places=max(1, round(f.places * share))) for f in forms]
            reserves *= share
        if g is None or not forms:
            continue  # outside the scenario's area, or offers none of its care forms
        providers.append(
            Provider(
                provider_id=pid,
                name=r["naam"],
                gemeente=g.code,
                group=r["groep"],
                reserves_eur=reserves,
                forms=tuple(sorted(forms, key=lambda f: f.care_form)),
                lon=g.lon,
                lat=g.lat,
                serves=serves,
                weight=weight,
            )
        )
    _check_shocks(scenario, geography, known_ids, providers)
    return providers
