"""Where a referred child is placed: bound to a GI by werkgebied weight, else the nearest provider.

* A child of a form that only providers with a werkgebied offer (the GIs) is bound at referral to
  one of those serving its region, in proportion to their ``gewicht`` (its own uniform falls in
  that provider's share), and waits for that one even when another has room; with
  ``providers.bind_to_werkgebied: false`` it takes the nearest free place instead.
* When its GI leaves, a waiting child is bound to another.
* Any other child takes the free place nearest to its own gemeente (not to its unit's centre).
* A ``weighted`` landscape group is sized to its catchment: the load of the gemeenten nearest it.

Worlds and children are hand-built (tests/test_mechanisms.py); the answers are worked out in the
comments.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest

from simulation.config import CareForm, Scenario
from simulation.core.world import Gemeente
from simulation.landscape import _catchment_loads
from tests.conftest import _care_form
from tests.test_mechanisms import START, Child, run_children, write_world

# One region: G1 at lon 5.0, G3 at 5.1 and G2 at 5.8; its unit's centre lies at 5.3.
GEMEENTEN = [("G1", "JZ01", 5.0, 52.0), ("G3", "JZ01", 5.1, 52.0), ("G2", "JZ01", 5.8, 52.0)]


def gi_world(tmp_path: Path, *, bind: bool = True, shocks: Sequence[dict[str, object]] = ()) -> Scenario:
    """GI 'R' (gewicht 3, 3 places, at G1) and GI 'N' (gewicht 1, 1 place, at G2) serve JZ01."""
    scenario = write_world(
        tmp_path,
        gemeenten=GEMEENTEN,
        providers=[("R", "G1", {"ots": 3}), ("N", "G2", {"ots": 1})],
        forms=["ots"],
        shocks=shocks,
    )
    with open(tmp_path / "providers.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["provider_id", "naam", "gemeentecode", "groep", "reserves_eur", "werkgebied", "gewicht"])
        w.writerow(["R", "GI regionaal", "G1", "gi", 1e9, "JZ01", 3])
        w.writerow(["N", "GI landelijk", "G2", "gi", 1e9, "JZ01", 1])
    providers = scenario.providers.model_copy(update={"bind_to_werkgebied": bind})
    return scenario.model_copy(update={"providers": providers})


def run(scenario: Scenario, children: Sequence[Child], bind_u: Sequence[float]) -> pd.DataFrame:
    """One replication with exactly these children and binding draws: episodes by child name."""
    return run_children(scenario, children, bind_u=bind_u)[0]


# The unit's list is R (0.3 degrees from its centre) then N (0.5): R's share of [0, 1) is the
# first 3/4, N's the last 1/4.
CHILDREN = [
    Child("a", 1.0, "G1", "ots", 100.0),
    Child("b", 2.0, "G1", "ots", 100.0),
    Child("c", 3.0, "G1", "ots", 100.0),
    Child("d", 4.0, "G1", "ots", 100.0),
]
DRAWS = [0.5, 0.1, 0.8, 0.9]  # R, R, N, N


def test_children_are_bound_to_a_gi_by_weight_and_wait_for_it(tmp_path: Path) -> None:
    ep = run(gi_world(tmp_path), CHILDREN, DRAWS)
    assert list(ep["bound_provider_id"]) == ["R", "R", "N", "N"]
    assert list(ep.loc[["a", "b", "c"], "t_intake"]) == [1.0, 2.0, 3.0]
    # d is N's: N's one place is c's until day 103, so d waits although R has a free place.
    assert ep.loc["d", "t_intake"] == 103.0
    assert ep.loc["d", "provider_id"] == "N"


def test_without_binding_the_child_takes_the_free_place(tmp_path: Path) -> None:
    ep = run(gi_world(tmp_path, bind=False), CHILDREN, DRAWS)
    # Nearest to G1 first: R (3 places) takes a, b, c; d finds N's place free at once.
    assert list(ep["provider_id"]) == ["R", "R", "R", "N"]
    assert list(ep["t_intake"]) == [1.0, 2.0, 3.0, 4.0]
    assert ep["bound_provider_id"].isna().all()


def test_children_waiting_for_a_gi_that_leaves_are_bound_to_another(tmp_path: Path) -> None:
    exit_day = 50
    scenario = gi_world(tmp_path, shocks=[{"date": START + dt.timedelta(days=exit_day), "which": "N", "note": "t"}])
    children = [*CHILDREN, Child("e", 5.0, "G1", "ots", 30.0)]
    # c holds N's place; d and e wait for N while R has a free place. N leaves on day 50: c (moved,
    # so first) takes R's free place at once; d and e are bound to R and wait for its places,
    # free on days 101 (a) and 102 (b).
    ep = run(scenario, children, [*DRAWS, 0.95])
    assert ep.loc["c", "provider_id"] == "R" and ep.loc["c", "replacements"] == 1
    assert ep.loc["c", "extra_wait_days"] == 0.0
    assert ep.loc["d", "bound_provider_id"] == "R" and ep.loc["d", "t_intake"] == 101.0
    assert ep.loc["e", "bound_provider_id"] == "R" and ep.loc["e", "t_intake"] == 102.0


def test_a_child_takes_the_free_place_nearest_its_own_gemeente(tmp_path: Path) -> None:
    # One unit (JZ01: G1 lon 5.0, G2 lon 5.1, G3 lon 5.6; centre 5.233). P1 at G1 is nearer the
    # centre, P2 at G3 nearer the child of G3, which goes to P2; the child of G1 to P1.
    scenario = write_world(
        tmp_path,
        gemeenten=[("G1", "JZ01", 5.0, 52.0), ("G2", "JZ01", 5.1, 52.0), ("G3", "JZ01", 5.6, 52.0)],
        providers=[("P1", "G1", {"zorg": 2}), ("P2", "G3", {"zorg": 2})],
        forms=["zorg"],
    )
    children = [Child("far", 1.0, "G3", "zorg", 50.0), Child("near", 2.0, "G1", "zorg", 50.0)]
    ep = run(scenario, children, [0.0, 0.0])
    assert ep.loc["far", "provider_id"] == "P2"
    assert ep.loc["near", "provider_id"] == "P1"


def test_weighted_group_places_follow_the_catchment() -> None:
    cf = CareForm.model_validate(_care_form(365.0, "deterministic", 100.0, None, 100.0))  # 1/day per 1,000 youth

    def gem(code: str, lon: float, youth: float) -> Gemeente:
        return Gemeente(code, code, "JZ01", "R", youth, lon, 52.0)

    g = [gem("A", 5.0, 1000), gem("B", 5.2, 3000), gem("C", 6.0, 2000)]
    # Providers at A and C: B (0.2 from A, 0.8 from C) is A's; a load is youth/1000 x rate/365 x
    # duration (100 days): A 100 + B 300 = 400, C 200.
    loads = _catchment_loads(g, [g[0], g[2]], "zorg", cf)
    assert loads.tolist() == pytest.approx([400.0, 200.0])
    # Two providers in one gemeente share its catchment.
    assert _catchment_loads(g, [g[0], g[0], g[2]], "zorg", cf).tolist() == pytest.approx([200.0, 200.0, 200.0])
