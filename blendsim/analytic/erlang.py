"""Erlang B, C and A: the closed forms every staffing answer is checked against.

Pure functions: no state, no randomness.  Arguments broadcast like numpy ufuncs, so a scalar
gives a scalar and arrays give arrays.  The time unit is yours: give the arrival ``rate`` and
the handle time ``aht`` (and ``patience``, ``target``) in one unit, e.g. seconds.  ``load`` is
the offered load in Erlangs, ``rate * aht``.

Erlang B and C accept fractional agents through the continuous extension of Erlang B
(``1/B(s, a) = a * integral_0^inf exp(-a t) (1 + t)**s dt``), so aggregated queues need not be
rounded.  Values are exact to about 1e-13 relative error from 1 to 100,000 agents (see
``tests/reference``), never NaN and never outside [0, 1].

>>> round(erlang_c(agents=10, load=8), 6)
0.40918
>>> round(service_level(agents=10, load=8, aht=180, target=20), 4)
0.6724
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from blendsim._validate import MAX_AGENTS, as_array, fmt, is_scalar, number, scalar_or_array
from blendsim.analytic._special import log_erlang_b, log_erlang_b1
from blendsim.errors import InputError

__all__ = [
    "ErlangAResult",
    "asa",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "service_level",
]


# Erlang A sums over the queue positions an arrival can find: at most this many (8 MB a
# column).  Patience within this factor of aht either way keeps its rates in floating point.
MAX_QUEUE_LEVELS = 1_000_000
_MAX_PATIENCE_RATIO = 1e15


def _agents_load(agents, load):
    s = as_array("agents", agents, low=0, high=MAX_AGENTS)
    a = as_array("load", load, low=0, high=MAX_AGENTS)
    return np.broadcast_arrays(s, a)


def _agents1(agents, low=0, low_open=False) -> float:
    return number("agents", agents, low=low, low_open=low_open, high=MAX_AGENTS)


def _load1(load) -> float:
    return number("load", load, low=0, high=MAX_AGENTS)


def _erlang_b(s: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.exp(log_erlang_b(s, a))


def _erlang_c(s: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Erlang C from Erlang B; 1 where the load reaches the agents (no checks)."""
    b = _erlang_b(s, a)
    stable = a < s
    with np.errstate(divide="ignore", invalid="ignore"):
        # C = s B / (s - a + a B): a sum of positive terms, no cancellation near a -> s.
        c = np.where(stable, s * b / (s - a + a * b), 1.0)
    return np.minimum(c, 1.0)


def _service_level(s, a, h, t):
    b = _erlang_b(s, a)
    stable = a < s
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        denom = s - a + a * b
        c = np.where(stable, s * b / denom, 1.0)
        one_minus_c = np.where(stable, (s - a) * (1.0 - b) / denom, 0.0)
        # 1 - C e^{-u} = (1 - C) + C (1 - e^{-u}) keeps full relative accuracy near 0 and 1.
        sl = np.where(stable, one_minus_c - c * np.expm1(-(s - a) * t / h), 0.0)
    return np.clip(sl, 0.0, 1.0)


# Scalar twins (plain Python floats, no checks): the same formulas without numpy's per-call
# overhead, for staffing searches and interactive use.  Tests hold both paths to agree.

def _erlang_c1(s: float, a: float) -> float:
    if a >= s:
        return 1.0
    b = math.exp(log_erlang_b1(s, a))
    return min(1.0, s * b / (s - a + a * b))


def _service_level1(s: float, a: float, h: float, t: float) -> float:
    if a >= s:
        return 0.0
    b = math.exp(log_erlang_b1(s, a))
    denom = s - a + a * b
    sl = (s - a) * (1.0 - b) / denom - (s * b / denom) * math.expm1(-(s - a) * t / h)
    return min(1.0, max(0.0, sl))


def _asa1(s: float, a: float, h: float) -> float:
    return _erlang_c1(s, a) * h / (s - a) if a < s else math.inf


