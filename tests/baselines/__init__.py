"""The pinned baseline: small fixed cases whose KPIs and table digests are committed.

Each case is one replication of a shipped scenario with a few overrides that keep it fast. Its
file ``tests/baselines/<case>.json`` holds the KPI table (every KPI, overall and per care form,
as exact floats) and, per result table, its row count, a SHA-256 of its canonical CSV bytes and
the sums of its numeric columns (so a moved digest says which columns moved).

A change in model output must be deliberate: regenerate the files with

    python -m tests.baselines update            # every case
    python -m tests.baselines update flevoland  # some cases

and commit them on their own, with the reason in the commit message. ``python -m tests.baselines
check`` prints what moved without writing anything.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

#: the result tables whose bytes the baseline pins
DIGESTED = ("episodes", "ledger", "waiting", "payments", "exits", "support", "forms", "signals", "stocks")
#: a few neighbouring regions around Rijnmond (JZ29) keep the stress cases small
RIJNMOND_AND_NEIGHBOURS = ["JZ27", "JZ28", "JZ29", "JZ30"]


@dataclass(frozen=True)
class Case:
    name: str
    file: str
    overrides: dict[str, Any] = field(default_factory=dict)


QUARTER = {"years": 0.25, "warmup_days": 30}
CASES = {
    c.name: c
    for c in (
        Case("gefragmenteerd", "scenarios/gefragmenteerd.yaml", QUARTER),
        Case("regionaal", "scenarios/regionaal.yaml", QUARTER),
        Case("landelijk", "scenarios/landelijk.yaml", QUARTER),
        Case("flevoland", "scenarios/flevoland.yaml"),
        Case(
            "uitval-grootste-aanbieder",
            "scenarios/stress/uitval-grootste-aanbieder.yaml",
            {"years": 1.0, "regions": RIJNMOND_AND_NEIGHBOURS},
        ),
        Case("omzetplafond", "scenarios/stress/omzetplafond.yaml", {"years": 1.0, "regions": RIJNMOND_AND_NEIGHBOURS}),
        Case(
            "steun-cruciale-aanbieders",
            "scenarios/stress/steun-cruciale-aanbieders.yaml",
            {"years": 1.0, "regions": RIJNMOND_AND_NEIGHBOURS},
        ),
        Case("tariefkorting", "scenarios/stress/tariefkorting.yaml", {"years": 1.25, "regions": ["JZ29"]}),
    )
}


def _canonical_csv(frame: pd.DataFrame) -> bytes:
    # Python's float repr round-trips exactly, so equal bytes mean equal values.
    return frame.to_csv(index=False, lineterminator="\n").encode()


def _table_summary(frame: pd.DataFrame) -> dict[str, Any]:
    # Infinite solvency (no revenue) would turn a sum into NaN; the digest still covers it.
    numeric = frame.select_dtypes("number").replace([math.inf, -math.inf], math.nan)
    sums = {str(c): _plain(numeric[c].sum()) for c in numeric.columns if c != "replication"}
    return {"rows": len(frame), "sha256": hashlib.sha256(_canonical_csv(frame)).hexdigest(), "sums": sums}


def _plain(x: Any) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


def compute(case: Case) -> dict[str, Any]:
    """Run the case and return what its file pins."""
    from simulation.config import load_scenario
    from simulation.runner import run_replication

    scenario = load_scenario(ROOT / case.file, case.overrides)
    result = run_replication(scenario, replication=0)
    kpis = {f"{r.kpi}|{r.care_form}": _plain(r.value) for r in result.kpis.itertuples()}
    tables = {name: _table_summary(result.tables[name]) for name in DIGESTED}
    return {"case": case.name, "file": case.file, "overrides": case.overrides, "kpis": kpis, "tables": tables}


def path_of(name: str) -> Path:
    return HERE / f"{name}.json"


def load(name: str) -> dict[str, Any]:
    return json.loads(path_of(name).read_text(encoding="utf-8"))


def save(doc: dict[str, Any]) -> Path:
    path = path_of(doc["case"])
    path.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def _moved(old: float | None, new: float | None) -> str:
    if old is None or new is None:
        return f"{old} -> {new}"
    delta = new - old
    rel = f" ({delta / abs(old):+.3%})" if old else ""
    return f"{old!r} -> {new!r}, {delta:+.6g}{rel}"


def differences(pinned: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """Human-readable lines for everything that moved; empty when nothing did."""
    lines = []
    old_k, new_k = pinned["kpis"], now["kpis"]
    for key in sorted(old_k.keys() | new_k.keys()):
        kpi, form = key.split("|")
        if key not in new_k or key not in old_k:
            lines.append(f"KPI {kpi} [{form}]: {'gone' if key not in new_k else 'new'}")
        elif old_k[key] != new_k[key]:
            lines.append(f"KPI {kpi} [{form}]: {_moved(old_k[key], new_k[key])}")
    for name in sorted(pinned["tables"].keys() | now["tables"].keys()):
        old_t, new_t = pinned["tables"].get(name), now["tables"].get(name)
        if old_t is None or new_t is None:
            lines.append(f"table {name}: {'gone' if new_t is None else 'new'}")
            continue
        if old_t["sha256"] == new_t["sha256"]:
            continue
        detail = [f"rows {old_t['rows']} -> {new_t['rows']}"] if old_t["rows"] != new_t["rows"] else []
        for col in sorted(old_t["sums"].keys() | new_t["sums"].keys()):
            a, b = old_t["sums"].get(col), new_t["sums"].get(col)
            if a != b:
                detail.append(f"sum({col}) {_moved(a, b)}")
        lines.append(f"table {name}: bytes differ" + (": " + "; ".join(detail) if detail else " (same rows and sums)"))
    return lines
