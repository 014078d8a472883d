"""The lean recorder gives the same episode KPIs as the full tables do through simulation.metrics.

The full path is the one every result goes through: ``runner.run_replication`` builds the
episodes table and ``metrics.kpis`` computes the KPIs from it with pandas. The lean path runs the
same model with :class:`LeanRecorder` and computes the KPIs with ``recorder.episode_kpis`` from
per-child arrays. Equal floats (not close ones) show they compute the same thing.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from simulation.config import Scenario, load_scenario
from simulation.core.demand import generate
from simulation.core.model import Model, ModelOutput
from simulation.core.random import Streams
from simulation.core.recorder import EPISODE_KPIS, LeanRecorder, episode_kpis
from simulation.engines import ENGINES
from simulation.runner import build_world
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


def lean_run(scenario: Scenario, replication: int = 0) -> tuple[ModelOutput, dict[str, dict[str, float]]]:
    """The model with the lean recorder on the reference engine, and its episode KPIs."""
    world = build_world(scenario)
    forms = {k: scenario.care_forms[k] for k in world.care_forms}
    divert = {po.care_form: po.divert_to for po in scenario.phase_out}
    referrals = generate(
        world.geography.gemeenten,
        forms,
        scenario.demand,
        Streams(scenario.seed, replication),
        scenario.horizon_days,
        scenario.initial_stock,
        divert,
    )
    model = Model(world, referrals, recorder=LeanRecorder())
    ENGINES["reference"](model, scenario.horizon_days)
    out = model.finish()
    norms = {k: v.wait_norm_days.value for k, v in forms.items()}
    return out, episode_kpis(out.children or {}, world.care_forms, norms, scenario.warmup_days, scenario.horizon_days)


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.mark.parametrize("case", list(CASES))
def test_lean_episode_kpis_equal_the_full_tables_kpis(case: str) -> None:
    path, overrides = CASES[case]
    scenario = load_scenario(ROOT / path, overrides)
    full = run(scenario)
    out, lean = lean_run(scenario)

    values = {(r.kpi, r.care_form): float(r.value) for r in full.kpis.itertuples()}
    full_forms = sorted({form for _, form in values} - {"ALL"})
    assert sorted(set(lean) - {"ALL"}) == full_forms, "the same care forms get per-form KPIs"
    for form, kpis in lean.items():
        for kpi in EPISODE_KPIS:
            assert _same(kpis[kpi], values[(kpi, form)]), (
                f"{case}: {kpi} [{form}] lean {kpis[kpi]} full {values[(kpi, form)]}"
            )
    replaced = lean["ALL"]["replacement_extra_wait_days"]
    assert _same(replaced, values[("replacement_extra_wait_days", "ALL")])
    # the cases exercise what the KPIs measure
    assert values[("children_served", "ALL")] > 0 and values[("waiting_at_end", "ALL")] > 0
    if case == "uitval":
        assert not math.isnan(replaced)

    # No episodes table; the small tables are the full ones, row for row.
    assert "episodes" not in out.tables
    for name, columns in out.tables.items():
        expected = full.tables[name].drop(columns=["scenario", "replication"])
        pd.testing.assert_frame_equal(pd.DataFrame(columns), expected, check_dtype=False, obj=f"{case}: {name}")
    # One entry per child of the full episodes table, in its order.
    children = out.children
    assert children is not None
    ep = full.tables["episodes"]
    np.testing.assert_array_equal(children["t_referral"], ep["t_referral"].to_numpy())
    np.testing.assert_array_equal(children["care_form"], ep["care_form"].cat.codes.to_numpy())


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
    _, lean = lean_run(scenario)
    values = {(r.kpi, r.care_form): float(r.value) for r in full.kpis.itertuples()}
    assert values[("escalations", "ALL")] > 0
    for form, kpis in lean.items():
        for kpi in EPISODE_KPIS:
            assert _same(kpis[kpi], values[(kpi, form)]), f"{kpi} [{form}]"
