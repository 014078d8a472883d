"""New providers enter where waiting lists persist and the terms cover their costs (core/entry.py).

Hand-built cases with known answers (one place, children with set durations), each run with the
rule switched on and off: a persistent list founds an entrant that opens after its set-up and
takes the waiting child; no entrant when the tariff does not cover an entrant's costs; and the
same region bought by one unit (regional) or four (fragmented), where only the administration of
four term sets keeps the entrant out. Then conservation and engine equality on a random case.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from simulation.config import AdminCurve, Entry, Scenario, Sourced, load_scenario, validate_scenario
from simulation.config.errors import ScenarioError
from simulation.core.entry import bound_forms, entrant_slots
from simulation.engines import ENGINES
from simulation.runner import replication as runner
from tests.conftest import make_scenario
from tests.test_invariants import check_all
from tests.test_mechanisms import write_world
from tests.test_steady import ONE_GEMEENTE, Child, run, with_form

ROOT = Path(__file__).resolve().parent.parent
RULE = Entry(
    wait_factor=1.0,
    after_months=2,
    setup_months=1,
    places_share=1.0,
    max_per_region=1,
    reserves_share=0.5,
    assumption="test",
)
OBSERVED = Sourced(value=10.0, assumption="test")


def with_entry(scenario: Scenario, rule: Entry | None) -> Scenario:
    scenario = with_form(scenario, observed_wait_days=OBSERVED)
    return scenario.model_copy(update={"capacity": scenario.capacity.model_copy(update={"entry": rule})})


def with_salary(scenario: Scenario, salary: float) -> Scenario:
    forms = {}
    for k, f in scenario.care_forms.items():
        cp = f.cost_price.model_copy(update={"salary_eur_per_fte_year": Sourced(value=salary, assumption="test")})
        forms[k] = f.model_copy(update={"cost_price": cp})
    return scenario.model_copy(update={"care_forms": forms})


CHILDREN = [Child("a", 0.0, 1000.0), Child("b", 1.0, 100.0), Child("c", 2.0, 100.0)]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("rule", [RULE, None])
def test_a_persistent_waiting_list_brings_an_entrant_and_the_list_falls(
    tmp_path: Path, engine: str, rule: Entry | None
) -> None:
    scenario = write_world(tmp_path, gemeenten=ONE_GEMEENTE, providers=[("P", "G1", {"zorg": 1})], forms=["zorg"])
    scenario = with_entry(scenario, rule)
    ep, tables = run(scenario, CHILDREN, engine)
    waiting = tables["waiting"].groupby("month")["waiting_end"].sum().to_numpy()
    if rule is None:  # switched off: b and c wait for a's place, past the one-year horizon
        assert ep.loc["b", "state"] == "waiting" and math.isnan(ep.loc["b", "t_intake"])
        assert list(waiting[:5]) == [2, 2, 2, 2, 2]
        assert set(tables["ledger"]["provider_id"]) == {"P"}
        return
    # b waits past 10 days at the ends of January (day 31) and February (day 59), and the tariff
    # (100 a day) covers an entrant's costs (1,000 a year): an entrant is founded at February's
    # end and opens a month later, at the end of March (day 90), with P's one place (places_share
    # 1), staffed; b takes it. c, who came later, still waits for a's place and the entrant's.
    assert ep.loc["b", "t_intake"] == 90.0
    assert ep.loc["b", "provider_id"] == "entrant-JZ01-zorg-1"
    assert list(waiting[:5]) == [2, 2, 1, 1, 1]
    ledger = tables["ledger"]
    entrant = ledger[ledger["provider_id"] == "entrant-JZ01-zorg-1"]
    # Its books start the month after it opened (April): one place, one contract, reserves 0.5 x
    # a year's revenue of one place at 100 a day (full occupancy: no break-even occupancy set).
    assert entrant["month"].astype(str).iloc[0].startswith(str(scenario.start_date.year) + "-04")
    assert len(entrant) == 9
    assert (entrant["n_contracts"] == 1).all()
    assert entrant["reserves_eur"].iloc[0] == pytest.approx(0.5 * 36_500 + entrant["margin_eur"].iloc[0])
    # Only one slot per region and form: no second entrant although c keeps waiting.
    assert set(ledger["provider_id"]) == {"P", "entrant-JZ01-zorg-1"}


def test_no_entrant_when_the_tariff_does_not_cover_its_costs(tmp_path: Path) -> None:
    # A place pays 100 a day x 365 = 36,500 a year; one FTE now costs 40,000: entry would lose.
    scenario = write_world(tmp_path, gemeenten=ONE_GEMEENTE, providers=[("P", "G1", {"zorg": 1})], forms=["zorg"])
    scenario = with_salary(with_entry(scenario, RULE), 40_000.0)
    ep, tables = run(scenario, CHILDREN, "reference")
    assert math.isnan(ep.loc["b", "t_intake"])
    assert set(tables["ledger"]["provider_id"]) == {"P"}
    # The same world at a salary the tariff covers does get its entrant (the case is not inert).
    ep, _ = run(with_salary(scenario, 30_000.0), CHILDREN, "reference")
    assert ep.loc["b", "t_intake"] == 90.0


#: Four gemeenten of one region: the regional regime buys for them as one unit (one set of terms),
#: the fragmented one as four (10,000 youth each, a unit per 10,000).
FOUR_GEMEENTEN = [(f"G{i + 1}", "JZ01", 5.0 + 0.01 * i, 52.0) for i in range(4)]
#: The money branch's curve: 30% at 4 term sets, 3 points per doubling (so one set: 24%).
CURVE = AdminCurve(
    reference_share=Sourced(value=0.30, assumption="test"),
    reference_term_sets=Sourced(value=4.0, assumption="test"),
    per_doubling_of_term_sets=Sourced(value=0.03, assumption="test"),
    per_extra_contract=Sourced(value=0.0, assumption="test"),
)


def curved(scenario: Scenario) -> Scenario:
    finance = scenario.finance.model_copy(
        update={"admin": CURVE, "provider_admin_share_per_contract": None, "provider_admin_share_per_term_set": None}
    )
    return scenario.model_copy(update={"finance": finance})


@pytest.mark.parametrize("kind", ["regional", "fragmented"])
def test_the_administration_of_many_term_sets_keeps_an_entrant_out_of_a_fragmented_region(
    tmp_path: Path, kind: str
) -> None:
    scenario = write_world(
        tmp_path,
        gemeenten=FOUR_GEMEENTEN,
        providers=[("P", "G1", {"zorg": 1})],
        forms=["zorg"],
        kind=kind,
        target_youth_per_unit=10_000,
    )
    # One place of care costs 26,500 / (1 - admin share) a year and pays 36,500: at one set of
    # terms (24%) that is 34,868 (entry pays), at four (30%) 37,857 (it does not).
    scenario = with_salary(curved(with_entry(scenario, RULE)), 26_500.0)
    ep, tables = run(scenario, CHILDREN, "reference")
    entrants = {p for p in tables["ledger"]["provider_id"] if str(p).startswith("entrant")}
    if kind == "regional":
        assert ep.loc["b", "t_intake"] == 90.0
        assert entrants == {"entrant-JZ01-zorg-1"}
    else:
        assert math.isnan(ep.loc["b", "t_intake"])
        assert entrants == set()
        # Not the waiting list: the same fragmented region with the administration of one unit
        # (admin_term_sets: region, the regional mechanism) does get its entrant.
        finance = scenario.finance.model_copy(update={"admin_term_sets": "region"})
        ep, _ = run(scenario.model_copy(update={"finance": finance}), CHILDREN, "reference")
        assert ep.loc["b", "t_intake"] == 90.0


def random_case(tmp_path: Path) -> Scenario:
    """Too few places for two regions' referrals, two years: waits persist, entrants open."""
    scenario = make_scenario(
        tmp_path, places=[6, 4], rate_per_day=0.4, mean_days=40.0, years=2.0, n_gemeenten=4, n_regions=2, seed=3
    )
    return with_entry(scenario, RULE.model_copy(update={"max_per_region": 2, "places_share": 0.5}))


