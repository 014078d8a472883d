"""The outlines for the maps, prepared so that Vega (Altair's geoshape) draws them offline.

Vega computes areas on the sphere (d3-geo): a ring that winds anticlockwise in longitude and
latitude encloses the whole globe except the shape, and the map then paints the world. d3-geo
wants an exterior ring clockwise and a hole anticlockwise, the reverse of the GeoJSON standard
(RFC 7946). The shipped gemeente outlines follow the standard, the jeugdregio outlines d3, so
:func:`prepare` rewinds every ring to d3's order whatever it was. It also drops features that
are not a gemeente or jeugdregio of the model (the gemeente file has a "Buitenland" feature,
GM0998) and rounds coordinates to 4 decimals (about 10 m) so the inlined map stays small.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["DATA_DIR", "gemeenten", "jeugdregios", "prepare", "ring_area", "rings"]

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
_DECIMALS = 4

Ring = list[list[float]]


def ring_area(ring: Ring) -> float:
    """Signed planar area (shoelace) in degrees²: positive when the ring winds anticlockwise."""
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0, *_), (x1, y1, *_) in itertools.pairwise(ring))


def _wound(ring: Ring, clockwise: bool) -> Ring:
    rounded = [[round(x, _DECIMALS), round(y, _DECIMALS)] for x, y, *_ in ring]
    return rounded[::-1] if (ring_area(rounded) < 0) != clockwise else rounded


def _polygon(rings: list[Ring]) -> list[Ring]:
    """Exterior clockwise, holes anticlockwise (d3-geo's order)."""
    return [_wound(r, clockwise=(i == 0)) for i, r in enumerate(rings)]


def rings(geometry: dict[str, Any]) -> Iterable[tuple[int, Ring]]:
    """Every ring of a (Multi)Polygon with its index in its polygon (0: the exterior)."""
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    for poly in polys:
        yield from enumerate(poly)


def prepare(collection: dict[str, Any], code_key: str, keep: set[str]) -> dict[str, Any]:
    """A copy of a FeatureCollection with only the features whose ``code_key`` is in ``keep``,
    every ring wound as d3-geo wants, and the properties cut to ``code`` and ``name``."""
    features = []
    for feature in collection["features"]:
        props = feature["properties"]
        code = props.get(code_key)
        if code not in keep:
            continue
        geom = copy.deepcopy(feature["geometry"])
        if geom["type"] == "Polygon":
            geom["coordinates"] = _polygon(geom["coordinates"])
        elif geom["type"] == "MultiPolygon":
            geom["coordinates"] = [_polygon(p) for p in geom["coordinates"]]
        else:
            continue
        name = props.get("statnaam") or props.get("gemeentenaam") or code
        features.append({"type": "Feature", "properties": {"code": code, "name": name}, "geometry": geom})
    return {"type": "FeatureCollection", "features": features}


def _codes(column: str) -> set[str]:
    import pandas as pd

    return set(pd.read_csv(DATA_DIR / "gemeenten.csv", usecols=[column])[column])


@cache
def jeugdregios() -> dict[str, Any]:
    """The 42 jeugdregio's (2025), ready for a geoshape; properties ``code`` (JZ01) and ``name``."""
    raw = json.loads((DATA_DIR / "geo" / "jeugdregio_2025.geojson").read_text(encoding="utf-8"))
    return prepare(raw, "statcode", _codes("jeugdregio_code"))


@cache
def gemeenten() -> dict[str, Any]:
    """The 342 gemeenten (2023 = 2025), without "Buitenland"; properties ``code`` (GM0014) and ``name``."""
    raw = json.loads((DATA_DIR / "geo" / "gemeenten_2023.geojson").read_text(encoding="utf-8"))
    return prepare(raw, "gemeentecode", _codes("gemeentecode"))
