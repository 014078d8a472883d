"""``jeugdzorg-sim data refresh``: fetch newer CBS tables into data/ (needs a network)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from simulation.config import ScenarioError

__all__ = ["add_parser", "cmd_data_refresh"]

DEFAULT_FOLDER = "data/cbs/refreshed"


def add_parser(sub: Any) -> None:
    from simulation.cbs_refresh import DEFAULT_TABLES

    d = sub.add_parser("data", help="the project's data: fetch newer CBS tables")
    dsub = d.add_subparsers(dest="data_command", required=True)
    r = dsub.add_parser(
        "refresh",
        help="fetch CBS StatLine tables (open data) into data/cbs/refreshed/ with their provenance",
        description="Fetches each table through the CBS open data API (cbsodata) and writes it as a long CSV "
        "with a provenance section (table id, date fetched, licence). Needs a network; without one it exits "
        "2 and writes nothing. The shipped series in data/cbs/ are never changed.",
    )
    r.add_argument(
        "--tables",
        default=",".join(DEFAULT_TABLES),
        metavar="ID,ID",
        help=f"CBS table ids (default: {','.join(DEFAULT_TABLES)})",
    )
    r.add_argument("--out", default=DEFAULT_FOLDER, metavar="DIR", help=f"folder to write (default: {DEFAULT_FOLDER})")
    r.set_defaults(func=cmd_data_refresh)


def cmd_data_refresh(args: argparse.Namespace) -> int:
    from simulation.cbs_refresh import TABLE_ID, RefreshError, refresh

    ids = [t.strip() for t in args.tables.split(",") if t.strip()]
    bad = [t for t in ids if not TABLE_ID.fullmatch(t)]
    if not ids or bad:
        why = f"not CBS table ids: {bad}" if bad else "no table id given"
        raise ScenarioError("data refresh", [("--tables", f"{why}; ids look like 85097NED")])
    folder = Path(args.out)
    if folder.exists() and not folder.is_dir():
        raise ScenarioError("data refresh", [("--out", f"{folder} is a file, not a folder")])
    try:
        tables = refresh(ids, folder)
    except RefreshError as exc:
        raise ScenarioError("data refresh", [("network", str(exc))]) from None
    for t in tables:
        print(f'wrote {folder / f"cbs_{t.table_id}.csv"}: {len(t.frame):,} rows of {t.table_id} "{t.title}"')
    print(f"provenance in {folder / 'PROVENANCE.md'}")
    return 0
