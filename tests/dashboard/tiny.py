"""A tiny result store for the dashboard tests: the main job cut to two jeugdregio's and six
regionally bought care forms, two replications of a quarter year, run through the service path."""

from __future__ import annotations

from pathlib import Path

from simulation import service

ROOT = Path(__file__).resolve().parents[2]
MAIN = ROOT / "scenarios" / "experiments" / "drie-regimes.yaml"
REGIONS = ["JZ08", "JZ16"]
FORMS = ["pleegzorg", "gezinshuis", "residentieel", "crisisopvang", "intensief_ambulant", "dagbehandeling"]
OVERRIDES = {
    "years": 0.5,
    "warmup_days": 30,
    "replications": 2,
    # the experiment keeps its name (drie-regimes): the dashboard finds it as the main job
    "variants": [{"name": "klein", "set": {"regions": REGIONS, "only_care_forms": FORMS}}],
}


def make_store(root: Path) -> service.StoredRun:
    return service.run_to_store(MAIN, root=root, overrides=OVERRIDES, executor="serial")
