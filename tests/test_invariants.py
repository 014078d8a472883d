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
from simulation.config import Shrink, Sourced, load_scenario
from simulation.core import finance
from tests.conftest import ESC_FORM, MAIN_FORM, SCENARIOS, make_scenario, run

STATES = {"waiting", "in_care", "done", "escalated", "withdrawn"}


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
    """Days each child spent on a waiting list from the start to the horizon (first wait and waits after exits)."""
    first_left = np.where(
        ep["t_intake"].notna(),
        ep["t_intake"],
        np.where(ep["state"].isin(["escalated", "withdrawn"]), ep["t_end"], horizon),
    )
    # counted from the start: the initial waiting list was referred before it
    first = first_left - np.maximum(ep["t_referral"].to_numpy(dtype=float), 0.0)
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
    withdrawn = state == "withdrawn"  # left the list when its patience ran out
    assert (~has_intake & has_end & (ep["replacements"] == 0))[withdrawn].all()
    assert (ep["t_end"] > ep["t_referral"])[withdrawn].all()
    assert ep["waiting_since"].isna()[~waiting].all()

    # Time runs forwards.
    # The initial stock is referred at 0 (in care) or up to the observed wait before (waiting).
    initial = ep["origin"] == "initial"
    longest = max([f.observed_wait_days.value for f in scenario.care_forms.values() if f.waits_steadily] + [0.0])
    assert (ep.loc[~initial, "t_referral"] >= 0).all() and (ep["t_referral"] <= horizon).all()
    assert (ep.loc[initial, "t_referral"] <= 0).all() and (ep.loc[initial, "t_referral"] >= -longest).all()
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
    assert not escalated[initial & (ep["t_referral"] == 0)].any()  # the initial stock in care never escalates

    # Capacity: nobody is in care with an exited provider, and no slot is over-full.
    exited = set(res.tables["exits"]["provider_id"])
    assert not ep.loc[in_care, "provider_id"].isin(exited).any()
    occupancy = ep[in_care].groupby(["provider_id", "care_form"], observed=True).size()
    places = {(p.provider_id, o.care_form): o.places for p in world.providers for o in p.forms}
    for key, n in occupancy.items():
        assert n <= places[key], f"{key}: {n} children in {places[key]} places"

    # Work conservation: a child waits only while every eligible active provider is full. Staff
    # limit the places a provider can fill; they change only at month ends, and the ledger shows
    # the places the last month had (a month end never takes a place from a child in care, and
    # fills any it adds). The ledger's status is the one during the month, so an exit at the
    # horizon shows only in exits. Checked for providers of one care form.
    ledger = res.tables["ledger"]
    last_rows = ledger[ledger["t_start"] == ledger["t_start"].max()].set_index("provider_id")
    single = {p.provider_id for p in world.providers if len(p.forms) == 1}
    for (unit, form), part in ep[waiting].groupby(["unit_id", "care_form"], observed=True):
        for pid in world.market.eligible[(unit, form)]:
            if pid in exited or pid not in single or last_rows.loc[pid, "status"] != "active":
                continue
            capacity = round(last_rows.loc[pid, "place_days"] / last_rows.loc[pid, "days"])
            assert occupancy.get((pid, form), 0) >= capacity, (
                f"{len(part)} waiting for {unit}/{form} while {pid} has a free place"
            )

    # The waiting-list monitor integrates exactly the children's waits, and ends with them.
    wq = res.tables["waiting"]
    area = float((wq["waiting_mean"] * wq["days"]).sum())
    assert area == pytest.approx(float(wait_days(ep, horizon).sum()), rel=1e-6, abs=1e-6)
    # The last snapshot is taken after everything else at the horizon (books, exits, places that
    # new staff allow), so it counts exactly the children the episodes show waiting.
    last = wq[wq["t_start"] == wq["t_start"].max()]
    assert int(last["waiting_end"].sum()) == int(waiting.sum())


def _static_tariffs(scenario) -> bool:
    idx = scenario.finance.tariff_indexation_per_year
    return not scenario.tariff_changes and (idx is None or idx.value == 0) and scenario.regime.tariff_spread == 0


