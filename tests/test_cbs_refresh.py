"""``data refresh`` without a network: a fake CBS client for the writing, a failing one for the
message; nothing here reaches the internet."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import cbsodata
import pytest
import requests

from simulation.cbs_refresh import COLUMNS, LICENCE
from simulation.cli import main

PROPS = [
    {"Key": "SoortHulp", "Type": "Dimension", "Title": "Soort hulp", "Unit": None},
    {"Key": "RegioS", "Type": "GeoDimension", "Title": "Regio's", "Unit": None},
    {"Key": "Perioden", "Type": "TimeDimension", "Title": "Perioden", "Unit": None},
    {"Key": "Jongeren_1", "Type": "Topic", "Title": "Jongeren met jeugdhulp", "Unit": "aantal"},
    {"Key": "Duur_2", "Type": "Topic", "Title": "Gemiddelde duur", "Unit": "dagen"},
]
CODES = {
    "SoortHulp": [{"Key": "T001", "Title": "Totaal"}, {"Key": "A045", "Title": "Pleegzorg"}],
    "RegioS": [{"Key": "NL01  ", "Title": "Nederland"}, {"Key": "GM0034", "Title": "Almere"}],
    "Perioden": [
        {"Key": "2023JJ00", "Title": "2023", "Status": "Voorlopig"},
        {"Key": "2022HJ01", "Title": "2022 1e halfjaar", "Status": "Definitief"},
    ],
}
DATA = [
    {"ID": 0, "SoortHulp": "T001", "RegioS": "NL01  ", "Perioden": "2023JJ00", "Jongeren_1": 480000.0, "Duur_2": None},
    {"ID": 1, "SoortHulp": "A045", "RegioS": "GM0034", "Perioden": "2022HJ01", "Jongeren_1": 310.0, "Duur_2": 512.0},
]


class FakeCBS:
    """The two cbsodata calls the refresh makes, answering from the tables above."""

    def __init__(self, fail_on: str | None = None, scale: float = 1.0) -> None:
        self.fail_on = fail_on
        self.scale = scale
        self.calls: list[tuple[str, str]] = []

    def get_info(self, table_id: str, **kwargs: Any) -> dict[str, Any]:
        self.calls.append((table_id, "TableInfos"))
        if table_id == self.fail_on:
            raise requests.ConnectionError("Max retries exceeded (Name or service not known)")
        return {"Title": f"Jeugdhulp test {table_id}", "Modified": "2025-06-30T02:00:00"}

    def get_meta(self, table_id: str, name: str, **kwargs: Any) -> list[dict[str, Any]]:
        self.calls.append((table_id, name))
        assert kwargs.get("timeout"), "every request needs a timeout"
        if name == "DataProperties":
            return PROPS
        if name == "TypedDataSet":
            return [{k: v * self.scale if isinstance(v, float) else v for k, v in r.items()} for r in DATA]
        return CODES[name]


def _use(monkeypatch: pytest.MonkeyPatch, fake: FakeCBS) -> None:
    monkeypatch.setattr(cbsodata, "get_info", fake.get_info)
    monkeypatch.setattr(cbsodata, "get_meta", fake.get_meta)


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_refresh_writes_long_rows_with_provenance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _use(monkeypatch, FakeCBS())
    out = tmp_path / "refreshed"
    assert main(["data", "refresh", "--tables", "85097NED", "--out", str(out)]) == 0
    rows = _rows(out / "cbs_85097NED.csv")
    assert list(rows[0]) == COLUMNS
    # three cells have a value (the empty duration is left out), by hand:
    assert [(r["indicator"], r["period"], r["value"], r["unit"], r["status"], r["region_code"]) for r in rows] == [
        ("Jongeren_1__totaal", "2023", "480000.0", "aantal", "voorlopig", "NL01"),
        ("Jongeren_1__pleegzorg", "2022HJ01", "310.0", "aantal", "definitief", "GM0034"),
        ("Duur_2__pleegzorg", "2022HJ01", "512.0", "dagen", "definitief", "GM0034"),
    ]
    assert rows[1]["region_name"] == "Almere"
    assert rows[1]["note"] == "Jongeren met jeugdhulp; SoortHulp: Pleegzorg"
    assert rows[1]["source_url"].endswith("/85097NED")
    prov = (out / "PROVENANCE.md").read_text()
    assert "**85097NED**" in prov and LICENCE in prov and "Fetched:** 20" in prov and "2025-06-30" in prov
    # A second table keeps the first one's section; fetching the first again replaces it, once.
    assert main(["data", "refresh", "--tables", "85098NED,85097NED", "--out", str(out)]) == 0
    prov = (out / "PROVENANCE.md").read_text()
    assert prov.count("## cbs_85097NED.csv") == 1 and prov.count("## cbs_85098NED.csv") == 1
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_no_network_exits_2_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "refreshed"
    _use(monkeypatch, FakeCBS())
    assert main(["data", "refresh", "--tables", "85097NED", "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    # the second of two tables fails: the first (with newer figures) is fetched but not written either
    _use(monkeypatch, FakeCBS(fail_on="85098NED", scale=2.0))
    assert main(["data", "refresh", "--tables", "85097NED,85098NED", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "network" in err and "no connection to CBS open data" in err and "Nothing was written" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_refused_table_and_bad_ids_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refused(table_id: str, **kwargs: Any) -> dict[str, Any]:
        raise requests.HTTPError("404 Client Error: Not Found")

    monkeypatch.setattr(cbsodata, "get_info", refused)
    assert main(["data", "refresh", "--tables", "99999NED", "--out", str(tmp_path / "o")]) == 2
    assert "CBS refused table 99999NED" in capsys.readouterr().err
    assert main(["data", "refresh", "--tables", "85097NED,drop table", "--out", str(tmp_path / "o")]) == 2
    assert "--tables: not CBS table ids: ['drop table']" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
