"""Duration distributions, parameterised by mean and coefficient of variation.

Each knows its mean and can sample the *residual* time of a child already in care in a
stationary system (the equilibrium excess distribution), which is what an initial stock needs:
draw a length-biased duration L (density x f(x) / E[X]) and take U * L.
"""

from __future__ import annotations

import math

import numpy as np

from simulation.config import Duration

__all__ = ["residual", "sample"]


def _lognormal_params(mean: float, cv: float) -> tuple[float, float]:
    sigma2 = math.log1p(cv * cv)
    return math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2)


def sample(d: Duration, rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` durations in days."""
    if d.dist == "exponential":
        return rng.exponential(d.mean_days, n)
    if d.dist == "deterministic":
        return np.full(n, d.mean_days)
    assert d.cv is not None
    if d.dist == "lognormal":
        mu, sigma = _lognormal_params(d.mean_days, d.cv)
        return rng.lognormal(mu, sigma, n)
    shape = 1.0 / (d.cv * d.cv)
    return rng.gamma(shape, d.mean_days / shape, n)


def residual(d: Duration, rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` remaining durations of children found in care in a stationary system."""
    u = rng.random(n)
    if d.dist == "exponential":
        length = rng.gamma(2.0, d.mean_days, n)
    elif d.dist == "deterministic":
        length = np.full(n, d.mean_days)
    else:
        assert d.cv is not None
        if d.dist == "lognormal":
            mu, sigma = _lognormal_params(d.mean_days, d.cv)
            length = rng.lognormal(mu + sigma * sigma, sigma, n)
        else:
            shape = 1.0 / (d.cv * d.cv)
            length = rng.gamma(shape + 1.0, d.mean_days / shape, n)
    # Keep residuals strictly positive so that no event lands exactly at time zero twice.
    return np.maximum(u * length, 1e-9)
