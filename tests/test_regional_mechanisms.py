"""The switches that let a fragmented regime borrow one regional mechanism at a time.

``regime.regional_mechanisms`` ([] = the fragmented regime itself) and ``pooled_forms`` in a
fragmented regime exist for ``explain``: each must change its own mechanism and nothing else,
and all of them together must give exactly the regional regime's market.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simulation.config import Scenario, ScenarioError, load_scenario
from simulation.core.world import Market
from simulation.runner import build_world, run_replication

ROOT = Path(__file__).resolve().parents[1]
FRAGMENTED = ROOT / "scenarios" / "gefragmenteerd.yaml"
REGIONAL = ROOT / "scenarios" / "regionaal.yaml"
FLEVOLAND_FORMS = ["pleegzorg", "gezinshuis", "residentieel", "crisisopvang", "intensief_ambulant", "dagbehandeling"]


def _fragmented(mechanisms: list[str], **overrides: Any) -> Scenario:
    regime = {**load_scenario(FRAGMENTED).regime.model_dump(mode="json"), "regional_mechanisms": mechanisms}
    return load_scenario(FRAGMENTED, {"regime": {**regime, **overrides}})


def _market(s: Scenario) -> Market:
    return build_world(s).market


def _as_tables(m: Market) -> tuple[Any, ...]:
    return (
        [u.unit_id for u in m.units],
        m.unit_for,
        sorted((c.unit_id, c.provider_id, c.care_form) for c in m.contracts),
        m.eligible,
        m.tariff,
    )


def test_the_default_borrows_nothing_and_keeps_the_fragmented_market() -> None:
    assert load_scenario(FRAGMENTED).regime.regional_mechanisms == []
    assert _market(load_scenario(FRAGMENTED)).term_contracts is None


def test_queues_pool_the_sub_units_of_a_region_into_one_waiting_list() -> None:
    def queues(m: Market) -> set[str]:
        return {uid for (code, f), uid in m.unit_for.items() if f == "pleegzorg"}

    plain, pooled = _market(_fragmented([])), _market(_fragmented(["queues"]))
    assert all(u.startswith("S-") for u in queues(plain)) and len(queues(plain)) > 42
    assert all(u.startswith("R-") for u in queues(pooled)) and len(queues(pooled)) == 42
    # the providers a region's children can reach are the union of its sub-units' choices
    s_units = {u for u in queues(plain) if u.startswith("S-JZ08-")}
    union = {p for u in s_units for p in plain.eligible[(u, "pleegzorg")]}
    assert set(pooled.eligible[("R-JZ08", "pleegzorg")]) == union
    # the terms stay per sub-unit: administration as in the fragmented regime
    assert pooled.term_contracts is not None
    held = {(c.unit_id, c.provider_id, c.care_form) for c in plain.contracts}
    assert {(c.unit_id, c.provider_id, c.care_form) for c in pooled.term_contracts} == held


def test_contracting_makes_each_sub_unit_contract_what_its_region_would() -> None:
    regional = _market(load_scenario(REGIONAL))
    plain, borrowed = _market(_fragmented([])), _market(_fragmented(["contracting"]))

    def chosen(m: Market, unit: str) -> set[str]:
        return set(m.eligible[(unit, "intensief_ambulant")])

    subs = sorted({u for (_, f), u in plain.unit_for.items() if f == "intensief_ambulant" and u.startswith("S-")})
    whole = {u: chosen(regional, "R-" + u.split("-")[1]) for u in subs}
    assert all(chosen(borrowed, u) == whole[u] for u in subs)
    assert sum(chosen(plain, u) != whole[u] for u in subs) > len(subs) // 2  # local contracting differs
    assert borrowed.term_contracts is None  # each sub-unit still holds its own terms


def test_terms_give_a_provider_one_term_set_per_region() -> None:
    plain, borrowed = _market(_fragmented([])), _market(_fragmented(["terms"]))
    assert borrowed.eligible == plain.eligible and borrowed.unit_for == plain.unit_for
    assert borrowed.term_contracts is not None
    holders = {c.unit_id for c in borrowed.term_contracts}
    assert all(not u.startswith("S-") for u in holders)

    def term_sets(contracts: Any) -> int:
        return len({(c.unit_id, c.provider_id) for c in contracts})

    assert term_sets(borrowed.term_contracts) < term_sets(plain.contracts)


def test_terms_lower_the_providers_administration_in_a_run() -> None:
    def admin(mechanisms: list[str]) -> tuple[float, float]:
        s = _fragmented(mechanisms)
        s = load_scenario(FRAGMENTED, {**_overrides(s), "regions": ["JZ08"], "only_care_forms": FLEVOLAND_FORMS})
        ledger = run_replication(s, 0, engine="reference").tables["ledger"]
        return float(ledger["n_term_sets"].mean()), float(ledger["admin_share"].mean())

    (plain_sets, plain_share), (one_sets, one_share) = admin([]), admin(["terms"])
    assert one_sets < plain_sets and one_share < plain_share


def _overrides(s: Scenario) -> dict[str, Any]:
    return {"regime": s.regime.model_dump(mode="json"), "years": 0.3, "warmup_days": 0}


def test_pooled_forms_in_a_fragmented_regime_reach_the_adjacent_regions() -> None:
    plain = _market(_fragmented([]))
    pooled = _market(_fragmented([], pooled_forms=["driemilieus"]))
    grew = [k for k in plain.eligible if k[1] == "driemilieus" and len(pooled.eligible[k]) > len(plain.eligible[k])]
    assert grew
    unit = grew[0]
    assert pooled.eligible[unit][: len(plain.eligible[unit])] == plain.eligible[unit]  # own contracts first
    assert all(k[1] == "driemilieus" for k in pooled.eligible if pooled.eligible[k] != plain.eligible[k])


def test_every_mechanism_borrowed_gives_exactly_the_regional_market() -> None:
    regional = load_scenario(REGIONAL)
    # with one tariff per form as well (the tariffs mechanism of explain, apart from these three)
    full = _fragmented(
        ["queues", "contracting", "terms"],
        pooled_forms=regional.regime.pooled_forms,
        tariff_spread=regional.regime.tariff_spread,
    )
    assert _as_tables(_market(full)) == _as_tables(_market(regional))
    assert _market(full).term_contracts is None


@pytest.mark.parametrize("mechanism", ["queues", "contracting", "terms"])
def test_only_a_fragmented_regime_borrows_mechanisms(mechanism: str) -> None:
    regime = {**load_scenario(REGIONAL).regime.model_dump(mode="json"), "regional_mechanisms": [mechanism]}
    with pytest.raises(ScenarioError, match=r"regime\.regional_mechanisms: only a fragmented regime"):
        load_scenario(REGIONAL, {"regime": regime})


def test_an_unknown_or_repeated_mechanism_is_refused() -> None:
    with pytest.raises(ScenarioError, match="regional_mechanisms"):
        _fragmented(["pooling"])
    with pytest.raises(ScenarioError, match="at most once"):
        _fragmented(["terms", "terms"])
