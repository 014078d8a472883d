"""``python -m simulation.stress_des [--out FILE] [--check]``: write or check docs/STRESS-DES.md."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from simulation.stress_des import ROOT, missing_answers, render


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=str(ROOT / "docs" / "STRESS-DES.md"), metavar="FILE")
    ap.add_argument("--check", action="store_true", help="exit 1 if FILE differs from a fresh report")
    args = ap.parse_args(argv)
    text, out = render(), Path(args.out)
    if problems := missing_answers(text):
        print("the report is incomplete: " + "; ".join(problems), file=sys.stderr)
        return 1
    if args.check:
        same = out.is_file() and out.read_text(encoding="utf-8") == text
        print(f"{out}: {'up to date' if same else 'stale: run python -m simulation.stress_des'}")
        return 0 if same else 1
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
