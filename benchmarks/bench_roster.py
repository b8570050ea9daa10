"""Shift rostering speed of blendsim against pyworkforce, measured side by side in one run.

Both libraries choose how many agents work each allowed shift so that every interval has at
least the agents it needs, at the least cost: blendsim with
``blendsim.analytic.cover.integer_cover`` (SciPy's HiGHS branch and cut), pyworkforce with
``pyworkforce.scheduling.MinRequiredResources`` (OR-Tools CP-SAT).

The requirement is ``blendsim.experiment.staffing.analytic_start(scenario, "mol", target)``
(agents per interval for the scenario's own service target; Erlang A when callers abandon):

* the Anonymous Bank's blended day, ``scenarios/bank_blended.toml`` (07:00-24:00, 34 half
  hours, 3-10 agents, Erlang A with its 368 s patience);
* the US bank's weekday, ``scenarios/us_bank_weekday.toml`` (07:00-21:00, 28 half hours,
  62-236 agents, Erlang C).

The shifts are 4-, 6- and 8-hour shifts starting every 30 minutes within opening hours, the
8-hour ones with an unpaid 30-minute lunch 4 hours after the start (one fixed placement, which
pyworkforce's 0/1 shift coverage can express), at 20, 19 and 18 per paid hour.  Every shift
comes from ``candidate_shifts(templates, scenario.day)``; both solvers get the same coverage
matrix, requirement and costs.  pyworkforce gets one named shift per candidate, one day, its
costs in ``cost_dict`` (whole numbers, as it requires) and concurrency limits far above any
need, so they never bind.

To show how the time grows, each day is also solved on a 15-minute grid: starts every 15
minutes, each half hour's requirement in both of its quarters.  A 15-minute start on a
30-minute grid would cover half an interval, which pyworkforce cannot take (CP-SAT accepts only
whole coefficients); on the 15-minute grid every shift covers whole intervals, so both solvers
still solve the very same problem.

The script checks that both report an optimal roster, that each roster covers every interval,
that the cost each reports is the cost of its roster, and that the two optimal costs agree;
it prints a MISMATCH line with both numbers if they do not.

Timing follows ``timeit``: a call is run in a loop long enough to take about 0.2 s, the loop is
repeated five times with the garbage collector off, and the best loop gives the time per call.
blendsim's time is one ``integer_cover`` call; pyworkforce's is building
``MinRequiredResources(...)`` and calling ``.solve()``, which is where it builds its model.
Ratios are pyworkforce time / blendsim time from the same run.  This is a benchmark, not a
test: nothing here asserts on time.

Run from the repository root (see benchmarks/README.md)::

    python benchmarks/bench_roster.py            # full run
    python benchmarks/bench_roster.py --quick    # a few seconds, noisier
"""

from __future__ import annotations

import argparse
import gc
import math
import platform
import sys
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import scipy

import blendsim
from blendsim.analytic.cover import integer_cover
from blendsim.experiment.staffing import analytic_start
from blendsim.scenario.parts import Day
from blendsim.scenario.templates import BreakRule, ShiftTemplate, candidate_shifts

try:
    from pyworkforce.scheduling import MinRequiredResources
except ImportError:  # the comparison is optional; blendsim's own numbers still print
    MinRequiredResources = None

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
DAYS = (("bank", "bank_blended.toml"), ("US bank", "us_bank_weekday.toml"))
SHIFTS = ((4, 20.0), (6, 19.0), (8, 18.0))  # hours, cost per paid hour
LUNCH_AFTER, LUNCH = 4 * 3600.0, 1800.0  # on the 8-hour shifts, unpaid
PW_SEARCH_TIME = 120.0  # seconds CP-SAT may take per solve
PW_NO_LIMIT = 1_000_000  # max_period_concurrency / max_shift_concurrency: never binds
COST_RTOL = 1e-9


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
# the problems


@dataclass(frozen=True)
class Case:
    name: str
    coverage: np.ndarray  # shifts x intervals, 0/1
    cost: np.ndarray
    requirement: np.ndarray  # agents per interval, whole numbers


def templates(day: Day, step: float) -> list[ShiftTemplate]:
    """4-, 6- and 8-hour shifts starting every ``step`` seconds within opening hours."""
    lunch = (BreakRule(name="lunch", length=LUNCH, earliest=LUNCH_AFTER, latest=LUNCH_AFTER,
                       paid=False),)
    return [ShiftTemplate(name=f"{hours} hours", length=hours * 3600.0,
                          earliest_start=day.open_at, latest_start=day.close_at - hours * 3600.0,
                          start_step=step, breaks=lunch if hours == 8 else (),
                          cost_per_hour=per_hour, groups=["agents"])
            for hours, per_hour in SHIFTS]