def erlang_b(agents, load):
    """Probability that an arrival is blocked in a loss system (M/M/s/s), Erlang B.

    Parameters
    ----------
    agents : float or array_like
        Number of agents (servers), ``>= 0``; fractional values use the continuous extension.
    load : float or array_like
        Offered load in Erlangs (arrival rate times mean handle time), ``>= 0``.

    Returns
    -------
    float or ndarray
        Blocking probability in [0, 1].

    Examples
    --------
    >>> round(erlang_b(agents=5, load=3), 6)
    0.110054
    """
    if is_scalar(agents, load):
        return math.exp(log_erlang_b1(_agents1(agents), _load1(load)))
    s, a = _agents_load(agents, load)
    return scalar_or_array(_erlang_b(s, a))


def erlang_c(agents, load):
    """Probability that an arrival waits in M/M/s (Erlang C); 1.0 when ``load >= agents``.

    Parameters
    ----------
    agents : float or array_like
        Number of agents, ``>= 0`` (fractional allowed).
    load : float or array_like
        Offered load in Erlangs, ``>= 0``.

    Returns
    -------
    float or ndarray
        P(wait > 0) in [0, 1].

    Examples
    --------
    >>> round(erlang_c(agents=10, load=8), 6)
    0.40918
    """
    if is_scalar(agents, load):
        return _erlang_c1(_agents1(agents), _load1(load))
    s, a = _agents_load(agents, load)
    return scalar_or_array(_erlang_c(s, a))


def service_level(agents, load, aht, target):
    """P(wait <= target) in M/M/s: ``1 - C(s, a) exp(-(s - a) target / aht)``.

    0 when ``load >= agents`` (the queue grows without bound).

    Parameters
    ----------
    agents, load : float or array_like
        As in :func:`erlang_c`.
    aht : float or array_like
        Mean handle time, ``> 0`` (same unit as ``target``).
    target : float or array_like
        Waiting-time threshold, ``>= 0`` (e.g. 20 seconds in an "80/20" target).

    Examples
    --------
    >>> round(service_level(agents=10, load=8, aht=180, target=20), 4)
    0.6724
    """
    if is_scalar(agents, load, aht, target):
        return _service_level1(_agents1(agents), _load1(load),
                               number("aht", aht, low=0, low_open=True),
                               number("target", target, low=0))
    s, a = _agents_load(agents, load)
    h = as_array("aht", aht, low=0, low_open=True)
    t = as_array("target", target, low=0)
    return scalar_or_array(_service_level(*np.broadcast_arrays(s, a, h, t)))


