"""The ``flows`` table: care started and ended per gemeente and care form in each calendar
half-year, the CBS flow periods (``2021HJ01`` = 1 January to 30 June), so model and statistics
compare directly; a year's flow is the sum of its two halves.

Counted from the episodes alone, as the ``stocks`` table is (metrics/stocks.py), with the same
clock: a period runs from the end of its previous day to the end of its last day, and an event at
t is in the period (t0, t1]. So for children who are never moved,

    in_care(t1) = in_care(t0) + started - ended          (CBS: eindstand = beginstand + instroom - uitstroom)

* *started*: first intake in the period (the initial stock in care is taken in at day 0, never in
  a period; a child of the initial waiting list starts when it is taken in);
* *ended*: placed and discharged in the period (an escalation from a waiting list ends no care);
* *referred*: referred in the period (new referrals and escalations; the initial stock was
  referred before day 0).

A child moved because its provider left stays one trajectory here (no end, no new start), as
CBS counts a trajectory per child and provider only when the provider reports it; the stocks
count it in care across the gap (metrics/stocks.py). Only half-years wholly inside the run are
in the table.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from simulation.metrics.window import Episodes

__all__ = ["FLOW_COLUMNS", "count_flows", "half_years"]

FLOW_COLUMNS = ["period", "t0", "t1", "gemeentecode", "care_form", "started", "ended", "referred"]


def half_years(start: dt.date, horizon: float) -> list[tuple[str, float, float]]:
    """(label, t0, t1) of every calendar half-year wholly inside ``[start, start + horizon]``."""
    out = []
    for year in range(start.year, start.year + int(horizon // 365) + 2):
        for half, first, nxt in ((1, dt.date(year, 1, 1), dt.date(year, 7, 1)), (2, dt.date(year, 7, 1), None)):
            after = nxt if nxt is not None else dt.date(year + 1, 1, 1)
            t0, t1 = float((first - start).days), float((after - start).days)
            if t0 >= 0 and t1 <= horizon:
                out.append((f"{year}HJ{half:02d}", t0, t1))
    return out


def count_flows(ep: Episodes, start: dt.date, horizon: float) -> pd.DataFrame:
    """One row per (half-year, gemeente, care form), zeros included (:data:`FLOW_COLUMNS`)."""
    periods = half_years(start, horizon)
    n_gem, n_form = len(ep.gemeente_names), len(ep.form_names)
    cell = ep.gemeente * n_form + ep.form
    size = n_gem * n_form
    counts = np.zeros((3, len(periods), size), dtype=np.int64)
    for i, (_, t0, t1) in enumerate(periods):
        started = (ep.t_intake > t0) & (ep.t_intake <= t1)  # NaN compares False: never placed
        ended = (ep.t_intake <= ep.t_end) & (ep.t_end > t0) & (ep.t_end <= t1)
        referred = (ep.t_referral > t0) & (ep.t_referral <= t1)
        for j, mask in enumerate((started, ended, referred)):
            counts[j, i] = np.bincount(cell[mask], minlength=size)
    n = len(periods)
    return pd.DataFrame(
        {
            "period": np.repeat(np.asarray([p for p, _, _ in periods], dtype=object), size),
            "t0": np.repeat(np.asarray([t0 for _, t0, _ in periods], dtype=float), size),
            "t1": np.repeat(np.asarray([t1 for _, _, t1 in periods], dtype=float), size),
            "gemeentecode": np.tile(np.repeat(np.asarray(ep.gemeente_names, dtype=object), n_form), n),
            "care_form": np.tile(np.asarray(ep.form_names, dtype=object), n_gem * n),
            "started": counts[0].ravel(),
            "ended": counts[1].ravel(),
            "referred": counts[2].ravel(),
        },
        columns=FLOW_COLUMNS,
    )
