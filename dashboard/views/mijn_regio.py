"""Mijn regio: one jeugdregio's waiting lists, providers and contracting units under each regime."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from dashboard import aggregates, charts, format_nl, reference, regional, ui
from dashboard import labels_nl as nl

st.title("Mijn regio")
cur = ui.current()
if cur is not None:
    units = cur.table("units")
    names = reference.region_names()
    gemeenten = reference.gemeenten()
    # the regions of the gemeenten the run simulated (a unit's own code is NL for a national unit)
    present = set(units["gemeentecode"]) if not units.empty else set()
    simulated = sorted(set(gemeenten.loc[gemeenten["gemeentecode"].isin(present), "jeugdregio_code"]))
    if not simulated:
        st.warning("Deze resultaatset bevat geen inkoopeenheden; kies een andere resultaatset.")
        st.stop()
    # the choice outlives page switches (the map sets it too), the widget's own state does not
    if st.session_state.get("region_select") not in simulated:
        wanted = st.session_state.get("region")
        st.session_state["region_select"] = wanted if wanted in simulated else simulated[0]
    region = st.selectbox(
        "Jeugdregio",
        simulated,
        format_func=lambda c: f"{names.get(c, c)} ({c})",
        key="region_select",
        help="De jeugdregio's die deze resultaatset simuleert. Op de kaart kunt u ook een regio aanklikken.",
    )
    st.session_state["region"] = region
    scenario = ui.scenario_choice(cur, "regio_regime")
    st.header(f"{names.get(region, region)} – {nl.regime(scenario)}")

    waiting = cur.table("waiting")
    series = (
        aggregates.waiting_over_time(waiting, units, gemeenten, region, scenario, cur.warmup)
        if not waiting.empty
        else pd.DataFrame()
    )
    st.subheader("Wachtenden per zorgvorm", help=nl.help_text("band"))
    if series.empty:
        st.info("Voor deze regio en dit regime is er geen wachtlijst die alleen deze regio bedient.")
    else:
        series = series.assign(series=series["care_form"].map(nl.care_form))
        wait_chart = charts.series_chart(series, "Kinderen op de wachtlijst")
        st.altair_chart(wait_chart, width="stretch")
        ui.chart_downloads(wait_chart, f"wachtenden-{region}-{scenario}", "dl_wacht_grafiek")
        ui.table_downloads(series.drop(columns="series"), f"wachtenden-{region}-{scenario}", "dl_wacht")
        last = series[series["month"] == series["month"].max()]
        st.caption(
            f"Aan het eind ({format_nl.month(last['month'].iloc[0])}) wachten gemiddeld "
            f"{format_nl.number(float(last['mean'].sum()), 0)} kinderen op de wachtlijsten van deze regio."
        )

    st.subheader("Wachttijd tegen de norm", help=nl.help_text("region_waits"))
    waits = ui.region_waits_table(cur.path, cur.cell, region)
    waits = waits[waits["scenario"] == scenario] if not waits.empty else waits
    if waits.empty:
        st.caption("Geen kinderen uit deze regio verwezen in deze resultaatset (of de run bewaarde geen episodes).")
    else:
        shown = regional.waits_against_norm(waits)
        st.dataframe(shown, hide_index=True, width="stretch")
        ui.table_downloads(waits, f"wachttijd-norm-{region}-{scenario}", "dl_norm")

    st.subheader("Wachtlijst als animatie", help=nl.help_text("animatie"))
    if "episodes" not in cur.manifest.get("tables", []):
        st.caption("Deze resultaatset bewaarde geen tabel met kinderen (episodes): er is geen animatie te maken.")
    else:
        wanted = (cur.path, cur.cell, scenario, region)
        if st.button("Maak de animatie", key="regio_animatie", help="Tekent de animatie uit de bewaarde run; "
                     "er wordt niets opnieuw gesimuleerd (de eerste keer enkele seconden)."):  # fmt: skip
            st.session_state["animatie"] = wanted
        if st.session_state.get("animatie") == wanted:
            title = f"{names.get(region, region)} ({region}): wachtlijsten en bezette plaatsen, {nl.regime(scenario)}"
            gif = ui.waiting_gif(cur.path, cur.cell, scenario, region, title)
            if gif is None:
                st.info("In deze run heeft geen kind uit deze regio onder dit regime op zorg gewacht of zorg gehad.")
            else:
                st.image(gif, caption="Replicatie 0, één beeld per week (bij lange runs per paar weken).")
                st.download_button("GIF", gif, f"wachtlijst-{region}-{scenario}.gif", "image/gif", key="dl_gif",
                                   on_click="ignore")  # fmt: skip

    st.subheader("Zorgvormen die boven de regio worden ingekocht")
    above = (
        aggregates.forms_above_region(waiting, units, gemeenten, region, scenario)
        if not waiting.empty
        else pd.DataFrame()
    )
    if above.empty:
        st.caption("Geen: onder dit regime koopt de regio alle gesimuleerde zorgvormen zelf in.")
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "Zorgvorm": above["care_form"].map(nl.care_form),
                    "Inkoopeenheid": above["unit_name"],
                    "Niveau": above["level"].map(lambda v: nl.LEVELS.get(v, v)),
                    "Jeugdregio's": above["regions"],
                    "Wachtenden (hele eenheid, eind)": above["waiting"].map(lambda v: format_nl.number(v, 1)),
                }
            ),
            hide_index=True,
            width="stretch",
        )

    st.subheader("Aanbieders in de regio", help=nl.help_text("occupancy"))
    ledger = cur.table("ledger")
    mine = reference.providers()
    mine = mine[mine["jeugdregio_code"] == region]
    summary = aggregates.provider_summary(ledger, mine, scenario, cur.warmup) if not ledger.empty else pd.DataFrame()
    if summary.empty:
        st.caption("Geen aanbieders met een vestiging in deze regio in deze resultaatset.")
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "Aanbieder": summary["naam"],
                    "Soort": summary["groep"],
                    "Bezettingsgraad": summary["occupancy"].map(format_nl.percent),
                    "Marge (aandeel omzet)": summary["margin"].map(format_nl.percent),
                    "Reserves aan het eind": summary["reserves_eur"].map(format_nl.eur),
                    "Personeel (fte)": summary["fte"].map(lambda v: format_nl.number(v, 1)),
                    "Nog actief (aandeel replicaties)": summary["active"].map(lambda v: format_nl.percent(v, 0)),
                }
            ),
            hide_index=True,
            width="stretch",
        )
        ui.table_downloads(summary, f"aanbieders-{region}-{scenario}", "dl_aanb")

    st.subheader("Inkoopeenheden onder elk regime", help=nl.help_text("regime"))
    mine_units = aggregates.region_units(units, gemeenten, region)
    st.dataframe(
        pd.DataFrame(
            {
                "Regime": mine_units["scenario"].map(nl.regime),
                "Inkoopeenheid": mine_units["unit_name"],
                "Niveau": mine_units["level"].map(lambda v: nl.LEVELS.get(v, v)),
                "Gemeenten uit deze regio": mine_units["gemeenten"],
                "Jeugdregio's": mine_units["regions"],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    ui.table_downloads(mine_units, f"inkoopeenheden-{region}", "dl_units")

    st.subheader("Regiorapport voor het overleg")
    st.caption(
        "Eén pagina (A4) met de kerncijfers van de regio onder elk regime, de wachtlijsten en de aannames: "
        "open het bestand in een browser en druk het af of bewaar het als PDF."
    )
    st.download_button(
        "Regiorapport (HTML)",
        partial(regional.report_html, cur.table, cur.manifest, region, scenario),
        f"regiorapport-{region}-{scenario}.html",
        "text/html",
        key="dl_rapport",
        on_click="ignore",
        type="primary",
    )
