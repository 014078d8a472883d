"""Drift check of a scenario without scheduled changes: yearly figures per regime.

    .venv/bin/python scripts/drift.py [--years 5] [--replication 0] [--by-form] [--by-group] [SCENARIO ...]

Runs one replication of each scenario (default: the three regime files of the national default)
and prints, per year: the mean waiting list, nominal and staffed places, children in care, staff
(FTE), the sector margin, the share of loss-making providers and exits; then the largest
year-on-year drift (simulation.metrics.drift). A steady baseline drifts less than 5% a year.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulation.config import ScenarioError, load_scenario  # noqa: E402
from simulation.experiment.paths import overrides_from_sets  # noqa: E402
from simulation.metrics.drift import (  # noqa: E402
    drift,
    yearly_figures,
    yearly_margin_by_group,
    yearly_occupancy_by_form,
    yearly_places_by_form,
    yearly_waiting_by_form,
)
from simulation.runner.replication import build_world, run_replication  # noqa: E402

DEFAULT = [ROOT / "scenarios" / f for f in ("gefragmenteerd.yaml", "regionaal.yaml", "landelijk.yaml")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenarios", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--years", type=float, default=5.0)
    parser.add_argument("--replication", type=int, default=0)
    parser.add_argument("--engine", default="reference", choices=["reference", "simpy"])
    parser.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", help="a scenario override")
    parser.add_argument("--by-form", action="store_true", help="also the mean waiting list per care form and year")
    parser.add_argument(
        "--by-group",
        action="store_true",
        help="also the margin per provider group, places and occupancy per care form, and exits",
    )
    args = parser.parse_args()
    if not 2.0 <= args.years <= 50.0:
        parser.error(f"--years {args.years:g}: drift compares whole years, so it needs 2 to 50 (allowed [2, 50])")
    pd.set_option("display.width", 200)
    for path in args.scenarios:
        try:
            scenario = load_scenario(path, overrides_from_sets(args.set)).model_copy(update={"years": args.years})
        except ScenarioError as err:  # bad input: the message names the field; nothing is run
            print(err, file=sys.stderr)
            raise SystemExit(2) from None
        start = time.perf_counter()
        result = run_replication(scenario, args.replication, engine=args.engine, lean=True)
        figures = yearly_figures(result.tables)
        d = drift(figures)
        print(f"\n{scenario.name} ({args.years:g} years, replication {args.replication}, "
              f"{time.perf_counter() - start:.0f} s)")  # fmt: skip
        print(figures.to_string(index=False, float_format=lambda x: f"{x:,.3f}"))
        worst = {c: f"{d[c].abs().max():+.1%}" for c in ["waiting", "places", "staffed_places", "in_care", "staff_fte"]}
        worst["margin (points)"] = f"{d['margin'].abs().max() * 100:.2f}"
        worst["exits/yr"] = f"{d['exits'].max():.1%}"
        print("largest yearly drift:", ", ".join(f"{k} {v}" for k, v in worst.items()))
        if args.by_form:
            print("mean waiting list per care form and year:")
            print(yearly_waiting_by_form(result.tables).round(0).to_string())
        if args.by_group:
            group_of = {p.provider_id: p.group for p in build_world(scenario).providers}
            print("margin per provider group and year:")
            print(yearly_margin_by_group(result.tables, group_of).round(4).to_string())
            print("mean nominal places per care form and year:")
            print(yearly_places_by_form(result.tables).round(0).to_string())
            print("occupancy of staffed places per care form and year:")
            print(yearly_occupancy_by_form(result.tables).round(3).to_string())
            exits = result.tables["exits"]
            print("exits:")
            print(exits.assign(group=exits["provider_id"].map(group_of)).to_string(index=False))


if __name__ == "__main__":
    main()
