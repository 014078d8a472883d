"""Derive per-gemeente referral factors per care form from CBS 85098NED (2022), and check them on 2021.

Run by developers only (``python scripts/regional_factors.py``); it reads data/ and writes
``data/regionaal/verwijsfactoren_gemeente.csv`` (described in data/PROVENANCE.md). The model
reads only that file (``demand.regional_factors_file``).

The rule, per gemeente of the 2023 set (``data/gemeenten.csv``) and CBS indicator:

1. **Merge to 2023.** The 2022 figures of gemeenten merged by 2023 (Weesp into Amsterdam; Brielle,
   Hellevoetsluis, Westvoorne into Voorne aan Zee) are averaged, weighted by their youth 0-17
   estimated as (youth 0-17 with jeugdzorg in natura, 2022) / (share with jeugdhulp in natura).
2. **Suppressed cells** (empty in CBS: too few youth) take the youth-weighted mean of the
   gemeenten of the same jeugdregio that have the figure, else the national figure.
3. **Shrinkage.** A small gemeente's share is noisy (a binomial share of a few hundred youth,
   counts rounded to 5, percentages to 0.1). Each share is pulled toward its jeugdregio's mean
   with the empirical-Bayes weight ``tau2 / (tau2 + sigma2_g)``: ``sigma2_g`` is the gemeente's
   sampling variance (``p (1 - p) / N`` plus the rounding variance ``0.1**2 / 12`` in percent
   points), ``tau2`` the spread between gemeenten within regions left after sampling noise
   (method of moments, per indicator).
4. **Care form shares.** Non-residential jeugdhulp forms follow ``jh x (1 - v)`` (youth with
   jeugdhulp without verblijf), residential forms ``jh x v`` (with verblijf), jeugdbescherming
   and voogdij the jeugdbescherming share, jeugdreclassering the share of youth 12-22 with
   jeugdreclassering times the gemeente's youth 12-22 per youth 0-17 (the model's rates are per
   youth 0-17).
5. **Conservation.** A form's factor is its share over the youth(0-17)-weighted national mean of
   that share, so ``sum(youth x factor) = sum(youth)``: the national number of referrals is the
   scenario's rate x national youth, as without factors.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
INDICATORS = DATA / "regionaal" / "cbs_85098NED_indicatoren_jeugdzorg_gemeenten_2022.csv"
IN_NATURA = DATA / "regionaal" / "cbs_jeugdzorg_in_natura_gemeenten_2021_2022.csv"
AGEBANDS = DATA / "population" / "gemeente_youth_agebands_pc4_2021.csv"
OUT = DATA / "regionaal" / "verwijsfactoren_gemeente.csv"

JH, V, JB, JR = (
    "pct_jeugdhulp_in_natura_0_17",
    "pct_met_verblijf_onder_jeugdhulp_0_17",
    "pct_jeugdbescherming_0_17",
    "pct_jeugdreclassering_12_22",
)

#: care form -> basis; forms of the national default (scenarios/nederland.yaml)
FORM_BASIS = {
    "pleegzorg": "met_verblijf",
    "gezinshuis": "met_verblijf",
    "residentieel": "met_verblijf",
    "crisisopvang": "met_verblijf",
    "gesloten_jeugdhulp": "met_verblijf",
    "jeugd_ggz_klinisch": "met_verblijf",
    "driemilieus": "met_verblijf",
    "sglvg": "met_verblijf",
    "lta_specialistisch": "met_verblijf",
    "intensief_ambulant": "zonder_verblijf",
    "dagbehandeling": "zonder_verblijf",
    "jeugdbescherming": "jeugdbescherming",
    "voogdij": "jeugdbescherming",
    "jeugdreclassering": "jeugdreclassering",
}
ROUNDING_VAR_PCT = 0.1**2 / 12.0  # CBS percentages have one decimal


def read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def gemeenten() -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for r in read(DATA / "gemeenten.csv"):
        out[r["gemeentecode"]] = {
            "naam": r["gemeentenaam"],
            "regio": r["jeugdregio_code"],
            "y17": float(r["jeugd_0_17"]),
            "y22": float(r["jeugd_0_22"]),
        }
    for r in read(AGEBANDS):
        # youth 12-22 from five-year bands 2021: 3/5 of 10-14, all of 15-19, 3/5 of 20-24
        b10, b15, b20 = (float(r[f"pc4sum_{b}_2021"]) for b in ("10_14", "15_19", "20_24"))
        y0_17 = sum(float(r[f"pc4sum_{b}_2021"]) for b in ("0_4", "5_9", "10_14")) + 0.6 * b15
        out[r["gemeentecode"]]["r12_22"] = (0.6 * b10 + b15 + 0.6 * b20) / y0_17 if y0_17 > 0 else 1.0
    return out


def indicators_2023(gem: dict[str, dict[str, object]]) -> dict[str, dict[str, float | None]]:
    """Per 2023 gemeente and indicator the 2022 percentage (None: suppressed), merged to 2023."""
    jz17: dict[str, float] = defaultdict(float)  # youth 0-17 with jeugdzorg in natura, 2022 set
    for r in read(IN_NATURA):
        if r["period"] == "2022" and r["indicator"].endswith(("_0_3", "_4_11", "_12_17")) and r["value"]:
            jz17[r["region_code"]] += float(r["value"])
    raw: dict[str, dict[str, float | None]] = defaultdict(dict)
    target: dict[str, str] = {}
    for r in read(INDICATORS):
        if r["region_type"] != "GM":
            continue
        raw[r["region_code"]][r["indicator"]] = float(r["value"]) if r["value"] else None
        target[r["region_code"]] = r["gemeentecode_2023"]
    parts: dict[str, list[str]] = defaultdict(list)
    for code, code23 in target.items():
        parts[code23].append(code)
    out: dict[str, dict[str, float | None]] = {}
    for code23 in gem:
        members = parts.get(code23, [])
        merged: dict[str, float | None] = {}
        for ind in (JH, V, JB, JR):
            values = [(raw[c].get(ind), c) for c in members]
            known = [(v, c) for v, c in values if v is not None]
            if not known:
                merged[ind] = None
                continue
            if len(members) == 1:
                merged[ind] = known[0][0]
                continue
            weights = [jz17[c] / max(raw[c].get(JH) or 0.0, 1e-9) for _, c in known]
            merged[ind] = sum(v * w for (v, _), w in zip(known, weights, strict=True)) / sum(weights)
        out[code23] = merged
    return out


def fill_and_shrink(
    gem: dict[str, dict[str, object]],
    pct: dict[str, float | None],
    denominators: dict[str, float],
) -> tuple[dict[str, float], dict[str, str], dict[str, float]]:
    """Fallback for suppressed cells and shrinkage toward the jeugdregio mean (see module doc).
    Returns the percentage, its origin (gemeente / regio / nationaal) and the gemeente's weight."""
    by_region: dict[str, list[str]] = defaultdict(list)
    for code, g in gem.items():
        by_region[str(g["regio"])].append(code)
    y = {c: float(gem[c]["y17"]) for c in gem}  # type: ignore[arg-type]
    known = {c: p for c, p in pct.items() if p is not None}
    national = sum(known[c] * y[c] for c in known) / sum(y[c] for c in known)
    region_mean = {}
    for r, members in by_region.items():
        have = [c for c in members if c in known]
        region_mean[r] = sum(known[c] * y[c] for c in have) / sum(y[c] for c in have) if have else national

    def sigma2(c: str) -> float:
        p = known[c] / 100.0
        return (p * (1 - p) / max(denominators[c], 1.0)) * 1e4 + ROUNDING_VAR_PCT

    dev = [(known[c] - region_mean[str(gem[c]["regio"])]) ** 2 for c in known]
    tau2 = max(1e-12, sum(dev) / len(dev) - sum(sigma2(c) for c in known) / len(known))
    value, origin, weight = {}, {}, {}
    for c, g in gem.items():
        r = str(g["regio"])
        if c in known:
            w = tau2 / (tau2 + sigma2(c))
            value[c] = w * known[c] + (1 - w) * region_mean[r]
            origin[c], weight[c] = "gemeente", w
        elif any(m in known for m in by_region[r]):
            value[c], origin[c], weight[c] = region_mean[r], "regio", 0.0
        else:
            value[c], origin[c], weight[c] = national, "nationaal", 0.0
    return value, origin, weight


