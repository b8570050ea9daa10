"""How many agents each interval needs when the arrival rate changes through the day.

Staffing each interval for its own calls (SIPP, :func:`~blendsim.analytic.staffing.staffing_table`)
treats every interval as if it had been running for ever at its own rate.  When the rate
climbs, the calls that arrived late in the previous interval are still being served, so the
work in hand lags the arrivals by about one handle time (Green, Kolesar & Soares 2001,
"Improving the SIPP approach for staffing service systems that have cyclic demands",
Operations Research 49(4)).  :func:`time_varying_staffing` offers two corrections:

* ``"lag"`` (lagged SIPP): interval ``k`` is staffed for the calls that arrived ``lag``
  seconds earlier, i.e. the arrival rate averaged over ``[start_k - lag, end_k - lag]``
  (no calls before the first interval);
* ``"mol"`` (modified offered load): interval ``k`` is staffed for :func:`offered_load`, the
  mean number of calls in service of the infinite-server queue fed by the day's arrivals,
  averaged over the interval.

Both give the same columns as ``staffing_table``; Erlang C or Erlang A then turns the load
into agents exactly as SIPP does.  Times are in seconds in the examples.

>>> day = {"interval_start": ["08:00", "08:30", "09:00"], "calls": [60, 240, 240],
...        "aht": [240, 240, 240]}
>>> time_varying_staffing(day, interval=1800, method="mol", target_sl=0.8,
...                       target_time=20)["agents"].tolist()
[10, 34, 37]
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special

from blendsim._validate import as_array, fmt, number
from blendsim.analytic.staffing import staffing_table
from blendsim.errors import InputError
from blendsim.limits import MAX_CALLS, MAX_CV, MAX_DURATION, MIN_CV

__all__ = ["LOAD_FLOOR", "MAX_INTERVALS", "METHODS", "offered_load", "time_varying_staffing"]

METHODS = ("sipp", "lag", "mol")
# The work is (intervals)**2 * (nodes per interval): a week of 5-minute intervals (the
# bound) takes about 4 s with exponential and 16 s with lognormal handle times; a day of
# 5-minute intervals, a tenth of a second.
MAX_INTERVALS = 2_016
MAX_POINTS = 64  # Gauss-Legendre nodes per panel
# A modified offered load below this many Erlangs (the tail of calls still in service hours
# after the last busy interval) is taken as none: staffing it would keep one agent on for a
# one-in-a-billion chance of a call in hand.
LOAD_FLOOR = 1e-9
_SQRT_HALF = math.sqrt(0.5)


# --------------------------------------------------------------------------------------------
# The infinite-server queue: R(x) = E[(S - x)^+] = aht - E[min(S, x)]


def _excess(x: np.ndarray, h: np.ndarray, cv: float | None) -> np.ndarray:
    """``E[(S - x)^+]`` for service times of mean ``h``: ``h`` at ``x <= 0``, falling to 0.

    Exponential: ``h exp(-x/h)``.  Lognormal with mean ``h`` and CV ``cv``
    (``sigma^2 = log(1 + cv^2)``, ``mu = log h - sigma^2/2``):
    ``h Q(z - sigma) - x Q(z)``, ``z = (log x - mu)/sigma``, ``Q`` the normal upper tail.
    Both are written with upper tails, so that far in the tail nothing cancels.
    """
    xp = np.maximum(x, 0.0)
    if cv is None:
        return h * np.exp(-xp / h)
    s2 = math.log1p(cv * cv)
    s = math.sqrt(s2)
    mu = np.log(h) - 0.5 * s2
    with np.errstate(divide="ignore"):
        z = (np.log(xp) - mu) / s  # -inf at x = 0: Q = 1, R = h
    out = h * 0.5 * special.erfc((z - s) * _SQRT_HALF) - xp * 0.5 * special.erfc(z * _SQRT_HALF)
    return np.maximum(out, 0.0)


def _panels(length: float, scale: float, points: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes in ``[0, length]`` and weights (summing to 1) for an interval's time average.

    Within an interval the mean number in service is smooth, but it turns fast near the
    interval's start (the calls of the previous interval finishing, on the scale of a
    handle time).  The interval is cut into panels that double in length from
    ``scale / 8``, each with ``points`` Gauss-Legendre nodes: every panel is at most as long
    as its distance from the start, which keeps the relative error near 1e-10 whatever the
    ratio of interval to handle time (checked against the exponential closed form).
    """
    edges = [0.0]
    step = scale / 8.0
    while edges[-1] + step < length:
        edges.append(edges[-1] + step)
        step = edges[-1]
    edges.append(length)
    x, w = np.polynomial.legendre.leggauss(points)
    lo = np.asarray(edges[:-1])
    width = np.diff(edges)
    nodes = (lo[:, None] + 0.5 * width[:, None] * (x[None, :] + 1.0)).ravel()
    weights = (0.5 * width[:, None] * w[None, :]).ravel() / length
    return nodes, weights


