"""Numerically careful building blocks for the Erlang formulas (private).

Everything here works on float arrays, in log space where values can underflow, and never
forms a factorial.  The Poisson "density" ``a**s * exp(-a) / Gamma(s + 1)`` is evaluated with
Loader's saddle-point form (Loader 2000, "Fast and accurate computation of binomial
probabilities"), which keeps full relative accuracy for 100,000 agents where the naive
``s*log(a) - a - lgamma(s+1)`` loses six digits to cancellation.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

_gammaincc = special.gammaincc

_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)


def stirlerr(n: np.ndarray) -> np.ndarray:
    """``log Gamma(n+1) - [(n + 1/2) log n - n + log sqrt(2 pi)]`` for ``n > 0``."""
    n = np.asarray(n, dtype=float)
    out = np.empty_like(n)
    small = n <= 15.0
    if small.any():
        ns = n[small]
        out[small] = special.gammaln(ns + 1.0) - (ns + 0.5) * np.log(ns) + ns - _LOG_SQRT_2PI
    big = ~small
    if big.any():
        nb = n[big]
        nn = nb * nb
        # Stirling's series to the 1/n**9 term: ample for n > 15.
        s0, s1, s2, s3, s4 = 1 / 12, 1 / 360, 1 / 1260, 1 / 1680, 1 / 1188
        out[big] = (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / nb
    return out


def bd0(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """The deviance term ``x log(x/m) + m - x`` (>= 0) for ``x >= 0, m > 0``, accurately.

    Within a factor of three of each other it is summed as the series
    ``(x - m) v + 2 x (v**3/3 + v**5/5 + ...)`` with ``v = (x - m)/(x + m)``, which has no
    cancellation; farther apart the direct form loses at most a digit.
    """
    x, m = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(m, dtype=float))
    out = np.empty(x.shape)
    near = np.abs(x - m) < 0.5 * (x + m)
    if near.any():
        xn, mn = x[near], m[near]
        v = (xn - mn) / (xn + mn)
        s = (xn - mn) * v
        ej = 2.0 * xn * v
        v2 = v * v
        for j in range(1, 60):  # |v| < 1/2: each term at most a quarter of the last
            ej = ej * v2
            term = ej / (2 * j + 1)
            s = s + term
            if np.all(np.abs(term) <= 1e-17 * np.abs(s)):
                break
        out[near] = s
    far = ~near
    if far.any():
        xf, mf = x[far], m[far]
        out[far] = special.xlogy(xf, xf / mf) + mf - xf
    return out


def log_poisson(s: np.ndarray, a: np.ndarray) -> np.ndarray:
    """``log(a**s * exp(-a) / Gamma(s + 1))`` for real ``s >= 0``, ``a >= 0``."""
    s, a = np.broadcast_arrays(np.asarray(s, dtype=float), np.asarray(a, dtype=float))
    out = np.empty(s.shape)
    saddle = (s >= 1.0) & (a > 0.0)
    if saddle.any():
        ss, aa = s[saddle], a[saddle]
        out[saddle] = -stirlerr(ss) - bd0(ss, aa) - 0.5 * np.log(2.0 * np.pi * ss)
    rest = ~saddle
    if rest.any():
        ss, aa = s[rest], a[rest]
        out[rest] = special.xlogy(ss, aa) - aa - special.gammaln(ss + 1.0)
    return out


def _log_erlang_b_cf(s: np.ndarray, a: np.ndarray) -> np.ndarray:
    """log Erlang B from Legendre's continued fraction for Gamma(s+1, a); for a > s + 1.

    ``1/B = a * Gamma(s+1, a) / (a**(s+1) e**-a)`` and that ratio is the continued fraction
    ``b0 + c1/(b1 + c2/(b2 + ...))`` with ``b_i = a - s + 2i`` and ``c_i = i (s + 1 - i)``,
    evaluated with the modified Lentz method.  It converges fast when the load exceeds the
    agents, exactly where the incomplete gamma function itself underflows.
    """
    tiny = 1e-300
    f = a - s
    c = f.copy()
    d = np.zeros_like(f)
    active = np.ones(f.shape, dtype=bool)
    for i in range(1, 100_000):
        cn = i * (s + 1.0 - i)
        bn = a - s + 2.0 * i
        d = bn + cn * d
        d = np.where(d == 0.0, tiny, d)
        c = bn + cn / c
        c = np.where(c == 0.0, tiny, c)
        d = 1.0 / d
        delta = c * d
        f = np.where(active, f * delta, f)
        active &= np.abs(delta - 1.0) > 1e-16
        if not active.any():
            break
    else:  # pragma: no cover - the region is chosen so this never happens
        raise ArithmeticError("Erlang B continued fraction did not converge")
    # B = f / a.
    return np.log(f) - np.log(a)


def log_erlang_b(s: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Natural log of Erlang B for real ``s >= 0`` agents and load ``a >= 0`` (no checks).

    ``B(s, a) = a**s e**-a / Gamma(s + 1, a)``: the Poisson density at ``s`` over the
    regularised upper incomplete gamma function ``Q(s + 1, a)``.  Where ``Q`` is not tiny
    (load below or near the agents) it comes from ``scipy.special.gammaincc``; in deep overload
    the continued fraction is used.
    """
    s, a = np.broadcast_arrays(np.asarray(s, dtype=float), np.asarray(a, dtype=float))
    out = np.empty(s.shape)
    zero = a == 0.0
    out[zero] = np.where(s[zero] == 0.0, 0.0, -np.inf)
    cf = ~zero & (a > s + 1.0 + 3.0 * np.sqrt(s + 1.0))
    gam = ~zero & ~cf
    if gam.any():
        sg, ag = s[gam], a[gam]
        out[gam] = log_poisson(sg, ag) - np.log(special.gammaincc(sg + 1.0, ag))
    if cf.any():
        out[cf] = _log_erlang_b_cf(s[cf], a[cf])
    return out


