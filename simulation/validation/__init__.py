"""The validation report: the model beside what was observed (``jeugdzorg-sim validation-report``).

* :mod:`~simulation.validation.observed`: observed figures, read from the data files in ``data/``;
* :mod:`~simulation.validation.measures`: the model's quantities, one value per replication;
* :mod:`~simulation.validation.comparisons`: which model quantity is held against which figure;
* :mod:`~simulation.validation.report`: evaluation over replications and the Markdown report.

The report reads a result set of an experiment through the service path (the main job's result is
reused when the store holds it) and is committed as ``docs/VALIDATION.md``; every figure the
README quotes about the model's fit comes from it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from simulation.experiment import Experiment
from simulation.results import ResultSet
from simulation.validation.comparisons import Comparison, comparisons
from simulation.validation.measures import load_runs
from simulation.validation.observed import youth_by_gemeente
from simulation.validation.report import TOLERANCE, evaluate, render_markdown

__all__ = ["TOLERANCE", "Comparison", "build_report", "comparisons"]

#: the regime the observations describe (the system before the 2026 law)
DEFAULT_REFERENCE = "gefragmenteerd"


def build_report(exp: Experiment, result: ResultSet, reference: str | None = None) -> tuple[pd.DataFrame, str]:
    """The evaluated comparisons and the Markdown report of ``exp``'s result set."""
    scenarios = {s.name: s for s in exp.cells[0].scenarios}
    names = [n for n in result.manifest.get("scenarios", scenarios) if n in scenarios]
    reference = reference or (DEFAULT_REFERENCE if DEFAULT_REFERENCE in names else names[0])
    if reference not in names:
        from simulation.config import ScenarioError

        raise ScenarioError("--reference", [("--reference", f"{reference!r} is not one of {', '.join(names)}")])
    first = scenarios[reference]
    youth = youth_by_gemeente(Path(first.gemeenten_file))
    meta = {
        name: {
            "warmup": s.warmup_days,
            "horizon": s.horizon_days,
            "start": s.start_date,
            "norms": {f: c.wait_norm_days.value for f, c in s.care_forms.items()},
            "youth": youth,
        }
        for name, s in scenarios.items()
    }
    runs = load_runs(result, names, meta)
    table = evaluate(comparisons(first, youth), runs)
    manifest = result.manifest
    text = render_markdown(
        table,
        reference,
        {
            "command": "jeugdzorg-sim validation-report " + Path(str(manifest.get("file", exp.path))).name,
            "result": Path(result.path).name,
            "replications": manifest.get("replications"),
            "years": manifest.get("years"),
            "warmup": manifest.get("warmup_days"),
            "seed": manifest.get("seed"),
            "date": dt.date.today().isoformat(),
        },
    )
    return table, text
