"""The fixed facts the pages name things by: jeugdregio's, gemeenten, providers (from data/)."""

from __future__ import annotations

from functools import cache

import pandas as pd

from dashboard.geo import DATA_DIR

__all__ = ["gemeenten", "providers", "region_names", "regions"]


@cache
def gemeenten() -> pd.DataFrame:
    """gemeentecode, gemeentenaam, jeugdregio_code, jeugdregio_naam, jeugd_0_17 (342 rows)."""
    cols = ["gemeentecode", "gemeentenaam", "jeugdregio_code", "jeugdregio_naam", "jeugd_0_17"]
    return pd.read_csv(DATA_DIR / "gemeenten.csv", usecols=cols)


@cache
def regions() -> pd.DataFrame:
    """jeugdregio_code, jeugdregio_naam, jeugd_0_17 (42 rows, in code order)."""
    g = gemeenten()
    out = g.groupby(["jeugdregio_code", "jeugdregio_naam"])["jeugd_0_17"].sum().reset_index()
    return out.sort_values("jeugdregio_code", ignore_index=True)


def region_names() -> dict[str, str]:
    """JZ01 -> Groningen."""
    r = regions()
    return dict(zip(r["jeugdregio_code"], r["jeugdregio_naam"], strict=True))


@cache
def providers() -> pd.DataFrame:
    """The shipped provider landscape: provider_id, naam, jeugdregio_code, groep."""
    cols = ["provider_id", "naam", "jeugdregio_code", "groep"]
    return pd.read_csv(DATA_DIR / "generated" / "aanbieders.csv", usecols=cols)
