"""Money and administration of the national default, per regime, against the reported figures.

    .venv/bin/python -m scripts.money_check [--years 1] [--replications 2] [--group NAME] [SCENARIO ...]

Per scenario (default: the three regimes) it runs replications (lean recorder, monthly tables)
and prints, over the run after the warm-up, the figures the field reports:

* sector margin: sum of margins / sum of revenue (Jeugdautoriteit trend analysis 2023: 1.5%;
  2018-2022 1.6% -> 1.1%, Stand van de Jeugdzorg 2024); the same over the providers with a
  yearly revenue of EUR 20 mn or more (2023: 0.9%);
* share of providers with a negative result over the run, of all and of the systeempartijen
  (providers with a crisis, pleegzorg or residential contract): about a quarter of 268
  institutions, 2019; a third of the 64 systeempartijen, 2018 (DOMAIN 1e);
* the margin of each provider group (crisis services among them; JeugdzorgPlus 2023 0.1%,
  GIs 2023 1.2%);
* the mean administration share (revenue-weighted and per provider; 30% JA to 38% CBS AZW);
* contracts and term sets per provider (> 1/3 of providers deliver in > 5 gemeenten, JA 2021),
  and the median provider's share of its revenue from its largest unit (how much one unit's
  tariff decides its margin);
* unpaid care (budget ceilings) and the KPI waiting_at_end;
* with ``--group NAME``, each provider of that group: margin, administration share, term sets
  and occupancy (where a group's margin comes from).

The figures are measurements, not targets the script tunes anything to.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd

from simulation.config import load_scenario
from simulation.experiment.paths import overrides_from_sets
from simulation.metrics import ALL, used_place_days
from simulation.runner.replication import build_world, run_replication

#: the systeempartijen's forms (a third of the 64 made a loss in 2018, a quarter of 268 institutions in 2019)
SYSTEM_FORMS = ("crisisopvang", "pleegzorg", "residentieel")
#: yearly revenue of a large provider (Jeugdautoriteit: turnover above EUR 20 mn, 0.9% margin in 2023)
LARGE_EUR_PER_YEAR = 20e6

DEFAULT = ["scenarios/gefragmenteerd.yaml", "scenarios/regionaal.yaml", "scenarios/landelijk.yaml"]


def measure(
    path: str, years: float, replications: int, sets: list[str] | None = None, show: str | None = None
) -> dict[str, object]:
    overrides = {**overrides_from_sets(sets or []), "years": years, "replications": replications}
    scenario = load_scenario(path, overrides)
    world = build_world(scenario)
    group = {p.provider_id: p.group for p in world.providers}
    # as docs/VALIDATION.md counts them: providers with a crisis, pleegzorg or residential contract
    systeem = {c.provider_id for c in world.market.contracts if c.care_form in SYSTEM_FORMS}
    rows: list[dict[str, float]] = []
    by_group: list[pd.DataFrame] = []
    contracts: list[pd.Series] = []
    providers = pd.DataFrame()
    for rep in range(replications):
        r = run_replication(scenario, rep, lean=True)
        led = r.tables["ledger"]
        led = led[led["t_start"] >= scenario.warmup_days]
        led = led.assign(used_days=used_place_days(led))
        per = led.groupby("provider_id").agg(
            revenue=("revenue_eur", "sum"),
            margin=("margin_eur", "sum"),
            admin=("admin_share", "mean"),
            days=("days", "sum"),
            occupied=("occupied_days", "sum"),
            in_use=("used_days", "sum"),
        )
        per = per[per["revenue"] > 0]
        large = per[per["revenue"] * 365.0 / per["days"] >= LARGE_EUR_PER_YEAR]
        per["group"] = per.index.map(group)
        g = per.groupby("group")[["revenue", "margin"]].sum()
        g["loss_share"] = per.groupby("group")["margin"].apply(lambda m: float((m < 0).mean()))
        occupancy = (per["occupied"] / per["in_use"]).groupby(per["group"])
        g["occupancy_min"], g["occupancy_max"] = occupancy.min(), occupancy.max()
        months = led.assign(group=led["provider_id"].map(group))
        months = months[months["revenue_eur"] > 0]
        g["loss_months"] = months.groupby("group")["margin_eur"].apply(lambda m: float((m < 0).mean()))
        by_group.append(g)
        pay = r.tables["payments"]
        by_unit = pay[pay["t_start"] >= scenario.warmup_days].groupby(["provider_id", "unit_id"])["delivered_eur"].sum()
        top_unit = by_unit.groupby(level=0).max() / by_unit.groupby(level=0).sum()
        first = led[led["month"] == led["month"].min()].set_index("provider_id")
        contracts.append(first["n_term_sets"])
        if rep == 0 and show is not None:
            providers = per[per["group"] == show].assign(
                margin_share=lambda d: d["margin"] / d["revenue"],
                occupancy=lambda d: d["occupied"] / d["in_use"],
                term_sets=first["n_term_sets"],
            )[["margin_share", "admin", "term_sets", "occupancy"]]
        k = r.kpis
        overall = k[k["care_form"] == ALL].set_index("kpi")["value"]
        rows.append(
            {
                "sector_margin": per["margin"].sum() / per["revenue"].sum(),
                "large_margin": large["margin"].sum() / large["revenue"].sum() if len(large) else float("nan"),
                "loss_share": float((per["margin"] < 0).mean()),
                "systeem_loss_share": float((per.loc[per.index.isin(systeem), "margin"] < 0).mean()),
                "admin_weighted": float(np.average(per["admin"], weights=per["revenue"])),
                "admin_mean": float(per["admin"].mean()),
                "unpaid_share": 1.0 - pay["paid_eur"].sum() / pay["delivered_eur"].sum(),
                "unpaid_eur": pay["delivered_eur"].sum() - pay["paid_eur"].sum(),
                "waiting_at_end": float(overall["waiting_at_end"]),
                "contracts_mean": float(first["n_contracts"].mean()),
                # how much of a provider's revenue one unit's terms (its tariff) decide
                "top_unit_share_median": float(top_unit.median()),
            }
        )
    mean = pd.DataFrame(rows).mean()
    g = (
        pd.concat(by_group)
        .groupby(level=0)
        .agg(
            revenue=("revenue", "sum"),
            margin=("margin", "sum"),
            loss_share=("loss_share", "mean"),
            loss_months=("loss_months", "mean"),
            occupancy_min=("occupancy_min", "mean"),
            occupancy_max=("occupancy_max", "mean"),
        )
    )
    g["margin_share"] = g["margin"] / g["revenue"]
    terms = contracts[0]
    served: dict[str, set[str]] = {}
    members = {u.unit_id: u.gemeenten for u in world.market.units}
    for c in world.market.contracts:
        served.setdefault(c.provider_id, set()).update(members[c.unit_id])
    gemeenten = pd.Series({p: len(v) for p, v in served.items()})
    return {
        "name": scenario.name,
        "summary": mean,
        "groups": g[["margin_share", "loss_share", "loss_months", "occupancy_min", "occupancy_max"]],
        "term_sets": terms.describe(percentiles=[0.1, 0.5, 0.9]),
        "over_five": float((gemeenten > 5).mean()),
        "over_five_units": float((terms > 5).mean()),
        "providers": providers,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenarios", nargs="*", default=DEFAULT)
    ap.add_argument("--years", type=float, default=1.0)
    ap.add_argument("--replications", type=int, default=2)
    ap.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", help="a scenario override")
    ap.add_argument(
        "--group", metavar="NAME", help="also each provider of this group (first replication): margin, "
        "administration share, term sets and occupancy of the places in use",
    )  # fmt: skip
    args = ap.parse_args(argv)
    for path in args.scenarios:
        out = measure(path, args.years, args.replications, args.set, args.group)
        print(f"== {out['name']}")
        for k, v in out["summary"].items():  # type: ignore[union-attr]
            print(f"  {k:16s} {v:,.4f}")
        print(
            "  by provider group: margin, share of providers losing, share of provider-months losing, "
            "lowest-highest provider occupancy of the places in use (mean over replications)"
        )
        for k, v in out["groups"].iterrows():  # type: ignore[union-attr]
            print(
                f"    {k:28s} {v['margin_share']:+.4f} {v['loss_share']:.3f} {v['loss_months']:.3f}"
                f"  {v['occupancy_min']:.2f}-{v['occupancy_max']:.2f}"
            )
        t = out["term_sets"]
        print(f"  term sets per provider: {', '.join(f'{k} {v:.1f}' for k, v in t.items())}")  # type: ignore[union-attr]
        print(f"  share of providers contracted for > 5 gemeenten: {out['over_five']:.3f}")
        print(f"  share of providers with > 5 term sets: {out['over_five_units']:.3f}")
        if args.group is not None:
            shown = out["providers"]
            print(f"  {args.group} (replication 0): margin, administration share, term sets, occupancy")
            for pid, v in shown.sort_values("term_sets").iterrows():  # type: ignore[union-attr]
                print(
                    f"    {pid:12s} {v['margin_share']:+.3f} {v['admin']:.3f} {int(v['term_sets']):3d}"
                    f" {v['occupancy']:.3f}"
                )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
