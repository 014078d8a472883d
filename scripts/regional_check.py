"""Hold the regional referral factors (derived from CBS 85098NED 2022) against data they were not
derived from: the 2021 counts of youth with jeugdzorg in natura per gemeente (CBS 85075NED), and the
provincial figures of the first half of 2022 (CBS 85098NED excerpts, a different period and
aggregation). Run by developers (``python scripts/regional_check.py``); prints the figures.
"""

from __future__ import annotations

import csv
import math
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from regional_factors import DATA, IN_NATURA, basis_shares, gemeenten

EXCERPTS = DATA / "regionaal" / "cbs_regionale_excerpts_2017_2022.csv"

#: province of each jeugdregio (the regions lie within one province, except the gemeenten below)
PROVINCE = {
    "PV20": ["JZ01"],
    "PV21": ["JZ02"],
    "PV22": ["JZ04"],
    "PV23": ["JZ07", "JZ14"],
    "PV24": ["JZ08"],
    "PV25": ["JZ12", "JZ17", "JZ21", "JZ25", "JZ28", "JZ30", "JZ32"],
    "PV26": ["JZ19", "JZ20", "JZ22", "JZ23", "JZ26"],
    "PV27": ["JZ03", "JZ05", "JZ06", "JZ09", "JZ10", "JZ11", "JZ13", "JZ15", "JZ16"],
    "PV28": ["JZ18", "JZ24", "JZ27", "JZ29", "JZ31"],
    "PV29": ["JZ38"],
    "PV30": ["JZ33", "JZ34", "JZ35", "JZ36", "JZ39"],
    "PV31": ["JZ37", "JZ41", "JZ42", "JZ43"],
}
#: gemeenten in another province than their jeugdregio's
PROVINCE_OF_GEMEENTE = {"GM0150": "PV23", "GM1773": "PV23", "GM0345": "PV26", "GM0339": "PV26", "GM0050": "PV24"}


def province_of(gem: dict[str, dict[str, object]]) -> dict[str, str]:
    by_region = {r: pv for pv, regions in PROVINCE.items() for r in regions}
    return {c: PROVINCE_OF_GEMEENTE.get(c, by_region[str(g["regio"])]) for c, g in gem.items()}


def weighted_cv(values: list[float], weights: list[float]) -> float:
    total = sum(weights)
    mean = sum(v * w for v, w in zip(values, weights, strict=True)) / total
    var = sum(w * (v - mean) ** 2 for v, w in zip(values, weights, strict=True)) / total
    return math.sqrt(var) / mean


def cv(values: list[float]) -> float:
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) / mean


def pearson(x: list[float], y: list[float]) -> float:
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy)