def cases() -> list[Case]:
    """Each day on its own 30-minute grid, then on a 15-minute grid with 15-minute starts."""
    out = []
    for label, file in DAYS:
        scenario = blendsim.load_scenario(SCENARIOS / file)
        day = scenario.day
        need = analytic_start(scenario, "mol", scenario.service_target)
        fine = Day(open_at=day.open_at, close_at=day.close_at, interval=day.interval / 2)
        for grid, step, requirement in ((day, day.interval, need),
                                        (fine, fine.interval, np.repeat(need, 2))):
            cand = candidate_shifts(templates(grid, step), grid)
            out.append(Case(name=f"{label}, {step / 60:g}-min starts", coverage=cand.coverage,
                            cost=cand.cost, requirement=np.asarray(requirement)))
    return out


# --------------------------------------------------------------------------------------------
# the two solvers


def blendsim_solve(case: Case):
    return integer_cover(case.coverage, case.cost, case.requirement)


def pyworkforce_inputs(case: Case) -> dict:
    """The same problem in pyworkforce's terms: one named shift per column, whole numbers."""
    if not (np.isin(case.coverage, (0.0, 1.0)).all()
            and np.allclose(case.cost, np.round(case.cost))):
        raise SystemExit(f"{case.name}: pyworkforce needs 0/1 coverage and whole costs")
    names = [f"shift {k}" for k in range(len(case.cost))]
    return {"num_days": 1, "periods": int(case.requirement.size),
            "shifts_coverage": {n: [int(v) for v in row]
                                for n, row in zip(names, case.coverage, strict=True)},
            "required_resources": [[int(v) for v in case.requirement]],
            "max_period_concurrency": PW_NO_LIMIT, "max_shift_concurrency": PW_NO_LIMIT,
            "cost_dict": {n: int(round(c)) for n, c in zip(names, case.cost, strict=True)},
            "max_search_time": PW_SEARCH_TIME, "num_search_workers": 2}


def pyworkforce_solve(inputs: dict) -> dict:
    return MinRequiredResources(**inputs).solve()


def pyworkforce_counts(inputs: dict, solution: dict) -> np.ndarray:
    """Agents per shift, in the order of the coverage matrix's rows."""
    by_name = {r["shift"]: r["resources"] for r in solution["resources_shifts"]}
    return np.array([by_name.get(n, -1) for n in inputs["shifts_coverage"]], dtype=np.int64)


def problems_with(case: Case, counts: np.ndarray, reported_cost: float) -> list[str]:
    """What is wrong with a roster: an interval short, or a cost that is not its roster's."""
    out = []
    if (counts < 0).any():
        return ["no roster returned"]
    short = np.flatnonzero(case.coverage.T @ counts < case.requirement - 1e-9)
    if short.size:
        out.append(f"{short.size} intervals short (first #{short[0]})")
    own = float(case.cost @ counts)
    if not math.isclose(own, reported_cost, rel_tol=COST_RTOL):
        out.append(f"reports cost {reported_cost:g}, its roster costs {own:g}")
    return out


# --------------------------------------------------------------------------------------------
# main


