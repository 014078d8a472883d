"""Regional differences: referral factors per gemeente, the GIs' werkgebied, OTS and voogdij."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation.config import Scenario, ScenarioError, fingerprint, load_scenario, scenario_files, validate_scenario
from simulation.core.demand import generate
from simulation.core.random import Streams
from simulation.core.world import load_geography, load_providers
from simulation.landscape import generate_landscape
from simulation.regimes import regime_for
from tests.conftest import MAIN_FORM, make_scenario

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import regional_factors  # noqa: E402  (a developer script, not a package)

NEDERLAND = ROOT / "scenarios" / "nederland.yaml"


@pytest.fixture(scope="module")
def nederland() -> Scenario:
    return load_scenario(NEDERLAND)


def _with_factors(scenario: Scenario, path: Path | None) -> Scenario:
    demand = scenario.demand.model_copy(update={"regional_factors_file": None if path is None else str(path)})
    return scenario.model_copy(update={"demand": demand})


def _write_factors(path: Path, rows: list[tuple[str, str, float]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["gemeentecode", "zorgvorm", "factor"])
        w.writerows(rows)
    return path


# -- referral factors ----------------------------------------------------------------------------


def test_shipped_factors_keep_the_national_rate(nederland: Scenario) -> None:
    """Conservation: sum(youth x factor) = sum(youth) for every care form, so the national number of
    referrals is the scenario's rate x the national youth, with or without regional factors."""
    assert nederland.demand.regional_factors_file is not None
    geo = load_geography(nederland)
    youth = np.array([g.youth for g in geo.gemeenten])
    for form in nederland.care_forms:
        factors = np.array([g.referral_factors[form] for g in geo.gemeenten])
        assert abs((youth * factors).sum() / youth.sum() - 1.0) < 1e-4, form
        assert factors.std() > 0.1, form  # and they do differ between gemeenten


def test_national_referrals_unchanged_by_the_factors(nederland: Scenario) -> None:
    """The expected national inflow with factors equals the one without (Little's law load)."""
    with_f = load_geography(nederland)
    without = load_geography(_with_factors(nederland, None))
    for form in ("pleegzorg", "intensief_ambulant", "jeugdreclassering"):
        a = sum(g.youth * g.referral_factors[form] for g in with_f.gemeenten)
        b = sum(g.youth * g.referral_factors.get(form, 1.0) for g in without.gemeenten)
        assert a == pytest.approx(b, rel=1e-4)


def test_a_gemeente_with_twice_the_share_gets_twice_the_referrals(tmp_path: Path) -> None:
    """Two gemeenten of equal youth, factors 4/3 and 2/3 (twice the share; conserving): over ten
    years about 2,430 and 1,220 referrals; their ratio is 2 within sampling error (SE about 0.07)."""
    s = make_scenario(tmp_path, places=5, rate_per_day=1.0, mean_days=10.0, n_gemeenten=2, years=10)
    path = _write_factors(tmp_path / "f.csv", [("GM0001", MAIN_FORM, 4 / 3), ("GM0002", MAIN_FORM, 2 / 3)])
    counts = {}
    for label, scenario in (("factors", _with_factors(s, path)), ("uniform", s)):
        geo = load_geography(scenario)
        refs = generate(geo.gemeenten, scenario.care_forms, scenario.demand, Streams(7, 0), 3650.0, False)
        counts[label] = np.bincount(refs.gemeente, minlength=2)
    high, low = counts["factors"]
    assert high / low == pytest.approx(2.0, abs=0.25)
    assert (high + low) == pytest.approx(3650, abs=4 * 3650**0.5)  # the total is the scenario's rate
    u1, u2 = counts["uniform"]
    assert u1 / u2 == pytest.approx(1.0, abs=0.15)


