"""Result sets: Parquet tables plus manifest.json, written atomically, never overwritten, checked.

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

Integrity: at commit the manifest records every file of the set with its size, SHA-256 and (for
Parquet) row count (``files``). :func:`verify_result_set` checks them; :func:`find_reusable`
reuses only a set that checks out whole (a damaged one is left alone, for a person to look at,
and the run computes the result again beside it); :func:`open_results` refuses a set whose
manifest cannot be read or whose files are missing or of the wrong size
(:class:`ResultDamagedError`); :func:`list_results` reports such a set as ``damaged``. Before a
run, :func:`check_destination` vets ``--out`` and :func:`store_lock` makes a second identical
run wait for the first and then reuse its result.
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
    "PENDING",
    "ResultDamagedError",
    "ResultExistsError",
    "ResultSet",
    "ResultWriter",
    "check_destination",
    "open_results",
    "read_manifest",
    "verify_result_set",
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


class ResultDamagedError(FileNotFoundError):
    """A result set whose manifest cannot be read or whose files do not match it.

    A subclass of ``FileNotFoundError``, like the error for a folder without a manifest: either
    way there is no usable result set at that path.
    """


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


def check_destination(path: str | Path) -> Path:
    """Vet ``--out`` before a run: it must not exist (not even as a dangling symbolic link), its
    nearest existing parent must be a folder this process may write in. Returns the absolute
    path; raises :class:`ResultExistsError` (it exists) or ``ScenarioError`` naming ``--out``."""
    from simulation.config import ScenarioError, shown

    dest = Path(os.path.abspath(path))
    if dest.is_symlink() and not dest.exists():
        target = shown(os.readlink(dest))
        raise ScenarioError("--out", [("--out", f"{dest} is a symbolic link to {target}, which does not exist")])
    if os.path.lexists(dest):
        raise ResultExistsError(f"--out: {dest} already exists; results are never overwritten (choose another)")
    ancestor = dest.parent
    while not ancestor.exists():
        if ancestor.is_symlink():
            raise ScenarioError("--out", [("--out", f"{ancestor} is a symbolic link to nothing")])
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise ScenarioError(
            "--out", [("--out", f"{ancestor} is a file, not a folder; a result set cannot go below it")]
        )
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise ScenarioError("--out", [("--out", f"{ancestor} is not writable; choose a folder you may write in")])
    return dest


class ResultWriter:
    """Write one result set into a temporary directory; :meth:`commit` renames it into place.

    Use as a context manager: leaving the block without :meth:`commit` (an error, Ctrl-C)
    removes the temporary directory. A process killed outright leaves it, without a manifest.
    """

    def __init__(self, dest: str | Path, pending: Mapping[str, Any] | None = None) -> None:
        self.dest = check_destination(dest)  # ResultExistsError if it exists; ScenarioError if unusable
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
            full["files"] = _describe_files(self.tmp)
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


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _describe_files(root: Path) -> dict[str, dict[str, Any]]:
    """Every data file below ``root`` (relative POSIX path) with its bytes, SHA-256 and rows."""
    out: dict[str, dict[str, Any]] = {}
    for f in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = f.relative_to(root).as_posix()
        if rel in (MANIFEST, PENDING) or f.name.startswith("."):
            continue
        entry: dict[str, Any] = {"bytes": f.stat().st_size, "sha256": _sha256(f)}
        if f.suffix == ".parquet":
            entry["rows"] = pq.read_metadata(f).num_rows
        out[rel] = entry
    return out


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of ``path``; :class:`ResultDamagedError` if it is unreadable or no mapping."""
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ResultDamagedError(f"{path} is damaged: its {MANIFEST} cannot be read ({exc})") from None
    if not isinstance(manifest, dict):
        raise ResultDamagedError(f"{path} is damaged: its {MANIFEST} is not a JSON object")
    return manifest


def verify_result_set(path: str | Path, checksums: bool = True) -> list[str]:
    """What is wrong with the result set at ``path`` (empty: it is whole).

    Checks that the manifest reads, that every file it records is there with its size and
    (``checksums``) its SHA-256, and that no recorded table lacks its files. A set written
    before files were recorded cannot be checked and reports so.
    """
    path = Path(path)
    if not (path / MANIFEST).is_file():
        return [f"no {MANIFEST}"]
    try:
        manifest = read_manifest(path)
    except ResultDamagedError as exc:
        return [str(exc)]
    files = manifest.get("files")
    if not isinstance(files, dict):
        return ["the manifest records no file checksums (written by an older version)"]
    problems = []
    for rel, entry in sorted(files.items()):
        f = path / rel
        if not isinstance(entry, dict) or not f.is_file():
            problems.append(f"{rel}: missing")
            continue
        size = f.stat().st_size
        if size != entry.get("bytes"):
            problems.append(f"{rel}: {size} bytes, the manifest says {entry.get('bytes')}")
        elif checksums and _sha256(f) != entry.get("sha256"):
            problems.append(f"{rel}: contents differ from the manifest's checksum")
    for table in manifest.get("tables", []):
        if not any(rel == f"{table}.parquet" or rel.startswith(f"{table}.parquet/") for rel in files):
            problems.append(f"table {table}: no files recorded")
    return problems


def open_results(path: str | Path, verify: bool = False) -> ResultSet:
    """Open a complete result set (one with a manifest).

    Raises ``FileNotFoundError`` if there is none, :class:`ResultDamagedError` if its manifest
    cannot be read or a recorded file is missing or of the wrong size (``verify``: or its
    checksum differs).
    """
    path = Path(path)
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise FileNotFoundError(f"{path} is not a complete result set (no {MANIFEST})")
    manifest = read_manifest(path)
    if isinstance(manifest.get("files"), dict):
        problems = verify_result_set(path, checksums=verify)
        if problems:
            shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
            raise ResultDamagedError(f"{path} is damaged: {shown}")
    return ResultSet(path, manifest)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
