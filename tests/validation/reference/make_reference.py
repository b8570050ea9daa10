"""Independent high-precision reference values for blendsim's formulas.

Run with:  /tmp/venv/bin/python tests/validation/reference/make_reference.py
(needs mpmath, numpy, scipy; does NOT import blendsim, on purpose: the values
must come from an independent implementation).  Deterministic; ~1-3 minutes.

Everything is time-unit free: ``rate`` = arrivals per time unit, ``aht`` = mean
handle time, ``load`` = rate * aht (Erlangs), ``patience`` = mean of an
exponential patience, ``target`` = waiting-time threshold (same unit).

Output files (all in this directory).  Each is a JSON object
``{"meta": {...}, "rows": [...]}``; ``meta`` repeats the description below.

Value encoding (all files): computed values are JSON floats (Python repr,
17 significant digits, correctly rounded from the mpmath value) when they are
ordinary doubles; the string ``"inf"`` for infinity; and a decimal string of
the mpmath value with 20 significant digits when |value| < 1e-290 (would
underflow / lose precision as a double).  ``float(v)`` reads all three forms.
Parameters are stored as the exact doubles that were fed into the computation
(e.g. ``load = agents * ratio`` evaluated in double first, then converted
exactly to mpf), so the reference is the exact function value at the stored
inputs.

erlang_b.json -- Erlang B blocking probability B(s, a).
    Rows {"agents", "load", "value"}.
    Integer s: recurrence B(0)=1, B(k) = a B(k-1) / (k + a B(k-1)) at 50 digits.
    Fractional s: continuous extension B = a^s e^{-a} / Gamma(s+1, a) (upper,
    non-regularised incomplete gamma) at 60 digits, by mpmath.gammainc; where
    that does not converge (s = 12345.67 and 54321.5 with a = 2s) Legendre's
    continued fraction for Gamma(s+1, a) is used instead (validated against
    gammainc on the other a > 1.1(s+1) points).
    Grid: s in {1,...,100000} and {0.5,...,54321.5}; a = s*r for the ratios
    listed in RATIOS plus a = s-1 and a = s+1 (when > 0).  Values < 1e-290 are
    omitted (meta["dropped"] counts them).

erlang_c.json -- Erlang C and the M/M/s service level / ASA.
    Rows {"agents", "load", "erlang_c", "aht", "target", "service_level", "asa"}.
    C = s B / (s - a + a B) for a < s (also for fractional s), 1 for a >= s;
    SL = 1 - C exp(-(s - a) target / aht) (0 for a >= s);
    ASA = C aht / (s - a) ("inf" for a >= s).  Same (s, a) grid as erlang_b
    (rows whose erlang_c < 1e-290 omitted), aht = 180, target in {0, 20, 60}.

erlang_a.json -- M/M/n+M with optional finite waiting room K.
    Rows {"agents", "load_ratio", "rate", "aht", "patience", "capacity",
    "target", "p_wait", "p_block", "p_abandon", "service_level", "asa",
    "mean_wait", "mean_queue", "occupancy"}.  patience "inf" = no abandonment,
    capacity null = unlimited waiting room.  rate = load_ratio*agents/aht.
    Birth-death chain on k = number in system solved exactly in mpmath
    (50 digits; infinite chains summed until the geometric tail bound is below
    1e-55 relative to the queue sum).  An arrival finding n+j (j < K) joins at
    position m = j+1 and passes stages m, m-1, ..., 1; stage p lasts
    Exp(n mu + p theta) and ends with its own abandonment w.p.
    theta/(n mu + p theta).  Hence P(answered | m) = n mu/(n mu + m theta)
    and, given answered, the wait is W_m = hypoexponential(n mu + p theta,
    p = 1..m): SL uses P(answered | m) P(W_m <= T), asa uses
    P(answered | m) E[W_m].  The hypoexponential tail is the finite sum
        P(W_m > T) = sum_{i<m} C(x+i, i) y^(x+1) (1-y)^i,
        x = n mu / theta, y = exp(-theta T)
    (a negative-binomial CDF, equal to the distinct-rate formula -- checked at
    high precision; the lower or the upper sum is used, whichever avoids
    cancellation); for theta = 0 it is the Erlang(m, n mu) tail (Poisson
    sum).  Per-arrival quantities include
    blocked arrivals in the denominator; asa = mean wait of answered calls;
    mean_wait = E[number waiting]/rate; service_level = P(answered and
    wait <= target), immediate answers count with wait 0.

blend.json -- exact threshold-blending CTMC (small s).
    Rows {"agents", "reserve", "load_ratio", "rate", "aht_in", "aht_out",
    "patience", "target", "p_wait", "p_abandon", "service_level", "asa",
    "mean_wait", "occupancy", "outbound_rate"}.  patience null = none.
    State (i inbound, o outbound, q waiting), built by enumerating events and
    applying the policy rules (idle agent starts outbound iff q = 0 and
    idle > reserve; freed agent takes the oldest waiting inbound call; no
    pre-emption).  q truncated at L with < 1e-17 mass in the top 5 levels;
    stationary law by banded GTH state reduction (float64).  Waiting times
    from a tagged-customer absorbing chain on (o, m = number ahead):
    P(answered by T) via dense scipy.linalg.expm, E[wait; answered] via a
    triangular linear solve.  Float64 accuracy: ~1e-14 relative for the
    quantities (see the self-checks); exactly-1 values may print as
    0.9999999999999997.

Self-checks (asserted; worst relative differences printed at the end):
recurrence vs incomplete gamma, quadrature, continued fraction and
fractional-offset recurrence for Erlang B; direct M/M/s sum for Erlang C; for Erlang A: a second run at 70
digits, distinct-rate hypoexponential formula, theta*E[queue] = rate*P(abandon),
Little's law vs tagged-customer mean wait, throughput = busy agents,
K = 0 vs Erlang B, no-patience vs Erlang C; for the blend: reserve = s vs
Erlang C / Erlang A, outbound throughput for reserve 0, GTH vs sparse LU,
expm vs uniformisation, tagged chain vs hypoexponential when aht_in = aht_out,
flow balances.
"""

