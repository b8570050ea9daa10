"""Staffing by simulation against the analytic rules, and its cost serially and on the pool.

Two days, measured side by side in one run on this machine:

* the Anonymous Bank's blended day (``scenarios/bank_blended.toml``): the ``inbound team`` is
  staffed, the blended team keeps its head count; callers abandon (exponential patience,
  368 s mean), so the analytic rules use Erlang A with that patience, and the blended team's
  agents of each interval are taken off the analytic requirement (clipped at 0) to give the
  inbound team's;
* the US bank's weekday (``scenarios/us_bank_weekday.toml`` with its forecast
  ``scenarios/us_bank_weekday.csv``): one group, ``agents``, no abandonment (Erlang C).

For each day:

1. ``staff_by_simulation`` runs serially and on the process pool (2 workers) with the same
   seed; the script checks the two give identical head counts and prints the wall time, the
   evaluations, the replications simulated (every evaluation's plus the confirmation's), the
   replications per second and the serial / pool ratio.  The pool is started and warmed up
   before timing.
2. SIPP, lagged SIPP, the modified offered load (MOL) and the simulation's staffing are each
   judged on days none of them was tuned on: seed 2 for the analytic rules, the search's
   confirming seed for the simulation's staffing, and the simulation's staffing again on
   seed 2 (like for like with the rules).  Printed: agent-hours of the staffed group, the
   intervals whose mean service level (the mean over days of the interval's daily ratio)
   is below 80%, those missed for sure (the whole 95% interval below), and the worst
   interval with its service level.

This is a benchmark, not a test: nothing asserts on time.

    python benchmarks/bench_staffing.py            # a few minutes on 2 cores
    python benchmarks/bench_staffing.py --quick    # a smoke check: few replications
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
WORKERS = 2
FRESH_SEED = 2
RULES = (("SIPP", "sipp"), ("lagged SIPP", "lag"), ("MOL", "mol"))


def timed(fn):
    """``fn()`` and its wall-clock time in seconds."""
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def bank_day():
    """The blended bank: its scenario, forecast, analytic targets and fixed agents."""
    import blendsim as bs

    sc = bs.load_scenario(SCENARIOS / "bank_blended.toml")
    day = sc.day
    calls = sc.inbound[0]
    forecast = {"interval_start": day.interval_labels(),
                "calls": calls.expected_calls(day.interval, day),
                "aht": [calls.handle_time.mean] * day.n_intervals}
    fixed = list(sc.group("blended team").headcount)
    return {"name": "Anonymous Bank, blended", "scenario": sc, "group": "inbound team",
            "forecast": forecast, "analytic": {"model": "erlang_a",
                                               "patience": calls.patience.mean},
            "mol": {"handle_cv": calls.handle_time.cv}, "fixed": fixed,
            "note": ("staffed group: inbound team; the blended team (6 agents 10:00-17:00) "
                     "is fixed.\nAnalytic rules: Erlang A, patience 368 s (MOL with the "
                     "lognormal handle CV 1.25); the blended team's\nhead count per "
                     "interval is subtracted from the requirement (clipped at 0) to give "
                     "the inbound team's.")}


def us_bank_day():
    """The US bank's weekday: its scenario and forecast, Erlang C, one group."""
    import blendsim as bs
    from blendsim.analytic import read_forecast

    sc = bs.load_scenario(SCENARIOS / "us_bank_weekday.toml")
    forecast = read_forecast(SCENARIOS / "us_bank_weekday.csv").table
    return {"name": "US bank, a weekday", "scenario": sc, "group": "agents",
            "forecast": forecast, "analytic": {}, "mol": {},
            "fixed": [0] * sc.day.n_intervals,
            "note": ("staffed group: agents (the only one).  Analytic rules: Erlang C, "
                     "forecast scenarios/us_bank_weekday.csv.")}


def analytic_headcount(day: dict, method: str) -> list[int]:
    """The staffed group's agents per interval under an analytic rule."""
    import blendsim as bs

    target = day["scenario"].service_target
    kw = dict(day["analytic"], **(day["mol"] if method == "mol" else {}))
    table = bs.time_varying_staffing(day["forecast"], interval=day["scenario"].day.interval,
                                     method=method, target_sl=target.level,
                                     target_time=target.seconds, **kw)
    need = table["agents"].to_numpy()
    return [max(int(a) - int(f), 0) for a, f in zip(need, day["fixed"], strict=True)]


