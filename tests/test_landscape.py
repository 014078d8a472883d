"""The shipped provider landscape and unit split are exactly what their documented rules give."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pandas as pd

from simulation.cli import main
from simulation.config import load_scenario
from simulation.landscape import generate_landscape

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_landscape_regenerates_byte_for_byte(tmp_path: Path) -> None:
    a, b = tmp_path / "p.csv", tmp_path / "q.csv"
    assert (
        main(["landscape", str(ROOT / "scenarios" / "nederland.yaml"), "--providers", str(a), "--places", str(b)]) == 0
    )
    assert filecmp.cmp(a, ROOT / "data" / "generated" / "aanbieders.csv", shallow=False)
    assert filecmp.cmp(b, ROOT / "data" / "generated" / "aanbieders_plaatsen.csv", shallow=False)


def test_landscape_capacity_follows_littles_law_the_staffed_share_and_target_utilisation() -> None:
    s = load_scenario(ROOT / "scenarios" / "nederland.yaml")
    _, offers = generate_landscape(s)
    places = pd.DataFrame(offers).groupby("zorgvorm")["plaatsen"].sum()
    youth = pd.read_csv(ROOT / "data" / "gemeenten.csv")["jeugd_0_17"].sum()
    wf = s.workforce
    for group in s.providers.generator.groups:  # type: ignore[union-attr]
        for f in group.forms:
            form = s.care_forms[f]
            load = youth * form.referral_rate_per_1000.value / 1000 / 365 * form.duration.mean_days
            # Staff at their equilibrium allow phi / (tau + phi + phi tau (delay - 1)) of the places
            # (tests/test_steady.py checks that staff stay there).
            tau = form.cost_price.annual_staff_turnover.value / 12
            phi, delay = wf.vacancy_fill_per_month.value, wf.hiring_delay_months
            staffed = phi / (tau + phi + phi * tau * (delay - 1))
            # A steady waiting list: the staffed places hold the observed stock; else the staffed
            # places are used at the target utilisation.
            utilisation = 1.0 if form.waits_steadily else group.target_utilisation.value
            expected = load / (utilisation * staffed)
            # Rounded to the nearest place per region or provider: a handful of places either way
            # (rounding up added about half a place per region, 22 of the 462 crisis places).
            assert abs(places[f] - expected) <= 10, (f, places[f], expected)


def test_shipped_fragmented_units_match_the_rule(tmp_path: Path) -> None:
    out = tmp_path / "units.csv"
    assert main(["units", str(ROOT / "scenarios" / "gefragmenteerd.yaml"), "--out", str(out)]) == 0
    assert filecmp.cmp(out, ROOT / "data" / "generated" / "inkoopeenheden_gefragmenteerd.csv", shallow=False)
    units = pd.read_csv(out)
    sub = units[units["level"] == "subregional"]
    assert sub["unit_id"].nunique() >= 55
    assert sub.groupby("unit_id")["jeugdregio_code"].nunique().max() == 1
    assert sub["gemeentecode"].is_unique and len(sub) == 342
