"""Arrival instants of a day: a non-homogeneous Poisson process, sampled exactly.

The rate is constant within each interval, so the process is sampled exactly by drawing the
number of arrivals of each interval (Poisson with the expected calls) and placing them
uniformly within it: no thinning, no time step, and a short peak is never skipped.  An
optional day-level busyness factor (gamma, mean 1, coefficient of variation ``cv``)
multiplies the whole day's rate, as forecast errors do.
"""

from __future__ import annotations

import numpy as np

__all__ = ["busyness_factor", "poisson_arrivals"]


def busyness_factor(cv: float, rng: np.random.Generator) -> float:
    """A gamma multiplier with mean 1 and coefficient of variation ``cv`` (1.0 if cv is 0)."""
    if cv <= 0:
        return 1.0
    shape = 1.0 / (cv * cv)
    return float(rng.gamma(shape, 1.0 / shape))


def poisson_arrivals(expected: np.ndarray, starts: np.ndarray, interval: float,
                     rng: np.random.Generator) -> np.ndarray:
    """Sorted arrival instants given the expected arrivals of each interval.

    Parameters
    ----------
    expected : array
        Expected arrivals in each interval (>= 0).
    starts : array
        Start of each interval (seconds after midnight).
    interval : float
        Interval length in seconds.
    rng : numpy Generator
        The arrivals stream.

    Examples
    --------
    >>> t = poisson_arrivals(np.array([2.0, 0.0, 50.0]), np.array([0.0, 60.0, 120.0]), 60.0,
    ...                      np.random.default_rng(3))
    >>> bool(np.all(np.diff(t) >= 0)), bool(((t >= 60) & (t < 120)).any())
    (True, False)
    """
    counts = rng.poisson(np.asarray(expected, dtype=float))
    times = np.repeat(np.asarray(starts, dtype=float), counts)
    times += rng.uniform(0.0, interval, times.size)
    times.sort(kind="stable")
    return times
