"""The validation report: observed figures found in the data, model measures on hand-built tables
with known answers, verdicts, and the command end to end (exit codes, nothing half-written)."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation.cli import main
from simulation.metrics import Episodes
from simulation.metrics.stocks import count_stocks
from simulation.validation import measures as m
from simulation.validation import observed as obs
from simulation.validation.report import judge

ROOT = Path(__file__).resolve().parents[1]


# -- observed figures ------------------------------------------------------------------------


def test_observed_figures_come_from_the_data_files():
    ots = obs.from_table("cbs/national_jeugdzorg_series.csv", indicator="jongeren_met_reguliere_ots_peildatum")
    assert ots.value == 19550.0 and ots.period == "2022-06-30" and ots.source.startswith("https://")
    margin = obs.from_table(
        "aanbieders/aanbieders_financien_excerpts.csv", indicator="gemiddeld_nettoresultaat_jeugdzorgaanbieders"
    )
    assert margin.value == 1.5


def test_a_lookup_that_is_not_exactly_one_row_fails_loudly():
    with pytest.raises(LookupError, match=r"\d+ rows"):
        obs.from_table("cbs/national_jeugdzorg_series.csv", indicator="jongeren_met_jeugdhulp_met_verblijf")
    with pytest.raises(LookupError, match="0 rows"):
        obs.from_table("cbs/national_jeugdzorg_series.csv", indicator="no_such_indicator")


def test_twente_median_is_the_published_median():
    o = obs.twente_median_wait_days()
    assert o.value == pytest.approx(8.7 * 7, abs=7)  # PROVENANCE: median 8.7 weeks over 43 rows
    assert "43" in o.note and o.low < o.value < o.high


def test_weighted_cv_by_hand():
    assert obs.weighted_cv([1.0, 3.0], [1.0, 1.0]) == pytest.approx(0.5)
    assert obs.weighted_cv([1.0, 3.0], [3.0, 1.0]) == pytest.approx(math.sqrt(0.75) / 1.5)
    assert math.isnan(obs.weighted_cv([2.0], [1.0]))


# -- model measures on a hand-built run --------------------------------------------------------


def _run(episodes: pd.DataFrame, ledger: pd.DataFrame | None = None, contracts: pd.DataFrame | None = None):
    """A scenario run starting 2026-01-01 with a window from day 90 to day 365."""
    episodes = episodes.assign(replication=0, replacements=0, extra_wait_days=0.0, waiting_since=math.nan)
    for col in ("care_form", "origin", "state", "gemeente", "region"):
        episodes[col] = episodes[col].astype("category")
    empty = pd.DataFrame({"replication": pd.Series(dtype=int), "t_start": pd.Series(dtype=float)})
    stocks = count_stocks(Episodes.from_table(episodes, {}), date(2026, 1, 1), 365.0).assign(replication=0)
    tables = {
        "episodes": episodes, "ledger": ledger if ledger is not None else empty, "forms": empty, "stocks": stocks,
    }  # fmt: skip
    return m.ScenarioRun(
        name="x", tables=tables,
        contracts=contracts if contracts is not None else pd.DataFrame(columns=["provider_id", "care_form"]),
        warmup=90.0, horizon=365.0, start=date(2026, 1, 1), norms={"a": 30.0, "b": 30.0},
        youth={"G1": 10_000.0, "G2": 10_000.0}, replications=[0],
    ).replication(0)  # fmt: skip


def _episodes(rows: list[tuple]) -> pd.DataFrame:
    cols = ["care_form", "origin", "t_referral", "t_intake", "t_end", "state", "gemeente", "region"]
    return pd.DataFrame(rows, columns=cols)


def test_in_care_on_a_date_and_persons_in_a_year():
    nan = math.nan
    ep = _episodes([
        ("a", "initial", 0, 0, nan, "in_care", "G1", "R"),        # in care throughout
        ("a", "referral", 100, 120, 150, "done", "G1", "R"),      # ended before 30 June (day 180)
        ("a", "referral", 100, 170, nan, "in_care", "G2", "R"),   # in care on 30 June
        ("a", "referral", 200, nan, nan, "waiting", "G2", "R"),   # never placed
        ("b", "referral", 100, 110, nan, "in_care", "G1", "R"),   # other form
        ("a", "initial", 0, 0, 50, "done", "G1", "R"),            # ended before the window
    ])  # fmt: skip
    r = _run(ep)  # 30 June is counted at the end of day 181
    assert m.in_care_on(["a"], 6, 30)(r) == 2.0
    assert m.in_care_on(["a", "b"], 6, 30)(r) == 3.0
    # in care at day 90: the first child; started in the window: 2 (days 120, 170); 275-day window
    assert m.persons_in_year(["a"])(r) == pytest.approx(1 + 2 * 365 / 275)
    assert m.referrals_per_year(["a"])(r) == pytest.approx(3 * 365 / 275)
    # starts in the window (days 120 and 170 in a; 110 in b), not the initial stock or the waiting
    assert m.starts_per_year(["a"])(r) == pytest.approx(2 * 365 / 275)
    assert m.starts_per_year(["a", "b"])(r) == pytest.approx(3 * 365 / 275)


def test_trajectories_started_are_the_share_times_the_total():
    # CBS 2019: 3.8% of 281,810 started trajectories were "overig met verblijf"
    o = obs.trajectories_started("overig_met_verblijf", "2019")
    assert o.value == pytest.approx(0.038 * 281_810)
    assert o.file == "data/cbs/national_jeugdzorg_series.csv" and "3.8%" in o.note


def test_a_count_date_outside_the_window_gives_no_value():
    ep = _episodes([("a", "initial", 0, 0, math.nan, "in_care", "G1", "R")])
    r = _run(ep)
    r.run.warmup = 200.0  # the window no longer holds 30 June (day 181) of 2026
    assert math.isnan(m.in_care_on(["a"], 6, 30)(r))


def test_margins_losses_and_admin_share_by_hand():
    ledger = pd.DataFrame({
        "replication": 0, "t_start": [0.0, 90.0, 90.0, 120.0, 120.0],
        "provider_id": ["P1", "P1", "P2", "P1", "P2"],
        "revenue_eur": [1e9, 100.0, 300.0, 100.0, 300.0], "margin_eur": [1e9, 10.0, -30.0, 10.0, -10.0],
        "admin_share": [0.9, 0.2, 0.4, 0.2, 0.4], "fte": [1.0, 1.0, 3.0, 1.0, 3.0], "status": "active",
    })  # fmt: skip
    contracts = pd.DataFrame({"provider_id": ["P1", "P2"], "care_form": ["a", "b"]})
    r = _run(_episodes([("a", "initial", 0, 0, math.nan, "in_care", "G1", "R")]), ledger, contracts)
    # the month before the warm-up (t_start 0) is left out
    assert m.net_margin()(r) == pytest.approx((10 - 30 + 10 - 10) / 800)
    assert m.net_margin(m.providers_of(["a"]))(r) == pytest.approx(20 / 200)
    assert m.loss_making_share()(r) == pytest.approx(0.5)
    assert m.admin_share()(r) == pytest.approx((0.2 * 2 + 0.4 * 6) / 8)
    assert m.spend_per_year()(r) == pytest.approx(800 * 365 / 275)


def test_referral_spread_over_gemeenten():
    rows = [("a", "referral", 100, 110, math.nan, "in_care", "G1", "R")] * 3
    rows += [("a", "referral", 100, 110, math.nan, "in_care", "G2", "R")]
    r = _run(_episodes(rows))
    # rates 3e-4 and 1e-4 with equal weights: CV = 1e-4 / 2e-4
    assert m.gemeente_referral_cv(["a"], 5_000)(r) == pytest.approx(0.5)
    assert math.isnan(m.gemeente_referral_cv(["a"], 50_000)(r))


# -- verdicts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "observed", "low", "high", "expect", "verdict"),
    [
        (100.0, 100.0, math.nan, math.nan, None, "agrees"),
        (140.0, 100.0, math.nan, math.nan, None, "agrees"),
        (160.0, 100.0, math.nan, math.nan, None, "miss"),
        (60.0, 100.0, math.nan, math.nan, None, "miss"),
        (60.0, 100.0, 50.0, 70.0, None, "agrees (in range)"),
        (30.0, 100.0, math.nan, math.nan, "lower", "consistent (lower, as expected)"),
        (300.0, 100.0, math.nan, math.nan, "lower", "miss"),
        (math.nan, 100.0, math.nan, math.nan, None, "no model value"),
    ],
)
def test_judge(model, observed, low, high, expect, verdict):
    assert judge(model, observed, low, high, expect=expect).verdict == verdict


@pytest.mark.parametrize(
    ("model", "observed", "verdict"),
    [
        (0.020, 0.015, "agrees"),  # 0.5 points: a ratio of 1.33 agrees too
        (0.024, 0.015, "agrees"),  # 0.9 points, although the ratio is 1.6
        (0.026, 0.015, "miss"),  # 1.1 points
        (-0.008, 0.001, "agrees"),  # 0.9 points across zero (a ratio of -8)
        (-0.022, 0.001, "miss"),  # 2.3 points
    ],
)
def test_a_margin_is_judged_by_its_difference_in_points(model, observed, verdict):
    assert judge(model, observed, math.nan, math.nan, unit="margin").verdict == verdict
    assert judge(model, observed, -0.05, 0.05, unit="margin").verdict == "agrees (in range)"


# -- the command -------------------------------------------------------------------------------

SMALL = ["--replications", "2", "--years", "1", "--executor", "serial"]


def _experiment(tmp_path: Path) -> Path:
    """The three regimes on Flevoland: small enough for a test."""
    exp = tmp_path / "exp.yaml"
    exp.write_text(
        "name: validatie-test\n"
        "scenarios:\n"
        f"  - {ROOT / 'scenarios' / 'flevoland.yaml'}\n"
        "replications: 2\nseed: 7\nyears: 1\nwarmup_days: 90\n",
        encoding="utf-8",
    )
    return exp


def test_the_command_writes_every_comparison(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    out, csv = tmp_path / "VALIDATION.md", tmp_path / "validation.csv"
    code = main(["validation-report", str(_experiment(tmp_path)), *SMALL, "--root", str(tmp_path / "store"),
                 "--out", str(out), "--csv", str(csv), "--reference", "flevoland"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    text = out.read_text(encoding="utf-8")
    table = pd.read_csv(csv)
    assert len(table) == table["quantity"].nunique()  # one scenario: one row per comparison
    for quantity in table["quantity"]:
        assert quantity in text
    assert set(table["group"]) == {"Stocks and flows", "Waits", "Money and administration", "Regional spread"}
    valued = ~table["verdict"].isin(["not modelled", "no model value"])
    assert valued.sum() >= 15 and np.isfinite(table.loc[valued, "model_mean"]).all()
    assert "Do not edit by hand" in text


def test_bad_reference_and_bad_out_exit_2_and_write_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    exp = _experiment(tmp_path)
    out = tmp_path / "VALIDATION.md"
    code = main(["validation-report", str(exp), *SMALL, "--root", str(tmp_path / "store"), "--out", str(out),
                 "--reference", "nowhere"])  # fmt: skip
    assert code == 2 and "--reference" in capsys.readouterr().err
    assert not out.exists()
    assert main(["validation-report", str(exp), *SMALL, "--out", str(tmp_path)]) == 2
    assert "--out" in capsys.readouterr().err
    assert list(tmp_path.glob(".VALIDATION.md.*")) == []


def test_spend_counts_only_care_days_inside_the_window():
    ep = _episodes([
        ("a", "initial", 0, 0, 190, "done", "G1", "R"),            # 100 days in the window (90-190)
        ("b", "referral", 300, 315, math.nan, "in_care", "G2", "R"),  # 50 days (315-365)
    ]).assign(tariff_eur_per_day=[10.0, 100.0])  # fmt: skip
    r = _run(ep)
    assert m.share_of_spend(["a"])(r) == pytest.approx(1000 / 6000)
    assert m.spend_per_youth(["G2"])(r) == pytest.approx(5000 * 365 / 275 / 10_000)


def test_intervals_stay_inside_the_domain():
    from simulation.validation.report import _in_domain

    assert _in_domain(-0.2, 1.3, "share") == (0.0, 1.0)
    assert _in_domain(-5.0, 10.0, "count") == (0.0, 10.0)
    assert _in_domain(-0.2, 0.1, "margin") == (-0.2, 0.1)


def test_the_2021_spread_sums_merged_gemeenten_into_their_successors():
    youth = obs.youth_by_gemeente()
    o = obs.gemeente_spread_2021(0, youth, obs.youth_by_gemeente(column="jeugd_0_22"))
    # 352 gemeenten of 2021 become the 342 of 2023, every one of them with a count
    assert "342 gemeenten" in o.note and 0.05 < o.value < 1.0
