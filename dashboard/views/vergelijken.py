"""Vergelijken: two or more stored result sets side by side, KPI by KPI."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import aggregates, store, ui
from dashboard import labels_nl as nl

st.title("Vergelijken")
listing = ui.sets(str(store.store_root()))
if listing.empty:
    ui.no_results()
    st.stop()
labels = dict(zip(listing["path"], listing["dir"], strict=True))
with_summary = [p for p, t in zip(listing["path"], listing["tables"], strict=True) if "summary" in t]
chosen = st.multiselect(
    "Resultaatsets",
    with_summary,
    default=with_summary[:2],
    format_func=labels.__getitem__,
    key="vergelijk_sets",
    help="Kies twee of meer resultaatsets uit de resultatenmap.",
)
kpis = st.multiselect(
    "Indicatoren",
    list(nl.HEADLINE_KPIS),
    default=list(nl.HEADLINE_KPIS[:4]),
    format_func=nl.label,
    key="vergelijk_kpis",
)
if len(chosen) < 2:
    st.info("Kies ten minste twee resultaatsets om te vergelijken.")
    st.stop()
rows = []
for path in chosen:
    head = aggregates.headline_table(ui.table(path, "summary"), kpis)
    meta = ui.manifest(path)
    for r in head.itertuples():
        value, interval = ui.kpi_text(str(r.kpi), r.mean, r.ci_low, r.ci_high)
        rows.append(
            {
                "Indicator": nl.label(str(r.kpi)),
                "Kolom": f"{labels[path]} · {nl.regime(str(r.scenario))}",
                "Waarde": f"{value} ({interval})",
                "_set": meta.get("name", ""),
            }
        )
table = pd.DataFrame(rows, columns=["Indicator", "Kolom", "Waarde", "_set"])
if table.empty:
    st.info("Deze resultaatsets hebben geen van de gekozen indicatoren.")
else:
    wide = table.pivot_table(index="Indicator", columns="Kolom", values="Waarde", aggfunc="first", sort=False)
    st.dataframe(wide, width="stretch")
    st.caption("Elke kolom: een regime in een resultaatset. Tussen haakjes het 95%-interval over de replicaties.")
