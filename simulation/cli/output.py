"""What the command line prints: comparison tables, JSON and CSV, generated from the KPI registry."""

from __future__ import annotations

import json
import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from simulation import metrics
from simulation.cli.progress import duration_text

__all__ = ["comparison_csv", "comparison_json", "comparison_table", "experiment_json", "experiment_table",
           "explain_text", "headline_table", "precision_line", "text_table"]  # fmt: skip


def _nan_to_none(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _interval(row: Mapping[Any, Any]) -> dict[str, float | None]:
    return {k: _nan_to_none(row[k]) for k in ("mean", "ci_low", "ci_high")}


def _plain(x: Any) -> Any:
    return x.item() if hasattr(x, "item") else x


def _kpi_block(frame: pd.DataFrame) -> dict[str, Any]:
    rows = frame.to_dict("records")
    by_form: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["care_form"] != metrics.ALL:
            by_form.setdefault(str(r["care_form"]), {})[str(r["kpi"])] = _interval(r)
    return {
        "kpis": {str(r["kpi"]): _interval(r) for r in rows if r["care_form"] == metrics.ALL},
        "by_care_form": by_form,
    }


def kpi_units() -> dict[str, str]:
    """KPI name -> unit, in registry order (part of the JSON output)."""
    return {k.name: k.unit for k in metrics.REGISTRY}


def comparison_json(summary: pd.DataFrame, diffs: pd.DataFrame, meta: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {"scenarios": [], "differences": [], **meta}
    for name, part in summary.groupby("scenario", sort=False):
        doc["scenarios"].append({"name": name, **_kpi_block(part)})
    for name, part in diffs.groupby("scenario", sort=False):
        doc["differences"].append({"name": name, "against": part["against"].iloc[0], **_kpi_block(part)})
    return doc


def _cell_parts(
    summary: pd.DataFrame, diffs: pd.DataFrame, cols: Sequence[str]
) -> list[tuple[tuple[Any, ...], pd.DataFrame, pd.DataFrame]]:
    """(cell values, summary of the cell, differences of the cell) for every cell."""
    out = []
    for key, part in summary.groupby(list(cols), sort=False, observed=True):
        key_t = key if isinstance(key, tuple) else (key,)
        mask = pd.Series(True, index=diffs.index)
        for c, v in zip(cols, key_t, strict=True):
            mask &= diffs[c] == v
        out.append((key_t, part.drop(columns=list(cols)), diffs[mask].drop(columns=list(cols))))
    return out


def experiment_json(summary: pd.DataFrame, diffs: pd.DataFrame, meta: dict[str, Any], cols: Sequence[str]) -> str:
    """``compare --format json``: one document, with a ``cells`` list when the run has cells."""
    meta = {**meta, "units": kpi_units()}
    if not cols:
        return json.dumps(comparison_json(summary, diffs, meta), indent=2)
    cells = []
    for key, part, dpart in _cell_parts(summary, diffs, cols):
        doc = comparison_json(part, dpart, {})
        cells.append({**{c: _plain(v) for c, v in zip(cols, key, strict=True)}, **doc})
    return json.dumps({"cells": cells, **meta}, indent=2)


def comparison_csv(summary: pd.DataFrame, diffs: pd.DataFrame, replications: int, cols: Sequence[str]) -> str:
    """``compare --format csv``: a long table with a ``section`` column and each KPI's unit."""
    a = summary.assign(section="scenario", against="")
    b = diffs.assign(section="difference", n=replications)
    out_cols = ["section", *cols, "scenario", "against", "kpi", "care_form", "mean", "ci_low", "ci_high", "unit"]
    frame = pd.concat([a, b] if not b.empty else [a], ignore_index=True)
    frame["unit"] = frame["kpi"].map(kpi_units())
    return str(frame[out_cols].to_csv(index=False))


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Columns padded to their widest cell, a rule under the header."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return out


def _unseen(meta: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Scenario -> why its signal KPIs are empty by design, for the cell ``meta`` describes."""
    cell = meta.get("cell", {})
    return {e["scenario"]: e for e in meta.get("empty_by_design") or [] if e.get("cell", {}) == cell}


_PERIOD = {"annual": "a year's accounts", "quarterly": "a quarter's figures", "monthly": "a month's figures"}


def _unseen_footnotes(unseen: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """``(a) ...``: why rows are empty by design: the reporting, its lag, the first day the NZa
    could see anything, and what run would show it."""
    groups: dict[tuple[Any, ...], list[str]] = {}
    for name, e in unseen.items():
        key = (e["reporting"], e["lag_months"], e["visible_day"], e["visible_date"], e["horizon_days"])
        groups.setdefault(key, []).append(name)
    lines = []
    for (reporting, lag, day, date, horizon), names in groups.items():
        years = math.ceil(day / 365 * 10) / 10
        faster = {"annual": "quarterly", "quarterly": "monthly"}.get(reporting)
        text = (
            f"(a) {', '.join(names)}: the NZa sees {_PERIOD[reporting]} {lag} month{'s' * (lag != 1)} after the "
            f"period ends (scenario early_warning: reporting {reporting}, lag_months {lag}), so the first are "
            f"visible on day {day:g} ({date}), after this run's {horizon:g} days: {' and '.join(metrics.SIGNAL_KPIS)} "
            f"are empty by design, and exits_without_signal counts every exit. A run of {years:g} years or more "
            f"(--years){f' or {faster} reporting (early_warning.reporting: {faster})' if faster else ''} shows them."
        )
        lines += textwrap.wrap(text, 110, subsequent_indent="    ")
    return ["", *lines] if lines else []


def _by_key(frame: pd.DataFrame) -> dict[tuple[Any, Any, Any], dict[Any, Any]]:
    """The rows of a summary or differences table by (scenario, kpi, care form)."""
    return {(r["scenario"], r["kpi"], r["care_form"]): r for r in frame.to_dict("records")}


def headline_table(summary: pd.DataFrame, diffs: pd.DataFrame, meta: dict[str, Any]) -> str:
    """The short table people read first: the headline KPIs (``Kpi.headline``) over all care
    forms with their units, thousands separators and percentages, then the paired differences;
    ``--all`` prints :func:`comparison_table`."""
    headline = [k for k in metrics.REGISTRY if k.headline]
    names = list(dict.fromkeys(summary["scenario"]))

    def cell(rows: dict[tuple[Any, Any, Any], dict[Any, Any]], scenario: str, k: metrics.Kpi, signed: bool) -> str:
        r = rows.get((scenario, k.name, metrics.ALL))
        if r is None:
            return "-"

        def show(x: Any) -> str:
            return metrics.format_readable(x, k.fmt, signed)

        return f"{show(r['mean'])} [{show(r['ci_low'])} to {show(r['ci_high'])}]"

    def label(k: metrics.Kpi, signed: bool) -> str:
        return f"{k.name} ({metrics.readable_unit(k, signed)})"

    lines = [
        f"{meta['replications']} replications, seed {meta['seed']}, {meta['years']} year(s) after a "
        f"{meta['warmup_days']}-day warm-up; mean [95% CI] over replications, all care forms",
        "",
    ]
    in_summary = _by_key(summary)
    lines += text_table(
        ["", *names], [[label(k, False), *[cell(in_summary, n, k, False) for n in names]] for k in headline]
    )
    if not diffs.empty:
        base = diffs["against"].iloc[0]
        others = list(dict.fromkeys(diffs["scenario"]))
        in_diffs = _by_key(diffs)
        lines += ["", f"Paired differences against {base} (the same children in every scenario)"]
        lines += text_table(
            ["", *[f"{o} - {base}" for o in others]],
            [[label(k, True), *[cell(in_diffs, o, k, True) for o in others]] for k in headline],
        )
    rest = len(metrics.REGISTRY) - len(headline)
    lines += ["", f"pp = percentage points. {rest} more KPIs and every KPI per care form: --all"]
    return "\n".join(lines)


def comparison_table(summary: pd.DataFrame, diffs: pd.DataFrame, meta: dict[str, Any]) -> str:
    lines = [
        f"Comparison: {meta['replications']} replications, seed {meta['seed']}, "
        f"{meta['years']} year(s), warm-up {meta['warmup_days']} days; mean [95% CI] over replications",
        "",
    ]
    names = list(dict.fromkeys(summary["scenario"]))

    in_summary, in_diffs = _by_key(summary), _by_key(diffs)
    unseen = _unseen(meta)
    bases = set(diffs["against"]) if not diffs.empty else set()

    def cell(index: dict[tuple[Any, Any, Any], dict[Any, Any]], scenario: str, k: metrics.Kpi, form: str) -> str:
        def blind(name: str) -> bool:
            return k.name in unseen.get(name, {}).get("kpis", ())

        # a difference is empty by design when neither side could see anything
        against = () if index is in_summary else bases
        if blind(scenario) and all(blind(a) for a in against):
            return "not visible yet (a)"
        r = index.get((scenario, k.name, form))
        if r is None:
            return "-"
        show, fmt = metrics.format_value, k.fmt
        return f"{show(r['mean'], fmt)} [{show(r['ci_low'], fmt)}, {show(r['ci_high'], fmt)}]"

    lines.append("All care forms")
    lines += text_table(
        ["kpi", *names], [[k.name, *[cell(in_summary, n, k, metrics.ALL) for n in names]] for k in metrics.REGISTRY]
    )
    lines += _unseen_footnotes(unseen)
    if not diffs.empty:
        base = diffs["against"].iloc[0]
        others = list(dict.fromkeys(diffs["scenario"]))
        lines += ["", f"Paired differences against {base} (same children in every scenario)"]
        lines += text_table(
            ["kpi", *[f"{o} - {base}" for o in others]],
            [[k.name, *[cell(in_diffs, o, k, metrics.ALL) for o in others]] for k in metrics.REGISTRY],
        )
    forms = sorted(f for f in summary["care_form"].unique() if f != metrics.ALL)
    for k in metrics.REGISTRY:
        if not k.per_form:
            continue
        lines += ["", f"Per care form: {k.name}"]
        lines += text_table(["care_form", *names], [[f, *[cell(in_summary, n, k, f) for n in names]] for f in forms])
    return "\n".join(lines)


def experiment_table(
    summary: pd.DataFrame, diffs: pd.DataFrame, meta: dict[str, Any], cols: Sequence[str], full: bool = False
) -> str:
    """The comparison table, once per cell (variant and sweep point): the short headline table,
    or with ``full`` every KPI, also per care form."""
    table = comparison_table if full else headline_table
    if not cols:
        return table(summary, diffs, meta)
    blocks = []
    for key, part, dpart in _cell_parts(summary, diffs, cols):
        named = zip(cols, key, strict=True)
        label = ", ".join(f"{c} {v}" if c == "variant" else f"{c}={v}" for c, v in named)
        cell = dict(zip(cols, key, strict=True))
        blocks.append(f"=== {label} ===\n" + table(part, dpart, {**meta, "cell": cell}))
    return "\n\n".join(blocks)


def precision_line(report: Mapping[str, Any]) -> str:
    """One line: target, whether it was reached and, if not, why the run stopped and how far it
    got (the value furthest from its target and the replications the target would take)."""
    worst = max(
        (v for entry in report["achieved"].values() for v in entry.values() if v is not None),
        default=math.nan,
    )
    used = report["replications_used"]
    stopped = report.get("stopped", "reached" if report["reached"] else "max_replications")
    if stopped == "reached":
        state = "reached"
    elif stopped == "time_budget":
        state = f"NOT reached (time budget {duration_text(report['time_budget_seconds'])} spent)"
    else:
        state = f"NOT reached (maximum of {report.get('max_replications', used)} replications)"
    line = (
        f"precision: target {report['target']:.3g} of |mean| for {', '.join(report['kpis'])}: {state} with "
        f"{used} replications (largest relative half-width {worst:.3g})"
    )
    far = report.get("worst")
    if stopped != "reached" and far:
        values = [v for entry in report["achieved"].values() for v in entry.values() if v is not None]
        within = sum(v <= report["target"] for v in values)
        needed = report.get("replications_needed")
        line += (
            f"; {within} of {len(values)} watched values within target; furthest: {far['kpi']} in "
            f"{far['where']}, {far['relative_half_width']:.3g} against {report['target']:.3g}"
        )
        if needed:
            line += f"; about {needed} replications would reach the target"
    return line


def explain_text(table: pd.DataFrame, dec: Any, meta: Mapping[str, Any]) -> str:
    """``explain``: one block per KPI, a row per mechanism: contribution [95% CI] and share of the gap."""
    kpi_of = {k.name: k for k in metrics.REGISTRY}
    arms = len(set(dec.arm_of.values()))
    lines = [
        f"Regime gap {dec.regional.name} - {dec.fragmented.name}, decomposed by exact Shapley values over "
        f"{len(dec.mechanisms)} mechanisms ({arms} distinct arms of {len(dec.arm_of)} subsets, each run on the same "
        f"seeds: common random numbers). {meta.get('replications')} replications, seed {meta.get('seed')}, "
        f"{meta.get('years')} year(s), warm-up {meta.get('warmup_days')} days. The contributions add up to the total "
        "exactly, replication by replication; mean [95% CI] over replications. 'alone': the mechanism's effect "
        "switched on first (alone in the fragmented regime), 'last': switched on last; the contribution lies "
        "between them on average over all orders.",
    ]
    for kpi, part in table.groupby("kpi", sort=False):
        lines += ["", f"{kpi} ({part['unit'].iloc[0]})"]
        rows = []
        k = kpi_of[str(kpi)]
        for r in part.to_dict("records"):

            def show(x: Any, k: metrics.Kpi = k) -> str:
                return metrics.format_value(x, k.fmt)

            share = "" if math.isnan(r["share_of_gap"]) else f"{round(100 * r['share_of_gap'])}%"
            note = "" if r["active"] else "same in both regimes"
            ends = [show(r[c]) if not math.isnan(r[c]) else "" for c in ("alone", "last")]
            ci = f"{show(r['mean'])} [{show(r['ci_low'])}, {show(r['ci_high'])}]"
            rows.append([r["mechanism"], ci, share, *ends, note])
        lines += text_table(["mechanism", "contribution", "share of gap", "alone", "last", ""], rows)
    return "\n".join(lines)
