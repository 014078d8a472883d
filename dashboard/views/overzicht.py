"""Overzicht: the regimes side by side, their paired differences and the decomposition of the gap."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import aggregates, charts, store, ui
from dashboard import labels_nl as nl
from simulation.metrics import by_name

st.title("Overzicht: wat het inkoopregime betekent")
cur = ui.current()
if cur is not None:
    if cur.manifest.get("name") != store.MAIN_JOB:
        st.caption(
            f"U bekijkt {cur.manifest.get('name')}, niet de hoofdberekening; die maakt u met `{store.MAIN_COMMAND}`."
        )
    summary = cur.table("summary")
    kpis = [k for k in nl.HEADLINE_KPIS if k in set(summary["kpi"])] if not summary.empty else []
    head = aggregates.headline_table(summary, kpis) if kpis else pd.DataFrame()
    st.markdown(
        f"**{len(cur.scenarios)} regimes** met dezelfde kinderen, "
        f"{store.describe(cur.manifest).split(': ', 1)[1]}. "
        "Elk getal is het gemiddelde over de replicaties met het 95%-interval eronder.",
        help=nl.help_text("interval"),
    )
    # the headline figures as cards: one column per regime
    cards = [k for k in ("wait_days_mean", "share_over_norm", "waiting_at_end", "total_cost_eur") if k in kpis]
    for col, scenario in zip(st.columns(len(cur.scenarios)), cur.scenarios, strict=True):
        with col:
            st.subheader(nl.regime(scenario))
            for card in cards:
                found = head[(head["kpi"] == card) & (head["scenario"] == scenario)]
                if found.empty:
                    continue
                first = found.iloc[0]
                value, interval = ui.kpi_text(card, first["mean"], first["ci_low"], first["ci_high"])
                st.metric(nl.label(card), value, help=nl.help_text(card))
                st.caption(interval)

    st.subheader("Alle kerncijfers", help=nl.help_text("interval"))
    rows = []
    for name in kpis:
        row = {"Indicator": nl.label(name), "Eenheid": nl.unit(by_name(name).unit)}
        for scenario in cur.scenarios:
            hit = head[(head["kpi"] == name) & (head["scenario"] == scenario)]
            if not hit.empty:
                value, interval = ui.kpi_text(name, *hit.iloc[0][["mean", "ci_low", "ci_high"]])
                row[nl.regime(scenario)] = value
                row[f"{nl.regime(scenario)} (95%)"] = interval
        rows.append(row)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    ui.table_downloads(head.assign(indicator=head["kpi"].map(nl.label)), "kerncijfers", "dl_kern")

    diffs = aggregates.differences_table(cur.table("differences"), kpis)
    st.subheader("Verschillen tussen de regimes", help=nl.help_text("difference"))
    if diffs.empty:
        st.info("Deze resultaatset heeft maar één regime: er zijn geen verschillen.")
    else:
        drows = []
        for d_row in diffs.itertuples():
            value, interval = ui.kpi_text(str(d_row.kpi), d_row.mean, d_row.ci_low, d_row.ci_high, difference=True)
            drows.append(
                {
                    "Indicator": nl.label(str(d_row.kpi)),
                    "Vergelijking": f"{nl.regime(str(d_row.scenario))} − {nl.regime(str(d_row.against))}",
                    "Verschil": value,
                    "95%-interval": interval,
                }
            )
        st.dataframe(pd.DataFrame(drows), hide_index=True, width="stretch")
        ui.table_downloads(diffs.assign(indicator=diffs["kpi"].map(nl.label)), "verschillen", "dl_verschil")

    if kpis:
        chosen = st.selectbox(
            "Indicator in de grafiek",
            kpis,
            format_func=nl.label,
            key="overzicht_kpi",
            help="Kies wat de grafieken tonen.",
        )
        kp = by_name(chosen)
        fmt = ".1%" if kp.fmt == "share" else ",.0f" if kp.fmt.startswith("eur") else ",.1f"
        left, right = st.columns(2)
        levels = head[head["kpi"] == chosen].assign(label=lambda d: d["scenario"].map(nl.regime))
        left.markdown(f"**{nl.label(chosen)}** per regime")
        left.altair_chart(charts.interval_chart(levels, nl.label(chosen), fmt), width="stretch")
        d = diffs[diffs["kpi"] == chosen]
        if not d.empty:
            d = d.assign(
                label=[f"{nl.regime(a)} − {nl.regime(b)}" for a, b in zip(d["scenario"], d["against"], strict=True)]
            )
            right.markdown(f"**Verschil** in {nl.label(chosen).lower()}")
            right.altair_chart(charts.difference_chart(d, "Verschil", fmt), width="stretch")

    st.subheader("Waar komt het verschil vandaan?", help=nl.help_text("decomposition"))
    explained = store.latest(store.store_root(), None, command="explain")
    if explained is None:
        st.info(
            "Nog geen ontleding van het verschil tussen gefragmenteerde en regionale inkoop. Maak die met\n\n"
            f"`jeugdzorg-sim explain {store.MAIN_FILE}`"
        )
    else:
        table = ui.table(str(explained), "explain")
        options = list(dict.fromkeys(table["kpi"]))
        k = st.selectbox("Indicator van de ontleding", options, format_func=nl.label, key="explain_kpi")
        part = table[(table["kpi"] == k) & ~table["mechanism"].str.startswith("level")]
        part = part.assign(label=part["mechanism"].map(nl.mechanism))
        st.altair_chart(charts.decomposition_chart(part, nl.label(k)), width="stretch")
        st.caption(f"Uit {explained.name}: bijdragen per mechanisme (Shapley), met 95%-interval.")
