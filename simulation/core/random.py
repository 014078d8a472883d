"""Named random streams: one numpy Generator per purpose.

A stream is keyed by (seed, replication, purpose name): the three are hashed with BLAKE2b
(never Python's ``hash()``) into the 128-bit key of a Philox counter-based generator, which is
what counter-based generators are for: any number of independent streams from keys, cheaply.
Keys are the same in every process and on every machine. No key holds the regime or the
worker, so every regime sees the same children (common random numbers) and results do not
depend on how replications are spread over workers.
"""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["STRUCTURE", "Streams", "stable_key"]

#: Replication index used for draws that shape the modelled world rather than one run of it
#: (contract terms): the same for every replication of a seed.
STRUCTURE = 2**32 - 1


def stable_key(seed: int, replication: int, purpose: str) -> int:
    """128-bit key of BLAKE2b(seed, replication, purpose): collisions are negligible."""
    text = f"{seed}\x1f{replication}\x1f{purpose}".encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=16).digest(), "little")


class Streams:
    """Factory of independent generators for one (seed, replication)."""

    def __init__(self, seed: int, replication: int) -> None:
        if seed < 0 or replication < 0:
            raise ValueError("seed and replication must be non-negative")
        self.seed = seed
        self.replication = replication

    def generator(self, purpose: str) -> np.random.Generator:
        """A fresh generator for ``purpose``; asking twice gives the same sequence."""
        return np.random.Generator(np.random.Philox(key=stable_key(self.seed, self.replication, purpose)))
