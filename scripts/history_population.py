"""Write data/history/gemeenten_<year>.csv: the 2023 gemeenten file with its youth scaled to a past year.

The data hold youth per gemeente for 2023 only (data/gemeenten.csv, from CBS Kerncijfers wijken en
buurten 2023). For a history scenario starting in an earlier year every gemeente's youth is scaled
by one national factor: national youth in that year / national youth in 2022, both IMPLIED by the
CBS series in data/cbs/national_jeugdzorg_series.csv as (youth with jeugdzorg) / (that count as a
percentage of the age group), for 0-17 and 0-22 separately. Why a ratio and not the implied level:
the percentages are rounded to 0.1 point (about +-0.4% on the implied population) and their
denominator is not the KWB count of 1 January, so only the change between years is used, and
2022 -> 2023 is taken as no change (GAP: 2023 is held back from the series). Why one factor for
all gemeenten: no per-gemeente youth count for those years is in the data (GAP); the distribution
over gemeenten is that of 2023.

    python scripts/history_population.py 2016 2017 2018 2019 2020 2021 2022
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERIES = ROOT / "data" / "cbs" / "national_jeugdzorg_series.csv"
GEMEENTEN = ROOT / "data" / "gemeenten.csv"
REFERENCE_YEAR = "2022"  # the last year of the series; 2023 youth assumed equal to it


def implied_youth(age_range: str) -> dict[str, float]:
    """Year -> national youth in ``age_range`` implied by the count and percentage of youth with jeugdzorg."""
    count: dict[str, float] = {}
    pct: dict[str, float] = {}
    with SERIES.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["age_range"] != age_range or not row["period"].isdigit():
                continue
            if row["indicator"] == "jongeren_met_jeugdzorg_incl_pgb":
                count[row["period"]] = float(row["value"])
            elif row["indicator"] == "pct_jongeren_met_jeugdzorg_incl_pgb":
                pct[row["period"]] = float(row["value"])
    return {y: count[y] / (pct[y] / 100.0) for y in sorted(count.keys() & pct.keys())}


def factors(year: str) -> dict[str, float]:
    """Column -> scale factor from the reference year to ``year``."""
    out = {}
    for column, ages in (("jeugd_0_17", "0-17"), ("jeugd_0_22", "0-22")):
        series = implied_youth(ages)
        if year not in series:
            raise SystemExit(f"no implied {ages} youth for {year}; years with one: {sorted(series)}")
        out[column] = series[year] / series[REFERENCE_YEAR]
    return out


def write(year: str) -> Path:
    scale = factors(year)
    out = ROOT / "data" / "history" / f"gemeenten_{year}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with GEMEENTEN.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        fields = list(reader.fieldnames or [])
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            for column, factor in scale.items():
                row[column] = str(round(float(row[column]) * factor))
            writer.writerow(row)
    shown = ", ".join(f"{c} x {v:.4f}" for c, v in scale.items())
    print(f"wrote {out.relative_to(ROOT)} ({shown})")
    return out


if __name__ == "__main__":
    for y in sys.argv[1:] or ["2019"]:
        write(y)
