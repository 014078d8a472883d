"""What the validation report compares: each model quantity beside an observed one.

The list is built from the scenario (its care forms decide which model forms stand for a CBS
category), so a care form added later is counted where it belongs without editing this file:
``residential`` forms are *jeugdhulp met verblijf*; pleegzorg, gezinshuis and gesloten jeugdhulp
are CBS's own categories, and the other residential forms are CBS's "overig met verblijf".
A comparison whose model forms are absent (``voogdij`` before it is modelled) is reported as
"not modelled", never dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from simulation.config import Scenario
from simulation.validation import measures as m
from simulation.validation import observed as obs

__all__ = ["Comparison", "comparisons"]

#: gemeenten with fewer youth (0-17) are left out of the regional spread (sampling noise)
SPREAD_MIN_YOUTH = 5_000
#: the censored (Kaplan-Meier) median wait
WAIT_KPI = "wait_days_median"
NATIONAL_CBS = obs.NATIONAL_CBS_FILE
CAPACITY = "capaciteit/capaciteit_excerpts.csv"
PROVIDERS = "aanbieders/aanbieders_financien_excerpts.csv"
JB = "jb_jr/jb_jr_duur_en_stromen_excerpts.csv"
REPORTED = "validation/reported_figures.csv"


@dataclass(frozen=True)
class Comparison:
    group: str
    quantity: str
    unit: str  # count, days, share (in [0, 1]), margin (a signed share), eur, ratio
    observed: Callable[[], obs.Observed]
    measure: m.Measure | None  # None: the model has no such quantity (yet)
    note: str
    #: "lower"/"higher" when the model counts a subset/superset of what was observed
    expect: str | None = None


def comparisons(scenario: Scenario, youth: dict[str, float]) -> list[Comparison]:
    forms = scenario.care_forms
    present = set(forms)
    residential = [f for f, c in forms.items() if c.residential]
    other_residential = [f for f in residential if f not in ("pleegzorg", "gezinshuis", "gesloten_jeugdhulp")]
    jeugdhulp = [f for f in forms if f not in ("jeugdbescherming", "voogdij", "jeugdreclassering")]
    ambulant = [f for f, c in forms.items() if not c.residential and f in jeugdhulp]

    GI_FORMS = ("jeugdbescherming", "voogdij", "jeugdreclassering")

    def only(*names: str) -> list[str] | None:
        return list(names) if set(names) <= present else None

    def model(measure: Callable[[list[str]], m.Measure], names: list[str] | None) -> m.Measure | None:
        return measure(names) if names else None

    stocks = "Stocks and flows"
    out = [
        Comparison(stocks, "Jeugdbescherming: children with an OTS on 30 June", "count",
                   lambda: obs.from_table(NATIONAL_CBS, indicator="jongeren_met_reguliere_ots_peildatum"),
                   model(lambda f: m.in_care_on(f, 6, 30), only("jeugdbescherming")),
                   "model form `jeugdbescherming` (the OTS); CBS counts persons 0-17 on 30-6-2022. Not independent: "
                   "the OTS rate (CBS 2022 outflow) and duration (Little's law on the 2022 stock) reproduce this "
                   "stock by construction"),
        Comparison(stocks, "Jeugdbescherming: children with voogdij on 30 June", "count",
                   lambda: obs.from_table(NATIONAL_CBS, indicator="jongeren_met_reguliere_voogdij_peildatum"),
                   model(lambda f: m.in_care_on(f, 6, 30), only("voogdij")),
                   "model form `voogdij`; like the OTS, rate and duration reproduce the 2022 stock by construction"),
        Comparison(stocks, "Jeugdreclassering: youth with a measure on 30 June", "count",
                   lambda: obs.from_table(NATIONAL_CBS, indicator="jongeren_met_jeugdreclassering_peildatum"),
                   model(lambda f: m.in_care_on(f, 6, 30), only("jeugdreclassering")),
                   "CBS counts youth 12-22; the model's population is 0-17"),
        Comparison(stocks, "OTS started per year", "count",
                   lambda: obs.from_table(JB, indicator="instroom_jaarreeks", measure="ondertoezichtstelling",
                                          period="2022"),
                   model(m.referrals_per_year, only("jeugdbescherming")),
                   "new referrals in the window, scaled to a year"),
        Comparison(stocks, "Children in pleegzorg on 31 December", "count",
                   lambda: obs.from_table(CAPACITY, zorgvorm="pleegzorg", indicator="kinderen_in_pleegzorg_31dec",
                                          period="2022"),
                   model(lambda f: m.in_care_on(f, 12, 31), only("pleegzorg")),
                   "NJi (Pleegzorg Nederland); the model's 31 December must lie in the window"),
        Comparison(stocks, "Children reached by pleegzorg in a year", "count",
                   lambda: obs.from_table(CAPACITY, zorgvorm="pleegzorg", indicator="kinderen_bereikt_in_jaar",
                                          period="2022"),
                   model(m.persons_in_year, only("pleegzorg")),
                   "in care at the start of the window plus starts, scaled to a year"),
        Comparison(stocks, "Youth with gezinsgerichte jeugdhulp met verblijf in a year", "count",
                   lambda: obs.from_table(NATIONAL_CBS, indicator="jongeren_met_verblijf_gezinsgericht"),
                   model(m.persons_in_year, only("gezinshuis")),
                   "CBS 2019, youth 0-22; model form `gezinshuis`"),
        Comparison(stocks, "Youth in gesloten jeugdhulp in a year", "count",
                   lambda: obs.from_table(NATIONAL_CBS, indicator="jongeren_met_verblijf_gesloten"),
                   model(m.persons_in_year, only("gesloten_jeugdhulp")),
                   "CBS 2019, youth 0-22. The model's JZ+ is sized to the 2025 stock (408 placed, 526 places); "
                   "closed capacity has been cut since 2019 (afbouw: 564 places mid-2024, 526 in 2025; Zuid-West "
                   "planned 235 -> 100 places 2020-2024, data/capaciteit), so the model must count fewer"),
        Comparison(stocks, "Youth in other jeugdhulp met verblijf in a year", "count",
                   lambda: obs.from_table(NATIONAL_CBS, indicator="jongeren_met_verblijf_overig"),
                   model(m.persons_in_year, other_residential or None),
                   "model: " + ", ".join(other_residential) + "; CBS 2019, youth 0-22. Not independent: these "
                   "forms' rates and residentieel's duration are set so that their starts and their stock plus "
                   "starts are this year's CBS counts (docs/SOURCES.md#other-residential-split); a youth with two "
                   "trajectories counts twice in the model"),
        Comparison(stocks, "Trajectories of other jeugdhulp met verblijf started in a year", "count",
                   lambda: obs.trajectories_started("overig_met_verblijf", "2019"),
                   model(m.starts_per_year, other_residential or None),
                   "CBS 2019, youth 0-22, share times total of started trajectories; model: starts of care in "
                   + ", ".join(other_residential)
                   + ". Not independent: the six forms share this count by their earlier relative sizes "
                   "(docs/SOURCES.md#other-residential-split; CBS 85097NED, 'gestart met crisis', which would pin "
                   "crisis, is not in data/); escalations into crisis are part of the starts. The default scenario "
                   "uses no later year; validate-history predicts 2021 out of sample"),
        Comparison(stocks, "Trajectories of pleegzorg started in a year", "count",
                   lambda: obs.trajectories_started("pleegzorg", "2019"),
                   model(m.starts_per_year, only("pleegzorg")),
                   "CBS 2019, youth 0-22, share times total of started trajectories; model: starts of pleegzorg "
                   "(its rate is NJi's new placements of 2021, so close to this by construction)"),
        Comparison(stocks, "Trajectories of jeugdhulp met verblijf active in a year", "count",
                   lambda: obs.from_table(NATIONAL_CBS, indicator="jeugdhulptrajecten_actief_met_verblijf",
                                          period="2019"),
                   model(m.persons_in_year, residential or None),
                   "CBS 2019, trajectories of youth 0-22 active in the year; model: episodes of all residential "
                   "forms in care at the start of the window plus starts, scaled to a year"),
        Comparison(stocks, "Youth with jeugdhulp met verblijf in a year (0-17)", "count",
                   lambda: obs.from_table(NATIONAL_CBS, indicator="jongeren_met_jeugdhulp_met_verblijf",
                                          period="2019", age_range="0-17"),
                   model(m.persons_in_year, residential or None),
                   "all residential model forms; a child in two forms counts twice in the model"),
        Comparison(stocks, "JeugdzorgPlus: youth placed on a day", "count",
                   lambda: obs.from_table(CAPACITY, zorgvorm="gesloten jeugdhulp (JeugdzorgPlus)",
                                          indicator="bezetting_jeugdigen", period="2025Q1"),
                   model(lambda f: m.in_care_on(f, 6, 30), only("gesloten_jeugdhulp")),
                   "Monitor JeugdzorgPlus Q1 2025; model on 30 June"),
        Comparison(stocks, "JeugdzorgPlus: occupancy", "share",
                   lambda: obs.from_table(CAPACITY, zorgvorm="gesloten jeugdhulp (JeugdzorgPlus)",
                                          indicator="bezettingsgraad", period="2025Q1"),
                   model(m.mean_occupancy, only("gesloten_jeugdhulp")),
                   "occupied over staffed place-days in the window"),
    ]  # fmt: skip

    waits = "Waits"
    out += [
        Comparison(waits, "Median wait to intake, ambulant forms, jeugdregio Twente", "days",
                   obs.twente_median_wait_days,
                   m.kpi(WAIT_KPI, ambulant, ["JZ14"]) if ambulant else None,
                   "published waits of Twente's providers (all youth care they offer) against the model's "
                   "censored median wait for " + ", ".join(ambulant) + " in JZ14. Not independent: the landscape "
                   "sizes intensief ambulant places to the Twente MEAN wait (observed_wait_days, 75 d), so this "
                   "row checks the sizing and the shape of the wait distribution, not a prediction"),
        Comparison(waits, "Share of GIs with more than 100 children waiting", "share",
                   lambda: obs.from_table(REPORTED, key="gi_share_with_waiting_list"),
                   model(lambda f: m.bound_providers_waiting_share(f, 100), only(*GI_FORMS)),
                   "observed: 7 of 13 GIs have more than 100 children waiting structurally, 4 none (2024); model: "
                   "children of the OTS, voogdij and jeugdreclassering waiting at the horizon per GI they are bound "
                   "to. The total is sized (next row); how it falls over the GIs is not"),
        Comparison(waits, "Children waiting for a jeugdbeschermer", "count",
                   lambda: obs.from_table(REPORTED, key="children_without_jeugdbeschermer"),
                   model(m.waiting_at_horizon, only(*GI_FORMS)),
                   "model: children of the OTS, voogdij and jeugdreclassering waiting at the horizon. Not "
                   "independent: the GI forms' observed_wait_days (30 d) is derived from this count"),
    ]  # fmt: skip

    money = "Money and administration"
    out += [
        Comparison(money, "Net margin, all providers", "margin",
                   lambda: _share(obs.from_table(PROVIDERS, indicator="gemiddeld_nettoresultaat_jeugdzorgaanbieders")),
                   m.net_margin(), "Jeugdautoriteit 2023; model: margins over revenue in the window. Not independent: "
                   "finance.break_even_occupancy (0.985) was chosen from 0.90, 0.94, 0.97 and 0.985 as the one that "
                   "gives the fragmented regime's first-year sector margin nearest this figure "
                   "(scripts/money_check.py; 2.9% at 0.97), with providers' costs following their tariffs "
                   "(finance.cost_levels); measured before the 'overig met verblijf' forms were scaled to CBS's "
                   "count and the landscape rounded to the nearest place, after which 0.985 gives 1.8% in that "
                   "check (not re-tuned)"),
        Comparison(money, "Net margin, providers with turnover above EUR 20 mn", "margin",
                   lambda: _share(obs.from_table(
                       PROVIDERS, indicator="gemiddeld_nettoresultaat_grote_aanbieders_omzet_gt_20mln")),
                   m.net_margin(min_revenue=20e6), "model: providers with yearly revenue of EUR 20 mn or more"),
        Comparison(money, "Net margin, JeugdzorgPlus providers", "margin",
                   lambda: _share(obs.from_table(PROVIDERS, indicator="nettoresultaat_jeugdzorgplus_gesloten",
                                                 period="2023")),
                   model(lambda f: m.net_margin(m.providers_of(f)), only("gesloten_jeugdhulp")),
                   "model: providers with a gesloten jeugdhulp contract (their whole turnover). The same source "
                   "gives -2.0% for 2022"),
        Comparison(money, "Net margin, gecertificeerde instellingen", "margin",
                   lambda: _share(obs.from_table(PROVIDERS, indicator="nettoresultaat_gecertificeerde_instellingen")),
                   model(lambda f: m.net_margin(m.providers_of(f)), only("jeugdbescherming")),
                   "model: providers with a jeugdbescherming contract"),
        Comparison(money, "Share of systeempartijen making a loss", "share",
                   lambda: obs.from_table(REPORTED, key="systeempartijen_loss_making_share"),
                   model(lambda f: m.loss_making_share(m.providers_of(f)),
                         only("crisisopvang", "pleegzorg", "residentieel")),
                   "observed 2018 accounts; model: providers with a crisis, pleegzorg or residential contract "
                   "whose margin over the window is negative"),
        Comparison(money, "Administration share of professional time", "share",
                   lambda: obs.from_table(REPORTED, key="admin_share_professional_time"),
                   m.admin_share(), "model: FTE-weighted provider administration share"),
        Comparison(money, "Municipal spending on jeugdzorg per year", "eur",
                   lambda: obs.from_table(REPORTED, key="municipal_jeugdzorg_spend_eur"),
                   m.spend_per_year(),
                   "observed covers ALL jeugdzorg; the model covers 14 specialist forms only, so it must "
                   "be lower: read the ratio as the model's share", expect="lower"),
        Comparison(money, "Jeugdzorg spending per youth 0-17, ten Limburg gemeenten", "eur",
                   lambda: obs.spend_per_youth(youth),
                   m.spend_per_youth(obs.spend_gemeenten()) if set(obs.spend_gemeenten()) <= set(youth) else None,
                   "observed: realised cost of ALL jeugdzorg; model: care delivered in the 14 specialist forms "
                   "to these gemeenten's children in the window (tariff x days in care)", expect="lower"),
        Comparison(money, "Share of spending on jeugdbescherming", "share",
                   lambda: obs.from_table(REPORTED, key="jb_share_of_spend"),
                   model(m.share_of_spend, [f for f in ("jeugdbescherming", "voogdij") if f in present] or None),
                   "observed share of ALL jeugdzorg; model share of specialist spending, so it must be higher",
                   expect="higher"),
    ]  # fmt: skip

    spread = "Regional spread"

    def youth_0_22() -> dict[str, float]:
        return obs.youth_by_gemeente(Path(scenario.gemeenten_file), "jeugd_0_22")

    out += [
        Comparison(spread, "Spread over gemeenten of jeugdhulp use (CV)", "ratio",
                   lambda: obs.gemeente_spread("pct_jeugdhulp_in_natura_0_17", SPREAD_MIN_YOUTH, youth),
                   m.gemeente_referral_cv(jeugdhulp, SPREAD_MIN_YOUTH),
                   "observed: share of youth with jeugdhulp (all forms, 2022); model: referrals per youth to "
                   "the specialist jeugdhulp forms. Not independent: the model's regional factors are derived "
                   "from this table (scripts/regional_factors.py)"),
        Comparison(spread, "Spread over gemeenten of jeugdzorg use in 2021 (CV)", "ratio",
                   lambda: obs.gemeente_spread_2021(SPREAD_MIN_YOUTH, youth, youth_0_22()),
                   m.gemeente_referral_cv(list(forms), SPREAD_MIN_YOUTH),
                   "observed: youth 0-22 with any jeugdzorg in natura per youth 0-22 (CBS 85075NED, 2021: a "
                   "year and table the regional factors were NOT derived from); model: referrals per youth to "
                   "all its forms"),
        Comparison(spread, "Spread over gemeenten of jeugdbescherming (CV)", "ratio",
                   lambda: obs.gemeente_spread("pct_jeugdbescherming_0_17", SPREAD_MIN_YOUTH, youth),
                   model(lambda f: m.gemeente_referral_cv(f, SPREAD_MIN_YOUTH), only("jeugdbescherming")),
                   "observed: share of youth with jeugdbescherming (a stock, 2022); model: OTS referrals per youth. "
                   "Not independent: the JB factors are derived from this table"),
    ]  # fmt: skip
    return out


def _share(o: obs.Observed) -> obs.Observed:
    """A percentage figure as a share."""
    return obs.Observed(o.value / 100.0, o.period, o.source, o.file, o.low / 100.0, o.high / 100.0, o.note)