def test_entry_conserves_children_and_money(tmp_path: Path) -> None:
    scenario = random_case(tmp_path)
    res = runner.run_replication(scenario, 0, engine="reference")
    assert any(str(p).startswith("entrant") for p in res.tables["ledger"]["provider_id"])
    check_all(res, scenario)


def test_engines_agree_with_entry(tmp_path: Path) -> None:
    scenario = random_case(tmp_path)
    logs = [runner.run_replication(scenario, 0, engine=e, record_log=True).log for e in ENGINES]
    assert any(kind == "enter" for _, kind, _ in logs[0] or [])
    assert all(log == logs[0] for log in logs[1:])


def test_lean_kpis_and_a_second_run_are_the_same_with_entry(tmp_path: Path) -> None:
    scenario = random_case(tmp_path)
    full = runner.run_replication(scenario, 0, engine="reference")
    again = runner.run_replication(scenario, 0, engine="reference")
    lean = runner.run_replication(scenario, 0, engine="reference", lean=True)
    values = {(r.kpi, r.care_form): float(r.value) for r in full.kpis.itertuples()}
    for got in (again, lean):
        other = {(r.kpi, r.care_form): float(r.value) for r in got.kpis.itertuples()}
        assert other.keys() == values.keys()
        assert all(other[k] == v or (math.isnan(other[k]) and math.isnan(v)) for k, v in values.items())
    for name, frame in lean.tables.items():
        pd.testing.assert_frame_equal(frame, full.tables[name], check_dtype=False, obj=name)