def test_a_factors_file_must_cover_every_gemeente(tmp_path: Path) -> None:
    s = make_scenario(tmp_path, places=5, rate_per_day=1.0, mean_days=10.0, n_gemeenten=2)
    path = _write_factors(tmp_path / "f.csv", [("GM0001", MAIN_FORM, 1.5)])
    with pytest.raises(ScenarioError, match="no factor for gemeente GM0002"):
        load_geography(_with_factors(s, path))
    bad = _write_factors(tmp_path / "g.csv", [("GM0001", MAIN_FORM, -1.0), ("GM0002", MAIN_FORM, 1.0)])
    with pytest.raises(ScenarioError, match="out of range"):
        load_geography(_with_factors(s, bad))


def test_the_fingerprint_covers_the_factors_file(tmp_path: Path) -> None:
    s = make_scenario(tmp_path, places=5, rate_per_day=1.0, mean_days=10.0, n_gemeenten=2)
    path = _write_factors(tmp_path / "f.csv", [("GM0001", MAIN_FORM, 1.5), ("GM0002", MAIN_FORM, 0.5)])
    before = fingerprint(_with_factors(s, path))
    _write_factors(path, [("GM0001", MAIN_FORM, 1.4), ("GM0002", MAIN_FORM, 0.6)])
    assert fingerprint(_with_factors(s, path)) != before
    assert fingerprint(s) != before


def _fill(gem: dict[str, dict[str, object]], pct: dict[str, float | None], n: float = 1e9):
    return regional_factors.fill_and_shrink(gem, pct, dict.fromkeys(gem, n))


def test_suppressed_cells_fall_back_to_the_region_then_the_nation() -> None:
    """Hand-built: region R1 has A (10%, youth 1,000) and B (20%, youth 3,000) and a suppressed C;
    region R2 has only a suppressed D. C gets R1's youth-weighted mean 17.5%; D the national mean of
    the known gemeenten, also 17.5%; known cells keep their own value when their youth is huge."""
    gem: dict[str, dict[str, object]] = {
        "A": {"regio": "R1", "y17": 1000.0},
        "B": {"regio": "R1", "y17": 3000.0},
        "C": {"regio": "R1", "y17": 500.0},
        "D": {"regio": "R2", "y17": 800.0},
    }
    value, origin, weight = _fill(gem, {"A": 10.0, "B": 20.0, "C": None, "D": None})
    assert origin == {"A": "gemeente", "B": "gemeente", "C": "regio", "D": "nationaal"}
    assert value["C"] == pytest.approx(17.5)
    assert value["D"] == pytest.approx(17.5)
    assert value["A"] == pytest.approx(10.0, abs=0.01) and weight["A"] > 0.99


def test_shrinkage_pulls_small_gemeenten_to_their_region() -> None:
    """With few youth (large sampling variance) a share moves toward the regional mean; with many it stays."""
    gem: dict[str, dict[str, object]] = {f"G{i}": {"regio": "R1", "y17": 1000.0} for i in range(6)}
    pct = {"G0": 5.0, "G1": 15.0, "G2": 9.0, "G3": 11.0, "G4": 10.0, "G5": 10.0}
    big, _, w_big = _fill(gem, pct, n=1e7)
    small, _, w_small = _fill(gem, pct, n=50.0)
    assert w_small["G0"] < w_big["G0"]
    assert abs(small["G0"] - 10.0) < abs(big["G0"] - 10.0)


def test_shipped_fallbacks_are_the_documented_ones() -> None:
    """The shipped file marks 8 gemeenten filled for JB and 156 for JR (PROVENANCE), and a filled
    gemeente's factor is its region's pooled figure (the same for every filled gemeente of a region)."""
    rows = pd.read_csv(ROOT / "data" / "regionaal" / "verwijsfactoren_gemeente.csv")
    jb = rows[rows["zorgvorm"] == "jeugdbescherming"]
    jr = rows[rows["zorgvorm"] == "jeugdreclassering"]
    assert (jb["bron"] == "regio").sum() == 8
    assert (jr["bron"] == "regio").sum() == 156
    assert (rows["bron"] == "nationaal").sum() == 0
    assert (rows.loc[rows["bron"] == "regio", "gewicht_gemeente"] == 0).all()


