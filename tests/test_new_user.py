"""What a new user trips over (issue 13): names that work everywhere, conveniences people expect,
rows that are empty by design saying so, and --set paths that cannot change a run refused."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import re
import time
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import pytest

from simulation import metrics, service
from simulation.cli import main, progress
from simulation.cli.output import precision_line
from simulation.config import EarlyWarning, ScenarioError, load_scenario
from simulation.experiment import load_experiment, scenario_experiment
from simulation.experiment.unread import unread_reason
from simulation.runner.experiments import _within_budget
from tests.conftest import SCENARIOS

FLEVOLAND = SCENARIOS / "flevoland.yaml"
QUICK = {"years": 0.25, "warmup_days": 30, "replications": 2}


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small result set in a store of its own."""
    root = tmp_path_factory.mktemp("store") / "results"
    return service.run_to_store(FLEVOLAND, overrides=QUICK, root=root, executor="serial").path


def test_results_show_takes_the_name_results_list_prints(stored: Path, capsys, monkeypatch) -> None:
    root = stored.parent
    assert main(["results", "list", "--root", str(root)]) == 0
    listed = capsys.readouterr().out.split("\n")[2].split()[0]
    assert listed == stored.name
    # The name under --root, under the default root (results/ in the working directory), and a path.
    assert main(["results", "show", listed, "--root", str(root)]) == 0
    by_name = capsys.readouterr().out
    assert "Paired differences" in by_name or "flevoland" in by_name
    monkeypatch.chdir(root.parent)
    assert main(["results", "show", listed]) == 0
    assert capsys.readouterr().out.split("\n", 1)[1] == by_name.split("\n", 1)[1]
    assert main(["results", "show", str(stored)]) == 0
    assert capsys.readouterr().out.split("\n", 1)[1] == by_name.split("\n", 1)[1]
    # A name that is nowhere: exit 2, naming both places looked in.
    assert main(["results", "show", "nope"]) == 2
    err = capsys.readouterr().err
    assert "DIR" in err and "results/nope" in err and "results list" in err


