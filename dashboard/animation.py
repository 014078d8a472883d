"""The waiting-list animation of one region from a stored result set (no new simulation).

The counts come from :func:`simulation.animation.region_series` on the set's episodes table and
the picture from :func:`simulation.animation.render_gif`, as ``jeugdzorg-sim animate`` makes them;
here only the set's rows of one regime and its first replication are picked and the frames spaced.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.animation import region_series, render_gif

__all__ = ["MAX_FRAMES", "STEP_DAYS", "frame_days", "waiting_gif"]

#: a frame a week, and at most this many frames (a long run gets longer steps: a GIF of
#: thousands of frames takes long to draw and nobody watches it)
STEP_DAYS = 7.0
MAX_FRAMES = 160
FPS = 8


def frame_days(horizon_days: float) -> np.ndarray:
    """The simulated days the frames show: every week, or evenly spaced steps up to MAX_FRAMES."""
    if horizon_days / STEP_DAYS < MAX_FRAMES - 1:
        return np.arange(0.0, horizon_days + 1e-9, STEP_DAYS)
    return np.linspace(0.0, horizon_days, MAX_FRAMES)


def waiting_gif(
    episodes: pd.DataFrame, region: str, title: str, scenario: str, horizon_days: float, start_date: dt.date
) -> bytes | None:
    """The GIF of ``region``'s waiting lists and occupied places under ``scenario`` (replication 0
    of the set, the lowest if 0 is missing); None when the region has no children in it."""
    rows = episodes[episodes["scenario"].astype(str) == scenario]
    if rows.empty:
        return None
    rows = rows[rows["replication"] == rows["replication"].min()]
    forms = [str(f) for f in rows["care_form"].cat.categories] if hasattr(rows["care_form"], "cat") else []
    series = region_series(
        rows, region, frame_days(horizon_days), forms or sorted(rows["care_form"].astype(str).unique())
    )
    if not series.forms:
        return None
    with tempfile.TemporaryDirectory(prefix="wachtlijst-") as folder:
        out = Path(folder) / "wachtlijst.gif"
        render_gif(series, out, start_date=start_date, title=title, fps=FPS)
        return out.read_bytes()
