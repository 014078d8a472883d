"""Conservation laws: no child is lost or doubled, and every euro paid is a euro received.

The checks read only the result tables and the scenario's input files, and recompute each
quantity in a different way than the model does (per child instead of per provider, per month
instead of per event), so a bookkeeping error in either path shows up as a mismatch.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation import runner
from simulation.config import load_scenario
from tests.conftest import ESC_FORM, MAIN_FORM, SCENARIOS, make_scenario, run

STATES = {"waiting", "in_care", "done", "escalated"}


# --------------------------------------------------------------------------------------------
# Checks shared by the tests below


def care_days(ep: pd.DataFrame, horizon: float) -> np.ndarray:
    """Days each child spent in a place, from its own timestamps (gaps between stays removed)."""
    placed = ep["t_intake"].notna().to_numpy()
    end = ep["t_end"].fillna(horizon).to_numpy(dtype=float)
    waiting_again = ((ep["state"] == "waiting") & (ep["replacements"] > 0)).to_numpy()
    end = np.where(waiting_again, ep["waiting_since"].to_numpy(dtype=float), end)
    days = end - ep["t_intake"].to_numpy(dtype=float) - ep["extra_wait_days"].to_numpy(dtype=float)
    return np.where(placed, days, 0.0)


def wait_days(ep: pd.DataFrame, horizon: float) -> np.ndarray:
    """Days each child spent on a waiting list up to the horizon (first wait and waits after exits)."""
    first_left = np.where(
        ep["t_intake"].notna(), ep["t_intake"], np.where(ep["state"] == "escalated", ep["t_end"], horizon)
    )
    first = first_left - ep["t_referral"].to_numpy(dtype=float)
    waiting_again = ((ep["state"] == "waiting") & (ep["replacements"] > 0)).to_numpy()
    again = np.where(waiting_again, horizon - ep["waiting_since"].to_numpy(dtype=float), 0.0)
    return first + ep["extra_wait_days"].to_numpy(dtype=float) + again


def check_children(res, scenario) -> None:
    ep = res.tables["episodes"]
    horizon = scenario.horizon_days
    world = runner.build_world(scenario)
    assert len(ep) > 0
    assert ep["child"].tolist() == list(range(len(ep)))
    assert set(ep["state"]) <= STATES
    assert set(ep["origin"]) <= {"referral", "initial", "escalation"}
    state = ep["state"]
    has_intake, has_end = ep["t_intake"].notna(), ep["t_end"].notna()

    # Timestamps agree with the state each child ends in (exactly one consistent story per child).
    done, in_care, waiting, escalated = (state == s for s in ("done", "in_care", "waiting", "escalated"))
    assert (has_intake & has_end)[done].all()
    assert (has_intake & ~has_end & ep["provider_id"].notna())[in_care].all()
    assert (~has_end & ep["waiting_since"].notna())[waiting].all()
    assert (has_intake == (ep["replacements"] > 0))[waiting].all()  # only a displaced child waits after intake
    assert (~has_intake & has_end & (ep["replacements"] == 0))[escalated].all()
    assert ep["waiting_since"].isna()[~waiting].all()

    # Time runs forwards.
    assert (ep["t_referral"] >= 0).all() and (ep["t_referral"] <= horizon).all()
    assert (ep.loc[ep["origin"] == "initial", "t_referral"] == 0).all()
    assert (ep.loc[has_intake, "t_intake"] >= ep.loc[has_intake, "t_referral"]).all()
    assert (ep.loc[has_intake, "t_intake"] <= horizon).all()
    d = ep[done]
    assert (d["t_end"] >= d["t_intake"]).all() and (d["t_end"] <= horizon).all()
    assert (ep["extra_wait_days"] >= 0).all()
    assert (wait_days(ep, horizon) >= -1e-9).all()
    assert (care_days(ep, horizon) >= -1e-9).all()

    # Escalation: each escalated child has exactly one successor, referred at the moment it left.
    esc_children = ep[ep["origin"] == "escalation"]
    assert len(esc_children) == int(escalated.sum())
    assert (ep.loc[ep["origin"] != "escalation", "parent"] == -1).all()
    assert esc_children["parent"].is_unique
    parents = ep.set_index("child").loc[esc_children["parent"].to_numpy()]
    assert (parents["state"] == "escalated").all()
    np.testing.assert_array_equal(parents["t_end"].to_numpy(), esc_children["t_referral"].to_numpy())
    np.testing.assert_array_equal(parents["gemeente"].to_numpy(), esc_children["gemeente"].to_numpy())
    for form, after in [(k, f.escalation.after_days) for k, f in scenario.care_forms.items() if f.escalation]:
        part = ep[escalated & (ep["care_form"] == form)]
        np.testing.assert_allclose(part["t_end"] - part["t_referral"], after, atol=1e-9)
        target = scenario.care_forms[form].escalation.to
        kids = esc_children[esc_children["parent"].isin(part["child"])]
        assert (kids["care_form"] == target).all()
    assert not escalated[ep["origin"] == "initial"].any()

    # Capacity: nobody is in care with an exited provider, and no slot is over-full.
    exited = set(res.tables["exits"]["provider_id"])
    assert not ep.loc[in_care, "provider_id"].isin(exited).any()
    occupancy = ep[in_care].groupby(["provider_id", "care_form"], observed=True).size()
    places = {(p.provider_id, o.care_form): o.places for p in world.providers for o in p.forms}
    for key, n in occupancy.items():
        assert n <= places[key], f"{key}: {n} children in {places[key]} places"

    # Work conservation: a child waits only while every eligible active provider is full. (The
    # ledger's status is the one during the month, so an exit at the horizon shows only in exits.)
    last_status = res.tables["ledger"].groupby("provider_id")["status"].last()
    last_status[list(exited)] = "exited"
    for (unit, form), part in ep[waiting].groupby(["unit_id", "care_form"], observed=True):
        for pid in world.market.eligible[(unit, form)]:
            if last_status[pid] == "active":
                assert occupancy.get((pid, form), 0) == places[(pid, form)], (
                    f"{len(part)} waiting for {unit}/{form} while {pid} has a free place"
                )

    # The waiting-list monitor integrates exactly the children's waits, and ends with them.
    wq = res.tables["waiting"]
    area = float((wq["waiting_mean"] * wq["days"]).sum())
    assert area == pytest.approx(float(wait_days(ep, horizon).sum()), rel=1e-6, abs=1e-6)
    last = wq[wq["t_start"] == wq["t_start"].max()]
    # The last month closes before an exit at the horizon itself displaces children (known
    # inconsistency, see test_waiting_end_counts_children_displaced_at_the_horizon), so those
    # children are left out here.
    displaced_at_horizon = waiting & (ep["replacements"] > 0) & (ep["waiting_since"] == horizon)
    assert int(last["waiting_end"].sum()) == int((waiting & ~displaced_at_horizon).sum())


def check_money(res, scenario) -> None:
    t = res.tables
    ep, ledger, payments = t["episodes"], t["ledger"], t["payments"]
    horizon = scenario.horizon_days
    world = runner.build_world(scenario)
    fin = scenario.finance

    paid_gemeenten = float(payments["paid_eur"].sum())
    revenue = float(ledger["revenue_eur"].sum())
    paid_children = float(ep["paid_eur"].sum())
    assert paid_gemeenten > 0
    assert revenue == pytest.approx(paid_gemeenten, rel=1e-6)
    assert paid_children == pytest.approx(paid_gemeenten, rel=1e-6)

    # Per child: what was paid is the unit's tariff times the days in care.
    np.testing.assert_allclose(ep["paid_eur"], ep["tariff_eur_per_day"] * care_days(ep, horizon), rtol=1e-9, atol=1e-6)
    tariff = {k: v.tariff_eur_per_day.value for k, v in scenario.care_forms.items()}
    if scenario.regime.tariff_spread == 0:
        placed = ep[ep["t_intake"].notna()]
        np.testing.assert_allclose(placed["tariff_eur_per_day"], placed["care_form"].map(tariff))
    # Place-days in the ledger are the children's care days.
    assert float(ledger["occupied_days"].sum()) == pytest.approx(float(care_days(ep, horizon).sum()), rel=1e-6)
    # Every gemeente pays for its own children.
    per_gem = payments.groupby("gemeente")["paid_eur"].sum()
    per_gem_children = ep.groupby("gemeente", observed=True)["paid_eur"].sum()
    for code, eur in per_gem.items():
        assert eur == pytest.approx(per_gem_children.get(code, 0.0), rel=1e-6, abs=1e-6)

    # Months tile the horizon.
    months = ledger.groupby("t_start")["days"].first()
    assert months.sum() == pytest.approx(horizon, rel=1e-12)

    # Per provider: reserves move by the margin; the margin is revenue less costs.
    contracts: dict[str, int] = {}
    term_sets: dict[str, set[str]] = {}
    for c in world.market.contracts:
        contracts[c.provider_id] = contracts.get(c.provider_id, 0) + 1
        term_sets.setdefault(c.provider_id, set()).add(c.term_set)
    exited = set(t["exits"]["provider_id"])
    for p in world.providers:
        rows = ledger[ledger["provider_id"] == p.provider_id].sort_values("t_start")
        assert len(rows) == len(months)
        reserves = np.concatenate([[p.reserves_eur], rows["reserves_eur"].to_numpy()])
        scale = max(1.0, abs(p.reserves_eur), float(rows["revenue_eur"].abs().max()))
        np.testing.assert_allclose(np.diff(reserves), rows["margin_eur"], rtol=1e-9, atol=1e-6 * scale)
        np.testing.assert_allclose(
            rows["margin_eur"],
            rows["revenue_eur"] - rows["fixed_cost_eur"] - rows["variable_cost_eur"] - rows["admin_cost_eur"],
            rtol=1e-9,
            atol=1e-9 * scale,
        )
        live = (rows["status"] != "exited").to_numpy()
        fixed_per_day = sum(o.fixed_cost_eur_per_year for o in p.forms) / 365.0
        n_places = sum(o.places for o in p.forms)
        np.testing.assert_allclose(rows["fixed_cost_eur"], np.where(live, fixed_per_day * rows["days"], 0.0), rtol=1e-9)
        np.testing.assert_allclose(rows["place_days"], np.where(live, n_places * rows["days"], 0.0), rtol=1e-12)
        share = min(
            fin.provider_admin_share_max.value,
            contracts.get(p.provider_id, 0) * fin.provider_admin_share_per_contract.value
            + len(term_sets.get(p.provider_id, ())) * fin.provider_admin_share_per_term_set.value,
        )
        np.testing.assert_allclose(rows["admin_cost_eur"], rows["fixed_cost_eur"] * share, rtol=1e-9)
        assert (rows["occupied_days"] <= rows["place_days"] + 1e-6).all()
        if len(p.forms) == 1:
            form = p.forms[0]
            if scenario.regime.tariff_spread == 0:
                np.testing.assert_allclose(
                    rows["revenue_eur"], tariff[form.care_form] * rows["occupied_days"], rtol=1e-9, atol=1e-6
                )
            np.testing.assert_allclose(
                rows["variable_cost_eur"], form.variable_cost_eur_per_day * rows["occupied_days"], rtol=1e-9, atol=1e-6
            )
        if p.provider_id in exited:
            after = rows[rows["status"] == "exited"]
            assert (after["occupied_days"] == 0).all()
            # Revenue rates are updated incrementally, so a float residue of ~1e-12 EUR may remain.
            np.testing.assert_allclose(after["revenue_eur"], 0.0, atol=1e-6)
        if p.provider_id not in exited and not ep["replacements"].any():
            mine = ep["provider_id"] == p.provider_id
            assert float(rows["occupied_days"].sum()) == pytest.approx(
                float(care_days(ep[mine], horizon).sum()), rel=1e-6, abs=1e-6
            )

    # Contracting units' own administration.
    unit_contracts = len(world.market.contracts)
    per_day = (
        (
            len(world.market.units) * fin.municipal_admin_eur_per_unit_month.value
            + unit_contracts * fin.municipal_admin_eur_per_contract_month.value
        )
        * 12.0
        / 365.0
    )
    np.testing.assert_allclose(t["municipal"]["admin_cost_eur"], per_day * t["municipal"]["days"], rtol=1e-9)


def check_all(res, scenario) -> None:
    check_children(res, scenario)
    check_money(res, scenario)


# --------------------------------------------------------------------------------------------
# Scenarios


def test_small_multi_gemeente_scenario_with_escalation(tmp_path):
    scenario = make_scenario(
        tmp_path,
        places=[3, 2, 2],
        rate_per_day=0.6,
        mean_days=9.0,
        dist="lognormal",
        cv=1.2,
        years=1.5,
        warmup_days=30,
        seed=11,
        n_gemeenten=4,
        n_regions=2,
        initial_stock=True,
        escalation={"after_days": 7, "probability": 0.6, "places": [2, 1], "mean_days": 15.0},
        fixed_cost_eur_per_year=[40_000.0, 30_000.0, 30_000.0],
        variable_cost_eur_per_day=12.5,
        admin_share_per_contract=0.02,
        admin_share_per_term_set=0.03,
    )
    res = run(scenario, 0)
    ep = res.tables["episodes"]
    # The scenario exercises what the checks are about.
    assert (ep["state"] == "escalated").sum() >= 10
    assert (ep["state"] == "waiting").sum() + (ep["state"] == "in_care").sum() > 0
    assert set(ep["unit_id"]) == {"R-JZ01", "R-JZ02"}
    assert {ESC_FORM, MAIN_FORM} == set(ep["care_form"])
    check_all(res, scenario)


@pytest.fixture(scope="module")
def flevoland_2y():
    scenario = load_scenario(SCENARIOS / "flevoland.yaml", overrides={"years": 2})
    return scenario, run(scenario, 0)


def test_flevoland_children_conserved(flevoland_2y):
    scenario, res = flevoland_2y
    ep = res.tables["episodes"]
    assert (ep["origin"] == "initial").sum() > 100
    check_children(res, scenario)


def test_flevoland_money_conserved(flevoland_2y):
    scenario, res = flevoland_2y
    assert len(res.tables["exits"]) > 0  # the books must balance through exits too
    check_money(res, scenario)


def test_flevoland_displaced_children_not_lost(flevoland_2y):
    _, res = flevoland_2y
    ep, exits = res.tables["episodes"], res.tables["exits"]
    moved = ep[ep["replacements"] > 0]
    assert len(moved) == int(exits["children_replaced"].sum())
    assert set(moved["state"]) <= {"waiting", "in_care", "done"}


# --------------------------------------------------------------------------------------------
# Property test over random small scenarios

_DISTS = st.sampled_from(["exponential", "lognormal", "gamma", "deterministic"])


@st.composite
def small_scenarios(draw):
    dist = draw(_DISTS)
    n_gem = draw(st.integers(1, 3))
    kwargs = {
        "places": draw(st.lists(st.integers(1, 5), min_size=1, max_size=3)),
        "rate_per_day": draw(st.floats(0.05, 3.0)),
        "mean_days": draw(st.floats(0.5, 60.0)),
        "dist": dist,
        "cv": draw(st.floats(0.2, 2.0)) if dist in ("lognormal", "gamma") else None,
        "years": draw(st.floats(0.2, 1.0)),
        "seed": draw(st.integers(0, 10_000)),
        "n_gemeenten": n_gem,
        "n_regions": draw(st.integers(1, n_gem)),
        "initial_stock": draw(st.booleans()),
        "fixed_cost_eur_per_year": draw(st.sampled_from([0.0, 50_000.0, 2_000_000.0])),
        "reserves_eur": draw(st.sampled_from([1_000.0, 1e9])),
        "variable_cost_eur_per_day": draw(st.sampled_from([0.0, 20.0])),
        "admin_share_per_contract": draw(st.sampled_from([0.0, 0.05])),
        "months_negative_before_notice": draw(st.integers(1, 3)),
        "notice_months": draw(st.integers(0, 2)),
    }
    if draw(st.booleans()):
        kwargs["escalation"] = {
            "after_days": draw(st.floats(0.5, 30.0)),
            "probability": draw(st.floats(0.0, 1.0)),
            "places": draw(st.lists(st.integers(1, 3), min_size=1, max_size=2)),
        }
    return kwargs


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kwargs=small_scenarios())
def test_conservation_property(kwargs):
    with tempfile.TemporaryDirectory() as tmp:
        scenario = make_scenario(Path(tmp), name="prop", **kwargs)
        res = run(scenario, 0)
        check_all(res, scenario)


# --------------------------------------------------------------------------------------------
# A provider that cannot pay its costs leaves, and its children go on elsewhere


@pytest.fixture(scope="module")
def exit_run(tmp_path_factory):
    # P1 loses money from the first month (fixed costs far above any revenue, tiny reserves), gets
    # notice at the end of January and leaves at the end of February. Treatments (120 days) are
    # longer than the notice, so children are still in care with P1 when it leaves; P2 is full,
    # so they must wait for P2's places, ahead of the children already on the list.
    duration = 120.0
    scenario = make_scenario(
        tmp_path_factory.mktemp("exit"),
        places=[6, 3],
        rate_per_day=0.06,
        mean_days=duration,
        dist="deterministic",
        initial_stock=True,
        years=1.5,
        seed=7,
        n_gemeenten=2,
        fixed_cost_eur_per_year=[5_000_000.0, 0.0],
        reserves_eur=[1_000.0, 1e9],
        months_negative_before_notice=1,
        notice_months=1,
        name="exit",
    )
    return scenario, duration, run(scenario, 0, record_log=True)


def test_loss_making_provider_exits(exit_run):
    scenario, _, res = exit_run
    exits, ledger = res.tables["exits"], res.tables["ledger"]
    assert exits["provider_id"].tolist() == ["P1"]
    # Negative after January (day 31): notice then; after one month's notice it leaves (day 59).
    assert exits["notice_day"].iloc[0] == 31.0
    assert exits["exit_day"].iloc[0] == 59.0
    p1 = ledger[ledger["provider_id"] == "P1"].sort_values("t_start")
    assert p1["status"].tolist()[:3] == ["active", "notice", "exited"]
    assert set(p1["status"].iloc[2:]) == {"exited"}
    assert (ledger.loc[ledger["provider_id"] == "P2", "status"] == "active").all()
    check_all(res, scenario)


def test_children_of_exited_provider_are_replaced_not_lost(exit_run):
    _, duration, res = exit_run
    ep, exits = res.tables["episodes"], res.tables["exits"]
    exit_day = float(exits["exit_day"].iloc[0])

    # Who was in care at the exit, replayed from the event log.
    in_care: set[int] = set()
    for t, kind, arg in res.log:
        if kind == "exit":
            assert t == exit_day
            break
        if kind == "intake":
            in_care.add(arg)
        elif kind == "discharge":
            in_care.remove(arg)
    moved = set(ep.loc[ep["replacements"] >= 1, "child"])
    assert len(moved) == int(exits["children_replaced"].iloc[0]) > 0
    assert moved <= in_care
    at_p2 = in_care - moved
    assert (ep.set_index("child").loc[sorted(at_p2), "provider_id"] == "P2").all()
    assert len(moved) + len(at_p2) == len(in_care)

    after = ep[ep["child"].isin(moved)]
    assert (after["replacements"] == 1).all()
    assert (after["t_intake"] < exit_day).all()
    for _, row in after.iterrows():
        if row["state"] in ("in_care", "done"):
            assert row["provider_id"] == "P2"
        else:
            assert row["state"] == "waiting" and row["waiting_since"] == exit_day
    # No child is in care with the exited provider, and none finished there after it left.
    assert not ((ep["state"] == "in_care") & (ep["provider_id"] == "P1")).any()
    assert (ep.loc[(ep["state"] == "done") & (ep["provider_id"] == "P1"), "t_end"] <= exit_day).all()
    # Each keeps the rest of its treatment: deterministic durations make the total exact (the
    # initial stock has residual durations, at most the full one).
    done = ep[ep["state"] == "done"]
    treated = done["t_end"] - done["t_intake"] - done["extra_wait_days"]
    referred = (done["origin"] != "initial").to_numpy()
    assert referred.sum() > 0 and ((done["replacements"] > 0) & referred).sum() > 0
    np.testing.assert_allclose(treated[referred], duration, atol=1e-9)
    assert (treated[~referred] <= duration + 1e-9).all()

    # Displaced children go first: after the exit no other child is taken in while one of them waits.
    reintake: dict[int, float] = {}
    seen_exit = False
    for t, kind, arg in res.log:
        seen_exit = seen_exit or kind == "exit"
        if seen_exit and kind == "intake" and arg in moved:
            reintake[arg] = t
    waiting_moved = [c for c in moved if c not in reintake]
    assert len(reintake) + len(waiting_moved) == len(moved)
    assert len(reintake) > 0
    normal_after = 0
    seen_exit = False
    for t, kind, arg in res.log:
        seen_exit = seen_exit or kind == "exit"
        if seen_exit and kind == "intake" and arg not in moved:
            normal_after += 1
            still_waiting = [c for c in moved if reintake.get(c, np.inf) > t]
            assert not still_waiting, f"child {arg} placed at {t} before displaced {still_waiting}"
    assert normal_after > 0  # the ordering was put to the test
