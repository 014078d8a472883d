"""Dutch labels for KPI keys: code and files stay English, people read Dutch."""

from __future__ import annotations

__all__ = ["KPI_LABELS", "label"]

KPI_LABELS: dict[str, str] = {
    "wait_days_mean": "Gemiddelde wachttijd (dagen)",
    "wait_days_p90": "Wachttijd 90e percentiel (dagen)",
    "share_over_norm": "Aandeel boven de wachttijdnorm",
    "waiting_at_end": "Wachtenden aan het eind",
    "children_served": "Jeugdigen gestart met zorg",
    "escalations": "Escalaties naar zwaardere zorg",
    "utilisation_mean": "Bezettingsgraad",
    "provider_exits": "Aanbieders gestopt",
    "admin_cost_eur": "Administratieve lasten (EUR)",
    "total_cost_eur": "Totale kosten gemeenten (EUR)",
}


def label(key: str) -> str:
    """The Dutch label of a KPI key, or the key itself when none is known."""
    return KPI_LABELS.get(key, key)
