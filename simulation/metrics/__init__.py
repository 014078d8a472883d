"""KPIs: a registry of one function per KPI, the KPI table of a replication, intervals.

* :mod:`~simulation.metrics.registry`: :data:`REGISTRY` of :class:`Kpi` (unit, format, per-form
  flag, Dutch label, definition);
* :mod:`~simulation.metrics.definitions`: the KPI functions (their docstrings define them);
* :mod:`~simulation.metrics.window`: what a KPI function sees (the measurement window);
* :mod:`~simulation.metrics.signals`: NZa early-warning signals from the ledger;
* :mod:`~simulation.metrics.stocks`: children in care and waiting on the CBS count dates;
* :mod:`~simulation.metrics.flows`: care started and ended in the CBS half-years;
* :mod:`~simulation.metrics.regions`: waits against the norm per jeugdregio and care form;
* :mod:`~simulation.metrics.survival`: the Kaplan-Meier estimate behind the wait KPIs;
* :mod:`~simulation.metrics.intervals`: 95% intervals and paired differences over replications.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import pandas as pd

from simulation.metrics import definitions as _definitions  # noqa: F401  (registers the KPIs)
from simulation.metrics.definitions import used_place_days
from simulation.metrics.flows import FLOW_COLUMNS, count_flows, half_years
from simulation.metrics.intervals import paired_differences, summarise
from simulation.metrics.regions import REGION_WAIT_COLUMNS, region_waits, summarise_region_waits
from simulation.metrics.registry import (
    REGISTRY,
    Kpi,
    by_name,
    check_names,
    format_readable,
    format_value,
    readable_unit,
)
from simulation.metrics.signals import SIGNAL_COLUMNS, SIGNAL_KPIS, early_warnings, first_visible_day, signals_unseen
from simulation.metrics.stocks import STOCK_COLUMNS, count_dates, count_stocks
from simulation.metrics.window import Episodes, Window

__all__ = [
    "ALL",
    "FLOW_COLUMNS",
    "KPIS",
    "PER_FORM_KPIS",
    "REGION_WAIT_COLUMNS",
    "REGISTRY",
    "SIGNAL_COLUMNS",
    "SIGNAL_KPIS",
    "STOCK_COLUMNS",
    "Episodes",
    "Kpi",
    "Window",
    "by_name",
    "check_names",
    "count_dates",
    "count_flows",
    "count_stocks",
    "early_warnings",
    "first_visible_day",
    "format_readable",
    "format_value",
    "half_years",
    "kpis",
    "kpis_of",
    "paired_differences",
    "readable_unit",
    "region_waits",
    "signals_unseen",
    "summarise",
    "summarise_region_waits",
    "used_place_days",
    "window",
]

#: the care_form value of a KPI over all care forms
ALL = "ALL"
KPIS = [k.name for k in REGISTRY]
PER_FORM_KPIS = [k.name for k in REGISTRY if k.per_form]


def window(
    tables: Mapping[str, pd.DataFrame],
    episodes: Episodes,
    warmup: float,
    horizon: float,
    youth: float,
) -> Window:
    """The measurement window of one replication's tables (all care forms)."""
    forms = tables["forms"]
    forms = forms[forms["t_start"] >= warmup]
    form_days = (
        forms.assign(used_days=used_place_days(forms))
        .groupby("care_form", observed=True)[["occupied_days", "place_days", "used_days"]]
        .sum()
    )
    exits = tables["exits"]
    return Window(
        episodes=episodes,
        ledger=tables["ledger"][tables["ledger"]["t_start"] >= warmup],
        municipal=tables["municipal"][tables["municipal"]["t_start"] >= warmup],
        payments=tables["payments"][tables["payments"]["t_start"] >= warmup],
        exits=exits[exits["exit_day"] >= warmup],
        signals=tables["signals"],
        form_days=form_days,
        warmup=warmup,
        horizon=horizon,
        youth=youth,
    )


def kpis_of(w: Window) -> pd.DataFrame:
    """Long table (kpi, care_form, value): every KPI over all forms, then the per-form KPIs."""
    rows = [(k.name, ALL, k.compute(w)) for k in REGISTRY]
    per_form = [k for k in REGISTRY if k.per_form]
    ep = w.episodes
    for code in ep.forms_present():
        name = ep.form_names[code]
        part = dataclasses.replace(w, episodes=ep.of_form(code), care_form=name)
        rows += [(k.name, name, k.compute(part)) for k in per_form]
    return pd.DataFrame(rows, columns=["kpi", "care_form", "value"])


def kpis(
    tables: Mapping[str, pd.DataFrame],
    norms: Mapping[str, float],
    warmup: float,
    horizon: float,
    youth: float,
    episodes: Episodes | None = None,
) -> pd.DataFrame:
    """Long table (kpi, care_form, value) for one replication; care_form ``ALL`` for totals.

    The episodes come from ``tables["episodes"]`` unless given (the lean recorder's arrays).
    """
    if episodes is None:
        episodes = Episodes.from_table(tables["episodes"], norms)
    return kpis_of(window(tables, episodes, warmup, horizon, youth))
