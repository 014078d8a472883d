"""The KPIs, one function each, in the order the tables show them.

Each function takes a :class:`~simulation.metrics.window.Window` and returns a float (NaN when
undefined, e.g. a mean over nobody). Its docstring is its definition; the decorator declares
unit, format, whether it is also reported per care form, and the Dutch label.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from simulation.metrics.registry import kpi
from simulation.metrics.window import Window

# -- waiting: per care form too ----------------------------------------------------------------
# Waits are time-to-event data. For each child referred in the window the event is its first
# intake; a child still waiting at the horizon is censored at the horizon, and one that left the
# list without a place (escalated to a heavier form, withdrawn) is censored on the day it left.
# The Kaplan-Meier estimate (metrics.survival) then uses every child, placed or not. It assumes
# censoring is independent of the wait that would have followed: a child who escalated or
# withdrew is taken to have had the same chance of a place afterwards as those who stayed on the
# list. Escalation takes children who have waited long, so beyond the escalation threshold the
# curve rests on the few who stay; where nobody stays, it holds flat to tau (no one placed).


@kpi(
    unit="days", fmt="days", per_form=True, label_nl="Gemiddelde wachttijd (dagen)", domain="nonnegative", headline=True
)
def wait_days_mean(w: Window) -> float:
    """Restricted mean wait from referral to first intake of the children referred in the window,
    placed or not: the area under the Kaplan-Meier curve of the share still waiting, up to tau =
    horizon minus warm-up (the longest follow-up any of them can have), so each wait counts at
    most tau days. Children still waiting at the horizon are censored there, children who left
    the list without a place (escalation, withdrawal) when they left."""
    return w.wait_curve.restricted_mean(w.tau)


@kpi(unit="days", fmt="days", per_form=True, label_nl="Mediane wachttijd (dagen)", domain="nonnegative", headline=True)
def wait_days_median(w: Window) -> float:
    """Kaplan-Meier median of the same waits as wait_days_mean: the first day by which the
    curve shows half of the children placed. Undefined (NaN) if it never falls to one half, i.e.
    too many children were still waiting or had left the list unplaced."""
    return w.wait_curve.quantile(0.5)


@kpi(
    unit="days",
    fmt="days",
    per_form=True,
    label_nl="Wachttijd 90e percentiel (dagen)",
    domain="nonnegative",
    headline=True,
)
def wait_days_p90(w: Window) -> float:
    """Kaplan-Meier 90th percentile of the same waits as wait_days_mean: the first day by which
    the curve shows 90% of the children placed. Undefined (NaN) if it never falls to 10%: more
    than 10% of the waits are then longer than the run can show (read: very long, not unknown)."""
    return w.wait_curve.quantile(0.9)


@kpi(unit="days", fmt="days", per_form=True, label_nl="Gemiddelde wachttijd geplaatsten (dagen)", domain="nonnegative")
def wait_days_mean_placed(w: Window) -> float:
    """Mean days from referral to first intake of the children referred in the window and placed
    by the horizon only (the former wait_days_mean): it leaves out everyone still waiting, so it
    can fall while a waiting list grows."""
    return float(w.waits.mean()) if w.waits.size else math.nan


@kpi(unit="share", fmt="share", per_form=True, label_nl="Aandeel boven de wachttijdnorm", domain="share", headline=True)
def share_over_norm(w: Window) -> float:
    """Of the children referred in the window at least the norm before the horizon (so each could
    have waited past it by then), the share whose wait passed the norm, placed or not: placed
    after the norm, still waiting past it at the horizon, or left the list unplaced after it."""
    over, could = w.over_norm
    return float(over[could].mean()) if could.any() else math.nan


@kpi(unit="days", fmt="days", per_form=True, label_nl="Wachttijd tot nu van wachtenden (dagen)", domain="nonnegative")
def waiting_days_of_those_waiting_mean(w: Window) -> float:
    """Mean days the children on a waiting list at the horizon (all origins, as waiting_at_end)
    had waited by then: since referral, since day 0 for the initial stock, or since the move for
    a child whose provider left (a transfer to a new unit keeps the wait)."""
    ep = w.episodes
    elapsed = w.horizon - ep.waiting_since[ep.waiting]
    return float(elapsed.mean()) if elapsed.size else math.nan


@kpi(
    unit="children", fmt="count", per_form=True, label_nl="Wachtenden aan het eind", domain="nonnegative", headline=True
)
def waiting_at_end(w: Window) -> float:
    """Children on a waiting list at the horizon (all origins)."""
    return float(w.episodes.waiting.sum())


@kpi(
    unit="children",
    fmt="count",
    per_form=True,
    label_nl="Jeugdigen gestart met zorg",
    domain="nonnegative",
    headline=True,
)
def children_served(w: Window) -> float:
    """First intakes in the window (re-placements and the initial stock excluded)."""
    ep = w.episodes
    return float((~ep.initial & (ep.t_intake >= w.warmup)).sum())


@kpi(
    unit="children",
    fmt="count",
    per_form=True,
    label_nl="Escalaties naar zwaardere zorg",
    domain="nonnegative",
    headline=True,
)
def escalations(w: Window) -> float:
    """Children who escalated to a heavier form in the window."""
    ep = w.episodes
    return float((ep.escalated & (ep.t_end >= w.warmup)).sum())


@kpi(unit="share", fmt="share", per_form=True, label_nl="Bezettingsgraad", domain="share")
def utilisation_mean(w: Window) -> float:
    """Occupied place-days / place-days in use, in the window: per provider and month (per care
    form and month from the monthly forms table), the place-days staff allowed or, where more,
    the place-days children occupied (:func:`used_place_days`), so the share is at most 1."""
    if w.care_form is None:
        occupied, available = w.ledger["occupied_days"].sum(), used_place_days(w.ledger).sum()
        return float(occupied / available) if available > 0 else math.nan
    days = w.form_days
    occupied = float(days["occupied_days"].get(w.care_form, 0.0))
    available = float(days["used_days"].get(w.care_form, 0.0))
    return occupied / available if available > 0 else math.nan


def used_place_days(rows: pd.DataFrame) -> pd.Series:
    """Place-days in use in each row of a monthly table: those staff allowed or, where more, those
    children occupied. Staff who leave never take a place from a child in care, so after a month
    end at which staffed places fell the children can outnumber them for a while: staff then
    stretch over those places (the pinned regional baseline had nine forms above 1 before)."""
    return rows["place_days"].where(rows["place_days"] >= rows["occupied_days"], rows["occupied_days"])


# -- providers and money: all care forms --------------------------------------------------------


@kpi(unit="providers", fmt="count", label_nl="Aanbieders gestopt", domain="nonnegative", headline=True)
def provider_exits(w: Window) -> float:
    """Providers that left in the window."""
    return float(len(w.exits))


@kpi(unit="EUR", fmt="eur", label_nl="Administratieve lasten (EUR)", domain="nonnegative", headline=True)
def admin_cost_eur(w: Window) -> float:
    """Administration of providers (the staff time it takes) and of contracting units."""
    return admin_cost_providers_eur(w) + admin_cost_municipalities_eur(w)


@kpi(unit="EUR", fmt="eur", label_nl="Totale kosten gemeenten (EUR)", domain="nonnegative", headline=True)
def total_cost_eur(w: Window) -> float:
    """What gemeenten paid for care, their own administration and any liquidity support."""
    mun = w.municipal
    return float(w.payments["paid_eur"].sum() + admin_cost_municipalities_eur(w) + mun["support_eur"].sum())


@kpi(unit="signals", fmt="count", label_nl="Signalen vroegsignalering (NZa)", domain="nonnegative")
def early_warnings(w: Window) -> float:
    """NZa early-warning signals the regulator saw in the window."""
    return float((w.signals["t_seen"] >= w.warmup).sum())


@kpi(unit="days", fmt="days", label_nl="Tijd van eerste signaal tot uitval (dagen)", domain="nonnegative")
def signal_lead_time_days(w: Window) -> float:
    """Mean days from an exiting provider's first signal to its exit (exits a signal preceded)."""
    return float(np.mean(w.signal_leads)) if w.signal_leads else math.nan


