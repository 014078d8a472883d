"""Render a :class:`RegionSeries` as an animated GIF with salabim's blind (headless) animation.

salabim draws the frames with Pillow and writes the GIF itself; ``blind_animation`` needs no
display. Animated objects take functions of the animation time, so the salabim clock runs in
simulated days and each frame shows the counts at the last grid day it has passed: one frame per
grid step (``speed`` = step x ``fps`` days per second of video).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np
import salabim as sim

from simulation.animation.series import RegionSeries

__all__ = ["render_gif"]

WIDTH = 800
ROW = 58
TOP = 100
LABEL_W = 220
WAITING_COLOUR = "#e8871e"
IN_CARE_COLOUR = "#2f6eba"


def render_gif(
    series: RegionSeries, out: Path, *, start_date: dt.date, title: str, fps: int = 8, width: int = WIDTH
) -> int:
    """Write ``series`` to ``out`` (a .gif); return the number of grid steps shown."""
    days = series.days
    step = float(days[1] - days[0]) if days.size > 1 else 1.0
    height = TOP + ROW * len(series.forms) + 30
    env = sim.Environment(trace=False, random_seed="", set_numpy_random_seed=False, blind_animation=True)
    env.animation_parameters(
        animate=True, width=width, height=height, x0=0, x1=width, y0=0, fps=fps, speed=step * fps,
        show_fps=False, show_time=False,
    )  # fmt: skip
    env.background_color("white")

    def at(t: float) -> int:
        # Round: a frame's time is a multiple of the step up to float noise.
        return int(min(max(round(t / step), 0), days.size - 1))

    text = {"env": env, "textcolor": "black", "fontsize": 15}
    sim.AnimateText(text=title, x=10, y=height - 28, fontsize=18, env=env, textcolor="black")
    sim.AnimateText(
        text=lambda t: f"dag {days[at(t)]:.0f}  ({start_date + dt.timedelta(days=float(days[at(t)])):%d-%m-%Y})",
        x=10, y=height - 52, **text,
    )  # fmt: skip
    legend_x = 330
    for k, (colour, label) in enumerate(
        ((WAITING_COLOUR, "wachtlijst"), (IN_CARE_COLOUR, "in zorg (bezette plaatsen)"))
    ):
        sim.AnimateRectangle(spec=(0, 0, 14, 14), x=legend_x, y=height - 54 - 22 * k, fillcolor=colour, env=env)
        sim.AnimateText(text=label, x=legend_x + 20, y=height - 54 - 22 * k, fontsize=13, env=env, textcolor="black")
    bar_max = width - LABEL_W - 70
    for i, form in enumerate(series.forms):
        y = height - TOP - ROW * (i + 1)
        waiting, in_care = series.waiting[form], series.in_care[form]
        # One scale per form (forms differ a hundredfold in size); the numbers say the size.
        scale = bar_max / max(1, int(waiting.max(initial=0)), int(in_care.max(initial=0)))
        sim.AnimateText(text=form.replace("_", " "), x=10, y=y + 18, **text)
        for k, (values, colour) in enumerate(((waiting, WAITING_COLOUR), (in_care, IN_CARE_COLOUR))):
            yk = y + 24 - 22 * k
            sim.AnimateRectangle(spec=_bar(values, at, scale), x=LABEL_W, y=yk, fillcolor=colour, env=env)
            sim.AnimateText(
                text=_number(values, at), x=_end(values, at, scale, LABEL_W + 6), y=yk + 1, fontsize=13, env=env,
                textcolor="black",
            )  # fmt: skip
    out = Path(out)
    env.video(str(out))
    env.run(till=float(days[-1]))
    env.video_close()
    return int(days.size)


def _bar(values: np.ndarray, at: Callable[[float], int], scale: float) -> Callable[[float], tuple[float, ...]]:
    return lambda t: (0.0, 0.0, float(values[at(t)]) * scale, 16.0)


def _number(values: np.ndarray, at: Callable[[float], int]) -> Callable[[float], str]:
    return lambda t: f"{int(values[at(t)])}"


def _end(values: np.ndarray, at: Callable[[float], int], scale: float, x0: float) -> Callable[[float], float]:
    return lambda t: x0 + float(values[at(t)]) * scale
