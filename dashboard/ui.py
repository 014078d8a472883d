"""What every page shares: the chosen result set (sidebar), cached reads, notes and KPI cells.

Reads are cached with ``st.cache_data`` keyed by the result set's path: a result set is never
changed once written, so a cached table never goes stale, and switching pages reads nothing
again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import animation, format_nl, report, store
from dashboard import labels_nl as nl
from simulation.metrics import by_name, region_waits, summarise_region_waits

__all__ = [
    "Current",
    "chart_downloads",
    "current",
    "kpi_text",
    "manifest",
    "no_results",
    "region_episodes",
    "region_waits_table",
    "scenario_choice",
    "sets",
    "sidebar",
    "table",
    "table_downloads",
    "waiting_gif",
]


@st.cache_data(show_spinner=False, ttl=30)
def sets(root: str) -> pd.DataFrame:
    """The complete result sets in the store (listed again after 30 s: new runs appear)."""
    return store.listing(root)


@st.cache_data(show_spinner=False)
def manifest(path: str) -> dict[str, Any]:
    return dict(store.open_set(path).result.manifest)


@st.cache_data(show_spinner="Resultaten lezen…", max_entries=64)
def table(path: str, name: str) -> pd.DataFrame:
    """Table ``name`` of the result set at ``path`` (empty when the set does not hold it)."""
    result = store.open_set(path).result
    return result.table(name) if name in result.tables else pd.DataFrame()


@st.cache_data(show_spinner="Kinderen van de regio lezen…", max_entries=4)
def region_episodes(path: str, region: str) -> pd.DataFrame:
    """The episodes table's rows of ``region``'s children only (a national set holds millions of
    rows: the reader reads just these; empty when the set has no episodes table)."""
    result = store.open_set(path).result
    if "episodes" not in result.tables:
        return pd.DataFrame()
    return result.table("episodes", filters=[("region", "==", region)])


@st.cache_data(show_spinner="Animatie tekenen…", max_entries=16)
def waiting_gif(path: str, cell: store.Cell, scenario: str, region: str, title: str) -> bytes | None:
    """The waiting-list GIF of ``region`` under ``scenario`` from the set's stored episodes (drawn
    once per set, cell, regime and region; None when the set holds no such children)."""
    episodes = region_episodes(path, region)
    if episodes.empty:
        return None
    episodes = store.cell_of(episodes, cell)
    meta = manifest(path)
    waiting = store.cell_of(table(path, "waiting"), cell)
    first = waiting.loc[waiting["t_start"] == 0, "month"] if not waiting.empty else pd.Series(dtype=object)
    # the run's first day: the month the first simulated day falls in (runs start on the 1st)
    start = pd.Timestamp(first.min()).date() if len(first) else pd.Timestamp("2026-01-01").date()
    horizon = float(meta.get("years") or 1.0) * 365.0
    return animation.waiting_gif(episodes, region, title, scenario, horizon, start)


@st.cache_data(show_spinner="Wachttijden per regio berekenen…", max_entries=32)
def region_waits_table(path: str, cell: store.Cell, region: str) -> pd.DataFrame:
    """Share over the norm and mean wait per regime and care form for the children of ``region``
    (simulation.metrics.regions, over the set's stored episodes; empty without episodes)."""
    episodes = region_episodes(path, region)
    if episodes.empty:
        return pd.DataFrame()
    episodes = store.cell_of(episodes, cell)
    meta = manifest(path)
    horizon = float(meta.get("years") or 1.0) * 365.0
    per_rep = region_waits(episodes, store.wait_norms(meta), float(meta.get("warmup_days") or 0.0), horizon)
    return summarise_region_waits(per_rep)


@dataclass(frozen=True)
class Current:
    """The result set and cell the pages show."""

    path: str
    manifest: dict[str, Any]
    cell: store.Cell

    def table(self, name: str) -> pd.DataFrame:
        frame = table(self.path, name)
        return store.cell_of(frame, self.cell) if not frame.empty else frame

    @property
    def scenarios(self) -> list[str]:
        return list(self.manifest.get("scenarios", []))

    @property
    def warmup(self) -> float:
        return float(self.manifest.get("warmup_days") or 0.0)


def _set_label(row: pd.Series) -> str:
    return f"{row['name']} ({str(row['created'])[:16].replace('T', ' ')}, {row['dir']})"


def sidebar() -> None:
    """The result set chooser (default: the newest main job, else the newest set) and, for an
    experiment with variants or a sweep, the cell chooser."""
    root = str(store.store_root())
    listing = sets(root)
    st.sidebar.caption(f"Resultatenmap: `{root}`")
    if listing.empty:
        st.session_state["current"] = None
        return
    main = listing.index[listing["name"] == store.MAIN_JOB]
    default = int(main[0]) if len(main) else 0
    paths = list(listing["path"])
    labels = {p: _set_label(r) for p, (_, r) in zip(paths, listing.iterrows(), strict=True)}
    # a page may choose the set (a finished what-if): then the widget keeps that choice
    wanted = st.session_state.pop("wanted_set", None)
    if wanted in paths:
        st.session_state["result_set"] = wanted
    if st.session_state.get("result_set") not in paths:
        st.session_state["result_set"] = paths[default]
    chosen = st.sidebar.selectbox(
        "Resultaatset",
        paths,
        format_func=labels.__getitem__,
        help="Een resultaatset is één run van de simulatie in de resultatenmap. Standaard: de nieuwste run "
        f"van de hoofdberekening ({store.MAIN_FILE}).",
        key="result_set",
    )
    meta = manifest(chosen)
    cell: store.Cell = ()
    summary = table(chosen, "summary")
    options = store.cells(summary, meta.get("cell_columns", [])) if not summary.empty else [()]
    if len(options) > 1:
        cell = st.sidebar.selectbox(
            "Variant",
            options,
            format_func=lambda c: ", ".join(f"{k} = {v}" for k, v in c),
            help="Dit experiment heeft varianten of een parameterreeks: kies welke u ziet.",
            key="cell",
        )
    elif options:
        cell = options[0]
    st.session_state["current"] = Current(chosen, meta, tuple(cell))
    st.sidebar.caption(store.describe(meta))


def current() -> Current | None:
    """The chosen result set, or None (after :func:`no_results` has said so) when there is none."""
    cur = st.session_state.get("current")
    if cur is None:
        no_results()
    return cur


def no_results() -> None:
    st.info(
        "Er zijn nog geen resultaten om te tonen. Draai eerst de hoofdberekening (de drie regimes op de "
        "landelijke standaard, ongeveer anderhalve minuut):\n\n"
        f"`{store.MAIN_COMMAND}`\n\n"
        "en start het dashboard daarna opnieuw met `jeugdzorg-sim dashboard`.",
        icon="ℹ️",
    )


def scenario_choice(cur: Current, key: str, label: str = "Regime") -> str:
    """A radio button over the set's scenarios (regimes), with Dutch names."""
    return str(
        st.radio(label, cur.scenarios, format_func=nl.regime, horizontal=True, key=key, help=nl.help_text("regime"))
    )


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def kpi_text(kpi: str, mean: Any, low: Any, high: Any, *, difference: bool = False) -> tuple[str, str]:
    """(value, interval) of a KPI as a Dutch reader reads them (values from a table cell)."""
    k = by_name(kpi)
    return (
        format_nl.kpi_value(_number(mean), k, difference=difference, precise=True),
        format_nl.interval(_number(low), _number(high), k, difference=difference),
    )


def read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def table_downloads(frame: pd.DataFrame, name: str, key: str) -> None:
    """CSV and Parquet of a table, made when clicked."""
    left, right, _ = st.columns([1, 1, 6])
    left.download_button("CSV", partial(report.csv_bytes, frame), f"{name}.csv", "text/csv", key=f"{key}_csv",
                         on_click="ignore", help="De tabel als CSV (UTF-8, leest in Excel).")  # fmt: skip
    right.download_button("Parquet", partial(report.parquet_bytes, frame), f"{name}.parquet",
                          "application/vnd.apache.parquet", key=f"{key}_parquet", on_click="ignore",
                          help="De tabel als Parquet (voor analyse in Python of R).")  # fmt: skip


def chart_downloads(chart: Any, name: str, key: str) -> None:
    """SVG and PNG of a chart, drawn without a browser when clicked."""
    left, right, _ = st.columns([1, 1, 6])
    left.download_button("SVG", partial(report.chart_svg, chart), f"{name}.svg", "image/svg+xml", key=f"{key}_svg",
                         on_click="ignore", help="De grafiek als SVG (schaalbaar, voor een nota).")  # fmt: skip
    right.download_button("PNG", partial(report.chart_png, chart), f"{name}.png", "image/png", key=f"{key}_png",
                          on_click="ignore", help="De grafiek als PNG (voor een presentatie).")  # fmt: skip
