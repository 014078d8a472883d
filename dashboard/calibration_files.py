"""Where the calibration's output lies, and its Markdown reports cut into text and pictures.

``jeugdzorg-sim calibrate CONFIG`` writes the calibrated scenario ``scenarios/calibrated/<name>.yaml``
with its report ``<name>.md`` (and the PNGs it names) beside it; ``jeugdzorg-sim validate-history``
writes ``validation.md``, ``validation.csv`` and PNGs into ``results/validation/<name>/`` (see
calibration/cli.py). The page shows them as they are; nothing here computes anything. A report's
pictures are shown by the page itself (``st.markdown`` cannot show a local file), and only those
in the report's own folder: a report is read, never trusted to point elsewhere.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from dashboard.geo import DATA_DIR

__all__ = [
    "CALIBRATED_ENV",
    "Calibration",
    "Part",
    "calibrated_dir",
    "calibrations",
    "report_parts",
    "validation_dirs",
    "validation_roots",
]

PROJECT = DATA_DIR.parent
#: the folder of calibrated scenarios the page lists (tests point it elsewhere)
CALIBRATED_ENV = "JEUGDZORG_CALIBRATED_DIR"
#: a Markdown picture on a line of its own: ![caption](file)
_IMAGE = re.compile(r"^!\[(?P<caption>[^\]]*)\]\((?P<file>[^)\s]+)\)\s*$")
#: any Markdown picture in a line of text (the browser would fetch it: never passed on)
_ANY_IMAGE = re.compile(r"!\[(?P<caption>[^\]]*)\]\([^)]*\)")


def calibrated_dir() -> Path:
    """``$JEUGDZORG_CALIBRATED_DIR``, else the project's ``scenarios/calibrated``."""
    return Path(os.environ.get(CALIBRATED_ENV) or PROJECT / "scenarios" / "calibrated")


@dataclass(frozen=True)
class Calibration:
    name: str
    scenario: Path
    #: the calibration report beside it (None: written before reports existed, or removed)
    report: Path | None


def calibrations(folder: Path) -> list[Calibration]:
    """The calibrated scenarios in ``folder``, newest first (by the scenario file's time)."""
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.yaml"), key=lambda p: (-p.stat().st_mtime, p.name))
    out = []
    for f in files:
        report = f.with_suffix(".md")
        out.append(Calibration(f.stem, f, report if report.is_file() else None))
    return out


def validation_roots(store_root: Path) -> list[Path]:
    """Where validate-history output may lie: the result store the dashboard reads and the
    project's ``results/`` (the command's default, wherever the dashboard was started from)."""
    return [store_root, PROJECT / "results"]


def validation_dirs(roots: list[Path]) -> list[Path]:
    """The folders under ``<root>/validation/`` that hold a ``validation.md``, newest first."""
    found: dict[Path, float] = {}
    for root in roots:
        base = root / "validation"
        if base.is_dir():
            for md in base.glob("*/validation.md"):
                found[md.parent.resolve()] = md.stat().st_mtime
    return sorted(found, key=lambda p: (-found[p], p.name))


@dataclass(frozen=True)
class Part:
    """Markdown text, or a picture (``image`` set) with its caption."""

    text: str = ""
    image: Path | None = None


def report_parts(markdown: str, folder: Path) -> list[Part]:
    """``markdown`` cut at its pictures: text parts and picture parts, in order. A picture that
    is not a file in ``folder`` itself (a path elsewhere, a URL, missing) becomes a note in the
    text: the browser is never handed a picture address to fetch."""
    parts: list[Part] = []
    lines: list[str] = []
    inside = folder.resolve()
    for line in markdown.splitlines():
        match = _IMAGE.match(line.strip())
        picture = (inside / match["file"]).resolve() if match else None
        if match and picture is not None and picture.parent == inside and picture.is_file():
            if lines:
                parts.append(Part(text="\n".join(lines)))
                lines = []
            parts.append(Part(text=match["caption"], image=picture))
        else:
            lines.append(_ANY_IMAGE.sub(lambda m: f"*(afbeelding niet getoond: {m['caption']})*", line))
    if any(line.strip() for line in lines):
        parts.append(Part(text="\n".join(lines)))
    return parts
