"""Fetch newer CBS StatLine tables (open data, OData v3, through ``cbsodata``) into ``data/``.

Each table becomes one long CSV in the columns of ``data/cbs/national_jeugdzorg_series.csv``
(``indicator, period, value, unit, age_range, status, source_url, note``) plus ``region_code`` and
``region_name``: one row per cell with a value. ``indicator`` is the measure's key with the values of
the table's other dimensions appended (``key__dimvalue``), ``period`` the CBS period code as the
shipped series writes it (``2022``, ``2022HJ01``), ``status`` the period's CBS status. A provenance
section per table (id, title, date fetched, CBS's last change, licence) goes into
``PROVENANCE.md`` beside the files.

Everything is fetched before anything is written, and each file is written to a temporary file
renamed into place, so a lost connection leaves the folder as it was. The refreshed files go to
their own folder (``data/cbs/refreshed/``): the shipped series stop at 2022 on purpose (later years
are held back for out-of-sample validation), so nothing the model reads by default changes.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "COLUMNS",
    "DEFAULT_TABLES",
    "LICENCE",
    "FetchedTable",
    "RefreshError",
    "fetch_table",
    "long_rows",
    "refresh",
    "write_tables",
]

#: The tables the project's data and assumptions cite (data/PROVENANCE.md, docs/SOURCES.md):
#: jeugdhulp trajectories by form and region (crisis starts, durations), jeugdzorg indicators per
#: gemeente, youth with one or more forms of jeugdzorg, jeugdreclassering trajectories, and
#: municipal spending on jeugdzorg.
DEFAULT_TABLES = ("85097NED", "85098NED", "85101NED", "82977NED", "83454NED")
LICENCE = "CC BY 4.0 (CBS open data: cite 'Bron: CBS')"
COLUMNS = ["indicator", "period", "value", "unit", "age_range", "status", "source_url", "note", "region_code",
           "region_name"]  # fmt: skip
TABLE_ID = re.compile(r"^\d{5}[A-Za-z]{3}$")
#: seconds a single request may take before the refresh gives up
TIMEOUT = 60


class RefreshError(RuntimeError):
    """A table could not be fetched (no network, unknown table, a server error)."""


@dataclass(frozen=True)
class FetchedTable:
    table_id: str
    title: str
    modified: str
    fetched: str
    frame: pd.DataFrame


def _period(key: str) -> str:
    """CBS period codes as the shipped series writes them: ``2022JJ00`` -> ``2022``; others as is."""
    key = key.strip()
    return key[:4] if re.fullmatch(r"\d{4}JJ00", key) else key


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(text).strip().lower()).strip("_")


def long_rows(table_id: str, props: Sequence[dict[str, Any]], data: Sequence[dict[str, Any]],
              codes: dict[str, dict[str, dict[str, Any]]]) -> pd.DataFrame:  # fmt: skip
    """One CSV row per (data row, measure with a value).

    ``props`` is the table's DataProperties (``Key``, ``Type``, ``Title``, ``Unit``), ``data`` its
    TypedDataSet (dimension codes), ``codes`` each dimension's key -> its metadata row (``Title``,
    and ``Status`` for periods).
    """
    dims = [p for p in props if p.get("Type") in ("Dimension", "TimeDimension", "GeoDimension")]
    topics = [p for p in props if p.get("Type") == "Topic"]
    time_key = next((p["Key"] for p in dims if p["Type"] == "TimeDimension"), None)
    geo_key = next((p["Key"] for p in dims if p["Type"] == "GeoDimension"), None)
    others = [p["Key"] for p in dims if p["Key"] not in (time_key, geo_key)]
    url = f"https://www.cbs.nl/nl-nl/cijfers/detail/{table_id}"
    out = []
    for row in data:
        period_key = str(row.get(time_key, "")).strip() if time_key else ""
        period_meta = codes.get(time_key or "", {}).get(period_key, {})
        geo = str(row.get(geo_key, "")).strip() if geo_key else ""
        geo_name = str(codes.get(geo_key or "", {}).get(geo, {}).get("Title", "")).strip()
        other_titles = [str(codes.get(k, {}).get(str(row.get(k, "")).strip(), {}).get("Title", row.get(k, "")))
                        for k in others]  # fmt: skip
        for t in topics:
            value = row.get(t["Key"])
            if value is None or (isinstance(value, float) and pd.isna(value)):
                continue
            indicator = "__".join([t["Key"], *(_slug(x) for x in other_titles)])
            note = "; ".join([str(t.get("Title", "")).strip(), *(f"{k}: {v}" for k, v in zip(others, other_titles,
                              strict=True))])  # fmt: skip
            out.append({
                "indicator": indicator,
                "period": _period(period_key),
                "value": float(value),
                "unit": str(t.get("Unit") or "").strip(),
                "age_range": "",
                "status": str(period_meta.get("Status") or "").strip().lower(),
                "source_url": url,
                "note": note,
                "region_code": geo,
                "region_name": geo_name,
            })  # fmt: skip
    return pd.DataFrame(out, columns=COLUMNS)


def fetch_table(table_id: str, client: Any = None, now: dt.datetime | None = None) -> FetchedTable:
    """One table through ``client`` (the ``cbsodata`` module unless a test gives another)."""
    import requests

    if client is None:
        import cbsodata

        client = cbsodata

    try:
        info = client.get_info(table_id, timeout=TIMEOUT) or {}
        props = client.get_meta(table_id, "DataProperties", timeout=TIMEOUT)
        codes: dict[str, dict[str, dict[str, Any]]] = {}
        for p in props:
            if p.get("Type") in ("Dimension", "TimeDimension", "GeoDimension"):
                rows = client.get_meta(table_id, p["Key"], timeout=TIMEOUT)
                codes[p["Key"]] = {str(r["Key"]).strip(): r for r in rows}
        data = client.get_meta(table_id, "TypedDataSet", timeout=TIMEOUT)
    except requests.HTTPError as exc:
        raise RefreshError(f"CBS refused table {table_id} ({exc}); is it a StatLine table id?") from None
    except ValueError as exc:  # an answer that is no OData JSON (a proxy's page, a cut-off reply)
        raise RefreshError(f"the answer for table {table_id} could not be read ({exc})") from None
    except (requests.ConnectionError, requests.Timeout, OSError) as exc:
        raise RefreshError(
            f"no connection to CBS open data while fetching {table_id} ({type(exc).__name__}); "
            "data refresh needs a network. Nothing was written."
        ) from None
    fetched = (now or dt.datetime.now(dt.UTC)).date().isoformat()
    return FetchedTable(table_id, str(info.get("Title", "")), str(info.get("Modified", "")), fetched,
                        long_rows(table_id, props, data, codes))  # fmt: skip


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _section(t: FetchedTable, file: str) -> str:
    return (
        f"## {file}  ({len(t.frame):,} rows) — FETCHED by `jeugdzorg-sim data refresh`\n"
        f'- **Table:** CBS StatLine **{t.table_id}** "{t.title}" '
        f"(https://www.cbs.nl/nl-nl/cijfers/detail/{t.table_id})\n"
        f"- **Fetched:** {t.fetched} through the CBS open data OData API (cbsodata); CBS last changed the "
        f"table on {t.modified or 'an unknown date'}\n"
        f"- **Licence:** {LICENCE}\n"
        "- **Format:** the columns of `data/cbs/national_jeugdzorg_series.csv` plus `region_code` and "
        "`region_name`; `indicator` = the CBS measure key with the other dimensions' values appended, "
        "`note` = the measure's title and those values, `status` = the period's CBS status.\n"
    )


_HEADER = (
    "# Provenance of the refreshed CBS tables\n\n"
    "Written by `jeugdzorg-sim data refresh`; one section per table, replaced when the table is fetched "
    "again. These files hold years the shipped series (`data/cbs/`, to 2022) keep back for out-of-sample "
    "validation: nothing reads them unless a scenario or calibration config names them.\n\n"
)


def write_tables(tables: Sequence[FetchedTable], folder: Path) -> list[Path]:
    """Write each table as ``cbs_<ID>.csv`` and its section of ``PROVENANCE.md`` (others kept)."""
    folder.mkdir(parents=True, exist_ok=True)
    prov = folder / "PROVENANCE.md"
    sections: dict[str, str] = {}
    if prov.exists():
        for part in prov.read_text(encoding="utf-8").split("\n## ")[1:]:
            sections[part.split()[0]] = "## " + part.rstrip("\n") + "\n"
    written = []
    for t in tables:
        file = f"cbs_{t.table_id}.csv"
        _write_atomically(folder / file, t.frame.to_csv(index=False, lineterminator="\n"))
        sections[file] = _section(t, file)
        written.append(folder / file)
    _write_atomically(prov, _HEADER + "\n".join(sections[k] for k in sorted(sections)))
    return written


def refresh(table_ids: Sequence[str], folder: Path, client: Any = None) -> list[FetchedTable]:
    """Fetch every table, then write them all (nothing is written unless every fetch succeeded)."""
    fetched = [fetch_table(t, client) for t in table_ids]
    write_tables(fetched, folder)
    return fetched
