"""Aanbieders: margins, reserves and staff over time, exits and early-warning signals."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import aggregates, charts, format_nl, reference, ui
from dashboard import labels_nl as nl

MEASURES = {
    "margin": ("Marge (aandeel omzet)", ".1%"),
    "reserves_eur": ("Reserves (EUR)", ",.0f"),
    "fte": ("Personeel (fte)", ",.0f"),
}
ALL = "__alle__"

st.title("Aanbieders")
cur = ui.current()
if cur is not None:
    ledger = cur.table("ledger")
    if ledger.empty:
        st.warning("Deze resultaatset bevat geen financiële gegevens van aanbieders; kies een andere.")
        st.stop()
    providers = reference.providers()
    present = providers[providers["provider_id"].isin(set(ledger["provider_id"]))]
    names = reference.region_names()
    contracts = cur.table("contracts")
    c1, c2, c3 = st.columns(3)
    with c1:
        regions = [ALL, *sorted(set(present["jeugdregio_code"]))]
        region = st.selectbox(
            "Jeugdregio",
            regions,
            key="aanb_regio",
            format_func=lambda c: "Alle regio's" if c == ALL else f"{names[c]} ({c})",
        )
    with c2:
        forms = [ALL, *sorted(set(contracts["care_form"]))] if not contracts.empty else [ALL]
        form = st.selectbox("Zorgvorm", forms, key="aanb_vorm",
                            format_func=lambda f: "Alle zorgvormen" if f == ALL else nl.care_form(f))  # fmt: skip
    with c3:
        scenario = ui.scenario_choice(cur, "aanb_regime")
    chosen = present if region == ALL else present[present["jeugdregio_code"] == region]
    if form != ALL:
        offering = contracts[(contracts["scenario"] == scenario) & (contracts["care_form"] == form)]
        chosen = chosen[chosen["provider_id"].isin(set(offering["provider_id"]))]
    st.caption(f"{len(chosen)} aanbieders geselecteerd.")
    if chosen.empty:
        st.info("Geen aanbieders bij deze keuze.")
        st.stop()

    measure = st.selectbox("Reeks", list(MEASURES), format_func=lambda m: MEASURES[m][0], key="aanb_reeks",
                           help=nl.help_text("band"))  # fmt: skip
    series = aggregates.provider_timeseries(ledger, list(chosen["provider_id"]), scenario)
    series = series[series["measure"] == measure]
    title, fmt = MEASURES[measure]
    provider_chart = charts.series_chart(series, title, color=None, axis_format=fmt)
    st.altair_chart(provider_chart, width="stretch")
    ui.chart_downloads(provider_chart, f"aanbieders-{measure}-{scenario}", "dl_aanb_grafiek")

    st.subheader("Uitval en signalen van de toezichthouder")
    events = aggregates.provider_events(cur.table("exits"), cur.table("signals"), list(chosen["provider_id"]), scenario)
    if events.empty:
        st.caption("Geen uitval en geen signalen bij deze aanbieders in deze run.")
    else:
        label = dict(zip(providers["provider_id"], providers["naam"], strict=True))
        events = events.assign(provider=events["provider_id"].map(lambda p: label.get(p, p)))
        st.altair_chart(charts.timeline_chart(events), width="stretch")

    st.subheader("Per aanbieder, over de meetperiode", help=nl.help_text("margin"))
    summary = aggregates.provider_summary(ledger, chosen, scenario, cur.warmup)
    st.dataframe(
        pd.DataFrame(
            {
                "Aanbieder": summary["naam"],
                "Regio": summary["jeugdregio_code"].map(lambda c: names.get(c, c)),
                "Bezettingsgraad": summary["occupancy"].map(format_nl.percent),
                "Marge": summary["margin"].map(format_nl.percent),
                "Reserves aan het eind": summary["reserves_eur"].map(format_nl.eur),
                "Nog actief": summary["active"].map(lambda v: format_nl.percent(v, 0)),
            }
        ),
        hide_index=True,
        width="stretch",
    )
    ui.table_downloads(summary, f"aanbieders-{scenario}", "dl_aanb")