import json
import math
import os
import sys
import time

import mpmath
import numpy as np
import scipy.linalg
import scipy.sparse
import scipy.sparse.linalg
from mpmath import mp, mpf

OUT_DIR = os.path.dirname(os.path.abspath(__file__))
INF = float("inf")
MIN_VALUE = 1e-290  # below this a value is dropped (Erlang B/C) or stored as a string

# --------------------------------------------------------------------------
# Self-check bookkeeping
# --------------------------------------------------------------------------

CHECKS = {}  # name -> [worst relative diff, worst absolute diff, comparisons]


def rel_diff(x, y):
    """Symmetric relative difference; 0 when both are exactly 0."""
    with mp.workdps(100):  # never round the compared values to double first
        x, y = mpf(x), mpf(y)
        if x == y:
            return mpf(0)
        return abs(x - y) / max(abs(x), abs(y))


def check(name, got, ref, rtol, atol=0.0):
    """Assert |got-ref| <= rtol relatively or <= atol absolutely; record the worst.

    With an atol (float64 checks of probabilities that may be ~1e-300) the
    relative difference is only recorded for values above 1000*atol, where it
    is meaningful; the absolute difference is always recorded.
    """
    with mp.workdps(100):
        d = rel_diff(got, ref)
        a = abs(mpf(got) - mpf(ref))
        big = max(abs(mpf(got)), abs(mpf(ref))) > 1000 * atol
    entry = CHECKS.setdefault(name, [mpf(0), mpf(0), 0])
    if atol == 0 or big:
        entry[0] = max(entry[0], d)
    entry[1] = max(entry[1], a)
    entry[2] += 1
    ok = d <= rtol or a <= atol
    assert ok, f"self-check '{name}' failed: {got} vs {ref} (rel {float(d):.3g})"


# --------------------------------------------------------------------------
# JSON helpers
# --------------------------------------------------------------------------


def enc(x):
    """Encode a computed value (see module docstring for the convention)."""
    if isinstance(x, float) and (math.isinf(x) or x == 0 or abs(x) >= MIN_VALUE):
        return "inf" if math.isinf(x) else x
    with mp.workdps(50):  # so float() is the single correct rounding
        x = mpf(x)
        if mpmath.isinf(x):
            return "inf"
        if x != 0 and abs(x) < MIN_VALUE:
            return mpmath.nstr(x, 20, min_fixed=1, max_fixed=0)
        return float(x)


def write_json(name, meta, rows):
    """One row per line keeps the files diff-friendly and small."""
    path = os.path.join(OUT_DIR, name)
    with open(path, "w") as f:
        f.write('{"meta": ' + json.dumps(meta, indent=1) + ',\n"rows": [\n')
        f.write(",\n".join(json.dumps(r, allow_nan=False) for r in rows))
        f.write("\n]}\n")
    size = os.path.getsize(path)
    assert size < 300_000, f"{name} too large: {size} bytes"
    print(f"  wrote {name}: {len(rows)} rows, {size / 1000:.0f} kB")
    return len(rows)


def module_doc_section(title):
    """The part of this module's docstring that describes one output file."""
    doc = __doc__
    start = doc.index(title)
    end = doc.find("\n\n", start)
    return " ".join(doc[start:end].split())


# ==========================================================================
# 1. Erlang B
# ==========================================================================

B_INT_AGENTS = [1, 2, 3, 5, 10, 20, 50, 100, 500, 1000, 5000, 10000, 20000, 50000, 100000]
B_FRAC_AGENTS = [0.5, 1.5, 2.7, 7.25, 10.5, 99.9, 1000.5, 12345.67, 54321.5]
RATIOS = [0.05, 0.3, 0.5, 0.8, 0.9, 0.95, 0.99, 0.999, 1.0, 1.001, 1.01, 1.05, 1.2, 2, 5]


def grid_loads(s):
    """Loads s*r plus s-1 and s+1 (positive only, duplicates removed)."""
    loads = {float(s * r) for r in RATIOS} | {float(s - 1), float(s + 1)}
    return sorted(a for a in loads if a > 0)


def erlang_b_recurrence(s, a, dps=50, s0=0, b0=1):
    """B(s0 + s, a) by the stable upward recurrence starting from B(s0, a) = b0.

    With s0 = 0, b0 = 1 this is the classical integer recurrence; with a
    fractional s0 it extends the continuous Erlang B upward (the same
    recurrence holds for the incomplete-gamma extension).
    """
    with mp.workdps(dps):
        a = mpf(a)
        b = mpf(b0)
        for k in range(1, s + 1):
            ab = a * b
            b = ab / (s0 + k + ab)
        return +b


def upper_gamma_scaled_cf(z, x):
    """Gamma(z, x) * e^x / x^z by Legendre's continued fraction (modified Lentz).

    Converges quickly for x > z + 1.  Only used where mpmath.gammainc gives
    up (its hypergeometric series stalls for e.g. z ~ 5e4, x = 2z).
    """
    tiny = mpf(10) ** (-3 * mp.dps)
    eps = mpf(10) ** (-mp.dps - 3)
    b = x + 1 - z
    c, d = 1 / tiny, 1 / b
    h = d
    i = 0
    while True:
        i += 1
        an = -i * (i - z)
        b += 2
        d = an * d + b
        d = d if abs(d) > tiny else tiny
        c = b + an / c
        c = c if abs(c) > tiny else tiny
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < eps:
            return h


def erlang_b_cf(s, a, dps=60):
    """Continuous Erlang B from the continued fraction (a > s + 1 only)."""
    with mp.workdps(dps):
        s, a = mpf(s), mpf(a)
        return 1 / (a * upper_gamma_scaled_cf(s + 1, a))