def holdout_2021() -> None:
    """The factors for all jeugdhulp (zonder + met verblijf) against the 2021 rate per gemeente."""
    gem = gemeenten()
    y17 = {c: float(g["y17"]) for c, g in gem.items()}  # type: ignore[arg-type]
    count: dict[str, float] = defaultdict(float)
    with open(IN_NATURA, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        if r["period"] == "2021" and r["indicator"].endswith(("_0_3", "_4_11", "_12_17")) and r["value"]:
            count[r["gemeentecode_2023"]] += float(r["value"])
    national = sum(count.values()) / sum(y17[c] for c in count)
    observed = {c: count[c] / y17[c] / national for c in gem if count.get(c)}
    print("2021 hold-out: youth 0-17 with jeugdzorg in natura per youth 0-17, relative to national")
    print(f"  gemeenten with a 2021 count: {len(observed)} of {len(gem)}")
    for label, shrink in (("shrunk (shipped)", True), ("raw 2022", False)):
        share, _, _ = basis_shares(shrink=shrink)
        jh = {c: share["zonder_verblijf"][c] + share["met_verblijf"][c] for c in gem}
        mean = sum(jh[c] * y17[c] for c in gem) / sum(y17.values())
        factor = {c: jh[c] / mean for c in gem}
        codes = sorted(observed)
        x, y = [factor[c] for c in codes], [observed[c] for c in codes]
        w = [y17[c] for c in codes]
        rms = math.sqrt(sum(wi * math.log(a / b) ** 2 for a, b, wi in zip(x, y, w, strict=True)) / sum(w))
        small = [c for c in codes if y17[c] < 5000]
        rms_small = math.sqrt(sum(math.log(factor[c] / observed[c]) ** 2 for c in small) / len(small))
        print(
            f"  {label:17s} r = {pearson(x, y):.3f}; youth-weighted RMS log error {rms:.3f}; "
            f"small gemeenten (<5,000 youth, n={len(small)}) RMS log error {rms_small:.3f}; "
            f"CV factor {weighted_cv(x, w):.3f} vs 2021 {weighted_cv(y, w):.3f}"
        )


def provinces() -> None:
    """Provincial spread implied by the factors against the CBS first half of 2022 (PV excerpts)."""
    gem = gemeenten()
    pv = province_of(gem)
    y17 = {c: float(g["y17"]) for c, g in gem.items()}  # type: ignore[arg-type]
    share, _, _ = basis_shares()
    cbs: dict[str, dict[str, float]] = defaultdict(dict)
    with open(EXCERPTS, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        if r["region_type"] == "PV" and r["period"] == "2022H1" and r["value"]:
            cbs[r["region_code"]][r["indicator"]] = float(r["value"])
    print("Provinces (12): CV across provinces, model factors (expected referrals) vs CBS 85098NED 2022H1")
    for basis, observed in (
        ("met_verblijf", lambda d: d["pct_jeugdhulp_in_natura_0_17"] * d["pct_met_verblijf_onder_jeugdhulp_0_17"]),
        (
            "zonder_verblijf",
            lambda d: d["pct_jeugdhulp_in_natura_0_17"] * (100 - d["pct_met_verblijf_onder_jeugdhulp_0_17"]),
        ),
        ("jeugdbescherming", lambda d: d["pct_jeugdbescherming_0_17"]),
    ):
        model, data, codes = [], [], sorted(PROVINCE)
        for code in codes:
            members = [c for c in gem if pv[c] == code]
            model.append(sum(share[basis][c] * y17[c] for c in members) / sum(y17[c] for c in members))
            data.append(observed(cbs[code]))
        print(
            f"  {basis:17s} model CV {cv(model):.3f} (uniform rates: 0) vs CBS {cv(data):.3f}; "
            f"r = {pearson(model, data):.3f}"
        )


#: CBS stock of jeugdbescherming measures, mean of 1 January and 31 December 2022 (data/jb_jr)
CBS_JB_STOCK_2022 = {"ondertoezichtstelling": (21_890 + 19_390) / 2, "voogdij": (9_480 + 9_080) / 2}
CBS_JB_TOTAL_2022 = (31_960 + 29_070) / 2  # incl. voorlopige OTS and voorlopige/tijdelijke voogdij


def model_run(scenario_path: str) -> None:
    """One replication of a scenario: its JB stock at the horizon and the provincial spread of its
    pleegzorg and JB referrals (the Poisson noise of one year included)."""
    from simulation.config import load_scenario
    from simulation.runner.replication import run_replication

    scenario = load_scenario(scenario_path)
    episodes = run_replication(scenario, 0).tables["episodes"]
    open_ = episodes[episodes["state"].isin(["waiting", "in_care"])]
    stock = open_.groupby("care_form", observed=True).size()
    jb = {f: int(stock.get(f, 0)) for f in ("jeugdbescherming", "voogdij")}
    print(f"Model run {scenario_path} (replication 0, {scenario.years:g} year): JB stock at the horizon")
    ots = CBS_JB_STOCK_2022["ondertoezichtstelling"]
    print(f"  OTS (jeugdbescherming) {jb['jeugdbescherming']:,} vs CBS 2022 mean {ots:,.0f}")
    print(f"  voogdij {jb['voogdij']:,} vs CBS 2022 mean {CBS_JB_STOCK_2022['voogdij']:,.0f}")
    print(f"  total {sum(jb.values()):,} vs CBS 2022 mean {CBS_JB_TOTAL_2022:,.0f} (all JB measures)")
    gem = gemeenten()
    pv = province_of(gem)
    y17 = {c: float(g["y17"]) for c, g in gem.items()}  # type: ignore[arg-type]
    referred = episodes[episodes["origin"] == "referral"]
    for form in ("pleegzorg", "jeugdbescherming"):
        counts = referred[referred["care_form"] == form].groupby("gemeente", observed=True).size()
        rates = []
        for code in sorted(PROVINCE):
            members = [c for c in gem if pv[c] == code]
            rates.append(sum(int(counts.get(c, 0)) for c in members) / sum(y17[c] for c in members))
        print(f"  provincial CV of {form} referrals per youth: {cv(rates):.3f}")


if __name__ == "__main__":
    holdout_2021()
    provinces()
    if len(sys.argv) > 1:
        model_run(sys.argv[1])
