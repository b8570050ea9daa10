"""What a queue with an arrival rate and a staffing that change by interval does, exactly.

The model is M(t)/M/s(t) (+M with ``patience``: exponential patience, Erlang A), first come
first served, empty at the start of the first interval.  In interval ``k`` (length
``interval``) calls arrive as a Poisson process of rate ``calls[k] / interval`` and
``servers[k]`` identical servers with exponential handle times of mean ``aht`` work; both are
constant within the interval.  The number in system is then a birth-death chain whose rates
change at interval boundaries, and its distribution solves the forward Kolmogorov equations
``dp/dt = p Q_k``.  They are solved interval by interval with
:func:`scipy.sparse.linalg.expm_multiply` on the tridiagonal generator (no time stepping
error; the grid of ``points_per_interval + 1`` instants is only for the time averages, which
Simpson's rule integrates).  No simulation, and nothing from the engine or the scenario.

Staffing changes are instantaneous (the textbook model): when the servers drop below the
number busy, the extra calls go back to the head of the queue.  The engine instead lets an
agent who leaves finish the call in hand, so the two agree exactly only while staffing never
falls (constant or rising); after a drop the engine has a little more capacity than this
reference for a few handle times.

>>> day = transient_queue([60, 60], [20, 20], interval=900, aht=240)
>>> day.columns.tolist()[:4]
['interval', 'calls', 'servers', 'p_wait']
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import integrate, sparse, special, stats
from scipy.sparse.linalg import expm_multiply

from blendsim._validate import MAX_AGENTS, as_array, number, whole
from blendsim.errors import InputError

__all__ = ["MAX_INTERVALS", "MAX_STATES", "TOP_STATE_TOLERANCE", "transient_queue"]

# States (0 .. max_in_system calls in system) of the chain: a day of a few thousand calls an
# interval needs a few thousand; beyond this the solve takes minutes.
MAX_STATES = 50_000
MAX_INTERVALS = 10_000  # intervals of one day (a week of one-minute intervals)
MAX_POINTS = 1_000  # grid points per interval for the time averages
# The chain is cut at max_in_system; the probability of the top state must stay below this.
TOP_STATE_TOLERANCE = 1e-12


def _check(calls, servers, interval, aht, patience, target_time, points, max_in_system):
    c = as_array("calls", calls, low=0, high=MAX_STATES * 100.0)
    s = as_array("servers", servers, low=0, high=MAX_AGENTS, integer=True)
    if c.ndim != 1 or s.ndim != 1:
        raise InputError(f"calls and servers must be lists, one number per interval (got "
                         f"{c.ndim}-d and {s.ndim}-d)")
    if len(c) != len(s):
        raise InputError(f"calls and servers must have the same length, one per interval "
                         f"(got {len(c)} calls and {len(s)} servers)")
    if not 1 <= len(c) <= MAX_INTERVALS:
        raise InputError(f"calls must have 1 to {MAX_INTERVALS:,} intervals (got {len(c)})")
    length = number("interval", interval, low=0, low_open=True)
    h = number("aht", aht, low=0, low_open=True)
    p = None if patience is None else number("patience", patience, low=0, low_open=True,
                                             allow_inf=True)
    if p is not None and math.isinf(p):
        p = None
    t = None if target_time is None else number("target_time", target_time, low=0)
    m = whole("points_per_interval", points, low=2, high=MAX_POINTS)
    if m % 2:
        raise InputError(f"points_per_interval must be even, for Simpson's rule (got {m})")
    top = None if max_in_system is None else whole("max_in_system", max_in_system, low=1,
                                                   high=MAX_STATES - 1)
    return c, s.astype(np.int64), length, h, p, t, m, top


def _generator(states: int, lam: float, s: int, mu: float, theta: float) -> sparse.csr_matrix:
    """The transpose of the chain's generator (column convention: ``dp/dt = A p``)."""
    n = np.arange(states, dtype=float)
    birth = np.full(states, lam)
    birth[-1] = 0.0  # the cut: no arrival beyond the top state (checked to be unreachable)
    death = np.minimum(n, s) * mu + np.maximum(n - s, 0.0) * theta
    # A[i+1, i] = birth[i] (i -> i+1), A[i-1, i] = death[i] (i -> i-1), A[i, i] = -out.
    return sparse.diags([birth[:-1], -(birth + death), death[1:]], [-1, 0, 1],
                        shape=(states, states), format="csr")