@kpi(unit="providers", fmt="count", label_nl="Uitval zonder voorafgaand signaal", domain="nonnegative")
def exits_without_signal(w: Window) -> float:
    """Exits in the window that no signal preceded."""
    return float(len(w.exits) - len(w.signal_leads))


@kpi(unit="provider-months", fmt="count", label_nl="Maanden met tekort (aanbieder-maanden)", domain="nonnegative")
def months_in_deficit(w: Window) -> float:
    """Provider-months with a negative margin, providers that had not exited."""
    return float((w.window_ledger_active["margin_eur"] < 0).sum())


@kpi(unit="share", fmt="share", label_nl="Marge 10e percentiel (aandeel omzet)", domain="signed")
def margin_p10(w: Window) -> float:
    """10th percentile over providers (with revenue) of their margin as a share of revenue."""
    per_provider = w.window_ledger_active.groupby("provider_id", observed=True)[["margin_eur", "revenue_eur"]].sum()
    per_provider = per_provider[per_provider["revenue_eur"] > 0]
    ratio = (per_provider["margin_eur"] / per_provider["revenue_eur"]).to_numpy()
    return float(np.quantile(ratio, 0.1)) if ratio.size else math.nan


@kpi(unit="children", fmt="count", label_nl="Jeugdigen herplaatst na uitval", domain="nonnegative")
def replaced_children(w: Window) -> float:
    """Children moved because their provider left in the window."""
    return float(w.exits["children_replaced"].sum())


