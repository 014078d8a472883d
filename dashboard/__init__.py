"""The Dutch-language Streamlit dashboard for regio bestuurders (``jeugdzorg-sim dashboard``).

It reads result sets through :mod:`simulation.service` / :mod:`simulation.results` only and runs
no model itself. Plain parts (tested on their own): :mod:`~dashboard.format_nl` (Dutch numbers),
:mod:`~dashboard.labels_nl` (Dutch words and hover texts), :mod:`~dashboard.geo` (map outlines),
:mod:`~dashboard.charts` (Altair charts), :mod:`~dashboard.aggregates` (table cuts),
:mod:`~dashboard.store` (which result sets). Streamlit parts: :mod:`~dashboard.ui` (shared,
cached reads), ``app.py`` (navigation) and ``views/`` (one script per page).
"""
