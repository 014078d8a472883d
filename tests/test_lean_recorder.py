"""The lean recorder gives the same KPIs as the full tables do, through the same KPI registry.

The full path builds the episodes table and ``metrics.kpis`` reads the episodes from it; the lean
path (``run_replication(..., lean=True)``, which every KPI-only job takes) runs the same model with
:class:`LeanRecorder` and hands ``metrics.kpis`` the per-child arrays instead. Equal floats (not
close ones), for every KPI overall and per care form, show they compute the same thing.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from simulation.config import load_scenario
from simulation.runner import run_replication
from tests.conftest import ROOT, run

RIJNMOND = ["JZ29"]
CASES = {
    "flevoland": ("scenarios/flevoland.yaml", {"years": 1.0}),
    "landelijk": ("scenarios/landelijk.yaml", {"years": 0.5, "warmup_days": 60, "regions": RIJNMOND}),
    "gefragmenteerd": ("scenarios/gefragmenteerd.yaml", {"years": 0.5, "regions": ["JZ27", "JZ28"]}),
    # a provider leaves: re-placed children and their extra wait
    "uitval": ("scenarios/stress/uitval-grootste-aanbieder.yaml", {"years": 1.0, "regions": RIJNMOND}),
    # a phased-out form: diverted children
    "afbouw": ("scenarios/stress/afbouw-gesloten-jeugdhulp.yaml", {"years": 1.0, "regions": RIJNMOND}),
    "transitie": ("scenarios/stress/transitie-regionaal.yaml", {"years": 1.0, "regions": ["JZ27", "JZ28", "JZ29"]}),
}


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.mark.parametrize("case", list(CASES))
def test_lean_episode_kpis_equal_the_full_tables_kpis(case: str) -> None:
    path, overrides = CASES[case]
    scenario = load_scenario(ROOT / path, overrides)
    full = run(scenario)
    lean = run_replication(scenario, 0, engine="reference", lean=True)

    values = {(r.kpi, r.care_form): float(r.value) for r in full.kpis.itertuples()}
    got = {(r.kpi, r.care_form): float(r.value) for r in lean.kpis.itertuples()}
    assert list(got) == list(values), "the same KPIs and care forms, in the same order"
    for key, value in values.items():
        assert _same(got[key], value), f"{case}: {key} lean {got[key]} full {value}"
    replaced = got[("replacement_extra_wait_days", "ALL")]
    # the cases exercise what the KPIs measure
    assert values[("children_served", "ALL")] > 0 and values[("waiting_at_end", "ALL")] > 0
    if case == "uitval":
        assert not math.isnan(replaced)

    # No episodes table; the small tables are the full ones, row for row.
    assert "episodes" not in lean.tables
    for name, frame in lean.tables.items():
        pd.testing.assert_frame_equal(frame, full.tables[name], check_dtype=False, obj=f"{case}: {name}")


def test_escalations_are_counted_alike(scenario_factory) -> None:
    """A tiny overloaded world where children escalate: escalations counted the same both ways."""
    scenario = scenario_factory(
        places=2,
        rate_per_day=0.5,
        mean_days=20.0,
        years=1.0,
        warmup_days=30.0,
        escalation={"after_days": 15.0, "probability": 0.6, "places": 1, "mean_days": 10.0},
    )
    full = run(scenario)
    lean = run_replication(scenario, 0, engine="reference", lean=True)
    values = {(r.kpi, r.care_form): float(r.value) for r in full.kpis.itertuples()}
    assert values[("escalations", "ALL")] > 0
    got = {(r.kpi, r.care_form): float(r.value) for r in lean.kpis.itertuples()}
    assert got.keys() == values.keys() and all(_same(got[k], v) for k, v in values.items())