def asa(agents, load, aht):
    """Average speed of answer (mean wait of all calls) in M/M/s: ``C aht / (s - a)``.

    ``inf`` when ``load >= agents``.  Same unit as ``aht``.

    Examples
    --------
    >>> round(asa(agents=10, load=8, aht=180), 2)
    36.83
    """
    if is_scalar(agents, load, aht):
        return _asa1(_agents1(agents), _load1(load),
                     number("aht", aht, low=0, low_open=True))
    s, a = _agents_load(agents, load)
    h = as_array("aht", aht, low=0, low_open=True)
    s, a, h = np.broadcast_arrays(s, a, h)
    c = _erlang_c(s, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(a < s, c * h / (s - a), np.inf)
    return scalar_or_array(w)


def occupancy(agents, load):
    """Fraction of agent time spent handling calls in M/M/s: ``min(load / agents, 1)``.

    ``agents`` must be ``> 0``.

    Examples
    --------
    >>> occupancy(agents=10, load=8)
    0.8
    """
    if is_scalar(agents, load):
        return min(_load1(load) / _agents1(agents, low_open=True), 1.0)
    s = as_array("agents", agents, low=0, low_open=True, high=MAX_AGENTS)
    a = as_array("load", load, low=0, high=MAX_AGENTS)
    return scalar_or_array(np.minimum(a / s, 1.0))


# --------------------------------------------------------------------------------------------
# Erlang A: M/M/n+M with an optional finite waiting room


@dataclass(frozen=True, kw_only=True, slots=True)
class ErlangAResult:
    """Steady-state figures of an M/M/n+M queue (per arrival, blocked arrivals included).

    Attributes
    ----------
    p_wait : probability that an arrival joins the queue (finds every agent busy, not blocked).
    p_abandon : probability that an arrival joins the queue and hangs up before an answer.
    p_block : probability that an arrival finds the waiting room full (0 without capacity).
    asa : mean wait of answered calls (those answered at once count with wait 0).
    mean_wait : mean time in queue per arrival (abandoned: time until hanging up; blocked: 0).
    service_level : P(answered with wait <= target) over all arrivals; ``None`` without target.
    mean_queue : mean number of calls waiting.
    occupancy : fraction of agent time spent on calls.
    """

    p_wait: float | np.ndarray
    p_abandon: float | np.ndarray
    p_block: float | np.ndarray
    asa: float | np.ndarray
    mean_wait: float | np.ndarray
    service_level: float | np.ndarray | None
    mean_queue: float | np.ndarray
    occupancy: float | np.ndarray


_A_FIELDS = ("p_wait", "p_abandon", "p_block", "asa", "mean_wait", "service_level",
             "mean_queue", "occupancy")


def erlang_a(agents, rate, aht, patience, target=None, capacity=None) -> ErlangAResult:
    """Exact steady state of M/M/n+M (Erlang A), optionally with ``capacity`` waiting places.

    Poisson arrivals at ``rate``, ``agents`` identical agents with exponential handle time
    of mean ``aht``, exponential patience of mean ``patience`` (``math.inf`` or ``None``: no
    abandonment), first come first served.  With ``capacity`` set, an arrival that finds
    ``capacity`` calls waiting is blocked.

    The result is computed from the birth-death chain, summed over the queue positions an
    arrival can find: the chance of being answered from position ``m`` is
    ``n mu / (n mu + m theta)`` and the wait of an answered call is a sum of exponentials with
    rates ``n mu + i theta`` (``i = 1..m``), whose distribution is a regularised incomplete
    beta function.  No approximation is made; terms below 1e-20 of the largest are dropped.

    Parameters
    ----------
    agents : int or array_like
        Number of agents, a whole number ``>= 1``.
    rate : float or array_like
        Arrival rate per time unit, ``>= 0``.
    aht : float or array_like
        Mean handle time, ``> 0``.
    patience : float or array_like or None
        Mean patience, ``> 0``; ``inf``/``None`` means callers never hang up.
    target : float or array_like, optional
        Waiting-time threshold for ``service_level``, ``>= 0``.
    capacity : int or array_like, optional
        Waiting places, a whole number ``>= 0``; ``None`` means unlimited.

    Returns
    -------
    ErlangAResult
        Floats for scalar input, arrays when any argument is an array.

    Examples
    --------
    >>> r = erlang_a(agents=10, rate=2 / 60, aht=240, patience=120, target=20)
    >>> round(r.p_abandon, 4), round(r.service_level, 4)
    (0.0684, 0.8252)
    """
    optional = [v for v in (target, capacity) if v is not None]
    if is_scalar(agents, rate, aht, *optional) and (patience is None or is_scalar(patience)):
        values = _erlang_a_one(
            int(number("agents", agents, low=1, integer=True, high=MAX_AGENTS)),
            number("rate", rate, low=0),
            number("aht", aht, low=0, low_open=True),
            math.inf if patience is None else number("patience", patience, low=0,
                                                     low_open=True, allow_inf=True),
            None if target is None else number("target", target, low=0),
            None if capacity is None else int(number("capacity", capacity, low=0,
                                                     integer=True)),
        )
        return ErlangAResult(**dict(zip(_A_FIELDS, values, strict=True)))
    n = as_array("agents", agents, low=1, integer=True, high=MAX_AGENTS)
    lam = as_array("rate", rate, low=0)
    h = as_array("aht", aht, low=0, low_open=True)
    pat = as_array("patience", np.inf if patience is None else patience,
                   low=0, low_open=True, allow_inf=True)
    t = None if target is None else as_array("target", target, low=0)
    cap = None if capacity is None else as_array("capacity", capacity, low=0, integer=True)
    arrays = [n, lam, h, pat] + ([t] if t is not None else []) + ([cap] if cap is not None else [])
    shape = np.broadcast_shapes(*(x.shape for x in arrays))
    n, lam, h, pat = (np.broadcast_to(x, shape) for x in (n, lam, h, pat))
    t_b = None if t is None else np.broadcast_to(t, shape)
    cap_b = None if cap is None else np.broadcast_to(cap, shape)

    out = {name: np.empty(shape) for name in _A_FIELDS}
    for idx in np.ndindex(shape):
        values = _erlang_a_one(
            int(n[idx]), float(lam[idx]), float(h[idx]), float(pat[idx]),
            None if t_b is None else float(t_b[idx]),
            None if cap_b is None else int(cap_b[idx]),
        )
        for name, v in zip(_A_FIELDS, values, strict=True):
            out[name][idx] = np.nan if v is None else v
    fields = {name: scalar_or_array(v) for name, v in out.items()}
    if target is None:
        fields["service_level"] = None
    return ErlangAResult(**fields)


def _erlang_c_figures(n: int, lam: float, aht: float, target: float | None):
    """Erlang A's fields for an M/M/n queue without abandonment or waiting-room limit."""
    a = lam * aht
    if a >= n:
        sl = None if target is None else 0.0
        return (1.0, 0.0, 0.0, np.inf, np.inf, sl, np.inf, 1.0)
    c = _erlang_c1(float(n), a)
    w = c * aht / (n - a)
    sl = None if target is None else _service_level1(float(n), a, aht, target)
    return (c, 0.0, 0.0, w, w, sl, lam * w, a / n)


class QueueTooLongError(InputError):
    """Erlang A's queue distribution needs more than MAX_QUEUE_LEVELS positions."""


def _queue_too_long(n: int, lam: float, mu: float, theta: float) -> QueueTooLongError:
    patience = "none" if theta == 0 else fmt(1.0 / theta)
    return QueueTooLongError(
        f"Erlang A would need more than {MAX_QUEUE_LEVELS:,} queue positions (agents={n}, "
        f"load {fmt(lam / mu)} Erlangs, patience {patience}): the queue stays that long "
        "before its probabilities fade, beyond the exact formula; check rate, aht and "
        "patience (a load above the agents with very patient callers makes such a queue)")


def _log_weights(n: int, lam: float, mu: float, theta: float, capacity: int | None):
    """log(pi(n + j) / pi(n)) for j = 0, 1, ... until the terms no longer matter.

    ``pi(n + j)`` is the probability of ``j`` waiting calls.  Returns the array of logs.
    Raises ``QueueTooLongError`` (an :class:`InputError`) beyond ``MAX_QUEUE_LEVELS`` positions,
    before allocating them.
    """
    x = n * mu / theta if theta > 0 else np.inf
    y = lam / theta if theta > 0 else np.inf
    if theta > 0 and y - x > MAX_QUEUE_LEVELS and (capacity is None
                                                   or capacity > MAX_QUEUE_LEVELS):
        raise _queue_too_long(n, lam, mu, theta)  # the terms grow up to position y - x
    chunks = [np.zeros(1)]
    last = 0.0
    best = 0.0
    j0 = 1
    size = 256
    limit = np.inf if capacity is None else capacity
    while j0 <= limit:
        if j0 > MAX_QUEUE_LEVELS:
            raise _queue_too_long(n, lam, mu, theta)
        j = np.arange(j0, int(min(j0 + size - 1, limit)) + 1, dtype=float)
        if theta > 0:
            # log(y / (x + j)) as log1p(...) keeps full relative accuracy when y ~ x + j;
            # a term below 1e-16 of its neighbour rounds to log(0) = -inf, which is right.
            with np.errstate(divide="ignore"):
                steps = np.log1p((y - x - j) / (x + j))
        else:
            steps = np.full(j.shape, np.log(lam / (n * mu)))
        logs = last + np.cumsum(steps)
        chunks.append(logs)
        last = float(logs[-1])
        best = max(best, float(logs.max()))
        j0 = int(j[-1]) + 1
        size *= 2
        # Stop once the terms fall 46 e-folds (1e-20) below the largest and keep falling.
        if last < best - 46.0 and steps[-1] < 0:
            break
    return np.concatenate(chunks)


def _erlang_a_one(n: int, lam: float, aht: float, patience: float, target: float | None,
                  capacity: int | None):
    """Erlang A figures for one parameter set (see :func:`erlang_a`)."""
    theta = 0.0 if np.isinf(patience) else 1.0 / patience
    if theta > 0.0 and not 1.0 / _MAX_PATIENCE_RATIO <= patience / aht <= _MAX_PATIENCE_RATIO:
        longer = patience > aht
        raise InputError(
            f"patience = {fmt(patience)} is more than {_MAX_PATIENCE_RATIO:g} times "
            f"{'longer' if longer else 'shorter'} than aht = {fmt(aht)}: beyond that the "
            "formula's rates swamp each other in floating point"
            + ("; give patience=None for callers who never hang up" if longer else ""))
    if lam == 0.0:
        sl = None if target is None else 1.0
        return (0.0, 0.0, 0.0, 0.0, 0.0, sl, 0.0, 0.0)
    if theta == 0.0 and capacity is None:
        return _erlang_c_figures(n, lam, aht, target)
    mu = 1.0 / aht
    a = lam * aht
    logw = _log_weights(n, lam, mu, theta, capacity)
    # States below n, relative to pi(n): 1/B(n, a) - 1.
    log_b = log_erlang_b1(float(n), a)
    log_below = np.log(-np.expm1(log_b)) - log_b if log_b < 0 else -np.inf
    top = max(float(logw.max()), log_below)
    total = np.exp(logw - top).sum() + np.exp(log_below - top)
    p = np.exp(logw - top) / total          # p[j] = P(j calls waiting)
    p_now = np.exp(log_below - top) / total  # P(an agent is free)

    full = capacity is not None and len(p) == capacity + 1
    pj = p[:-1] if full else p               # states in which an arrival joins the queue
    p_block = float(p[-1]) if full else 0.0
    m = np.arange(1, len(pj) + 1, dtype=float)  # the arrival's queue position
    if theta > 0:
        x = n * mu / theta
        answered = x / (x + m)
        # Wait of an answered call from position m: sum of Exp(n mu + i theta), i = 1..m.
        mean_answered_wait = np.cumsum(1.0 / (x + m)) / theta
        if target is not None:
            within = special.betainc(m, x + 1.0, -np.expm1(-theta * target))
    else:
        answered = np.ones_like(m)
        mean_answered_wait = m / (n * mu)
        if target is not None:
            within = special.gammainc(m, n * mu * target)

    p_wait = float(pj.sum())
    p_answered_late = float((pj * answered).sum())
    p_abandon = float((pj * (1.0 - answered)).sum())
    p_answered = p_now + p_answered_late
    asa_ = float((pj * answered * mean_answered_wait).sum()) / p_answered
    mean_queue = float((np.arange(len(p)) * p).sum())
    sl = None
    if target is not None:
        sl = min(1.0, p_now + float((pj * answered * within).sum()))
    occ = min(1.0, a * p_answered / n)
    values = (p_wait, p_abandon, p_block, asa_, mean_queue / lam, sl, mean_queue, occ)
    return tuple(None if v is None else float(v) for v in values)
