"""The contracting units and markets each regime builds for the national default data.

Region membership is read straight from data/gemeenten.csv, not from the model's geography.
"""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from simulation import runner
from simulation.config import load_scenario
from tests.conftest import ROOT, SCENARIOS

REGIMES = ["gefragmenteerd", "regionaal", "landelijk"]


@pytest.fixture(scope="module")
def region_of() -> dict[str, str]:
    with open(ROOT / "data" / "gemeenten.csv", newline="", encoding="utf-8") as fh:
        return {r["gemeentecode"]: r["jeugdregio_code"] for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def places_of() -> dict[tuple[str, str], int]:
    with open(ROOT / "data" / "generated" / "aanbieders_plaatsen.csv", newline="", encoding="utf-8") as fh:
        return {(r["provider_id"], r["zorgvorm"]): int(float(r["plaatsen"])) for r in csv.DictReader(fh)}


@pytest.fixture(scope="module", params=REGIMES)
def built(request):
    scenario = load_scenario(SCENARIOS / f"{request.param}.yaml")
    return request.param, scenario, runner.build_world(scenario)


def test_data_has_342_gemeenten_in_42_regions(region_of):
    assert len(region_of) == 342
    assert len(set(region_of.values())) == 42


def test_fragmented_split(region_of):
    scenario = load_scenario(SCENARIOS / "gefragmenteerd.yaml")
    world = runner.build_world(scenario)
    units = [u for u in world.market.units if u.level == "subregional"]
    assert len(units) >= 55
    assert len({u.unit_id for u in units}) == len(units)
    # Every gemeente lies in exactly one sub-regional unit.
    membership = Counter(code for u in units for code in u.gemeenten)
    assert set(membership) == set(region_of)
    assert set(membership.values()) == {1}
    # No unit spans regions, and each says which region it lies in.
    for u in units:
        assert {region_of[c] for c in u.gemeenten} == {u.region}, u.unit_id
    # Every region is split into at least one unit; the big ones into several.
    per_region = Counter(u.region for u in units)
    assert set(per_region) == set(region_of.values())
    assert max(per_region.values()) > 1
    # Sub-regionally bought forms go to the gemeente's own unit; the others to region or nation.
    unit_of = {code: u.unit_id for u in units for code in u.gemeenten}
    regime = scenario.regime
    for (code, form), unit_id in world.market.unit_for.items():
        if form in regime.national_forms:
            assert unit_id == "NL"
        elif form in regime.regional_forms:
            assert unit_id == f"R-{region_of[code]}"
        else:
            assert unit_id == unit_of[code]


def test_regional_units(region_of):
    world = runner.build_world(load_scenario(SCENARIOS / "regionaal.yaml"))
    units = [u for u in world.market.units if u.level == "regional"]
    assert len(units) == 42
    for u in units:
        expected = sorted(c for c, r in region_of.items() if r == u.region)
        assert sorted(u.gemeenten) == expected, u.unit_id
    assert {u.level for u in world.market.units} == {"regional", "national"}


def test_national_unit_buys_every_national_form(region_of):
    scenario = load_scenario(SCENARIOS / "landelijk.yaml")
    world = runner.build_world(scenario)
    national = [u for u in world.market.units if u.unit_id == "NL"]
    assert len(national) == 1 and national[0].level == "national"
    assert sorted(national[0].gemeenten) == sorted(region_of)
    forms = scenario.regime.national_forms
    assert len(forms) >= 5
    for form in forms:
        assert all(world.market.unit_for[(code, form)] == "NL" for code in region_of), form
        assert any(c.unit_id == "NL" and c.care_form == form for c in world.market.contracts), form
        # One contract per provider of the form, for the whole country.
        nl = [c.provider_id for c in world.market.contracts if c.unit_id == "NL" and c.care_form == form]
        assert len(nl) == len(set(nl))
    # No other unit buys a national form.
    assert not [c for c in world.market.contracts if c.care_form in forms and c.unit_id != "NL"]


def test_every_gemeente_and_form_has_an_eligible_provider(built, region_of, places_of):
    name, scenario, world = built
    market = world.market
    unit_ids = {u.unit_id for u in market.units}
    forms = list(scenario.active_care_forms())
    assert len(forms) == 14
    for code in region_of:
        for form in forms:
            unit = market.unit_for[(code, form)]
            assert unit in unit_ids
            eligible = market.eligible[(unit, form)]
            assert eligible, f"{name}: nobody may take a {form} child from {code} (unit {unit})"
            # An eligible provider really offers places of that form.
            assert any(places_of.get((pid, form), 0) > 0 for pid in eligible), (name, code, form)
    # Every unit contracts at least min_providers_per_contract providers where that many exist.
    offering = Counter(f for (_, f), n in places_of.items() if n > 0)
    need = scenario.regime.min_providers_per_contract
    contracted = Counter((c.unit_id, c.care_form) for c in market.contracts)
    for unit, form in market.eligible:
        assert contracted[(unit, form)] >= min(need, offering[form]), (name, unit, form)