# -- the GIs' werkgebied ---------------------------------------------------------------------------


def _werkgebied() -> dict[str, set[str] | None]:
    rows = pd.read_csv(ROOT / "data" / "regio" / "gi_werkgebied.csv")
    return {r.naam: (None if r.jeugdregio_codes == "*" else set(r.jeugdregio_codes.split())) for r in rows.itertuples()}


def test_gi_placement_follows_the_werkgebied_file(nederland: Scenario) -> None:
    providers, _ = generate_landscape(nederland)
    gis = [p for p in providers if p["groep"] == "gecertificeerde_instelling"]
    served = _werkgebied()
    assert [p["naam"] for p in gis] == list(served)
    regions = set(load_geography(nederland).regions)
    for p in gis:
        expected = served[str(p["naam"])] or regions
        assert set(str(p["werkgebied"]).split()) == expected
        assert p["jeugdregio_code"] in expected  # the office lies in a region it serves


def test_jb_and_jr_are_contracted_only_from_the_gis_serving_the_region(nederland: Scenario) -> None:
    """Every regional unit contracts, for OTS, voogdij and JR, exactly the GIs whose werkgebied holds
    its region (the regional GI(s) and the two national ones), wherever their office is."""
    geo = load_geography(nederland)
    providers = load_providers(nederland, geo)
    market = regime_for(nederland).build(geo, nederland.active_care_forms(), providers)
    serves = {p.provider_id: p.serves for p in providers if p.serves is not None}
    assert len(serves) == 13
    gi = next(g for g in nederland.providers.generator.groups if g.werkgebied_file)  # type: ignore[union-attr]
    for form in gi.forms:
        for region in geo.regions:
            got = {c.provider_id for c in market.contracts if c.unit_id == f"R-{region}" and c.care_form == form}
            assert got == {pid for pid, regions in serves.items() if region in regions}, (form, region)


def test_a_werkgebied_file_must_match_the_group_count(nederland: Scenario, tmp_path: Path) -> None:
    gen = nederland.providers.generator
    assert gen is not None
    short = tmp_path / "gi.csv"
    short.write_text("naam,jeugdregio_codes,gewicht,bron\nEen,*,1.0,assumption\n", encoding="utf-8")
    groups = [g.model_copy(update={"werkgebied_file": str(short)}) if g.werkgebied_file else g for g in gen.groups]
    generator = gen.model_copy(update={"groups": groups})
    s = nederland.model_copy(update={"providers": nederland.providers.model_copy(update={"generator": generator})})
    with pytest.raises(ScenarioError, match="must agree"):
        generate_landscape(s)


def test_a_sub_national_run_takes_the_part_of_each_gi_that_serves_its_area(nederland: Scenario) -> None:
    """Midden-Holland (JZ27) alone: Jeugdbescherming west (office in Haaglanden) and the two national
    GIs take part, placed in the area, with their places scaled by the area's share of their
    werkgebied's youth; no other GI does."""
    national = {p.provider_id: p for p in load_providers(nederland, load_geography(nederland))}
    area = nederland.model_copy(update={"regions": ["JZ27"]})
    geo = load_geography(area)
    gis = {p.provider_id: p for p in load_providers(area, geo) if p.serves is not None}
    assert {p.name for p in gis.values()} == {
        "Jeugdbescherming west",
        "William Schrikker Stichting Jeugdbescherming & Jeugdreclassering",
        "Leger des Heils Jeugdbescherming & Reclassering",
    }
    rows = pd.read_csv(ROOT / "data" / "gemeenten.csv")
    youth_27 = rows.loc[rows["jeugdregio_code"] == "JZ27", "jeugd_0_17"].sum()
    for pid, p in gis.items():
        assert p.gemeente in {g.code for g in geo.gemeenten}
        served = rows["jeugdregio_code"].isin(national[pid].serves or ())
        share = youth_27 / rows.loc[served, "jeugd_0_17"].sum()
        for f, full in zip(p.forms, national[pid].forms, strict=True):
            assert f.places == max(1, round(full.places * share)), (p.name, f.care_form)


