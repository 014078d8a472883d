"""Provider cost levels that follow the tariffs they are paid (``finance.cost_levels``).

Hand-built: two gemeenten, each its own fragmented unit with its own tariff, each with one local
provider of the same cost draw. Under ``own`` the two providers' costs are equal and their
margins differ with their units' tariffs; under ``expected_tariff`` each provider's staff cost
scales by its unit's tariff over the reference, so the margins are equal."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulation.config import ScenarioError, load_scenario
from simulation.core.cost_levels import adapt_cost_levels
from simulation.core.finance import unit_loads
from simulation.core.world import load_geography, load_providers
from simulation.regimes import regime_for
from tests.conftest import make_scenario, run
from tests.test_providers import with_overrides

FIXED = 90_000.0  # euros a year of staff cost per provider at the reference tariff
RESERVES = 1e6


def _two_units(tmp_path, rule: str | None, spread: float = 0.3):
    s = make_scenario(
        tmp_path / f"{rule}-{spread}", places=[3, 3], rate_per_day=2.0, mean_days=20.0, years=0.5, n_gemeenten=2,
        min_providers_per_contract=1, fixed_cost_eur_per_year=FIXED, reserves_eur=RESERVES,
    )  # fmt: skip
    regime = {"kind": "fragmented", "split": {"target_youth_per_unit": 182_500.0}, "tariff_spread": spread}
    finance = {} if rule is None else {"cost_levels": {"rule": rule, "assumption": "test"}}
    return with_overrides(s, regime=regime, finance=finance)


def _per_provider(tables):
    columns = ["revenue_eur", "staff_cost_eur", "occupied_days", "nominal_place_days"]
    ledger = tables["ledger"].groupby("provider_id")[columns].sum()
    ledger["tariff"] = ledger["revenue_eur"] / ledger["occupied_days"]
    # The margin of a full place: the two providers fill their first places on different days.
    ledger["margin"] = 1.0 - ledger["staff_cost_eur"] / (ledger["tariff"] * ledger["nominal_place_days"])
    # Reserves before the first month: its closing reserves less its margin.
    first = tables["ledger"].groupby("provider_id")[["reserves_eur", "margin_eur"]].first()
    return ledger, first["reserves_eur"] - first["margin_eur"]


def test_costs_follow_the_home_units_tariff_and_margins_no_longer_differ(tmp_path) -> None:
    own, own_reserves = _per_provider(run(_two_units(tmp_path, "own")).tables)
    follow, follow_reserves = _per_provider(run(_two_units(tmp_path, "expected_tariff")).tables)
    # Both providers stay full all run (20 days x 2 a day against 6 places), and the units' tariffs
    # differ: the spread is drawn from the same named stream under both rules.
    assert own["tariff"].tolist() == pytest.approx(follow["tariff"].tolist())
    factor = own["tariff"] / 100.0
    assert abs(factor.iloc[0] - factor.iloc[1]) > 0.02
    # own: equal costs, so the margins differ by the tariffs.
    assert own["staff_cost_eur"].iloc[0] == pytest.approx(own["staff_cost_eur"].iloc[1])
    assert abs(own["margin"].iloc[0] - own["margin"].iloc[1]) > 0.02
    # expected_tariff: each provider's cost x its unit's tariff factor; margins equal.
    assert follow["staff_cost_eur"].tolist() == pytest.approx((own["staff_cost_eur"] * factor).tolist())
    assert follow["margin"].iloc[0] == pytest.approx(follow["margin"].iloc[1])
    # Reserves stay the opening balance the money is counted from.
    assert own_reserves.tolist() == follow_reserves.tolist() == pytest.approx([RESERVES, RESERVES])


def test_no_rule_leaves_the_costs_as_drawn(tmp_path) -> None:
    none, _ = _per_provider(run(_two_units(tmp_path, None)).tables)
    own, _ = _per_provider(run(_two_units(tmp_path, "own")).tables)
    assert none["staff_cost_eur"].tolist() == own["staff_cost_eur"].tolist()


def test_a_rule_without_source_or_assumption_is_refused(tmp_path) -> None:
    s = make_scenario(tmp_path, places=[2], rate_per_day=0.1, mean_days=10.0)
    with pytest.raises((ScenarioError, ValueError), match="cost_levels"):
        with_overrides(s, finance={"cost_levels": {"rule": "expected_tariff"}})


def test_units_paying_the_reference_leave_the_costs_untouched_to_the_bit(tmp_path) -> None:
    # A provider paid by several units at the reference tariff: its factor is exactly 1.
    s = _two_units(tmp_path, "own", spread=0.0)
    follow = _two_units(tmp_path, "expected_tariff", spread=0.0)
    s, follow = (with_overrides(x, regime={"contract_reach_km": 100.0}) for x in (s, follow))
    a, b = run(s).tables["ledger"], run(follow).tables["ledger"]
    assert (a["n_term_sets"] == 2).all()
    assert a.equals(b)


def test_the_fragmented_defaults_cost_levels_follow_its_units_tariffs() -> None:
    # National default, at world build: in the fragmented regime each provider form's cost level
    # moves by its units' tariff factors (within the +-10% spread, not all alike); in the
    # regional regime (one tariff, the reference) every cost level stays as drawn, to the bit.
    root = Path(__file__).resolve().parents[1] / "scenarios"
    moved = {}
    for name in ("gefragmenteerd", "regionaal"):
        s = load_scenario(root / f"{name}.yaml")
        geo = load_geography(s)
        drawn = load_providers(s, geo)
        market = regime_for(s).build(geo, s.active_care_forms(), drawn)
        adapted = adapt_cost_levels(s, geo, drawn, market)
        ratios = [a.cost_factor / d.cost_factor for p, q in zip(drawn, adapted, strict=True)
                  for d, a in zip(p.forms, q.forms, strict=True)]  # fmt: skip
        moved[name] = (ratios, s.regime.tariff_spread)
    ratios, spread = moved["gefragmenteerd"]
    assert all(abs(r - 1.0) <= spread + 1e-12 for r in ratios)
    assert max(ratios) - min(ratios) > spread  # the spread reaches the costs
    assert set(moved["regionaal"][0]) == {1.0}


def test_a_gi_serving_several_regions_follows_their_tariffs_by_its_weights() -> None:
    # Children under a measure are bound to a GI by the GIs' weights (matching.bind), not sent to
    # the nearest: a GI's expected care from each region it serves is the region's load x its
    # weight over the weights of the region's GIs.
    s = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "gefragmenteerd.yaml")
    geo = load_geography(s)
    drawn = load_providers(s, geo)
    market = regime_for(s).build(geo, s.active_care_forms(), drawn)
    adapted = {p.provider_id: p for p in adapt_cost_levels(s, geo, drawn, market)}
    load = unit_loads(s, geo.gemeenten, market)
    form, reference = "jeugdbescherming", s.care_forms["jeugdbescherming"].tariff_eur_per_day.value
    gis = [p for p in drawn if p.serves is not None and any(o.care_form == form for o in p.forms)]
    checked = 0
    for p in gis:
        if len(p.serves or ()) < 2:
            continue
        care = {}
        for region in p.serves or ():
            peers = [q for q in gis if region in (q.serves or ())]
            care[region] = load[(f"R-{region}", form)] * p.weight / sum(q.weight for q in peers)
        tariffs = {r: market.tariff[(f"R-{r}", form)] / reference for r in care}
        if max(tariffs.values()) - min(tariffs.values()) < 0.01:
            continue
        expected = sum(care[r] * tariffs[r] for r in care) / sum(care.values())
        (drawn_offer,) = [o for o in p.forms if o.care_form == form]
        (offer,) = [o for o in adapted[p.provider_id].forms if o.care_form == form]
        assert offer.cost_factor == pytest.approx(drawn_offer.cost_factor * expected, rel=1e-12), p.provider_id
        checked += 1
    assert checked >= 3
