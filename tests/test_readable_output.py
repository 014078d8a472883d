"""The short table `run`, `compare` and `results show` print by default, and `--all`.

Values are checked against hand-made summaries: units in the row label, thousands separators,
shares as percentages (differences in percentage points), euros in millions, a sign on positive
differences; only the headline KPIs of the registry, every KPI with ``--all``.
"""

from __future__ import annotations

import pandas as pd
import pytest

from simulation import metrics
from simulation.cli.output import experiment_table


@pytest.mark.parametrize(
    ("value", "fmt", "signed", "shown", "unit"),
    [
        (71.94, "days", False, "71.9", "days"),
        (0.1789, "share", False, "17.9", "%"),
        (-0.0131, "share", True, "-1.3", "pp"),
        (17882.9, "count", False, "17,883", "children"),
        (2066.8, "count", True, "+2,067", "children"),
        (0.4, "count", False, "0.4", "children"),
        (1_847_512_345.0, "eur", False, "1,847.5", "EUR mn"),
        (-31_880_000.0, "eur", True, "-31.9", "EUR mn"),
        (29_896.4, "eur_small", False, "29,896", "EUR"),
        (float("nan"), "days", False, "-", "days"),
    ],
)
def test_a_value_prints_in_its_unit(value: float, fmt: metrics.Format, signed: bool, shown: str, unit: str) -> None:
    own_unit = {"count": "children", "days": "days"}.get(fmt, "EUR")
    kpi = metrics.Kpi("x", own_unit, fmt, False, "", "", lambda w: 0.0)
    assert metrics.format_readable(value, fmt, signed) == shown
    assert metrics.readable_unit(kpi, signed) == unit


def frames() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, object]]:
    rows, diffs = [], []
    for i, k in enumerate(metrics.REGISTRY):
        for name, value in (("a", 1000.0 + i), ("b", 2000.0 + i)):
            rows.append({"scenario": name, "kpi": k.name, "care_form": metrics.ALL, "mean": value,
                         "ci_low": value - 1, "ci_high": value + 1})  # fmt: skip
            if k.per_form:
                rows.append({"scenario": name, "kpi": k.name, "care_form": "pleegzorg", "mean": value,
                             "ci_low": value, "ci_high": value})  # fmt: skip
        diffs.append({"scenario": "b", "against": "a", "kpi": k.name, "care_form": metrics.ALL, "mean": 1000.0,
                      "ci_low": 999.0, "ci_high": 1001.0})  # fmt: skip
    meta = {"replications": 10, "seed": 1, "years": 1.0, "warmup_days": 90.0}
    return pd.DataFrame(rows), pd.DataFrame(diffs), meta


def test_the_short_table_shows_the_headline_kpis_with_units_and_all_shows_every_kpi() -> None:
    summary, diffs, meta = frames()
    short = experiment_table(summary, diffs, meta, [])
    full = experiment_table(summary, diffs, meta, [], full=True)
    headline = [k for k in metrics.REGISTRY if k.headline]
    assert 5 <= len(headline) < len(metrics.REGISTRY)
    for k in metrics.REGISTRY:
        in_short = [line for line in short.splitlines() if line.startswith(f"{k.name} (")]
        assert len(in_short) == (2 if k.headline else 0), k.name  # the scenarios and the differences
        assert any(line.startswith(f"{k.name} ") for line in full.splitlines()), k.name
    wait = next(line for line in short.splitlines() if line.startswith("wait_days_mean (days)"))
    assert "1,000.0 [999.0 to 1,001.0]" in wait and "2,000.0" in wait
    cost = next(line for line in short.splitlines() if line.startswith("total_cost_eur (EUR mn)"))
    assert "0.0" in cost  # EUR 1,0xx is 0.0 mn
    share = [line for line in short.splitlines() if line.startswith("share_over_norm (pp)")]
    assert share and "+100,000.0" in share[0]  # a difference of 1000 (as a share) in percentage points
    assert "Per care form" not in short and "Per care form" in full
    assert "--all" in short.splitlines()[-1]
