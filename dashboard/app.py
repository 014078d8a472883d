"""The dashboard for regio bestuurders: ``jeugdzorg-sim dashboard`` or ``streamlit run dashboard/app.py``.

It shows result sets from the result store (``$JEUGDZORG_RESULTS_ROOT``, else ``results/``),
read through the same reader as the command line; it runs no model itself. Pages in Dutch.
"""

from __future__ import annotations

import streamlit as st

from dashboard import ui

# no page_icon: Streamlit fetches a material or emoji favicon from the web; its own is local
st.set_page_config(page_title="Jeugdzorg-simulator", layout="wide")

# No page icons: Streamlit makes the page icon the favicon, fetched from the web.
PAGES = [
    st.Page("views/overzicht.py", title="Overzicht", default=True),
    st.Page("views/mijn_regio.py", title="Mijn regio"),
    st.Page("views/kaart.py", title="Kaart"),
    st.Page("views/aanbieders.py", title="Aanbieders"),
    st.Page("views/scenario_verkennen.py", title="Scenario verkennen"),
    st.Page("views/vergelijken.py", title="Vergelijken"),
    st.Page("views/kalibratie.py", title="Kalibratie"),
    st.Page("views/over_het_model.py", title="Over het model"),
]

page = st.navigation(PAGES)
st.sidebar.title("Jeugdzorg-simulator")
ui.sidebar()
page.run()