@kpi(unit="days", fmt="days", label_nl="Extra wachttijd na herplaatsing (dagen)", domain="nonnegative")
def replacement_extra_wait_days(w: Window) -> float:
    """Mean extra wait of children moved because their provider left (until the horizon for
    those still waiting)."""
    ep = w.episodes
    moved = ep.replacements > 0
    still = np.where(ep.waiting[moved], w.horizon - ep.waiting_since[moved], 0.0)
    extra = ep.extra_wait_days[moved] + still
    return float(extra.mean()) if extra.size else math.nan


@kpi(
    unit="EUR per youth per year", fmt="eur_small", label_nl="Kosten per jeugdige per jaar (EUR)", domain="nonnegative"
)
def municipal_cost_per_youth_eur(w: Window) -> float:
    """total_cost_eur per youth aged 0-17 per year."""
    years = (w.horizon - w.warmup) / 365.0
    return total_cost_eur(w) / w.youth / years if w.youth > 0 else math.nan


@kpi(
    unit="EUR per child",
    fmt="eur_small",
    label_nl="Kosten per gestarte jeugdige (EUR)",
    domain="nonnegative",
    headline=True,
)
def cost_per_child_served_eur(w: Window) -> float:
    """total_cost_eur in the window (what gemeenten paid for care, their own administration and
    liquidity support) / children_served (first intakes in the window). The cost includes the care
    of children who were in care before the window, so this is the gemeenten's spend per new
    child taken in, not the cost of one child's care."""
    served = children_served(w)
    return total_cost_eur(w) / served if served > 0 else math.nan


@kpi(unit="EUR", fmt="eur", label_nl="Administratieve lasten aanbieders (EUR)", domain="nonnegative")
def admin_cost_providers_eur(w: Window) -> float:
    """Staff time providers spend on administration, in euros."""
    return float(w.ledger["admin_cost_eur"].sum())


@kpi(unit="EUR", fmt="eur", label_nl="Administratieve lasten gemeenten (EUR)", domain="nonnegative")
def admin_cost_municipalities_eur(w: Window) -> float:
    """Administration of the contracting units (per unit and per contract)."""
    return float(w.municipal["admin_cost_eur"].sum())


@kpi(unit="EUR", fmt="eur", label_nl="Geleverde zorg boven het omzetplafond (EUR)", domain="nonnegative")
def unpaid_care_eur(w: Window) -> float:
    """Care delivered above budget ceilings, not paid."""
    return float(w.payments["delivered_eur"].sum() - w.payments["paid_eur"].sum())
