"""The Dutch-language Streamlit dashboard for regio bestuurders (roadmap).

It will read result sets through ``simulation.results.open_results`` only. Its Dutch labels live
in :mod:`dashboard.labels_nl`, which the command line already uses for ``--lang nl``.
"""
