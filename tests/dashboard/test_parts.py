"""The dashboard's plain parts: Dutch number formats, the map outlines, charts, table cuts, the store."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from dashboard import aggregates, charts, format_nl, geo, reference, store
from dashboard import labels_nl as nl
from simulation.metrics import REGISTRY, by_name

# -- Dutch number formats ------------------------------------------------------------------------


def test_numbers_in_dutch() -> None:
    assert format_nl.number(1234567.891, 1) == "1.234.567,9"
    assert format_nl.number(-1234.4) == "-1.234"
    assert format_nl.number(0.5, 2) == "0,50"
    assert format_nl.percent(0.203) == "20,3%"
    assert format_nl.percent(1.0, 0) == "100%"
    assert format_nl.eur(1.6e9) == "EUR 1,6 mld"
    assert format_nl.eur(76.44e6) == "EUR 76,4 mln"
    assert format_nl.eur(12345.4) == "EUR 12.345"
    assert format_nl.eur(-2.5e6) == "EUR -2,5 mln"
    assert format_nl.month(pd.Timestamp("2026-07-01")) == "juli 2026"
    for missing in (None, math.nan):
        assert format_nl.number(missing) == format_nl.eur(missing) == format_nl.percent(missing) == "-"


def test_kpi_values_take_the_registry_format() -> None:
    assert format_nl.kpi_value(45.25, by_name("wait_days_mean")) == "45,2 dagen"
    assert format_nl.kpi_value(0.2034, by_name("share_over_norm")) == "20,3%"
    assert format_nl.kpi_value(1.6e9, by_name("total_cost_eur")) == "EUR 1,6 mld"
    assert format_nl.kpi_value(12873.0, by_name("waiting_at_end")) == "12.873"
    # a difference carries its sign; a difference of shares is in percentage points
    assert format_nl.kpi_value(0.02, by_name("share_over_norm"), difference=True) == "+2,0 %-punt"
    assert format_nl.kpi_value(-3.5, by_name("wait_days_mean"), difference=True) == "-3,5 dagen"
    k = by_name("wait_days_mean")
    assert format_nl.interval(40.1, 50.3, k) == "95%: 40,1 dagen – 50,3 dagen"
    assert format_nl.interval(math.nan, 50.3, k) == "-"
    # the ends of an interval of billions keep two decimals, or 1,86 and 1,94 would both read 1,9
    assert format_nl.interval(1.86e9, 1.94e9, by_name("total_cost_eur")) == "95%: EUR 1,86 mld – EUR 1,94 mld"


def test_every_kpi_and_headline_has_dutch_words() -> None:
    for k in REGISTRY:
        assert nl.label(k.name) == k.label_nl
        assert nl.unit(k.unit) != k.unit or k.unit == "EUR", k.unit
        assert nl.help_text(k.name)
    for name in nl.HEADLINE_KPIS:
        assert name in nl.HELP, name
    assert nl.regime("regionaal") == "Regionaal"
    assert nl.care_form("gesloten_jeugdhulp") == "Gesloten jeugdhulp"
    assert nl.mechanism("total (regional - fragmented)") == "Totaal verschil"


# -- map outlines ------------------------------------------------------------------------------------


def _exterior_and_holes(collection: dict) -> tuple[list[float], list[float]]:
    ext, holes = [], []
    for f in collection["features"]:
        for i, ring in geo.rings(f["geometry"]):
            (ext if i == 0 else holes).append(geo.ring_area(ring))
    return ext, holes


def test_raw_gemeente_outlines_need_the_fix() -> None:
    """The shipped file winds the RFC 7946 way (exteriors anticlockwise) and has Buitenland: if
    either stops being true, the preparation below is testing nothing."""
    raw = json.loads((geo.DATA_DIR / "geo" / "gemeenten_2023.geojson").read_text(encoding="utf-8"))
    ext, _ = _exterior_and_holes(raw)
    assert sum(a > 0 for a in ext) > 0.9 * len(ext)
    assert any(f["properties"]["gemeentenaam"] == "Buitenland" for f in raw["features"])


@pytest.mark.parametrize(("prepared", "count"), [(geo.gemeenten, 342), (geo.jeugdregios, 42)])
def test_prepared_outlines_wind_as_d3_wants(prepared, count) -> None:
    collection = prepared()
    assert len(collection["features"]) == count
    names = {f["properties"]["name"] for f in collection["features"]}
    assert "Buitenland" not in names
    ext, holes = _exterior_and_holes(collection)
    assert all(a < 0 for a in ext)  # clockwise
    assert all(a > 0 for a in holes)  # anticlockwise


def test_region_outlines_cover_their_gemeenten() -> None:
    """Two independent sources agree: each jeugdregio's outline has about the area of the
    gemeenten data/gemeenten.csv puts in it (generalised outlines: within 10%)."""

    def area(feature: dict) -> float:
        # exteriors wind clockwise (negative), holes anticlockwise: -sum is the area inside
        return -sum(geo.ring_area(r) for _, r in geo.rings(feature["geometry"]))

    gem = {f["properties"]["code"]: area(f) for f in geo.gemeenten()["features"]}
    table = reference.gemeenten()
    for f in geo.jeugdregios()["features"]:
        codes = table.loc[table["jeugdregio_code"] == f["properties"]["code"], "gemeentecode"]
        total = sum(gem[c] for c in codes)
        assert area(f) == pytest.approx(total, rel=0.10), f["properties"]["name"]


# -- charts --------------------------------------------------------------------------------------


def _no_urls(spec: dict) -> None:
    """No data URL and no address in the spec (``$schema`` names the grammar, nothing loads it)."""
    text = json.dumps({k: v for k, v in spec.items() if k != "$schema"})
    assert '"url"' not in text and "http" not in text


def test_map_chart_inlines_outlines_and_values() -> None:
    values = pd.DataFrame({"code": ["JZ08", "JZ16"], "value": [1.5, math.nan], "shown": ["1,5", "-"]})
    spec = charts.map_chart(geo.jeugdregios(), values, "Wachtenden").to_dict()
    _no_urls(spec)
    feats = spec["data"]["values"]
    assert len(feats) == 42
    by_code = {f["code"]: f for f in feats}
    assert by_code["JZ08"]["value"] == 1.5 and by_code["JZ08"]["shown"] == "1,5"
    assert by_code["JZ16"]["value"] is None  # NaN is no number in JSON: grey
    assert by_code["JZ01"]["shown"] == "geen gegevens"
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["geoshape", "geoshape"]
    assert spec["layer"][0]["mark"]["fill"] == "#dddddd"  # every area, grey underneath
    assert spec["layer"][1]["transform"] == [{"filter": "isValid(datum.value)"}]
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert spec["params"][0]["name"] == "gebied"


def test_series_and_interval_charts() -> None:
    frame = pd.DataFrame(
        {
            "month": pd.to_datetime(["2026-01-01", "2026-02-01"] * 2),
            "series": ["Pleegzorg"] * 2 + ["Gezinshuis"] * 2,
            "mean": [1.0, 2.0, 3.0, 4.0],
            "low": [0.5, 1.5, 2.5, 3.5],
            "high": [1.5, 2.5, 3.5, 4.5],
        }
    )
    spec = charts.series_chart(frame, "Wachtenden").to_dict()
    _no_urls(spec)
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["area", "line"]
    assert spec["layer"][0]["encoding"]["y2"]["field"] == "high"
    rows = pd.DataFrame({"label": ["A", "B"], "mean": [1.0, 2.0], "ci_low": [0.0, 1.0], "ci_high": [2.0, 3.0]})
    for make in (charts.interval_chart, charts.difference_chart, charts.decomposition_chart):
        _no_urls(make(rows, "x").to_dict())
    events = pd.DataFrame({"day": [10.0], "provider": ["P"], "event": ["uitval"], "detail": ["x"], "replication": [0]})
    assert charts.timeline_chart(events).to_dict()["mark"]["type"] == "point"


# -- table cuts ----------------------------------------------------------------------------------

UNITS = pd.DataFrame(
    {
        "scenario": ["s"] * 5,
        "unit_id": ["A", "A", "B", "N", "N"],
        "unit_name": ["a", "a", "b", "nat", "nat"],
        "level": ["subregional", "subregional", "subregional", "national", "national"],
        # the unit's own region, as units_table writes it: NL for the national unit
        "jeugdregio_code": ["JZ01", "JZ01", "JZ02", "NL", "NL"],
        "gemeentecode": ["G1", "G2", "G3", "G1", "G3"],
    }
)
GEMEENTEN = pd.DataFrame({"gemeentecode": ["G1", "G2", "G3"], "jeugdregio_code": ["JZ01", "JZ01", "JZ02"]})


def test_waiting_over_time_sums_the_units_inside_the_region() -> None:
    waiting = pd.DataFrame(
        {
            "scenario": "s",
            "replication": [0, 0, 0, 1, 1, 1],
            "month": ["2026-01-01"] * 6,
            "t_start": 0.0,
            "unit_id": ["A", "B", "N", "A", "B", "N"],
            "care_form": "pleegzorg",
            "waiting_end": [10, 100, 1000, 20, 200, 2000],
        }
    )
    out = aggregates.waiting_over_time(waiting, UNITS, GEMEENTEN, "JZ01", "s")
    assert out[["mean", "low", "high"]].iloc[0].tolist() == [15.0, 10.0, 20.0]  # A only: B elsewhere, N wider
    assert aggregates.waiting_over_time(waiting, UNITS, GEMEENTEN, "JZ01", "s", warmup=10.0).empty
    above = aggregates.forms_above_region(waiting, UNITS, GEMEENTEN, "JZ01", "s")
    assert above[["unit_name", "regions", "waiting"]].iloc[0].tolist() == ["nat", 2, 1500.0]
    units = aggregates.region_units(UNITS, GEMEENTEN, "JZ01").set_index("unit_id")
    assert units.loc["A", "gemeenten"] == 2 and units.loc["N", "gemeenten"] == 1 and units.loc["N", "regions"] == 2


def test_stocks_per_area_per_thousand_youth() -> None:
    gemeenten = pd.DataFrame(
        {"gemeentecode": ["G1", "G2", "G3"], "jeugdregio_code": ["R1", "R1", "R2"], "jeugd_0_17": [1000, 3000, 500]}
    )
    stocks = pd.DataFrame(
        {
            "scenario": "s",
            "replication": [0, 0, 1, 1, 0],
            "date": pd.to_datetime(["2026-12-31"] * 4 + ["2026-06-30"]),
            "gemeentecode": ["G1", "G2", "G1", "G2", "G1"],
            "care_form": "pleegzorg",
            "waiting": [4, 8, 6, 10, 999],
            "in_care": [40, 0, 40, 0, 999],
        }
    )
    out = aggregates.stocks_per_area(stocks, gemeenten, "s", "jeugdregio").set_index("code")
    assert out.loc["R1", "waiting"] == 14.0  # (12 + 16) / 2, the June count left out
    assert out.loc["R1", "waiting_per_1000"] == pytest.approx(14.0 / 4000 * 1000)
    assert math.isnan(out.loc["R2", "waiting"])  # not simulated: no value, not zero
    per_g = aggregates.stocks_per_area(stocks, gemeenten, "s", "gemeente").set_index("code")
    assert per_g.loc["G1", "in_care_per_1000"] == pytest.approx(40.0)


def test_provider_summary_and_series() -> None:
    ledger = pd.DataFrame(
        {
            "scenario": "s",
            "replication": [0, 0, 1, 1],
            "month": ["2026-01-01", "2026-02-01"] * 2,
            "t_start": [0.0, 31.0] * 2,
            "provider_id": "P1",
            "occupied_days": [50.0, 90.0, 50.0, 70.0],
            "place_days": [100.0] * 4,
            "margin_eur": [5.0, 10.0, -5.0, -10.0],
            "revenue_eur": [100.0] * 4,
            "reserves_eur": [1000.0, 1010.0, 1000.0, 990.0],
            "fte": [10.0] * 4,
            "status": ["active", "active", "active", "exited"],
        }
    )
    providers = pd.DataFrame({"provider_id": ["P1"], "naam": ["Een"]})
    row = aggregates.provider_summary(ledger, providers, "s", warmup=31.0).iloc[0]
    assert row["occupancy"] == pytest.approx(0.8)  # the second month only
    assert row["margin"] == pytest.approx(0.0)
    assert row["reserves_eur"] == 1000.0 and row["active"] == 0.5
    series = aggregates.provider_timeseries(ledger, ["P1"], "s")
    margin = series[series["measure"] == "margin"].set_index("month")
    assert margin["low"].iloc[1] == pytest.approx(-0.1) and margin["high"].iloc[1] == pytest.approx(0.1)


# -- the store -----------------------------------------------------------------------------------


def test_latest_main_job_and_cells(tiny_store: Path, tmp_path: Path) -> None:
    path = store.latest(tiny_store)
    assert path is not None and path.parent == tiny_store
    assert store.latest(tmp_path) is None  # an empty store
    assert store.latest(tiny_store, None, command="explain") is None
    run = store.open_set(path)
    summary = run.result.table("summary")
    cells = store.cells(summary, run.cell_columns)
    assert cells == [(("variant", "klein"),)]
    assert len(store.cell_of(summary, cells[0])) == len(summary)
    # a half-written set (no manifest) is not listed
    (tiny_store / ".drie-regimes-x.tmp-1").mkdir(exist_ok=True)
    assert len(store.listing(tiny_store)) == 1


def test_the_dashboard_command_starts_streamlit_offline() -> None:
    from simulation.cli import build_parser, dashboard_command

    assert dashboard_command.ROOT_ENV == store.ROOT_ENV
    assert Path(dashboard_command.APP).is_file()
    cmd = dashboard_command.streamlit_command(8765, "localhost", True)
    assert cmd[cmd.index("--browser.gatherUsageStats") + 1] == "false"
    args = build_parser().parse_args(["dashboard", "--root", "x", "--port", "8765"])
    assert args.func is dashboard_command.cmd_dashboard and args.port == 8765
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["dashboard", "--port", "80"])
    assert exc.value.code == 2


def test_parameter_sources_lists_every_sourced_value(tmp_path: Path) -> None:
    from dashboard.sources import parameter_sources

    (tmp_path / "s.yaml").write_text(
        "name: x\n"
        "a:\n  b: {value: 1.5, source: 'CBS 2022, tabel 3'}\n  c: {value: 2, assumption: 'GAP: geschat'}\n"
        "lijst:\n  - {value: 3, assumption: EST}\n  - plain: 4\n"
        "d: {value: 5}\n",
        encoding="utf-8",
    )
    rows = parameter_sources(tmp_path / "s.yaml")
    assert rows.values.tolist() == [
        ["a.b", "1.5", "bron", "CBS 2022, tabel 3"],
        ["a.c", "2", "aanname", "GAP: geschat"],
        ["lijst.0", "3", "aanname", "EST"],
    ]


def test_the_dashboard_command_passes_the_store_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from simulation.cli import dashboard_command, main

    calls = []
    monkeypatch.setattr(dashboard_command.subprocess, "call", lambda cmd, env: calls.append((cmd, env)) or 0)
    assert main(["dashboard", "--root", str(tmp_path), "--port", "8765", "--headless"]) == 0
    cmd, env = calls[0]
    assert env[store.ROOT_ENV] == str(tmp_path.resolve())
    assert cmd[cmd.index("--server.port") + 1] == "8765" and cmd[cmd.index("--server.address") + 1] == "localhost"
    (tmp_path / "file").write_text("x")
    assert main(["dashboard", "--root", str(tmp_path / "file")]) == 2  # a file is no store: exit 2


def test_streamlit_run_from_the_project_sends_no_usage_statistics() -> None:
    import tomllib

    config = tomllib.loads((geo.DATA_DIR.parent / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False


def test_animation_frames_a_week_apart_and_bounded() -> None:
    from dashboard.animation import MAX_FRAMES, frame_days

    assert frame_days(182.5).tolist() == [7.0 * k for k in range(27)]
    long = frame_days(20 * 365.0)
    assert len(long) <= MAX_FRAMES and long[-1] <= 20 * 365.0 and long[-1] > 20 * 365.0 - (long[1] - long[0])


def test_wait_norms_from_the_sets_scenario_files_or_the_shipped_ones(tmp_path: Path) -> None:
    own = tmp_path / "eigen.yaml"
    own.write_text("extends: " + str(Path(store.__file__).parents[1] / "scenarios" / "regionaal.yaml") + "\n"
                   "care_forms:\n  pleegzorg:\n    wait_norm_days: {value: 42, source: test}\n")  # fmt: skip
    norms = store.wait_norms(
        {"scenarios": ["eigen", "regionaal", "wat-als-weg"], "scenario_files": [str(own), "/weg/a.yaml", "/weg/b.yaml"]}
    )
    assert norms["eigen"]["pleegzorg"] == 42.0
    assert norms["regionaal"]["pleegzorg"] == norms["wat-als-weg"]["pleegzorg"] == 98.0
    assert norms["regionaal"]["crisisopvang"] == 1.0
