"""Copy and derive the real data the project ships, from ../shared/data.

Run by developers only (``python scripts/prepare_data.py``); nothing at run time reads
../shared. The outputs are committed under data/ and described in data/PROVENANCE.md.
"""

from __future__ import annotations

import csv
import json
import math
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "data"

COPIES = [
    "regio/jeugdregio_gemeente_2025.csv",
    "regio/jeugdregio_2025_summary.csv",
    "regio/jeugdregio_2025_adjacency.csv",
    "population/gemeente_youth_agebands_pc4_2021.csv",
    "population/gemeente_kwb_2023.csv",
    "geo/jeugdregio_2025.geojson",
    "geo/gemeenten_2023.geojson",
    "cbs_jeugdzorg/national_jeugdzorg_series.csv",
]


def ring_centroid(ring: list[list[float]]) -> tuple[float, float, float]:
    """Signed area and centroid of one polygon ring (shoelace, in degrees)."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    a /= 2.0
    if a == 0.0:
        return 0.0, ring[0][0], ring[0][1]
    return a, cx / (6.0 * a), cy / (6.0 * a)


def feature_centroid(geometry: dict) -> tuple[float, float]:
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    total = sx = sy = 0.0
    for polygon in polygons:
        for k, ring in enumerate(polygon):
            a, x, y = ring_centroid(ring)
            # Holes count negatively whatever their winding order.
            w = abs(a) if k == 0 else -abs(a)
            total += w
            sx += w * x
            sy += w * y
    return sx / total, sy / total


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def main() -> None:
    for rel in COPIES:
        dest = OUT / rel.replace("cbs_jeugdzorg/", "cbs/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SHARED / rel, dest)

    regions = {r["gemeentecode"]: r for r in _rows(SHARED / "regio/jeugdregio_gemeente_2025.csv")}
    youth = {r["gemeentecode"]: r for r in _rows(SHARED / "population/gemeente_youth_agebands_pc4_2021.csv")}
    geo = json.loads((SHARED / "geo/gemeenten_2023.geojson").read_text(encoding="utf-8"))
    centroids = {}
    for feature in geo["features"]:
        code = feature["properties"]["gemeentecode"]
        if code in regions:
            centroids[code] = feature_centroid(feature["geometry"])

    assert set(regions) == set(youth) == set(centroids), "gemeente sets differ"
    rows = []
    for code in sorted(regions):
        reg, yo = regions[code], youth[code]
        assert reg["jeugdregio_code"] == yo["jeugdregio_code"], code
        lon, lat = centroids[code]
        rows.append(
            {
                "gemeentecode": code,
                "gemeentenaam": reg["gemeentenaam"],
                "jeugdregio_code": reg["jeugdregio_code"],
                "jeugdregio_naam": reg["jeugdregio_naam"],
                "inwoners_2023": int(reg["inwoners_2023_01_01"]),
                "jeugd_0_17": int(yo["est_0_17_2023_derived"]),
                "jeugd_0_22": int(yo["est_0_22_2023_derived"]),
                "lon": round(lon, 5),
                "lat": round(lat, 5),
            }
        )
    with open(OUT / "gemeenten.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(
        f"gemeenten.csv: {len(rows)} gemeenten, {len({r['jeugdregio_code'] for r in rows})} regions,"
        f" youth 0-17 {sum(r['jeugd_0_17'] for r in rows):,}"
    )
    assert math.isclose(sum(r["jeugd_0_17"] for r in rows), 3_395_701, rel_tol=1e-9)


if __name__ == "__main__":
    main()
