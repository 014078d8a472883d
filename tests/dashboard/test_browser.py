"""The dashboard in a real browser: Debian's Chromium, driven headless by Playwright.

The app runs on a free localhost port on the tiny store; every request that is not to this
machine is blocked and counted (there must be none: the map, fonts and scripts all come from
the app). The walk (tests/dashboard/browser.py) checks that a KPI and the map are on the page,
that the map is drawn as outlines (not a painted globe: wrongly wound rings fill the whole
chart), switches the region, downloads the regional report and saves screenshots under the
test's temporary directory. Without /usr/bin/chromium the test is skipped, except in CI
(CI=true), where .ci/run installs it and a missing browser is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.dashboard.browser import CHROMIUM, DashboardDidNotStart, serve, walk


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing in CI: .ci/run installs Debian's chromium")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); CI installs it")


def test_dashboard_in_chromium(tiny_store: Path, tmp_path: Path) -> None:
    _need_chromium()
    try:
        with serve(tiny_store, tmp_path / "streamlit.log") as url:
            seen = walk(url, tmp_path, "JZ16", "Gooi en Vechtstreek", "Flevoland")
    except DashboardDidNotStart as exc:
        pytest.fail(f"the dashboard did not start: {exc}")
    assert seen.outside == [], f"requests that left the machine: {seen.outside}"
    assert "dagen" in seen.kpi_text
    # a click on a coloured region (Flevoland or Gooi en Vechtstreek) opened Mijn regio on it
    assert seen.clicked_to.split(" – ")[0] in {"Flevoland", "Gooi en Vechtstreek"}, seen.clicked_to
    assert 0.2 < seen.map_filled < 0.85, seen.map_filled  # drawn, and not a painted globe
    assert "Gooi en Vechtstreek: wat het inkoopregime betekent" in seen.report_html and "<svg" in seen.report_html
    for name in ("overzicht", "kaart", "mijn-regio", "regiorapport"):
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000
