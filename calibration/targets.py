"""Calibration targets read from the CBS series shipped in data/cbs.

:func:`load_targets` gives every numeric row (287) as a :class:`Target`. :func:`model_targets`
gives the ones the model can reproduce: the counts of the specialist forms it simulates (jeugdhulp
met verblijf, jeugdbescherming, jeugdreclassering), each with

* a **kind**: ``stock`` (a count on a date: 30 June, or 1 January = the 31 December before, from
  the ``stocks`` table), ``flow`` (a count over a half-year or year: started or ended care, from
  the ``flows`` table), or ``active`` (everyone in care at some time in a period, CBS's "actief
  in periode" and "jongeren met ... in jaar": the stock at the start of the period plus the starts
  in it);
* a **weight** for data quality (:func:`quality_weight`);
* a **trend-break** flag: from 2021 more providers report jeugdhulp to CBS, so the jeugdhulp counts
  of 2021 and later are not comparable with earlier years (data/PROVENANCE.md). Flagged targets
  are compared after a level shift (calibration/objective.py); jeugdbescherming and
  jeugdreclassering, reported by the certified institutions, have no break.

The forms each target counts are given by rule (:data:`MODELLED`), as the validation report does
(simulation/validation/comparisons.py): residential jeugdhulp forms are *met verblijf*;
pleegzorg, gezinshuis and gesloten jeugdhulp are CBS's own categories; the other residential
forms are CBS's "overig met verblijf".
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

__all__ = [
    "DATA",
    "MODELLED",
    "Kind",
    "Target",
    "derived_starts",
    "load_targets",
    "model_targets",
    "quality_weight",
    "target_forms",
]

DATA = Path(__file__).resolve().parents[1] / "data" / "cbs" / "national_jeugdzorg_series.csv"

_FLOW_WORDS = ("instroom", "uitstroom", "begonnen", "gestart", "beeindigd")
#: the first year of CBS's new jeugdhulp reporting (more reporting providers)
TREND_BREAK_YEAR = 2021

Kind = Literal["stock", "flow", "active"]
#: which end of a flow: care started (instroom) or ended (uitstroom)
Side = Literal["started", "ended"]


@dataclass(frozen=True)
class Target:
    indicator: str
    period: str
    value: float
    unit: str
    kind: Kind
    source_url: str
    age_range: str = ""
    status: str = ""
    note: str = ""
    weight: float = 1.0
    trend_break: bool = False
    #: flows: started or ended care
    side: Side = "started"
    #: the group of model forms the target counts (a key of :func:`target_forms`)
    group: str = ""
    derived: bool = False

    @property
    def key(self) -> str:
        """``indicator:age_range:period``: unique among the model targets."""
        return f"{self.indicator}:{self.age_range}:{self.period}"

    @property
    def year(self) -> int:
        return int(self.period[:4])


def load_targets(path: Path = DATA, prefix: str = "") -> list[Target]:
    """Every numeric row whose indicator starts with ``prefix``, typed as stock or flow."""
    out = []
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if not row["indicator"].startswith(prefix) or not row["value"]:
                continue
            kind: Kind = "flow" if any(w in row["indicator"] for w in _FLOW_WORDS) else "stock"
            out.append(
                Target(
                    row["indicator"],
                    row["period"],
                    float(row["value"]),
                    row["unit"],
                    kind,
                    row["source_url"],
                    row["age_range"],
                    row["status"],
                    row["note"],
                )
            )
    return out


def _rounded(t: Target) -> bool:
    return any(w in t.unit for w in ("afgerond", "ruim", "bijna", "duizend"))


def quality_weight(t: Target) -> float:
    """Data-quality weight in (0, 1]: the product of

    * 0.8 for a provisional (voorlopig) figure (usually 1-5% below the final one, PROVENANCE);
    * 0.5 for a figure rounded to thousands ("ruim 21,5 duizend") or derived (a share rounded to
      0.1 point times a total, or a difference of two counts);
    * 0.7 for a count of persons: the model counts episodes, so a child in two forms counts twice.
    """
    w = 1.0
    if t.status.startswith("voorlopig") or t.status.startswith("nader"):
        w *= 0.8
    if _rounded(t) or t.derived or "AFGELEID" in t.status:
        w *= 0.5
    if t.indicator.startswith("jongeren"):
        w *= 0.7
    return w


@dataclass(frozen=True)
class _Rule:
    kind: Kind
    group: str
    side: Side = "started"
    trend_break: bool = True


_V = "met_verblijf"
#: indicator -> how the model reproduces it (kind, forms, side, whether the 2021 break applies)
MODELLED: Mapping[str, _Rule] = {
    "jongeren_met_jeugdhulp_met_verblijf": _Rule("active", _V),
    "jongeren_met_verblijf_pleegzorg": _Rule("active", "pleegzorg"),
    "jongeren_met_verblijf_gezinsgericht": _Rule("active", "gezinshuis"),
    "jongeren_met_verblijf_gesloten": _Rule("active", "gesloten_jeugdhulp"),
    "jongeren_met_verblijf_overig": _Rule("active", "overig_met_verblijf"),
    "jeugdhulptrajecten_actief_met_verblijf": _Rule("active", _V),
    "jeugdhulptrajecten_met_verblijf_actief_in_periode": _Rule("active", _V),
    "jeugdhulptrajecten_met_verblijf_beginstand_1jan": _Rule("stock", _V),
    "jeugdhulptrajecten_met_verblijf_eindstand_30jun": _Rule("stock", _V),
    "jeugdhulptrajecten_met_verblijf_instroom": _Rule("flow", _V, "started"),
    "jeugdhulptrajecten_met_verblijf_uitstroom": _Rule("flow", _V, "ended"),
    "jeugdhulptrajecten_begonnen_met_verblijf": _Rule("flow", _V, "started"),
    "jeugdhulptrajecten_begonnen_pleegzorg": _Rule("flow", "pleegzorg", "started"),
    "jeugdhulptrajecten_begonnen_gezinsgericht": _Rule("flow", "gezinshuis", "started"),
    "jeugdhulptrajecten_begonnen_gesloten": _Rule("flow", "gesloten_jeugdhulp", "started"),
    "jeugdhulptrajecten_begonnen_overig_met_verblijf": _Rule("flow", "overig_met_verblijf", "started"),
    "jeugdbescherming_maatregelen_totaal_instroom": _Rule("flow", "jeugdbescherming_totaal", "started", False),
    "jeugdbescherming_maatregelen_totaal_uitstroom": _Rule("flow", "jeugdbescherming_totaal", "ended", False),
    "jeugdbescherming_ots_instroom": _Rule("flow", "ots", "started", False),
    "jeugdbescherming_ots_uitstroom": _Rule("flow", "ots", "ended", False),
    "jeugdbescherming_maatregelen_peildatum": _Rule("stock", "jeugdbescherming_totaal", trend_break=False),
    "jongeren_met_reguliere_ots_peildatum": _Rule("stock", "ots", trend_break=False),
    "jongeren_met_reguliere_voogdij_peildatum": _Rule("stock", "voogdij", trend_break=False),
    "jeugdreclassering_maatregelen_peildatum": _Rule("stock", "jeugdreclassering", trend_break=False),
    "jongeren_met_jeugdreclassering_peildatum": _Rule("stock", "jeugdreclassering", trend_break=False),
}

#: derived start counts: begonnen_totaal x the share of this kind / 100 (both in the series)
_SHARES = {
    "jeugdhulptrajecten_begonnen_met_verblijf": "jeugdhulptrajecten_begonnen_aandeel_met_verblijf",
    "jeugdhulptrajecten_begonnen_pleegzorg": "jeugdhulptrajecten_begonnen_aandeel_pleegzorg",
    "jeugdhulptrajecten_begonnen_gezinsgericht": "jeugdhulptrajecten_begonnen_aandeel_gezinsgericht",
    "jeugdhulptrajecten_begonnen_gesloten": "jeugdhulptrajecten_begonnen_aandeel_gesloten",
    "jeugdhulptrajecten_begonnen_overig_met_verblijf": "jeugdhulptrajecten_begonnen_aandeel_overig_met_verblijf",
}


def derived_starts(rows: list[Target]) -> list[Target]:
    """Started trajectories of a kind per year, derived as the total started x its share (%)."""
    total = {t.period: t for t in rows if t.indicator == "jeugdhulptrajecten_begonnen_totaal"}
    out = []
    for name, share_name in _SHARES.items():
        for s in (t for t in rows if t.indicator == share_name and t.period in total):
            tot = total[s.period]
            out.append(
                replace(
                    tot,
                    indicator=name,
                    value=tot.value * s.value / 100.0,
                    unit="trajecten (afgeleid)",
                    status=f"afgeleid: {tot.indicator} x {share_name} / 100",
                    note=s.note,
                    derived=True,
                )
            )
    return out


def model_targets(path: Path = DATA) -> list[Target]:
    """The targets the model can reproduce (:data:`MODELLED`), typed and weighted, one per key.

    Where the series holds two rows for one key (a rounded and an exact figure of the same count),
    the exact one is kept.
    """
    rows = load_targets(path)
    by_key: dict[str, Target] = {}
    for t in [*rows, *derived_starts(rows)]:
        rule = MODELLED.get(t.indicator)
        if rule is None:
            continue
        typed = replace(
            t, kind=rule.kind, group=rule.group, side=rule.side,
            trend_break=rule.trend_break and t.year >= TREND_BREAK_YEAR,
        )  # fmt: skip
        typed = replace(typed, weight=quality_weight(typed))
        old = by_key.get(typed.key)
        if old is None or (_rounded(old) and not _rounded(typed)):
            by_key[typed.key] = typed
    return sorted(by_key.values(), key=lambda t: (t.indicator, t.age_range, t.period))


_JUSTICE = ("jeugdbescherming", "voogdij", "jeugdreclassering")
_OWN_CATEGORIES = ("pleegzorg", "gezinshuis", "gesloten_jeugdhulp")

#: group -> the model forms it counts, given each form's ``residential`` flag
_GROUPS: Mapping[str, Callable[[Mapping[str, bool]], list[str]]] = {
    _V: lambda res: [f for f, r in res.items() if r and f not in _JUSTICE],
    "overig_met_verblijf": lambda res: [f for f, r in res.items() if r and f not in (*_JUSTICE, *_OWN_CATEGORIES)],
    "pleegzorg": lambda res: [f for f in res if f == "pleegzorg"],
    "gezinshuis": lambda res: [f for f in res if f == "gezinshuis"],
    "gesloten_jeugdhulp": lambda res: [f for f in res if f == "gesloten_jeugdhulp"],
    "jeugdbescherming_totaal": lambda res: [f for f in res if f in ("jeugdbescherming", "voogdij")],
    "ots": lambda res: [f for f in res if f == "jeugdbescherming"],
    "voogdij": lambda res: [f for f in res if f == "voogdij"],
    "jeugdreclassering": lambda res: [f for f in res if f == "jeugdreclassering"],
}


def target_forms(group: str, residential: Mapping[str, bool]) -> list[str]:
    """The model forms (of a scenario: form -> residential) that a target group counts."""
    return _GROUPS[group](residential)
