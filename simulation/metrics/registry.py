"""The KPI registry: every KPI declared once, with its unit, format, scope and Dutch label.

A KPI is one function of a :class:`~simulation.metrics.window.Window` (the tables of one
replication cut to the measurement window, for all care forms or one). Declaring it with
:func:`kpi` adds it to :data:`REGISTRY`, in declaration order; the KPI table of a replication,
the command line's table and number formats, the JSON and CSV output and the dashboard's Dutch
labels are all generated from the registry, so adding a KPI is one decorated function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from simulation.metrics.window import Window

__all__ = ["REGISTRY", "Format", "Kpi", "by_name", "format_value", "kpi"]

#: How a value prints: ``days`` and ``count`` with one decimal, ``share`` with three,
#: ``eur`` in millions, ``eur_small`` in whole euros.
Format = Literal["days", "count", "share", "eur", "eur_small"]


@dataclass(frozen=True)
class Kpi:
    name: str
    unit: str
    fmt: Format
    #: also reported per care form (the function then sees a window of one form)
    per_form: bool
    #: what a bestuurder reads in the dashboard
    label_nl: str
    #: the definition, for the README, the JSON output and tooltips
    description: str
    compute: Callable[[Window], float]


REGISTRY: list[Kpi] = []


def kpi(
    *, unit: str, fmt: Format, label_nl: str, per_form: bool = False
) -> Callable[[Callable[[Window], float]], Callable[[Window], float]]:
    """Register the decorated function as the KPI of the same name; its docstring defines it."""

    def register(fn: Callable[[Window], float]) -> Callable[[Window], float]:
        if any(k.name == fn.__name__ for k in REGISTRY):
            raise ValueError(f"KPI {fn.__name__!r} is declared twice")
        doc = " ".join((fn.__doc__ or "").split())
        REGISTRY.append(Kpi(fn.__name__, unit, fmt, per_form, label_nl, doc, fn))
        return fn

    return register


def by_name(name: str) -> Kpi:
    for k in REGISTRY:
        if k.name == name:
            return k
    raise KeyError(name)


def format_value(value: float | None, fmt: Format) -> str:
    """A value as the command line prints it; ``-`` when undefined."""
    if value is None or value != value:  # NaN
        return "-"
    if fmt == "eur_small":
        return f"{value:,.0f}"
    if fmt == "eur":
        return f"{value / 1e6:,.2f}M"
    if fmt == "share":
        return f"{value:.3f}"
    return f"{value:,.1f}"
