"""Dutch labels: code and files stay English, people read Dutch.

KPI labels come from the KPI registry (``simulation.metrics.REGISTRY``), where each KPI is
declared once; this module adds the words that are not KPIs, the short explanations shown on
hover (``help=``) and the names of regimes, care forms and levels.
"""

from __future__ import annotations

from simulation.metrics import REGISTRY

__all__ = [
    "CARE_FORMS",
    "HEADLINE_KPIS",
    "HELP",
    "KPI_LABELS",
    "LEVELS",
    "MECHANISMS",
    "REGIMES",
    "UNITS",
    "WORDS",
    "care_form",
    "help_text",
    "label",
    "mechanism",
    "regime",
    "unit",
]

KPI_LABELS: dict[str, str] = {k.name: k.label_nl for k in REGISTRY}

WORDS: dict[str, str] = {
    "care_form": "Zorgvorm",
    "provider": "Aanbieder",
    "region": "Jeugdregio",
    "gemeente": "Gemeente",
    "unit": "Inkoopeenheid",
    "wait": "Wachttijd",
    "fragmented": "Gefragmenteerd",
    "regional": "Regionaal",
    "national": "Landelijk",
    "scenario": "Regime",
    "mean": "Gemiddelde",
    "interval": "95%-interval",
    "month": "Maand",
    "waiting": "Wachtenden",
    "in_care": "In zorg",
    "occupancy": "Bezettingsgraad",
    "margin": "Marge",
    "reserves": "Reserves",
    "fte": "Personeel (fte)",
}

#: the scenario names of the shipped regimes
REGIMES: dict[str, str] = {
    "gefragmenteerd": "Gefragmenteerd",
    "regionaal": "Regionaal",
    "landelijk": "Landelijk",
}

CARE_FORMS: dict[str, str] = {
    "pleegzorg": "Pleegzorg",
    "gezinshuis": "Gezinshuis",
    "residentieel": "Residentiële jeugdhulp",
    "crisisopvang": "Crisisopvang",
    "gesloten_jeugdhulp": "Gesloten jeugdhulp",
    "jeugd_ggz_klinisch": "Klinische jeugd-ggz",
    "driemilieus": "Driemilieuvoorziening",
    "intensief_ambulant": "Intensief ambulant",
    "dagbehandeling": "Dagbehandeling",
    "sglvg": "SGLVG",
    "lta_specialistisch": "Specialistische zorg (LTA)",
    "jeugdbescherming": "Jeugdbescherming",
    "voogdij": "Voogdij",
    "jeugdreclassering": "Jeugdreclassering",
}

LEVELS: dict[str, str] = {
    "subregional": "Subregionaal (deel van de regio)",
    "regional": "Regionaal (de hele jeugdregio)",
    "pooled": "Bovenregionaal (met buurregio's)",
    "national": "Landelijk",
}

#: the KPI registry's units in Dutch
UNITS: dict[str, str] = {
    "days": "dagen",
    "share": "aandeel",
    "children": "kinderen",
    "providers": "aanbieders",
    "EUR": "euro",
    "signals": "signalen",
    "provider-months": "aanbieder-maanden",
    "EUR per youth per year": "euro per jeugdige per jaar",
    "EUR per child": "euro per kind",
}

#: the KPIs the overview shows, in this order
HEADLINE_KPIS: tuple[str, ...] = (
    "wait_days_mean",
    "wait_days_median",
    "wait_days_p90",
    "share_over_norm",
    "waiting_at_end",
    "escalations",
    "provider_exits",
    "total_cost_eur",
    "cost_per_child_served_eur",
    "municipal_cost_per_youth_eur",
)

