"""Scenario verkennen: a what-if as a scenario file on top of a shipped regime, checked in Dutch.

A :class:`WhatIf` holds what a bestuurder can change on the page; :func:`check` says, per field
and in Dutch, what is out of range; :func:`scenario` writes the what-if as a scenario mapping
that ``extends`` the shipped regime file (so every parameter it does not change keeps its source
and assumption), and :func:`start` runs it through :func:`simulation.service.run_to_store` in
a separate process (``python -m dashboard.whatif_worker``) that reports its progress in a JSON
file, so the page stays responsive. No model logic: every lever is an existing scenario field.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from dashboard.geo import DATA_DIR

__all__ = [
    "REGIMES",
    "REGIONAL_FORMS",
    "WarmWorker",
    "WhatIf",
    "check",
    "neighbours",
    "read_status",
    "scenario",
    "start",
    "write_scenario",
]

SCENARIOS = DATA_DIR.parent / "scenarios"
#: the shipped regime files a what-if builds on
REGIMES = ("gefragmenteerd", "regionaal", "landelijk")
#: a what-if for one region simulates the forms bought in the region (as scenarios/flevoland.yaml):
#: providers outside the simulated regions are left out, so forms bought above the region level
#: (bovenregionaal, landelijk) would have no providers
REGIONAL_FORMS = ("pleegzorg", "gezinshuis", "residentieel", "crisisopvang", "intensief_ambulant", "dagbehandeling")
START = dt.date(2026, 1, 1)


@dataclass(frozen=True)
class WhatIf:
    regime: str = "regionaal"
    #: a jeugdregio code (with its neighbours), or None for the whole country
    region: str | None = "JZ08"
    demand_growth: float = 0.0
    turnover_factor: float = 1.0
    tariff_factor: float = 1.0
    #: every provider's places at the start times this factor (capacity.places_factor)
    places_factor: float = 1.0
    #: forms bought nationally (None: as the regime file says)
    national_forms: tuple[str, ...] | None = None
    fail_largest: bool = False
    years: float = 1.0
    replications: int = 3


#: field -> (lowest, highest, Dutch name, how to show a bound)
BOUNDS: dict[str, tuple[float, float, str, str]] = {
    "demand_growth": (-0.2, 0.3, "Vraaggroei per jaar", "{:.0%}"),
    "turnover_factor": (0.5, 3.0, "Verloop van personeel (factor)", "{:g}"),
    "tariff_factor": (0.5, 1.5, "Tarieven (factor)", "{:g}"),
    "places_factor": (0.5, 1.5, "Plaatsen (factor)", "{:g}"),
    "years": (0.25, 5.0, "Gesimuleerde jaren", "{:g}"),
    "replications": (1, 20, "Replicaties", "{:d}"),
}


def _shown(fmt: str, value: float) -> str:
    return fmt.format(int(value) if "d" in fmt else value).replace(".", ",")


def check(w: WhatIf, regions: set[str], care_forms: set[str]) -> dict[str, str]:
    """Dutch messages for the fields of ``w`` that are not allowed (empty: all is well)."""
    problems: dict[str, str] = {}
    for name, (low, high, label, fmt) in BOUNDS.items():
        value = getattr(w, name)
        if not isinstance(value, int | float) or value != value or not low <= value <= high:
            problems[name] = f"{label} moet tussen {_shown(fmt, low)} en {_shown(fmt, high)} liggen."
    if isinstance(w.replications, bool) or not isinstance(w.replications, int):
        problems["replications"] = "Replicaties moet een geheel getal zijn."
    if w.regime not in REGIMES:
        problems["regime"] = f"Kies een van de regimes: {', '.join(REGIMES)}."
    if w.region is not None and w.region not in regions:
        problems["region"] = "Kies een jeugdregio uit de lijst (of heel Nederland)."
    if w.national_forms is not None:
        unknown = sorted(set(w.national_forms) - care_forms)
        if unknown:
            problems["national_forms"] = f"Onbekende zorgvorm(en): {', '.join(unknown)}."
        elif w.region is not None and set(w.national_forms) & set(REGIONAL_FORMS):
            problems["national_forms"] = (
                "Voor één regio rekent het model alleen met de zorgvormen die de regio zelf inkoopt; "
                "kies heel Nederland om zorgvormen landelijk in te kopen."
            )
    if "years" not in problems and "replications" not in problems and w.years * w.replications > 40:
        problems["replications"] = "Jaren × replicaties mag hier hoogstens 40 zijn (anders duurt het te lang)."
    return problems


def neighbours(region: str) -> list[str]:
    """The jeugdregio's that share a border with ``region`` (data/regio/jeugdregio_2025_adjacency.csv)."""
    pairs = pd.read_csv(DATA_DIR / "regio" / "jeugdregio_2025_adjacency.csv")
    a = pairs.loc[pairs["jeugdregio_code_a"] == region, "jeugdregio_code_b"]
    b = pairs.loc[pairs["jeugdregio_code_b"] == region, "jeugdregio_code_a"]
    return sorted(set(a) | set(b))