def check_money(res, scenario) -> None:
    t = res.tables
    ep, ledger, payments = t["episodes"], t["ledger"], t["payments"]
    horizon = scenario.horizon_days
    world = runner.build_world(scenario)
    fin = scenario.finance

    # What the contracting units paid is what the providers received; what was delivered (paid
    # or, above a budget ceiling, not) is the sum of the children's care.
    paid = float(payments["paid_eur"].sum())
    revenue = float(ledger["revenue_eur"].sum())
    delivered = float(payments["delivered_eur"].sum())
    delivered_children = float(ep["delivered_eur"].sum())
    assert 0 <= paid <= delivered * (1 + 1e-12) + 1e-9
    assert revenue == pytest.approx(paid, rel=1e-9)
    assert delivered_children == pytest.approx(delivered, rel=1e-6)
    assert (payments["paid_eur"] <= payments["delivered_eur"] * (1 + 1e-12) + 1e-9).all()
    if fin.budget_ceiling_factor is None:
        np.testing.assert_allclose(payments["paid_eur"], payments["delivered_eur"], rtol=1e-12)
    elif scenario.transition is None and len(payments):
        # Ceiling per contract and calendar year: factor x the unit's expected spend on the form
        # (youth x rate x mean duration x tariff) x the provider's share (even, or its expected
        # share of the unit's care: tested by hand in test_providers); the shares of a unit sum to 1.
        load = finance.unit_loads(scenario, world.geography.gemeenten, world.market)
        if fin.budget_ceilings.split == "even":
            shares = finance.even_shares(world.market)
        else:
            bound = scenario.providers.bind_to_werkgebied
            shares = finance.expected_shares(world.providers, world.market, load, bound)
        total: dict[tuple[str, str], float] = {}
        for (unit, _, form), share in shares.items():
            total[(unit, form)] = total.get((unit, form), 0.0) + share
        for key, summed in total.items():
            assert summed == pytest.approx(1.0 if load[key] > 0 else 0.0, abs=1e-9), key
        ceiling = {
            (c.unit_id, c.provider_id, c.care_form): fin.budget_ceiling_factor.value
            * load[(c.unit_id, c.care_form)]
            * 365.0
            * world.market.tariff[(c.unit_id, c.care_form)]
            * shares[(c.unit_id, c.provider_id, c.care_form)]
            for c in world.market.contracts
        }
        year = pd.to_datetime(payments["month"]).dt.year
        keys = [payments["unit_id"].astype(str), payments["provider_id"].astype(str), payments["care_form"].astype(str)]
        idx = fin.tariff_indexation_per_year
        for (unit, pid, form, y), part in payments.groupby([*keys, year]):
            cap = ceiling.get((unit, pid, form))
            if cap is None:
                continue  # a pooled neighbour's provider, placed without a contract of this unit
            if fin.budget_ceilings.indexed and idx is not None:
                cap *= (1.0 + idx.value) ** (int(y) - scenario.start_date.year)  # ceilings follow tariffs
            if fin.budget_ceilings.indexed and scenario.tariff_changes:
                continue  # a change within the year scales what is left of the ceiling
            assert part["paid_eur"].sum() <= cap * (1 + 1e-9) + 1e-6
            if (part["paid_eur"] < part["delivered_eur"] - 1e-6).any():
                assert part["paid_eur"].sum() == pytest.approx(cap, rel=1e-9)
    # Per provider, and per contracting unit and form.
    by_prov_paid = payments.groupby("provider_id", observed=True)["paid_eur"].sum()
    by_prov_rev = ledger.groupby("provider_id", observed=True)["revenue_eur"].sum()
    for pid, eur in by_prov_rev.items():
        assert eur == pytest.approx(by_prov_paid.get(pid, 0.0), rel=1e-9, abs=1e-6), pid
    if scenario.transition is None:
        pay_unit = payments.groupby(["unit_id", "care_form"], observed=True)["delivered_eur"].sum()
        ep_unit = ep.groupby(["unit_id", "care_form"], observed=True)["delivered_eur"].sum()
        for key, eur in ep_unit.items():
            assert eur == pytest.approx(pay_unit.get(key, 0.0), rel=1e-6, abs=1e-6), key

    # Per child: what was delivered is the tariff times the days in care (when tariffs never move).
    days_in_care = care_days(ep, horizon)
    if _static_tariffs(scenario):
        np.testing.assert_allclose(ep["delivered_eur"], ep["tariff_eur_per_day"] * days_in_care, rtol=1e-9, atol=1e-6)
        tariff = {k: v.tariff_eur_per_day.value for k, v in scenario.care_forms.items()}
        placed = ep[ep["t_intake"].notna()]
        expected_tariff = np.array([tariff[str(f)] for f in placed["care_form"]], dtype=float)
        np.testing.assert_allclose(placed["tariff_eur_per_day"].to_numpy(), expected_tariff)
    # Place-days in the ledger are the children's care days.
    assert float(ledger["occupied_days"].sum()) == pytest.approx(float(days_in_care.sum()), rel=1e-6)

    # Months tile the horizon.
    months = ledger.groupby("t_start")["days"].first()
    assert months.sum() == pytest.approx(horizon, rel=1e-12)
    # The per-form monthly table adds up to the providers' ledger, month by month.
    cols = ["occupied_days", "place_days", "nominal_place_days"]
    by_form = t["forms"].groupby("t_start")[cols].sum()
    by_ledger = ledger.groupby("t_start")[cols].sum()
    for col in cols:
        np.testing.assert_allclose(by_form[col], by_ledger.loc[by_form.index, col], rtol=1e-9, atol=1e-9)
    per_form_days = pd.Series(days_in_care, index=ep.index).groupby(ep["care_form"].astype(str)).sum()
    for form, occupied in t["forms"].groupby("care_form", observed=True)["occupied_days"].sum().items():
        assert occupied == pytest.approx(float(per_form_days.get(str(form), 0.0)), rel=1e-6, abs=1e-6), form

    # Per provider: reserves move by margin plus support; the margin is revenue less costs, and
    # each cost follows from the cost price, the provider's cost factor and its staff.
    contracts: dict[str, int] = {}
    term_sets: dict[str, set[str]] = {}
    for c in world.market.contracts:
        contracts[c.provider_id] = contracts.get(c.provider_id, 0) + 1
        term_sets.setdefault(c.provider_id, set()).add(c.unit_id)  # each unit is one set of terms
    exited = set(t["exits"]["provider_id"])
    cost_idx = fin.cost_indexation_per_year.value if fin.cost_indexation_per_year else 0.0
    by_provider = {str(k): v.sort_values("t_start") for k, v in ledger.groupby("provider_id", observed=True)}
    ep_days = pd.Series(days_in_care, index=ep.index).groupby(ep["provider_id"], observed=True).sum()
    # Every provider has a row a month; an entrant (capacity.entry) from the month after it opened.
    assert set(by_provider) >= {p.provider_id for p in world.providers if not p.entrant}
    assert set(by_provider) <= {p.provider_id for p in world.providers}
    for p in world.providers:
        if p.provider_id not in by_provider:
            continue
        rows = by_provider[p.provider_id]
        assert len(rows) == (len(months) if not p.entrant else int((months.index >= rows["t_start"].iloc[0]).sum()))
        reserves = np.concatenate([[p.reserves_eur], rows["reserves_eur"].to_numpy()])
        scale = max(1.0, abs(p.reserves_eur), float(rows["staff_cost_eur"].abs().max()))
        np.testing.assert_allclose(
            np.diff(reserves), rows["margin_eur"] + rows["support_eur"], rtol=1e-9, atol=1e-9 * scale
        )
        costs = (
            rows["staff_cost_eur"] + rows["housing_cost_eur"] + rows["overhead_cost_eur"] + rows["variable_cost_eur"]
        )
        np.testing.assert_allclose(rows["margin_eur"], rows["revenue_eur"] - costs, rtol=1e-9, atol=1e-9 * scale)
        assert (rows["support_eur"] >= 0).all()
        # Shrinking cuts places but never takes one from a child in care: bound by the original places.
        assert (rows["occupied_days"] <= sum(o.places for o in p.forms) * rows["days"] + 1e-6).all()
        if fin.shrink is None:
            assert (rows["occupied_days"] <= rows["nominal_place_days"] + 1e-6).all()
        if scenario.transition is None and not p.entrant:  # an entrant's contracts are not the market's
            assert (rows["n_contracts"] == contracts.get(p.provider_id, 0)).all()
            assert (rows["n_term_sets"] == len(term_sets.get(p.provider_id, ()))).all()
        if fin.admin is None:
            raw = (
                rows["n_contracts"] * fin.provider_admin_share_per_contract.value
                + rows["n_term_sets"] * fin.provider_admin_share_per_term_set.value
            )
        else:  # the curve: reference share, per doubling of term sets, per contract beyond them
            sets = np.maximum(1, rows["n_term_sets"])
            raw = (
                fin.admin.reference_share.value
                + fin.admin.per_doubling_of_term_sets.value * np.log2(sets / fin.admin.reference_term_sets.value)
                + fin.admin.per_extra_contract.value * np.maximum(0, rows["n_contracts"] - sets)
            )
        share = np.clip(raw, 0.0, fin.provider_admin_share_max.value)
        np.testing.assert_allclose(rows["admin_share"], share, rtol=1e-12)
        if len(p.forms) == 1:
            (offer,) = p.forms
            cp = scenario.care_forms[offer.care_form].cost_price
            years = np.array([m.year for m in pd.to_datetime(rows["month"])]) - scenario.start_date.year
            index = (1.0 + cost_idx) ** years
            f = offer.cost_factor * index * rows["days"] / 365.0
            np.testing.assert_allclose(
                rows["staff_cost_eur"], rows["fte"] * cp.salary_eur_per_fte_year.value * f, rtol=1e-9, atol=1e-9
            )
            housing = rows["nominal_place_days"] / rows["days"] * cp.housing_eur_per_place_year.value * f
            np.testing.assert_allclose(rows["housing_cost_eur"], housing, rtol=1e-9, atol=1e-9)
            np.testing.assert_allclose(
                rows["overhead_cost_eur"],
                (rows["staff_cost_eur"] + rows["housing_cost_eur"]) * cp.overhead_share.value,
                rtol=1e-9,
                atol=1e-9,
            )
            np.testing.assert_allclose(
                rows["variable_cost_eur"],
                rows["occupied_days"] * cp.variable_eur_per_day.value * index,
                rtol=1e-9,
                atol=1e-9,
            )
            np.testing.assert_allclose(
                rows["admin_cost_eur"],
                rows["staff_cost_eur"] * (1.0 - cp.non_productive_share.value) * rows["admin_share"],
                rtol=1e-9,
                atol=1e-9,
            )
            if _static_tariffs(scenario) and fin.budget_ceiling_factor is None:
                tariff = scenario.care_forms[offer.care_form].tariff_eur_per_day.value
                np.testing.assert_allclose(rows["revenue_eur"], tariff * rows["occupied_days"], rtol=1e-9, atol=1e-6)
        if p.provider_id in exited:
            after = rows[rows["status"] == "exited"]
            assert (after["occupied_days"] == 0).all() and (after["nominal_place_days"] == 0).all()
            # Revenue accrues incrementally, so a float residue of ~1e-12 EUR may remain.
            np.testing.assert_allclose(after["revenue_eur"], 0.0, atol=1e-6)
        elif not ep["replacements"].any():
            assert float(rows["occupied_days"].sum()) == pytest.approx(
                float(ep_days.get(p.provider_id, 0.0)), rel=1e-6, abs=1e-6
            )

    # Contracting units' own administration.
    mun = t["municipal"]
    if scenario.transition is None:
        assert (mun["units"] == len({c.unit_id for c in world.market.contracts})).all()
        # Entrants add their contracts from the month end they open (their ledger starts a month later).
        entrants = {p.provider_id for p in world.providers if p.entrant}
        opened = ledger[ledger["provider_id"].astype(str).isin(entrants)].groupby("t_start")["n_contracts"].sum()
        starts = list(mun["t_start"])
        added = np.array([opened.get(nxt, 0) for nxt in starts[1:]] + [0])
        assert (mun["contracts"].to_numpy()[:-1] == len(world.market.contracts) + added[:-1]).all()
        assert (mun["contracts"] >= len(world.market.contracts)).all()
    years = np.array([m.year for m in pd.to_datetime(mun["month"])]) - scenario.start_date.year
    per_month = (
        mun["units"] * fin.municipal_admin_eur_per_unit_month.value
        + mun["contracts"] * fin.municipal_admin_eur_per_contract_month.value
    )
    expected = per_month * mun["days"] / (365.0 / 12.0) * (1.0 + cost_idx) ** years
    np.testing.assert_allclose(mun["admin_cost_eur"], expected, rtol=1e-9)
    # Support paid to providers is what the municipalities paid out.
    assert float(mun["support_eur"].sum()) == pytest.approx(float(ledger["support_eur"].sum()), rel=1e-9, abs=1e-6)
    assert float(t["support"]["amount_eur"].sum()) == pytest.approx(float(ledger["support_eur"].sum()), abs=1e-6)


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
    # The steady baseline has (almost) no financial exits: a shock makes sure one provider leaves.
    shock = {"date": "2026-09-01", "which": "largest", "note": "an exit for the books to balance through"}
    scenario = load_scenario(SCENARIOS / "flevoland.yaml", overrides={"years": 2, "shocks": [shock]})
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


