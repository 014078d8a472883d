"""The design and the indices, through SALib: Morris screening or Sobol indices.

Nothing here knows the simulator: :func:`sample` gives the design points in the parameters'
units, :func:`analyze` turns one output per design point into a ranked table. The simulator's
outputs come from :mod:`simulation.sensitivity.run`; a test gives an analytic function instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["COLUMNS", "analyze", "problem", "sample"]

#: The columns of a ranked table, by method (after ``rank`` and ``parameter``).
COLUMNS = {
    "morris": ["mu_star", "mu_star_conf", "mu", "sigma"],
    "sobol": ["S1", "S1_conf", "ST", "ST_conf"],
}


def problem(names: Sequence[str], bounds: Sequence[tuple[float, float]]) -> dict[str, Any]:
    """SALib's problem definition."""
    return {"num_vars": len(names), "names": list(names), "bounds": [list(map(float, b)) for b in bounds]}


def sample(method: str, prob: dict[str, Any], *, seed: int, trajectories: int = 10, levels: int = 4,
           samples: int = 64) -> np.ndarray:  # fmt: skip
    """The design points (rows) in the parameters' units; the same for the same seed.

    Morris: ``trajectories`` one-at-a-time paths of k + 1 points on a grid of ``levels``
    (Morris 1991, as SALib samples it). Sobol: Saltelli's scheme for first- and total-order
    indices, ``samples`` x (k + 2) points of a scrambled Sobol sequence.
    """
    if method == "morris":
        from SALib.sample import morris

        return np.asarray(morris.sample(prob, trajectories, num_levels=levels, seed=seed))
    if method == "sobol":
        from SALib.sample import sobol

        return np.asarray(sobol.sample(prob, samples, calc_second_order=False, scramble=True, seed=seed))
    raise ValueError(f"method must be morris or sobol, got {method!r}")


def analyze(method: str, prob: dict[str, Any], x: np.ndarray, y: np.ndarray, *, seed: int, levels: int = 4,
            conf_level: float = 0.95, resamples: int = 1000) -> pd.DataFrame:  # fmt: skip
    """The indices of one output, ranked (most influential first).

    Morris: mu* (mean absolute elementary effect, in the output's unit per the parameter's whole
    range), its bootstrap confidence half-width, mu and sigma (spread of the effects: interaction
    or non-linearity). Sobol: first-order S1 and total ST with their confidence half-widths.
    """
    y = np.asarray(y, dtype=float)
    if method == "morris":
        from SALib.analyze import morris

        res = morris.analyze(prob, x, y, num_resamples=resamples, conf_level=conf_level, num_levels=levels, seed=seed)
        key = "mu_star"
    elif method == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(prob, y, calc_second_order=False, num_resamples=resamples, conf_level=conf_level,
                            seed=seed)  # fmt: skip
        key = "ST"
    else:
        raise ValueError(f"method must be morris or sobol, got {method!r}")
    table = pd.DataFrame({"parameter": prob["names"], **{c: np.asarray(res[c], dtype=float) for c in COLUMNS[method]}})
    # A stable order: by the index, then by name, so equal indices (e.g. all zero) rank the same way every time.
    table = table.sort_values([key, "parameter"], ascending=[False, True], kind="stable").reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table
