"""Command line: ``jeugdzorg-sim validate|run|sweep|compare|results|landscape|units``.

Argument parsing (:mod:`~simulation.cli.parser`) and printing (:mod:`~simulation.cli.output`)
only; every command calls :mod:`simulation.service`. Exit codes: 0 success, 2 bad input (a
message names each bad field, its value and what is allowed; never a traceback), 1 an
unexpected failure, 130 interrupted.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from simulation.cli.parser import build_parser
from simulation.config import ScenarioError
from simulation.results import ResultExistsError

__all__ = ["EXIT_BAD_INPUT", "build_parser", "main"]

EXIT_BAD_INPUT = 2


def main(argv: Sequence[str] | None = None) -> int:
    from simulation.runner import ExecutorError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (ScenarioError, ResultExistsError, ExecutorError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a reader that stopped (head); results are written
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