def scenario(w: WhatIf) -> dict[str, Any]:
    """The what-if as a scenario mapping on top of ``scenarios/<regime>.yaml``."""
    label = w.region or "nl"
    out: dict[str, Any] = {
        "extends": str(SCENARIOS / f"{w.regime}.yaml"),
        "name": f"wat-als-{w.regime}-{label}".lower(),
        "description": "Scenario verkennen (dashboard): " + ", ".join(_changes(w)),
        "years": float(w.years),
        "replications": int(w.replications),
    }
    if w.region is not None:
        out["regions"] = [w.region, *neighbours(w.region)]
        out["only_care_forms"] = list(REGIONAL_FORMS)
    if w.demand_growth:
        out["demand"] = {"growth_per_year": float(w.demand_growth)}
    if w.turnover_factor != 1.0:
        out["workforce"] = {"turnover_factor": float(w.turnover_factor)}
    if w.places_factor != 1.0:
        out["capacity"] = {"places_factor": float(w.places_factor)}
    if w.tariff_factor != 1.0:
        out["tariff_changes"] = [{"date": START, "factor": float(w.tariff_factor), "note": "what-if (dashboard)"}]
    if w.national_forms is not None:
        out["regime"] = {"national_forms": list(w.national_forms)}
    if w.fail_largest:
        shock: dict[str, Any] = {"date": START + dt.timedelta(days=120), "which": "largest", "note": "what-if"}
        if w.region is not None:
            shock["region"] = w.region
        out["shocks"] = [shock]
    return out


def _changes(w: WhatIf) -> list[str]:
    said = [f"regime {w.regime}", f"regio {w.region}" if w.region else "heel Nederland"]
    if w.demand_growth:
        said.append(f"vraaggroei {w.demand_growth:+.0%} per jaar")
    if w.turnover_factor != 1.0:
        said.append(f"verloop x{w.turnover_factor:g}")
    if w.tariff_factor != 1.0:
        said.append(f"tarieven x{w.tariff_factor:g}")
    if w.places_factor != 1.0:
        said.append(f"plaatsen x{w.places_factor:g}")
    if w.fail_largest:
        said.append("grootste aanbieder valt om")
    return said


def write_scenario(w: WhatIf, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario(w), sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def start(scenario_file: Path, root: Path, status: Path) -> subprocess.Popen[bytes]:
    """Run ``scenario_file`` into the store at ``root`` in a separate process; it writes its
    progress and outcome into ``status`` (see :func:`read_status`)."""
    status.write_text(json.dumps({"state": "starting", "done": 0, "total": 0}), encoding="utf-8")
    cmd = [sys.executable, "-m", "dashboard.whatif_worker", str(scenario_file), str(root), str(status)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class WarmWorker:
    """The warm what-if worker process, started on first use and again if it has ended.

    Jobs go to its standard input, one JSON line each, and run one after another; each reports
    in its own status file. One per dashboard (``st.cache_resource``), shared by its sessions.
    """

    def __init__(self, workers: int | None = None) -> None:
        #: replication workers of the worker process (None: its default, two)
        self.workers = workers
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def _alive(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            cmd = [sys.executable, "-m", "dashboard.whatif_worker", "--serve"]
            if self.workers is not None:
                cmd += ["--workers", str(self.workers)]
            self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL)  # fmt: skip
        return self._proc

    def warm_up(self) -> int:
        """Start the worker now (it needs a few seconds to load): returns its process id."""
        with self._lock:
            return self._alive().pid

    def submit(self, scenario_file: Path, root: Path, status: Path) -> int:
        """Queue ``scenario_file`` to run into the store at ``root``, reporting in ``status``
        (see :func:`read_status`); returns the worker's process id."""
        status.write_text(json.dumps({"state": "starting", "done": 0, "total": 0}), encoding="utf-8")
        line = json.dumps({"scenario": str(scenario_file.resolve()), "root": str(root.resolve()),
                           "status": str(status.resolve())}) + "\n"  # fmt: skip
        with self._lock:
            for _ in range(2):  # a worker that ended since the last job: start another once
                proc = self._alive()
                assert proc.stdin is not None
                try:
                    proc.stdin.write(line.encode("utf-8"))
                    proc.stdin.flush()
                    return proc.pid
                except (BrokenPipeError, OSError):
                    proc.wait(timeout=10)
            raise RuntimeError("the what-if worker does not start")

    def close(self, timeout: float = 120.0) -> None:
        """End the worker: it finishes the job it runs, then sees its input close (stopped
        outright if it has not ended ``timeout`` seconds later)."""
        with self._lock:
            proc, self._proc = self._proc, None
            if proc is None:
                return
            if proc.stdin is not None:
                proc.stdin.close()
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def read_status(status: Path) -> dict[str, Any]:
    """``{"state": starting|running|done|error, "done", "total", "path"?, "message"?}``."""
    try:
        value = json.loads(status.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"state": "starting", "done": 0, "total": 0}
    return value if isinstance(value, dict) else {"state": "starting", "done": 0, "total": 0}
