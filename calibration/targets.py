"""Calibration targets read from the CBS series shipped in data/cbs.

A target is a STOCK (a count on a date or the number active in a period) or a FLOW (a count of
starts or ends in a period); the objective will compare stocks at a point and flows summed over
their period, as Starsim's ``conform`` does.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = ["Target", "load_targets"]

DATA = Path(__file__).resolve().parents[1] / "data" / "cbs" / "national_jeugdzorg_series.csv"

_FLOW_WORDS = ("instroom", "uitstroom", "begonnen", "gestart", "beeindigd")


@dataclass(frozen=True)
class Target:
    indicator: str
    period: str
    value: float
    unit: str
    kind: Literal["stock", "flow"]
    source_url: str


def load_targets(path: Path = DATA, prefix: str = "") -> list[Target]:
    """Every numeric row whose indicator starts with ``prefix``, typed as stock or flow."""
    out = []
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if not row["indicator"].startswith(prefix) or not row["value"]:
                continue
            kind: Literal["stock", "flow"] = "flow" if any(w in row["indicator"] for w in _FLOW_WORDS) else "stock"
            out.append(
                Target(row["indicator"], row["period"], float(row["value"]), row["unit"], kind, row["source_url"])
            )
    return out
