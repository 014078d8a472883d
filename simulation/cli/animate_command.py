"""``jeugdzorg-sim animate``: one region's waiting lists and occupied places per care form, as a GIF.

Runs replication 0 of one scenario (in this process, through the service), counts the region's
children waiting and in care per care form every ``--step-days`` from the episodes table, and
renders the counts with salabim's blind animation (headless, Pillow): one frame per step.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from simulation import service
from simulation.animation import region_series, render_gif
from simulation.cli.common import notes, overrides, shown
from simulation.cli.parser import _date, _float_in, _int_in, _years
from simulation.config import ScenarioError
from simulation.runner import build_world

__all__ = ["add_parser", "cmd_animate"]

#: Frames per second of the GIF; at most this many frames in all (a GIF of thousands is no use).
FPS = 8
MAX_FRAMES = 2000


def add_parser(sub: Any) -> None:
    """Register ``animate`` on the subcommand parsers ``sub``."""
    a = sub.add_parser("animate", help="an animated GIF of one region's waiting lists and occupied places")
    a.add_argument("file", metavar="SCENARIO")
    a.add_argument("--region", required=True, metavar="NAME", help="jeugdregio code (JZ08) or name (Flevoland)")
    a.add_argument(
        "--out", default="wachtlijst.gif", metavar="FILE", help="the .gif to write (default: wachtlijst.gif)"
    )
    a.add_argument(
        "--step-days", type=_float_in(0, 366, low_open=True, high_open=True, what="a number of days"), default=7.0,
        help="simulated days per frame, in (0, 366) (default: 7)",
    )  # fmt: skip
    a.add_argument("--seed", type=_int_in(0, 2**63 - 1), help="seed (default: the file's)")
    a.add_argument("--years", type=_years, help="simulated years (default: the file's)")
    a.add_argument("--start-date", type=_date, metavar="YYYY-MM-DD", help="first simulated day (default: the file's)")
    a.add_argument("--engine", choices=["simpy", "reference", "salabim"], default="simpy")
    a.set_defaults(func=cmd_animate)


def _region_code(scenario: Any, wanted: str) -> tuple[str, str]:
    """(code, name) of the jeugdregio ``wanted`` names by code or name, any case."""
    regions = {g.region: g.region_name for g in build_world(scenario).geography.gemeenten}
    for code, name in regions.items():
        if wanted.casefold() in (code.casefold(), name.casefold()):
            return code, name
    known = ", ".join(f"{c} ({n})" for c, n in sorted(regions.items())[:8])
    more = f" and {len(regions) - 8} more" if len(regions) > 8 else ""
    raise ScenarioError("input", [("--region", f"{wanted!r} is no jeugdregio of {scenario.name}: {known}{more}")])


def cmd_animate(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() != ".gif":
        raise ScenarioError("input", [("--out", f"must be a .gif file, got {args.out!r}")])
    if not out.parent.is_dir():
        raise ScenarioError("input", [("--out", f"{shown(out.parent)} is not a folder")])
    exp = service.load(args.file, {**overrides(args), "replications": 1})
    notes(exp.notes)
    scenarios = [s for cell in exp.cells for s in cell.scenarios]
    if len(scenarios) != 1:
        raise ScenarioError("input", [("SCENARIO", f"animate shows one scenario; {args.file} holds {len(scenarios)}")])
    scenario = scenarios[0]
    code, name = _region_code(scenario, args.region)
    # Whole steps only: every frame is one step apart (the last at or before the horizon).
    days = np.arange(0.0, scenario.horizon_days + 1e-9, args.step_days)
    if days.size > MAX_FRAMES:
        why = f"gives {days.size} frames over {scenario.horizon_days:g} days; at most {MAX_FRAMES}: take longer steps"
        raise ScenarioError("input", [("--step-days", why)])
    sim = service.simulate(exp, engine=args.engine, executor="serial", tables=True)
    assert sim.tables is not None
    series = region_series(sim.tables["episodes"], code, days, list(scenario.care_forms))
    title = f"{name} ({code}): wachtlijsten en bezette plaatsen, {scenario.name}"
    frames = render_gif(series, out, start_date=scenario.start_date, title=title, fps=FPS)
    print(
        f"wrote {shown(out)}: {frames} frames of {args.step_days:g} days, {len(series.forms)} care forms, "
        f"region {code} ({name}), scenario {scenario.name}, replication 0"
    )
    return 0
