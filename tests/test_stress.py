"""Every stress scenario validates, extends a regime scenario, runs, and shows its mechanism."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from simulation.config import load_scenario
from simulation.runner import build_world, run_replication

ROOT = Path(__file__).resolve().parents[1]
STRESS = sorted((ROOT / "scenarios" / "stress").glob("*.yaml"))
REGIMES = {"gefragmenteerd.yaml", "regionaal.yaml", "landelijk.yaml"}

# Shorter horizons keep the suite fast; each still reaches its mechanism's dates.
YEARS = {"transitie-regionaal": 2.0, "tariefkorting": 1.5, "afbouw-gesloten-jeugdhulp": 1.0}


def test_there_are_stress_scenarios_for_every_question() -> None:
    names = {p.stem for p in STRESS}
    assert {
        "vraaggroei", "personeelstekort", "uitval-grootste-aanbieder", "tariefkorting",
        "afbouw-gesloten-jeugdhulp", "transitie-regionaal",
    } <= names  # fmt: skip


@pytest.mark.parametrize("path", STRESS, ids=lambda p: p.stem)
def test_stress_scenario_extends_a_regime_and_states_its_question(path: Path) -> None:
    raw = yaml.safe_load(path.read_text())
    assert Path(raw["extends"]).name in REGIMES
    s = load_scenario(path)
    assert s.description.count("?") >= 1 and "\n" not in s.description


@pytest.fixture(scope="module")
def results() -> dict[str, object]:
    out = {}
    for path in STRESS:
        s = load_scenario(path, {"years": YEARS.get(path.stem, 1.0), "warmup_days": 0})
        out[path.stem] = (s, run_replication(s, 0, engine="reference"))
    return out


def _kpi(res: object, name: str) -> float:
    return float(res.kpis.set_index(["kpi", "care_form"])["value"][(name, "ALL")])  # type: ignore[attr-defined]


def test_every_stress_scenario_runs_and_conserves_money(results) -> None:
    for name, (_s, res) in results.items():
        t = res.tables
        assert len(t["episodes"]) > 1000, name
        assert float(t["payments"]["paid_eur"].sum()) == pytest.approx(float(t["ledger"]["revenue_eur"].sum()))
        assert float(t["payments"]["delivered_eur"].sum()) == pytest.approx(float(t["episodes"]["delivered_eur"].sum()))


def test_demand_growth_raises_referrals_year_on_year(results) -> None:
    _s, res = results["vraaggroei"]
    ep = res.tables["episodes"]
    ref = ep[ep["origin"] == "referral"]
    first_half = (ref["t_referral"] < 182.5).sum()
    second_half = (ref["t_referral"] >= 182.5).sum()
    # 5% a year: the second half-year has about 2.5% more referrals (Poisson noise ~0.5%).
    assert 1.01 < second_half / first_half < 1.04


def test_staff_shortage_leaves_fewer_staff_than_the_regional_default(results) -> None:
    _s, res = results["personeelstekort"]
    base = load_scenario(ROOT / "scenarios" / "regionaal.yaml", {"years": 1.0, "warmup_days": 0})
    normal = run_replication(base, 0, engine="reference")
    fte = lambda r: r.tables["ledger"].groupby("t_start")["fte"].sum()  # noqa: E731
    assert (fte(res).to_numpy() < fte(normal).to_numpy()).all()
    assert _kpi(res, "wait_days_mean") > _kpi(normal, "wait_days_mean")


def test_largest_provider_of_the_region_fails_on_the_date_and_its_children_are_replaced(results) -> None:
    s, res = results["uitval-grootste-aanbieder"]
    exits = res.tables["exits"]
    shock = exits[exits["cause"] == "shock"]
    assert len(shock) == 1 and shock["exit_day"].iloc[0] == 181.0  # 1 July 2026
    world = build_world(s)
    rijnmond = {g.code for g in world.geography.gemeenten if g.region == "JZ29"}
    sizes = {p.provider_id: sum(o.places for o in p.forms) for p in world.providers if p.gemeente in rijnmond}
    assert shock["provider_id"].iloc[0] == max(sizes, key=lambda k: (sizes[k], k))
    assert shock["children_replaced"].iloc[0] > 0
    ep = res.tables["episodes"]
    moved = ep[ep["replacements"] > 0]
    assert len(moved) >= shock["children_replaced"].iloc[0]
    assert not ((moved["provider_id"] == shock["provider_id"].iloc[0]) & (moved["state"] == "in_care")).any()


def test_tariff_cut_lowers_the_price_of_care_from_2027(results) -> None:
    s, res = results["tariefkorting"]
    ep = res.tables["episodes"]
    ep = ep[ep["care_form"] == "residentieel"]
    start = float((pd.Timestamp("2027-01-01") - pd.Timestamp("2026-01-01")).days)
    tariff = s.care_forms["residentieel"].tariff_eur_per_day.value
    # The tariff a child's care was last paid at: the 2026 price for stays that ended in 2026,
    # the indexed (3%) and cut (10%) price for every stay running in 2027.
    # Each unit's own 2026 price: the reference, or more where the unit pays for its providers'
    # administration (finance.tariff_admin, a floor: never less).
    placed = ep[ep["t_intake"].notna()]
    before = placed["t_end"] < start  # placed, then left in 2026
    ended = placed[before].groupby("unit_id", observed=True)["tariff_eur_per_day"]
    running = placed[~before].groupby("unit_id", observed=True)["tariff_eur_per_day"]
    assert ended.size().sum() > 100 and running.size().sum() > 100
    price = ended.first()
    assert (ended.max() - ended.min()).abs().max() < 1e-9  # one price per unit in 2026
    assert (price >= tariff - 1e-9).all()
    assert np.allclose(running.min(), price.loc[running.min().index] * 1.03 * 0.9)
    assert np.allclose(running.max(), price.loc[running.max().index] * 1.03 * 0.9)
    # What a child was paid for covers both prices: between the two times its days in care.
    pay = res.tables["payments"]
    per_month = pay[pay["care_form"] == "residentieel"].groupby("t_start")["delivered_eur"].sum()
    assert per_month.loc[per_month.index >= start].mean() < per_month.loc[per_month.index < start].mean()


def test_closed_care_is_phased_down_and_referrals_diverted(results) -> None:
    s, res = results["afbouw-gesloten-jeugdhulp"]
    ep = res.tables["episodes"]
    diverted = ep[ep["diverted"]]
    assert len(diverted) > 0 and set(diverted["care_form"]) == {"driemilieus"}
    # A rising share: more diversions in the second half-year than in the first.
    assert (diverted["t_referral"] >= 182.5).sum() > (diverted["t_referral"] < 182.5).sum()
    led = res.tables["ledger"]
    world = build_world(s)
    jzp = {p.provider_id for p in world.providers if p.forms[0].care_form == "gesloten_jeugdhulp"}
    places = led[led["provider_id"].isin(jzp)].groupby("t_start")["nominal_place_days"].sum()
    days = led.groupby("t_start")["days"].first()
    per_day = (places / days).to_numpy()
    assert per_day[-1] < per_day[0] * 0.8  # a quarter of the way to zero after one year


def test_transition_moves_units_as_contracts_expire(results) -> None:
    _s, res = results["transitie-regionaal"]
    mun = res.tables["municipal"]
    units = mun["units"].to_numpy()
    assert units[0] == 107 and units[-1] < units[0] and (np.diff(units) <= 0).all()
    # No switch before the first possible start: procurement + 3 months lead.
    first_drop = int(np.argmax(units < units[0]))
    assert mun["t_start"].iloc[first_drop] >= (6 + 3) * 365 / 12 - 31


def test_budget_ceilings_leave_care_unpaid(results) -> None:
    _s, res = results["omzetplafond"]
    assert _kpi(res, "unpaid_care_eur") > 0


def test_support_budget_is_spent_on_crucial_providers_only(results) -> None:
    s, res = results["steun-cruciale-aanbieders"]
    support = res.tables["support"]
    assert support["amount_eur"].sum() <= s.finance.support.budget_eur + 1e-6  # type: ignore[union-attr]
    assert float(res.tables["municipal"]["support_eur"].sum()) == pytest.approx(float(support["amount_eur"].sum()))


def test_transparent_reporting_is_quarterly(results) -> None:
    _s, res = results["vroegsignalering-transparant"]
    signals = res.tables["signals"]
    assert len(signals) > 0 and signals["period"].str.contains("Q").all()