def _check_day(calls, aht, interval) -> tuple[np.ndarray, np.ndarray, float]:
    """(calls, aht with 1.0 where there are no calls, interval) after checking them."""
    c = as_array("calls", calls, low=0, high=MAX_CALLS)
    if c.ndim != 1:
        raise InputError(f"calls must be a list, one number per interval (got a {c.ndim}-d "
                         "array)")
    if not 1 <= len(c) <= MAX_INTERVALS:
        raise InputError(f"calls must have 1 to {MAX_INTERVALS:,} intervals (got {len(c)})")
    length = number("interval", interval, low=0, low_open=True, high=MAX_DURATION)
    try:
        h = np.broadcast_to(np.asarray(aht, dtype=float), c.shape).copy()
    except (TypeError, ValueError):
        raise InputError(f"aht must be one number or one per interval ({len(c)}), "
                         f"got {aht!r}") from None
    busy = c > 0
    for i in np.flatnonzero(busy):
        if not 0 < h[i] <= MAX_DURATION:
            raise InputError(f"aht must be > 0 and <= {fmt(MAX_DURATION)} where there are "
                             f"calls (got {fmt(h[i])} at index {i}, which has "
                             f"{fmt(c[i])} calls)")
    h[~busy] = 1.0
    return c, h, length


def _check_cv(handle_cv) -> float | None:
    if handle_cv is None:
        return None
    return number("handle_cv", handle_cv, low=MIN_CV, high=MAX_CV)


def offered_load(calls, aht, *, interval, handle_cv=None, points=10) -> np.ndarray:
    """The modified offered load of each interval: the mean number of calls in service.

    The infinite-server queue (every call answered at once) is fed from empty by the
    piecewise-constant arrival rate ``lambda_j = calls[j] / interval``; a call arriving in
    interval ``j`` takes a handle time ``S`` of mean ``aht[j]``.  Its mean number in service is
    ``m(t) = sum_j lambda_j [H_j(t - a_j) - H_j(t - b_j)]``, ``H(x) = E[min(S, x)]`` (0 for
    ``x <= 0``), ``[a_j, b_j)`` the interval; this returns ``m`` averaged over each interval.

    Parameters
    ----------
    calls : sequence of float
        Calls arriving in each interval, ``>= 0`` (1 to ``MAX_INTERVALS`` intervals).
    aht : float or sequence of float
        Mean handle time, one for the day or one per interval (``> 0`` where there are calls;
        ignored, and may be NaN, where there are none).
    interval : float
        Interval length, in the unit of ``aht``.
    handle_cv : float, optional
        Handle times lognormal with this coefficient of variation (``MIN_CV`` to ``MAX_CV``);
        exponential without it.
    points : int
        Gauss-Legendre nodes per panel of the time average (2 to 64); the default 10 gives a
        relative accuracy near 1e-10.

    Returns
    -------
    numpy.ndarray
        The mean number in service of each interval, in Erlangs.  With a constant rate it
        tends to ``rate * aht`` after a few handle times.

    Examples
    --------
    >>> offered_load([60, 60, 60, 60], 240, interval=1800).round(3).tolist()
    [6.934, 7.999, 8.0, 8.0]
    """
    c, h, length = _check_day(calls, aht, interval)
    cv = _check_cv(handle_cv)
    n_points = int(number("points", points, low=2, high=MAX_POINTS, integer=True))
    busy = c > 0
    if not busy.any():
        return np.zeros(len(c))
    scale = float(h[busy].min()) / (1.0 if cv is None else 1.0 + cv * cv)
    nodes, weights = _panels(length, scale, n_points)
    rate = c / length
    out = np.zeros(len(c))
    first = int(np.flatnonzero(busy)[0])
    for k in range(first, len(c)):
        j = np.arange(k + 1)
        j = j[busy[: k + 1]]
        # Time since the start and since the end of each earlier interval, at each node.
        since_start = (k - j)[:, None] * length + nodes[None, :]
        since_end = since_start - length
        hj = h[j][:, None]
        m = rate[j][:, None] * (_excess(since_end, hj, cv) - _excess(since_start, hj, cv))
        out[k] = float(m.sum(axis=0) @ weights)
    return np.maximum(out, 0.0)


# --------------------------------------------------------------------------------------------
# Staffing


def _carried_aht(calls: np.ndarray, aht: np.ndarray) -> np.ndarray:
    """Each interval's aht; where it has no calls, the last busy interval's (NaN before)."""
    out = np.full(len(calls), np.nan)
    last = np.nan
    for i, (n, h) in enumerate(zip(calls, aht, strict=True)):
        if n > 0:
            last = h
        out[i] = last
    return out


