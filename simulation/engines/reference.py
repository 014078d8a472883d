"""The reference engine: a bare loop over the core's agenda, used as the test oracle."""

from __future__ import annotations

from simulation.core.model import Model

__all__ = ["run_reference"]


def run_reference(model: Model, until: float) -> None:
    """Advance ``model`` through every event up to and including time ``until``."""
    t = model.next_time()
    while t is not None and t <= until:
        t = model.advance_to(t)