def _within(states: int, s: int, mu: float, theta: float, tau: float | None) -> np.ndarray:
    """P(answered within ``tau``) of an arrival finding ``n`` in system, for each ``n``.

    An arrival finding ``n >= s`` is ``j = n - s + 1``-th in line; it moves up at rate
    ``s mu + (j - 1) theta`` and hangs up at rate ``theta``, so it is answered with
    probability ``s mu / (s mu + j theta)`` after a sum of Exp(s mu + i theta), i = 1..j,
    whose law is a regularised incomplete beta function (Erlang C: a gamma one).  The servers
    are taken to stay ``s`` while it waits (``tau`` much shorter than the interval).
    """
    out = np.ones(states)
    if tau is None:
        return out
    j = np.arange(1, states - s + 1, dtype=float)
    if j.size == 0:
        return out
    if s == 0:
        out[s:] = 0.0
    elif theta > 0:
        x = s * mu / theta
        out[s:] = x / (x + j) * special.betainc(j, x + 1.0, -np.expm1(-theta * tau))
    else:
        out[s:] = special.gammainc(j, s * mu * tau)
    return out


def _solve(c, s, length, mu, theta, tau, m, states):
    """Per-interval figures on a chain of ``states`` states, and the top state's largest
    probability (the solve stops at the first interval where it reaches the tolerance)."""
    p = np.zeros(states)
    p[0] = 1.0
    n = np.arange(states, dtype=float)
    grid = np.linspace(0.0, length, m + 1)
    rows, top = [], 0.0
    for calls_k, s_k in zip(c, s, strict=True):
        s_k = int(s_k)
        a = _generator(states, calls_k / length, s_k, mu, theta)
        path = expm_multiply(a, p, start=0.0, stop=length, num=m + 1, endpoint=True)
        path = np.clip(path, 0.0, None)
        top = max(top, float(path[:, -1].max()))
        if top >= TOP_STATE_TOLERANCE:
            return rows, top
        ok = _within(states, s_k, mu, theta, tau)

        def mean(f, path=path):
            return float(integrate.simpson(path @ f, x=grid) / length)

        row = {"p_wait": mean((n >= s_k).astype(float)),
               "mean_in_system": mean(n),
               "mean_queue": mean(np.maximum(n - s_k, 0.0)),
               "mean_busy": mean(np.minimum(n, s_k))}
        if tau is not None:
            row["service_level"] = mean(ok)
        p = path[-1] / path[-1].sum()
        row["in_system_at_end"] = float(p @ n)
        row["p_empty_at_end"] = float(p[0])
        rows.append(row)
    return rows, top