def versions() -> str:
    parts = [f"Python {platform.python_version()}", f"blendsim {blendsim.__version__}",
             f"numpy {np.__version__}", f"scipy {scipy.__version__}"]
    for peer in ("pyworkforce", "ortools"):
        try:
            parts.append(f"{peer} {version(peer)}")
        except PackageNotFoundError:
            parts.append(f"{peer} not installed")
    return ", ".join(parts) + f"; {platform.machine()} {platform.system()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="short, noisier run (0.02 s per loop, best of 3)")
    args = parser.parse_args(argv)
    min_time, repeat = (0.02, 3) if args.quick else (0.2, 5)
    have_pw = MinRequiredResources is not None
    t_start = time.perf_counter()

    print("blendsim vs pyworkforce: the cheapest roster of shifts, one process, one run")
    print(versions())
    print(f"timing: time.perf_counter, loop grown to >= {min_time} s, best of {repeat}, "
          "gc off; per solve")
    print("shifts: 4, 6 and 8 hours within opening hours at 20, 19 and 18 per paid hour; "
          "8-hour shifts with an unpaid 30-minute lunch 4 h after the start")
    print("requirement: analytic_start(scenario, 'mol', scenario.service_target); on the "
          "15-minute grid each half hour's need in both quarters")
    if not have_pw:
        print("NOTE: pyworkforce is not importable (pip install -r benchmarks/requirements.txt);"
              " printing blendsim's numbers only.")
    print()

    rows, notes = [], []
    for case in cases():
        bs = blendsim_solve(case)
        bs_t = time_per_call(lambda c=case: blendsim_solve(c), min_time=min_time,
                             repeat=repeat)
        row = {"case": case, "bs": bs, "bs_t": bs_t, "pw": None, "pw_t": None, "pw_cost": None}
        notes += [f"{case.name}: blendsim {p}"
                  for p in problems_with(case, bs.counts, bs.cost)]
        if bs.status != "optimal":
            notes.append(f"{case.name}: blendsim status {bs.status}")
        if have_pw:
            inputs = pyworkforce_inputs(case)
            pw = pyworkforce_solve(inputs)
            counts = pyworkforce_counts(inputs, pw)
            row.update(pw=pw, pw_counts=counts, pw_cost=float(pw["cost"]))
            notes += [f"{case.name}: pyworkforce {p}"
                      for p in problems_with(case, counts, float(pw["cost"]))]
            if pw["status"] != "OPTIMAL":
                notes.append(f"{case.name}: pyworkforce status {pw['status']}")
            if not math.isclose(bs.cost, row["pw_cost"], rel_tol=COST_RTOL):
                notes.append(f"MISMATCH {case.name}: blendsim cost {bs.cost:g}, pyworkforce "
                             f"cost {row['pw_cost']:g}")
            row["pw_t"] = time_per_call(lambda i=inputs: pyworkforce_solve(i),
                                        min_time=min_time, repeat=repeat)
        rows.append(row)

    print("| case | intervals | agents needed | shifts allowed | optimal cost | shifts posted "
          "(bs / pw) | blendsim | pyworkforce | pw / bs |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        case, bs = r["case"], r["bs"]
        cost = f"{bs.cost:,.0f}"
        if r["pw_cost"] is not None and not math.isclose(bs.cost, r["pw_cost"],
                                                         rel_tol=COST_RTOL):
            cost += f" / {r['pw_cost']:,.0f}"
        posted = f"{int(bs.counts.sum()):,}"
        posted += f" / {int(r['pw_counts'].sum()):,}" if r["pw"] is not None else " / n/a"
        ratio = f"{r['pw_t'] / r['bs_t']:.1f}x" if r["pw_t"] is not None else "n/a"
        print(f"| {case.name} | {case.requirement.size} | {int(case.requirement.min())}-"
              f"{int(case.requirement.max())} | {len(case.cost):,} | {cost} | {posted} | "
              f"{fmt_time(r['bs_t']).strip()} | {fmt_time(r['pw_t']).strip()} | {ratio} |")
    print()
    if have_pw:
        statuses = sorted({f"blendsim {r['bs'].status}, pyworkforce {r['pw']['status']}"
                           for r in rows})
        print("statuses: " + "; ".join(statuses))
    if notes:
        print("\n".join(notes))
    elif have_pw:
        print("both optimal on every case, each roster covers every interval, and the "
              "optimal costs agree")
    print()
    simulation_loop(args.quick)
    print()
    print(f"total run time {time.perf_counter() - t_start:.1f} s")
    return 0


def simulation_loop(quick: bool) -> None:
    """The roster by simulation on the bank's day with its own templates
    (scenarios/bank_shifts.toml): wall time serially and on a 2-process pool, the same
    roster on both, and the costs and fresh-day misses of the two-step roster against it."""
    from blendsim.experiment.roster import roster_by_simulation
    from blendsim.scenario.model import load_scenario
    from blendsim.scenario.templates import load_shift_templates

    root = Path(__file__).resolve().parent.parent
    sc = load_scenario(root / "scenarios" / "bank_blended.toml")
    shifts = load_shift_templates(root / "scenarios" / "bank_shifts.toml")
    reps = 4 if quick else 20
    print(f"roster by simulation: the bank's day, scenarios/bank_shifts.toml, seed 1, "
          f"{reps} replications to begin with (x4 at most), confirmed on seed 1,000,004")
    print("| goal | backend | seconds | iterations | replications simulated | cost | "
          "two-step cost | below 80% (two-step) | missed for sure (two-step) | "
          "conversations [95% CI] |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for goal in (None, 150):
        found = {}
        for backend in ("serial", "pool"):
            started = time.perf_counter()
            plan = roster_by_simulation(sc, shifts, outreach=goal, seed=1, replications=reps,
                                        curve_steps=0, backend=backend, workers=2, quiet=True)
            seconds = time.perf_counter() - started
            found[backend] = plan
            simulated = int(plan.history["replications"].sum()) + 2 * plan.replications
            j, t = plan.judgement, plan.two_step_judgement
            conv = "-"
            if len(plan.conversations):
                c = plan.conversations.iloc[0]
                conv = f"{c.conversations:.1f} [{c.ci_low:.1f}, {c.ci_high:.1f}]"
            print(f"| {goal or '-'} | {backend} | {seconds:.1f} | {plan.iterations} | "
                  f"{simulated:,} | {plan.roster.cost:,.0f} | {plan.two_step.cost:,.0f} | "
                  f"{j.below} ({t.below}) | {j.missed} ({t.missed}) | {conv} |")
        same = found["serial"].roster.shifts.equals(found["pool"].roster.shifts)
        print(f"goal {goal or 'none'}: serial and pool rosters "
              f"{'identical' if same else 'DIFFER'}")


if __name__ == "__main__":
    sys.exit(main())
