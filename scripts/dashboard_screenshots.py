"""Screenshots of the dashboard for the README, taken by the browser test's walk.

    .venv/bin/python scripts/dashboard_screenshots.py --root results --out docs/img

Starts the dashboard on the result store ``--root`` (run the main job first), walks Overzicht,
Kaart and Mijn regio in Debian's Chromium (the walk of tests/dashboard/test_browser.py, every
request off this machine blocked) and writes dashboard-*.png into ``--out``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.dashboard.browser import serve, walk


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", default="results")
    p.add_argument("--out", default="docs/img")
    p.add_argument("--region", default="JZ16")
    p.add_argument("--region-name", default="Gooi en Vechtstreek")
    args = p.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with serve(Path(args.root).resolve(), work / "streamlit.log") as url:
            seen = walk(url, work, args.region, args.region_name, "Groningen")
        for name in ("overzicht", "kaart", "mijn-regio", "regiorapport"):
            shutil.copy(work / f"{name}.png", out / f"dashboard-{name}.png")
    print(f"wrote {out}/dashboard-*.png; requests off this machine: {len(seen.outside)}")
    return 1 if seen.outside else 0


if __name__ == "__main__":
    raise SystemExit(main())