@st.composite
def dynamics(draw):
    """Optional workforce dynamics, budget ceilings and shrinking on top of a static tiny world."""
    out = {}
    if draw(st.booleans()):
        out["turnover"] = draw(st.floats(0.0, 2.0))
        out["workforce"] = {
            "initial_staffing": draw(st.sampled_from(["equilibrium", 0.5, 0.8, 1.0])),
            "hiring_delay_months": draw(st.integers(0, 2)),
            "vacancy_fill_per_month": Sourced(value=draw(st.floats(0.1, 1.0)), assumption="test"),
            "workload_turnover_elasticity": Sourced(value=draw(st.floats(0.0, 3.0)), assumption="test"),
        }
    if draw(st.booleans()):
        out["finance"] = {
            "budget_ceiling_factor": Sourced(value=draw(st.floats(0.3, 1.5)), assumption="test"),
            "shrink": Shrink(after_months=draw(st.integers(1, 3)), step=0.5, assumption="test"),
        }
    return out


def with_dynamics(scenario, extra):
    """The scenario with ``extra`` applied (frozen models are copied, never changed in place)."""
    update = {}
    if "turnover" in extra:
        turnover = Sourced(value=extra["turnover"], assumption="test")
        update["care_forms"] = {
            k: f.model_copy(update={"cost_price": f.cost_price.model_copy(update={"annual_staff_turnover": turnover})})
            for k, f in scenario.care_forms.items()
        }
    if "workforce" in extra:
        update["workforce"] = scenario.workforce.model_copy(update=extra["workforce"])
    if "finance" in extra:
        update["finance"] = scenario.finance.model_copy(update=extra["finance"])
    return scenario.model_copy(update=update)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kwargs=small_scenarios(), extra=dynamics())
