"""Erlang C speed of blendsim against pyworkforce, measured side by side in one run.

For 10, 100, 1,000, 5,000 and 20,000 agents this times one call of

* ``erlang_c``        P(wait) at the required staffing, vs ``ErlangC.waiting_probability``;
* ``service_level``   P(wait <= 20 s) at the required staffing, vs ``ErlangC.service_level``;
* ``required_agents`` the fewest agents meeting 80/20, vs ``ErlangC(...).required_positions``;

and a 96-interval staffing table at 1,000-agent scale (``blendsim.staffing_table`` vs a loop of
``ErlangC(...).required_positions``, which is what a pyworkforce user writes).

Both libraries get the same inputs.  blendsim is called in seconds (AHT 240 s, target 20 s,
30-minute intervals); pyworkforce takes minutes (``aht=4``, ``asa=1/3`` -- its "asa" is the
service-level target time -- ``interval=30``) and calls per interval.  For P(wait) and the
service level both get the very same float load: pyworkforce's ``intensity``.  The call volume
of each size is chosen with blendsim so that 80/20 needs exactly that many agents (the middle
of the range of call volumes that do), and the script checks that pyworkforce needs the same.

Timing follows ``timeit``: a callable is run in a loop long enough to take about 0.2 s, the loop
is repeated five times with the garbage collector off, and the best loop gives the time per
call.  Ratios are pyworkforce time / blendsim time from the same run; numbers from different
runs or machines are not comparable.  This is a benchmark, not a test: nothing here asserts on
time.

Run from the repository root (see benchmarks/README.md)::

    python benchmarks/bench_erlang.py            # full run, about a minute
    python benchmarks/bench_erlang.py --quick    # a few seconds, noisier
"""

from __future__ import annotations

import argparse
import gc
import math
import platform
import sys
import time
from importlib.metadata import PackageNotFoundError, version

import numpy as np
import pandas as pd

import blendsim

try:
    from pyworkforce.queuing import ErlangC
except ImportError:  # the comparison is optional; blendsim's own numbers still print
    ErlangC = None

try:
    import mpmath
except ImportError:  # only used to say which library is closer when they differ
    mpmath = None

SIZES = (10, 100, 1_000, 5_000, 20_000)
GOAL_SIZES = (1_000, 5_000, 20_000)  # "required_agents >= 100x faster from 1,000 agents up"
GOAL_RATIO = 100.0
TABLE_GOAL_MS = 5.0  # what "a few ms" is taken to mean for the 96-interval table
TABLE_SCALE = 1_000
N_INTERVALS = 96

# One scenario, in blendsim's units (seconds) and in pyworkforce's (minutes).
AHT_S, TARGET_S, INTERVAL_S, TARGET_SL = 240.0, 20.0, 1800.0, 0.8
AHT_MIN, TARGET_MIN, INTERVAL_MIN = AHT_S / 60.0, TARGET_S / 60.0, INTERVAL_S / 60.0

AGREE_RTOL = 1e-9


# --------------------------------------------------------------------------------------------
# timing


def time_per_call(fn, *, min_time: float, repeat: int) -> float:
    """Best time per call of ``fn()`` in seconds, timeit style (adaptive loop, best of repeat).

    The loop count grows 1, 2, 5, 10, 20, 50... until one loop takes ``min_time``; a call that
    is slow on its own is therefore run only a few times.
    """
    number = 1
    while True:
        elapsed = _loop(fn, number)
        if elapsed >= min_time:
            break
        number = _next_count(number)
    best = elapsed
    for _ in range(repeat - 1):
        best = min(best, _loop(fn, number))
    return best / number


def _next_count(number: int) -> int:
    """The next of 1, 2, 5, 10, 20, 50, ... (the counts timeit.autorange tries)."""
    digits = 10 ** int(math.log10(number))
    lead = number // digits
    return {1: 2, 2: 5, 5: 10}[lead] * digits


def _loop(fn, number: int) -> float:
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        return time.perf_counter() - start
    finally:
        if gc_was_on:
            gc.enable()


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:7.2f} {unit}"
    return f"{seconds / 1e-9:7.1f} ns"


# --------------------------------------------------------------------------------------------
# scenario


