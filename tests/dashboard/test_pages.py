"""Every page of the dashboard in Streamlit's AppTest: it renders without an exception, and
changing a widget changes what it shows. On the tiny store of conftest.py."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from dashboard import whatif
from dashboard.store import MAIN_COMMAND, ROOT_ENV, listing
from tests.dashboard.conftest import APP

TIMEOUT = 60


def _app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    if page is not None:
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _charts(at: AppTest) -> list[str]:
    """Each chart's spec and data (Streamlit sends a chart's tables apart from its spec, as Arrow)."""
    out = []
    for el in at.get("vega_lite_chart"):
        data = b"".join(d.data.data for d in el.proto.datasets) + el.proto.data.data
        out.append(el.proto.spec + data.decode("utf-8", errors="ignore"))
    return out


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_without_results_every_page_says_what_to_run(tmp_path: Path) -> None:
    old = os.environ.get(ROOT_ENV)
    os.environ[ROOT_ENV] = str(tmp_path / "leeg")
    try:
        at = _app()
        assert any(MAIN_COMMAND in i.value for i in at.info)
        for page in ("mijn_regio", "kaart", "aanbieders", "vergelijken"):
            at.switch_page(f"views/{page}.py").run()
            _ok(at)
            assert any(MAIN_COMMAND in i.value for i in at.info), page
    finally:
        if old is None:
            os.environ.pop(ROOT_ENV, None)
        else:
            os.environ[ROOT_ENV] = old


def test_overzicht(store_env: Path) -> None:
    at = _app()
    labels = [m.label for m in at.metric]
    assert labels.count("Gemiddelde wachttijd (dagen)") == 3  # one card per regime
    values = [m.value for m in at.metric]
    assert any(v.endswith(" dagen") for v in values) and any(v.startswith("EUR ") for v in values)
    table = at.dataframe[0].value
    assert {"Gefragmenteerd", "Regionaal", "Landelijk", "Regionaal (95%)"} <= set(table.columns)
    assert table["Indicator"].iloc[0] == "Gemiddelde wachttijd (dagen)"
    assert table["Regionaal (95%)"].iloc[0].startswith("95%: ")
    diffs = at.dataframe[1].value
    assert "Regionaal − Gefragmenteerd" in set(diffs["Vergelijking"])
    # the decomposition is not there yet: the note names the command
    assert any("jeugdzorg-sim explain" in i.value for i in at.info)
    before = _charts(at)
    at.selectbox(key="overzicht_kpi").select("total_cost_eur").run()
    _ok(at)
    after = _charts(at)
    assert after != before and "Totale kosten gemeenten" in after[0]


def test_mijn_regio(store_env: Path) -> None:
    at = _app("mijn_regio")
    assert at.header[0].value == "Flevoland – Gefragmenteerd"
    chart = _charts(at)
    assert "Pleegzorg" in chart[0]
    providers = next(d.value for d in at.dataframe if "Bezettingsgraad" in d.value.columns)
    assert len(providers) > 0 and providers["Bezettingsgraad"].str.endswith("%").all()
    norm = next(d.value for d in at.dataframe if "Norm" in d.value.columns).set_index("Zorgvorm")
    assert norm.loc["Crisisopvang", "Norm"] == "1 dag" and norm.loc["Pleegzorg", "Norm"] == "98 dagen"
    assert norm["Aandeel boven de norm"].str.endswith("%").all()
    assert norm["Gemiddelde wachttijd"].str.endswith(" dagen").all()
    assert norm["Wachttijd (95%)"].str.startswith("95%: ").all()
    at.selectbox(key="region_select").select("JZ16").run()
    _ok(at)
    assert at.header[0].value.startswith("Gooi en Vechtstreek")
    other = next(d.value for d in at.dataframe if "Norm" in d.value.columns).set_index("Zorgvorm")
    assert not other.equals(norm)
    assert _charts(at) != chart
    at.radio(key="regio_regime").set_value("regionaal").run()
    _ok(at)
    assert at.header[0].value == "Gooi en Vechtstreek – Regionaal"
    units = at.dataframe[-1].value
    assert set(units["Regime"]) == {"Gefragmenteerd", "Regionaal", "Landelijk"}
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Regiorapport (HTML)" in labels and {"CSV", "Parquet", "SVG", "PNG"} <= set(labels)


def test_kaart(store_env: Path) -> None:
    at = _app("kaart")
    first = _charts(at)[0]
    assert '"geoshape"' in first and "Flevoland" in first and "niet gesimuleerd" in first
    at.selectbox(key="kaart_kpi").select("in_care_per_1000").run()
    _ok(at)
    assert at.subheader[0].value.startswith("In zorg per 1.000 jeugdigen – Gefragmenteerd")
    assert _charts(at)[0] != first
    at.radio(key="kaart_niveau").set_value("gemeente").run()
    _ok(at)
    assert "Almere" in _charts(at)[0]


def test_aanbieders(store_env: Path) -> None:
    at = _app("aanbieders")
    all_caption = next(c.value for c in at.caption if "aanbieders geselecteerd" in c.value)
    at.selectbox(key="aanb_regio").select("JZ08").run()
    _ok(at)
    region_caption = next(c.value for c in at.caption if "aanbieders geselecteerd" in c.value)
    assert region_caption != all_caption
    before = _charts(at)
    at.selectbox(key="aanb_reeks").select("fte").run()
    _ok(at)
    assert _charts(at) != before


@pytest.fixture(scope="module")
def two_sets(tiny_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A store of two result sets (the tiny one and one with another seed), for comparisons."""
    from simulation import service
    from tests.dashboard.tiny import MAIN, OVERRIDES

    root = tmp_path_factory.mktemp("twee") / "store"
    shutil.copytree(tiny_store, root)
    service.run_to_store(MAIN, root=root, overrides={**OVERRIDES, "seed": 7}, executor="serial")
    old = os.environ.get(ROOT_ENV)
    os.environ[ROOT_ENV] = str(root)
    yield root
    if old is None:
        os.environ.pop(ROOT_ENV, None)
    else:
        os.environ[ROOT_ENV] = old