def basis_shares(
    shrink: bool = True,
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, str]], dict[str, dict[str, float]]]:
    """Per basis and gemeente: the share (a fraction of youth 0-17), its origin and shrink weight."""
    gem = gemeenten()
    ind = indicators_2023(gem)
    y17 = {c: float(g["y17"]) for c, g in gem.items()}  # type: ignore[arg-type]
    jh_users = {c: y17[c] * (ind[c][JH] or 13.0) / 100.0 for c in gem}
    y12_22 = {c: y17[c] * float(gem[c]["r12_22"]) for c in gem}  # type: ignore[arg-type]
    denominators = {JH: y17, V: jh_users, JB: y17, JR: y12_22}
    pct, origin, weight = {}, {}, {}
    for key in (JH, V, JB, JR):
        values = {c: ind[c][key] for c in gem}
        if shrink:
            pct[key], origin[key], weight[key] = fill_and_shrink(gem, values, denominators[key])
        else:
            filled, origin[key], _ = fill_and_shrink(gem, values, denominators[key])
            pct[key] = {c: values[c] if values[c] is not None else filled[c] for c in gem}
            weight[key] = dict.fromkeys(gem, 1.0)
    share = {
        "zonder_verblijf": {c: pct[JH][c] / 100 * (1 - pct[V][c] / 100) for c in gem},
        "met_verblijf": {c: pct[JH][c] / 100 * pct[V][c] / 100 for c in gem},
        "jeugdbescherming": {c: pct[JB][c] / 100 for c in gem},
        "jeugdreclassering": {c: pct[JR][c] / 100 * float(gem[c]["r12_22"]) for c in gem},  # type: ignore[arg-type]
    }
    rank = {"gemeente": 0, "regio": 1, "nationaal": 2}

    def worst(*keys: str) -> dict[str, str]:
        return {c: max((origin[k][c] for k in keys), key=rank.__getitem__) for c in gem}

    origins = {
        "zonder_verblijf": worst(JH, V),
        "met_verblijf": worst(JH, V),
        "jeugdbescherming": worst(JB),
        "jeugdreclassering": worst(JR),
    }
    weights = {
        "zonder_verblijf": {c: min(weight[JH][c], weight[V][c]) for c in gem},
        "met_verblijf": {c: min(weight[JH][c], weight[V][c]) for c in gem},
        "jeugdbescherming": weight[JB],
        "jeugdreclassering": weight[JR],
    }
    return share, origins, weights


