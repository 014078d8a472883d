"""The figures of one jeugdregio under each regime, and its one-page report (no Streamlit here).

All figures are cut from the result set's tables by :mod:`dashboard.aggregates`; the report is
drawn by :func:`dashboard.report.regional_report`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from dashboard import aggregates, charts, format_nl, geo, reference, report, store
from dashboard import labels_nl as nl
from simulation.metrics import by_name

__all__ = ["ASSUMPTIONS", "figures", "national_rows", "report_html", "waits_against_norm"]

ASSUMPTIONS = (
    "Een simulatie, geen voorspelling: gebruik de uitkomsten om regimes te vergelijken, niet als absolute aantallen.",
    "Elk regime ziet dezelfde kinderen (dezelfde toevalsgetallen): een verschil komt door het regime, "
    "niet door toeval.",
    "Het 95%-interval beschrijft alleen het toeval in de simulatie, niet de onzekerheid in de aannames.",
    "Er is geen openbare lijst van aanbieders met plaatsen per zorgvorm: het aanbiederslandschap is gegenereerd "
    "uit gedocumenteerde verdelingen (data/generated, zie data/PROVENANCE.md).",
    "Elke parameter in de scenariobestanden heeft een bron of een uitdrukkelijke aanname (GAP/EST).",
    "Regiocijfers zijn opgeteld uit de tabellen van de run: wachtlijsten van de inkoopeenheden binnen de regio en "
    "tellingen van wachtenden en kinderen in zorg per gemeente op de CBS-teldatum.",
)

Table = Callable[[str], pd.DataFrame]


def figures(table: Table, region: str, scenarios: Sequence[str], warmup: float) -> list[report.Row]:
    """The region's key figures per regime: children waiting and in care per 1,000 youth on the
    last count date, waiting on its own lists at the end, its providers and contracting units."""
    stocks, waiting, units, ledger = table("stocks"), table("waiting"), table("units"), table("ledger")
    mine = reference.providers()
    mine = mine[mine["jeugdregio_code"] == region]
    rows: dict[str, list[str]] = {
        "Wachtenden per 1.000 jeugdigen (teldatum)": [],
        "In zorg per 1.000 jeugdigen (teldatum)": [],
        "Wachtenden op de eigen wachtlijsten (eind)": [],
        "Aanbieders in de regio": [],
        "Gemiddelde bezettingsgraad aanbieders": [],
        "Aanbieders met een negatieve marge": [],
        "Inkoopeenheden voor de regio": [],
    }
    for scenario in scenarios:
        per = aggregates.stocks_per_area(stocks, reference.gemeenten(), scenario, "jeugdregio").set_index("code")
        hit = region in per.index
        rows["Wachtenden per 1.000 jeugdigen (teldatum)"].append(
            format_nl.number(float(per["waiting_per_1000"].get(region, math.nan)), 2) if hit else format_nl.MISSING
        )
        rows["In zorg per 1.000 jeugdigen (teldatum)"].append(
            format_nl.number(float(per["in_care_per_1000"].get(region, math.nan)), 1) if hit else format_nl.MISSING
        )
        series = (
            aggregates.waiting_over_time(waiting, units, reference.gemeenten(), region, scenario, warmup)
            if not waiting.empty
            else None
        )
        if series is not None and not series.empty:
            end = series[series["month"] == series["month"].max()]["mean"].sum()
            rows["Wachtenden op de eigen wachtlijsten (eind)"].append(format_nl.number(float(end), 0))
        else:
            rows["Wachtenden op de eigen wachtlijsten (eind)"].append(format_nl.MISSING)
        summary = aggregates.provider_summary(ledger, mine, scenario, warmup) if not ledger.empty else pd.DataFrame()
        rows["Aanbieders in de regio"].append(str(len(summary)))
        rows["Gemiddelde bezettingsgraad aanbieders"].append(
            format_nl.percent(float(summary["occupancy"].mean())) if len(summary) else format_nl.MISSING
        )
        rows["Aanbieders met een negatieve marge"].append(
            str(int((summary["margin"] < 0).sum())) if len(summary) else "0"
        )
        mine_units = aggregates.region_units(units, reference.gemeenten(), region)
        rows["Inkoopeenheden voor de regio"].append(str(int((mine_units["scenario"] == scenario).sum())))
    return [report.Row(label, values) for label, values in rows.items()]


def national_rows(summary: pd.DataFrame, scenarios: Sequence[str], kpis: Sequence[str]) -> list[report.Row]:
    """Headline KPIs over all regions per regime, value and 95% interval."""
    head = aggregates.headline_table(summary, kpis)
    rows = []
    for kpi in kpis:
        k = by_name(kpi)
        values, notes = [], []
        for scenario in scenarios:
            hit = head[(head["kpi"] == kpi) & (head["scenario"] == scenario)]
            if hit.empty:
                values.append(format_nl.MISSING)
                notes.append("")
                continue
            r = hit.iloc[0]
            values.append(format_nl.kpi_value(r["mean"], k, precise=True))
            notes.append(format_nl.interval(r["ci_low"], r["ci_high"], k))
        rows.append(report.Row(nl.label(kpi), values, notes))
    return rows


def report_html(table: Table, manifest: dict[str, Any], region: str, scenario: str) -> str:
    """The one-page report of ``region``, its charts for ``scenario``."""
    scenarios = list(manifest.get("scenarios", []))
    warmup = float(manifest.get("warmup_days") or 0.0)
    name = reference.region_names().get(region, region)
    series = aggregates.waiting_over_time(
        table("waiting"), table("units"), reference.gemeenten(), region, scenario, warmup
    )
    series = series.assign(series=series["care_form"].map(nl.care_form))
    wait_chart = charts.series_chart(series, "Kinderen op de wachtlijst").properties(width=330, height=230)
    spot = pd.DataFrame({"code": [region], "value": [1.0], "shown": [name]})
    where = charts.map_chart(geo.jeugdregios(), spot, "Regio", legend=False).properties(width=220, height=260)
    kpis = ("wait_days_mean", "share_over_norm", "waiting_at_end", "total_cost_eur")
    return report.regional_report(
        region=name,
        subtitle=f"Jeugdregio {region}. {store.describe(manifest)}. Grafieken: regime {nl.regime(scenario)}.",
        regimes=[nl.regime(s) for s in scenarios],
        figures=figures(table, region, scenarios, warmup),
        national=national_rows(table("summary"), scenarios, kpis),
        charts=[(f"Wachtenden per zorgvorm ({nl.regime(scenario)})", wait_chart), ("Ligging", where)],
        assumptions=ASSUMPTIONS,
        source=f"Bron: jeugdzorg-sim, resultaatset {manifest.get('name')} ({manifest.get('fingerprint', '')[:8]}, "
        f"seed {manifest.get('seed')}). Lijn: gemiddelde over de replicaties; band: laagste tot hoogste replicatie.",
    )


def waits_against_norm(summary: pd.DataFrame) -> pd.DataFrame:
    """The region's waits against the norm per care form (rows of
    :func:`simulation.metrics.summarise_region_waits` for one regime), as the page shows them."""
    rows = []
    for form, part in summary.groupby("care_form", sort=False):
        by_kpi = part.set_index("kpi")
        share = _cell(by_kpi, "share_over_norm")
        wait = _cell(by_kpi, "wait_days_mean")
        rows.append(
            {
                "Zorgvorm": nl.care_form(str(form)),
                "Norm": _days(float(part["norm_days"].iloc[0])),
                "Aandeel boven de norm": share[0],
                "Aandeel (95%)": share[1],
                "Gemiddelde wachttijd": wait[0],
                "Wachttijd (95%)": wait[1],
                "Verwezen kinderen per replicatie": format_nl.number(float(part["referred"].iloc[0]), 0),
            }
        )
    return pd.DataFrame(rows)


def _days(norm: float) -> str:
    return "1 dag" if norm == 1 else f"{format_nl.number(norm, 0)} dagen"


def _cell(by_kpi: pd.DataFrame, kpi: str) -> tuple[str, str]:
    """(value, 95% interval) of a KPI in Dutch; a missing value shows as a dash."""
    if kpi not in by_kpi.index:
        return format_nl.MISSING, format_nl.MISSING
    k = by_name(kpi)
    values = by_kpi.loc[kpi, ["mean", "ci_low", "ci_high"]].to_numpy(dtype=float)
    mean, low, high = (None if math.isnan(v) else float(v) for v in values)
    return format_nl.kpi_value(mean, k, precise=True), format_nl.interval(low, high, k)
