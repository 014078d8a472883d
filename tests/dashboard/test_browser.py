"""The dashboard in a real browser: Debian's Chromium, driven headless by Playwright.

The app runs on a free localhost port on the tiny store; every request that is not to this
machine is blocked and counted (there must be none: the map, fonts and scripts all come from
the app). The test checks that a KPI and the map are on the page, that the map is drawn as
outlines (not a painted globe: wrongly wound rings fill the whole chart), switches the region,
and saves screenshots under its temporary directory. Without /usr/bin/chromium it is skipped,
except in CI (CI=true), where .ci/run installs it and a missing browser is a failure.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from dashboard.store import ROOT_ENV
from simulation.cli.dashboard_command import streamlit_command

CHROMIUM = Path("/usr/bin/chromium")
LOCAL = {"127.0.0.1", "localhost", "::1"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing in CI: .ci/run installs Debian's chromium")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); CI installs it")


@pytest.fixture(scope="module")
def app_url(tiny_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _need_chromium()
    port = _free_port()
    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    env = {**os.environ, ROOT_ENV: str(tiny_store)}
    with open(log, "wb") as out:
        proc = subprocess.Popen(streamlit_command(port, "127.0.0.1", True), env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the dashboard did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _filled_share(png: bytes) -> float:
    """How much of the box around what is drawn is drawn, in the top three quarters of a
    screenshot of the map (the legend is below). A map of the Netherlands leaves sea and land
    around it white; a ring wound the wrong way paints the globe and fills its box whole."""
    import numpy as np
    from PIL import Image

    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    drawn = (img != img[1, 1]).any(axis=2)[: int(img.shape[0] * 0.75)]
    rows, cols = np.nonzero(drawn)
    if rows.size == 0:
        return 0.0
    return float(drawn[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1].mean())


def test_dashboard_in_chromium(app_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import Route, sync_playwright

    outside: list[str] = []

    def only_local(route: Route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:", "file:")) or urlparse(url).hostname in LOCAL:
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(
                viewport={"width": 1400, "height": 1100}, locale="nl-NL", accept_downloads=True
            )
            context.route("**/*", only_local)
            page = context.new_page()
            page.on("websocket", lambda ws: None if urlparse(ws.url).hostname in LOCAL else outside.append(ws.url))
            page.set_default_timeout(60_000)

            page.goto(app_url)
            page.get_by_text("Overzicht: wat het inkoopregime betekent").wait_for()
            kpi = page.locator('[data-testid="stMetric"]').filter(has_text="Gemiddelde wachttijd (dagen)").first
            kpi.wait_for()
            assert "dagen" in kpi.inner_text()
            page.locator('[data-testid="stDataFrame"]').first.wait_for()
            page.wait_for_timeout(1500)  # the tables draw on a canvas after they mount
            page.screenshot(path=str(tmp_path / "overzicht.png"), full_page=True)

            page.goto(f"{app_url}/kaart")
            chart = page.locator(".vega-embed").first
            chart.wait_for()
            page.wait_for_timeout(1500)  # the map draws after the chart mounts
            share = _filled_share(chart.screenshot(path=str(tmp_path / "kaart-alleen.png")))
            assert 0.2 < share < 0.85, share  # drawn, and not a painted globe
            page.screenshot(path=str(tmp_path / "kaart.png"), full_page=True)

            page.goto(f"{app_url}/mijn_regio")
            page.get_by_text("Flevoland – Gefragmenteerd").wait_for()
            page.locator('[data-testid="stSelectbox"]').filter(has_text="Jeugdregio").first.click()
            page.get_by_role("option", name="Gooi en Vechtstreek (JZ16)").click()
            page.get_by_text("Gooi en Vechtstreek – Gefragmenteerd").wait_for()
            page.wait_for_timeout(1000)
            page.screenshot(path=str(tmp_path / "mijn-regio.png"), full_page=True)

            with page.expect_download() as download:
                page.get_by_role("button", name="Regiorapport (HTML)").click()
            report = tmp_path / "regiorapport.html"
            download.value.save_as(report)
            html = report.read_text(encoding="utf-8")
            assert "Gooi en Vechtstreek: wat het inkoopregime betekent" in html and "<svg" in html
            page.goto(report.as_uri())
            page.screenshot(path=str(tmp_path / "regiorapport.png"), full_page=True)
        finally:
            browser.close()
    assert outside == [], f"requests that left the machine: {outside}"
    for name in ("overzicht", "kaart", "mijn-regio"):
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000
