"""SimPy drives the core: one process sleeps until the core's next event time.

SimPy keeps the clock; the core keeps the order and the state. The process wakes with a
``timeout`` and hands the core its own event time (not ``env.now``, which can differ from it
in the last bit after float addition), so both engines give the same event log.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from simulation.core.model import Model

__all__ = ["run_simpy"]


def _driver(env: simpy.Environment, model: Model, until: float) -> Generator[Any, Any, None]:
    t = model.next_time()
    while t is not None and t <= until:
        yield env.timeout(max(0.0, t - env.now))
        t = model.advance_to(t)


def run_simpy(model: Model, until: float) -> None:
    """Run ``model`` on a SimPy environment up to time ``until``."""
    env = simpy.Environment()
    env.process(_driver(env, model, until))
    env.run()
