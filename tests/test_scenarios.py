"""Every scenario file validates; broken files are rejected with exit 2 and a named field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.cli import main
from simulation.config import ScenarioError, load_scenario, validate_scenario
from simulation.validation.observed import NATIONAL_CBS_FILE, from_table, trajectories_started

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").rglob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_scenario_file_validates(path: Path) -> None:
    raw = yaml.safe_load(path.read_text())
    if "scenario" in raw and "regimes" in raw:  # experiment files are checked elsewhere
        pytest.skip("experiment file")
    assert main(["validate", str(path)]) == 0


def test_national_default_has_sourced_care_forms() -> None:
    s = load_scenario(ROOT / "scenarios" / "nederland.yaml")
    assert 8 <= len(s.care_forms) <= 14
    for form in s.care_forms.values():
        for p in (form.referral_rate_per_1000, form.tariff_eur_per_day, form.wait_norm_days, form.duration):
            assert p.source or p.assumption, form.name
    assert {f.duration.dist for f in s.care_forms.values()} <= {"exponential", "lognormal", "gamma", "deterministic"}


def _write(tmp_path: Path, text: str, name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _base(tmp_path: Path) -> str:
    return f"extends: {ROOT / 'scenarios' / 'flevoland.yaml'}\n"


BROKEN = {
    "unknown key": ("name: x\nwarmup_dayz: 10\n", "warmup_dayz", "unknown key"),
    "wrong type": ("name: x\nyears: lots\n", "years", "lots"),
    "negative rate": (
        "name: x\ncare_forms:\n  pleegzorg:\n    referral_rate_per_1000: {value: -1, source: s}\n",
        "care_forms.pleegzorg",
        "[0.0, 1000.0]",
    ),
    "rate out of range": (
        "name: x\ncare_forms:\n  pleegzorg:\n    referral_rate_per_1000: {value: 5000, source: s}\n",
        "care_forms.pleegzorg",
        "out of range",
    ),
    "missing provenance": (
        "name: x\ncare_forms:\n  pleegzorg:\n    tariff_eur_per_day: {value: 10, source: a, assumption: b}\n",
        "care_forms.pleegzorg.tariff_eur_per_day",
        "exactly one of 'source'",
    ),
    "escalation to unknown form": (
        "name: x\ncare_forms:\n  pleegzorg:\n"
        "    escalation: {after_days: 5, probability: 0.1, to: nergens, assumption: a}\n",
        "care_forms.pleegzorg.escalation.to",
        "nergens",
    ),
    "missing file": ("name: x\ngemeenten_file: does-not-exist.csv\n", "gemeenten_file", "file not found"),
    "yaml syntax": ("name: x\nyears: [1, 2\n", "yaml", "not valid YAML"),
    "warm-up too long": ("name: x\nwarmup_days: 400\nyears: 1\n", "warmup_days", "shorter than the horizon"),
    "nan duration": (
        "name: x\ncare_forms:\n  pleegzorg:\n    duration: {mean_days: .nan}\n",
        "care_forms.pleegzorg.duration.mean_days",
        "finite number",
    ),
    "infinite staffing": ("name: x\nworkforce:\n  initial_staffing: .inf\n", "workforce.initial_staffing", "finite"),
    "true as a number": ("name: x\nyears: true\n", "years", "must be a number, not true"),
    "text as a number": ("name: x\nseed: '7'\n", "seed", "valid integer"),
    "duplicate key": ("name: x\nyears: 1\nyears: 2\n", "yaml", "duplicate key 'years'"),
    "impossible date": ("name: x\nstart_date: 2026-02-30\n", "yaml", "is not a date"),
    "far start date": ("name: x\nstart_date: 2300-01-01\n", "start_date", "allowed [2000-01-01, 2100-12-31]"),
    "empty only_care_forms": ("name: x\nonly_care_forms: []\n", "only_care_forms", "at least 1 item"),
    "shock on no provider": ("name: x\nshocks: [{date: 2026-02-01, which: GEEN}]\n", "shocks.0.which", "GEEN"),
    "shock in no region": ("name: x\nshocks: [{date: 2026-02-01, region: JZ77}]\n", "shocks.0.region", "JZ77"),
    "number as a date": ("name: x\nstart_date: 1767225600\n", "start_date", "not the number"),
    "tariff change of no form": (
        "name: x\ntariff_changes: [{date: 2026-02-01, factor: 0.9, care_forms: []}]\n",
        "tariff_changes.0.care_forms",
        "at least 1 item",
    ),
    "exploding growth": (
        "name: x\nyears: 30\ndemand: {growth_per_year: 0.5}\n",
        "demand.growth_per_year",
        "at most 10",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_files_exit_2_naming_the_field(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body, field, words = BROKEN[case]
    path = _write(tmp_path, _base(tmp_path) + body)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert field in err and words in err, err
    assert "Traceback" not in err


def test_negative_capacity_in_places_file_is_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    places = (ROOT / "data" / "generated" / "aanbieders_plaatsen.csv").read_text().splitlines()
    header, first, *rest = places
    cells = first.split(",")
    cells[2] = "-3"
    (tmp_path / "places.csv").write_text("\n".join([header, ",".join(cells), *rest]) + "\n")
    path = _write(tmp_path, _base(tmp_path) + f"name: x\nproviders:\n  places_file: {tmp_path / 'places.csv'}\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "plaatsen" in err and "-3" in err and "allowed [0" in err


def test_missing_scenario_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nope.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_cli_flags_out_of_range_exit_2_without_traceback() -> None:
    for flag, value in (("--replications", "0"), ("--years", "-1"), ("--seed", "abc")):
        res = subprocess.run(
            [
                sys.executable,
                "-m",
                "simulation.cli",
                "compare",
                str(ROOT / "scenarios" / "flevoland.yaml"),
                flag,
                value,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert res.returncode == 2, (flag, res.stderr)
        assert flag in res.stderr and "Traceback" not in res.stderr


def test_run_refuses_to_overwrite_and_writes_nothing_on_bad_input(tmp_path: Path) -> None:
    out = tmp_path / "res"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert main(["run", str(ROOT / "scenarios" / "flevoland.yaml"), "--out", str(out), "--replications", "1"]) == 2
    assert (out / "keep.txt").read_text() == "mine" and sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    bad = _write(tmp_path, _base(tmp_path) + "name: x\nyears: -2\n")
    out2 = tmp_path / "res2"
    assert main(["run", str(bad), "--out", str(out2)]) == 2
    assert not out2.exists() and not list(tmp_path.glob(".res2*"))


@settings(max_examples=40, deadline=None)
@given(
    rate=st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6),
    norm=st.floats(allow_nan=False, allow_infinity=False, min_value=-1e4, max_value=1e4),
    cv=st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False, min_value=-5, max_value=20)),
)
def test_validation_accepts_exactly_the_documented_ranges(rate: float, norm: float, cv: float | None) -> None:
    raw = yaml.safe_load((ROOT / "scenarios" / "nederland.yaml").read_text())
    from simulation.config import load_raw

    raw = load_raw(ROOT / "scenarios" / "nederland.yaml")
    form = raw["care_forms"]["pleegzorg"]
    form["referral_rate_per_1000"] = {"value": rate, "source": "s"}
    form["wait_norm_days"] = {"value": norm, "source": "s"}
    form["duration"] = {"dist": "gamma", "mean_days": 100, "assumption": "a", **({"cv": cv} if cv is not None else {})}
    ok = 0 <= rate <= 1000 and 0 < norm <= 3650 and cv is not None and 0 < cv <= 10
    try:
        validate_scenario(raw, check_files=False)
        accepted = True
    except ScenarioError as exc:
        accepted = False
        assert all(p[0].startswith("care_forms.pleegzorg") for p in exc.problems), exc.problems
    assert accepted == ok


@pytest.mark.parametrize(
    "regime, words",
    [
        ({"national_forms": ["sglvg"]}, ["regime.national_forms", "landelijk", "lta_specialistisch"]),
        ({"national_forms": ["sglvg", "lta_specialistisch", "pleegzorg"]}, ["'pleegzorg' has level regional"]),
        ({"pooled_forms": ["pleegzorg"]}, ["regime.pooled_forms", "'pleegzorg' has level regional"]),
    ],
)
def test_regime_lists_must_agree_with_the_care_forms_levels(tmp_path, regime, words) -> None:
    """A care form's level is the one source of truth for what the law fixes about its purchase."""
    path = tmp_path / "s.yaml"
    body = "\n".join(f"  {k}: [{', '.join(v)}]" for k, v in regime.items())
    path.write_text(f"extends: {ROOT / 'scenarios' / 'regionaal.yaml'}\nregime:\n{body}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert all(w in str(err.value) for w in words), str(err.value)


def test_other_residential_forms_start_what_cbs_counts_in_their_category() -> None:
    """The six forms of CBS's 'overig met verblijf' share its 2019 started trajectories and persons
    (docs/SOURCES.md#other-residential-split): their expected starts sum to CBS's count, and their
    expected stock plus starts to its youth in the year. Before the split, residentieel alone was
    sized to the whole category and the starts were 1.68x CBS."""
    s = load_scenario(ROOT / "scenarios" / "nederland.yaml")
    youth = pd.read_csv(ROOT / "data" / "gemeenten.csv")["jeugd_0_17"].sum()
    category = [f for f, c in s.care_forms.items() if c.residential]
    category = [f for f in category if f not in ("pleegzorg", "gezinshuis", "gesloten_jeugdhulp")]
    assert len(category) == 6
    starts = {f: s.care_forms[f].referral_rate_per_1000.value * youth / 1000 for f in category}
    stock = sum(n * s.care_forms[f].duration.mean_days / 365 for f, n in starts.items())
    cbs_starts = trajectories_started("overig_met_verblijf", "2019").value
    cbs_youth = from_table(NATIONAL_CBS_FILE, indicator="jongeren_met_verblijf_overig", period="2019").value
    assert sum(starts.values()) == pytest.approx(cbs_starts, rel=0.005)
    assert stock + sum(starts.values()) == pytest.approx(cbs_youth, rel=0.005)
