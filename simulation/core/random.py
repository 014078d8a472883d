"""Named random streams: one numpy Generator per purpose.

A stream is keyed by (seed, replication, purpose name). The name is hashed with BLAKE2b, never
with Python's ``hash()``, so keys are the same in every process and on every machine. No key
holds the regime or the worker, so every regime sees the same children (common random
numbers) and results do not depend on how replications are spread over workers.
"""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["STRUCTURE", "Streams", "stable_key"]

#: Replication index used for draws that shape the modelled world rather than one run of it
#: (contract terms): the same for every replication of a seed.
STRUCTURE = 2**32 - 1


def stable_key(name: str) -> tuple[int, int, int, int]:
    """Four 32-bit words of BLAKE2b(name): collisions are negligible for any number of streams."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=16).digest()
    return tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))  # type: ignore[return-value]


class Streams:
    """Factory of independent generators for one (seed, replication)."""

    def __init__(self, seed: int, replication: int) -> None:
        if seed < 0 or replication < 0:
            raise ValueError("seed and replication must be non-negative")
        self.seed = seed
        self.replication = replication

    def generator(self, purpose: str) -> np.random.Generator:
        """A fresh generator for ``purpose``; asking twice gives the same sequence."""
        ss = np.random.SeedSequence(self.seed, spawn_key=(self.replication, *stable_key(purpose)))
        return np.random.Generator(np.random.PCG64(ss))
