"""Simulation speed of blendsim against a plain SimPy model and Ciw, side by side in one run.

The system is M/M/c: 50 agents, 90% occupancy, exponential handle time with a 4-minute mean,
1,000,000 calls; and the same with exponential patience (mean 2 minutes, M/M/c+M).

* **blendsim**: ``blendsim.simulate(scenario, replications=1, seed=1)`` on a scenario file's
  worth of features (named random streams, the ACD with its routing policy, shifts, records
  of every contact turned into a DataFrame).
* **plain SimPy**: the model a competent SimPy user writes: a ``simpy.Resource`` for the
  agents and one process per call (``req | env.timeout(patience)`` for hang-ups), keeping
  each call's wait.
* **Ciw**: ``ciw.create_network`` with exponential arrivals, services (and reneging),
  ``simulate_until_max_customers(N, method="Arrive")``.

Each measurement runs in a fresh Python process, so that its peak memory (the process's
maximum resident set size, imports included) is its own; the memory the simulation itself
adds is shown beside it (peak minus the process's size after imports).  Every run also
reports P(wait) or P(abandon) against Erlang C / Erlang A, to show the three simulate the
same system.  This is a benchmark, not a test: nothing asserts on time.

Run from the repository root (peers installed as in benchmarks/README.md)::

    python benchmarks/bench_engine.py              # 1,000,000 calls each, a few minutes
    python benchmarks/bench_engine.py --quick      # 100,000 calls each
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import platform
import resource
import subprocess
import sys
import time

AGENTS, OCCUPANCY, AHT, PATIENCE = 50, 0.9, 240.0, 120.0
RATE = OCCUPANCY * AGENTS / AHT
GOAL_RATIO = 3.0
GOAL_MB = 300.0


def rss_mb() -> float:
    """Peak resident set size of this process so far, in MB.

    Read from /proc (VmHWM, reset when the process starts) where there is one: getrusage's
    ru_maxrss carries the parent's peak over into a child on Linux.
    """
    with contextlib.suppress(OSError):  # no /proc: fall back to getrusage
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_blendsim(calls: int, patience: bool) -> dict:
    import numpy as np

    import blendsim as bs

    hours = int(math.ceil(calls / RATE / 3600.0))
    close = hours * 3600.0
    sc = bs.Scenario(
        name="M/M/c", day=bs.Day(open_at=0.0, close_at=close, interval=3600.0),
        inbound=[bs.InboundType(name="calls", volume=[RATE * 3600.0] * hours,
                                handle_time=bs.Exponential(mean=AHT),
                                patience=bs.Exponential(mean=PATIENCE) if patience else None)],
        groups=[bs.AgentGroup(name="agents", skills=["calls"],
                              shifts=[bs.Shift(start_at=0.0, end_at=close, count=AGENTS)])])
    base = rss_mb()
    t = time.perf_counter()
    result = bs.simulate(sc, replications=1, seed=1)
    seconds = time.perf_counter() - t
    c = result.contacts
    outcome = c["outcome"].to_numpy()
    wait = c["wait"].to_numpy()
    queued = (outcome == "abandoned") | ((outcome == "served") & (wait > 0))
    return {"calls": len(c), "seconds": seconds, "base_mb": base, "peak_mb": rss_mb(),
            "p_wait": float(np.mean(queued)),
            "p_abandon": float(np.mean(outcome == "abandoned"))}


def run_simpy(calls: int, patience: bool) -> dict:
    import numpy as np
    import simpy

    rng = np.random.default_rng(1)
    gaps = rng.exponential(1.0 / RATE, calls).tolist()
    service = rng.exponential(AHT, calls).tolist()
    patience_of = rng.exponential(PATIENCE, calls).tolist() if patience else None
    base = rss_mb()
    t = time.perf_counter()
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    waits = []

    def call(env, i):
        arrived = env.now
        with agents.request() as req:
            if patience_of is None:
                yield req
            else:
                got = yield req | env.timeout(patience_of[i])
                if req not in got:
                    waits.append(-1.0)  # hung up
                    return
            waits.append(env.now - arrived)
            yield env.timeout(service[i])

    def source(env):
        for i in range(calls):
            yield env.timeout(gaps[i])
            env.process(call(env, i))

    env.process(source(env))
    env.run()
    seconds = time.perf_counter() - t
    w = np.asarray(waits)
    return {"calls": calls, "seconds": seconds, "base_mb": base, "peak_mb": rss_mb(),
            "p_wait": float(np.mean(w != 0)), "p_abandon": float(np.mean(w < 0))}


def run_ciw(calls: int, patience: bool) -> dict:
    import ciw

    kw = dict(arrival_distributions=[ciw.dists.Exponential(RATE)],
              service_distributions=[ciw.dists.Exponential(1.0 / AHT)],
              number_of_servers=[AGENTS])
    if patience:
        kw["reneging_time_distributions"] = [ciw.dists.Exponential(1.0 / PATIENCE)]
    network = ciw.create_network(**kw)
    ciw.seed(1)
    base = rss_mb()
    t = time.perf_counter()
    sim = ciw.Simulation(network)
    sim.simulate_until_max_customers(calls, method="Arrive")
    seconds = time.perf_counter() - t
    recs = sim.get_all_records()
    n = len(recs)
    reneged = sum(r.record_type == "renege" for r in recs)
    waited = sum(r.record_type == "renege" or r.waiting_time > 0 for r in recs)
    return {"calls": calls, "seconds": seconds, "base_mb": base, "peak_mb": rss_mb(),
            "p_wait": waited / n, "p_abandon": reneged / n}


RUNNERS = {"blendsim": run_blendsim, "plain SimPy": run_simpy, "Ciw": run_ciw}


def measure(name: str, calls: int, patience: bool) -> dict | None:
    """Run one measurement in a fresh interpreter; None if the library is missing."""
    code = (f"import json, sys; sys.path.insert(0, {str(__file__.rsplit('/', 1)[0])!r}); "
            f"import bench_engine as b; "
            f"print(json.dumps(b.RUNNERS[{name!r}]({calls}, {patience})))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["?"])[-1]
        if "ModuleNotFoundError" in last:
            return None
        raise RuntimeError(f"{name} failed: {last}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 calls each")
    args = parser.parse_args(argv)
    calls = 100_000 if args.quick else args.calls

    import numpy as np  # noqa: F401 - only to print versions
    import simpy

    import blendsim as bs

    try:
        import ciw
        ciw_version = ciw.__version__
    except ImportError:
        ciw_version = "not installed"
    print("blendsim engine vs a plain SimPy model and Ciw, one run")
    print(f"Python {platform.python_version()}, blendsim {bs.__version__}, simpy "
          f"{simpy.__version__}, ciw {ciw_version}; {platform.machine()} {platform.system()}")
    print(f"M/M/c: {AGENTS} agents, {OCCUPANCY:.0%} occupancy, exponential handle time mean "
          f"{AHT:g} s, {calls:,} calls; +M: exponential patience mean {PATIENCE:g} s")
    print("each run in a fresh process; memory = peak resident set size (imports included), "
          "and what the run added to the process after its imports\n")

    exact = {False: bs.erlang_c(AGENTS, RATE * AHT),
             True: bs.erlang_a(AGENTS, RATE, AHT, PATIENCE)}
    header = (f"{'model':7} {'library':12} {'calls':>10} {'seconds':>8} {'calls/s':>10} "
              f"{'vs SimPy':>9} {'peak MB':>8} {'added MB':>9}  check vs theory")
    print(header)
    print("-" * len(header))
    verdicts = []
    for patience in (False, True):
        model = "M/M/c+M" if patience else "M/M/c"
        rows = {}
        for name in RUNNERS:
            r = measure(name, calls, patience)
            if r is not None:
                rows[name] = r
        simpy_rate = rows["plain SimPy"]["calls"] / rows["plain SimPy"]["seconds"]
        for name, r in rows.items():
            rate = r["calls"] / r["seconds"]
            if patience:
                check = (f"P(abandon) {r['p_abandon']:.4f} (Erlang A "
                         f"{exact[True].p_abandon:.4f})")
            else:
                check = f"P(wait) {r['p_wait']:.4f} (Erlang C {exact[False]:.4f})"
            print(f"{model:7} {name:12} {r['calls']:>10,} {r['seconds']:>8.2f} {rate:>10,.0f} "
                  f"{rate / simpy_rate:>8.2f}x {r['peak_mb']:>8.0f} "
                  f"{r['peak_mb'] - r['base_mb']:>9.0f}  {check}")
        ours = rows["blendsim"]
        ratio = ours["calls"] / ours["seconds"] / simpy_rate
        verdicts.append((model, ratio, ours["peak_mb"], ours["peak_mb"] - ours["base_mb"]))
        print()
    print(f"goal: at least {GOAL_RATIO:g}x the plain SimPy model's throughput")
    for model, ratio, _, _ in verdicts:
        print(f"  {model:8} {ratio:.2f}x  {'met' if ratio >= GOAL_RATIO else 'NOT met'}")
    print(f"goal: peak memory under {GOAL_MB:g} MB for {calls:,} contacts")
    for model, _, peak, added in verdicts:
        print(f"  {model:8} {peak:.0f} MB peak ({added:.0f} MB added by the run)  "
              f"{'met' if peak < GOAL_MB else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