def with_headcount(sc, group: str, headcount: list[int]):
    """``sc`` with ``group`` on ``headcount`` (its shifts, if any, replaced)."""
    from dataclasses import replace

    groups = tuple(replace(g, headcount=tuple(headcount), shifts=None) if g.name == group
                   else g for g in sc.groups)
    return sc.replace(groups=groups)


def judged(sc, seed: int, replications: int, backend: str):
    """Every-interval judgement of ``sc`` on ``seed`` (daily estimator)."""
    import blendsim as bs

    result = bs.simulate(sc, replications=replications, seed=seed, backend=backend,
                         workers=WORKERS if backend == "pool" else None, quiet=True)
    return result.judgement("every_interval", estimator="daily")


def time_search(day: dict, args) -> object:
    """Part 1: the search serially and on the pool, same seed; returns the pool's plan."""
    import blendsim as bs

    sc = day["scenario"]
    plans, seconds = {}, {}
    for backend in ("serial", "pool"):
        plans[backend], seconds[backend] = timed(lambda backend=backend: bs.staff_by_simulation(
            sc, replications=args.replications, seed=args.seed, backend=backend,
            workers=WORKERS if backend == "pool" else None, quiet=True))
    serial, pool = plans["serial"], plans["pool"]
    same = serial.headcount.equals(pool.headcount)
    print(f"staff_by_simulation(replications={args.replications}, seed={args.seed}): "
          f"serial and pool ({WORKERS} workers) head counts identical: "
          f"{'yes' if same else 'NO'}")
    print(f"{'backend':8} {'seconds':>8} {'evaluations':>12} {'replications':>13} "
          f"{'reps/s':>8} {'vs serial':>10}")
    for backend, plan in plans.items():
        reps = int(plan.history["replications"].sum()) + plan.replications
        t = seconds[backend]
        print(f"{backend:8} {t:>8.1f} {plan.iterations:>12} {reps:>13} {reps / t:>8.1f} "
              f"{seconds['serial'] / t:>9.2f}x")
    print(f"search: {pool.summary().splitlines()[1]}")
    print(f"confirmation ({pool.replications} replications): {pool.summary().splitlines()[2]}")
    return pool


def compare(day: dict, plan, args) -> None:
    """Part 2: the rules and the simulation's staffing judged on fresh days."""
    sc = day["scenario"]
    group = day["group"]
    hours = sc.day.interval / 3600.0
    reps = args.check_replications
    rows = []
    for label, method in RULES:
        hc = analytic_headcount(day, method)
        rows.append((label, FRESH_SEED, sum(hc) * hours,
                     judged(with_headcount(sc, group, hc), FRESH_SEED, reps, "pool")))
    staffed = plan.scenario
    for seed in (plan.confirm_seed, FRESH_SEED):
        rows.append(("simulation", seed, plan.agent_hours(), judged(staffed, seed, reps,
                                                                   "pool")))
    print(f"\n{'staffing':12} {'seed':>8} {'agent-hours':>12} {'below 80%':>10} "
          f"{'missed':>7} {'worst':>6} {'its SL':>7}   ({reps} replications, "
          f"of {rows[0][3].judged} intervals with calls)")
    for label, seed, agent_hours, j in rows:
        worst = j.worst if j.worst is not None else "-"
        print(f"{label:12} {seed:>8} {agent_hours:>12.1f} {j.below:>10} {j.missed:>7} "
              f"{worst:>6} {j.worst_service_level:>7.1%}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=None,
                        help="replications per evaluation to begin with (default 20; "
                             "--quick 4)")
    parser.add_argument("--seed", type=int, default=1, help="the search's seed (default 1)")
    parser.add_argument("--quick", action="store_true",
                        help="few replications, for a smoke check")
    args = parser.parse_args(argv)
    if args.replications is None:
        args.replications = 4 if args.quick else 20
    args.check_replications = 8 if args.quick else 40

    import blendsim as bs

    print("blendsim staffing by simulation against SIPP, lagged SIPP and MOL, one run")
    print(f"Python {platform.python_version()}, blendsim {bs.__version__}, "
          f"{os.cpu_count()} cores, {platform.machine()} {platform.system()}")
    days = (bank_day(), us_bank_day())
    # Warm up: start the pool and import everything in its workers.
    bs.simulate(days[0]["scenario"], replications=WORKERS, seed=0, backend="pool",
                workers=WORKERS, quiet=True)
    for day in days:
        print(f"\n== {day['name']} ==")
        print(day["note"])
        plan = time_search(day, args)
        compare(day, plan, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
