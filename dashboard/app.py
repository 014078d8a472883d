"""The dashboard for regio bestuurders: ``jeugdzorg-sim dashboard`` or ``streamlit run dashboard/app.py``.

It shows result sets from the result store (``$JEUGDZORG_RESULTS_ROOT``, else ``results/``),
read through the same reader as the command line; it runs no model itself. Pages in Dutch.
"""

from __future__ import annotations

import streamlit as st

from dashboard import ui

st.set_page_config(page_title="Jeugdzorg-simulator", page_icon="📊", layout="wide")

PAGES = [
    st.Page("views/overzicht.py", title="Overzicht", icon="🏠", default=True),
    st.Page("views/mijn_regio.py", title="Mijn regio", icon="📍"),
    st.Page("views/kaart.py", title="Kaart", icon="🗺️"),
    st.Page("views/aanbieders.py", title="Aanbieders", icon="🏥"),
    st.Page("views/vergelijken.py", title="Vergelijken", icon="⚖️"),
    st.Page("views/kalibratie.py", title="Kalibratie", icon="🎯"),
    st.Page("views/over_het_model.py", title="Over het model", icon="📖"),
]

page = st.navigation(PAGES)
st.sidebar.title("Jeugdzorg-simulator")
ui.sidebar()
page.run()