#: short explanations for hover text; a KPI without one falls back to its registry definition
HELP: dict[str, str] = {
    "wait_days_mean": "Gemiddeld aantal dagen van verwijzing tot start van de zorg, voor alle kinderen die in de "
    "meetperiode zijn verwezen, ook wie nog wacht (geschat met een overlevingscurve, afgekapt op de meetperiode).",
    "wait_days_median": "De helft van de verwezen kinderen is binnen dit aantal dagen geplaatst. Een streepje: minder "
    "dan de helft is binnen de meetperiode geplaatst.",
    "wait_days_p90": "90% van de verwezen kinderen is binnen dit aantal dagen geplaatst. Een streepje: meer dan 10% "
    "wacht langer dan de meetperiode laat zien (lees: heel lang).",
    "share_over_norm": "Aandeel van de verwezen kinderen dat langer wachtte dan de wachttijdnorm van hun zorgvorm "
    "(geplaatst na de norm, nog wachtend of zonder plaats vertrokken na de norm).",
    "waiting_at_end": "Kinderen op een wachtlijst aan het eind van de gesimuleerde periode.",
    "escalations": "Kinderen die tijdens het wachten zwaardere zorg nodig kregen.",
    "provider_exits": "Aanbieders die in de meetperiode stopten (faillissement of sluiting).",
    "total_cost_eur": "Wat gemeenten betaalden: zorg, hun eigen inkoop- en contractadministratie en eventuele "
    "liquiditeitssteun, over de meetperiode.",
    "cost_per_child_served_eur": "Totale kosten gedeeld door het aantal kinderen dat in de meetperiode met zorg "
    "begon: uitgaven per nieuw geplaatst kind, niet de kosten van één traject.",
    "municipal_cost_per_youth_eur": "Totale kosten per jeugdige van 0-17 jaar per jaar.",
    "utilisation_mean": "Bezette plaatsdagen gedeeld door de plaatsdagen die het personeel toeliet.",
    "interval": "95%-betrouwbaarheidsinterval over de replicaties: de onzekerheid door toeval in de simulatie, "
    "niet de onzekerheid in de aannames.",
    "difference": "Gepaarde verschillen: elk regime ziet dezelfde kinderen (dezelfde toevalsgetallen), zodat het "
    "verschil het effect van het regime is en niet van toeval.",
    "regime": "Gefragmenteerd: subregionale inkoop, elk met eigen voorwaarden. Regionaal: één inkoopeenheid per "
    "jeugdregio (Wet verbetering beschikbaarheid jeugdzorg, 2026). Landelijk: de zeldzaamste vormen landelijk.",
    "replications": "Het aantal keren dat de simulatie met andere toevalsgetallen is gedraaid.",
    "band": "De lijn is het gemiddelde over de replicaties, de band loopt van de laagste tot de hoogste replicatie.",
    "occupancy": "Bezette plaatsdagen gedeeld door de plaatsdagen die het personeel toeliet.",
    "margin": "Opbrengsten min kosten, als aandeel van de opbrengsten, over de meetperiode.",
    "reserves": "Eigen vermogen van de aanbieder aan het eind van de run.",
    "decomposition": "Hoeveel van het verschil tussen gefragmenteerde en regionale inkoop elk mechanisme verklaart "
    "(Shapley-verdeling over gepaarde runs; de bijdragen tellen op tot het totale verschil).",
    "animatie": "Per zorgvorm de kinderen uit de regio op de wachtlijst (oranje) en in zorg (blauw), week na week, "
    "in de eerste replicatie van de bewaarde run. Elke zorgvorm heeft zijn eigen schaal; de getallen geven de "
    "aantallen.",
    "region_waits": "Per zorgvorm, voor de kinderen uit deze regio die in de meetperiode zijn verwezen: het aandeel "
    "dat langer wachtte dan de wachttijdnorm van die zorgvorm (ook wie nog wacht of zonder plaats de lijst verliet), "
    "en de gemiddelde wachttijd (Kaplan-Meier, zoals de landelijke kerncijfers), met 95%-interval.",
    "map_kpi": "Per regio berekend uit de tabellen van de resultaatset: wachtenden en kinderen in zorg op 31 "
    "december (CBS-teldatum), per 1.000 jeugdigen van 0-17 jaar.",
}


def label(key: str) -> str:
    """The Dutch label of a KPI or word key, or the key itself when none is known."""
    return KPI_LABELS.get(key) or WORDS.get(key, key)


def regime(name: str) -> str:
    """A scenario name as a reader sees it (``regionaal`` -> ``Regionaal``)."""
    return REGIMES.get(name, name)


def care_form(name: str) -> str:
    """A care form code as a reader sees it (``gesloten_jeugdhulp`` -> ``Gesloten jeugdhulp``)."""
    return CARE_FORMS.get(name, name.replace("_", " ").capitalize())


def unit(name: str) -> str:
    """A registry unit in Dutch (``days`` -> ``dagen``)."""
    return UNITS.get(name, name)


#: the mechanisms of ``explain`` (simulation.explain.MECHANISMS)
MECHANISMS: dict[str, str] = {
    "queue_pooling": "Eén wachtlijst per regio",
    "contracting": "Contracteren zoals de regio",
    "administration": "Eén set contractvoorwaarden",
    "bovenregionaal": "Bovenregionale afstemming",
    "tariffs": "Tarieven per inkoopeenheid",
    "budget_ceilings": "Omzetplafonds",
}


def mechanism(name: str) -> str:
    """A mechanism of ``explain`` in Dutch; the total gap as "Totaal verschil"."""
    return "Totaal verschil" if name.startswith("total") else MECHANISMS.get(name, name)


def help_text(key: str) -> str:
    """The hover explanation of a KPI or term (the registry's definition if no Dutch one exists)."""
    if key in HELP:
        return HELP[key]
    for k in REGISTRY:
        if k.name == key:
            return k.description
    return ""
