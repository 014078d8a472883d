"""Sources a reader can follow: every citation in the scenarios resolves to a row of
docs/SOURCES.md (``docs/SOURCES.md#id``), a URL or a file under data/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT, SCENARIOS

SHEET = ROOT / "docs" / "SOURCES.md"
ANCHOR = re.compile(r'<a id="([^"]+)"></a>')
CITATION = re.compile(r"docs/SOURCES\.md#([A-Za-z0-9_.-]*[A-Za-z0-9])")
#: the old citations of a parameter sheet that is not in the repository ("DOMAIN 1e", "DOMAIN.md")
UNFOLLOWABLE = re.compile(r"\bDOMAIN(\.md|\s+(section\s+)?\d)")
URL = re.compile(r"https?://[^\s\"',;)]+")
DATA_PATH = re.compile(r"\bdata/[\w./-]*\w")
#: files that cite sources: the scenarios, the data provenance and the figures the validation reads
CITING = [*sorted(SCENARIOS.rglob("*.yaml")), ROOT / "data" / "PROVENANCE.md"]
CITING += [ROOT / "data" / "validation" / "reported_figures.csv", *sorted((ROOT / "simulation").rglob("*.py"))]


def anchors() -> list[str]:
    return ANCHOR.findall(SHEET.read_text(encoding="utf-8"))


def _citations(text: str) -> list[str]:
    return CITATION.findall(text)


def _sources(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(dotted path, text) of every ``source:`` in a scenario mapping."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if key == "source" and isinstance(value, str):
                yield here, value
            yield from _sources(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _sources(value, f"{path}.{i}")


def test_every_anchor_of_the_sheet_is_unique() -> None:
    ids = anchors()
    assert len(ids) > 100
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


@pytest.mark.parametrize("path", CITING, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_citation_resolves_to_a_row_of_the_sheet(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    known = set(anchors())
    missing = sorted(set(_citations(text)) - known)
    assert not missing, f"{path.name} cites docs/SOURCES.md rows that do not exist: {missing}"
    old = [m.group(0) for m in UNFOLLOWABLE.finditer(text)]
    assert not old, f"{path.name} cites a sheet a reader cannot follow: {old[:5]}"


def test_the_scenarios_cite_the_sheet() -> None:
    cited = {c for p in SCENARIOS.rglob("*.yaml") for c in _citations(p.read_text(encoding="utf-8"))}
    assert {"treeknorm", "gi-staff-turnover", "admin-share", "mechanism-6-waiting-deterioration"} <= cited
    assert len(cited) >= 20


@pytest.mark.parametrize("path", sorted(SCENARIOS.rglob("*.yaml")), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_source_gives_something_to_follow(path: Path) -> None:
    """A ``source:`` names a row of the sheet, a URL or a data file that exists."""
    problems = []
    for where, text in _sources(yaml.safe_load(path.read_text(encoding="utf-8"))):
        rows = set(_citations(text)) & set(anchors())
        files = [p for p in DATA_PATH.findall(text) if (ROOT / p).exists()]
        if not (rows or URL.search(text) or files):
            problems.append(f"{where}: {text[:100]}")
    assert not problems, problems


def test_the_rules_catch_an_unfollowable_or_dangling_citation() -> None:
    known = set(anchors())
    assert UNFOLLOWABLE.search('assumption: "GAP: below the 20% at GIs (DOMAIN 1e)"')
    assert UNFOLLOWABLE.search("see DOMAIN.md section 1e") and not UNFOLLOWABLE.search("DOMAINS[self.domain]")
    assert set(_citations("(docs/SOURCES.md#no-such-row)")) - known == {"no-such-row"}
    assert set(_citations("(Skipr, docs/SOURCES.md#gecertificeerde-instellingen).")) <= known