def blendsim_agents(calls: float) -> int:
    return blendsim.required_agents(calls / INTERVAL_S, AHT_S, target_sl=TARGET_SL,
                                    target_time=TARGET_S).agents


def calls_for(agents: int) -> int:
    """Calls per 30 minutes for which 80/20 needs exactly ``agents`` (mid-range), by bisection.

    One more call adds 0.13 Erlang, so every agent count is reached by a range of volumes;
    the middle of that range keeps the service level away from the target, where the last
    bits of two implementations could decide differently.
    """

    def first_needing(n: int) -> int:  # smallest call volume needing >= n agents
        lo, hi = 1, 1
        while blendsim_agents(hi) < n:
            lo, hi = hi, 2 * hi
        while lo < hi:
            mid = (lo + hi) // 2
            if blendsim_agents(mid) >= n:
                hi = mid
            else:
                lo = mid + 1
        return lo

    first, past = first_needing(agents), first_needing(agents + 1)
    calls = (first + past - 1) // 2
    assert blendsim_agents(calls) == agents
    return calls


def pyworkforce_load(calls: float) -> float:
    """Offered load in Erlangs as pyworkforce computes it (``transactions/interval*aht``)."""
    return (calls / INTERVAL_MIN) * AHT_MIN


def table_calls(calls_at_scale: int) -> list[int]:
    """A day of 96 half-hours swinging +-10 % around the 1,000-agent volume."""
    return [round(calls_at_scale * (1.0 + 0.1 * math.sin(2.0 * math.pi * i / N_INTERVALS)))
            for i in range(N_INTERVALS)]


def pw_required(calls: float) -> int:
    e = ErlangC(transactions=calls, aht=AHT_MIN, asa=TARGET_MIN, interval=INTERVAL_MIN)
    return e.required_positions(TARGET_SL)["raw_positions"]


def pw_table(calls: list[int]) -> list[int]:
    return [pw_required(c) for c in calls]


# --------------------------------------------------------------------------------------------
# accuracy


def call_safely(fn):
    """``fn()``, or the exception/NaN it gave as text: pyworkforce's failures are reported."""
    try:
        value = fn()
    except (OverflowError, ZeroDivisionError, ValueError) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    if isinstance(value, float) and not math.isfinite(value):
        return None, f"returned {value}"
    return value, None


def reference(agents: int, load: float) -> tuple[float, float] | None:
    """(P(wait), service level) with 40 significant digits, from Erlang B's recurrence."""
    if mpmath is None:
        return None
    with mpmath.workdps(40):
        a = mpmath.mpf(load)  # the exact binary value both libraries were given
        b = mpmath.mpf(1)
        for k in range(1, agents + 1):
            b = a * b / (k + a * b)
        s = mpmath.mpf(agents)
        c = s * b / (s - a + a * b)
        sl = 1 - c * mpmath.exp(-(s - a) * mpmath.mpf(TARGET_S) / mpmath.mpf(AHT_S))
        return float(c), float(sl)


def rel_diff(x: float, y: float) -> float:
    return abs(x - y) / max(abs(x), abs(y), 1e-300)


# --------------------------------------------------------------------------------------------
# main


