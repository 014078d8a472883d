"""Model-side quantities of the validation report, one value per replication.

A :class:`ScenarioRun` holds one scenario's tables from a result set. Each measure is a
function of a :class:`Replication` (that scenario's tables of one replication, with the
measurement window) and returns one number, so the report can give a mean and a 95% interval over
replications. Counts "per year" are scaled from the window (warm-up to horizon) to 365 days.

Where the model and the statistic define a quantity differently (the model has 14 specialist
forms, CBS counts all jeugdhulp), the comparison in :mod:`.comparisons` says so; a measure never
hides the difference.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from simulation.metrics import Episodes, by_name, used_place_days, window
from simulation.results import ResultSet

__all__ = ["Measure", "Replication", "ScenarioRun", "load_runs"]

EPISODE_COLUMNS = [
    "replication", "origin", "gemeente", "region", "care_form", "t_referral", "t_intake", "t_end", "state",
    "provider_id", "tariff_eur_per_day", "delivered_eur", "replacements", "extra_wait_days", "waiting_since",
    "bound_provider_id",
]  # fmt: skip
MONTHLY = ("ledger", "forms", "municipal", "payments", "exits", "signals", "stocks")


@dataclass
class ScenarioRun:
    """One scenario's result tables (every replication) and what its window needs."""

    name: str
    tables: dict[str, pd.DataFrame]
    contracts: pd.DataFrame
    warmup: float
    horizon: float
    start: date
    norms: dict[str, float]
    youth: dict[str, float]
    replications: list[int]

    def replication(self, rep: int) -> Replication:
        part = {n: t[t["replication"] == rep] if "replication" in t else t for n, t in self.tables.items()}
        return Replication(self, rep, part)


@dataclass
class Replication:
    run: ScenarioRun
    number: int
    tables: dict[str, pd.DataFrame]

    @property
    def episodes(self) -> pd.DataFrame:
        return self.tables["episodes"]

    @property
    def window_days(self) -> float:
        return self.run.horizon - self.run.warmup

    def per_year(self, count: float) -> float:
        return count * 365.0 / self.window_days

    def kpi(self, name: str, forms: Sequence[str] | None = None, regions: Sequence[str] | None = None) -> float:
        """A registered KPI computed on a subset of the episodes (forms and/or jeugdregio's)."""
        ep = self.episodes
        mask = np.ones(len(ep), dtype=bool)
        if forms is not None:
            mask &= ep["care_form"].isin(list(forms)).to_numpy()
        if regions is not None:
            mask &= ep["region"].isin(list(regions)).to_numpy()
        episodes = Episodes.from_table(ep[mask], self.run.norms)
        youth = sum(self.run.youth.values())
        return float(by_name(name).compute(window(self.tables, episodes, self.run.warmup, self.run.horizon, youth)))


Measure = Callable[[Replication], float]


def load_runs(result: ResultSet, scenarios: Sequence[str], meta: dict[str, dict[str, object]]) -> list[ScenarioRun]:
    """The tables of ``scenarios`` in a result set; ``meta`` gives each its window and norms."""
    runs = []
    for name in scenarios:
        only = [("scenario", "==", name)]
        tables = {"episodes": result.table("episodes", columns=EPISODE_COLUMNS, filters=only)}
        for t in MONTHLY:
            tables[t] = result.table(t, filters=only)
        m = meta[name]
        runs.append(
            ScenarioRun(
                name=name,
                tables=tables,
                contracts=result.table("contracts", filters=only),
                warmup=float(m["warmup"]),  # type: ignore[arg-type]
                horizon=float(m["horizon"]),  # type: ignore[arg-type]
                start=m["start"],  # type: ignore[arg-type]
                norms=dict(m["norms"]),  # type: ignore[call-overload]
                youth=dict(m["youth"]),  # type: ignore[call-overload]
                replications=sorted(int(r) for r in tables["episodes"]["replication"].unique()),
            )
        )
    return runs


# -- measures ------------------------------------------------------------------------------------