def test_entry_names_known_forms_with_an_observed_wait(tmp_path: Path) -> None:
    scenario = write_world(tmp_path, gemeenten=ONE_GEMEENTE, providers=[("P", "G1", {"zorg": 1})], forms=["zorg"])
    scenario = with_entry(scenario, RULE)
    raw = scenario.model_dump(mode="json", exclude_none=True)
    raw["capacity"]["entry"]["care_forms"] = ["zorg", "geen"]
    with pytest.raises(Exception, match=r"capacity\.entry\.care_forms: unknown care form .geen."):
        validate_scenario(raw, label="bad")
    raw["capacity"]["entry"]["care_forms"] = ["zorg"]
    raw["capacity"]["entry"]["places_share"] = 0.0
    with pytest.raises(Exception, match="places_share"):
        validate_scenario(raw, label="bad")


@pytest.mark.parametrize("engine", ENGINES)
def test_an_entrant_is_in_the_entries_table_and_stays_contracted_after_a_transition(
    tmp_path: Path, engine: str
) -> None:
    """The entrant of the first test opens on day 90 under the fragmented regime and takes b. A
    transition to one regional unit (old contracts end within days of day 100, the new one starts
    three months after signing, about day 190) moves the gemeente to the new unit; d, referred on
    day 250 while P's place is taken by a, is placed with the entrant only if the new unit took
    over the old unit's contract with it (entrants are in no market file); e, referred after the
    switch, waits on the new unit's list."""
    scenario = write_world(tmp_path, gemeenten=ONE_GEMEENTE, providers=[("P", "G1", {"zorg": 1})], forms=["zorg"])
    transition = {
        "from_regime": {"kind": "fragmented", "split": {"target_youth_per_unit": 40_000}},
        "start": (scenario.start_date + dt.timedelta(days=100)).isoformat(),
        "old_contract_years": 0.01,
        "base_procurement_months": 0.0,
        "months_per_gemeente": 0.0,
        "lead_months": 3,
        "assumption": "test",
    }
    raw = scenario.model_dump(mode="json", exclude_none=True)
    scenario = validate_scenario({**raw, "transition": transition}, label="transition")
    scenario = with_entry(scenario, RULE)
    children = [Child("a", 0.0, 1000.0), Child("b", 1.0, 100.0), Child("d", 250.0, 50.0), Child("e", 260.0, 10.0)]
    ep, tables = run(scenario, children, engine)
    # e, referred after the switch while both places are taken, waits on the new unit's list (a
    # referral joins the list of the unit buying for its gemeente now) until d leaves on day 300.
    september = tables["waiting"][tables["waiting"]["t_start"] == 243.0].set_index("unit_id")["waiting_end"]
    assert september.to_dict() == {"R-JZ01": 1, "S-JZ01-01": 0}
    assert ep.loc["e", "t_intake"] == 300.0
    entries = tables["entries"]
    assert entries[["provider_id", "care_form", "open_day", "places"]].values.tolist() == [
        ["entrant-JZ01-zorg-1", "zorg", 90.0, 1]
    ]
    assert ep.loc["b", "provider_id"] == "entrant-JZ01-zorg-1"
    assert ep.loc["d", "provider_id"] == "entrant-JZ01-zorg-1" and ep.loc["d", "t_intake"] == 250.0


def test_entry_into_forms_bound_to_a_werkgebied_is_refused_or_left_out() -> None:
    """The GIs' children are bound to one GI serving their region (providers.bind_to_werkgebied),
    so an entrant would get none: naming such a form is refused, the default leaves it out, and
    with binding off the GI forms get entrant slots like any other."""
    base = load_scenario(ROOT / "scenarios" / "regionaal.yaml", {"replications": 1})
    entry = base.capacity.entry
    assert entry is not None
    world = runner.build_world(base)
    forms = list(base.care_forms)
    assert bound_forms(base, forms, world.providers) == {"jeugdbescherming", "voogdij", "jeugdreclassering"}

    def slots(rule: Entry, bind: bool) -> set[str]:
        providers = base.providers.model_copy(update={"bind_to_werkgebied": bind})
        capacity = base.capacity.model_copy(update={"entry": rule})
        scenario = base.model_copy(update={"capacity": capacity, "providers": providers})
        incumbents = [p for p in world.providers if not p.entrant]
        made = entrant_slots(scenario, world.geography, forms, incumbents, world.market)
        return {p.forms[0].care_form for p in made}

    with pytest.raises(ScenarioError, match=r"capacity\.entry\.care_forms: 'voogdij': every provider of it has a"):
        slots(entry.model_copy(update={"care_forms": ["pleegzorg", "voogdij"]}), bind=True)
    by_default = slots(entry.model_copy(update={"care_forms": None}), bind=True)
    assert "pleegzorg" in by_default and not by_default & {"jeugdbescherming", "voogdij", "jeugdreclassering"}
    unbound = slots(entry.model_copy(update={"care_forms": None}), bind=False)
    assert {"jeugdbescherming", "voogdij", "jeugdreclassering"} <= unbound
