"""Observed values for the validation report, read from the data files shipped in ``data/``.

An :class:`Observed` is one figure with its period and the page it comes from. It is never typed
into code: :func:`from_table` finds it in a data file by the values of its columns (exactly one row
must match, so a changed file fails loudly instead of quietly giving another figure), and the
derived ones (:func:`twente_median_wait_days`, :func:`gemeente_spread`) compute it from a file's
rows in a stated way.
"""

from __future__ import annotations

import csv
import functools
import math
import statistics
from dataclasses import dataclass
from pathlib import Path

from simulation.config import PROJECT_ROOT

__all__ = [
    "DATA", "Observed", "from_table", "gemeente_spread", "gemeente_spread_2021", "spend_gemeenten", "spend_per_youth",
    "spread_over_gemeenten", "twente_median_wait_days", "weighted_cv", "youth_by_gemeente",
]  # fmt: skip

DATA = PROJECT_ROOT / "data"
NATIONAL_CBS_FILE = "cbs/national_jeugdzorg_series.csv"


@dataclass(frozen=True)
class Observed:
    """One observed figure; ``low``/``high`` give a reported range where the sources differ."""

    value: float
    period: str
    source: str
    file: str
    low: float = math.nan
    high: float = math.nan
    note: str = ""


@functools.lru_cache(maxsize=32)
def _rows(file: str) -> tuple[dict[str, str], ...]:
    with (DATA / file).open(encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


def _number(text: str | None) -> float:
    return float(text) if text not in (None, "") else math.nan


def from_table(file: str, *, period_column: str = "period", **match: str) -> Observed:
    """The one row of ``data/<file>`` whose columns equal ``match`` (keyword = column name)."""
    rows = [r for r in _rows(file) if all(r.get(k) == v for k, v in match.items())]
    if len(rows) != 1:
        raise LookupError(f"data/{file}: {len(rows)} rows match {match}, expected exactly one")
    row = rows[0]
    source = row.get("source_url") or row.get("source_table_or_url") or ""
    return Observed(
        value=_number(row.get("value")),
        period=row.get(period_column, ""),
        source=source,
        file=f"data/{file}",
        low=_number(row.get("low")),
        high=_number(row.get("high")),
        note=row.get("note", ""),
    )


def trajectories_started(category: str, period: str) -> Observed:
    """Jeugdhulp trajectories of one CBS category started in ``period``: CBS's share of the
    category in all started trajectories times that total (both in the national series)."""
    share = from_table(NATIONAL_CBS_FILE, indicator=f"jeugdhulptrajecten_begonnen_aandeel_{category}", period=period)
    total = from_table(NATIONAL_CBS_FILE, indicator="jeugdhulptrajecten_begonnen_totaal", period=period)
    return Observed(
        value=share.value / 100.0 * total.value,
        period=period,
        source=total.source,
        file=total.file,
        note=f"{share.value:g}% of {total.value:,.0f} started trajectories (youth 0-22)",
    )


def twente_median_wait_days() -> Observed:
    """Median published wait to intake over Twente's youth offers with a number (crisis offers,
    which take children at once by design, left out)."""
    file = "wachttijden/twente_wachttijden_2026-08-22.csv"
    weeks = [
        float(r["wachttijd_tot_intake_weken"])
        for r in _rows(file)
        if r["doelgroep"] == "Jeugd" and r["crisis"] == "False" and r["wachttijd_tot_intake_weken"] not in ("", None)
    ]
    return Observed(
        value=statistics.median(weeks) * 7.0,
        period="2026-08-22",
        source="github.com/mlemson/jeugdhulptwente (providers' own pages)",
        file=f"data/{file}",
        low=float(statistics.quantiles(weeks, n=4)[0] * 7.0),
        high=float(statistics.quantiles(weeks, n=4)[2] * 7.0),
        note=f"median over {len(weeks)} published waits to intake; low-high = quartiles",
    )


def gemeente_spread(indicator: str, min_youth: int, youth: dict[str, float]) -> Observed:
    """Coefficient of variation over gemeenten of a CBS 85098NED share (2022), youth-weighted.

    Only gemeenten with at least ``min_youth`` youth (0-17) count, as in the model figure, so that
    the sampling noise of small gemeenten does not dominate either side.
    """
    file = "regionaal/cbs_85098NED_indicatoren_jeugdzorg_gemeenten_2022.csv"
    values: dict[str, float] = {}
    for r in _rows(file):
        code = r["gemeentecode_2023"]
        if r["indicator"] == indicator and r["region_type"] == "GM" and r["value"] and code == r["region_code"]:
            values[code] = float(r["value"])
    cv, n = spread_over_gemeenten(values, youth, min_youth)
    return Observed(
        value=cv,
        period="2022",
        source="CBS StatLine 85098NED (2022, provisional)",
        file=f"data/{file}",
        note=f"{n} gemeenten with at least {min_youth:,} youth 0-17; weights = youth",
    )


def spread_over_gemeenten(rates: dict[str, float], youth: dict[str, float], min_youth: int) -> tuple[float, int]:
    """Youth-weighted CV of ``rates`` over the gemeenten with at least ``min_youth`` youth (0-17),
    and how many there were: the one rule for the observed and the model side of a spread."""
    keep = [(rate, youth[code]) for code, rate in rates.items() if youth.get(code, 0.0) >= min_youth]
    return weighted_cv([v for v, _ in keep], [w for _, w in keep]), len(keep)


def weighted_cv(values: list[float], weights: list[float]) -> float:
    """Weighted standard deviation over weighted mean (NaN for fewer than two values)."""
    if len(values) < 2 or sum(weights) <= 0:
        return math.nan
    total = sum(weights)
    mean = sum(v * w for v, w in zip(values, weights, strict=True)) / total
    var = sum(w * (v - mean) ** 2 for v, w in zip(values, weights, strict=True)) / total
    return math.sqrt(var) / mean if mean else math.nan


def youth_by_gemeente(path: Path = DATA / "gemeenten.csv", column: str = "jeugd_0_17") -> dict[str, float]:
    """Youth per gemeentecode from a gemeenten file (``jeugd_0_17``, or ``jeugd_0_22``)."""
    with path.open(encoding="utf-8", newline="") as f:
        return {r["gemeentecode"]: float(r[column]) for r in csv.DictReader(f)}


SPEND_FILE = "financien/gemeentelijke_kosten_jeugdzorg_83454NED_excerpt.csv"


def spend_gemeenten() -> list[str]:
    """The gemeenten whose realised jeugdzorg cost the 83454NED excerpt holds."""
    return sorted({r["gemeentecode"] for r in _rows(SPEND_FILE) if r["vorm_van_jeugdzorg"] == "JZ Totaal jeugdzorg"})


def spend_per_youth(youth: dict[str, float]) -> Observed:
    """Realised municipal jeugdzorg cost (all forms) per youth 0-17 over the excerpt's gemeenten."""
    rows = [r for r in _rows(SPEND_FILE) if r["vorm_van_jeugdzorg"] == "JZ Totaal jeugdzorg"]
    cost = sum(float(r["gerealiseerde_kosten_x1000_eur"]) * 1000.0 for r in rows)
    kids = sum(youth[r["gemeentecode"]] for r in rows)
    return Observed(
        value=cost / kids,
        period=rows[0]["period"],
        source="CBS StatLine 83454NED (2021, provisional)",
        file=f"data/{SPEND_FILE}",
        note=f"{len(rows)} Limburg gemeenten; youth 0-17 from data/gemeenten.csv (2023)",
    )


def gemeente_spread_2021(min_youth: int, youth: dict[str, float], youth_0_22: dict[str, float]) -> Observed:
    """CV over gemeenten of youth with jeugdzorg in natura per youth 0-22 in 2021 (CBS 85075NED).

    A year and an indicator the model's regional factors were not derived from (they come from
    85098NED 2022), so this row is a check, not a restatement. 2021 gemeenten are summed into their
    2023 successors; youth 0-22 are the 2023 estimates of data/gemeenten.csv.
    """
    file = "regionaal/cbs_jeugdzorg_in_natura_gemeenten_2021_2022.csv"
    counts: dict[str, float] = {}
    for r in _rows(file):
        if r["period"] == "2021" and r["indicator"] == "jongeren_met_jeugdzorg_in_natura" and r["value"]:
            code = r["gemeentecode_2023"]
            counts[code] = counts.get(code, 0.0) + float(r["value"])
    cv, n = spread_over_gemeenten({c: k / youth_0_22[c] for c, k in counts.items()}, youth, min_youth)
    return Observed(
        value=cv,
        period="2021",
        source="CBS StatLine 85075NED (2021)",
        file=f"data/{file}",
        note=f"{n} gemeenten with at least {min_youth:,} youth 0-17; weights = youth",
    )