def test_version_names_the_installed_package(capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"jeugdzorg-sim {version('jeugdzorg-sim')}"


class _Pipe(io.StringIO):
    """stderr redirected to a file: not a terminal."""

    def isatty(self) -> bool:
        return False


def test_without_a_terminal_progress_comes_as_a_line_now_and_then(monkeypatch) -> None:
    monkeypatch.setattr(progress, "EVERY_SECONDS", 0.05)
    out = _Pipe()
    with progress.progress("run proef", out) as update:
        update(0, 6)
        time.sleep(0.13)  # two lines while nothing finishes: one long replication
        update(4, 6)
        time.sleep(0.08)
        update(6, 6)
    lines = out.getvalue().splitlines()
    assert len(lines) >= 3 and all(re.fullmatch(r"run proef: \d/6 replications, \d+s elapsed", x) for x in lines)
    assert lines[0].startswith("run proef: 0/6") and "run proef: 4/6" in out.getvalue()
    assert lines[-1].startswith("run proef: 6/6")  # the last word: done, and how long it took


def test_a_short_run_without_a_terminal_prints_no_progress_line(capsys) -> None:
    out = _Pipe()
    with progress.progress("run proef", out) as update:
        update(2, 2)
    assert out.getvalue() == ""


@pytest.mark.parametrize(
    ("text", "seconds"), [("600", 600), ("90s", 90), ("10m", 600), ("1.5h", 5400), ("1h30m", 5400), ("2m5s", 125)]
)
def test_durations_read_as_people_write_them(text: str, seconds: float) -> None:
    assert progress.parse_duration(text) == seconds
    assert progress.parse_duration(progress.duration_text(seconds)) == seconds


@pytest.mark.parametrize("text", ["", "ten minutes", "10x", "0", "-5m", "31d", "40000h"])
def test_a_bad_duration_names_the_forms_allowed(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        progress.parse_duration(text)


def test_a_batch_is_sized_to_fit_the_time_left() -> None:
    # 4 replications in 40 s: 10 s each. 100 s budget: 60 s left fit 6 more.
    assert _within_budget(4, 8, 40.0, 100.0) == 8
    assert _within_budget(4, 20, 40.0, 100.0) == 10
    assert _within_budget(4, 8, 95.0, 100.0) == 4  # not even one more fits: stop
    assert _within_budget(4, 8, 40.0, None) == 8


def test_precision_stops_at_its_time_budget_and_says_how_far_it_got(capsys) -> None:
    # 0.5 years: a quarter after the 90-day warm-up, so the watched KPIs vary between replications
    args = ["compare", str(FLEVOLAND), "--years", "0.5", "--replications", "2", "--executor", "serial"]
    assert main([*args, "--precision", "0.0001", "--time-budget", "0.001"]) == 0
    err = capsys.readouterr().err
    (line,) = [x for x in err.splitlines() if x.startswith("precision:")]
    assert "NOT reached (time budget 0s spent) with 2 replications" in line
    assert "watched values within target; furthest:" in line and "replications would reach the target" in line
    # A time budget limits a precision run; alone it is refused.
    assert main([*args, "--time-budget", "10m"]) == 2
    assert "--time-budget" in capsys.readouterr().err


def test_the_precision_line_at_the_maximum_says_how_far_it_got() -> None:
    report = {
        "target": 0.05,
        "kpis": ["wait_days_mean"],
        "max_replications": 10,
        "replications_used": 10,
        "reached": False,
        "stopped": "max_replications",
        "achieved": {"gefragmenteerd": {"wait_days_mean": 0.04}, "regionaal": {"wait_days_mean": 0.1}},
        "worst": {"where": "regionaal", "kpi": "wait_days_mean", "relative_half_width": 0.1},
        "replications_needed": 40,
    }
    line = precision_line(report)
    assert "NOT reached (maximum of 10 replications) with 10 replications" in line
    assert "1 of 2 watched values within target; furthest: wait_days_mean in regionaal, 0.1 against 0.05" in line
    assert line.endswith("about 40 replications would reach the target")


# -- rows empty by design ----------------------------------------------------------------------


def _losing_ledger(start: dt.date, months: int) -> pd.DataFrame:
    """A provider losing money every month from ``start`` (the first month only from that day)."""
    rows = []
    for m in pd.date_range(pd.Timestamp(start).replace(day=1), periods=months, freq="MS"):
        first = max(m, pd.Timestamp(start))
        days = float((m + pd.DateOffset(months=1) - first).days)
        rows.append(
            {"month": m.date(), "provider_id": "P", "days": days, "revenue_eur": 100.0, "margin_eur": -10.0,
             "reserves_eur": 1e6, "occupied_days": days, "nominal_place_days": days, "leavers_fte": 0.0,
             "fte": 1.0, "status": "active"}
        )  # fmt: skip
    return pd.DataFrame(rows)


@pytest.mark.parametrize("reporting", ["annual", "quarterly", "monthly"])
@pytest.mark.parametrize("lag", [0, 1, 6])
@pytest.mark.parametrize("start", ["2026-01-01", "2026-01-05", "2026-01-20", "2026-02-01", "2026-04-03", "2026-12-31"])
def test_the_first_visible_day_is_the_first_signal_a_losing_provider_gives(reporting, lag, start) -> None:
    start_day = dt.date.fromisoformat(start)
    ew = EarlyWarning(reporting=reporting, lag_months=lag)
    signals = metrics.early_warnings(_losing_ledger(start_day, 40), ew, start_day, 1e6)
    assert metrics.first_visible_day(ew, start_day) == signals["t_seen"].min()


def test_annual_accounts_with_a_six_month_lag_are_first_seen_on_day_546() -> None:
    ew = EarlyWarning(reporting="annual", lag_months=6)  # the national default (scenarios/nederland.yaml)
    start = dt.date(2026, 1, 1)
    unseen = metrics.signals_unseen(ew, start, 365.0)
    assert unseen is not None and unseen["visible_day"] == 546 and unseen["visible_date"] == "2027-07-01"
    assert metrics.signals_unseen(ew, start, 546.0) is None
    assert metrics.signals_unseen(EarlyWarning(reporting="quarterly", lag_months=1), start, 365.0) is None


def test_a_run_too_short_for_the_nza_to_see_anything_says_so_in_a_footnote(stored: Path, capsys) -> None:
    assert main(["results", "show", str(stored), "--all"]) == 0
    out = capsys.readouterr().out
    for kpi in metrics.SIGNAL_KPIS:
        (row,) = [x for x in out.splitlines() if x.startswith(f"{kpi} ")]
        assert row.split(None, 1)[1].strip() == "not visible yet (a)"
    note = " ".join(x.strip() for x in out.split("\n(a) ", 1)[1].split("\n\n", 1)[0].splitlines())
    assert note.startswith("flevoland: the NZa sees a year's accounts 6 months after the period ends")
    assert "lag_months 6" in note and "day 546 (2027-07-01), after this run's 91.25 days" in note


# -- a --set that cannot change the run ----------------------------------------------------------

FLEVOLAND_SET = {
    "regions": ["JZ08"],
    "only_care_forms": ["pleegzorg", "gezinshuis", "residentieel", "crisisopvang", "intensief_ambulant"],
}
#: paths the rule refuses for a Flevoland run of the regional regime, and a value for each
UNREAD = {
    "providers.generator.groups.0.count": 5,
    "care_forms.jeugdbescherming.tariff_eur_per_day.value": 10.0,  # not among only_care_forms
    "regime.split.target_youth_per_unit": 5000.0,  # the regional regime has no sub-regional units
    "care_forms.pleegzorg.tariff_eur_per_day.assumption": "another reason",
}


def _experiment(tmp_path: Path, scenarios: list[str], variants: list[dict]) -> Path:
    body = {
        "name": "ongelezen",
        "scenarios": [str(SCENARIOS / s) for s in scenarios],
        "variants": variants,
        "replications": 1,
        "seed": 5,
        "years": 0.25,
        "warmup_days": 30,
    }
    path = tmp_path / "ongelezen.yaml"
    path.write_text(json.dumps(body))  # JSON is YAML
    return path


def test_every_path_the_rule_refuses_leaves_the_run_unchanged(tmp_path: Path) -> None:
    # Variants are not checked, so they can make the change the rule refuses: the KPIs must not move.
    variants = [{"name": "basis", "set": FLEVOLAND_SET}]
    for i, (path, value) in enumerate(UNREAD.items()):
        variants.append({"name": f"v{i}", "set": {**FLEVOLAND_SET, path: value}})
    # A path the rule lets through changes the run: the sub-regional split of the fragmented regime.
    split = {**FLEVOLAND_SET, "regime.split.target_youth_per_unit": 5000.0}
    variants.append({"name": "gesplitst", "set": split})
    exp = _experiment(tmp_path, ["regionaal.yaml", "gefragmenteerd.yaml"], variants)
    kpis = service.simulate(exp).kpis
    kpis = kpis[kpis["care_form"] == metrics.ALL]
    kpis = kpis.pivot_table(index=["scenario", "kpi"], columns="variant", values="value", dropna=False)
    for i, path in enumerate(UNREAD):
        pd.testing.assert_series_equal(
            kpis.loc["regionaal", f"v{i}"], kpis.loc["regionaal", "basis"], check_names=False, obj=path
        )
    assert not kpis.loc["gefragmenteerd", "gesplitst"].equals(kpis.loc["gefragmenteerd", "basis"])


@pytest.mark.parametrize("path", list(UNREAD))
def test_a_sweep_over_a_path_the_run_does_not_read_exits_2_saying_why(path: str, tmp_path: Path, capsys) -> None:
    exp = _experiment(tmp_path, ["regionaal.yaml"], [{"name": "basis", "set": FLEVOLAND_SET}])
    value = UNREAD[path]
    other = "x" if isinstance(value, str) else value * 2
    argv = ["sweep", str(exp), "--root", str(tmp_path / "r"), "--set", f"{path}={value},{other}"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"--set {path}: cannot change the run: " in err and "Traceback" not in err
    assert not (tmp_path / "r").exists()


def test_the_generator_refusal_says_where_runs_read_providers_and_what_to_do(tmp_path: Path, capsys) -> None:
    exp = SCENARIOS / "experiments" / "flevoland.yaml"
    assert main(["sweep", str(exp), "--root", str(tmp_path), "--set", "providers.generator.groups.0.count=42,5"]) == 2
    err = capsys.readouterr().err
    assert "providers.file and providers.places_file" in err and "jeugdzorg-sim landscape" in err
    assert "variants" in err and not any(tmp_path.iterdir())


def test_a_path_read_by_one_scenario_of_the_run_is_allowed() -> None:
    # regime.split: the regional regime does not read it, the fragmented one does.
    exp = SCENARIOS / "experiments" / "flevoland.yaml"
    loaded = load_experiment(exp, sweep=[("regime.split.target_youth_per_unit", (20_000.0, 40_000.0))])
    assert len(loaded.cells) == 4
    with pytest.raises(ScenarioError, match=r"--set regime\.split\.target_youth_per_unit: cannot change the run"):
        scenario_experiment(SCENARIOS / "regionaal.yaml", sweep=[("regime.split.target_youth_per_unit", (1.0, 2.0))])
    with pytest.raises(ScenarioError, match="--set replications: cannot change the run"):
        load_experiment(exp, sweep=[("replications", (2, 3))])


def test_the_linear_administration_rule_is_unread_under_the_curve() -> None:
    scenario = load_scenario(SCENARIOS / "regionaal.yaml", check_files=False)
    assert scenario.finance.admin is not None
    why = unread_reason("finance.provider_admin_share_per_contract.value", scenario)
    assert why is not None and "finance.admin" in why
    linear = scenario.model_copy(update={"finance": scenario.finance.model_copy(update={"admin": None})})
    assert unread_reason("finance.provider_admin_share_per_contract.value", linear) is None
    assert unread_reason("regime.min_providers_per_contract", scenario) is None


def test_explain_refuses_a_setting_neither_regime_reads(tmp_path: Path, capsys) -> None:
    exp = SCENARIOS / "experiments" / "flevoland.yaml"
    argv = ["explain", str(exp), "--root", str(tmp_path), "--set", "providers.generator.groups.0.count=5"]
    assert main(argv) == 2
    assert "--set providers.generator.groups.0.count: cannot change the run" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
