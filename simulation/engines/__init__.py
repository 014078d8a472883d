"""Engines keep the clock for the core model; they hold no domain logic and draw no numbers."""

from __future__ import annotations

from collections.abc import Callable

from simulation.core.model import Model
from simulation.engines.reference import run_reference
from simulation.engines.salabim_engine import run_salabim
from simulation.engines.simpy_engine import run_simpy

__all__ = ["ENGINES", "run_reference", "run_salabim", "run_simpy"]

ENGINES: dict[str, Callable[[Model, float], None]] = {
    "simpy": run_simpy,
    "reference": run_reference,
    "salabim": run_salabim,
}
