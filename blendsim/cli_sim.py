"""Command-line commands for scenario files: ``blendsim run`` and ``blendsim validate``.

A thin shell over :func:`blendsim.load_scenario` and :func:`blendsim.simulate`: it prints the
day's summary and the per-interval table, and writes them as CSV files into ``--out``
(all files or none).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ._cli_util import format_table, number_option, pct, secs, write_folder_atomically
from .experiment import Result, simulate
from .scenario import Scenario, format_clock, load_scenario

__all__ = ["add_commands"]

_SL_WORDS = {
    "offered": "answered within {s:g} s / offered",
    "answered": "answered within {s:g} s / answered",
    "short_abandons_excluded": "answered within {s:g} s / offered, hang-ups under {a:g} s "
                               "not counted",
}


def _describe(sc: Scenario) -> str:
    day = sc.day
    calls = sum(float(t.expected_calls(day.interval, day).sum()) for t in sc.inbound)
    agents = len({p[0] for p in sc.agent_periods()})
    return (f"{sc.name}: open {format_clock(day.open_at)}-{format_clock(day.close_at)} in "
            f"{day.n_intervals} intervals of {day.interval / 60:g} min; "
            f"{len(sc.inbound)} inbound type(s), about {calls:,.0f} contacts expected; "
            f"{len(sc.groups)} agent group(s), {agents} agents")


def _ci(row, fmt) -> str:
    lo, hi = row["ci_low"], row["ci_high"]
    if isinstance(lo, float) and math.isnan(lo):
        return ""
    return f"[{fmt(lo)}, {fmt(hi)}]"


def print_summary(result: Result) -> None:
    """The day's figures with their 95% confidence intervals."""
    s = result.summary()
    st = result.scenario.service_target
    count = lambda x: f"{x:,.1f}"  # noqa: E731 - small local formatters read best inline
    figures = [
        ("offered", "contacts offered", count),
        ("answered", "answered", count),
        ("abandoned", "abandoned", count),
        ("blocked", "blocked (queue full)", count),
        ("balked", "balked", count),
        ("unserved", "never answered", count),
        ("service_level", "service level", pct),
        ("asa", "ASA (s)", secs),
        ("aht", "AHT (s)", secs),
        ("abandon_rate", "abandonment", lambda x: pct(x, 2)),
        ("longest_wait", "longest wait (s)", secs),
        ("occupancy", "occupancy", pct),
        ("utilisation", "utilisation", pct),
    ]
    rows = []
    for key, label, fmt in figures:
        row = s.loc[key]
        if key in ("blocked", "balked", "unserved") and row["mean"] == 0:
            continue
        rows.append([label, fmt(row["mean"]), _ci(row, fmt)])
    print(format_table(["the day", "mean", "95% CI"], rows))
    words = _SL_WORDS[st.definition].format(s=st.seconds, a=st.short_abandon)
    print(f"service level: {words}; target {100 * st.level:g}%")


def print_intervals(result: Result) -> None:
    """Per-interval means: offered, service level, ASA, abandonment, agents, occupancy."""
    t = result.by_interval()
    rows = []
    for _, r in t.iterrows():
        rows.append([r["start"], f"{r['offered']:.1f}", pct(r["service_level"]),
                     secs(r["asa"]), pct(r["abandon_rate"]), f"{r['agents']:.1f}",
                     pct(r["occupancy"])])
    print(format_table(["start", "offered", "SL", "ASA (s)", "abandoned", "agents", "occupancy"],
                       rows))


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, float_format="%.6g")


def cmd_run(args) -> int:
    sc = load_scenario(args.scenario)
    reps = int(number_option("--replications", args.replications, low=1, integer=True))
    seed = None if args.seed is None else int(number_option("--seed", args.seed, low=0,
                                                            integer=True))
    result = simulate(sc, replications=reps, seed=seed)
    print(_describe(sc))
    print(f"{reps} replications, seed {result.seed}")
    print()
    print_summary(result)
    print()
    print_intervals(result)
    if args.out:
        summary = result.summary().rename_axis("figure").reset_index()
        files = {
            "summary.csv": _csv(summary),
            "intervals.csv": _csv(result.by_interval()),
            "types.csv": _csv(result.by_type()),
            "groups.csv": _csv(result.by_group()),
        }
        if args.contacts:
            files["contacts.csv"] = _csv(result.contacts)
        written = write_folder_atomically(Path(args.out), files)
        print()
        print("written: " + ", ".join(str(p) for p in written))
    return 0


def cmd_validate(args) -> int:
    sc = load_scenario(args.scenario)  # raises ScenarioError listing every problem
    print(f"ok: {_describe(sc)}")
    return 0


def add_commands(sub) -> None:
    """Add ``run`` and ``validate`` to the ``blendsim`` command's subparsers."""
    r = sub.add_parser("run", help="simulate a scenario file and summarise the day",
                       description="Simulate a scenario file (TOML): the day's figures with "
                                   "95%% confidence intervals and a per-interval table; "
                                   "--out writes them as CSV files.")
    r.add_argument("scenario", metavar="SCENARIO.toml")
    r.add_argument("--replications", default="20", help="simulated days (default 20)")
    r.add_argument("--seed", help="seed for the random streams (default: fresh, printed)")
    r.add_argument("--out", metavar="DIR", help="write summary/intervals/types/groups CSVs here")
    r.add_argument("--contacts", action="store_true",
                   help="with --out, also write every contact record (contacts.csv)")
    r.set_defaults(func=cmd_run)

    v = sub.add_parser("validate", help="check a scenario file and report every problem",
                       description="Check a scenario file: every problem is reported at once, "
                                   "one line each, naming the field, the value and what is "
                                   "allowed.")
    v.add_argument("scenario", metavar="SCENARIO.toml")
    v.set_defaults(func=cmd_validate)

