"""The ``stocks`` table: children in care and waiting per gemeente and care form on the CBS count
dates (30 June and 31 December), so model and statistics compare directly.

Counted from the episodes alone (referral, first intake, end, gemeente), so it does not depend on
the engine, and from either the episodes table or the lean recorder's per-child arrays (both
reach here as :class:`~simulation.metrics.window.Episodes`).

A count date is counted at the end of the day: at t = (date - start_date) + 1 days, what has
happened at or before t has happened. Dates are calendar dates from the scenario's start date;
a date whose end falls after the horizon is not in the run (the horizon is ``years x 365`` days,
so a run of whole years from 1 January that spans a leap day ends before its last 31 December).

A child is

* *in care* at t when its first intake is at or before t and it has not ended (discharge) by t;
* *waiting* at t when it was referred at or before t and was neither placed nor had left the list
  (escalation to a heavier form, withdrawal) by t.

A child moved because its provider left waits again between the move and its next intake. The
episodes date that only for a child still waiting at the horizon (``waiting_since``): it is in
care from its first intake to the move and waiting from then on. A child that was moved and
placed again by the horizon counts as in care across the gap (its ``extra_wait_days`` say how
long it was; the dates are not kept). The initial stock counts from day 0 like any child.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from simulation.metrics.window import Episodes

__all__ = ["STOCK_COLUMNS", "count_dates", "count_stocks"]

STOCK_COLUMNS = ["date", "day", "gemeentecode", "care_form", "in_care", "waiting"]


def count_dates(start: dt.date, horizon: float) -> list[tuple[dt.date, float]]:
    """(date, t) for every 30 June and 31 December from ``start`` whose end is within the run."""
    out = []
    for year in range(start.year, start.year + int(horizon // 365) + 2):
        for month, day in ((6, 30), (12, 31)):
            date = dt.date(year, month, day)
            t = float((date - start).days + 1)
            if 0 < t <= horizon:
                out.append((date, t))
    return out


def _counts_at(ep: Episodes, t: float) -> tuple[np.ndarray, np.ndarray]:
    """(in care, waiting) masks of the children at instant t (see the module docstring)."""
    placed = ep.t_intake <= t  # NaN compares False: never placed
    ended = ep.t_end <= t
    # waiting again after a move, dated only for children still waiting at the horizon
    moved_out = ep.waiting & (ep.waiting_since <= t) & placed
    in_care = placed & ~ended & ~moved_out
    waiting = ((ep.t_referral <= t) & ~placed & ~ended) | moved_out
    return in_care, waiting


def count_stocks(ep: Episodes, start: dt.date, horizon: float) -> pd.DataFrame:
    """One row per (count date, gemeente, care form), zeros included (:data:`STOCK_COLUMNS`)."""
    dates = count_dates(start, horizon)
    n_gem, n_form = len(ep.gemeente_names), len(ep.form_names)
    cell = ep.gemeente * n_form + ep.form  # one bin per (gemeente, form), gemeenten outer
    size = n_gem * n_form
    in_care = np.zeros((len(dates), size), dtype=np.int64)
    waiting = np.zeros((len(dates), size), dtype=np.int64)
    for i, (_, t) in enumerate(dates):
        care_mask, wait_mask = _counts_at(ep, t)
        in_care[i] = np.bincount(cell[care_mask], minlength=size)
        waiting[i] = np.bincount(cell[wait_mask], minlength=size)
    days = np.array([t for _, t in dates], dtype=float)
    day_of = np.array([d for d, _ in dates], dtype="datetime64[D]")
    return pd.DataFrame(
        {
            "date": pd.to_datetime(np.repeat(day_of, size)),
            "day": np.repeat(days, size),
            "gemeentecode": np.tile(np.repeat(np.asarray(ep.gemeente_names, dtype=object), n_form), len(dates)),
            "care_form": np.tile(np.asarray(ep.form_names, dtype=object), n_gem * len(dates)),
            "in_care": in_care.ravel(),
            "waiting": waiting.ravel(),
        },
        columns=STOCK_COLUMNS,
    )
