"""Replications per second: serial, the local process pool and a local Dask cluster.

Measured side by side in one run on this machine:

* ``simulate`` of the blended bank example (each replication returns its full records);
* ``sweep`` over reserves of the same scenario (each replication returns its day's figures);
* the Dask local cluster's overhead per task, from tasks that do nothing.

The pool is started (and the Dask cluster too) before timing, as in a session that runs
several experiments.  The Dask cluster runs only while Dask is measured, so that its idle
processes do not take CPU from the others.  Goal: the pool at least 1.7x serial on 2 cores.
This is a benchmark, not a test: nothing asserts on time.

    python benchmarks/bench_scale.py            # about a minute
    python benchmarks/bench_scale.py --quick
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

GOAL = 1.7
ROOT = Path(__file__).resolve().parents[1]


def noop(x):
    return x


def timed(fn, repeat: int = 1) -> float:
    """The best of ``repeat`` wall-clock timings of ``fn()``, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)

    import blendsim as bs
    from blendsim.experiment.backends import run_tasks

    sc = bs.load_scenario(ROOT / "scenarios" / "bank_blended.toml")
    reps = 16 if args.quick else 60
    cores = os.cpu_count() or 1
    print("blendsim backends: replications per second, one run")
    print(f"Python {platform.python_version()}, blendsim {bs.__version__}, {cores} cores, "
          f"{platform.machine()} {platform.system()}")
    print(f"workload: {sc.name} ({reps} replications per measurement, "
          f"best of {1 if args.quick else 3} runs)\n")

    jobs = (
        ("simulate", lambda **kw: bs.simulate(sc, replications=reps, seed=1, quiet=True, **kw)),
        ("sweep", lambda **kw: bs.sweep(sc, {"reserve": list(range(reps // 10))},
                                        replications=10, seed=1, quiet=True, **kw)),
    )
    # Warm up: start the pool, import everything in the workers, fill caches.
    bs.simulate(sc, replications=cores, seed=0, backend="pool", quiet=True)
    bs.simulate(sc, replications=2, seed=0, backend="serial", quiet=True)
    repeat = 1 if args.quick else 3
    times = {what: {"serial": timed(lambda run=run: run(backend="serial"), repeat),
                    "pool": timed(lambda run=run: run(backend="pool"), repeat)}
             for what, run in jobs}

    # The Dask cluster runs only while Dask is measured: its idle processes take CPU too.
    try:
        from dask.distributed import LocalCluster
        cluster = LocalCluster(n_workers=cores, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None)
        address = cluster.scheduler_address
    except ImportError:
        cluster, address = None, None
    if address:
        bs.simulate(sc, replications=cores, seed=0, backend="dask", scheduler=address,
                    quiet=True)
        for what, run in jobs:
            times[what]["dask"] = timed(lambda run=run: run(backend="dask", scheduler=address),
                                        repeat)
    dask_overhead = None
    if address:
        n = 200 if args.quick else 1000
        t = timed(lambda: list(run_tasks(noop, [(i,) for i in range(n)], backend="dask",
                                         scheduler=address, quiet=True)))
        dask_overhead = (1000 * t / n, n)
        cluster.close()
    n = 200 if args.quick else 1000
    t = timed(lambda: list(run_tasks(noop, [(i,) for i in range(n)], backend="pool",
                                     quiet=True)))
    pool_overhead = 1000 * t / n

    print(f"{'job':9} {'backend':8} {'seconds':>8} {'reps/s':>8} {'vs serial':>10}")
    for what, by_backend in times.items():
        for backend, t in by_backend.items():
            n = reps if what == "simulate" else (reps // 10) * 10
            print(f"{what:9} {backend:8} {t:>8.2f} {n / t:>8.1f} "
                  f"{by_backend['serial'] / t:>9.2f}x")
    print()
    if dask_overhead:
        print(f"Dask local cluster: {dask_overhead[0]:.2f} ms overhead per task "
              f"({dask_overhead[1]} tasks that do nothing)")
    else:
        print("Dask is not installed: pip install 'blendsim[dask]' to measure it")
    print(f"process pool:       {pool_overhead:.2f} ms overhead per task")
    print()
    for what, by_backend in times.items():
        ratio = by_backend["serial"] / by_backend["pool"]
        print(f"goal: pool >= {GOAL}x serial ({what}, {cores} cores): {ratio:.2f}x "
              f"{'met' if ratio >= GOAL else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