def test_conservation_property(kwargs, extra):
    with tempfile.TemporaryDirectory() as tmp:
        scenario = with_dynamics(make_scenario(Path(tmp), name="prop", **kwargs), extra)
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
        n_gemeenten=1,  # both providers in it: referred children go to P1 first (nearest, then first)
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


# --------------------------------------------------------------------------------------------
# Regressions: defects found by this suite and fixed in a5e0fde (month-end order, cost
# accrual to the day, per-form utilisation from the forms table)


def test_waiting_end_counts_children_displaced_at_the_horizon(tmp_path):
    # One provider, negative in its first and only month, no notice period: it leaves at day 31,
    # which is the horizon, with both its places full.
    scenario = make_scenario(
        tmp_path,
        places=2,
        rate_per_day=1.0,
        mean_days=100.0,
        dist="deterministic",
        years=31 / 365,
        seed=1,
        fixed_cost_eur_per_year=1e7,
        reserves_eur=0.0,
        months_negative_before_notice=1,
        notice_months=0,
    )
    res = run(scenario, 0)
    assert res.tables["exits"]["exit_day"].tolist() == [scenario.horizon_days]
    assert res.tables["exits"]["children_replaced"].tolist() == [2]
    ep, wq = res.tables["episodes"], res.tables["waiting"]
    waiting_now = int((ep["state"] == "waiting").sum())
    kpi = res.kpis.set_index(["kpi", "care_form"])["value"]
    assert kpi[("waiting_at_end", "ALL")] == waiting_now
    last = wq[wq["t_start"] == wq["t_start"].max()]
    assert int(last["waiting_end"].sum()) == waiting_now


