"""Dutch labels: code and files stay English, people read Dutch.

KPI labels come from the KPI registry (``simulation.metrics.REGISTRY``), where each KPI is
declared once; this module adds the words that are not KPIs.
"""

from __future__ import annotations

from simulation.metrics import REGISTRY

__all__ = ["KPI_LABELS", "WORDS", "label"]

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
}


def label(key: str) -> str:
    """The Dutch label of a KPI or word key, or the key itself when none is known."""
    return KPI_LABELS.get(key) or WORDS.get(key, key)
