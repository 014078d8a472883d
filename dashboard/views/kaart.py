"""Kaart: the jeugdregio's (or gemeenten) coloured by a chosen figure under a chosen regime."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import aggregates, charts, format_nl, geo, reference, ui
from dashboard import labels_nl as nl

#: what the map can show: column of aggregates.stocks_per_area -> (label, decimals)
MEASURES = {
    "waiting_per_1000": ("Wachtenden per 1.000 jeugdigen", 2),
    "in_care_per_1000": ("In zorg per 1.000 jeugdigen", 1),
    "waiting": ("Wachtenden (aantal)", 0),
    "in_care": ("In zorg (aantal)", 0),
}

st.title("Kaart")
cur = ui.current()
if cur is not None:
    stocks = cur.table("stocks")
    if stocks.empty:
        st.warning("Deze resultaatset bevat geen telling van wachtenden en kinderen in zorg; kies een andere.")
        st.stop()
    left, mid, right = st.columns(3)
    with left:
        measure = st.selectbox(
            "Kengetal",
            list(MEASURES),
            format_func=lambda m: MEASURES[m][0],
            key="kaart_kpi",
            help=nl.help_text("map_kpi"),
        )
    with mid:
        scenario = ui.scenario_choice(cur, "kaart_regime")
    with right:
        level = st.radio("Niveau", ["jeugdregio", "gemeente"], format_func=str.capitalize, horizontal=True,
                         key="kaart_niveau", help="42 jeugdregio's of 342 gemeenten.")  # fmt: skip
    title, decimals = MEASURES[measure]
    values = aggregates.stocks_per_area(stocks, reference.gemeenten(), scenario, level)
    values = values.assign(
        value=values[measure],
        shown=values[measure].map(lambda v: format_nl.number(v, decimals) if pd.notna(v) else "niet gesimuleerd"),
    )
    date = values["date"].iloc[0] if len(values) else None
    shapes = geo.jeugdregios() if level == "jeugdregio" else geo.gemeenten()
    st.subheader(f"{title} – {nl.regime(scenario)}" + (f", {date:%d-%m-%Y}" if date is not None else ""))
    chart = charts.map_chart(shapes, values[["code", "value", "shown"]], title, f",.{decimals}f")
    event = st.altair_chart(chart, width="stretch", on_select="rerun", key=f"kaart_{level}")
    ui.chart_downloads(chart, f"kaart-{measure}-{scenario}-{level}", "dl_kaart_grafiek")
    st.caption("Grijs: niet gesimuleerd in deze resultaatset. Klik op een jeugdregio om Mijn regio te openen.")
    picked = (event.get("selection", {}) or {}).get("gebied") if isinstance(event, dict) else None
    if picked and level == "jeugdregio":
        code = picked[0].get("code")
        if code:
            st.session_state["region"] = code
            st.session_state["region_select"] = code
            st.switch_page("views/mijn_regio.py")
    top = values.dropna(subset=["value"]).sort_values("value", ascending=False).head(10)
    names = (
        reference.region_names()
        if level == "jeugdregio"
        else dict(zip(reference.gemeenten()["gemeentecode"], reference.gemeenten()["gemeentenaam"], strict=True))
    )
    st.markdown(f"**Hoogste tien** ({title.lower()})")
    st.dataframe(
        {"Gebied": [names.get(c, c) for c in top["code"]], title: list(top["shown"])},
        hide_index=True,
        width="stretch",
    )
    ui.table_downloads(values.drop(columns=["value", "shown"]), f"kaart-{scenario}-{level}", "dl_kaart")
