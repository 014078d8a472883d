"""Kalibratie: the calibration report and the out-of-sample validation, once a calibration exists."""

from __future__ import annotations

import streamlit as st

from dashboard import store, ui

st.title("Kalibratie")
listing = ui.sets(str(store.store_root()))
calibrations = listing[listing["command"].astype(str).str.startswith("calibrat")] if not listing.empty else listing
if calibrations.empty:
    st.info(
        "Er is nog geen kalibratie. Zodra het model is gekalibreerd op waargenomen cijfers (wachttijden, "
        "aantallen jeugdigen in zorg, kosten), toont deze pagina het kalibratierapport en de validatie op "
        "gegevens die niet voor de kalibratie zijn gebruikt.\n\n"
        "Tot die tijd staat de vergelijking van het model met waargenomen cijfers op de pagina *Over het model* "
        "(het validatierapport)."
    )
else:
    latest = calibrations.iloc[0]
    st.markdown(f"Nieuwste kalibratie: **{latest['name']}** ({latest['dir']}, {str(latest['created'])[:10]})")
    for name in latest["tables"]:
        frame = ui.table(str(latest["path"]), name)
        st.subheader(name)
        st.dataframe(frame.head(200), width="stretch")