def factors(share: dict[str, float], youth: dict[str, float]) -> dict[str, float]:
    """Share over its youth-weighted mean: ``sum(youth x factor) == sum(youth)``."""
    mean = sum(share[c] * youth[c] for c in share) / sum(youth.values())
    return {c: share[c] / mean for c in share}


def main() -> None:
    gem = gemeenten()
    y17 = {c: float(g["y17"]) for c, g in gem.items()}  # type: ignore[arg-type]
    share, origin, weight = basis_shares()
    per_basis = {b: factors(s, y17) for b, s in share.items()}
    rows = []
    for code in sorted(gem):
        for form, basis in FORM_BASIS.items():
            rows.append(
                {
                    "gemeentecode": code,
                    "zorgvorm": form,
                    "factor": f"{per_basis[basis][code]:.5f}",
                    "basis": basis,
                    "bron": origin[basis][code],
                    "gewicht_gemeente": f"{weight[basis][code]:.3f}",
                }
            )
    with open(OUT, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    for b, f in per_basis.items():
        conserved = sum(f[c] * y17[c] for c in f) / sum(y17.values())
        values = sorted(f.values())
        n_origin = {k: sum(1 for c in f if origin[b][c] == k) for k in ("gemeente", "regio", "nationaal")}
        print(
            f"{b:18s} min {values[0]:.2f} median {values[len(values) // 2]:.2f} max {values[-1]:.2f} "
            f"conserved {conserved:.6f} origin {n_origin} mean weight "
            f"{sum(weight[b].values()) / len(f):.2f}"
        )
    print(f"wrote {OUT.relative_to(ROOT)} ({len(rows)} rows)")
    if not math.isfinite(sum(float(r["factor"]) for r in rows)):
        raise SystemExit("non-finite factor")


if __name__ == "__main__":
    main()
