"""The engine's cost per event against the number of agent groups: calls per second.

The same centre is written as 1, 10, 100 and 1,000 agent groups: 1,000 agents in all, split
evenly, every group with the same skill (so every group may take every call), 90% inbound
occupancy with 4-minute exponential handle times and exponential patience (mean 2 minutes);
the same number of calls in every case.  Three centres:

* **inbound**: inbound work only;
* **blended**: every group also calls for an outbound campaign (a list of 200,000 records,
  30% connects, progressive dialling), under ``Threshold(reserve=20)``;
* **guarded**: blended, under ``ServiceLevelGuard()``, a policy that watches the clock (the
  dialler asks every idle agent again each minute).

Each figure is ``blendsim.engine.run_day`` alone (the ACD, the dialler and the records, not
the replication machinery), the best of ``--repeat`` runs, each in a fresh process, taken in
turn over the group counts (so that a change in the machine's load falls on all of them);
calls per second counts inbound calls.  The ratio column is calls per second
against the 1-group case of the same centre and the same code: 1.00 means that splitting the
agents into more groups costs nothing.

``--compare DIR`` also runs the blendsim package found in ``DIR`` (a directory holding a
``blendsim/`` folder, e.g. an older version extracted with ``git archive``), side by side.
This is a benchmark, not a test: nothing asserts on time.

Run from the repository root::

    python benchmarks/bench_groups.py                 # 60,000 calls per run
    python benchmarks/bench_groups.py --quick         # 10,000 calls per run
    python benchmarks/bench_groups.py --compare /tmp/old-blendsim
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

AGENTS, OCCUPANCY, AHT, PATIENCE, RESERVE = 1000, 0.9, 240.0, 120.0, 20
LIST_SIZE = 200_000  # records: about 2 attempts per inbound call are made, so it lasts
GROUPS = (1, 10, 100, 1000)
CENTRES = ("inbound", "blended", "guarded")


def centre(kind: str, n_groups: int, calls: int):
    """The centre ``kind`` as ``n_groups`` groups, with about ``calls`` inbound calls."""
    import blendsim as bs

    rate_per_hour = OCCUPANCY * AGENTS / AHT * 3600.0
    quarters = max(1, round(calls / rate_per_hour * 4))  # the day: whole quarter hours
    close = quarters * 900.0
    per_group = AGENTS // n_groups
    outbound = kind != "inbound"
    groups = [bs.AgentGroup(name=f"group {i + 1}", skills=["calls"],
                            outbound=["campaign"] if outbound else [],
                            shifts=[bs.Shift(start_at=0.0, end_at=close, count=per_group)])
              for i in range(n_groups)]
    campaigns = [bs.OutboundCampaign(name="campaign", talk_time=bs.Exponential(mean=180.0),
                                     list_size=LIST_SIZE, connect_probability=0.3)
                 ] if outbound else []
    policy = {"inbound": [], "blended": [bs.Threshold(reserve=RESERVE)],
              "guarded": [bs.ServiceLevelGuard()]}[kind]
    return bs.Scenario(
        name=f"{kind}, {n_groups} groups", day=bs.Day(open_at=0.0, close_at=close,
                                                       interval=900.0),
        inbound=[bs.InboundType(name="calls", volume=[rate_per_hour / 4] * quarters,
                                handle_time=bs.Exponential(mean=AHT),
                                patience=bs.Exponential(mean=PATIENCE))],
        groups=groups, outbound=campaigns, blending=policy)


def run(kind: str, n_groups: int, calls: int, repeat: int) -> dict:
    """Time ``run_day`` on one centre (in this process): best of ``repeat``."""
    import numpy as np

    import blendsim
    from blendsim.engine import run_day  # the path of the flat layout too, for --compare

    sc = centre(kind, n_groups, calls)
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        rec = run_day(sc, seed=1)
        best = min(best, time.perf_counter() - t)
    inbound = rec.kind == 0
    return {"calls": int(inbound.sum()), "attempts": int((~inbound).sum()), "seconds": best,
            "served": float(np.mean(rec.outcome[inbound] == 1)),
            "module": blendsim.__file__}


def measure(kind: str, n_groups: int, calls: int, repeat: int, path: str | None) -> dict:
    """Run one measurement in a fresh interpreter, with ``path`` first on ``sys.path``."""
    here = os.path.dirname(os.path.abspath(__file__))
    code = (f"import json, sys; sys.path.insert(0, {here!r}); "
            + (f"sys.path.insert(0, {path!r}); " if path else "")
            + f"import bench_groups as b; "
            f"print(json.dumps(b.run({kind!r}, {n_groups}, {calls}, {repeat})))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} with {n_groups} groups failed: "
                           f"{(proc.stderr.strip().splitlines() or ['?'])[-1]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=60_000, help="inbound calls per run")
    parser.add_argument("--quick", action="store_true", help="10,000 calls, best of 1")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (best kept)")
    parser.add_argument("--compare", metavar="DIR",
                        help="also run the blendsim package in DIR (e.g. an older version)")
    parser.add_argument("--centres", default=",".join(CENTRES),
                        help=f"comma-separated, from {', '.join(CENTRES)}")
    args = parser.parse_args(argv)
    calls, repeat = (10_000, 1) if args.quick else (args.calls, args.repeat)
    kinds = [k.strip() for k in args.centres.split(",") if k.strip()]
    bad = [k for k in kinds if k not in CENTRES]
    if bad:
        parser.error(f"--centres must be from {', '.join(CENTRES)} (got {', '.join(bad)})")
    versions = [("this", None)] + ([("compared", args.compare)] if args.compare else [])

    import blendsim as bs

    print("blendsim engine: calls per second against the number of agent groups")
    print(f"Python {platform.python_version()}, blendsim {bs.__version__}; "
          f"{platform.machine()} {platform.system()}")
    print(f"{AGENTS:,} agents split evenly into 1-{GROUPS[-1]:,} groups, {OCCUPANCY:.0%} "
          f"inbound occupancy, handle time mean {AHT:g} s, patience mean {PATIENCE:g} s, "
          f"~{calls:,} calls per run, best of {repeat}, each in a fresh process")
    if args.compare:
        print(f"compared: blendsim from {args.compare}")
    print()
    header = (f"{'centre':8} {'code':9} " + "".join(f"{f'{g:,} gr calls/s':>18}"
                                                    for g in GROUPS)
              + "   ratio 1,000 groups / 1 group")
    print(header)
    print("-" * len(header))
    for kind in kinds:
        for label, path in versions:
            best = dict.fromkeys(GROUPS, 0.0)
            for _ in range(repeat):
                for g in GROUPS:
                    r = measure(kind, g, calls, 1, path)
                    best[g] = max(best[g], r["calls"] / r["seconds"])
            rates = [best[g] for g in GROUPS]
            cells = "".join(f"{rate:>11,.0f} ({rate / rates[0]:4.2f})" for rate in rates)
            print(f"{kind:8} {label:9} {cells}   {rates[-1] / rates[0]:.2f}")
        print()
    print("in brackets: calls/s relative to the same centre and code with 1 group")
    return 0


if __name__ == "__main__":
    sys.exit(main())
