"""One region's waiting lists and occupied places per care form, as an animated picture."""

from simulation.animation.render import render_gif
from simulation.animation.series import RegionSeries, region_series

__all__ = ["RegionSeries", "region_series", "render_gif"]
