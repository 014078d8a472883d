"""SimPy drives the core: one process sleeps until the core's next event time.

SimPy keeps the clock; the core keeps the order and the state. SimPy only knows relative
delays (it wakes at ``env.now + delay``), and ``now + (t - now)`` can miss ``t`` in the last bit,
so the delay is chosen so that the sum is exactly the core's event time. The process then hands
the core SimPy's own clock, and the event log records when SimPy woke the model.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import simpy

from simulation.core.model import Model

__all__ = ["delay_to", "run_simpy"]


def delay_to(now: float, t: float) -> float:
    """The delay ``d >= 0`` with ``now + d == t`` in floating point (``now <= t``)."""
    d = max(0.0, t - now)
    # At most a few ulps off; step towards the delay whose sum lands on t.
    while now + d < t:
        d = math.nextafter(d, math.inf)
    while d > 0.0 and now + d > t:
        d = math.nextafter(d, 0.0)
    return d


def _driver(env: simpy.Environment, model: Model, until: float) -> Generator[Any, Any, None]:
    t = model.next_time()
    while t is not None and t <= until:
        yield env.timeout(delay_to(env.now, t))
        t = model.advance_to(env.now)


def run_simpy(model: Model, until: float) -> None:
    """Run ``model`` on a SimPy environment up to time ``until``."""
    env = simpy.Environment()
    env.process(_driver(env, model, until))
    env.run()
