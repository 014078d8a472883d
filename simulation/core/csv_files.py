"""Reading the data files a scenario names: CSV rows and the numbers in them, checked.

Every problem is a :class:`~simulation.config.ScenarioError` that names the file, the scenario key
that names it, the line and the column, so bad data gets the same clear message (exit 2) as a bad
scenario.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Sequence

from simulation.config import ScenarioError, shown

__all__ = ["MAX_CSV_BYTES", "read_csv", "read_number"]

#: Largest data file (CSV) a scenario may name, in bytes.
MAX_CSV_BYTES = 200_000_000


def read_csv(path: str, label: str, required: Sequence[str]) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV file as mappings; every row must have as many values as the header.

    Every problem (no such file, not UTF-8, a short or long row, a huge field, a missing or
    repeated column) is a :class:`ScenarioError` naming the file, ``label`` (the scenario key
    that names it) and the line."""
    rows: list[dict[str, str]] = []
    line = 1
    try:
        size = os.stat(path).st_size
        if size > MAX_CSV_BYTES:
            raise ScenarioError(path, [(label, f"{size} bytes is too large; at most {MAX_CSV_BYTES}")])
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                raise ScenarioError(path, [(label, "file is empty; it needs a header and rows")])
            repeated = sorted({c for c in header if header.count(c) > 1})
            if repeated:
                raise ScenarioError(path, [(label, f"column(s) {shown(repeated)} appear more than once in the header")])
            for values in reader:
                line = reader.line_num
                if not values:
                    continue  # a blank line
                if len(values) != len(header):
                    why = f"{len(values)} value(s) where the header has {len(header)} columns"
                    raise ScenarioError(path, [(f"{label}, line {line}", why)])
                rows.append(dict(zip(header, values, strict=True)))
    except ScenarioError:
        raise
    except UnicodeDecodeError as exc:
        raise ScenarioError(path, [(label, f"not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
    except csv.Error as exc:
        raise ScenarioError(path, [(f"{label}, line {line + 1}", f"not valid CSV: {shown(str(exc))}")]) from None
    except (OSError, ValueError) as exc:
        raise ScenarioError(path, [(label, f"cannot be read: {shown(str(exc))}")]) from None
    if not rows:
        raise ScenarioError(path, [(label, "file has no rows")])
    missing = [c for c in required if c not in header]
    if missing:
        raise ScenarioError(path, [(label, f"missing column(s) {missing}; required {list(required)}")])
    return rows


def read_number(row: dict[str, str], column: str, label: str, line: int, low: float, high: float) -> float:
    """The number in ``column`` of a CSV row, which must lie in [low, high] (an error names the
    file ``label``, the line and the column)."""
    raw = row[column]
    try:
        value = float(raw)
    except ValueError:
        raise ScenarioError(label, [(f"line {line}, {column}", f"not a number: {shown(raw)}")]) from None
    if not (low <= value <= high) or math.isnan(value):
        raise ScenarioError(label, [(f"line {line}, {column}", f"{value} out of range; allowed [{low}, {high}]")])
    return value