def in_care_on(forms: Sequence[str], month: int, day: int) -> Measure:
    """Children in care in ``forms`` on the first ``month``-``day`` count date in the window, from
    the ``stocks`` table (counted at the end of the day, as CBS counts on a peildatum)."""

    def measure(r: Replication) -> float:
        st = r.tables["stocks"]
        dates = pd.to_datetime(st["date"])
        on = st[(dates.dt.month == month) & (dates.dt.day == day) & (st["day"] >= r.run.warmup)]
        if on.empty:
            return math.nan
        first = on[on["day"] == on["day"].min()]
        return float(first.loc[first["care_form"].isin(list(forms)), "in_care"].sum())

    return measure


def persons_in_year(forms: Sequence[str]) -> Measure:
    """Children with care in ``forms`` at some time in the window, scaled to a year.

    The scaling adds the starts of the missing days to the count; a child counts once per form
    episode (a child moved between two of the forms counts twice, as CBS would not).
    """

    def measure(r: Replication) -> float:
        ep = r.episodes[r.episodes["care_form"].isin(list(forms))]
        w0, w1 = r.run.warmup, r.run.horizon
        intake, end = ep["t_intake"].to_numpy(dtype=float), ep["t_end"].to_numpy(dtype=float)
        in_care_at_start = (intake <= w0) & ~(end <= w0)
        started = (intake > w0) & (intake < w1)
        return float(in_care_at_start.sum()) + r.per_year(float(started.sum()))

    return measure


def starts_per_year(forms: Sequence[str]) -> Measure:
    """Episodes in ``forms`` whose care started in the window, scaled to a year: CBS's started
    trajectories (an escalation starts one in its new form; a re-placement keeps its episode)."""

    def measure(r: Replication) -> float:
        ep = r.episodes[r.episodes["care_form"].isin(list(forms))]
        intake = ep["t_intake"].to_numpy(dtype=float)
        return r.per_year(float(((intake > r.run.warmup) & (intake < r.run.horizon)).sum()))

    return measure


def referrals_per_year(forms: Sequence[str]) -> Measure:
    """New referrals to ``forms`` in the window (escalations and the initial stock excluded), a year."""

    def measure(r: Replication) -> float:
        ep = r.episodes
        new = (ep["origin"] == "referral") & ep["care_form"].isin(list(forms)) & (ep["t_referral"] >= r.run.warmup)
        return r.per_year(float(new.sum()))

    return measure


def kpi(name: str, forms: Sequence[str] | None = None, regions: Sequence[str] | None = None) -> Measure:
    return lambda r: r.kpi(name, forms, regions)


def mean_occupancy(forms: Sequence[str]) -> Measure:
    """Occupied over used place-days (:func:`~simulation.metrics.used_place_days`) of ``forms`` in
    the window."""

    def measure(r: Replication) -> float:
        f = r.tables["forms"]
        f = f[(f["t_start"] >= r.run.warmup) & f["care_form"].isin(list(forms))]
        used = float(used_place_days(f).sum())
        return float(f["occupied_days"].sum()) / used if used else math.nan

    return measure


def _ledger(r: Replication, providers: Callable[[Replication], set[str]] | None = None) -> pd.DataFrame:
    led = r.tables["ledger"]
    led = led[led["t_start"] >= r.run.warmup]
    if providers is not None:
        led = led[led["provider_id"].astype(str).isin(providers(r))]
    return led


def providers_of(forms: Sequence[str]) -> Callable[[Replication], set[str]]:
    """Providers with a contract for any of ``forms``."""

    def pick(r: Replication) -> set[str]:
        c = r.run.contracts
        return set(c.loc[c["care_form"].isin(list(forms)), "provider_id"].astype(str))

    return pick


def net_margin(providers: Callable[[Replication], set[str]] | None = None, min_revenue: float = 0.0) -> Measure:
    """Sum of margins over sum of revenue (net result as a share of turnover) in the window.

    ``min_revenue`` keeps providers whose yearly revenue is at least that (EUR, window scaled).
    """

    def measure(r: Replication) -> float:
        led = _ledger(r, providers)
        if min_revenue > 0:
            yearly = led.groupby("provider_id", observed=True)["revenue_eur"].sum() * 365.0 / r.window_days
            led = led[led["provider_id"].isin(yearly.index[yearly >= min_revenue])]
        revenue = led["revenue_eur"].sum()
        return float(led["margin_eur"].sum() / revenue) if revenue else math.nan

    return measure