# --------------------------------------------------------------------------------------------
# Scalar twins of the functions above, in plain Python: a staffing search calls Erlang C a few
# times per answer and numpy's per-call overhead would dominate.  Tests check that both paths
# agree to rounding.

_S0, _S1, _S2, _S3, _S4 = 1 / 12, 1 / 360, 1 / 1260, 1 / 1680, 1 / 1188
_LOG_2PI = math.log(2.0 * math.pi)


def stirlerr1(n: float) -> float:
    """Scalar :func:`stirlerr`."""
    if n <= 15.0:
        return math.lgamma(n + 1.0) - (n + 0.5) * math.log(n) + n - 0.5 * _LOG_2PI
    nn = n * n
    return (_S0 - (_S1 - (_S2 - (_S3 - _S4 / nn) / nn) / nn) / nn) / n


def bd01(x: float, m: float) -> float:
    """Scalar :func:`bd0`."""
    d = x - m
    if abs(d) < 0.5 * (x + m):
        v = d / (x + m)
        s = d * v
        ej = 2.0 * x * v
        v2 = v * v
        j = 1
        while True:
            ej *= v2
            s1 = s + ej / (2 * j + 1)
            if s1 == s:
                return s1
            s = s1
            j += 1
    if x == 0.0:
        return m
    return x * math.log(x / m) + m - x


def log_poisson1(s: float, a: float) -> float:
    """Scalar :func:`log_poisson`."""
    if s >= 1.0 and a > 0.0:
        return -stirlerr1(s) - bd01(s, a) - 0.5 * (_LOG_2PI + math.log(s))
    if a == 0.0:
        return 0.0 if s == 0.0 else -math.inf
    return s * math.log(a) - a - math.lgamma(s + 1.0)


def log_erlang_b1(s: float, a: float) -> float:
    """Scalar :func:`log_erlang_b`."""
    if a == 0.0:
        return 0.0 if s == 0.0 else -math.inf
    if a > s + 1.0 + 3.0 * math.sqrt(s + 1.0):
        f = a - s
        c, d = f, 0.0
        i = 1
        while True:
            cn = i * (s + 1.0 - i)
            bn = a - s + 2.0 * i
            d = bn + cn * d
            c = bn + cn / c
            d = 1.0 / (d if d != 0.0 else 1e-300)
            c = c if c != 0.0 else 1e-300
            delta = c * d
            f *= delta
            if abs(delta - 1.0) <= 1e-16:
                return math.log(f) - math.log(a)
            i += 1
    log_f = log_poisson1(s, a)
    return log_f - math.log(_gammaincc(s + 1.0, a))
