"""``python -m dashboard.whatif_worker SCENARIO ROOT STATUS``: run one what-if into the store.

Started by :func:`dashboard.whatif.start` as a separate process, so a long run never blocks the
dashboard. It runs through :func:`simulation.service.run_to_store` (the command line's path)
and writes its progress and outcome as JSON into STATUS (written whole each time, through a
temporary file, so the page never reads half of it).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any


def _write(status: Path, value: dict[str, Any]) -> None:
    tmp = status.with_name(f".{status.name}.tmp")
    tmp.write_text(json.dumps(value), encoding="utf-8")
    os.replace(tmp, status)


def main(argv: list[str]) -> int:
    from simulation import service
    from simulation.config import ScenarioError

    scenario, root, status = Path(argv[0]), Path(argv[1]), Path(argv[2])

    def progress(done: int, total: int) -> None:
        _write(status, {"state": "running", "done": done, "total": total})

    try:
        stored = service.run_to_store(scenario, root=root, executor="serial", progress=progress, command="what-if")
    except ScenarioError as exc:
        _write(status, {"state": "error", "message": f"Het scenario is niet geldig:\n{exc}"})
        return 2
    except Exception as exc:  # the page shows it in Dutch instead of a traceback
        _write(status, {"state": "error", "message": f"De berekening is mislukt: {type(exc).__name__}: {exc}"})
        return 1
    _write(status, {"state": "done", "done": 1, "total": 1, "path": str(stored.path), "reused": stored.reused})
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
