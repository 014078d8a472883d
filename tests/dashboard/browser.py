"""Driving the dashboard in Debian's Chromium: used by test_browser.py and by
scripts/dashboard_screenshots.py (the README's screenshots), so both take the same walk.

:func:`serve` starts the app on a free localhost port; :func:`walk` opens Overzicht, Kaart and
Mijn regio, switches the region, downloads the regional report, saves screenshots into a folder
and returns what it found, including every request that was not to this machine (blocked).
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from dashboard.store import ROOT_ENV
from simulation.cli.dashboard_command import streamlit_command

CHROMIUM = Path("/usr/bin/chromium")
LOCAL = {"127.0.0.1", "localhost", "::1"}


class DashboardDidNotStart(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(root: Path, log: Path, timeout: float = 90.0) -> Iterator[str]:
    """The dashboard on the result store ``root``, on a free localhost port; yields its URL."""
    port = free_port()
    env = {**os.environ, ROOT_ENV: str(root)}
    with open(log, "wb") as out:
        proc = subprocess.Popen(streamlit_command(port, "127.0.0.1", True), env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise DashboardDidNotStart(log.read_text(errors="replace")[-2000:])
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def filled_share(png: bytes) -> float:
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


def coloured_pixel(png: bytes) -> tuple[int, int] | None:
    """(x, y) of a pixel of the map in the colour scale (neither background, grey nor white
    outline), in the upper part above the legend: where a click lands on a simulated region."""
    import numpy as np
    from PIL import Image

    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    top = img[: int(img.shape[0] * 0.75)]
    spread = top.max(axis=2) - top.min(axis=2)  # grey, white and black have none
    ys, xs = np.nonzero(spread > 60)
    if ys.size == 0:
        return None
    # the middle one of them, away from an outline
    i = ys.size // 2
    return int(xs[i]), int(ys[i])


@dataclass
class Walk:
    kpi_text: str = ""
    map_filled: float = 0.0
    clicked_to: str = ""
    report_html: str = ""
    outside: list[str] = field(default_factory=list)


def walk(url: str, out: Path, region: str, region_name: str, first_region: str) -> Walk:
    """Overzicht, Kaart, Mijn regio (switched from ``first_region`` to ``region``), the regional
    report; screenshots ``overzicht``, ``kaart``, ``kaart-alleen``, ``mijn-regio``, ``regiorapport``
    (.png) into ``out``."""
    from playwright.sync_api import Route, sync_playwright

    seen = Walk()

    def only_local(route: Route) -> None:
        address = route.request.url
        if address.startswith(("data:", "blob:", "file:")) or urlparse(address).hostname in LOCAL:
            route.continue_()
        else:
            seen.outside.append(address)
            route.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(
                viewport={"width": 1400, "height": 1100}, locale="nl-NL", accept_downloads=True
            )
            context.route("**/*", only_local)
            page = context.new_page()
            page.on("websocket", lambda ws: None if urlparse(ws.url).hostname in LOCAL else seen.outside.append(ws.url))
            page.set_default_timeout(90_000)

            page.goto(url)
            page.get_by_text("Overzicht: wat het inkoopregime betekent").wait_for()
            kpi = page.locator('[data-testid="stMetric"]').filter(has_text="Gemiddelde wachttijd (dagen)").first
            kpi.wait_for()
            seen.kpi_text = kpi.inner_text()
            page.locator('[data-testid="stDataFrame"]').first.wait_for()
            page.wait_for_timeout(2000)  # the tables draw on a canvas after they mount
            page.screenshot(path=str(out / "overzicht.png"), full_page=True)

            page.goto(f"{url}/kaart")
            chart = page.locator(".vega-embed").first
            chart.wait_for()
            page.wait_for_timeout(2000)  # the map draws after the chart mounts
            seen.map_filled = filled_share(chart.screenshot(path=str(out / "kaart-alleen.png")))
            page.screenshot(path=str(out / "kaart.png"), full_page=True)
            spot = coloured_pixel((out / "kaart-alleen.png").read_bytes())
            if spot is not None:  # clicking a region opens Mijn regio on it
                chart.click(position={"x": spot[0], "y": spot[1]})
                page.get_by_role("heading", name="Mijn regio").wait_for()
                page.wait_for_timeout(1000)
                seen.clicked_to = page.locator("h2").first.inner_text()

            page.goto(f"{url}/mijn_regio")
            page.get_by_text(f"{first_region} – Gefragmenteerd").wait_for()
            page.locator('[data-testid="stSelectbox"]').filter(has_text="Jeugdregio").first.click()
            page.keyboard.type(region_name[:6])  # the list of 42 shows only what fits; typing filters it
            page.get_by_role("option", name=f"{region_name} ({region})").click()
            page.get_by_text(f"{region_name} – Gefragmenteerd").wait_for()
            # the page's later sections (waits against the norm) are still computing while the
            # running man shows; a screenshot then catches them empty
            page.locator('[data-testid="stStatusWidgetRunningManIcon"]').wait_for(state="hidden")
            page.wait_for_timeout(2000)
            page.screenshot(path=str(out / "mijn-regio.png"), full_page=True)

            with page.expect_download() as download:
                page.get_by_role("button", name="Regiorapport (HTML)").click()
            report = out / "regiorapport.html"
            download.value.save_as(report)
            seen.report_html = report.read_text(encoding="utf-8")
            page.goto(report.as_uri())
            page.screenshot(path=str(out / "regiorapport.png"), full_page=True)
        finally:
            browser.close()
    return seen
