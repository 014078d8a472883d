"""Recorders: the result tables of a run, in full or lean.

Both recorders keep the small tables (one row per month and provider, contract, queue or care
form; one per exit or support payment). At the end :class:`FullRecorder` adds the episodes table
(one row per child, with labels), which is what results and the dashboard read.
:class:`LeanRecorder` returns the child columns the episode KPIs need as plain numpy arrays
instead (views on the model's own columns: nothing is copied); ``simulation.metrics`` computes the
same KPIs from them as from the episodes table (``metrics.Episodes.from_children``). KPI-only runs
(comparisons, precision batches, calibration) use the lean one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulation.core.matching import count_queue
from simulation.core.state import DORMANT, IN_CARE, STATUS_NAMES, WAITING, State

__all__ = [
    "FullRecorder",
    "LeanRecorder",
    "ModelOutput",
    "Recorder",
    "append_row",
    "record_care_forms",
    "record_provider_books",
    "record_waiting_lists",
]

EPISODE_KPIS = (
    "wait_days_mean",
    "wait_days_median",
    "wait_days_p90",
    "wait_days_mean_placed",
    "share_over_norm",
    "waiting_days_of_those_waiting_mean",
    "waiting_at_end",
    "children_served",
    "escalations",
)


@dataclass
class ModelOutput:
    """Column mappings for the result tables of one replication, by table name.

    ``children`` holds the lean recorder's per-child arrays (None from the full recorder).
    """

    tables: dict[str, dict[str, Any]]
    log: list[tuple[float, str, int]] | None
    children: dict[str, np.ndarray] | None = None


def _columns(*names: str) -> dict[str, list[Any]]:
    return {n: [] for n in names}


def append_row(table: dict[str, list[Any]], *values: Any) -> None:
    """Append one row to a table of columns, the values in the table's column order."""
    for column, value in zip(table.values(), values, strict=True):
        column.append(value)


class Recorder(ABC):
    """The monthly and per-event tables; :meth:`finish` adds what a kind of recorder adds."""

    def __init__(self) -> None:
        self.ledger = _columns(
            "month", "t_start", "provider_id", "days", "revenue_eur", "staff_cost_eur", "housing_cost_eur",
            "overhead_cost_eur", "variable_cost_eur", "admin_cost_eur", "margin_eur", "support_eur", "reserves_eur",
            "solvency", "occupied_days", "place_days", "nominal_place_days", "fte", "leavers_fte", "hires_fte",
            "n_contracts", "n_term_sets", "admin_share", "status",
        )  # fmt: skip
        self.payments = _columns("month", "t_start", "unit_id", "provider_id", "care_form", "delivered_eur", "paid_eur")
        self.municipal = _columns("month", "t_start", "days", "admin_cost_eur", "units", "contracts", "support_eur")
        self.waiting = _columns("month", "t_start", "unit_id", "care_form", "days", "waiting_mean", "waiting_end")
        self.exits = _columns("provider_id", "notice_day", "exit_day", "children_replaced", "cause")
        self.entries = _columns("provider_id", "jeugdregio_code", "care_form", "open_day", "places", "unit_ids")
        self.support_rows = _columns("provider_id", "day", "amount_eur")
        self.forms = _columns(
            "month", "t_start", "care_form", "days", "occupied_days", "place_days", "nominal_place_days"
        )

    def payment(self, *values: Any) -> None:
        """month, t_start, unit_id, provider_id, care_form, delivered_eur, paid_eur."""
        append_row(self.payments, *values)

    def support(self, provider_id: str, day: float, amount: float) -> None:
        append_row(self.support_rows, provider_id, day, amount)

    def exit(self, provider_id: str, notice_day: float, exit_day: float, replaced: int, cause: str) -> None:
        append_row(self.exits, provider_id, notice_day, exit_day, replaced, cause)

    def entry(self, provider_id: str, region: str, care_form: str, day: float, places: int, units: str) -> None:
        """A new provider opened: its region, form, day, places and the units contracting it."""
        append_row(self.entries, provider_id, region, care_form, day, places, units)

    def municipal_month(self, *values: Any) -> None:
        """month, t_start, days, admin_cost_eur, units, contracts, support_eur."""
        append_row(self.municipal, *values)

    def monthly_tables(self) -> dict[str, dict[str, Any]]:
        return {
            "ledger": self.ledger,
            "payments": self.payments,
            "municipal": self.municipal,
            "waiting": self.waiting,
            "exits": self.exits,
            "entries": self.entries,
            "support": self.support_rows,
            "forms": self.forms,
        }

    @abstractmethod
    def finish(self, state: State, log: list[tuple[float, str, int]] | None) -> ModelOutput:
        """The tables at the horizon (called once, after the last event)."""


def _view(column: Any, dtype: Any) -> np.ndarray:
    """A numpy view on an ``array.array`` child column (no copy)."""
    return np.frombuffer(column, dtype=dtype)