def test_vergelijken(two_sets: Path) -> None:
    at = _app("vergelijken")
    table = at.dataframe[0].value
    assert len(table.columns) == 6  # two sets times three regimes
    assert len(table) == 4
    at.multiselect(key="vergelijk_kpis").unselect("wait_days_median").run()
    _ok(at)
    assert len(at.dataframe[0].value) == 3
    at.multiselect(key="vergelijk_sets").set_value([]).run()
    _ok(at)
    assert any("ten minste twee" in i.value for i in at.info)


def test_kalibratie_and_over_het_model(store_env: Path) -> None:
    at = _app("kalibratie")  # its content: tests/dashboard/test_calibration_page.py
    assert at.title[0].value == "Kalibratie"
    at.switch_page("views/over_het_model.py").run()
    _ok(at)
    definitions = at.dataframe[0].value
    assert "Gemiddelde wachttijd (dagen)" in set(definitions["Indicator"])
    assert any("Validatierapport" in s.value for s in at.subheader)
    every = len(at.dataframe[1].value)
    at.text_input(key="bron_zoek").input("pleegzorg").run()
    _ok(at)
    some = at.dataframe[1].value
    assert 0 < len(some) < every and some["parameter"].str.contains("pleegzorg").any()


def test_the_result_set_chooser_switches_sets(two_sets: Path) -> None:
    at = _app()
    paths = list(listing(two_sets)["path"])
    assert len(paths) == 2 and at.selectbox(key="result_set").value == paths[0]  # the newest
    before = [m.value for m in at.metric]
    at.selectbox(key="result_set").set_value(paths[1]).run()
    _ok(at)
    assert [m.value for m in at.metric] != before


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_scenario_verkennen_says_what_is_wrong_in_dutch(store_env: Path) -> None:
    at = _app("scenario_verkennen")
    at.number_input(key="wi_demand").set_value(50.0)
    at.number_input(key="wi_reps").set_value(0)
    at.number_input(key="wi_places").set_value(2.0)
    _button(at, "Bereken").click().run()
    _ok(at)
    errors = [e.value for e in at.error]
    assert "Plaatsen (factor) moet tussen 0,5 en 1,5 liggen." in errors
    assert "Vraaggroei per jaar moet tussen -20% en 30% liggen." in errors
    assert "Replicaties moet tussen 1 en 20 liggen." in errors
    assert "whatif_job" not in at.session_state


