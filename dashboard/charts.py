"""Charts: plain functions, a DataFrame in and an Altair chart out, with Dutch number formats.

No Streamlit here, so each chart is tested on its own (its Vega-Lite spec). Every chart carries
its data inline (no URL), and the map inlines its outlines: nothing is fetched to draw it.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

__all__ = [
    "LOCALE",
    "decomposition_chart",
    "difference_chart",
    "interval_chart",
    "map_chart",
    "series_chart",
    "timeline_chart",
]

#: d3's number and time formats in Dutch (a decimal comma, a dot between thousands)
LOCALE: dict[str, Any] = {
    "number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["€ ", ""]},
    "time": {
        "dateTime": "%a %e %B %Y %X",
        "date": "%d-%m-%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": ["zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"],
        "shortDays": ["zo", "ma", "di", "wo", "do", "vr", "za"],
        "months": [
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ],
        "shortMonths": ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
    },
}


def _nl(chart: Any) -> Any:
    """The chart with the Dutch locale (formats of axes, legends and tooltips)."""
    return chart.configure(locale=LOCALE)


def interval_chart(rows: pd.DataFrame, title: str, axis_format: str = ",.1f") -> alt.Chart:
    """One KPI per regime: the mean as a point and its 95% interval as a bar.

    ``rows``: label (the regime, as shown), mean, ci_low, ci_high."""
    base = alt.Chart(rows).encode(y=alt.Y("label:N", title=None, sort=None))
    bars = base.mark_rule(strokeWidth=3).encode(
        x=alt.X("ci_low:Q", title=title, axis=alt.Axis(format=axis_format)), x2="ci_high:Q"
    )
    points = base.mark_point(filled=True, size=90).encode(
        x="mean:Q",
        tooltip=[
            alt.Tooltip("label:N", title="Regime"),
            alt.Tooltip("mean:Q", title="Gemiddelde", format=axis_format),
            alt.Tooltip("ci_low:Q", title="95% onder", format=axis_format),
            alt.Tooltip("ci_high:Q", title="95% boven", format=axis_format),
        ],
    )
    return _nl(alt.layer(bars, points).properties(height=40 + 30 * len(rows)))


def difference_chart(rows: pd.DataFrame, title: str, axis_format: str = ",.1f") -> alt.Chart:
    """Paired differences with their 95% intervals and a line at zero (no difference).

    ``rows``: label (e.g. "Regionaal − Gefragmenteerd"), mean, ci_low, ci_high."""
    base = alt.Chart(rows).encode(y=alt.Y("label:N", title=None, sort=None))
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="grey", strokeDash=[4, 4]).encode(x="x:Q")
    bars = base.mark_rule(strokeWidth=3, color="#d95f02").encode(
        x=alt.X("ci_low:Q", title=title, axis=alt.Axis(format=axis_format)), x2="ci_high:Q"
    )
    points = base.mark_point(filled=True, size=90, color="#d95f02").encode(
        x="mean:Q", tooltip=[alt.Tooltip("label:N", title="Verschil"), alt.Tooltip("mean:Q", format=axis_format)]
    )
    return _nl(alt.layer(zero, bars, points).properties(height=40 + 30 * len(rows)))


def series_chart(
    frame: pd.DataFrame, title: str, color: str | None = "series", axis_format: str = ",.0f"
) -> alt.LayerChart:
    """A line (mean over replications) with a band (lowest to highest replication) over time.

    ``frame``: month (dates), mean, low, high and, if ``color``, a column naming each line."""
    enc: dict[str, Any] = {"x": alt.X("month:T", title="Maand", axis=alt.Axis(format="%b %Y", tickCount="month"))}
    if color:
        # one legend for band and line, its swatches opaque (the band's would be pale)
        legend = alt.Legend(orient="bottom", columns=3, symbolOpacity=1.0, symbolType="circle")
        enc["color"] = alt.Color(f"{color}:N", title=None, legend=legend, scale=alt.Scale(scheme="tableau20"))
    base = alt.Chart(frame).encode(**enc)
    area = base.mark_area(opacity=0.2).encode(
        y=alt.Y("low:Q", title=title, axis=alt.Axis(format=axis_format)), y2="high:Q"
    )
    tooltip = [
        alt.Tooltip("month:T", title="Maand", format="%B %Y"),
        alt.Tooltip("mean:Q", title=title, format=axis_format),
    ]
    if color:
        tooltip.insert(0, alt.Tooltip(f"{color}:N", title=""))
    line = base.mark_line(point=True).encode(y="mean:Q", tooltip=tooltip)
    return _nl(alt.layer(area, line).properties(height=320))


def timeline_chart(events: pd.DataFrame) -> alt.Chart:
    """Exits and early-warning signals as marks on a day axis, one row per provider.

    ``events``: day, provider (as shown), event ("uitval"/"signaal"), detail, replication."""
    return _nl(
        alt.Chart(events)
        .mark_point(filled=True, size=70)
        .encode(
            x=alt.X("day:Q", title="Dag van de run"),
            y=alt.Y("provider:N", title=None),
            color=alt.Color(
                "event:N", title=None, scale=alt.Scale(domain=["signaal", "uitval"], range=["#e6ab02", "#d62728"])
            ),
            shape=alt.Shape("event:N", title=None),
            tooltip=[
                alt.Tooltip("provider:N", title="Aanbieder"),
                alt.Tooltip("event:N", title="Gebeurtenis"),
                alt.Tooltip("detail:N", title="Toelichting"),
                alt.Tooltip("day:Q", title="Dag", format=",.0f"),
                alt.Tooltip("replication:Q", title="Replicatie"),
            ],
        )
        .properties(height=max(120, 22 * events["provider"].nunique()))
    )


def decomposition_chart(rows: pd.DataFrame, title: str, axis_format: str = ",.1f") -> alt.Chart:
    """Each mechanism's share of a regime gap: a bar (mean) and its 95% interval.

    ``rows``: label (the mechanism, as shown), mean, ci_low, ci_high."""
    base = alt.Chart(rows).encode(y=alt.Y("label:N", title=None, sort=None))
    bars = base.mark_bar(color="#7570b3").encode(
        x=alt.X("mean:Q", title=title, axis=alt.Axis(format=axis_format)),
        tooltip=[alt.Tooltip("label:N", title="Mechanisme"),
                 alt.Tooltip("mean:Q", title="Bijdrage", format=axis_format),
                 alt.Tooltip("ci_low:Q", title="95% onder", format=axis_format),
                 alt.Tooltip("ci_high:Q", title="95% boven", format=axis_format)],
    )  # fmt: skip
    rules = base.mark_rule(color="black").encode(x="ci_low:Q", x2="ci_high:Q")
    return _nl(alt.layer(bars, rules).properties(height=40 + 28 * len(rows)))


def map_chart(
    geojson: dict[str, Any], values: pd.DataFrame, title: str, value_format: str = ",.1f", legend: bool = True
) -> alt.Chart:
    """A choropleth: each area of ``geojson`` (features with properties ``code`` and ``name``)
    coloured by ``values`` (code, value, shown: the value as text for the hover); areas without a
    value are grey. The outlines go into the chart itself: no tiles, no URL. Clicking an area
    selects its ``code`` (selection parameter ``gebied``)."""
    by_code = values.set_index("code")
    features = []
    for f in geojson["features"]:
        code = f["properties"]["code"]
        value = by_code["value"].get(code) if code in by_code.index else None
        shown = by_code["shown"].get(code) if code in by_code.index else "geen gegevens"
        value = None if value is None or pd.isna(value) else float(value)
        # foreign members of a Feature: Vega reads the geometry, the encodings read these
        features.append({**f, "code": code, "name": f["properties"]["name"], "value": value, "shown": shown})
    pick = alt.selection_point(name="gebied", fields=["code"], on="click")
    data = alt.Data(values=features)
    # every area in grey underneath: Vega-Lite leaves out marks whose colour value is missing
    base = (
        alt.Chart(data)
        .mark_geoshape(fill="#dddddd", stroke="white", strokeWidth=0.5)
        .encode(tooltip=[alt.Tooltip("name:N", title="Gebied"), alt.Tooltip("shown:N", title=title)])
    )
    coloured = (
        alt.Chart(data)
        .transform_filter("isValid(datum.value)")
        .mark_geoshape(stroke="white")
        .encode(
            color=alt.Color(
                "value:Q",
                title=title,
                scale=alt.Scale(scheme="orangered"),
                legend=alt.Legend(format=value_format, orient="bottom", gradientLength=280, titleLimit=500)
                if legend
                else None,
            ),
            tooltip=[alt.Tooltip("name:N", title="Gebied"), alt.Tooltip("shown:N", title=title)],
            strokeWidth=alt.condition(pick, alt.value(2.0), alt.value(0.5)),
        )
        .add_params(pick)
    )
    shapes = alt.layer(base, coloured).project(type="mercator").properties(height=560)
    return _nl(shapes)
