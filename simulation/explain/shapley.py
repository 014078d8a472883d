"""Exact Shapley attribution of a difference to the mechanisms that make it up.

With ``k`` mechanisms and the outcome ``v(S)`` of every subset ``S`` switched on (2^k paired
runs), mechanism ``i`` gets ``sum over S not holding i of |S|! (k-|S|-1)! / k! x (v(S+i) - v(S))``:
its marginal effect averaged over every order of switching the mechanisms on. The contributions
sum to ``v(all) - v(none)`` (efficiency), a mechanism that changes nothing gets 0 (dummy), and
interactions are shared equally between the mechanisms that make them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["shapley"]


def shapley(values: Mapping[frozenset[str], np.ndarray], players: Sequence[str]) -> dict[str, np.ndarray]:
    """Each player's contribution; ``values`` maps every subset of ``players`` to its outcome
    (arrays: one value per replication, so contributions stay paired)."""
    k = len(players)
    out: dict[str, np.ndarray] = {}
    for i in players:
        others = [p for p in players if p != i]
        total = np.zeros_like(np.asarray(values[frozenset()], dtype=float))
        for size in range(len(others) + 1):
            weight = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
            for combo in _subsets(others, size):
                s = frozenset(combo)
                total = total + weight * (np.asarray(values[s | {i}], dtype=float) - np.asarray(values[s], dtype=float))
        out[i] = total
    return out


def _subsets(items: Sequence[str], size: int) -> list[tuple[str, ...]]:
    from itertools import combinations

    return list(combinations(items, size))