def test_per_form_utilisation_counts_only_days_in_care(exit_run):
    """Displaced children wait between stays; those days must not count as care (they did once)."""
    scenario, _, res = exit_run
    ep, forms = res.tables["episodes"], res.tables["forms"]
    horizon = scenario.horizon_days
    assert scenario.warmup_days == 0 and (ep["extra_wait_days"] > 0).any()
    kpi = res.kpis.set_index(["kpi", "care_form"])["value"]
    mine = forms[forms["care_form"] == MAIN_FORM]
    in_care = float(care_days(ep[ep["care_form"] == MAIN_FORM], horizon).sum())
    assert float(mine["occupied_days"].sum()) == pytest.approx(in_care, rel=1e-9)
    assert kpi[("utilisation_mean", MAIN_FORM)] == pytest.approx(in_care / float(mine["place_days"].sum()), rel=1e-9)
    # Counting the gaps as care (first intake to last discharge) would give a different answer.
    span = ep[ep["care_form"] == MAIN_FORM]
    gaps = float((span["t_end"].fillna(horizon) - span["t_intake"]).sum()) - in_care
    assert gaps > 1.0


def test_exited_provider_books_no_costs_after_exit(exit_run):
    _, _, res = exit_run
    ledger, exits = res.tables["ledger"], res.tables["exits"]
    exit_day = float(exits["exit_day"].iloc[0])
    after = ledger[(ledger["provider_id"] == "P1") & (ledger["t_start"] >= exit_day)]
    assert len(after) > 1 and (after["status"] == "exited").all()
    assert (after["occupied_days"] == 0).all()
    assert (after["staff_cost_eur"] == 0).all(), after[["t_start", "fte", "staff_cost_eur"]].to_string()
    assert (after["admin_cost_eur"] == 0).all()


