"""Progress on stderr while replications run: a tqdm bar on a terminal, and otherwise (a log
file, CI, ``nohup``) a plain line every :data:`EVERY_SECONDS` with the time elapsed and the
replications done of those planned, so a long run is never minutes of silence. Also the
durations the command line reads (``--time-budget 10m``) and prints."""

from __future__ import annotations

import argparse
import re
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from simulation import service

__all__ = ["EVERY_SECONDS", "duration_text", "parse_duration", "progress"]

#: seconds between two progress lines when stderr is not a terminal
EVERY_SECONDS = 30.0

_UNIT_SECONDS = {"h": 3600, "m": 60, "s": 1}
_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?")


def parse_duration(text: str) -> float:
    """Seconds in ``90``, ``90s``, ``10m``, ``1.5h`` or ``1h30m`` (argparse type: a bad value is
    an error naming the forms allowed)."""
    shown = "a duration such as 600, 90s, 10m, 1.5h or 1h30m"
    t = text.strip().lower()
    seconds: float | None = None
    try:
        seconds = float(t)
    except ValueError:
        match = _DURATION.fullmatch(t)
        if match and t:
            seconds = sum(float(v) * u for v, u in zip(match.groups(), _UNIT_SECONDS.values(), strict=True) if v)
    if seconds is None:
        raise argparse.ArgumentTypeError(f"must be {shown}, got {text!r}")
    if not 0 < seconds <= 30 * 86_400:
        raise argparse.ArgumentTypeError(f"must be more than 0 s and at most 30 days, got {text!r}")
    return seconds


def duration_text(seconds: float) -> str:
    """``1h02m05s``, ``2m05s`` or ``5s``."""
    whole = round(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else f"{m}m{s:02d}s" if m else f"{s}s"


class _Lines:
    """A line on ``stream`` every ``every`` seconds from a thread of its own, so the line comes
    also while one long replication runs and no callback arrives."""

    def __init__(self, label: str, stream: TextIO, every: float) -> None:
        self.label, self.stream, self.every = label, stream, every
        self.done = self.total = 0
        self.started = time.monotonic()
        self.printed = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="progress-lines", daemon=True)

    def update(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    def line(self) -> None:
        elapsed = duration_text(time.monotonic() - self.started)
        print(f"{self.label}: {self.done}/{self.total} replications, {elapsed} elapsed", file=self.stream, flush=True)
        self.printed = True

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.line()

    def __enter__(self) -> _Lines:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        if self.printed and exc[0] is None:
            self.line()  # the last word of a run that printed any: how long it took


@contextmanager
def progress(label: str, stream: TextIO | None = None) -> Iterator[service.Progress]:
    """A progress callback for :mod:`simulation.service`: a bar when ``stream`` (stderr) is a
    terminal, a line every :data:`EVERY_SECONDS` otherwise."""
    stream = stream if stream is not None else sys.stderr
    if not stream.isatty():
        with _Lines(label, stream, EVERY_SECONDS) as lines:
            yield lines.update
        return
    from tqdm import tqdm

    bar = tqdm(
        total=0,
        desc=label,
        unit="rep",
        file=stream,
        dynamic_ncols=True,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} replications [{elapsed}<{remaining}]",
    )

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    with bar:
        yield update
