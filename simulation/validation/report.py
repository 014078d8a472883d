"""The validation report: every comparison evaluated on a result set, as a table and as Markdown.

The model value of a comparison is its mean over replications with a 95% t-interval, per
scenario (regime). The ratio and the verdict use the *reference* scenario, the regime the
observations describe: before 2026 the real system was the fragmented one, so that is the
default. A verdict is "agrees" when the ratio lies within a factor ``tolerance`` of 1 (a margin:
within ``MARGIN_POINTS`` percentage points; or the model's mean inside a reported range),
"miss" otherwise, and "not modelled" when the model has no such quantity. The report shows
misses; it is not a pass/fail test of the model.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

from simulation.metrics.intervals import summarise
from simulation.validation.comparisons import Comparison
from simulation.validation.measures import ScenarioRun

__all__ = ["MARGIN_POINTS", "TOLERANCE", "evaluate", "render_markdown"]

#: a model value within this factor of the observed one "agrees"
TOLERANCE = 1.5
#: a margin (unit "margin": a signed share near zero, where a ratio says little; a JZ+ margin of
#: -2% against 0.1% is a ratio of -20) "agrees" within this many percentage points
MARGIN_POINTS = 1.0

COLUMNS = [
    "group", "quantity", "unit", "scenario", "model_mean", "model_low", "model_high", "observed", "observed_low",
    "observed_high", "period", "ratio", "verdict", "source", "file", "note",
]  # fmt: skip


@dataclass(frozen=True)
class Verdict:
    ratio: float
    verdict: str


def judge(
    model: float,
    observed: float,
    low: float,
    high: float,
    tolerance: float = TOLERANCE,
    expect: str | None = None,
    unit: str = "count",
) -> Verdict:
    """Ratio model/observed and whether they agree (within a range, or within ``tolerance``; a
    margin within :data:`MARGIN_POINTS` percentage points).

    With ``expect`` ("lower"/"higher": the model counts a subset/superset of what was observed) a
    value outside the tolerance on the expected side is "consistent", on the other side a miss.
    """
    if math.isnan(model):
        return Verdict(math.nan, "no model value")
    ratio = model / observed if observed else math.nan
    if expect is not None and not math.isnan(ratio) and not 1 / tolerance <= ratio <= tolerance:
        side = ratio < 1 if expect == "lower" else ratio > 1
        return Verdict(ratio, f"consistent ({expect}, as expected)" if side else "miss")
    if not math.isnan(low) and not math.isnan(high) and low <= model <= high:
        return Verdict(ratio, "agrees (in range)")
    if unit == "margin" and expect is None:
        return Verdict(ratio, "agrees" if abs(model - observed) * 100.0 <= MARGIN_POINTS + 1e-9 else "miss")
    if not math.isnan(ratio) and ratio > 0 and 1 / tolerance <= ratio <= tolerance:
        return Verdict(ratio, "agrees")
    if observed == 0 or math.isnan(ratio):
        return Verdict(ratio, "agrees" if abs(model - observed) < 1e-3 else "miss")
    return Verdict(ratio, "miss")


def _in_domain(low: float, high: float, unit: str) -> tuple[float, float]:
    """An interval cut to what the quantity can be: no negative counts, shares in [0, 1]
    (margins, unit "margin", are signed)."""
    if unit in ("count", "days", "eur", "ratio", "share"):
        low = max(low, 0.0)
    if unit == "share":
        high = min(high, 1.0)
    return low, high


def evaluate(items: Sequence[Comparison], runs: Sequence[ScenarioRun]) -> pd.DataFrame:
    """One row per (comparison, scenario)."""
    rows = []
    replications = {run.name: [run.replication(r) for r in run.replications] for run in runs}
    for c in items:
        o = c.observed()
        for run in runs:
            if c.measure is None:
                mean = low = high = math.nan
            else:
                values = [c.measure(r) for r in replications[run.name]]
                per_rep = pd.DataFrame(
                    {"scenario": run.name, "kpi": c.quantity, "care_form": "ALL", "value": np.asarray(values, float)}
                )
                s = summarise(per_rep).iloc[0]
                mean, low, high = float(s["mean"]), *_in_domain(float(s["ci_low"]), float(s["ci_high"]), c.unit)
            v = judge(mean, o.value, o.low, o.high, expect=c.expect, unit=c.unit)
            verdict = "not modelled" if c.measure is None else v.verdict
            rows.append((c.group, c.quantity, c.unit, run.name, mean, low, high, o.value, o.low, o.high,
                         o.period, v.ratio, verdict, o.source, o.file, c.note))  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


def _fmt(value: float, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit in ("share", "margin"):
        return f"{value:.1%}"
    if unit == "eur":
        return f"EUR {value / 1e9:.2f} bn" if abs(value) >= 1e8 else f"EUR {value:,.0f}"
    if unit == "ratio":
        return f"{value:.2f}"
    if unit == "days":
        return f"{value:.0f} d"
    return f"{value:,.0f}"


def _interval(row: pd.Series) -> str:
    if math.isnan(row["model_low"]):
        return _fmt(row["model_mean"], row["unit"])
    unit = row["unit"]
    return f"{_fmt(row['model_mean'], unit)} [{_fmt(row['model_low'], unit)}, {_fmt(row['model_high'], unit)}]"


def _observed(row: pd.Series) -> str:
    text = _fmt(row["observed"], row["unit"])
    if not math.isnan(row["observed_low"]) and not math.isnan(row["observed_high"]):
        text += f" ({_fmt(row['observed_low'], row['unit'])}-{_fmt(row['observed_high'], row['unit'])})"
    return text


def _ratio(row: pd.Series) -> str:
    """The Ratio column: model / observed, for a margin the difference in percentage points."""
    if row["unit"] == "margin" and not math.isnan(row["model_mean"]):
        return f"{(row['model_mean'] - row['observed']) * 100.0:+.1f} pts"
    return "–" if math.isnan(row["ratio"]) else f"{row['ratio']:.2f}"


#: the report's layout (Markdown with Jinja2 markup), beside this module
TEMPLATE = jinja2.Template((Path(__file__).with_name("report.md.j2")).read_text(encoding="utf-8"))


def render_markdown(table: pd.DataFrame, reference: str, meta: dict[str, object]) -> str:
    """The report as Markdown (``meta``: command, result, replications, years, warmup, seed)."""
    scenarios = list(dict.fromkeys(table["scenario"]))
    others = [s for s in scenarios if s != reference]
    groups = []
    for group, part in table.groupby("group", sort=False):
        rows = []
        for quantity, q in part.groupby("quantity", sort=False):
            ref = q[q["scenario"] == reference].iloc[0]
            rows.append({
                "quantity": quantity,
                "model": _interval(ref),
                "others": [_fmt(q.loc[q["scenario"] == s, "model_mean"].iloc[0], ref["unit"]) for s in others],
                "observed": _observed(ref),
                "period": ref["period"],
                "ratio": _ratio(ref),
                "verdict": ref["verdict"],
                "file": ref["file"],
                "link": "../" + ref["file"],
                "note": ref["note"],
            })  # fmt: skip
        groups.append((group, rows))
    ref_rows = table[table["scenario"] == reference]
    verdicts = ref_rows["verdict"]
    return TEMPLATE.render(
        groups=groups,
        reference=reference,
        others=others,
        tolerance=TOLERANCE,
        margin_points=f"{MARGIN_POINTS:g}",
        n_total=len(verdicts),
        n_agree=int(verdicts.str.startswith("agrees").sum()),
        n_consistent=int(verdicts.str.startswith("consistent").sum()),
        n_miss=int((verdicts == "miss").sum()),
        n_none=int(verdicts.isin(["not modelled", "no model value"]).sum()),
        **{"date": dt.date.today().isoformat(), **meta},
    )
