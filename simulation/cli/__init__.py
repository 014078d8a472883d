"""Command line: ``jeugdzorg-sim validate|run|sweep|compare|explain|results|landscape|units|sensitivity|data``.

Argument parsing (:mod:`~simulation.cli.parser`) and printing (:mod:`~simulation.cli.output`)
only; every command calls :mod:`simulation.service`. Exit codes: 0 success, 2 bad input (a
message names each bad field, its value and what is allowed; never a traceback), 1 an
unexpected failure, 130 interrupted.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Sequence

from simulation.cli.parser import build_parser
from simulation.config import ScenarioError
from simulation.results import ResultExistsError

__all__ = ["EXIT_BAD_INPUT", "build_parser", "main"]

EXIT_BAD_INPUT = 2


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is so that every ``with`` block cleans up (the
    temporary folder of a result set being written, the worker processes)."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def main(argv: Sequence[str] | None = None) -> int:
    from simulation.runner import ExecutorError

    args = build_parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    try:
        return int(args.func(args))
    except (ScenarioError, ResultExistsError, ExecutorError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except Terminated:
        print("terminated", file=sys.stderr)
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a reader that stopped (head); results are written
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
