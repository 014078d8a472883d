"""Kalibratie: the calibration reports (``jeugdzorg-sim calibrate``) and the out-of-sample
validation (``jeugdzorg-sim validate-history``), shown as written; a note until they exist."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import calibration_files as cf
from dashboard import store, ui


def show_report(path: Path) -> None:
    """A Markdown report with its pictures, all read from disk (nothing is fetched)."""
    text = ui.read_text(path)
    if text is None:
        st.warning(f"Het rapport `{path.name}` kon niet worden gelezen.")
        return
    for part in cf.report_parts(text, path.parent):
        if part.image is not None:
            st.image(str(part.image), caption=part.text or None)
        else:
            st.markdown(part.text)


st.title("Kalibratie")
st.caption(
    "Kalibreren: enkele onzekere parameters zo kiezen dat het model de waargenomen CBS-cijfers zo goed mogelijk "
    "nabootst. De gevonden waarden zijn daarop afgestemd, niet uit een bron overgenomen."
)
found = cf.calibrations(cf.calibrated_dir())
if not found:
    st.info(
        "Er is nog geen kalibratie. Zodra het model is gekalibreerd op waargenomen cijfers, toont deze pagina "
        "het kalibratierapport en de validatie op jaren die niet voor de kalibratie zijn gebruikt.\n\n"
        "Kalibreren: `jeugdzorg-sim calibrate calibration/configs/flevoland-ci.yaml` (schrijft "
        "`scenarios/calibrated/<naam>.yaml` met een rapport ernaast).\n\n"
        "Tot die tijd staat de vergelijking van het model met waargenomen cijfers op de pagina *Over het model* "
        "(het validatierapport)."
    )
else:
    by_name = {c.name: c for c in found}
    name = st.selectbox(
        "Gekalibreerd scenario",
        list(by_name),
        key="kalib_keuze",
        help="De gekalibreerde scenario's in scenarios/calibrated/, nieuwste eerst.",
    )
    chosen = by_name[str(name)]
    st.caption(f"Scenario: `{chosen.scenario}`; draai het met `jeugdzorg-sim run {chosen.scenario}`.")
    if chosen.report is None:
        st.info("Bij dit gekalibreerde scenario staat geen rapport (het .md-bestand ontbreekt).")
    else:
        show_report(chosen.report)
    scenario_text = ui.read_text(chosen.scenario) or ""
    st.download_button(
        "Gekalibreerd scenario (YAML)", scenario_text, chosen.scenario.name, "application/yaml", key="dl_kalib_yaml"
    )

st.header("Validatie buiten de kalibratieperiode")
validations = cf.validation_dirs(cf.validation_roots(store.store_root()))
if not validations:
    st.info(
        "Er is nog geen validatie buiten de kalibratieperiode. Die ontstaat met "
        "`jeugdzorg-sim validate-history calibration/configs/<naam>.yaml`: het model wordt gekalibreerd op de "
        "eerdere jaren en voorspelt de latere, die het niet heeft gezien (rapport in `results/validation/<naam>/`)."
    )
else:
    folders = {p.name: p for p in validations}
    which = st.selectbox("Validatie", list(folders), key="kalib_validatie")
    show_report(folders[str(which)] / "validation.md")
    table = ui.read_text(folders[str(which)] / "validation.csv")
    if table is not None:
        st.download_button("Validatietabel (CSV)", table, f"validatie-{which}.csv", "text/csv", key="dl_kalib_val")