def erlang_b_gamma(s, a, dps=60):
    """Continuous Erlang B: a^s e^{-a} / Gamma(s+1, a) (non-regularised).

    Falls back to the continued fraction when mpmath's gammainc does not
    converge (large s with a = 2s).
    """
    with mp.workdps(dps):
        s, a = mpf(s), mpf(a)
        try:
            return mp.exp(s * mp.log(a) - a) / mp.gammainc(s + 1, a)
        except (mpmath.libmp.libhyper.NoConvergence, ValueError):  # "failed to converge"
            assert a > 1.1 * (s + 1)
            if (float(s), float(a)) not in FALLBACKS:
                FALLBACKS.append((float(s), float(a)))
            return erlang_b_cf(s, a, dps)


FALLBACKS = []  # (s, a) where the continued fraction replaced mpmath.gammainc


def erlang_b_integral(s, a, dps=30):
    """1/B = a * int_0^inf exp(-a t) (1+t)^s dt, by numerical quadrature."""
    with mp.workdps(dps):
        s, a = mpf(s), mpf(a)
        f = lambda t: mp.exp(-a * t) * (1 + t) ** s
        # split at the scale of the integrand so tanh-sinh sees smooth pieces
        scale = max(1 / a, s / a)
        return 1 / (a * mp.quad(f, [0, scale, 10 * scale, 100 * scale, mp.inf]))


def make_erlang_b():
    """All Erlang B values as {(s, a): mpf}, plus the count of dropped ones."""
    values, dropped = {}, 0
    for s in B_INT_AGENTS:
        for a in grid_loads(s):
            b = erlang_b_recurrence(s, a)
            # independent method: incomplete gamma at higher precision
            check("erlang_b integer: recurrence vs incomplete gamma", b, erlang_b_gamma(s, a), 1e-40)
            if b >= MIN_VALUE:
                values[(s, a)] = b
            else:
                dropped += 1
    for s in B_FRAC_AGENTS:
        frac = s - math.floor(s)  # exact in binary: s is a double
        for a in grid_loads(s):
            b = erlang_b_gamma(s, a, dps=60)
            check("erlang_b fractional: 60 vs 90 digits", b, erlang_b_gamma(s, a, dps=90), 1e-45)
            # independent route: incomplete gamma only at shape in [1, 2),
            # then the upward recurrence over the integer part
            b_rec = erlang_b_recurrence(math.floor(s), a, dps=60, s0=mpf(frac),
                                        b0=erlang_b_gamma(frac, a, dps=60))
            check("erlang_b fractional: recurrence from fractional part vs direct", b, b_rec, 1e-40)
            if a > 1.1 * (s + 1) and (s, a) not in FALLBACKS:
                # validates the continued fraction used where gammainc fails
                check("erlang_b fractional: continued fraction vs mpmath gammainc", b,
                      erlang_b_cf(s, a), 1e-45)
            if s <= 11:
                check("erlang_b fractional: quadrature of integral form", b,
                      erlang_b_integral(s, a), 1e-25)
            if b >= MIN_VALUE:
                values[(s, a)] = b
            else:
                dropped += 1
    return values, dropped


def write_erlang_b(values, dropped):
    rows = [{"agents": s, "load": a, "value": enc(b)} for (s, a), b in values.items()]
    meta = {"description": module_doc_section("erlang_b.json"),
            "encoding": "float(value) reads every value; see make_reference.py",
            "dropped": f"{dropped} grid points with value < 1e-290 omitted"}
    return write_json("erlang_b.json", meta, rows)


# ==========================================================================
# 2. Erlang C
# ==========================================================================

C_AHT = 180
C_TARGETS = [0, 20, 60]


def erlang_c_from_b(s, a, b):
    """C = s B / (s - a + a B) for a < s, else 1 (mpf in, mpf out)."""
    s, a = mpf(s), mpf(a)
    if a >= s:
        return mpf(1)
    return s * b / (s - a + a * b)


def erlang_c_direct(s, a):
    """M/M/s P(wait) from the stationary distribution (integer s, a < s)."""
    a = mpf(a)
    term, below = mpf(1), mpf(0)
    for k in range(s):
        below += term
        term = term * a / (k + 1)  # after the loop: a^s / s!
    top = term * s / (s - a)
    return top / (below + top)


def make_erlang_c(b_values):
    rows, dropped = [], 0
    with mp.workdps(50):
        for (s, a), b in b_values.items():
            c = erlang_c_from_b(s, a, b)
            if c < MIN_VALUE:
                dropped += 1
                continue
            if isinstance(s, int) and s <= 1000 and a < s:
                check("erlang_c: from Erlang B vs direct M/M/s sum", c, erlang_c_direct(s, a), 1e-40)
            for t in C_TARGETS:
                if a < s:
                    sl = 1 - c * mp.exp(-(mpf(s) - mpf(a)) * t / C_AHT)
                    asa = c * C_AHT / (mpf(s) - mpf(a))
                else:
                    sl, asa = mpf(0), INF
                rows.append({"agents": s, "load": a, "erlang_c": enc(c), "aht": C_AHT,
                             "target": t, "service_level": enc(sl), "asa": enc(asa)})
    meta = {"description": module_doc_section("erlang_c.json"),
            "encoding": "float(value) reads every value (asa may be 'inf')",
            "dropped": f"{dropped} (agents, load) points with erlang_c < 1e-290 omitted"}
    return write_json("erlang_c.json", meta, rows)


# ==========================================================================
# 3. Erlang A (M/M/n+M, optional finite waiting room)
# ==========================================================================

EA_AHT = 240
EA_TARGETS = [0, 20, 60]
EA_N = [1, 2, 5, 10, 50, 100, 500, 2000]
EA_RATIOS = [0.5, 0.8, 0.95, 1.0, 1.1, 1.5]
EA_COMBOS = ([(p, K) for p in (30, 120, 600, 3600) for K in (None, 0, 1, 5, 30)]
             + [(INF, K) for K in (0, 1, 5, 30)])
