"""Downloads: tables as CSV and Parquet, charts as SVG and PNG, the one-page regional report."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from dashboard import charts, regional, report, store


def test_tables_round_trip() -> None:
    frame = pd.DataFrame({"gemeente": ["'s-Hertogenbosch", "Súdwest-Fryslân"], "wachtenden": [1.5, 2.0]})
    assert pd.read_csv(io.BytesIO(report.csv_bytes(frame)), encoding="utf-8-sig").equals(frame)
    assert pd.read_parquet(io.BytesIO(report.parquet_bytes(frame))).equals(frame)


def test_charts_draw_without_a_browser() -> None:
    rows = pd.DataFrame({"label": ["A", "B"], "mean": [1.0, 2.0], "ci_low": [0.0, 1.0], "ci_high": [2.0, 3.0]})
    chart = charts.interval_chart(rows, "Wachttijd")
    svg = report.chart_svg(chart)
    assert svg.startswith("<svg") and "Wachttijd" in svg
    assert report.chart_png(chart).startswith(b"\x89PNG")


def _self_contained(html: str) -> None:
    """Nothing in the page loads from elsewhere (SVG's namespace names are no requests)."""
    assert "<script" not in html and "<link" not in html and "<img" not in html
    addresses = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert addresses <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, addresses


def test_regional_report_of_the_tiny_store(tiny_store: Path) -> None:
    run = store.open_set(store.latest(tiny_store) or "")
    cell = store.cells(run.result.table("summary"), run.cell_columns)[0]

    def table(name: str) -> pd.DataFrame:
        return store.cell_of(run.result.table(name), cell)

    html = regional.report_html(table, run.result.manifest, "JZ08", "regionaal")
    _self_contained(html)
    assert "<h1>Flevoland: wat het inkoopregime betekent</h1>" in html
    assert html.count("<svg") == 2
    assert "size: A4" in html
    assert "Wachtenden per 1.000 jeugdigen (teldatum)" in html
    assert all(r in html for r in ("<th>Gefragmenteerd</th>", "<th>Regionaal</th>", "<th>Landelijk</th>"))
    assert "Gemiddelde wachttijd (dagen)" in html and "95%: " in html


def test_the_report_escapes_what_it_is_given() -> None:
    rows = pd.DataFrame({"label": ["A"], "mean": [1.0], "ci_low": [0.0], "ci_high": [2.0]})
    html = report.regional_report(
        region="<script>alert(1)</script>",
        subtitle="a & b",
        regimes=["<b>x</b>"],
        figures=[report.Row("<i>label</i>", ["<u>1</u>"])],
        national=[],
        charts=[("titel", charts.interval_chart(rows, "t"))],
        assumptions=["<img src=x>"],
        source="s",
    )
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "a &amp; b" in html and "&lt;b&gt;x&lt;/b&gt;" in html and "&lt;img src=x&gt;" in html
    assert html.count("<svg") == 1  # the chart, drawn by vl-convert, is the only markup let through