def test_scenario_verkennen_runs_a_what_if_in_another_process(tiny_store: Path, tmp_path: Path) -> None:
    root = tmp_path / "store"
    shutil.copytree(tiny_store, root)
    old = os.environ.get(ROOT_ENV)
    os.environ[ROOT_ENV] = str(root)
    try:
        at = _app("scenario_verkennen")
        at.number_input(key="wi_years").set_value(0.25)
        at.number_input(key="wi_reps").set_value(1)
        at.number_input(key="wi_tariff").set_value(0.9)
        _button(at, "Bereken").click().run()
        _ok(at)
        status = Path(at.session_state["whatif_job"]["status"])
        scenario = yaml.safe_load((status.parent / "scenario.yaml").read_text(encoding="utf-8"))
        assert scenario["regions"][0] == "JZ08" and len(scenario["regions"]) > 1  # with its neighbours
        assert scenario["tariff_changes"][0]["factor"] == 0.9
        deadline = time.monotonic() + 240
        while whatif.read_status(status)["state"] not in ("done", "error"):
            assert time.monotonic() < deadline, whatif.read_status(status)
            time.sleep(0.5)
        at.run()
        _ok(at)
        assert any("Klaar" in s.value for s in at.success), [e.value for e in at.error]
        _button(at, "Bekijk de uitkomst in Overzicht").click().run()
        _ok(at)
        assert at.title[0].value.startswith("Overzicht")
        assert "wat-als-regionaal-jz08" in at.selectbox(key="result_set").value
        assert [m.label for m in at.metric].count("Gemiddelde wachttijd (dagen)") == 1  # one regime
    finally:
        if old is None:
            os.environ.pop(ROOT_ENV, None)
        else:
            os.environ[ROOT_ENV] = old


def test_mijn_regio_draws_the_waiting_list_animation_from_the_stored_run(store_env: Path) -> None:
    from unittest import mock

    from PIL import Image

    from dashboard import animation
    from simulation import service

    drawn: list[tuple[str, int, int]] = []
    real = animation.render_gif

    def draw(series, out, **kw):  # the real drawing, and what it drew
        frames = real(series, out, **kw)
        with Image.open(out) as gif:
            drawn.append((series.region, frames, gif.n_frames))
        return frames

    at = _app("mijn_regio")
    assert not at.get("image")  # only on request
    with (
        mock.patch.object(service, "simulate", side_effect=AssertionError("no new simulation")),
        mock.patch.object(animation, "render_gif", side_effect=draw),
    ):
        _button(at, "Maak de animatie").click().run()
        _ok(at)
        (gif,) = at.get("image")
        assert gif.value[0].endswith(".gif")
        assert "GIF" in [b.proto.label for b in at.get("download_button")]
        # a week a frame over the half year the tiny run simulates
        assert drawn == [("JZ08", 27, 27)]
        # another region: no picture until asked, then its own
        at.selectbox(key="region_select").select("JZ16").run()
        _ok(at)
        assert not at.get("image")
        _button(at, "Maak de animatie").click().run()
        (other,) = at.get("image")
        assert other.value != gif.value and drawn[-1][0] == "JZ16"
        # back to Flevoland: from the cache, not drawn again
        at.selectbox(key="region_select").select("JZ08").run()
        _button(at, "Maak de animatie").click().run()
        _ok(at)
        assert len(at.get("image")) == 1 and len(drawn) == 2


def test_a_regions_children_are_read_alone(tiny_store: Path) -> None:
    from dashboard import store, ui

    (path,) = list(listing(tiny_store)["path"])
    every = store.open_set(path).result.table("episodes")
    mine = ui.region_episodes(path, "JZ16")
    assert 0 < len(mine) < len(every) and set(mine["region"].astype(str)) == {"JZ16"}
    assert len(mine) == int((every["region"] == "JZ16").sum())


def test_the_places_lever_becomes_the_scenario_field_and_validates() -> None:
    """'Plaatsen (factor)' is written as capacity.places_factor on top of the shipped regime, and
    the scenario it writes loads and validates like any other."""
    from dashboard import whatif
    from simulation.config import load_scenario

    w = whatif.WhatIf(places_factor=0.8)
    assert whatif.scenario(w)["capacity"] == {"places_factor": 0.8}
    assert "capacity" not in whatif.scenario(whatif.WhatIf())
    import tempfile

    path = whatif.write_scenario(w, Path(tempfile.mkdtemp()))
    assert load_scenario(path).capacity.places_factor == 0.8
