"""The STRESS-DES report (Monks et al. 2019): every checklist item answered, as docs/STRESS-DES.md.

The answers are a Jinja2 template (``stress_des.md.j2``, beside this module) filled from the
default scenario and experiment, the stress scenarios, the KPI registry, the data folder and the
code's own docstrings and tables (event ranks, month-end steps, engines, executors), so the
report cannot drift from the model. Regenerate it with::

    .venv/bin/python -m simulation.stress_des            # writes docs/STRESS-DES.md
    .venv/bin/python -m simulation.stress_des --check    # exit 1 if the committed file is stale
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2

from simulation.core import (
    agenda,
    capacity,
    continuity,
    demand,
    distributions,
    entry,
    finance,
    matching,
    model,
    random,
    schedule,
    state,
    steady,
    workforce,
)
from simulation.engines import ENGINES
from simulation.experiment import load_any
from simulation.metrics import intervals
from simulation.metrics.registry import REGISTRY
from simulation.runner import EXECUTORS
from simulation.stress_des import facts

__all__ = ["ITEMS", "ROOT", "build_context", "items_of", "missing_answers", "render"]

ROOT = Path(__file__).resolve().parents[2]

#: The checklist's items in order (Monks et al. 2019, Table 1).
ITEMS = (
    "1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "2.5.1", "2.5.2", "2.5.3", "2.5.4", "2.5.5",
    "3.1", "3.2", "3.3", "3.4", "4.1", "4.2", "4.3", "5.1", "5.2", "5.3", "5.4", "6.1",
)  # fmt: skip

TEMPLATE = Path(__file__).with_name("stress_des.md.j2")
#: The modules whose docstrings answer items (2.2, 2.4, 2.5, 4.3, 5.2, 5.3), by the name the template uses.
DOCUMENTED = {
    m.__name__.rsplit(".", 1)[-1]: m
    for m in (
        model,
        agenda,
        demand,
        matching,
        finance,
        workforce,
        capacity,
        entry,
        continuity,
        schedule,
        state,
        steady,
        distributions,
        random,
        intervals,
    )
}
EXPERIMENT = "scenarios/experiments/drie-regimes.yaml"
DEFAULT = "scenarios/nederland.yaml"


def build_context(root: Path = ROOT) -> dict[str, Any]:
    """Everything the template reads."""
    exp = load_any(root / EXPERIMENT)
    regimes = exp.cells[0].scenarios
    base = regimes[0]
    params = facts.parameters(base)
    stress = [facts.scenario_changes(p, root) for p in sorted((root / "scenarios" / "stress").glob("*.yaml"))]
    return {
        "experiment": exp.spec,
        "experiment_file": EXPERIMENT,
        "default_file": DEFAULT,
        "base": base,
        "places_file": Path(base.providers.places_file).resolve().relative_to(root).as_posix(),
        "regimes": [
            facts.scenario_changes(root / "scenarios" / Path(f).name, root) | {"kind": s.regime.kind}
            for f, s in zip(exp.spec.scenarios, regimes, strict=True)
        ],
        "stress": stress,
        "kpis": REGISTRY,
        "forms": facts.care_forms(base),
        "params": params,
        "n_source": sum(p["kind"] == "source" for p in params),
        "n_assumption": sum(p["kind"] == "assumption" for p in params),
        "gaps": [p for p in params if p["tag"] == "GAP"],
        "ests": [p for p in params if p["tag"] == "EST"],
        "data_files": facts.data_files(root),
        "project": facts.project(root),
        "events": [(e.value, e.name.lower()) for e in agenda.Event],
        "month_end": [label for label, _ in model.MONTH_END],
        "snapshot": [label for label, _ in model.SNAPSHOT],
        "engines": list(ENGINES),
        "executors": list(EXECUTORS),
        "child_attributes": facts.attributes(state.Children),
        "provider_form_attributes": facts.attributes(state.ProviderForms),
        "doc": {name: facts.doc(module) for name, module in DOCUMENTED.items()},
    }


def render(root: Path = ROOT) -> str:
    """The report as Markdown."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    text = env.from_string(TEMPLATE.read_text(encoding="utf-8")).render(**build_context(root))
    return re.sub(r"\n{3,}", "\n\n", text)


_HEADING = re.compile(r"^### (\d+(?:\.\d+)+) ", re.MULTILINE)


def items_of(text: str) -> dict[str, str]:
    """Item ID -> its answer (the text up to the next heading), from the rendered report."""
    marks = list(_HEADING.finditer(text))
    out = {}
    for m, nxt in zip(marks, [*marks[1:], None], strict=True):
        body = text[m.end() : nxt.start() if nxt else len(text)]
        body = body.split("\n## ")[0]  # a section heading ends the last item of a section
        out[m.group(1)] = body.split("\n", 1)[1].strip() if "\n" in body else ""
    return out


def missing_answers(text: str) -> list[str]:
    """Checklist items the report lacks, answers too short to be one (under 100 characters), and
    headings out of the checklist's order."""
    found = items_of(text)
    out = [f"{i}: no answer" for i in ITEMS if len(found.get(i, "")) < 100]
    if [i for i in found if i in ITEMS] != [i for i in ITEMS if i in found]:
        out.append("items out of order")
    out += [f"{i}: not a checklist item" for i in found if i not in ITEMS]
    return out