# -- OTS and voogdij ---------------------------------------------------------------------------------


def test_voogdij_is_its_own_form_with_its_own_flow_and_duration(nederland: Scenario) -> None:
    """Voogdij: ~1,325 referrals a year lasting ~7 years (2,557 days), an initial stock of about the
    CBS 2022 mean (9,280); the OTS keeps its 2.29 years. Both are delivered by the GIs."""
    ots, voogdij = nederland.care_forms["jeugdbescherming"], nederland.care_forms["voogdij"]
    assert voogdij.duration.mean_days == pytest.approx(2557)
    assert ots.duration.mean_days == pytest.approx(836)
    gi = next(g for g in nederland.providers.generator.groups if g.name == "gecertificeerde_instelling")  # type: ignore[union-attr]
    assert {"jeugdbescherming", "voogdij", "jeugdreclassering"} <= set(gi.forms)
    geo = load_geography(nederland)
    forms = {k: nederland.care_forms[k] for k in ("jeugdbescherming", "voogdij")}
    refs = generate(geo.gemeenten, forms, nederland.demand, Streams(11, 0), 365.0, True)
    new = refs.origin == 0
    is_v = refs.form == 1
    n_new = int((new & is_v).sum())
    assert n_new == pytest.approx(1325, abs=4 * 1325**0.5)
    assert refs.duration[new & is_v].mean() == pytest.approx(2557, rel=0.1)
    assert refs.duration[new & ~is_v].mean() == pytest.approx(836, rel=0.05)
    in_care = ~new & (refs.t >= 0)  # the initial waiting lists were referred before the start
    stock_v = int((in_care & is_v).sum())
    stock_ots = int((in_care & ~is_v).sum())
    assert stock_v == pytest.approx(9280, abs=4 * 9280**0.5)
    assert stock_ots == pytest.approx(20640, abs=4 * 20640**0.5)


def test_the_werkgebied_file_is_named_checked_and_fingerprinted(nederland: Scenario, tmp_path: Path) -> None:
    """Like every data file a scenario names: it must exist, and its bytes (not its path) count."""
    gen = nederland.providers.generator
    assert gen is not None
    index = next(i for i, g in enumerate(gen.groups) if g.werkgebied_file)
    field = f"providers.generator.groups.{index}.werkgebied_file"
    assert dict(scenario_files(nederland))[field] == gen.groups[index].werkgebied_file
    copy = tmp_path / "gi.csv"
    copy.write_bytes(Path(str(gen.groups[index].werkgebied_file)).read_bytes())

    def with_file(path: Path) -> Scenario:
        groups = [g.model_copy(update={"werkgebied_file": str(path)}) if g.werkgebied_file else g for g in gen.groups]
        generator = gen.model_copy(update={"groups": groups})
        return nederland.model_copy(
            update={"providers": nederland.providers.model_copy(update={"generator": generator})}
        )

    assert fingerprint(with_file(copy)) == fingerprint(nederland)  # same bytes elsewhere
    copy.write_text(copy.read_text(encoding="utf-8").replace(",0.09,", ",0.10,", 1), encoding="utf-8")
    assert fingerprint(with_file(copy)) != fingerprint(nederland)
    missing = tmp_path / "missing.csv"
    raw = nederland.model_dump(mode="json")
    raw["providers"]["generator"]["groups"][index]["werkgebied_file"] = str(missing)
    with pytest.raises(ScenarioError, match="file not found"):
        validate_scenario(raw, "test")