def _lagged_calls(calls: np.ndarray, length: float, lag: float) -> np.ndarray:
    """Calls arriving in ``[start_k - lag, end_k - lag]`` (none before the first interval).

    The window covers the last ``f`` of interval ``k - q - 1`` and the first ``1 - f`` of
    interval ``k - q`` (``lag / interval = q + f``); with ``lag = 0`` it is ``calls`` exactly.
    """
    d = lag / length
    q = math.floor(d)
    f = d - q
    n = len(calls)
    out = np.zeros(n)
    if q < n:
        out[q:] += (1.0 - f) * calls[: n - q]
    if f > 0 and q + 1 < n:
        out[q + 1:] += f * calls[: n - q - 1]
    return out


def time_varying_staffing(forecast, *, interval, method="sipp", lag=None, handle_cv=None,
                          target_sl=None, target_time=None, model="erlang_c", patience=None,
                          target_asa=None, max_abandon=None, max_occupancy=None,
                          shrinkage=0.0, min_agents=0) -> pd.DataFrame:
    """Required agents for each interval of a forecast whose arrival rate changes.

    Parameters
    ----------
    forecast : DataFrame or mapping of columns
        ``interval_start``, ``calls``, ``aht`` as for ``staffing_table``.
    interval : float
        Interval length in the time unit of ``aht``.
    method : {"sipp", "lag", "mol"}
        ``"sipp"``: each interval for its own calls (exactly ``staffing_table``).
        ``"lag"``: each interval for the calls of the window ``lag`` earlier, with its own
        aht.  ``"mol"``: each interval for its modified offered load (:func:`offered_load`).
        Under both, an interval without calls but with load (calls still arriving through
        the lag, or still in service) is staffed with the last busy interval's aht; a
        modified offered load below ``LOAD_FLOOR`` Erlangs counts as none.
    lag : float, optional
        The lag of ``"lag"``, ``>= 0`` and at most ``MAX_DURATION`` (a week in seconds);
        default the calls-weighted mean aht.
    handle_cv : float, optional
        For ``"mol"``: handle times lognormal with this CV (exponential without it).
    target_sl, target_time, model, patience, target_asa, max_abandon, max_occupancy, \
shrinkage, min_agents
        As in ``required_agents``.

    Returns
    -------
    DataFrame
        The columns of ``staffing_table`` (``TABLE_COLUMNS``): ``calls`` is the forecast's,
        ``load`` the load the method staffed for, ``aht`` the one used, and the figures are
        Erlang C/A at that load and staffing.  ``attrs["method"]`` names the method (and
        ``attrs["lag"]`` the lag used by ``"lag"``).

    Raises
    ------
    InputError
        For an unknown method, a bad lag or handle_cv, or what ``staffing_table`` refuses.
    """
    if not isinstance(method, str) or method not in METHODS:
        raise InputError(f"method must be one of {', '.join(METHODS)} (got {method!r})")
    if lag is not None and method != "lag":
        raise InputError(f"lag is only used with method='lag' (got lag={lag!r} with "
                         f"method={method!r})")
    if handle_cv is not None and method != "mol":
        raise InputError(f"handle_cv is only used with method='mol' (got "
                         f"handle_cv={handle_cv!r} with method={method!r})")
    targets = {"target_sl": target_sl, "target_time": target_time, "model": model,
               "patience": patience, "target_asa": target_asa, "max_abandon": max_abandon,
               "max_occupancy": max_occupancy, "shrinkage": shrinkage,
               "min_agents": min_agents}
    base = staffing_table(forecast, interval=interval, **targets)  # checks everything else
    if method == "sipp":
        base.attrs["method"] = "sipp"
        return base
    length = float(interval)
    calls = base["calls"].to_numpy(float)
    aht_raw = base["aht"].to_numpy(float)
    busy = calls > 0
    aht = _carried_aht(calls, aht_raw)
    if method == "lag":
        if lag is None:
            total = calls.sum()
            lag_used = float((calls[busy] * aht_raw[busy]).sum() / total) if total > 0 else 0.0
        else:
            lag_used = number("lag", lag, low=0, high=MAX_DURATION)
        staffed = _lagged_calls(calls, length, lag_used)
    else:
        if len(calls) > MAX_INTERVALS:
            raise InputError(f"method='mol' takes a forecast of at most {MAX_INTERVALS:,} "
                             f"intervals (got {len(calls)})")
        load = offered_load(calls, np.where(busy, aht_raw, 1.0), interval=length,
                            handle_cv=handle_cv)
        load[load < LOAD_FLOOR] = 0.0
        with np.errstate(invalid="ignore"):
            staffed = np.where(load > 0, load / aht * length, 0.0)
    loaded = staffed > 0
    synthetic = pd.DataFrame({"interval_start": base["interval_start"], "calls": staffed,
                              "aht": np.where(loaded, aht, aht_raw)})
    out = staffing_table(synthetic, interval=length, **targets)
    out["calls"] = calls
    out.attrs["method"] = method
    if method == "lag":
        out.attrs["lag"] = lag_used
    return out
