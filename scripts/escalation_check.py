"""Starts of care and escalations per care form against the steady state they were sized for.

    .venv/bin/python scripts/escalation_check.py [--years 1] [--replications 1] [SCENARIO ...]

Per scenario (default: the regional regime of the national default) it runs replications and
prints, per care form over the run after the warm-up, a year: the starts of care the scenario
sources (``referral_rate_per_1000`` x youth, with the regional factors), the starts the run
made, the escalations it received, and those :func:`simulation.core.steady.escalated_referrals_per_1000`
expects. That estimate is the fluid one: every child on a steady list waits exactly the observed
wait, so a child who may escalate at ``escalation.after_days`` below that wait always reaches
it. With random waits some are placed first, so a form that receives escalations (crisis, JZ+)
starts fewer children than its places were sized for. The figures are measurements; nothing is
tuned to them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulation.config import ScenarioError, load_scenario  # noqa: E402
from simulation.core import steady  # noqa: E402
from simulation.core.world import load_geography  # noqa: E402
from simulation.runner.replication import run_replication  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenarios", nargs="*", type=Path, default=[ROOT / "scenarios" / "regionaal.yaml"])
    parser.add_argument("--years", type=float, default=1.0)
    parser.add_argument("--replications", type=int, default=1)
    args = parser.parse_args()
    if not 0.5 <= args.years <= 20.0:
        parser.error(f"--years {args.years:g}: allowed [0.5, 20]")
    if not 1 <= args.replications <= 50:
        parser.error(f"--replications {args.replications}: allowed [1, 50]")
    pd.set_option("display.width", 200)
    for path in args.scenarios:
        try:
            scenario = load_scenario(path).model_copy(update={"years": args.years})
        except ScenarioError as err:  # bad input: the message names the field; nothing is run
            print(err, file=sys.stderr)
            raise SystemExit(2) from None
        forms = scenario.care_forms
        gemeenten = load_geography(scenario).gemeenten
        youth = {f: sum(g.youth_for(f) for g in gemeenten) for f in forms}
        warmup = scenario.warmup_days
        per_year = (args.years * 365.0 - warmup) / 365.0
        started: dict[str, float] = dict.fromkeys(forms, 0.0)
        escalated: dict[str, float] = dict.fromkeys(forms, 0.0)
        for rep in range(args.replications):
            ep = run_replication(scenario, rep).tables["episodes"]
            new = ep[ep["t_intake"] >= warmup]  # children of the initial waiting lists included
            for f, n in new.groupby("care_form", observed=True).size().items():
                started[str(f)] += n / per_year / args.replications
            esc = new[new["origin"] == "escalation"]
            for f, n in esc.groupby("care_form", observed=True).size().items():
                escalated[str(f)] += n / per_year / args.replications
        rows = []
        for f, form in forms.items():
            expected_esc = steady.escalated_referrals_per_1000(forms, f) * youth[f] / 1000.0
            sourced = form.referral_rate_per_1000.value * youth[f] / 1000.0
            rows.append({
                "care_form": f,
                "starts_sourced": sourced,
                "starts_run": started[f],
                "starts_ratio": started[f] / sourced if sourced else float("nan"),
                "escalations_run": escalated[f],
                "escalations_expected": expected_esc,
            })  # fmt: skip
        table = pd.DataFrame(rows).set_index("care_form")
        print(f"\n{scenario.name} ({args.years:g} years, {args.replications} replication(s), a year after the warm-up)")
        print(table.to_string(float_format=lambda x: f"{x:,.2f}" if abs(x) < 10 else f"{x:,.0f}"))


if __name__ == "__main__":
    main()