class FullRecorder(Recorder):
    """Every table, with the episodes table: one labelled row per child."""

    def finish(self, state: State, log: list[tuple[float, str, int]] | None) -> ModelOutput:
        t = state.horizon
        ch = state.children
        gem = state.world.geography.gemeenten
        unit_ids = sorted({u for u, _ in state.queues.keys})
        unit_of_queue = np.asarray([unit_ids.index(u) for u, _ in state.queues.keys], dtype=np.int64)
        child_state = _view(ch.state, np.int8)
        delivered = _view(ch.delivered_eur, np.float64).copy()
        in_care = child_state == IN_CARE  # care delivered up to the horizon is not settled yet
        delivered[in_care] += _view(ch.tariff, np.float64)[in_care] * (t - _view(ch.billed_until, np.float64)[in_care])
        pf = _view(ch.provider_form, np.int64)
        pf_prov = np.asarray([*state.provider_forms.provider, -1], dtype=np.int64)  # provider form -1 -> provider -1
        gem_idx = _view(ch.gemeente, np.int64)
        region_codes = sorted({g.region for g in gem})
        region_of = np.asarray([region_codes.index(g.region) for g in gem], dtype=np.int64)

        def cat(codes: np.ndarray, labels: list[str]) -> Any:
            return pd.Categorical.from_codes(codes.astype(np.int64), categories=pd.Index(labels))

        episodes = {
            "child": np.arange(len(ch)),
            "parent": _view(ch.parent, np.int64),
            "origin": cat(_view(ch.origin, np.int8), ["referral", "initial", "escalation"]),
            "gemeente": cat(gem_idx, [g.code for g in gem]),
            "region": cat(region_of[gem_idx], region_codes),
            "unit_id": cat(unit_of_queue[_view(ch.queue, np.int64)], unit_ids),
            "care_form": cat(_view(ch.form, np.int64), list(state.care_forms)),
            "t_referral": _view(ch.referred_at, np.float64),
            "t_intake": _view(ch.intake_at, np.float64),
            "t_end": _view(ch.ended_at, np.float64),
            "state": cat(child_state, ["waiting", "in_care", "done", "escalated", "withdrawn"]),
            "provider_id": cat(pf_prov[pf], state.providers.ids),
            # the provider a child of a bound queue (the GIs) was bound to (matching.bind)
            "bound_provider_id": cat(pf_prov[_view(ch.bound_pf, np.int64)], state.providers.ids),
            "tariff_eur_per_day": _view(ch.tariff, np.float64),
            "delivered_eur": delivered,
            "replacements": _view(ch.replacements, np.int64),
            "extra_wait_days": _view(ch.extra_wait_days, np.float64),
            "waiting_since": np.where(child_state == WAITING, _view(ch.waiting_since, np.float64), np.nan),
            "diverted": _view(ch.diverted, np.int8).astype(bool),
        }
        return ModelOutput({"episodes": episodes, **self.monthly_tables()}, log)


class LeanRecorder(Recorder):
    """The small tables, and per-child arrays instead of the episodes table (for calibration)."""

    def finish(self, state: State, log: list[tuple[float, str, int]] | None) -> ModelOutput:
        ch = state.children
        children = {
            "origin": _view(ch.origin, np.int8),
            "care_form": _view(ch.form, np.int64),
            "gemeente": _view(ch.gemeente, np.int64),
            "state": _view(ch.state, np.int8),
            "t_referral": _view(ch.referred_at, np.float64),
            "t_intake": _view(ch.intake_at, np.float64),
            "t_end": _view(ch.ended_at, np.float64),
            "replacements": _view(ch.replacements, np.int64),
            "extra_wait_days": _view(ch.extra_wait_days, np.float64),
            "waiting_since": _view(ch.waiting_since, np.float64),
        }
        return ModelOutput(self.monthly_tables(), log, children)


# -- month-end and snapshot steps --------------------------------------------------------------
def record_provider_books(state: State, month: int) -> None:
    """One ledger row per provider from the month's books (an entrant from its first month open)."""
    start, end, first = state.months[month]
    days = end - start
    providers, books = state.providers, state.books
    ledger = state.recorder.ledger
    for p, pid in enumerate(providers.ids):
        if books.status[p] == DORMANT:
            continue
        append_row(
            ledger, first, start, pid, days, books.revenue[p], books.staff[p], books.housing[p], books.overhead[p],
            books.variable[p], books.admin[p], books.margin[p], books.support[p], providers.reserves[p],
            books.solvency[p], books.occupied_days[p], books.place_days[p], books.nominal_place_days[p],
            books.fte[p], books.leavers[p], books.hires[p], providers.n_contracts[p], providers.n_term_sets[p],
            providers.admin_share[p], STATUS_NAMES[books.status[p]],
        )  # fmt: skip


def record_care_forms(state: State, month: int) -> None:
    """One row per care form: occupied, effective and nominal place-days of the month."""
    start, end, first = state.months[month]
    for f, (occupied, effective, nominal) in enumerate(state.books.by_form):
        append_row(state.recorder.forms, first, start, state.care_forms[f], end - start, occupied, effective, nominal)


def record_waiting_lists(state: State, month: int) -> None:
    """One row per queue: its time-weighted mean length over the month and its length at the end."""
    start, end, first = state.months[month]
    days = end - start
    queues = state.queues
    for q, (unit, form) in enumerate(queues.keys):
        count_queue(state, q, 0)
        mean = queues.length_days[q] / days if days > 0 else 0.0
        append_row(state.recorder.waiting, first, start, unit, form, days, mean, queues.length[q])
        queues.length_days[q] = 0.0
