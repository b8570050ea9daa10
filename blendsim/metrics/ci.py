"""What a figure measured over replications is: its mean with a 95% Student-t confidence interval.

Each figure is computed per replication (by :mod:`blendsim.metrics.kpi`), then averaged over
the replications; the interval's half-width is ``t(0.975, n - 1) * std / sqrt(n)`` with the
sample standard deviation (``ddof=1``), and is missing when fewer than two replications have
the figure.  Every figure is >= 0 and shares (``SHARES``) are <= 1, so intervals are clipped
to those ranges: a t interval around a mean near 0 would otherwise dip below it.

The t quantile comes from :func:`scipy.special.stdtrit`, the function ``scipy.stats.t.ppf``
evaluates (identical numbers), so importing blendsim does not load ``scipy.stats``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

__all__ = ["SHARES", "clip_interval", "mean_ci", "summary_ci", "t_half_width"]

# Figures that are shares (in [0, 1]); every figure is >= 0.
SHARES = frozenset({"service_level", "abandon_rate", "occupancy", "utilisation",
                    "connect_rate", "mismatch_rate", "outbound_share"})

LEVEL = 0.95


def t_half_width(std, n):
    """Half-width of the 95% t interval of a mean of ``n`` values with sample std ``std``.

    ``std`` and ``n`` are pandas objects of one shape (a Series or a DataFrame); the result
    is NaN where ``n < 2``.
    """
    df = np.asarray(np.maximum(n - 1, 1), dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = special.stdtrit(df, 0.5 + LEVEL / 2) * std / np.sqrt(n)
    return half.where(n > 1)


def clip_interval(low, high, name: str):
    """``(low, high)`` clipped to the range of figure ``name``: >= 0, and <= 1 for a share."""
    return np.maximum(low, 0.0), (np.minimum(high, 1.0) if name in SHARES else high)


def mean_ci(table: pd.DataFrame, keys: list[str], columns: list[str]) -> pd.DataFrame:
    """Mean over replications with a 95% t confidence interval, per combination of ``keys``.

    ``table`` has one row per replication (and per combination of ``keys``).  Returns one row
    per combination of keys (index: the keys) with, for each figure ``m`` in ``columns``, the
    columns ``m``, ``m_ci_low`` and ``m_ci_high``.
    """
    grouped = table.groupby(keys, sort=True) if keys else table.assign(_all=0).groupby("_all")
    mean = grouped[columns].mean()
    std = grouped[columns].std(ddof=1)
    half = t_half_width(std, grouped[columns].count())
    out = {}
    for c in columns:
        out[c] = mean[c]
        out[f"{c}_ci_low"], out[f"{c}_ci_high"] = clip_interval(mean[c] - half[c],
                                                                mean[c] + half[c], c)
    return pd.DataFrame(out)


def summary_ci(per: pd.DataFrame) -> pd.DataFrame:
    """Each column of ``per`` (one row per replication) as mean and 95% interval.

    Index: the columns of ``per``; columns ``mean``, ``ci_low``, ``ci_high``, ``std`` and
    ``replications`` (how many replications have the figure).
    """
    n = per.count()
    mean, std = per.mean(), per.std(ddof=1)
    half = t_half_width(std, n)
    low = np.maximum(mean - half, 0.0)
    high = (mean + half).where(~mean.index.isin(list(SHARES)), np.minimum(mean + half, 1.0))
    return pd.DataFrame({"mean": mean, "ci_low": low, "ci_high": high,
                         "std": std, "replications": n})
