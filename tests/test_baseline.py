"""The pinned baseline: the model's output on fixed cases must not move by accident.

A deliberate change regenerates the files (``python -m tests.baselines update``) in a commit of
its own that says why; see tests/baselines/__init__.py.
"""

from __future__ import annotations

import pytest

from tests.baselines import CASES, compute, differences, load


@pytest.mark.parametrize("name", list(CASES))
def test_output_matches_the_pinned_baseline(name: str) -> None:
    moved = differences(load(name), compute(CASES[name]))
    assert not moved, (
        f"baseline case {name!r} moved ({len(moved)} change(s)); if deliberate, run "
        "`python -m tests.baselines update` and commit the files on their own with the reason:\n  "
        + "\n  ".join(moved[:60])
    )


def test_differences_name_the_kpi_and_the_size_of_the_move() -> None:
    pinned = {"kpis": {"wait_days_mean|ALL": 10.0, "escalations|pleegzorg": 3.0}, "tables": {}}
    now = {"kpis": {"wait_days_mean|ALL": 12.5, "escalations|pleegzorg": 3.0}, "tables": {}}
    (line,) = differences(pinned, now)
    assert "wait_days_mean [ALL]" in line and "+2.5" in line and "+25.000%" in line


def test_differences_name_the_columns_of_a_table_that_moved() -> None:
    table = {"rows": 2, "sha256": "a", "sums": {"t_intake": 5.0, "t_end": 1.0}}
    moved = {"rows": 3, "sha256": "b", "sums": {"t_intake": 6.0, "t_end": 1.0}}
    (line,) = differences({"kpis": {}, "tables": {"episodes": table}}, {"kpis": {}, "tables": {"episodes": moved}})
    assert "episodes" in line and "rows 2 -> 3" in line and "sum(t_intake)" in line and "t_end" not in line
