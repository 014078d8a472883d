"""The KPI registry: every KPI declared once, with its unit, format, scope and Dutch label.

A KPI is one function of a :class:`~simulation.metrics.window.Window` (the tables of one
replication cut to the measurement window, for all care forms or one). Declaring it with
:func:`kpi` adds it to :data:`REGISTRY`, in declaration order; the KPI table of a replication,
the command line's table and number formats, the JSON and CSV output and the dashboard's Dutch
labels are all generated from the registry, so adding a KPI is one decorated function.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from simulation.metrics.window import Window

__all__ = [
    "DOMAINS",
    "REGISTRY",
    "Domain",
    "Format",
    "Kpi",
    "by_name",
    "format_readable",
    "format_value",
    "kpi",
    "readable_unit",
]

#: How a value prints: ``days`` and ``count`` with one decimal, ``share`` with three,
#: ``eur`` in millions, ``eur_small`` in whole euros.
Format = Literal["days", "count", "share", "eur", "eur_small"]

#: The values a KPI can take: counts, waits and money are ``nonnegative``; a ``share`` (of
#: children, of place-days: utilisation included, as occupied place-days never exceed those
#: staff allow) lies in [0, 1]; a ``signed`` KPI (a margin) can take any sign. Intervals over
#: replications are kept inside (``metrics.intervals``); differences between runs are signed.
Domain = Literal["nonnegative", "share", "signed"]
DOMAINS: dict[str, tuple[float, float]] = {
    "nonnegative": (0.0, math.inf),
    "share": (0.0, 1.0),
    "signed": (-math.inf, math.inf),
}


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
    #: the values it can take (:data:`DOMAINS`)
    domain: Domain = "nonnegative"
    #: one of the few KPIs the command line's short table shows (the rest with ``--all``)
    headline: bool = False

    @property
    def bounds(self) -> tuple[float, float]:
        """(lowest, highest) value the KPI can take."""
        return DOMAINS[self.domain]


REGISTRY: list[Kpi] = []


def kpi(
    *, unit: str, fmt: Format, label_nl: str, domain: Domain, per_form: bool = False, headline: bool = False
) -> Callable[[Callable[[Window], float]], Callable[[Window], float]]:
    """Register the decorated function as the KPI of the same name; its docstring defines it."""

    def register(fn: Callable[[Window], float]) -> Callable[[Window], float]:
        if any(k.name == fn.__name__ for k in REGISTRY):
            raise ValueError(f"KPI {fn.__name__!r} is declared twice")
        doc = " ".join((fn.__doc__ or "").split())
        REGISTRY.append(Kpi(fn.__name__, unit, fmt, per_form, label_nl, doc, fn, domain, headline))
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


def format_readable(value: float | None, fmt: Format, signed: bool = False) -> str:
    """A value for people, in the unit :func:`readable_unit` names: thousands separators, shares
    as percentages (a difference of shares in percentage points), large sums in EUR mn; ``signed``
    puts + before a positive difference. ``-`` when undefined."""
    if value is None or value != value:  # NaN
        return "-"
    sign = "+" if signed and value > 0 else ""
    if fmt == "share":
        return f"{sign}{100 * value:,.1f}"
    if fmt == "eur":
        return f"{sign}{value / 1e6:,.1f}"
    if fmt == "count" and abs(value) < 100:
        return f"{sign}{value:,.1f}"
    if fmt in ("count", "eur_small"):
        return f"{sign}{value:,.0f}"
    return f"{sign}{value:,.1f}"


def readable_unit(k: Kpi, signed: bool = False) -> str:
    """The unit :func:`format_readable` prints ``k`` in."""
    if k.fmt == "share":
        return "pp" if signed else "%"
    if k.fmt == "eur":
        return "EUR mn"
    return k.unit
