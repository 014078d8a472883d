"""``python -m tests.baselines update|check [CASE ...]``: regenerate or check the pinned baseline."""

from __future__ import annotations

import argparse
import sys

from tests.baselines import CASES, compute, differences, load, path_of, save


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.baselines", description=__doc__)
    parser.add_argument("action", choices=["update", "check"])
    parser.add_argument("cases", nargs="*", metavar="CASE", help=f"default: all of {', '.join(CASES)}")
    args = parser.parse_args(argv)
    unknown = [c for c in args.cases if c not in CASES]
    if unknown:
        parser.error(f"unknown case(s) {unknown}; known: {', '.join(CASES)}")
    moved = 0
    for name in args.cases or list(CASES):
        now = compute(CASES[name])
        lines = differences(load(name), now) if path_of(name).is_file() else ["no pinned file yet"]
        if args.action == "update":
            print(f"{name}: wrote {save(now)}" + (f" ({len(lines)} change(s))" if lines else " (unchanged)"))
        else:
            print(f"{name}: " + ("unchanged" if not lines else f"{len(lines)} change(s)"))
        for line in lines:
            print("  " + line)
        moved += bool(lines)
    return 1 if moved and args.action == "check" else 0


if __name__ == "__main__":
    sys.exit(main())