def transient_queue(calls, servers, *, interval, aht, patience=None, target_time=None,
                    points_per_interval=60, max_in_system=None) -> pd.DataFrame:
    """Exact per-interval figures of an M(t)/M/s(t)(+M) queue with piecewise-constant rates.

    Parameters
    ----------
    calls : array_like
        Expected calls arriving in each interval, ``>= 0`` (Poisson, at a constant rate
        ``calls[k] / interval`` within interval ``k``).
    servers : array_like
        Servers in each interval, whole numbers ``>= 0``, same length as ``calls``.
    interval : float
        Length of an interval, ``> 0``, in the time unit of ``aht`` (900 for 15 minutes in
        seconds).
    aht : float
        Mean (exponential) handle time, ``> 0``.
    patience : float, optional
        Mean (exponential) patience, ``> 0``; ``None`` or ``inf``: callers never hang up.
    target_time : float, optional
        Waiting-time threshold of the service level, ``>= 0``; without it there is no
        ``service_level`` column.
    points_per_interval : int
        Even number of grid steps per interval for Simpson's rule (default 60: time averages
        within about 1e-6 of exact even when an interval is a hundred handle times of a fast
        transient; 120 gives about 1e-8).
    max_in_system : int, optional
        Where the chain is cut.  Default: grown (doubling) until the top state's probability
        stays below ``TOP_STATE_TOLERANCE`` all day; given, that is checked and an
        :class:`InputError` raised if it fails.  At most ``MAX_STATES - 1``.

    Returns
    -------
    DataFrame
        One row per interval: ``interval`` (0, 1, ...), ``calls``, ``servers``, ``p_wait``
        (share of the interval's arrivals finding every server busy: the time average of
        P(N(t) >= s_k), by PASTA), ``service_level`` (share of its arrivals answered within
        ``target_time``; abandoned calls count as not answered; only with ``target_time``),
        ``mean_in_system``, ``mean_queue``, ``mean_busy`` (time averages over the interval),
        ``in_system_at_end`` and ``p_empty_at_end`` (at the interval's end).
        ``attrs["max_in_system"]`` is the cut used.

    Notes
    -----
    Staffing changes are instantaneous: calls in service beyond a reduced staffing go back to
    the head of the queue.  The engine lets the agent finish the call instead, so it agrees
    with this reference exactly only while staffing never falls.  The service level of an
    arrival assumes the servers stay as they are during its first ``target_time``.

    Examples
    --------
    >>> day = transient_queue([80] * 24, [24] * 24, interval=900, aht=240, target_time=20)
    >>> round(float(day["p_wait"].iloc[-1]), 4)  # Erlang C(24, 21.33) in the long run
    0.474
    """
    c, s, length, h, patience_, tau, m, top = _check(
        calls, servers, interval, aht, patience, target_time, points_per_interval,
        max_in_system)
    mu = 1.0 / h
    theta = 0.0 if patience_ is None else 1.0 / patience_
    if top is not None:
        states = top + 1
    else:
        # Never more in system than arrived: a Poisson quantile of the day's calls suffices.
        bound = int(stats.poisson.isf(TOP_STATE_TOLERANCE / 10, max(c.sum(), 1.0))) + 2
        # Room for the busiest interval's load, plus a geometric queue tail of ratio rho.
        load = c / length * h
        rho = np.minimum(load / np.maximum(s, 1), 0.95)
        tail = 30.0 / -np.log(np.maximum(rho, 0.01))
        if theta > 0:  # the queue is below an infinite-server one of service rate theta
            queue = c / length / theta
            tail = np.minimum(tail, queue + 10 * np.sqrt(queue + 1))
        guess = int(max(load + 10 * np.sqrt(load + 1) + s + tail)) + 20
        states = min(bound, guess)
        if states > MAX_STATES:
            raise _too_many(states)
    while True:
        rows, p_top = _solve(c, s, length, mu, theta, tau, m, states)
        if p_top < TOP_STATE_TOLERANCE:
            break
        if top is not None:
            raise InputError(
                f"max_in_system={top} is too small: the probability of {top} calls in system "
                f"reaches {p_top:.2g} (allowed < {TOP_STATE_TOLERANCE:g}); give a larger "
                "max_in_system or leave it out")
        if states >= bound:
            break  # more than the day's arrivals can reach: the cut changes nothing
        states = min(2 * states, bound)
        if states > MAX_STATES:
            raise _too_many(states)
    out = pd.DataFrame(rows)
    out.insert(0, "servers", s)
    out.insert(0, "calls", c)
    out.insert(0, "interval", np.arange(len(c)))
    first = ["interval", "calls", "servers", "p_wait"]
    if tau is not None:
        first.append("service_level")
    out = out[first + [k for k in out.columns if k not in first]]
    out.attrs["max_in_system"] = states - 1
    return out


def _too_many(states: int) -> InputError:
    return InputError(
        f"the day needs about {states:,} states (calls in system) to be solved exactly, more "
        f"than the {MAX_STATES:,} allowed; give fewer calls per interval")
