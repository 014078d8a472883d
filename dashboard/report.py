"""Exports: tables as CSV and Parquet, charts as SVG and PNG, and the one-page regional report.

Charts are drawn by vl-convert (Vega in Rust, no browser, nothing fetched). The report is one
self-contained HTML file (Jinja2 with autoescape: every name and number is escaped; only the
SVG that vl-convert drew goes in as markup) with A4 print CSS, for a bestuurder to print.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import jinja2
import pandas as pd
import vl_convert as vlc
from markupsafe import Markup

__all__ = ["Row", "chart_png", "chart_svg", "csv_bytes", "parquet_bytes", "regional_report"]

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("dashboard", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
    undefined=jinja2.StrictUndefined,
)


def _vl_version(spec: dict[str, Any]) -> str:
    """The Vega-Lite version Altair wrote (``.../v6.4.1.json`` -> ``6.4``)."""
    tail = str(spec.get("$schema", "")).rsplit("/v", 1)[-1]
    return ".".join(tail.split(".")[:2])


def chart_svg(chart: alt.TopLevelMixin) -> str:
    spec = chart.to_dict()
    return str(vlc.vegalite_to_svg(spec, vl_version=_vl_version(spec)))


def chart_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    spec = chart.to_dict()
    return bytes(vlc.vegalite_to_png(spec, vl_version=_vl_version(spec), scale=scale))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark, so that Excel reads the Dutch characters."""
    return frame.to_csv(index=False).encode("utf-8-sig")


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


@dataclass(frozen=True)
class Row:
    """One line of a report table: a label and a value per regime (already formatted), and
    optionally a note under each value (its 95% interval)."""

    label: str
    values: Sequence[str]
    notes: Sequence[str] = ()


def regional_report(
    *,
    region: str,
    subtitle: str,
    regimes: Sequence[str],
    figures: Sequence[Row],
    national: Sequence[Row],
    charts: Sequence[tuple[str, alt.TopLevelMixin]],
    assumptions: Sequence[str],
    source: str,
) -> str:
    """The one-page report of a jeugdregio as self-contained HTML."""
    drawn = [{"title": title, "svg": Markup(chart_svg(chart))} for title, chart in charts]
    return _ENV.get_template("regio_rapport.html.j2").render(
        region=region,
        subtitle=subtitle,
        regimes=list(regimes),
        figures=list(figures),
        national=list(national),
        charts=drawn,
        assumptions=list(assumptions),
        source=source,
    )
