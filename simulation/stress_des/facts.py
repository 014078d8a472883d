"""What the STRESS-DES report says, read from the scenarios, the KPI registry, the data and the code.

Every function here returns plain data for the template; nothing is typed twice. What depends on
the machine (versions installed, run times) is left out, so the report is the same everywhere
and a test can hold the committed file against a fresh one.
"""

from __future__ import annotations

import inspect
import re
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml
from pydantic import BaseModel

from simulation.config import Scenario, load_scenario
from simulation.config.base import Provenance, Sourced

__all__ = [
    "attributes",
    "care_forms",
    "data_files",
    "doc",
    "parameters",
    "places_per_form",
    "project",
    "scenario_changes",
]


_ROLE = re.compile(r":(?:func|meth|mod|class|data|attr):`~?\.?([^`]+)`")


def doc(module: ModuleType) -> str:
    """A module's docstring as Markdown: paragraphs joined into lines, bullets kept, roles as code."""
    text = _ROLE.sub(lambda m: f"`{m.group(1).split('.')[-1]}`", inspect.cleandoc(module.__doc__ or ""))
    text = text.replace("``", "`")
    out = []
    for para in text.split("\n\n"):
        lines = para.splitlines()
        if lines and lines[0].startswith("* "):
            bullets: list[str] = []
            for line in lines:
                if line.startswith("* "):
                    bullets.append("- " + line[2:].strip())
                else:
                    bullets[-1] += " " + line.strip()
            out.append("\n".join(bullets))
        else:
            out.append(" ".join(" ".join(lines).split()))
    return "\n\n".join(out)


def _short(text: str, limit: int = 220) -> str:
    text = " ".join(text.split()).replace("|", "/")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _value(m: Provenance) -> str:
    if isinstance(m, Sourced):
        return f"{m.value:g}"
    fields = {k: getattr(m, k) for k in type(m).model_fields if k not in ("source", "assumption", "note")}
    return ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in fields.items() if v is not None)


def parameters(scenario: Scenario) -> list[dict[str, str]]:
    """Every value with a provenance (``source`` or ``assumption``) in the scenario, in file order."""
    out: list[dict[str, str]] = []

    def walk(m: Any, path: str) -> None:
        if isinstance(m, Provenance):
            kind = "source" if m.source else "assumption"
            text = m.source or m.assumption or ""
            tag = "GAP" if text.startswith("GAP") else "EST" if text.startswith("EST") else ""
            out.append({"path": path, "value": _value(m), "kind": kind, "tag": tag, "text": _short(text)})
        if isinstance(m, BaseModel):
            for k in type(m).model_fields:
                walk(getattr(m, k), f"{path}.{k}" if path else k)
        elif isinstance(m, dict):
            for k, v in m.items():
                walk(v, f"{path}.{k}")
        elif isinstance(m, list | tuple):
            for i, v in enumerate(m):
                walk(v, f"{path}[{i}]")

    walk(scenario, "")
    return out


def places_per_form(scenario: Scenario) -> dict[str, int]:
    """Nominal places per care form in the scenario's places file."""
    import csv

    totals: dict[str, int] = {}
    with open(scenario.providers.places_file, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            totals[row["zorgvorm"]] = totals.get(row["zorgvorm"], 0) + int(float(row["plaatsen"]))
    return totals


def care_forms(scenario: Scenario) -> list[dict[str, str]]:
    """One row per care form: the inputs that make it a queue (arrivals, durations, places)."""
    places = places_per_form(scenario)
    rows = []
    for key, f in scenario.care_forms.items():
        d = f.duration
        rows.append({
            "key": key,
            "name": f.name,
            "level": f.level,
            "residential": "yes" if f.residential else "no",
            "rate": f"{f.referral_rate_per_1000.value:g}",
            "duration": f"{d.dist}, mean {d.mean_days:g} d" + (f", cv {d.cv:g}" if d.cv is not None else ""),
            "tariff": f"{f.tariff_eur_per_day.value:,.0f}",
            "norm": f"{f.wait_norm_days.value:g}",
            "places": f"{places.get(key, 0):,}",
        })  # fmt: skip
    return rows


def scenario_changes(path: Path, root: Path) -> dict[str, str]:
    """A scenario file's name, question and the top-level parts it sets beyond the file it extends."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    s = load_scenario(path)
    own = [k for k in raw if k not in ("extends", "name", "description")]
    return {
        "file": path.relative_to(root).as_posix(),
        "name": s.name,
        "description": s.description,
        "extends": Path(raw.get("extends", "")).name,
        "sets": ", ".join(f"`{k}`" for k in own) or "nothing",
    }


_ASSIGN = re.compile(r"^\s+self\.(\w+)(?::[^=]+)?\s*=\s*(.*?)(?:\s+#\s*(.*))?$")


def attributes(cls: type) -> list[tuple[str, str, str]]:
    """(name, group, note) of each attribute ``cls.__init__`` sets: the ``#`` comment line heading
    its group and its own trailing or ``#:`` comment."""
    lines = inspect.getsource(cls.__init__).splitlines()  # type: ignore[misc]
    out: list[tuple[str, str, str]] = []
    pending = group = ""
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("#:"):
            pending = stripped[2:].strip()
            continue
        if stripped.startswith("#"):
            group = stripped[1:].strip()
            continue
        m = _ASSIGN.match(line)
        if m and all(m.group(1) != name for name, _, _ in out):
            out.append((m.group(1), group, m.group(3) or pending))
        if m:
            pending = ""
    return out


def data_files(root: Path) -> list[dict[str, str]]:
    """The data files under data/ and the heading of their provenance section, if any."""
    provenance = (root / "data" / "PROVENANCE.md").read_text(encoding="utf-8")
    headings = [h.strip("# ").strip() for h in provenance.splitlines() if h.startswith(("## ", "### "))]
    rows = []
    for f in sorted((root / "data").rglob("*")):
        if not f.is_file() or f.name == "PROVENANCE.md":
            continue
        rel = f.relative_to(root / "data").as_posix()
        # By its path; else by its name (a section may name the folder differently or list two files).
        heading = next((h for h in headings if rel in h), "") or next((h for h in headings if f.name in h), "")
        rows.append({"file": rel, "heading": _short(heading, 160)})
    return rows


def project(root: Path) -> dict[str, Any]:
    """Name, licence, Python and dependency requirements from pyproject.toml."""
    meta = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {
        "name": meta["name"],
        "license": meta["license"]["text"],
        "python": meta["requires-python"],
        "dependencies": meta["dependencies"],
        "dev": meta["optional-dependencies"]["dev"],
    }