def versions() -> str:
    parts = [f"Python {platform.python_version()}", f"blendsim {blendsim.__version__}",
             f"numpy {np.__version__}", f"pandas {pd.__version__}"]
    try:
        parts.append(f"pyworkforce {version('pyworkforce')}")
    except PackageNotFoundError:
        parts.append("pyworkforce not installed")
    return ", ".join(parts) + f"; {platform.machine()} {platform.system()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="short, noisier run (0.02 s per loop, best of 3)")
    args = parser.parse_args(argv)
    min_time, repeat = (0.02, 3) if args.quick else (0.2, 5)
    have_pw = ErlangC is not None
    t_start = time.perf_counter()

    print("blendsim vs pyworkforce: Erlang C, one process, one run")
    print(versions())
    print(f"timing: time.perf_counter, loop grown to >= {min_time} s, best of {repeat}, "
          "gc off; per call")
    print(f"scenario: 80/{TARGET_S:g} s target, AHT {AHT_S:g} s, {INTERVAL_S / 60:g}-min "
          f"intervals (pyworkforce: aht={AHT_MIN:g}, asa={TARGET_MIN:.6g}, "
          f"interval={INTERVAL_MIN:g} min)")
    if not have_pw:
        print("NOTE: pyworkforce is not importable (pip install -r benchmarks/requirements.txt);"
              " printing blendsim's numbers only.")
    print()

    # ---- inputs and agreement ---------------------------------------------------------------
    cases = []
    print("inputs (call volume chosen so that 80/20 needs exactly that many agents) and "
          "agreement")
    header = (f"{'agents':>7} {'calls/30min':>11} {'load (Erl)':>12} {'pw agents':>9} "
              f"{'P(wait)':>9} {'SL':>8} {'rel diff P(wait)':>16} {'rel diff SL':>11}")
    if mpmath is not None:
        header += f"  {'mpmath err P(wait) bs|pw':>24} {'mpmath err SL bs|pw':>19}"
    print(header)
    problems = []
    for n in SIZES:
        calls = calls_for(n)
        load = pyworkforce_load(calls)
        bs_c = blendsim.erlang_c(n, load)
        bs_sl = blendsim.service_level(n, load, AHT_S, TARGET_S)
        case = {"n": n, "calls": calls, "load": load, "pw": None}
        line = f"{n:>7,} {calls:>11,} {load:>12.4f} "
        if have_pw:
            e = ErlangC(transactions=calls, aht=AHT_MIN, asa=TARGET_MIN, interval=INTERVAL_MIN)
            case["pw"] = e
            pw_n, err_n = call_safely(lambda: pw_required(calls))  # noqa: B023
            pw_c, err_c = call_safely(lambda: e.waiting_probability(n))  # noqa: B023
            pw_sl, err_sl = call_safely(lambda: e.service_level(n))  # noqa: B023
            line += f"{pw_n if pw_n is not None else 'fail':>9} {bs_c:>9.6f} {bs_sl:>8.6f} "
            for name, err in (("required_positions", err_n), ("waiting_probability", err_c),
                              ("service_level", err_sl)):
                if err:
                    problems.append(f"{n:,} agents: pyworkforce {name} -> {err}")
            if pw_n is not None and pw_n != n:
                problems.append(f"{n:,} agents: pyworkforce needs {pw_n} agents, blendsim {n}")
            d_c = rel_diff(bs_c, pw_c) if pw_c is not None else None
            d_sl = rel_diff(bs_sl, pw_sl) if pw_sl is not None else None
            line += (f"{d_c:>16.1e} " if d_c is not None else f"{'n/a':>16} ")
            line += (f"{d_sl:>11.1e}" if d_sl is not None else f"{'n/a':>11}")
            for what, d in (("P(wait)", d_c), ("service level", d_sl)):
                if d is not None and d > AGREE_RTOL:
                    problems.append(f"{n:,} agents: {what} differs by {d:.1e} (relative)")
        else:
            line += f"{'n/a':>9} {bs_c:>9.6f} {bs_sl:>8.6f} {'n/a':>16} {'n/a':>11}"
            pw_c = pw_sl = None
        ref = reference(n, load)
        if ref is not None:
            pairs = [(bs_c, pw_c, ref[0], 24), (bs_sl, pw_sl, ref[1], 19)]
            line += " "
            for bs_v, pw_v, ref_v, width in pairs:
                pw_err = "n/a" if pw_v is None else f"{rel_diff(pw_v, ref_v):.0e}"
                line += f" {f'{rel_diff(bs_v, ref_v):.0e}|{pw_err}':>{width}}"
        print(line)
        cases.append(case)
    if have_pw:
        if problems:
            print("disagreements / pyworkforce failures:")
            for p in problems:
                print("  " + p)
        else:
            print(f"both libraries give the same agent counts; P(wait) and SL agree to "
                  f"{AGREE_RTOL:.0e} (relative) at every size; pyworkforce raised nothing and "
                  "returned no NaN/inf")
    print()

    # ---- timings ----------------------------------------------------------------------------
    rows = []  # (operation, agents, blendsim s, pyworkforce s or None)
    for case in cases:
        n, calls, load, e = case["n"], case["calls"], case["load"], case["pw"]
        rate = calls / INTERVAL_S
        ops = [
            ("erlang_c", lambda: blendsim.erlang_c(n, load),  # noqa: B023
             (lambda: e.waiting_probability(n)) if e else None),  # noqa: B023
            ("service_level", lambda: blendsim.service_level(n, load, AHT_S, TARGET_S),  # noqa: B023
             (lambda: e.service_level(n)) if e else None),  # noqa: B023
            ("required_agents",
             lambda: blendsim.required_agents(rate, AHT_S, target_sl=TARGET_SL,  # noqa: B023
                                              target_time=TARGET_S),
             (lambda: pw_required(calls)) if e else None),  # noqa: B023
        ]
        for name, bs_fn, pw_fn in ops:
            bs_t = time_per_call(bs_fn, min_time=min_time, repeat=repeat)
            pw_t = None
            if pw_fn is not None:
                ok = call_safely(pw_fn)[1] is None
                pw_t = time_per_call(pw_fn, min_time=min_time, repeat=repeat) if ok else None
            rows.append((name, n, bs_t, pw_t))

    # 96-interval day at 1,000-agent scale
    day_calls = table_calls(next(c["calls"] for c in cases if c["n"] == TABLE_SCALE))
    forecast = pd.DataFrame({"interval_start": pd.timedelta_range("0h", periods=N_INTERVALS,
                                                                  freq="30min"),
                             "calls": day_calls, "aht": AHT_S})

    def bs_table():
        return blendsim.staffing_table(forecast, interval=INTERVAL_S, target_sl=TARGET_SL,
                                       target_time=TARGET_S)

    bs_agents = bs_table()["agents"].tolist()
    table_note = (f"table: {N_INTERVALS} intervals of {min(day_calls):,}-{max(day_calls):,} "
                  f"calls/30 min, {min(bs_agents):,}-{max(bs_agents):,} agents "
                  f"({sum(bs_agents):,} agent-intervals)")
    bs_t = time_per_call(bs_table, min_time=min_time, repeat=repeat)
    pw_t = None
    if have_pw:
        pw_agents = pw_table(day_calls)
        diff = [i for i, (x, y) in enumerate(zip(bs_agents, pw_agents, strict=True)) if x != y]
        table_note += ("; pyworkforce agrees on every interval" if not diff else
                       f"; pyworkforce DIFFERS on {len(diff)} intervals (first: #{diff[0]}, "
                       f"{bs_agents[diff[0]]} vs {pw_agents[diff[0]]})")
        pw_t = time_per_call(lambda: pw_table(day_calls), min_time=min_time, repeat=repeat)
    rows.append((f"staffing_table x{N_INTERVALS}", TABLE_SCALE, bs_t, pw_t))

    print(f"{'operation':<20} {'agents':>7} {'blendsim':>12} {'pyworkforce':>12} "
          f"{'ratio pw/bs':>12}")
    print("-" * 67)
    for name, n, b, p in rows:
        ratio = f"{p / b:11.1f}x" if p is not None else f"{'n/a':>12}"
        print(f"{name:<20} {n:>7,} {fmt_time(b):>12} {fmt_time(p):>12} {ratio}")
    print(table_note)
    if have_pw:
        print("pyworkforce's P(wait) and SL calls reuse one prebuilt ErlangC object; its "
              "required_agents and table timings build ErlangC(...) per question, as a user "
              "does.")
    print()

    # ---- goals ------------------------------------------------------------------------------
    print(f"goal: required_agents >= {GOAL_RATIO:g}x faster than pyworkforce from 1,000 "
          "agents up")
    for name, n, b, p in rows:
        if name == "required_agents" and n in GOAL_SIZES:
            if p is None:
                print(f"  {n:>6,} agents: not measured (pyworkforce unavailable)")
            else:
                verdict = "met" if p / b >= GOAL_RATIO else "NOT met"
                print(f"  {n:>6,} agents: {p / b:8.1f}x  {verdict}")
    table_ms = rows[-1][2] * 1e3
    verdict = "met" if table_ms <= TABLE_GOAL_MS else "NOT met"
    print(f"goal: {N_INTERVALS}-interval table at 1,000-agent scale in a few ms "
          f"(taken as <= {TABLE_GOAL_MS:g} ms)")
    print(f"  blendsim.staffing_table: {table_ms:.2f} ms  {verdict}")
    print()
    print(f"total run time {time.perf_counter() - t_start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
