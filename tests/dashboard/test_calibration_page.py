"""The Kalibratie page and its file finder: the shipped calibration report is shown with its
pictures (read from disk), validate-history output is found, and empty folders get the note."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import calibration_files as cf
from dashboard.store import ROOT_ENV
from tests.dashboard.conftest import APP

SHIPPED = Path(__file__).resolve().parents[2] / "scenarios" / "calibrated"
PNG = (SHIPPED / "flevoland-ci-fit.png").read_bytes()


def test_report_parts_cut_at_local_pictures_and_never_pass_an_address_on(tmp_path: Path) -> None:
    (tmp_path / "fit.png").write_bytes(PNG)
    (tmp_path.parent / "elders.png").write_bytes(PNG)
    md = "# Titel\n\ntekst\n\n![de fit](fit.png)\n\nmeer\n![weg](../elders.png)\n![web](https://x.nl/a.png)\n"
    parts = cf.report_parts(md, tmp_path)
    assert [p.image for p in parts] == [None, (tmp_path / "fit.png").resolve(), None]
    assert parts[0].text.startswith("# Titel") and parts[1].text == "de fit"
    rest = parts[2].text
    assert "](" not in rest and "afbeelding niet getoond: weg" in rest and "afbeelding niet getoond: web" in rest


def test_calibrations_and_validations_are_found(tmp_path: Path) -> None:
    assert cf.calibrations(tmp_path / "nergens") == []
    (tmp_path / "a.yaml").write_text("name: a\n")
    found = cf.calibrations(tmp_path)
    assert [(c.name, c.report) for c in found] == [("a", None)]
    (tmp_path / "validation" / "v1").mkdir(parents=True)
    (tmp_path / "validation" / "v1" / "validation.md").write_text("# V\n")
    (tmp_path / "validation" / "leeg").mkdir()
    assert cf.validation_dirs([tmp_path, tmp_path / "geen"]) == [(tmp_path / "validation" / "v1").resolve()]


@pytest.fixture()
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """(calibrated folder, store root) set for the page, empty to begin with; the project's
    results/ (where validate-history writes by default) is an empty folder too."""
    monkeypatch.setattr(cf, "PROJECT", tmp_path / "project")
    calibrated, root = tmp_path / "calibrated", tmp_path / "store"
    calibrated.mkdir()
    root.mkdir()
    old = {k: os.environ.get(k) for k in (cf.CALIBRATED_ENV, ROOT_ENV)}
    os.environ[cf.CALIBRATED_ENV] = str(calibrated)
    os.environ[ROOT_ENV] = str(root)
    yield calibrated, root
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def _page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("views/kalibratie.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_kalibratie_says_so_when_there_is_none(folders: tuple[Path, Path]) -> None:
    at = _page()
    notes = [i.value for i in at.info]
    assert any("nog geen kalibratie" in n for n in notes)
    assert any("nog geen validatie" in n for n in notes)
    assert not at.get("image")


def test_kalibratie_shows_the_shipped_report_and_a_validation(folders: tuple[Path, Path]) -> None:
    calibrated, root = folders
    for f in SHIPPED.glob("flevoland-ci*"):
        shutil.copy(f, calibrated)
    out = root / "validation" / "flevoland-ci"
    out.mkdir(parents=True)
    (out / "validation.md").write_text("# Out-of-sample validation flevoland-ci\n\n![reeks](validation-00.png)\n")
    (out / "validation-00.png").write_bytes(PNG)
    (out / "validation.csv").write_text("key,observed\na,1\n")
    at = _page()
    assert not at.info
    assert at.selectbox(key="kalib_keuze").value == "flevoland-ci"
    text = " ".join(m.value for m in at.markdown)
    assert "# Calibration flevoland-ci" in text and "care_forms.pleegzorg.referral_rate_per_1000.value" in text
    assert "# Out-of-sample validation flevoland-ci" in text
    captions = [c for img in at.get("image") for c in img.captions]
    assert captions == ["observed against simulated", "Optuna history", "reeks"]
    labels = [b.proto.label for b in at.get("download_button")]
    assert {"Gekalibreerd scenario (YAML)", "Validatietabel (CSV)"} <= set(labels)


def test_kalibratie_shows_the_project_calibration_by_default() -> None:
    old = os.environ.pop(cf.CALIBRATED_ENV, None)
    try:
        at = _page()
        assert "flevoland-ci" in at.selectbox(key="kalib_keuze").options
    finally:
        if old is not None:
            os.environ[cf.CALIBRATED_ENV] = old


def test_validation_is_found_in_the_projects_results_too(folders: tuple[Path, Path]) -> None:
    out = cf.PROJECT / "results" / "validation" / "flevoland-ci"
    out.mkdir(parents=True)
    (out / "validation.md").write_text("# Out-of-sample validation flevoland-ci\n\nHeld out: coverage 75%.\n")
    at = _page()
    assert at.selectbox(key="kalib_validatie").value == "flevoland-ci"
    assert any("coverage 75%" in m.value for m in at.markdown)
