"""salabim drives the core: one long-lived component holds until the core's next event time.

salabim keeps the clock; the core keeps the order and the state, exactly as with SimPy. The
driver is a single component for the whole run, not one per child: salabim creates components
far more slowly than SimPy creates processes, and the core already knows every child's events.

``hold(till=t)`` puts the component on salabim's event list at the absolute time ``t`` (the
environment's time offset is 0), so ``env.now()`` is the core's event time to the last bit and
the driver hands the core salabim's own clock: the event log records when salabim woke the model.
salabim runs yieldless (on greenlets, its default), so ``hold`` returns when the time has come.
"""

from __future__ import annotations

import salabim as sim

from simulation.core.model import Model

__all__ = ["run_salabim"]


class _Driver(sim.Component):
    """Wakes the model at each of its event times up to ``until``, then ends."""

    def setup(self, model: Model, until: float) -> None:
        self.model = model
        self.until = until

    def process(self) -> None:
        model, until, env = self.model, self.until, self.env
        t = model.next_time()
        while t is not None and t <= until:
            self.hold(till=t)
            t = model.advance_to(env.now())


def run_salabim(model: Model, until: float) -> None:
    """Run ``model`` on a salabim environment up to time ``until``."""
    # random_seed="" and no numpy seeding: salabim would otherwise reseed the global random
    # generators; the core draws from its own named streams only, but a library should not touch them.
    env = sim.Environment(
        trace=False,
        random_seed="",
        set_numpy_random_seed=False,
        yieldless=True,
        blind_animation=False,
    )
    _Driver(env=env, model=model, until=until)
    env.run()
