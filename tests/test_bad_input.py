"""Bad input, by class: each gets a ScenarioError naming the field (exit 2 from the CLI), never a
traceback, never a silently wrong run, never a half-written result.

The fixed corpus ``tests/corpus/bad/`` (one file per class, each saying what is wrong; the
field its message must name in ``EXPECTED.tsv``) goes through the real CLI; hypothesis fuzzes
the loader with YAML-ish text and with random mutations of a valid scenario.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import math
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation import config
from simulation.cli import main
from simulation.config import (
    FrozenModel,
    LoadPolicy,
    ScenarioError,
    fingerprint,
    load_raw,
    load_scenario,
    validate_scenario,
    yaml_load,
)
from simulation.core.world import load_geography
from simulation.experiment import load_any, load_experiment, parse_set
from simulation.landscape import check_output_path, generate_landscape, landscape_paths, write_landscape
from simulation.results import (
    MANIFEST,
    ResultDamagedError,
    ResultExistsError,
    ResultWriter,
    StoreLockTimeout,
    check_destination,
    find_reusable,
    list_results,
    open_results,
    store_lock,
    verify_result_set,
)
from simulation.runner import check_experiment

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
FLEVOLAND = SCENARIOS / "flevoland.yaml"
CORPUS = ROOT / "tests" / "corpus" / "bad"


def _expected() -> list[tuple[str, str]]:
    rows = []
    for line in (CORPUS / "EXPECTED.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, field = line.split("\t")
            rows.append((name, field))
    return rows


CASES = _expected()


def _scenario_file(tmp_path: Path, body: str, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"extends: {FLEVOLAND}\n{body}", encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# The corpus, through the CLI


def test_corpus_lists_every_file() -> None:
    listed = {name for name, _ in CASES}
    on_disk = {p.name for p in CORPUS.glob("*.yaml")}
    assert listed == on_disk
    assert len(listed) >= 30


@pytest.mark.parametrize(("name", "field"), CASES, ids=[n for n, _ in CASES])
def test_corpus_file_is_refused_naming_the_field(name: str, field: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(CORPUS / name)]) == 2
    err = capsys.readouterr().err
    assert "problem(s)" in err
    assert f"- {field}" in err or f"{field}:" in err, err
    assert "Traceback" not in err
    assert all(len(line) < 400 for line in err.splitlines()), "a message floods"


def test_corpus_through_the_real_process_exits_2_without_traceback() -> None:
    files = [str(CORPUS / name) for name, _ in CASES]
    proc = subprocess.run(
        [sys.executable, "-m", "simulation.cli", "validate", *files],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    for name, field in CASES:
        assert field in proc.stderr, (name, field)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--years", "1"], "allowed [2, 50]"),
        (["--set", "capacity.expansion.occupancy_factor=0.5"], "capacity.expansion.occupancy_factor"),
    ],
)
def test_the_drift_script_refuses_bad_input_with_exit_2(args: list[str], words: str) -> None:
    proc = subprocess.run(
        [sys.executable, "scripts/drift.py", "scenarios/gefragmenteerd.yaml", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert proc.returncode == 2, proc.stderr
    assert words in proc.stderr and "Traceback" not in proc.stderr


# --------------------------------------------------------------------------------------------
# ScenarioError crosses process boundaries


def test_scenario_error_round_trips_through_pickle() -> None:
    exc = ScenarioError("file.yaml", [("years", "must be a number"), ("seed", "too large")])
    back = pickle.loads(pickle.dumps(exc))
    assert isinstance(back, ScenarioError)
    assert back.source == "file.yaml"
    assert back.problems == exc.problems
    assert str(back) == str(exc)


def _build(scenario: Any) -> None:
    from simulation.runner import build_world

    build_world(scenario)


def test_world_error_in_a_worker_process_arrives_as_scenario_error(tmp_path: Path) -> None:
    bad = load_scenario(_scenario_file(tmp_path, "shocks:\n  - date: 2026-03-01\n    which: NOPE\n"))
    with ProcessPoolExecutor(1) as pool, pytest.raises(ScenarioError, match=r"shocks\.0\.which"):
        pool.submit(_build, bad).result()


# --------------------------------------------------------------------------------------------
# validate builds what run builds


def test_check_experiment_builds_every_cell(tmp_path: Path) -> None:
    check_experiment(load_experiment(SCENARIOS / "experiments" / "flevoland.yaml"))
    exp = tmp_path / "exp.yaml"
    exp.write_text(
        f"name: e\nscenarios: [{FLEVOLAND}]\nreplications: 2\nseed: 1\nyears: 1\nwarmup_days: 0\n"
        "variants:\n  - name: good\n  - name: bad\n    set: {regions: [JZ99]}\n",
        encoding="utf-8",
    )
    loaded = load_experiment(exp)  # every value is valid ...
    with pytest.raises(ScenarioError) as info:
        check_experiment(loaded)  # ... but region JZ99 does not exist
    assert "variant bad" in str(info.value) and "regions" in str(info.value)
    assert "variant good" not in str(info.value)


def test_check_experiment_catches_a_shock_naming_no_provider(tmp_path: Path) -> None:
    path = _scenario_file(tmp_path, "shocks:\n  - date: 2026-03-01\n    which: NOPE\n")
    with pytest.raises(ScenarioError, match=r"shocks\.0\.which"):
        check_experiment(load_any(path))


def test_shock_on_a_provider_outside_the_area_is_refused(tmp_path: Path) -> None:
    providers = pd.read_csv(ROOT / "data" / "generated" / "aanbieders.csv")
    outside = providers[providers["jeugdregio_code"] != "JZ08"]["provider_id"].iloc[0]
    path = _scenario_file(tmp_path, f"shocks:\n  - date: 2026-03-01\n    which: {outside}\n")
    with pytest.raises(ScenarioError, match="outside this scenario's area"):
        check_experiment(load_any(path))


# --------------------------------------------------------------------------------------------
# Numbers: finite, strict


def _numeric_leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _numeric_leaves(v, (*path, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _numeric_leaves(v, (*path, i))]
    if isinstance(node, int | float) and not isinstance(node, bool):
        return [path]
    return []


def _set(raw: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(raw)
    node: Any = out
    for part in path[:-1]:
        node = node.setdefault(part, {}) if isinstance(node, dict) else node[part]
    node[path[-1]] = value
    return out


NATIONAL = load_raw(SCENARIOS / "nederland.yaml")
#: numeric fields the national file leaves at their defaults
DEFAULTED = [
    ("workforce", "initial_staffing"),
    ("workforce", "turnover_factor"),
    ("regime", "split", "target_youth_per_unit"),
    ("regime", "tariff_spread"),
    ("early_warning", "solvency_min"),
    ("finance", "continuity_solvency_threshold"),
    ("demand", "growth_per_year"),
]


def test_every_model_is_strict_and_finite() -> None:
    """No field can forget: every config model derives from the strict, finite base."""
    from pydantic import BaseModel

    from simulation import experiment

    names = [(config, n) for n in config.__all__] + [
        (experiment, n) for n in ("Variant", "PrecisionSpec", "ExperimentSpec")
    ]
    models = [m for mod, n in names if isinstance(m := getattr(mod, n), type) and issubclass(m, BaseModel)]
    assert len(models) > 20
    for model in models:
        assert issubclass(model, FrozenModel), model
        assert model.model_config.get("strict") is True, model
        assert model.model_config.get("allow_inf_nan") is False, model


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, True], ids=["nan", "inf", "-inf", "true"])
def test_no_numeric_field_takes_nan_infinity_or_a_boolean(bad: Any) -> None:
    leaves = _numeric_leaves(NATIONAL) + DEFAULTED
    assert len(leaves) > 200
    for path in leaves:
        field = ".".join(map(str, path))
        raw = _set(NATIONAL, path, bad)
        with pytest.raises(ScenarioError) as info:
            validate_scenario(raw, "t", check_files=False)
        assert field in str(info.value) or field.rsplit(".", 1)[0] in str(info.value), (field, str(info.value))


def test_nan_through_set_overrides_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exp = SCENARIOS / "experiments" / "flevoland.yaml"
    for value in (".nan", ".inf", "-.inf", "true"):
        path, values = parse_set(f"care_forms.pleegzorg.duration.mean_days={value}")
        with pytest.raises(ScenarioError, match=r"care_forms\.pleegzorg\.duration\.mean_days"):
            load_experiment(exp, sweep=[(path, values)])
    argv = ["sweep", str(exp), "--set", "workforce.initial_staffing=.nan", "--root", str(tmp_path)]
    assert main(argv) == 2
    assert "workforce.initial_staffing" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_impossible_date_in_set_is_refused() -> None:
    with pytest.raises(ScenarioError, match="--set start_date"):
        parse_set("start_date=2026-02-30")


def test_empty_only_care_forms_is_refused() -> None:
    with pytest.raises(ScenarioError, match="only_care_forms"):
        validate_scenario({**NATIONAL, "only_care_forms": []}, check_files=False)


@pytest.mark.parametrize("rule", ["expansion", "entry"])
def test_capacity_rule_forms_must_be_known_and_have_an_observed_wait(rule: str) -> None:
    capacity, forms_ = NATIONAL["capacity"], NATIONAL["care_forms"]
    no_wait = {k: v for k, v in forms_["crisisopvang"].items() if k != "observed_wait_days"}
    for forms, words in ((["geen_zorgvorm"], "unknown care form 'geen_zorgvorm'"), (["crisisopvang"], "observed_wait")):
        # without expansion's occupancy signal (the default has one), which judges such a form too
        plain = {k: v for k, v in capacity[rule].items() if k != "occupancy_factor"}
        bad = {**NATIONAL, "capacity": {**capacity, rule: {**plain, "care_forms": forms}}}
        bad["care_forms"] = {**forms_, "crisisopvang": no_wait}
        with pytest.raises(ScenarioError, match=f"capacity.{rule}.care_forms") as err:
            validate_scenario(bad, check_files=False)
        assert words in str(err.value)
    if rule == "expansion":  # with an occupancy signal such a form's occupancy judges it
        fine = {**NATIONAL, "capacity": {**capacity, rule: {**capacity[rule], "care_forms": ["crisisopvang"]}}}
        fine["capacity"][rule]["occupancy_factor"] = 1.1
        fine["care_forms"] = {**forms_, "crisisopvang": no_wait}
        assert validate_scenario(fine, check_files=False).capacity.expansion.care_forms == ["crisisopvang"]


RANGE = r"\[1.0, 5.0\]"


@pytest.mark.parametrize(("factor", "words"), [(0.9, RANGE), (5.5, RANGE), (float("nan"), "finite")])
def test_expansion_occupancy_factor_out_of_range_is_refused(factor: float, words: str) -> None:
    capacity = NATIONAL["capacity"]
    bad = {**NATIONAL, "capacity": {**capacity, "expansion": {**capacity["expansion"], "occupancy_factor": factor}}}
    with pytest.raises(ScenarioError, match=rf"capacity.expansion.occupancy_factor.*{words}"):
        validate_scenario(bad, check_files=False)


def test_run_size_bounds() -> None:
    ok = validate_scenario({**NATIONAL, "years": 50, "replications": 400}, check_files=False)
    assert ok.years == 50
    for extra, field in [
        ({"years": 50, "replications": 401}, "replications"),
        ({"years": 20, "demand": {"growth_per_year": 0.2}}, "demand.growth_per_year"),
        ({"replications": 10_001}, "replications"),
        ({"start_date": dt.date(1999, 12, 31)}, "start_date"),
    ]:
        with pytest.raises(ScenarioError, match=field):
            validate_scenario({**NATIONAL, **extra}, check_files=False)


# --------------------------------------------------------------------------------------------
# YAML


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a: 1\na: 2\n", "duplicate key 'a' (first at line 1)"),
        ("a:\n  b: 1\n  b: 1\n", "duplicate key 'b'"),
        ("1: a\n", "key 1 is not text"),
        ("? [a, b]\n: c\n", "not text"),
        ("a: 2026-02-30\n", "is not a date"),
        ("a: &x [*x]\n", "refers to itself"),
        ("a: &x {b: *x}\n", "refers to itself"),
        ("a: " + "[" * 45 + "]" * 45 + "\n", "nested more than"),
        ("a: !!float abc\n", "cannot be read"),
        ("a: !!python/object:os.system {}\n", "could not determine a constructor"),
    ],
)
def test_yaml_problems_are_yaml_errors_naming_the_line(text: str, words: str) -> None:
    with pytest.raises(yaml.YAMLError, match=words.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        yaml_load(text)


def test_aliases_are_capped() -> None:
    many = "a: &a 1\nb: [" + ", ".join(["*a"] * 300) + "]\n"
    with pytest.raises(yaml.YAMLError, match="aliases"):
        yaml_load(many)
    assert yaml_load("a: &a {x: 1}\nb: *a\n") == {"a": {"x": 1}, "b": {"x": 1}}


def test_merge_keys_still_work_and_may_be_overridden() -> None:
    assert yaml_load("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n")["c"] == {"x": 1, "y": 3}


def test_file_size_is_capped(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("description: " + "x" * 1_100_000 + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="too large"):
        load_scenario(path)


def test_unknown_key_message_does_not_echo_a_whole_value(tmp_path: Path) -> None:
    path = _scenario_file(tmp_path, "other_tool:\n" + "".join(f"  k{i}: {'v' * 100}\n" for i in range(500)))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "other_tool" in str(info.value)
    assert len(str(info.value)) < 500


def test_many_problems_are_counted_not_all_listed() -> None:
    exc = ScenarioError("x", [(f"f{i}", "bad") for i in range(500)])
    assert "500 problem(s)" in str(exc)
    assert "and 450 more" in str(exc)


def test_non_mapping_raw_is_refused() -> None:
    with pytest.raises(ScenarioError, match="mapping"):
        validate_scenario(["a"], check_files=False)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Confinement


def test_project_scenarios_load_confined_to_the_project() -> None:
    policy = LoadPolicy.confined()
    s = load_scenario(FLEVOLAND, policy=policy)
    assert s.name == "flevoland"
    exp = load_any(SCENARIOS / "experiments" / "flevoland.yaml", policy=policy)
    assert exp.scenario_names


def test_confined_load_refuses_files_outside_the_roots(tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    secret = tmp_path / "secret.csv"
    secret.write_text("a,b\n1,2\n", encoding="utf-8")
    policy = LoadPolicy.confined(uploads)
    # the YAML file itself
    outside = _scenario_file(tmp_path, "name: x\n")
    with pytest.raises(ScenarioError, match="outside the folders"):
        load_scenario(outside, policy=policy)
    # extends, by relative path
    (uploads / "up.yaml").write_text("extends: ../bad.yaml\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="extends"):
        load_scenario(uploads / "up.yaml", policy=policy)
    # a data file
    (uploads / "data.yaml").write_text(f"extends: {FLEVOLAND}\ngemeenten_file: ../secret.csv\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="gemeenten_file"):
        load_scenario(uploads / "data.yaml", policy=policy)
    # through a symbolic link inside the root
    (uploads / "link.csv").symlink_to(secret)
    (uploads / "sym.yaml").write_text(f"extends: {FLEVOLAND}\ngemeenten_file: link.csv\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="outside the folders"):
        load_scenario(uploads / "sym.yaml", confine_to=[uploads, SCENARIOS, ROOT / "data"])
    # ... and the same file loads when nothing is confined
    assert load_scenario(uploads / "sym.yaml", check_files=True).gemeenten_file == str(secret)
    # an upload that stays inside loads
    (uploads / "ok.yaml").write_text(f"extends: {FLEVOLAND}\nname: upload\n", encoding="utf-8")
    assert load_scenario(uploads / "ok.yaml", policy=policy).name == "upload"


def test_confined_experiment_refuses_scenarios_outside(tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    _scenario_file(tmp_path, "name: x\n")
    exp = uploads / "exp.yaml"
    exp.write_text("name: e\nscenarios: [../bad.yaml]\nreplications: 2\nseed: 1\nyears: 1\nwarmup_days: 0\n")
    with pytest.raises(ScenarioError, match="outside the folders"):
        load_any(exp, policy=LoadPolicy.confined(uploads))


def test_extends_chain_is_capped(tmp_path: Path) -> None:
    prev = FLEVOLAND
    for i in range(10):
        path = tmp_path / f"s{i}.yaml"
        path.write_text(f"extends: {prev}\n", encoding="utf-8")
        prev = path
    with pytest.raises(ScenarioError, match="chain of more than 8"):
        load_raw(prev)


# --------------------------------------------------------------------------------------------
# Data files: named, fingerprinted, read strictly


def test_adjacency_is_read_from_the_named_file_and_fingerprinted(tmp_path: Path) -> None:
    s = load_scenario(SCENARIOS / "regionaal.yaml")
    assert s.adjacency_file == str((ROOT / "data" / "regio" / "jeugdregio_2025_adjacency.csv").resolve())
    geo = load_geography(s)
    assert sum(len(v) for v in geo.adjacency.values()) > 100
    copy_ = tmp_path / "adj.csv"
    copy_.write_bytes(Path(s.adjacency_file).read_bytes())
    same = s.model_copy(update={"adjacency_file": str(copy_)})
    assert fingerprint(same) == fingerprint(s)  # bytes, not paths
    copy_.write_text("jeugdregio_code_a,jeugdregio_code_b\nJZ01,JZ02\n", encoding="utf-8")
    assert fingerprint(same) != fingerprint(s)
    assert sum(len(v) for v in load_geography(same).adjacency.values()) == 2
    none = s.model_copy(update={"adjacency_file": None})
    assert all(not v for v in load_geography(none).adjacency.values())


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("gemeentecode,gemeentenaam\n", "no rows"),
        ("", "empty"),
        ("a,b\n1,2,3\n", "line 2: 3 value(s) where the header has 2"),
        ("a,b\n1\n", "line 2: 1 value(s)"),
        ('a,b\n"' + "x" * 200_000 + '",1\n', "not valid CSV"),
    ],
)
def test_bad_csv_is_a_scenario_error(tmp_path: Path, content: str, words: str) -> None:
    csv_path = tmp_path / "g.csv"
    csv_path.write_text(content, encoding="utf-8")
    s = load_scenario(FLEVOLAND).model_copy(update={"gemeenten_file": str(csv_path)})
    with pytest.raises(ScenarioError, match=words.replace("(", r"\(").replace(")", r"\)")):
        load_geography(s)


def test_undecodable_csv_is_a_scenario_error(tmp_path: Path) -> None:
    csv_path = tmp_path / "g.csv"
    csv_path.write_bytes("a,b\nFrysl\xe2n,1\n".encode("latin-1"))
    s = load_scenario(FLEVOLAND).model_copy(update={"gemeenten_file": str(csv_path)})
    with pytest.raises(ScenarioError, match="not UTF-8"):
        load_geography(s)


# --------------------------------------------------------------------------------------------
# The result store


def _result_set(dest: Path) -> Path:
    with ResultWriter(dest) as writer:
        for r in range(3):
            writer.add_part("episodes", f"{r:03d}", pd.DataFrame({"x": list(range(100 * (r + 1)))}))
        writer.add_table("summary", pd.DataFrame({"kpi": ["a"], "mean": [1.0]}))
        return writer.commit({"name": "t", "fingerprint": "f" * 64, "code_fingerprint": "c"})


def test_manifest_records_rows_and_checksums(tmp_path: Path) -> None:
    path = _result_set(tmp_path / "set")
    files = open_results(path).manifest["files"]
    assert files["episodes.parquet/001.parquet"]["rows"] == 200
    assert len(files["summary.parquet"]["sha256"]) == 64
    assert verify_result_set(path) == []


def test_truncated_part_is_not_reused_and_not_opened(tmp_path: Path) -> None:
    base = tmp_path / "t-ffffffff-1"
    path = _result_set(base)
    part = path / "episodes.parquet" / "001.parquet"
    part.write_bytes(part.read_bytes()[:-20])
    assert find_reusable(base, "f" * 64, "c") is None
    with pytest.raises(ResultDamagedError, match=r"001\.parquet"):
        open_results(path)
    assert part.exists()  # the damaged set is left for a person to look at
    assert list_results(tmp_path)["complete"].tolist() == ["damaged"]


def test_changed_bytes_of_the_same_size_are_found_by_checksum(tmp_path: Path) -> None:
    base = tmp_path / "t-ffffffff-1"
    path = _result_set(base)
    part = path / "summary.parquet"
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0xFF
    part.write_bytes(bytes(data))
    assert find_reusable(base, "f" * 64, "c") is None
    with pytest.raises(ResultDamagedError):
        open_results(path, verify=True)


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", ""])
def test_corrupt_manifest_is_reported_not_fatal(tmp_path: Path, content: str) -> None:
    base = tmp_path / "t-ffffffff-1"
    _result_set(tmp_path / "good-ffffffff-1")
    path = _result_set(base)
    (path / MANIFEST).write_text(content, encoding="utf-8")
    table = list_results(tmp_path)
    assert dict(zip(table["dir"], table["complete"], strict=True)) == {"good-ffffffff-1": "yes", base.name: "damaged"}
    assert find_reusable(base, "f" * 64, "c") is None
    with pytest.raises(ResultDamagedError, match="manifest"):
        open_results(path)


def test_results_cli_on_a_damaged_set_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _result_set(tmp_path / "set")
    (path / MANIFEST).write_text("{", encoding="utf-8")
    assert main(["results", "list", "--root", str(tmp_path)]) == 0
    assert "damaged" in capsys.readouterr().out
    assert main(["results", "show", str(path)]) == 2
    assert "damaged" in capsys.readouterr().err


def test_check_destination(tmp_path: Path) -> None:
    assert check_destination(tmp_path / "new" / "deeper") == tmp_path / "new" / "deeper"
    (tmp_path / "exists").mkdir()
    with pytest.raises(ResultExistsError):
        check_destination(tmp_path / "exists")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ScenarioError, match="is a file"):
        check_destination(tmp_path / "file" / "out")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    with pytest.raises(ScenarioError, match="symbolic link"):
        check_destination(tmp_path / "dangling")


def test_check_destination_refuses_a_read_only_parent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == ro else real_access(p, mode))
    with pytest.raises(ScenarioError, match="not writable"):
        check_destination(ro / "out")


def test_store_lock_makes_a_second_run_wait(tmp_path: Path) -> None:
    base = tmp_path / "store" / "exp-12345678-1"
    order: list[str] = []
    with store_lock(base) as lock:
        assert lock.name == ".exp-12345678-1.lock"
        with pytest.raises(StoreLockTimeout), store_lock(base, timeout=0.2):
            pass

        def second() -> None:
            with store_lock(base):
                order.append("second")

        t = threading.Thread(target=second)
        t.start()
        time.sleep(0.3)
        order.append("first done")
    t.join(5)
    assert order == ["first done", "second"]
    assert list_results(tmp_path / "store").empty  # the lock file is no result set
    assert list((tmp_path / "store").iterdir()) == []  # and it goes when the last run lets go


# --------------------------------------------------------------------------------------------
# landscape writes where it is told, and only there


def test_landscape_writes_only_the_given_paths(tmp_path: Path) -> None:
    s = load_scenario(SCENARIOS / "nederland.yaml")
    before = {p: p.stat().st_mtime_ns for p in (Path(s.providers.file), Path(s.providers.places_file))}
    write_landscape(s, tmp_path / "p.csv", tmp_path / "q.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.csv", "q.csv"]
    assert {p: p.stat().st_mtime_ns for p in before} == before
    with pytest.raises(ScenarioError, match="must differ"):
        write_landscape(s, tmp_path / "p.csv", tmp_path / "p.csv")


def test_check_output_path(tmp_path: Path) -> None:
    assert check_output_path(tmp_path / "a.csv", "--providers", roots=[tmp_path]) == tmp_path / "a.csv"
    with pytest.raises(ScenarioError, match="outside"):
        check_output_path(tmp_path / "a.csv", "providers.file", roots=[tmp_path / "data"])
    with pytest.raises(ScenarioError, match="folder"):
        check_output_path(tmp_path, "--providers")
    with pytest.raises(ScenarioError, match="does not exist"):
        check_output_path(tmp_path / "no" / "a.csv", "--places")


def test_landscape_without_generator_is_a_scenario_error() -> None:
    s = load_scenario(FLEVOLAND)
    bare = s.model_copy(update={"providers": s.providers.model_copy(update={"generator": None})})
    with pytest.raises(ScenarioError, match=r"providers\.generator"):
        generate_landscape(bare)


# --------------------------------------------------------------------------------------------
# Fuzz: the loader raises ScenarioError or nothing


YAMLISH = st.text(
    alphabet=st.sampled_from([*list("ab01.:-[]{},&*!'\"#|>?%@ \n\t\\xé"), "\x00", "\ufeff"]), max_size=200
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=YAMLISH)
def test_fuzz_yamlish_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    with contextlib.suppress(ScenarioError):
        load_scenario(path, check_files=False)
    with contextlib.suppress(ScenarioError):
        load_any(path)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.dates(),
    st.datetimes(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)
FLEVO_RAW = load_raw(FLEVOLAND)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path] if path else []
    if isinstance(node, dict):
        out += [p for k, v in node.items() for p in _paths(v, (*path, k))]
    elif isinstance(node, list):
        out += [p for i, v in enumerate(node) for p in _paths(v, (*path, i))]
    return out


FLEVO_PATHS = _paths(FLEVO_RAW)


@settings(max_examples=300, deadline=None)
@given(
    mutations=st.lists(st.tuples(st.sampled_from(FLEVO_PATHS), VALUES), min_size=1, max_size=3),
    extra=st.dictionaries(st.sampled_from(["years", "replications", "regions", "shocks", "zz"]), VALUES, max_size=2),
)
def test_fuzz_mutations_of_a_valid_scenario(
    mutations: list[tuple[tuple[Any, ...], Any]], extra: dict[str, Any]
) -> None:
    raw = copy.deepcopy(FLEVO_RAW)
    for path, value in mutations:
        node: Any = raw
        try:
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation replaced the parent
    raw.update(extra)
    try:
        validate_scenario(raw, "fuzz", check_files=False)
    except ScenarioError as exc:
        assert exc.problems
        assert all(len(m) < 1000 for _, m in exc.problems)


@settings(max_examples=100, deadline=None)
@given(value=VALUES)
def test_fuzz_set_values(value: Any) -> None:
    text = yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()
    with contextlib.suppress(ScenarioError):
        parse_set(f"care_forms.pleegzorg.duration.mean_days={text}")


def test_result_writer_refuses_an_unusable_destination(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ScenarioError, match="is a file"):
        ResultWriter(tmp_path / "file" / "out")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    with pytest.raises(ScenarioError, match="symbolic link"):
        ResultWriter(tmp_path / "dangling")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling", "file"]


def test_run_with_out_below_a_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_text("x")
    argv = ["run", str(FLEVOLAND), "--out", str(tmp_path / "file" / "out"), "--executor", "serial"]
    assert main([*argv, "--replications", "1", "--years", "0.5"]) == 2
    assert "--out" in capsys.readouterr().err


def test_repeated_csv_column_is_refused(tmp_path: Path) -> None:
    csv_path = tmp_path / "g.csv"
    csv_path.write_text("a,b,a\n1,2,3\n", encoding="utf-8")
    s = load_scenario(FLEVOLAND).model_copy(update={"gemeenten_file": str(csv_path)})
    with pytest.raises(ScenarioError, match="more than once"):
        load_geography(s)


def test_units_files_are_named_fingerprinted_and_read_strictly(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_bytes("gemeentecode,unit_id\nGM0034,S-1\nGM0050,Frysl\xe2n\n".encode("latin-1"))
    for body, field in [
        (
            f"regime:\n  kind: fragmented\n  pooled_forms: []\n  split:\n    units_file: {units}\n",
            "regime.split.units_file",
        ),
        (
            f"transition:\n  from_regime:\n    kind: fragmented\n    split:\n      units_file: {units}\n"
            "  start: 2026-01-01\n  old_contract_years: 1\n  base_procurement_months: 1\n"
            "  months_per_gemeente: 0\n  assumption: test\n",
            "transition.from_regime.split.units_file",
        ),
    ]:
        path = _scenario_file(tmp_path, body)
        s = load_scenario(path)
        assert dict(config.scenario_files(s))[field] == str(units)
        with pytest.raises(ScenarioError, match="not UTF-8"):
            load_geography(s)
        before = fingerprint(s)
        units.write_bytes(units.read_bytes() + b"GM0060,S-2\n")
        assert fingerprint(s) != before
        with pytest.raises(ScenarioError, match="outside the folders"):
            load_scenario(path, policy=LoadPolicy.confined())


EXPERIMENT_KEYS = st.sampled_from(["name", "scenarios", "variants", "replications", "seed", "years", "warmup_days"])


@settings(max_examples=150, deadline=None)
@given(
    changes=st.dictionaries(EXPERIMENT_KEYS, VALUES, max_size=3),
    variant_set=st.dictionaries(st.sampled_from([".".join(map(str, p)) for p in FLEVO_PATHS]), VALUES, max_size=2),
)
def test_fuzz_experiment_documents(changes: dict[str, Any], variant_set: dict[str, Any]) -> None:
    doc: dict[str, Any] = {
        "name": "fuzz",
        "scenarios": [str(FLEVOLAND)],
        "variants": [{"name": "v", "set": variant_set}],
        "replications": 2,
        "seed": 1,
        "years": 1,
        "warmup_days": 0,
    }
    doc.update(changes)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "exp.yaml"
        path.write_text(yaml.safe_dump(doc), encoding="utf-8")
        with contextlib.suppress(ScenarioError):
            load_any(path)


def test_landscape_paths_confine_the_scenario_not_the_user(tmp_path: Path) -> None:
    s = load_scenario(FLEVOLAND)
    p, q = landscape_paths(s)
    assert (p, q) == (Path(s.providers.file), Path(s.providers.places_file))
    assert landscape_paths(s, tmp_path / "a.csv", tmp_path / "b.csv") == (tmp_path / "a.csv", tmp_path / "b.csv")
    aimed = s.model_copy(update={"providers": s.providers.model_copy(update={"file": str(tmp_path / "x.csv")})})
    with pytest.raises(ScenarioError, match=r"providers\.file"):
        landscape_paths(aimed)


def test_cell_errors_are_reported_under_the_experiment_file() -> None:
    path = CORPUS / "experiment-nan-variant.yaml"
    with pytest.raises(ScenarioError) as info:
        load_experiment(path)
    assert info.value.source == str(path)
    assert "(variant v)" in info.value.problems[0][0]


def test_a_long_unknown_key_is_cut_in_the_message(tmp_path: Path) -> None:
    path = _scenario_file(tmp_path, "k" * 1000 + ": 1\n")  # YAML allows keys up to 1024
    with pytest.raises(ScenarioError, match="unknown key") as info:
        load_scenario(path)
    assert len(str(info.value)) < 400


def test_nested_set_paths_are_refused(tmp_path: Path) -> None:
    exp = tmp_path / "exp.yaml"
    exp.write_text(
        f"name: e\nscenarios: [{FLEVOLAND}]\nreplications: 2\nseed: 1\nyears: 1\nwarmup_days: 0\n"
        "variants:\n  - name: v\n    set:\n      care_forms.pleegzorg.duration: [1]\n"
        "      care_forms.pleegzorg.duration.mean_days: 2\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match=r"variants\.0\.set"):
        load_experiment(exp)


@pytest.mark.parametrize(
    ("args", "words"), [(["--years", "0.1"], "allowed [0.5, 20]"), (["--replications", "0"], "allowed [1, 50]")]
)
def test_the_escalation_script_refuses_bad_input_with_exit_2(args: list[str], words: str) -> None:
    proc = subprocess.run(
        [sys.executable, "scripts/escalation_check.py", *args], capture_output=True, text=True, cwd=ROOT, timeout=600
    )
    assert proc.returncode == 2, proc.stderr
    assert words in proc.stderr and "Traceback" not in proc.stderr
