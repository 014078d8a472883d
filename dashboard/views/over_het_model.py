"""Over het model: what it assumes, what it cannot say, the KPI definitions and the validation report."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import geo, sources, ui
from dashboard import labels_nl as nl
from simulation.metrics import REGISTRY

ROOT = geo.DATA_DIR.parent

st.title("Over het model")
st.markdown(
    """
Dit is een **simulatie** van de specialistische jeugdzorg in Nederland: verwijzingen, wachtlijsten,
plaatsen en personeel bij aanbieders, en hun financiën, voor alle 342 gemeenten in 42 jeugdregio's.
Het model vergelijkt drie manieren van inkopen:

* **Gefragmenteerd**: subregionale inkoopeenheden, elk met eigen contractvoorwaarden;
* **Regionaal**: één inkoopeenheid per jeugdregio, zoals de Wet verbetering beschikbaarheid jeugdzorg vanaf 2026 vraagt;
* **Landelijk**: de zeldzaamste vormen landelijk ingekocht (LTA), de rest regionaal.

Elk regime ziet **dezelfde kinderen** (dezelfde toevalsgetallen), zodat een verschil tussen regimes komt door
het regime en niet door toeval. Elk getal is een gemiddelde over replicaties met een 95%-interval.
"""
)
st.subheader("Belangrijkste aannames en beperkingen")
st.markdown(
    """
* Elke parameter in de scenariobestanden (`scenarios/`) heeft een eenheid en een **bron** of een expliciete
  **aanname** (GAP/EST: een onbekende waarde met een gedocumenteerde schatting).
* Er bestaat geen openbare lijst van aanbieders met plaatsen per zorgvorm: het aanbiederslandschap is
  **gegenereerd** uit gedocumenteerde verdelingen (`data/generated/`, zie `data/PROVENANCE.md`).
* Het 95%-interval beschrijft alleen het **toeval in de simulatie**, niet de onzekerheid in de aannames.
  Gebruik de uitkomsten om regimes met elkaar te vergelijken, niet als voorspelling van absolute aantallen.
* Op de kaart en bij *Mijn regio* zijn de cijfers per regio opgeteld uit de tabellen van de run
  (wachtlijsten per inkoopeenheid, tellingen op 30 juni en 31 december); landelijke kerncijfers komen uit
  de KPI-definities hieronder.
* Waar het model afwijkt van waargenomen cijfers staat in het validatierapport hieronder.
"""
)
st.subheader("Definities van de kerncijfers")
st.dataframe(
    pd.DataFrame(
        {
            "Indicator": [k.label_nl for k in REGISTRY],
            "Eenheid": [nl.unit(k.unit) for k in REGISTRY],
            "Uitleg": [nl.help_text(k.name) for k in REGISTRY],
        }
    ),
    hide_index=True,
    width="stretch",
)
st.subheader("Bron of aanname van elke parameter", help="Uit het scenariobestand zelf, met zijn hele extends-keten.")
base = st.selectbox(
    "Scenario", ["regionaal", "gefragmenteerd", "landelijk"], format_func=nl.regime, key="bron_scenario"
)
params = sources.parameter_sources(ROOT / "scenarios" / f"{base}.yaml")
search = st.text_input("Zoek (parameter of toelichting)", key="bron_zoek", placeholder="bijvoorbeeld pleegzorg of GAP")
if search:
    hit = params["parameter"].str.contains(search, case=False, regex=False) | params["toelichting"].str.contains(
        search, case=False, regex=False
    )
    params = params[hit]
st.caption(
    f"{len(params)} parameters: {int((params['soort'] == 'bron').sum())} met een bron, "
    f"{int((params['soort'] == 'aanname').sum())} met een aanname (GAP: onbekend, EST: geschat). "
    "Toelichting in het Engels."
)
st.dataframe(params, hide_index=True, width="stretch")
ui.table_downloads(params, f"parameters-{base}", "dl_bronnen")

st.subheader("Validatierapport")
report = ui.read_text(ROOT / "docs" / "VALIDATION.md")
if report is None:
    st.info("Het validatierapport ontbreekt; maak het met `jeugdzorg-sim validation-report`.")
else:
    with st.expander("docs/VALIDATION.md (Engels, gegenereerd)", expanded=False):
        st.markdown(report)
st.subheader("Bronnen van de gegevens")
provenance = ui.read_text(geo.DATA_DIR / "PROVENANCE.md")
if provenance is not None:
    with st.expander("data/PROVENANCE.md (Engels)", expanded=False):
        st.markdown(provenance)
