"""Money and administration: the administration curve, staff implied by the tariff at the same
administration share, contracts across unit borders, and budget ceilings split by expected share
and indexed with tariffs. Each test has a hand-computed answer and fails with its mechanism off."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from simulation.config import load_scenario, validate_scenario
from simulation.core import finance
from simulation.core.world import (
    Contract,
    Gemeente,
    Geography,
    Market,
    Provider,
    ProviderForm,
    Unit,
    load_geography,
    load_providers,
)
from simulation.landscape import monthly_cost_per_place
from simulation.regimes import regime_for
from simulation.regimes.base import PurchasingRegime
from tests.conftest import make_scenario, run
from tests.test_providers import sourced, with_overrides

CURVE = {
    "reference_share": sourced(0.30),
    "reference_term_sets": sourced(4.0),
    "per_doubling_of_term_sets": sourced(0.03),
    "per_extra_contract": sourced(0.01),
}


def _with_curve(s, **finance_extra):
    return with_overrides(
        s,
        finance={
            "provider_admin_share_per_contract": None,
            "provider_admin_share_per_term_set": None,
            "admin": CURVE,
            **finance_extra,
        },
    )


class _Stub:
    """Just enough of a State for finance.admin_share."""

    def __init__(self, scenario) -> None:
        self.scenario = scenario


def test_admin_curve_is_anchored_at_the_reference_and_grows_per_doubling(tmp_path) -> None:
    s = _with_curve(make_scenario(tmp_path, places=[4], rate_per_day=0.1, mean_days=10.0))
    state = _Stub(s)
    assert finance.admin_share(state, 4, 4) == pytest.approx(0.30)  # the median provider: reported share
    assert finance.admin_share(state, 8, 8) == pytest.approx(0.33)  # one doubling more
    assert finance.admin_share(state, 1, 1) == pytest.approx(0.24)  # two doublings fewer
    assert finance.admin_share(state, 3, 1) == pytest.approx(0.26)  # two contracts on the same terms
    assert finance.admin_share(state, 0, 0) == pytest.approx(0.24)  # no contract: one set of books
    assert finance.admin_share(state, 10**9, 10**9) == pytest.approx(0.38)  # capped at the maximum


def test_admin_takes_the_curve_share_of_staff_time_in_a_run(tmp_path) -> None:
    # One provider, one unit: one term set, so 0.30 - 2 x 0.03 = 0.24 of productive time. The
    # provider staffs its 4 places as the tariff pays for them, at the reference share (0.30), or
    # (own_share) at its own share.
    for target, share in (("reference_share", 0.30), ("own_share", 0.24)):
        s = make_scenario(tmp_path / target, places=[4], rate_per_day=0.1, mean_days=10.0, years=0.25)
        s = _with_curve(s)
        s = with_overrides(s, finance={"admin": {"staff_target": target}})
        led = run(s).tables["ledger"]
        assert set(led["n_term_sets"]) == {1}
        assert led["admin_share"].iloc[0] == pytest.approx(0.24)
        assert led["fte"].iloc[0] == pytest.approx(4 / (1 - share))


def test_administration_above_the_reference_takes_places_away(tmp_path) -> None:
    # One provider of 10 places contracted by two sub-regional units: two term sets. With the
    # curve at 0.30 for one term set and 0.20 per doubling, it carries 0.50. Staffed as the tariff
    # pays (at 0.30: 10 / 0.7 FTE), its care time fills floor(10 / 0.7 x 0.5) = 7 places; staffed at
    # its own share (20 FTE) all 10.
    places = {}
    for target in ("reference_share", "own_share"):
        s = make_scenario(
            tmp_path / target, places=[10], rate_per_day=0.1, mean_days=10.0, years=0.25, n_gemeenten=2,
            min_providers_per_contract=1, admin_share_max=0.9,
        )  # fmt: skip
        curve = {**CURVE, "reference_term_sets": sourced(1.0), "per_doubling_of_term_sets": sourced(0.2)}
        s = _with_curve(s)
        s = with_overrides(
            s,
            regime={"kind": "fragmented", "split": {"target_youth_per_unit": 182_500.0}},
            finance={"admin": {**curve, "staff_target": target}},
        )
        led = run(s).tables["ledger"]
        assert set(led["n_term_sets"]) == {2} and led["admin_share"].iloc[0] == pytest.approx(0.5)
        places[target] = led["place_days"].iloc[0] / led["days"].iloc[0]
    assert places == {"reference_share": pytest.approx(7.0), "own_share": pytest.approx(10.0)}


def test_staff_implied_by_the_tariff_cover_costs_at_break_even_with_the_reference_share(tmp_path) -> None:
    s = make_scenario(tmp_path, places=[4], rate_per_day=0.1, mean_days=10.0, tariff=200.0)
    s = _with_curve(s, break_even_occupancy=sourced(0.9))
    s = with_overrides(
        s,
        care_forms={
            "zorg": {
                "cost_price": {
                    "staff_per_place": None,
                    "housing_eur_per_place_year": sourced(5000.0),
                    "variable_eur_per_day": sourced(10.0),
                    "overhead_share": sourced(0.15),
                    "non_productive_share": sourced(0.2),
                    "salary_eur_per_fte_year": sourced(50_000.0),
                }
            }
        },
    )
    spp = s.staff_per_place("zorg")
    # By hand: ((200 - 10) x 0.9 x 365 / 1.15 - 5000) / 50000 paid FTE, x 0.8 x 0.7 care time.
    assert spp == pytest.approx(((190 * 0.9 * 365 / 1.15) - 5000) / 50_000 * 0.8 * 0.7)
    # Forward: a place staffed at the reference share costs what the tariff pays at 90% occupancy.
    cost = monthly_cost_per_place(s.care_forms["zorg"], 0.9, 0.30, spp) * 12
    assert cost == pytest.approx(200.0 * 0.9 * 365)
    # At another administration share the same staff cost more or less than the tariff pays.
    assert monthly_cost_per_place(s.care_forms["zorg"], 0.9, 0.10, spp) * 12 < 200.0 * 0.9 * 365


def test_staff_per_place_left_out_needs_the_curve(tmp_path) -> None:
    s = make_scenario(tmp_path, places=[4], rate_per_day=0.1, mean_days=10.0)
    raw = s.model_dump(mode="json", exclude_none=True)
    del raw["care_forms"]["zorg"]["cost_price"]["staff_per_place"]
    with pytest.raises(ValueError, match="reference_share"):
        validate_scenario(raw, label="x")


def _geo(n: int) -> Geography:
    gemeenten = tuple(
        Gemeente(f"GM{i:04d}", f"G{i}", "JZ01", "R", 1000.0, 5.0 + 0.1 * i, 52.0) for i in range(n)
    )  # 0.1 degree of longitude at 52N is about 6.9 km
    return Geography(gemeenten, {"JZ01": frozenset()})


def _provider(pid: str, geo: Geography, i: int, places: int = 5) -> Provider:
    g = geo.gemeenten[i]
    return Provider(pid, pid, g.code, "test", 0.0, (ProviderForm(pid, "zorg", places, 1.0),), g.lon, g.lat)


def _unit(uid: str, geo: Geography, members: list[int]) -> Unit:
    lon = sum(geo.gemeenten[i].lon for i in members) / len(members)
    return Unit(uid, uid, "subregional", "JZ01", tuple(geo.gemeenten[i].code for i in members), lon, 52.0)


class _Regime(PurchasingRegime):
    pass


def test_a_unit_contracts_providers_within_reach_of_its_gemeenten(tmp_path) -> None:
    geo = _geo(10)
    unit = _unit("U", geo, [0, 1])
    near = _provider("NEAR", geo, 3)  # 2 x 6.9 km from gemeente 1
    far = _provider("FAR", geo, 9)  # 55 km away
    inside = _provider("IN", geo, 0)
    s = make_scenario(tmp_path, places=[4], rate_per_day=0.1, mean_days=10.0, min_providers_per_contract=1)
    base = s.regime
    chosen = _Regime(base, 1)._contract_providers(unit, [inside, near, far], geo)
    assert [p.provider_id for p in chosen] == ["IN"]
    reach = base.model_copy(update={"contract_reach_km": 20.0})
    chosen = _Regime(reach, 1)._contract_providers(unit, [far, near, inside], geo)
    assert [p.provider_id for p in chosen] == ["IN", "NEAR"]  # nearest first, the far one out of reach


def test_budget_ceiling_shares_follow_where_children_go_nearest_first() -> None:
    geo = _geo(10)
    unit = _unit("U", geo, [0])
    near, far = _provider("NEAR", geo, 1, places=10), _provider("FAR", geo, 9, places=10)
    market = Market([unit], {}, [Contract("U", "NEAR", "zorg"), Contract("U", "FAR", "zorg")], {}, {})
    # 12 children expected in care: the near provider's 10 places fill first, the far one takes 2.
    shares = finance.expected_shares([near, far], market, {("U", "zorg"): 12.0})
    assert shares[("U", "NEAR", "zorg")] == pytest.approx(10 / 12)
    assert shares[("U", "FAR", "zorg")] == pytest.approx(2 / 12)
    even = finance.even_shares(market)
    assert even[("U", "NEAR", "zorg")] == even[("U", "FAR", "zorg")] == 0.5
    # Short of places: the 6 children beyond all 20 places are shared in proportion to places.
    shares = finance.expected_shares([near, far], market, {("U", "zorg"): 26.0})
    assert shares[("U", "NEAR", "zorg")] == pytest.approx((10 + 3) / 26)
    assert math.fsum(shares.values()) == pytest.approx(1.0)


def test_a_provider_shared_by_two_units_fills_with_the_nearer_units_load_first() -> None:
    geo = _geo(10)
    a, b = _unit("A", geo, [0]), _unit("B", geo, [4])
    p = _provider("P", geo, 1, places=10)  # 6.9 km from A, 20.7 km from B
    q = _provider("Q", geo, 6, places=10)  # 13.8 km from B
    market = Market(
        [a, b], {}, [Contract("A", "P", "zorg"), Contract("B", "P", "zorg"), Contract("B", "Q", "zorg")], {}, {}
    )
    shares = finance.expected_shares([p, q], market, {("A", "zorg"): 8.0, ("B", "zorg"): 8.0})
    assert shares[("A", "P", "zorg")] == pytest.approx(1.0)
    # B: Q (nearer) takes 8 of its 10 places' worth; P has 2 left over from A but is not needed.
    assert shares[("B", "Q", "zorg")] == pytest.approx(1.0)
    assert shares[("B", "P", "zorg")] == pytest.approx(0.0)


def test_children_bound_to_a_werkgebied_are_shared_by_weight_not_distance() -> None:
    # Two GIs serving the region, weights 3 and 1: a child is bound to one by weight
    # (matching.bind), so the unit's ceiling and a GI's expected tariff follow 3/4 and 1/4,
    # however near either sits; without binding, the nearer one fills first.
    geo = _geo(10)
    unit = _unit("U", geo, [0])
    near = replace(_provider("NEAR", geo, 1, places=10), serves=frozenset({"JZ01"}), weight=1.0)
    far = replace(_provider("FAR", geo, 9, places=10), serves=frozenset({"JZ01"}), weight=3.0)
    market = Market([unit], {}, [Contract("U", "NEAR", "zorg"), Contract("U", "FAR", "zorg")], {}, {})
    load = {("U", "zorg"): 8.0}
    bound = finance.expected_shares([near, far], market, load, bound=True)
    assert bound[("U", "NEAR", "zorg")] == pytest.approx(0.25) and bound[("U", "FAR", "zorg")] == pytest.approx(0.75)
    free = finance.expected_shares([near, far], market, load)
    assert free[("U", "NEAR", "zorg")] == pytest.approx(1.0)
    # A unit with any provider without a werkgebied keeps nearest first.
    other = _provider("OTHER", geo, 2, places=10)
    mixed = Market([unit], {}, [*market.contracts, Contract("U", "OTHER", "zorg")], {}, {})
    assert finance.expected_shares([near, far, other], mixed, load, bound=True)[("U", "NEAR", "zorg")] == 1.0


def _ceiling_run(tmp_path, indexed: bool):
    s = make_scenario(tmp_path, places=[40], rate_per_day=1.0, mean_days=20.0, years=1.0, initial_stock=True)
    return with_overrides(
        s,
        finance={"budget_ceiling_factor": sourced(0.5), "budget_ceilings": {"indexed": indexed}},
        tariff_changes=[{"date": "2026-04-01", "factor": 1.5}],
    )


def test_budget_ceilings_follow_a_tariff_change(tmp_path) -> None:
    # 20 children in care x 100 EUR x 365 days = 730,000 a year; the ceiling is half of it. With
    # the tariff up by half from April the care delivered exceeds both; the indexed ceiling pays
    # 1.5 x 365,000 (scaled when the tariff moved), the fixed one stays at 365,000.
    paid = {}
    for indexed in (True, False):
        pay = run(_ceiling_run(tmp_path / str(indexed), indexed)).tables["payments"]
        assert pay["delivered_eur"].sum() > 600_000
        paid[indexed] = pay["paid_eur"].sum()
    assert paid[False] == pytest.approx(365_000, rel=1e-9)
    assert paid[True] == pytest.approx(1.5 * 365_000, rel=1e-9)


def test_the_reference_term_sets_are_the_median_of_the_fragmented_default() -> None:
    # The administration curve is anchored at the reported share for the median provider of
    # today's (fragmented) market: the stated median must be the one the market has.
    s = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "gefragmenteerd.yaml")
    geo = load_geography(s)
    market = regime_for(s).build(geo, s.active_care_forms(), load_providers(s, geo))
    terms: dict[str, set[str]] = {}
    for c in market.contracts:
        terms.setdefault(c.provider_id, set()).add(c.unit_id)
    counts = sorted(len(v) for v in terms.values())
    median = counts[len(counts) // 2]
    assert s.finance.admin is not None
    assert s.finance.admin.reference_term_sets.value == median


def test_fragmented_units_differ_in_tariff_within_the_documented_spread() -> None:
    s = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "gefragmenteerd.yaml")
    geo = load_geography(s)
    providers = load_providers(s, geo)
    reference = s.care_forms["intensief_ambulant"].tariff_eur_per_day.value
    tariffs = [t for (uid, f), t in regime_for(s).build(geo, s.active_care_forms(), providers).tariff.items()
               if f == "intensief_ambulant" and uid.startswith("S-")]  # fmt: skip
    assert len(tariffs) > 50 and len(set(tariffs)) == len(tariffs)  # each unit its own tariff
    assert all(abs(t / reference - 1.0) <= s.regime.tariff_spread + 1e-12 for t in tariffs)
    assert max(tariffs) / min(tariffs) > 1.15  # the spread is used, not only allowed
    # One term set per region (the regional regime): one tariff, the reference.
    regional = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "regionaal.yaml")
    market = regime_for(regional).build(geo, regional.active_care_forms(), providers)
    assert {t for (_, f), t in market.tariff.items() if f == "intensief_ambulant"} == {reference}


def _two_unit_provider(tmp_path, rule: str):
    """One provider of 10 places contracted by two sub-regional units (two term sets): with the
    curve at 0.30 for one term set and 0.20 per doubling it carries 0.50, staffed at its own share."""
    s = make_scenario(
        tmp_path / rule, places=[10], rate_per_day=0.5, mean_days=10.0, years=0.25, n_gemeenten=2,
        min_providers_per_contract=1, admin_share_max=0.9,
    )  # fmt: skip
    curve = {**CURVE, "reference_term_sets": sourced(1.0), "per_doubling_of_term_sets": sourced(0.2)}
    s = _with_curve(s, break_even_occupancy=sourced(0.9))
    return with_overrides(
        s,
        regime={"kind": "fragmented", "split": {"target_youth_per_unit": 182_500.0}},
        finance={
            "admin": {**curve, "staff_target": "own_share"},
            "tariff_admin": {"rule": rule, "assumption": "test"},
        },
    )


def test_reasonable_tariffs_pay_for_the_contracted_providers_administration(tmp_path) -> None:
    # The AMvB reele prijzen rule per unit (finance.tariff_admin: contracted_mean): each unit pays
    # for a place staffed at the 0.50 administration share of its only provider, at break-even
    # occupancy, instead of the tariff's reference 0.30 (which leaves the provider short).
    tariffs = {}
    for rule in ("reference", "contracted_mean"):
        s = _two_unit_provider(tmp_path, rule)
        tables = run(s).tables
        assert list(tables["ledger"]["admin_share"].unique()) == [pytest.approx(0.5)]
        # One provider, one form, both units on the same rule: delivered euros per occupied day.
        tariffs[rule] = tables["payments"]["delivered_eur"].sum() / tables["ledger"]["occupied_days"].sum()
    form = s.care_forms["zorg"]
    spp = s.staff_per_place("zorg")
    # The tariff (100, given) rises by what a place costs more a year at 0.50 than at 0.30,
    # spread over the days it is occupied at break-even: by hand 1,000 x (1/0.5 - 1/0.7) / (0.9 x 365).
    extra = (monthly_cost_per_place(form, 0.9, 0.5, spp) - monthly_cost_per_place(form, 0.9, 0.3, spp)) * 12
    assert extra / (0.9 * 365) == pytest.approx(1000.0 * (1 / 0.5 - 1 / 0.7) / (0.9 * 365))
    assert tariffs["reference"] == pytest.approx(100.0)
    assert tariffs["contracted_mean"] == pytest.approx(100.0 + extra / (0.9 * 365))


def test_reasonable_tariffs_need_the_admin_curve(tmp_path) -> None:
    s = make_scenario(tmp_path, places=[4], rate_per_day=0.1, mean_days=10.0)
    with pytest.raises(ValueError, match="tariff_admin"):
        with_overrides(s, finance={"tariff_admin": {"rule": "contracted_mean", "assumption": "test"}})


def test_reasonable_tariffs_are_a_floor_not_a_cut(tmp_path) -> None:
    # One provider serving one unit carries 0.24 (< the reference 0.30): the given tariff already
    # covers its cost, and the rule (a price at least covering the cost) leaves it at 100.
    s = make_scenario(tmp_path, places=[4], rate_per_day=0.3, mean_days=10.0, years=0.25)
    s = _with_curve(s, break_even_occupancy=sourced(0.9))
    s = with_overrides(s, finance={"tariff_admin": {"rule": "contracted_mean", "assumption": "test"}})
    tables = run(s).tables
    assert list(tables["ledger"]["admin_share"].unique()) == [pytest.approx(0.24)]
    assert tables["payments"]["delivered_eur"].sum() / tables["ledger"]["occupied_days"].sum() == pytest.approx(100.0)
