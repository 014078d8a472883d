"""Uploaded scenarios: the shipped ones are accepted; everything that would read elsewhere or
build objects is refused with a Dutch message, before anything is loaded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dashboard import upload
from dashboard.geo import DATA_DIR

GOOD = b"extends: flevoland.yaml\nname: mijn-proef\nyears: 0.5\n"


def _refused(data: bytes, folder: Path, **kw) -> str:
    with pytest.raises(upload.UploadRefused) as exc:
        upload.accept(data, folder, **kw)
    return str(exc.value)


def test_a_shipped_scenario_extended_is_accepted(tmp_path: Path) -> None:
    path, exp = upload.accept(GOOD, tmp_path / "in")
    assert path.parent == tmp_path / "in"
    assert exp.name == "mijn-proef" and exp.spec.years == 0.5
    # its data files are the shipped ones, by absolute path
    scenario = exp.cells[0].scenarios[0]
    assert Path(scenario.gemeenten_file).is_relative_to(DATA_DIR.resolve())


@pytest.mark.parametrize(
    "data",
    [
        b"extends: ../../../../etc/passwd\nname: x\n",  # path traversal
        b"extends: /etc/passwd\nname: x\n",  # an absolute path
        b"extends: flevoland.yaml\nname: x\ngemeenten_file: /etc/hostname\n",  # a data file elsewhere
        b"extends: flevoland.yaml\nname: x\nproviders:\n  places_file: ../../etc/hostname\n",  # nested
    ],
)
def test_paths_outside_scenarios_and_data_are_refused(data: bytes, tmp_path: Path) -> None:
    message = _refused(data, tmp_path / "in")
    assert "buiten de meegeleverde mappen scenarios/ en data/" in message
    assert not (tmp_path / "in").exists()  # refused before anything was written


def test_a_symbolic_link_out_of_the_shipped_folders_is_refused(tmp_path: Path) -> None:
    scenarios = tmp_path / "scenarios"
    shutil.copytree(DATA_DIR.parent / "scenarios", scenarios, symlinks=True)
    secret = tmp_path / "elders" / "geheim.yaml"
    secret.parent.mkdir()
    secret.write_text("name: geheim\n", encoding="utf-8")
    (scenarios / "link.yaml").symlink_to(secret)
    message = _refused(b"extends: link.yaml\nname: x\n", tmp_path / "in", scenarios_dir=scenarios)
    assert "buiten de meegeleverde mappen" in message


def test_python_objects_and_alias_bombs_are_refused(tmp_path: Path) -> None:
    message = _refused(b"name: !!python/object/apply:os.system ['touch /tmp/pwned']\n", tmp_path / "a")
    assert "YAML-tag die hier niet is toegestaan" in message
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefghij"):
        prev = "abcdefghij"[i]
        bomb.append(f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]")
    message = _refused(("\n".join(bomb) + "\n").encode(), tmp_path / "b")
    assert "verwijzingen (YAML-aliassen)" in message


def test_size_encoding_shape_and_validation(tmp_path: Path) -> None:
    assert "te groot" in _refused(b"#" * (upload.MAX_BYTES + 1), tmp_path / "a")
    assert "UTF-8" in _refused(b"name: \xff\xfe\n", tmp_path / "b")
    assert "geen geldige YAML" in _refused(b"name: [unclosed\n", tmp_path / "c")
    assert "YAML-mapping" in _refused(b"- a\n- b\n", tmp_path / "d")
    assert "geen experiment" in _refused(b"scenarios: [regionaal.yaml]\n", tmp_path / "e")
    message = _refused(b"extends: flevoland.yaml\nname: x\nyears: -1\n", tmp_path / "f")
    assert message.startswith("Het scenario is niet geldig.") and "years" in message