def loss_making_share(providers: Callable[[Replication], set[str]] | None = None) -> Measure:
    """Share of providers active in the window whose margin over the window is negative."""

    def measure(r: Replication) -> float:
        led = _ledger(r, providers)
        led = led[led["status"] != "exited"]
        by = led.groupby("provider_id", observed=True)["margin_eur"].sum()
        return float((by < 0).mean()) if len(by) else math.nan

    return measure


def admin_share() -> Measure:
    """FTE-weighted mean administration share of providers in the window."""

    def measure(r: Replication) -> float:
        led = _ledger(r)
        return float(np.average(led["admin_share"], weights=led["fte"])) if led["fte"].sum() else math.nan

    return measure


def spend_per_year() -> Measure:
    """Care delivered (EUR) by all providers in the window, scaled to a year."""

    def measure(r: Replication) -> float:
        return r.per_year(float(_ledger(r)["revenue_eur"].sum()))

    return measure


def delivered_in_window(r: Replication, ep: pd.DataFrame) -> np.ndarray:
    """EUR of care each episode delivered inside the window: its day tariff x its days in care there."""
    intake = ep["t_intake"].to_numpy(dtype=float)
    end = np.nan_to_num(ep["t_end"].to_numpy(dtype=float), nan=r.run.horizon)
    days = np.clip(np.minimum(end, r.run.horizon) - np.maximum(intake, r.run.warmup), 0.0, None)
    return np.nan_to_num(days) * ep["tariff_eur_per_day"].to_numpy(dtype=float)


def share_of_spend(forms: Sequence[str]) -> Measure:
    """Share of the care delivered in the window that went to ``forms``."""

    def measure(r: Replication) -> float:
        ep = r.episodes
        eur = delivered_in_window(r, ep)
        total = eur.sum()
        return float(eur[ep["care_form"].isin(list(forms)).to_numpy()].sum() / total) if total else math.nan

    return measure


def _waiting_per_bound_provider(r: Replication, forms: Sequence[str]) -> pd.Series:
    """Children of ``forms`` waiting at the horizon per provider they are bound to (the GIs;
    matching.bind), every provider any child of them was bound to included (0 if none waits)."""
    ep = r.episodes[r.episodes["care_form"].isin(list(forms))]
    bound = ep["bound_provider_id"].astype(object).dropna()
    waiting = ep.loc[ep["state"] == "waiting", "bound_provider_id"].astype(object).dropna()
    return waiting.value_counts().reindex(sorted(set(bound)), fill_value=0)


def bound_providers_waiting_share(forms: Sequence[str], more_than: int) -> Measure:
    """Share of the GIs with more than ``more_than`` children of ``forms`` waiting at the horizon."""

    def measure(r: Replication) -> float:
        per = _waiting_per_bound_provider(r, forms)
        return float((per > more_than).mean()) if len(per) else math.nan

    return measure


def waiting_at_horizon(forms: Sequence[str]) -> Measure:
    """Children of ``forms`` waiting at the horizon."""

    def measure(r: Replication) -> float:
        ep = r.episodes
        return float(((ep["state"] == "waiting") & ep["care_form"].isin(list(forms))).sum())

    return measure


def gemeente_referral_cv(forms: Sequence[str], min_youth: int) -> Measure:
    """Youth-weighted CV over gemeenten of referrals per youth to ``forms`` (window)."""
    from simulation.validation.observed import spread_over_gemeenten

    def measure(r: Replication) -> float:
        ep = r.episodes
        new = ep[(ep["origin"] == "referral") & ep["care_form"].isin(list(forms)) & (ep["t_referral"] >= r.run.warmup)]
        counts = new.groupby("gemeente", observed=False).size()
        rates = {g: float(counts.get(g, 0)) / y for g, y in r.run.youth.items() if y > 0}
        return spread_over_gemeenten(rates, r.run.youth, min_youth)[0]

    return measure


def spend_per_youth(gemeenten: Sequence[str]) -> Measure:
    """Care delivered in the window to children of ``gemeenten`` per youth 0-17, scaled to a year."""

    def measure(r: Replication) -> float:
        ep = r.episodes
        spent = delivered_in_window(r, ep)[ep["gemeente"].astype(str).isin(list(gemeenten)).to_numpy()].sum()
        youth = sum(r.run.youth[g] for g in gemeenten)
        return r.per_year(float(spent)) / youth if youth else math.nan

    return measure