# cases the grid must contain: long queues with no room limit (mostly n = 2000)
EA_EXTRA = [(2000, 1.0, 600, None), (2000, 1.5, 3600, None), (2000, 0.95, 120, None),
            (2000, 0.5, 30, None), (1, 1.5, 30, None), (500, 1.1, 3600, None)]


def erlang_a_grid():
    """~100 cases: every (n, ratio) pair gets two (patience, K) combos.

    The combo index walks the 24 combos with a step coprime to 24 and a shift
    for the second half, so each combo meets 4 different (n, ratio) pairs.
    """
    cases = []
    pairs = [(n, r) for n in EA_N for r in EA_RATIOS]
    for idx, (n, r) in enumerate(pairs):
        for half in (0, 1):
            p, K = EA_COMBOS[(7 * idx + 5 * (idx // 24) + 12 * half) % len(EA_COMBOS)]
            cases.append((n, r, p, K))
    for case in EA_EXTRA:
        if case not in cases:
            cases.append(case)
    return cases


def hypo_cdfs(c, theta, T, M):
    """[P(W_m <= T) for m = 1..M], where W_m = sum of independent Exp(c + p theta), p = 1..m.

    P(W_m > T) = sum_{i<m} t_i with, for theta > 0, the negative-binomial
    terms t_i = C(x+i, i) y^(x+1) (1-y)^i, x = c/theta, y = exp(-theta T)
    (derived from the distinct-rate formula via a beta integral; verified
    against it in check_hypo_distinct), and for theta = 0 the Poisson terms
    t_i = e^{-cT} (cT)^i / i! (Erlang tail).  The t_i sum to 1.  Where the
    lower sum L_m = sum_{i<m} t_i is <= 1/2 we return 1 - L_m (no
    cancellation); beyond that we return the upper sum sum_{i>=m} t_i
    (positive terms, added from the far end), so tiny CDF values keep full
    relative accuracy.
    """
    if M == 0:
        return []
    eps = mpf(10) ** (-mp.dps - 5)
    if theta == 0:
        cT = c * T
        ratio = lambda i: cT / i  # t_i / t_{i-1}, decreasing in i
        t = mp.exp(-cT)
    else:
        x = c / theta
        one_minus_y = -mp.expm1(-theta * T)  # 1 - y without cancellation
        ratio = lambda i: (x + i) / i * one_minus_y  # decreasing in i
        t = mp.exp(-(c + theta) * T)  # y^(x+1)
    terms = [t]
    for i in range(1, M):
        t = t * ratio(i)
        terms.append(t)
    lower = []  # lower[m-1] = L_m
    acc = mpf(0)
    for i in range(M):
        acc += terms[i]
        lower.append(acc)
    cdf = [1 - L for L in lower]
    if lower[-1] <= 0.5:
        return cdf
    # upper sum beyond the last position: once the ratio r < 1 the rest of
    # the series is <= t r / (1 - r); we are past the median, so r < 1 soon
    upper, i = mpf(0), M
    while True:
        t = t * ratio(i)
        upper += t
        r_next = ratio(i + 1)
        if t == 0 or (r_next < 1 and t * r_next / (1 - r_next) < eps * upper):
            break
        i += 1
        assert i < M + 10**7, "upper tail does not converge"
    for m in range(M, 0, -1):
        if lower[m - 1] <= 0.5:
            break
        cdf[m - 1] = upper  # = sum_{i>=m} t_i
        upper += terms[m - 1]
    return cdf


def hypo_cdf_distinct(c, theta, m, T):
    """P(W_m <= T) by the textbook distinct-rate formula (needs high dps)."""
    rates = [c + p * theta for p in range(1, m + 1)]
    tail = mpf(0)
    for i, ri in enumerate(rates):
        coef = mpf(1)
        for j, rj in enumerate(rates):
            if j != i:
                coef *= rj / (rj - ri)
        tail += coef * mp.exp(-ri * T)
    return 1 - tail


def erlang_a(n, rate, aht, patience, capacity, targets, dps=50, cdf=None):
    """Exact M/M/n+M(/K) quantities; returns (dict, number of join positions).

    cdf: optional override f(c, theta, m, T) -> P(W_m <= T) used only by the
    cross-check against the distinct-rate formula.
    """
    with mp.workdps(dps):
        lam, mu = mpf(rate), 1 / mpf(aht)
        c = n * mu
        theta = mpf(0) if patience == INF else 1 / mpf(patience)
        K = capacity
        if K is None and theta == 0 and lam >= c:
            raise ValueError("unstable M/M/n")
        eps = mpf(10) ** (-dps - 5)

        # states k < n (an arrival is answered at once); unnormalised weights
        w = mpf(1)
        z_below, busy_below = w, mpf(0)
        for k in range(1, n):
            w = w * lam / (k * mu)
            z_below += w
            busy_below += k * w
        v = w * lam / (n * mu)  # weight of state n (j = 0 waiting)

        s_queue = s_wait = s_abandon = s_wans = s_wall = s_q = mpf(0)
        ans_weight = []  # weight of position m times P(answered | m), m = 1, 2, ...
        e_time = mpf(0)  # E[W_m] = sum_{p<=m} 1/(c + p theta)
        p_block_w = mpf(0)
        j = 0
        while True:
            s_queue += v
            s_q += j * v
            if K is not None and j == K:  # blocking state: arrivals lost
                p_block_w = v
                break
            m = j + 1  # an arrival here joins at position m
            e_time += 1 / (c + m * theta)
            p_ans = c / (c + m * theta)
            s_wait += v
            s_abandon += v * (m * theta / (c + m * theta))  # = v (1 - p_ans), no cancellation
            s_wans += v * p_ans * e_time
            # time in queue whether answered or not: stage p (p = m..1) is
            # reached w.p. (c + p theta)/(c + m theta) and lasts 1/(c + p theta)
            s_wall += v * m / (c + m * theta)
            ans_weight.append(v * p_ans)
            # next state n + j + 1
            j += 1
            r = lam / (c + j * theta)
            v = v * r
            if K is None and r < 1:
                # the ratios r decrease from here on, so the remaining
                # sum_{i>=j} (i+1) v_i <= v (j+2)/(1-r)^2; compare with the
                # queue sum itself (not the normaliser) so that tiny waiting
                # probabilities keep full relative accuracy
                if v * (j + 2) / (1 - r) ** 2 < eps * s_queue:
                    break
        # answered within T: P(answered | m) P(W_m <= T) (the stage holding
        # times do not depend on which competing event ends them)
        s_sl = {}
        for T in targets:
            if cdf is None:
                f = hypo_cdfs(c, theta, T, len(ans_weight))
            else:
                f = [cdf(c, theta, m, T) for m in range(1, len(ans_weight) + 1)]
            s_sl[T] = mp.fdot(ans_weight, f)
        z = z_below + s_queue
        p_block = p_block_w / z
        p_abandon = s_abandon / z
        p_answered = 1 - p_block - p_abandon
        res = {
            "p_wait": s_wait / z,
            "p_block": p_block,
            "p_abandon": p_abandon,
            "service_level": {T: (z_below + s_sl[T]) / z for T in targets},
            "asa": (s_wans / z) / p_answered,
            "mean_wait": (s_q / z) / lam,
            "mean_queue": s_q / z,
            "occupancy": (busy_below + n * s_queue) / z / n,
            # only for self-checks:
            "_mean_wait_tagged": s_wall / z,
            "_theta": theta,
            "_lam": lam,
        }
        return res, j


def erlang_a_identities(n, aht, K, res):
    """Rate-balance identities that any correct M/M/n+M(/K) solution obeys."""
    lam, theta = res["_lam"], res["_theta"]
    if theta > 0:
        check("erlang_a: theta*E[queue] = rate*P(abandon)", theta * res["mean_queue"],
              lam * res["p_abandon"], 1e-40)
    check("erlang_a: Little mean wait vs tagged-customer mean wait", res["mean_wait"],
          res["_mean_wait_tagged"], 1e-40)
    check("erlang_a: busy agents = rate*aht*P(answered)", res["occupancy"] * n,
          lam * aht * (1 - res["p_block"] - res["p_abandon"]), 1e-40)


def erlang_a_checks(n, rate, aht, patience, K, res, positions):
    """All self-checks of one Erlang A result."""
    with mp.workdps(60):  # the identities' arithmetic must not round to double
        erlang_a_identities(n, aht, K, res)
    theta = res["_theta"]
    if K == 0:
        with mp.workdps(60):
            load = mpf(rate) * aht
        check("erlang_a: K=0 blocking vs Erlang B recurrence", res["p_block"],
              erlang_b_recurrence(n, load), 1e-40)
    # precision: the whole computation again at 70 digits
    hi, _ = erlang_a(n, rate, aht, patience, K, EA_TARGETS, dps=70)
    for key in ("p_wait", "p_block", "p_abandon", "asa", "mean_wait", "occupancy"):
        check("erlang_a: 50 vs 70 digits", res[key], hi[key], 1e-35)
    for T in EA_TARGETS:
        check("erlang_a: 50 vs 70 digits", res["service_level"][T], hi["service_level"][T], 1e-35)
    # distinct-rate hypoexponential formula (direct products, high precision)
    if theta > 0 and positions <= 40:
        c = n / mpf(aht)
        x = float(c / theta)
        digits = positions * math.log10(max(2.0, x + positions)) + 20
        dps = int(60 + digits)
        with mp.workdps(dps):
            alt, _ = erlang_a(n, rate, aht, patience, K, EA_TARGETS, dps=dps,
                              cdf=hypo_cdf_distinct)
        for T in EA_TARGETS:
            check("erlang_a: service level via distinct-rate hypoexponential", res["service_level"][T],
                  alt["service_level"][T], 1e-40)


def check_hypo_distinct():
    """Per-position comparison of hypo_cdfs with the distinct-rate formula."""
    for c, theta in [(mpf(1) / 240, mpf(1) / 30), (mpf(50) / 240, mpf(1) / 600),
                     (mpf(2000) / 240, mpf(1) / 3600), (mpf(5) / 240, mpf(1) / 120)]:
        for T in (20, 60, 1000):
            with mp.workdps(50):
                nb = hypo_cdfs(c, theta, T, 40)
            for m in (1, 2, 3, 7, 15, 40):
                with mp.workdps(400):
                    ref = hypo_cdf_distinct(c, theta, m, T)
                check("erlang_a: NB-sum hypoexponential CDF vs distinct-rate formula (per position)",
                      nb[m - 1], ref, 1e-40)
    # theta = 0: Erlang CDF vs mpmath's regularised lower incomplete gamma
    with mp.workdps(50):
        c = mpf(10) / 240
        cdf = hypo_cdfs(c, mpf(0), 60, 60)
        for m in range(1, 61):
            check("erlang_a: Erlang CDF vs regularised incomplete gamma", cdf[m - 1],
                  mp.gammainc(m, 0, c * 60, regularized=True), 1e-40)


def check_erlang_a_vs_c():
    """No abandonment, no room limit = M/M/n: compare with Erlang C formulas."""
    for n in (1, 5, 50, 500):
        for ratio in (0.5, 0.95):
            rate = ratio * n / EA_AHT
            res, _ = erlang_a(n, rate, EA_AHT, INF, None, EA_TARGETS)
            with mp.workdps(50):
                a = mpf(rate) * EA_AHT
                cc = erlang_c_from_b(n, a, erlang_b_recurrence(n, a))
                check("erlang_a: no patience vs Erlang C (p_wait, SL, ASA)", res["p_wait"], cc, 1e-40)
                check("erlang_a: no patience vs Erlang C (p_wait, SL, ASA)", res["asa"],
                      cc * EA_AHT / (n - a), 1e-40)
                for T in EA_TARGETS:
                    check("erlang_a: no patience vs Erlang C (p_wait, SL, ASA)",
                          res["service_level"][T], 1 - cc * mp.exp(-(n - a) * T / EA_AHT), 1e-40)


def make_erlang_a():
    check_hypo_distinct()
    check_erlang_a_vs_c()
    rows = []
    for n, ratio, patience, K in erlang_a_grid():
        rate = ratio * n / EA_AHT
        res, positions = erlang_a(n, rate, EA_AHT, patience, K, EA_TARGETS)
        erlang_a_checks(n, rate, EA_AHT, patience, K, res, positions)
        for T in EA_TARGETS:
            rows.append({
                "agents": n, "load_ratio": ratio, "rate": rate, "aht": EA_AHT,
                "patience": "inf" if patience == INF else patience, "capacity": K, "target": T,
                "p_wait": enc(res["p_wait"]), "p_block": enc(res["p_block"]),
                "p_abandon": enc(res["p_abandon"]), "service_level": enc(res["service_level"][T]),
                "asa": enc(res["asa"]), "mean_wait": enc(res["mean_wait"]),
                "mean_queue": enc(res["mean_queue"]), "occupancy": enc(res["occupancy"]),
            })
    meta = {"description": module_doc_section("erlang_a.json"),
            "encoding": "float(value) reads every value; patience 'inf' = no abandonment",
            "dropped": "none"}
    return write_json("erlang_a.json", meta, rows)


# ==========================================================================
# 4. Threshold blending CTMC
# ==========================================================================

BL_AGENTS = [1, 2, 3, 5, 8]
BL_RATIOS = [0.5, 0.85]
BL_AHT_IN = 300
BL_AHT_OUT = [300, 120, 900]
BL_PATIENCE = [None, 180]
BL_TARGET = 20
TOP_LEVELS, TOP_MASS = 5, 1e-17  # truncation criterion for the waiting queue


def normalise(state, s, k):
    """Apply the instantaneous rule: while no inbound waits and idle > k, start outbound."""
    i, o, q = state
    while q == 0 and s - i - o > k:
        o += 1
    return (i, o, q)


def blend_events(state, s, k, L, lam, mu_in, mu_out, theta):
    """Yield (rate, next_state) for every event in state (i, o, q)."""
    i, o, q = state
    idle = s - i - o
    if q < L:  # arrivals beyond the truncation level are dropped
        if idle > 0:
            yield lam, normalise((i + 1, o, q), s, k)
        else:
            yield lam, (i, o, q + 1)
    if i > 0:  # inbound completion: freed agent takes the head call if any
        nxt = (i, o, q - 1) if q > 0 else normalise((i - 1, o, 0), s, k)
        yield i * mu_in, nxt
    if o > 0:  # outbound completion: same, the agent switches to inbound if calls wait
        nxt = (i + 1, o - 1, q - 1) if q > 0 else normalise((i, o - 1, 0), s, k)
        yield o * mu_out, nxt
    if q > 0 and theta > 0:  # one of the waiting customers abandons
        yield q * theta, (i, o, q - 1)


def blend_generator(s, k, L, lam, mu_in, mu_out, theta):
    """Reachable states (sorted by q, so the generator is banded) and rates."""
    start = normalise((0, 0, 0), s, k)
    seen, stack = {start}, [start]
    while stack:
        st = stack.pop()
        for _, nxt in blend_events(st, s, k, L, lam, mu_in, mu_out, theta):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    states = sorted(seen, key=lambda t: (t[2], t[0], t[1]))
    index = {st: n for n, st in enumerate(states)}
    Q = np.zeros((len(states), len(states)))
    for st, n in index.items():
        for rate, nxt in blend_events(st, s, k, L, lam, mu_in, mu_out, theta):
            if nxt != st:
                Q[n, index[nxt]] += rate
    return states, Q


def gth_banded(Q):
    """Stationary distribution by GTH state reduction (no subtractions).

    Eliminating states from the last one keeps fill-in within the band, so
    each step only touches a (bandwidth x bandwidth) window.
    """
    A = Q.copy()
    np.fill_diagonal(A, 0.0)
    N = len(A)
    rows, cols = np.nonzero(A)
    bw = int(np.max(np.abs(rows - cols))) if len(rows) else 0
    S = np.zeros(N)
    for n in range(N - 1, 0, -1):
        lo = max(0, n - bw)
        out = A[n, lo:n]
        S[n] = out.sum()
        assert S[n] > 0, "chain not irreducible"
        A[lo:n, lo:n] += np.outer(A[lo:n, n], out / S[n])
    pi = np.zeros(N)
    pi[0] = 1.0
    for n in range(1, N):
        lo = max(0, n - bw)
        pi[n] = pi[lo:n] @ A[lo:n, n] / S[n]
    return pi / pi.sum()


def sparse_lu_stationary(Q):
    """Independent solver: replace one balance equation by the normalisation."""
    G = Q - np.diag(Q.sum(axis=1))
    M = G.T.copy()
    M[0, :] = 1.0
    rhs = np.zeros(len(M))
    rhs[0] = 1.0
    return scipy.sparse.linalg.spsolve(scipy.sparse.csc_matrix(M), rhs)


def blend_stationary(s, k, lam, mu_in, mu_out, theta):
    """Solve the truncated chain, raising L until the top levels carry < TOP_MASS."""
    rho = lam / (s * mu_in)
    L = int(math.log(1e-20) / math.log(rho)) + 20 if theta == 0 else 40
    while True:
        states, Q = blend_generator(s, k, L, lam, mu_in, mu_out, theta)
        pi = gth_banded(Q)
        qs = np.array([st[2] for st in states])
        if pi[qs > L - TOP_LEVELS].sum() < TOP_MASS:
            return states, Q, pi, L
        L = int(L * 1.3) + 10


def tagged_chain(s, mu_in, mu_out, theta, M, T):
    """Tagged waiting customer, all agents busy; state (o, m = number ahead).

    Events: inbound agent finishes (rate (s-o) mu_in) -> takes head call;
    outbound agent finishes (o mu_out) -> switches to inbound and takes head
    call (o -> o-1); a customer ahead abandons (m theta); the tagged customer
    abandons (theta, absorbing).  With m = 0 a service event answers the
    tagged customer.  Every transition lowers m by one, so ordering by m makes
    the transient generator lower triangular and the chain needs no truncation.
    Returns dict of arrays indexed by m*(s+1)+o: P(answered by T), P(answered),
    E[wait; answered], E[wait] (answered or abandoned).
    """
    width = s + 1
    N = width * (M + 1)
    Qt = np.zeros((N, N))
    r_ans = np.zeros(N)
    for m in range(M + 1):
        for o in range(width):
            x = m * width + o
            serve_in, serve_out = (s - o) * mu_in, o * mu_out
            Qt[x, x] = -(serve_in + serve_out + (m + 1) * theta)
            if m == 0:
                r_ans[x] = serve_in + serve_out
            else:
                Qt[x, x - width] += serve_in + m * theta  # same o, one fewer ahead
                if o > 0:
                    Qt[x, x - width - 1] += serve_out  # o -> o-1, one fewer ahead
    aug = np.zeros((N + 1, N + 1))
    aug[:N, :N] = Qt
    aug[:N, N] = r_ans
    p_by_T = scipy.linalg.expm(aug * T)[:N, N]
    negQ = -Qt
    p_ans = scipy.linalg.solve_triangular(negQ, r_ans, lower=True)
    w_ans = scipy.linalg.solve_triangular(negQ, p_ans, lower=True)
    w_all = scipy.linalg.solve_triangular(negQ, np.ones(N), lower=True)
    # cross-check P(answered by T) by uniformisation (all-positive series)
    Lam = float(np.max(-np.diag(Qt)))
    P = scipy.sparse.csr_matrix(np.eye(N) + Qt / Lam)
    r = r_ans / Lam
    u = np.zeros(N)
    weight = math.exp(-Lam * T)
    acc, n, lt = np.zeros(N), 0, Lam * T
    # stop past the Poisson mode once the remaining mass (bounded by a
    # geometric series) is negligible; u <= 1 so that bounds the error too
    while not (n + 1 > lt and weight * (lt / (n + 1)) / (1 - lt / (n + 1)) < 1e-18):
        u = r + P @ u
        n += 1
        weight *= lt / n
        acc += weight * u
    for x in range(N):
        check("blend: tagged P(answered by T) expm vs uniformisation", p_by_T[x], acc[x], 1e-9, atol=1e-15)
    return {"p_by_T": p_by_T, "p_ans": p_ans, "w_ans": w_ans, "w_all": w_all, "width": width}


def blend_quantities(s, lam, mu_in, mu_out, theta, states, pi, tag):
    """Inbound and outbound performance from pi and the tagged-customer chain."""
    p_wait = p_ab = sl = w_ans = w_all = e_q = e_i = e_o = 0.0
    for (i, o, q), p in zip(states, pi):
        e_q += q * p
        e_i += i * p
        e_o += o * p
        if i + o < s:  # an idle agent answers at once (wait 0 <= T)
            sl += p
            continue
        x = q * tag["width"] + o  # tagged customer has q ahead
        p_wait += p
        p_ab += p * (1.0 - tag["p_ans"][x])
        sl += p * tag["p_by_T"][x]
        w_ans += p * tag["w_ans"][x]
        w_all += p * tag["w_all"][x]
    return {
        "p_wait": p_wait, "p_abandon": p_ab, "service_level": sl,
        "asa": w_ans / (1.0 - p_ab), "mean_wait": e_q / lam,
        "occupancy": (e_i + e_o) / s, "outbound_rate": e_o * mu_out,
        "_e_q": e_q, "_e_i": e_i, "_e_o": e_o, "_mean_wait_tagged": w_all,
    }


def blend_checks(s, k, lam, aht_out, patience, theta, states, Q, pi, tag, res):
    mu_in = 1.0 / BL_AHT_IN
    # independent linear solver for the stationary law
    pi2 = sparse_lu_stationary(Q)
    for key, f in (("p_wait", lambda st: st[0] + st[1] == s), ("E[q]", lambda st: st[2]),
                   ("E[o]", lambda st: st[1])):
        v1 = sum(p * f(st) for st, p in zip(states, pi))
        v2 = sum(p * f(st) for st, p in zip(states, pi2))
        check("blend: GTH vs sparse LU stationary law (p_wait, E[q], E[o])", v1, v2, 1e-9, atol=1e-15)
    # flow balances
    check("blend: throughput E[i]/aht_in = rate*(1-p_abandon)", res["_e_i"] * mu_in,
          lam * (1 - res["p_abandon"]), 1e-9)
    if theta > 0:
        check("blend: theta*E[q] = rate*p_abandon", theta * res["_e_q"], lam * res["p_abandon"], 1e-9)
    check("blend: Little mean wait vs tagged mean wait", res["mean_wait"], res["_mean_wait_tagged"],
          1e-9, atol=1e-15)
    if k == 0 and theta == 0:
        # all agents always busy and every inbound call served: E[o] = s - load
        check("blend: reserve 0, no patience: outbound_rate = (s - load)/aht_out",
              res["outbound_rate"], (s - lam * BL_AHT_IN) / aht_out, 1e-9)
        check("blend: reserve 0 => p_wait = 1", res["p_wait"], 1.0, 1e-12)
    if k == s:  # no outbound ever: M/M/s or M/M/s+M
        if theta == 0:
            with mp.workdps(50):
                a = mpf(lam) * BL_AHT_IN
                cc = erlang_c_from_b(s, a, erlang_b_recurrence(s, a))
                ref = {"p_wait": cc, "asa": cc * BL_AHT_IN / (s - a), "mean_wait": cc * BL_AHT_IN / (s - a),
                       "service_level": 1 - cc * mp.exp(-(s - a) * BL_TARGET / BL_AHT_IN),
                       "occupancy": a / s, "p_abandon": 0}
        else:
            ea, _ = erlang_a(s, lam, BL_AHT_IN, patience, None, [BL_TARGET])
            ref = {key: ea[key] for key in ("p_wait", "asa", "mean_wait", "occupancy", "p_abandon")}
            ref["service_level"] = ea["service_level"][BL_TARGET]
        for key, val in ref.items():
            check("blend: reserve = s vs Erlang C / Erlang A", res[key], val, 1e-9, atol=1e-15)
        check("blend: reserve = s => outbound_rate = 0", res["outbound_rate"], 0.0, 0, atol=0)


def check_tagged_equal_aht(s, theta, tag):
    """aht_in = aht_out: agent type is irrelevant, so the tagged wait from m
    ahead is hypoexponential(s mu + p theta, p = 1..m+1), answered w.p.
    s mu / (s mu + (m+1) theta): compare every (o, m) entry of the expm."""
    mu_in = 1.0 / BL_AHT_IN
    with mp.workdps(40):
        c, th = s * mpf(mu_in), mpf(theta)
        width = tag["width"]
        positions = len(tag["p_by_T"]) // width
        cdf = hypo_cdfs(c, th, BL_TARGET, positions)
        for m in range(positions):  # m ahead = position m + 1
            ref = (c / (c + (m + 1) * th)) * cdf[m]
            for o in range(width):
                check("blend: tagged chain vs exact hypoexponential (aht_in = aht_out)",
                      tag["p_by_T"][m * width + o], ref, 1e-9, atol=1e-15)


def make_blend():
    cases = []
    for s in BL_AGENTS:
        for k in range(s + 1):
            for ratio in BL_RATIOS:
                for aht_out in BL_AHT_OUT:
                    for patience in BL_PATIENCE:
                        if patience is None and ratio * s >= s:
                            continue  # unstable without abandonment (never on this grid)
                        cases.append((s, k, ratio, aht_out, patience))
    # stationary laws first, so each tagged chain (independent of rate and k)
    # is built once per (s, aht_out, patience) with enough positions for all
    solved = {}
    for s, k, ratio, aht_out, patience in cases:
        lam = ratio * s / BL_AHT_IN
        theta = 0.0 if patience is None else 1.0 / patience
        solved[(s, k, ratio, aht_out, patience)] = blend_stationary(
            s, k, lam, 1.0 / BL_AHT_IN, 1.0 / aht_out, theta)
    rows = []
    groups = sorted({(c[0], c[3], c[4] or 0) for c in cases})
    for s, aht_out, pat in groups:
        patience = pat or None
        theta = 0.0 if patience is None else 1.0 / patience
        members = [c for c in cases if (c[0], c[3], c[4]) == (s, aht_out, patience)]
        M = max(solved[c][3] for c in members)
        tag = tagged_chain(s, 1.0 / BL_AHT_IN, 1.0 / aht_out, theta, M, BL_TARGET)
        if aht_out == BL_AHT_IN:
            check_tagged_equal_aht(s, theta, tag)
        for case in members:
            _, k, ratio, _, _ = case
            lam = ratio * s / BL_AHT_IN
            states, Q, pi, L = solved[case]
            res = blend_quantities(s, lam, 1.0 / BL_AHT_IN, 1.0 / aht_out, theta, states, pi, tag)
            blend_checks(s, k, lam, aht_out, patience, theta, states, Q, pi, tag, res)
            rows.append({
                "agents": s, "reserve": k, "load_ratio": ratio, "rate": lam,
                "aht_in": BL_AHT_IN, "aht_out": aht_out, "patience": patience, "target": BL_TARGET,
                **{key: enc(res[key]) for key in ("p_wait", "p_abandon", "service_level", "asa",
                                                  "mean_wait", "occupancy", "outbound_rate")},
            })
    rows.sort(key=lambda r: (r["agents"], r["reserve"], r["load_ratio"], r["aht_out"],
                             r["patience"] or 0))
    meta = {"description": module_doc_section("blend.json"),
            "encoding": "float(value) reads every value; patience null = no abandonment",
            "accuracy": "float64 computation, ~1e-13 relative (checked to 1e-9)",
            "dropped": "none (all grid cases are stable)"}
    return write_json("blend.json", meta, rows)


# ==========================================================================


def main():
    t0 = time.time()
    print("Erlang B ...")
    b_values, b_dropped = make_erlang_b()
    write_erlang_b(b_values, b_dropped)
    print(f"  ({time.time() - t0:.1f} s) Erlang C ...")
    make_erlang_c(b_values)
    print(f"  ({time.time() - t0:.1f} s) Erlang A ...")
    make_erlang_a()
    print(f"  ({time.time() - t0:.1f} s) blend CTMC ...")
    make_blend()
    print(f"Erlang B: continued fraction used instead of mpmath.gammainc for {FALLBACKS}")
    print(f"done in {time.time() - t0:.1f} s\n")
    print("self-checks: worst relative diff (values > 1000*atol where an atol is used), "
          "worst absolute diff, comparisons")
    for name, (worst_rel, worst_abs, count) in CHECKS.items():
        print(f"  {float(worst_rel):9.2e} {float(worst_abs):9.2e} {count:6d}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
