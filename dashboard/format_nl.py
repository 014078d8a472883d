"""Dutch number formats: a decimal comma, a dot between thousands, euros as EUR 1,6 mld.

Plain functions, no Streamlit, so they are tested on their own. Every function returns ``-``
for a missing value (None or NaN): a KPI that is undefined (a median when fewer than half were
placed) shows as a dash, never as ``nan``.
"""

from __future__ import annotations

import datetime as dt
import math

from simulation.metrics import Kpi

__all__ = ["MISSING", "MONTHS", "eur", "interval", "kpi_value", "month", "number", "percent", "signed"]

MISSING = "-"


MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")  # fmt: skip


def month(when: dt.date) -> str:
    """``2026-07-01`` -> ``juli 2026`` (whatever the machine's locale)."""
    return f"{MONTHS[when.month - 1]} {when.year}"


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | None, decimals: int = 0) -> str:
    """``1234567.891`` -> ``1.234.567,9`` (decimals=1): a dot between thousands, a decimal comma."""
    if _missing(value):
        return MISSING
    assert value is not None
    text = f"{value:,.{decimals}f}"  # 1,234,567.9
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def percent(share: float | None, decimals: int = 1) -> str:
    """A share in [0, 1] as a percentage: ``0.203`` -> ``20,3%``."""
    if _missing(share):
        return MISSING
    assert share is not None
    return f"{number(share * 100, decimals)}%"


def eur(value: float | None, decimals: int = 1) -> str:
    """Euros the way a bestuurder reads them: ``EUR 1,6 mld``, ``EUR 76,4 mln``, ``EUR 12.345``
    (``decimals`` of the billions and millions)."""
    if _missing(value):
        return MISSING
    assert value is not None
    size = abs(value)
    if size >= 1e9:
        return f"EUR {number(value / 1e9, decimals)} mld"
    if size >= 1e6:
        return f"EUR {number(value / 1e6, decimals)} mln"
    return f"EUR {number(value, 0)}"


def signed(text: str, value: float | None) -> str:
    """``text`` with a leading ``+`` when ``value`` is positive (a difference reads as one)."""
    if _missing(value) or value is None or value <= 0 or text.startswith(("+", "-")):
        return text
    return f"+{text}"


def kpi_value(value: float | None, kpi: Kpi, *, difference: bool = False, precise: bool = False) -> str:
    """A KPI value in the format its registry entry names (``fmt``), with its Dutch unit; a
    ``difference`` gets a sign, and a difference of shares is in percentage points; ``precise``
    shows billions and millions with two decimals (the ends of an interval)."""
    fmt = kpi.fmt
    if fmt in ("eur", "eur_small"):
        text = eur(value, 2 if precise else 1)
    elif value is None or _missing(value):
        text = MISSING
    elif fmt == "share":
        text = f"{number(value * 100, 1)} %-punt" if difference else percent(value)
    elif fmt == "days":
        text = f"{number(value, 1)} dagen"
    else:
        text = number(value, 1 if abs(value) < 100 else 0)
    return signed(text, value) if difference else text


def interval(low: float | None, high: float | None, kpi: Kpi, *, difference: bool = False) -> str:
    """The 95% interval of a KPI, e.g. ``95%: 40,1 dagen – 50,3 dagen``."""
    if _missing(low) or _missing(high):
        return MISSING
    ends = [kpi_value(v, kpi, difference=difference, precise=True) for v in (low, high)]
    return f"95%: {ends[0]} – {ends[1]}"