@pytest.mark.parametrize("name", ["regionaal", "gefragmenteerd"])
def test_national_scenarios_conserve_children_and_money(name):
    """The whole country for a quarter: pooled, regional, sub-regional and national units at once."""
    scenario = load_scenario(SCENARIOS / f"{name}.yaml", overrides={"years": 0.25, "warmup_days": 0})
    res = run(scenario, 0)
    assert len(res.tables["episodes"]) > 10_000
    check_all(res, scenario)


def test_waiting_end_excludes_children_placed_at_the_horizon(tmp_path):
    # Half-staffed at the start: two of four places can be used in January. Vacancies are filled at
    # once at the month end (day 31, the horizon), and the two new places go to waiting children.
    scenario = make_scenario(
        tmp_path, places=4, rate_per_day=1.0, mean_days=100.0, dist="deterministic", years=31 / 365, seed=1
    )
    scenario = scenario.model_copy(
        update={"workforce": scenario.workforce.model_copy(update={"initial_staffing": 0.5})}
    )
    res = run(scenario, 0)
    ep, wq = res.tables["episodes"], res.tables["waiting"]
    assert (ep["t_intake"] == scenario.horizon_days).sum() == 2
    waiting_now = int((ep["state"] == "waiting").sum())
    kpi = res.kpis.set_index(["kpi", "care_form"])["value"]
    assert kpi[("waiting_at_end", "ALL")] == waiting_now
    assert int(wq["waiting_end"].iloc[-1]) == waiting_now
