"""Result sets: Parquet tables plus manifest.json, written atomically, never overwritten.

A result set is written into a hidden temporary directory beside its destination and renamed
into place only when every file is complete, so a directory with a manifest is always whole,
and a run that dies leaves only a ``.<name>.tmp-*`` directory behind (with no manifest). The
CLI, the dashboard and the calibration read result sets through :func:`open_results` only.

:class:`ResultWriter` streams: the tables of each replication are written as Parquet parts,
by the worker that made them where it shares this disk, so the parent never encodes them. A
table made of parts is a folder ``<table>.parquet/`` holding one ``<key>.parquet`` file per
job, keys sorting as (cell, scenario, replication); ``pandas.read_parquet`` reads the folder as
one table in that order, and :meth:`ResultSet.table` does so explicitly. At
:meth:`ResultWriter.commit` the parts of a table are made to agree on one schema (an empty part
carries no types), so the bytes of a result set depend only on the parts and their keys, never
on the order in which they arrived or on the executor, and memory stays flat however many
replications a run has.

The result store (:func:`store_dir`, :func:`list_results`) keeps result sets under one root as
``<name>-<fingerprint8>-<seed>``; a second run with the same fingerprint and seed can reuse it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = [
    "MANIFEST",
    "ResultExistsError",
    "ResultSet",
    "ResultWriter",
    "code_fingerprint",
    "find_reusable",
    "list_results",
    "open_results",
    "store_dir",
    "write_part",
    "write_result_set",
]

MANIFEST = "manifest.json"
#: Written into the temporary directory when a run starts, so a killed run can be recognised.
PENDING = "pending.json"
_COMPRESSION = "zstd"
#: Rows per Parquet row group.
_ROW_GROUP = 1 << 19


class ResultExistsError(FileExistsError):
    """The destination already holds a result; results are never overwritten."""


@dataclass
class ResultSet:
    path: Path
    manifest: dict[str, Any]
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def tables(self) -> list[str]:
        return list(self.manifest.get("tables", []))

    def table(
        self, name: str, columns: list[str] | None = None, filters: list[tuple[str, str, Any]] | None = None
    ) -> pd.DataFrame:
        """Table ``name`` as a DataFrame; ``columns`` and ``filters`` (pyarrow's
        ``[(column, op, value)]``) read only what is asked, from the parts that hold it."""
        if name not in self.tables:
            raise KeyError(f"no table {name!r} in {self.path}; tables: {self.tables}")
        whole = columns is None and filters is None
        if whole and name in self._cache:
            return self._cache[name]
        path = self.path / f"{name}.parquet"
        source: Any = part_files(path) if path.is_dir() else path
        frame = pq.ParquetDataset(source, filters=filters).read(columns=columns).to_pandas()
        if whole:
            self._cache[name] = frame
        return frame


def part_files(folder: Path) -> list[Path]:
    """The parts of a table folder in key order (hidden files are parts being written)."""
    return sorted(p for p in folder.iterdir() if p.suffix == ".parquet" and not p.name.startswith((".", "_")))


def _normalise(table: pa.Table) -> pa.Table:
    """Drop pandas metadata and widen dictionary indices so parts of one table share a schema."""
    fields = []
    for f in table.schema:
        if pa.types.is_dictionary(f.type):
            f = f.with_type(pa.dictionary(pa.int32(), f.type.value_type))
        fields.append(f)
    return table.cast(pa.schema(fields))


def write_part(root: Path, name: str, key: str, frame: pd.DataFrame) -> None:
    """Write one piece of table ``name`` as ``root/<name>.parquet/<key>.parquet``."""
    folder = root / f"{name}.parquet"
    folder.mkdir(parents=True, exist_ok=True)
    table = _normalise(pa.Table.from_pandas(frame, preserve_index=False)).replace_schema_metadata(None)
    _write_parquet(table, folder / f"{key}.parquet")


def _write_parquet(table: pa.Table, dest: Path) -> None:
    """Write ``dest`` through a hidden temporary file, so a reader never sees half a part."""
    tmp = dest.with_name(f".{dest.name}.tmp")
    pq.write_table(table, tmp, compression=_COMPRESSION, row_group_size=_ROW_GROUP)
    os.replace(tmp, dest)


class ResultWriter:
    """Write one result set into a temporary directory; :meth:`commit` renames it into place.

    Use as a context manager: leaving the block without :meth:`commit` (an error, Ctrl-C)
    removes the temporary directory. A process killed outright leaves it, without a manifest.
    """

    def __init__(self, dest: str | Path, pending: Mapping[str, Any] | None = None) -> None:
        self.dest = Path(dest).resolve()
        if self.dest.exists():
            raise ResultExistsError(f"{self.dest} already exists; results are never overwritten (choose another --out)")
        self.dest.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.dest.name}.tmp-", dir=self.dest.parent))
        self._parts: dict[str, list[str]] = {}
        self._tables: list[str] = []
        self._unified: set[str] = set()
        self._done = False
        note = {"pid": os.getpid(), "started_at": _now(), **(pending or {})}
        (self.tmp / PENDING).write_text(json.dumps(note, indent=2, sort_keys=True, default=str), encoding="utf-8")

    def __enter__(self) -> ResultWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._done:
            self.abort()

    def add_part(self, name: str, key: str, frame: pd.DataFrame) -> None:
        """One piece of table ``name``; pieces are read in the (string) order of their keys."""
        write_part(self.parts_dir, name, key, frame)
        self.register_part(name, key)

    @property
    def parts_dir(self) -> Path:
        """Where parts go; a worker that shares the disk may write them itself (:func:`write_part`)."""
        return self.tmp

    def register_part(self, name: str, key: str) -> None:
        """Count a part that :func:`write_part` wrote into :attr:`parts_dir`."""
        if name in self._tables:
            raise ValueError(f"table {name!r} written twice")
        if not (self.tmp / f"{name}.parquet" / f"{key}.parquet").is_file():
            raise FileNotFoundError(f"part {name}/{key} was not written")
        self._parts.setdefault(name, []).append(key)

    def add_table(self, name: str, frame: pd.DataFrame) -> None:
        """A whole table."""
        if name in self._parts or name in self._tables:
            raise ValueError(f"table {name!r} written twice")
        frame.to_parquet(self.tmp / f"{name}.parquet", index=False, engine="pyarrow", compression="zstd")
        self._tables.append(name)

    def _unify(self, name: str) -> None:
        """Give every part of ``name`` the schema of the whole table (parts are read as one)."""
        files = [self.tmp / f"{name}.parquet" / f"{k}.parquet" for k in sorted(self._parts[name])]
        footers = [pq.read_metadata(f) for f in files]  # one read of each part's footer
        schemas = [m.schema.to_arrow_schema() for m in footers]
        rows = [m.num_rows for m in footers]
        # Empty parts carry no type information (pandas gives their columns a default type).
        typed = [sc for sc, n in zip(schemas, rows, strict=True) if n > 0] or schemas[:1]
        schema = pa.unify_schemas(typed, promote_options="permissive")
        for f, sc, n in zip(files, schemas, rows, strict=True):
            if sc.equals(schema):
                continue
            table = schema.empty_table() if n == 0 else pq.read_table(f).select(schema.names).cast(schema)
            _write_parquet(table, f)

    def finish_parts(self) -> None:
        """Make the parts of every table agree on one schema (:meth:`commit` does it if needed)."""
        try:
            for name in self._parts:
                if name not in self._unified:
                    self._unify(name)
                    self._unified.add(name)
        except BaseException:
            self.abort()
            raise

    def commit(self, manifest: Mapping[str, Any]) -> Path:
        """Finish the parts, write the manifest last, and rename the directory into place."""
        self.finish_parts()
        try:
            names = [*self._parts, *self._tables]
            (self.tmp / PENDING).unlink(missing_ok=True)
            full = dict(manifest)
            full["tables"] = names
            full["table_parts"] = {name: len(keys) for name, keys in self._parts.items()}
            with open(self.tmp / MANIFEST, "w", encoding="utf-8") as fh:
                json.dump(full, fh, indent=2, sort_keys=True, default=str)
                fh.flush()
                os.fsync(fh.fileno())
            if self.dest.exists():
                raise ResultExistsError(f"{self.dest} appeared while writing; results are never overwritten")
            os.rename(self.tmp, self.dest)
        except BaseException:
            self.abort()
            raise
        self._done = True
        return self.dest

    def abort(self) -> None:
        self._done = True
        shutil.rmtree(self.tmp, ignore_errors=True)


def write_result_set(dest: str | Path, tables: Mapping[str, pd.DataFrame], manifest: Mapping[str, Any]) -> Path:
    """Write ``tables`` and ``manifest`` to ``dest`` atomically; refuse if ``dest`` exists."""
    with ResultWriter(dest) as writer:
        for name, frame in tables.items():
            writer.add_table(name, frame)
        return writer.commit(manifest)


def open_results(path: str | Path) -> ResultSet:
    """Open a complete result set (one with a manifest)."""
    path = Path(path)
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise FileNotFoundError(f"{path} is not a complete result set (no {MANIFEST})")
    with open(manifest_path, encoding="utf-8") as fh:
        return ResultSet(path, json.load(fh))


# --------------------------------------------------------------------------------------------
# The result store


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def store_dir(root: str | Path, name: str, fingerprint: str, seed: int) -> Path:
    """Where the store keeps the result of (name, fingerprint, seed)."""
    return Path(root) / f"{name}-{fingerprint[:8]}-{seed}"


def code_fingerprint() -> str:
    """SHA-256 of the simulation package's source: results made by other code are not reused."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def find_reusable(base: Path, fingerprint: str, code: str | None = None) -> Path | None:
    """``base`` (or a ``base-N`` written with --force) if it is complete, has ``fingerprint``
    and, if ``code`` is given, was made by code with that :func:`code_fingerprint`."""
    candidates = [base, *sorted(base.parent.glob(f"{base.name}-*"), key=lambda p: p.name)]
    for path in candidates:
        if path.is_dir() and (path / MANIFEST).is_file():
            try:
                manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if manifest.get("fingerprint") == fingerprint and (
                code is None or manifest.get("code_fingerprint") == code
            ):
                return path
    return None


def free_dir(base: Path) -> Path:
    """``base`` if nothing is there, else the first free ``base-2``, ``base-3``, ..."""
    if not base.exists():
        return base
    n = 2
    while (base.parent / f"{base.name}-{n}").exists():
        n += 1
    return base.parent / f"{base.name}-{n}"


def list_results(root: str | Path) -> pd.DataFrame:
    """Every result directory under ``root``, complete or not (a run that died or is running)."""
    rows = []
    root = Path(root)
    for path in sorted(root.iterdir() if root.is_dir() else [], key=lambda p: p.name):
        if not path.is_dir():
            continue
        complete = (path / MANIFEST).is_file()
        note_file = path / (MANIFEST if complete else PENDING)
        try:
            note = json.loads(note_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            note = {}
        if not complete and not note and ".tmp-" not in path.name:
            continue  # not a result directory at all
        rows.append(
            {
                "dir": path.name,
                "name": note.get("name", ""),
                "seed": note.get("seed", ""),
                "replications": note.get("replications", ""),
                "created": note.get("created_at", note.get("started_at", "")),
                "complete": "yes" if complete else "no",
            }
        )
    return pd.DataFrame(rows, columns=["dir", "name", "seed", "replications", "created", "complete"])
