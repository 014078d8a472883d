"""The animated picture: counts against a hand-built episodes table, and a short GIF's frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
from PIL import Image

from simulation import service
from simulation.animation import region_series
from simulation.animation.render import IN_CARE_COLOUR, LABEL_W, ROW, TOP, WAITING_COLOUR
from simulation.cli import main
from tests.conftest import MAIN_FORM, make_scenario

NAN = np.nan


def test_counts_follow_referral_intake_and_end_by_hand() -> None:
    rows = [
        # region, form, referral, intake, end, state, waiting_since
        ("R1", "a", 0.0, 2.0, 10.0, "done", NAN),  # waits [0, 2), in care [2, 10)
        ("R1", "a", 1.0, NAN, 4.0, "withdrawn", NAN),  # waits [1, 4)
        ("R1", "a", 3.0, 3.0, NAN, "in_care", NAN),  # in care from 3 to the horizon
        ("R1", "a", 5.0, 6.0, NAN, "waiting", 8.0),  # in care [6, 8), then waits again (provider left)
        ("R2", "a", 0.0, NAN, NAN, "waiting", 0.0),  # another region
        ("R1", "b", 0.0, NAN, NAN, "waiting", 0.0),  # form b: waits throughout
        ("R1", "c", 0.0, 0.0, 0.0, "done", NAN),  # form c: never counted at any grid day
    ]
    ep = pd.DataFrame(
        rows, columns=["region", "care_form", "t_referral", "t_intake", "t_end", "state", "waiting_since"]
    )
    days = np.arange(0.0, 12.0)
    s = region_series(ep, "R1", days, ["c", "a", "b"])
    assert s.forms == ("a", "b")  # c is never seen; the scenario's order is kept
    #                                     0  1  2  3  4  5  6  7  8  9 10 11
    assert s.waiting["a"].tolist() == [1, 2, 1, 1, 0, 1, 0, 0, 1, 1, 1, 1]
    assert s.in_care["a"].tolist() == [0, 0, 1, 2, 2, 2, 3, 3, 2, 2, 1, 1]
    assert s.waiting["b"].tolist() == [1] * 12 and s.in_care["b"].tolist() == [0] * 12


def _pixels_near(frame: Image.Image, colour: str) -> int:
    """Pixels within a small distance of ``colour`` (the GIF's palette moves colours a little)."""
    rgb = np.asarray(frame, dtype=float)
    target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
    return int((np.abs(rgb - target).sum(axis=2) < 60).sum())


def test_animate_writes_a_gif_whose_bars_follow_the_counts(tmp_path, capsys) -> None:
    scenario = make_scenario(
        tmp_path / "scenario", places=3, rate_per_day=2.5, mean_days=3.0, years=0.2, seed=5,
        other_forms={"pleeg": (1.0, 5.0, 4)},
    )  # fmt: skip
    path = tmp_path / "tiny.yaml"
    path.write_text(_yaml(scenario), encoding="utf-8")
    out = tmp_path / "w.gif"
    assert main(["animate", str(path), "--region", "regio 1", "--out", str(out), "--step-days", "3"]) == 0
    assert "w.gif" in capsys.readouterr().out
    days = np.arange(0.0, scenario.horizon_days + 1e-9, 3.0)
    with Image.open(out) as gif:
        assert gif.n_frames == days.size
        frames = []
        for i in range(gif.n_frames):
            gif.seek(i)
            frames.append(gif.convert("RGB"))
    assert frames[0].size == (800, TOP + ROW * 2 + 30)  # two care forms, one row each
    # The same run's counts (same seed, replication 0), drawn one scale per form: the coloured
    # area of each frame is the sum of the bars' lengths (plus the fixed legend square).
    episodes = service.simulate(str(path), overrides={"replications": 1}, tables=True).tables["episodes"]
    series = region_series(episodes, "JZ01", days, list(scenario.care_forms))
    bar_max = 800 - LABEL_W - 70
    for colour, counts in ((WAITING_COLOUR, series.waiting), (IN_CARE_COLOUR, series.in_care)):
        drawn = np.array([_pixels_near(f.crop((0, TOP - 10, 800, f.size[1])), colour) for f in frames])
        expected = sum(
            counts[f] * bar_max / max(1, series.waiting[f].max(), series.in_care[f].max()) for f in series.forms
        )
        assert np.ptp(expected) > 50  # the bars do move
        assert np.corrcoef(drawn, expected)[0, 1] > 0.98


def test_animate_refuses_a_region_the_scenario_lacks(tmp_path, capsys) -> None:
    scenario = make_scenario(tmp_path / "s", places=2, rate_per_day=1.0, mean_days=2.0, years=0.1)
    path = tmp_path / "tiny.yaml"
    path.write_text(_yaml(scenario), encoding="utf-8")
    assert main(["animate", str(path), "--region", "Rijnmond", "--out", str(tmp_path / "w.gif")]) == 2
    assert "--region" in capsys.readouterr().err


def _yaml(scenario) -> str:
    import yaml

    raw = scenario.model_dump(mode="json", exclude_none=True)
    assert MAIN_FORM in raw["care_forms"]
    return yaml.safe_dump(raw, allow_unicode=True)
