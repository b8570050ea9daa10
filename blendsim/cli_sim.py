"""Command-line commands for scenario files: ``run``, ``tradeoff`` and ``validate``.

A thin shell over :func:`blendsim.load_scenario` and :func:`blendsim.simulate`: it prints the
day's summary and the per-interval table, and writes them as CSV files into ``--out``
(all files or none).
"""

from __future__ import annotations

import contextlib
import math
import sys
from pathlib import Path

import pandas as pd

from ._cli_util import (
    format_table,
    number_option,
    parse_int_range,
    pct,
    secs,
    write_folder_atomically,
)
from .errors import InputError
from .experiment import Result, simulate
from .scenario import Scenario, format_clock, load_scenario
from .streams import new_seed

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
    print(format_table(["inbound, the day", "mean", "95% CI"], rows))
    words = _SL_WORDS[st.definition].format(s=st.seconds, a=st.short_abandon)
    print(f"service level: {words}; target {100 * st.level:g}%")
    if not result.scenario.outbound:
        return
    outbound = [
        ("attempts", "call attempts", count),
        ("connects", "right-party connects", count),
        ("conversations", "conversations", count),
        ("mismatches", "mismatches (no agent came)", count),
        ("connect_rate", "connect rate", pct),
        ("mismatch_rate", "mismatch rate", lambda x: pct(x, 2)),
        ("conversations_per_agent_hour", "conversations per agent-hour",
         lambda x: f"{x:.2f}"),
        ("outbound_share", "share of agent time on outbound", pct),
    ]
    rows = [[label, fmt(s.loc[key, "mean"]), _ci(s.loc[key], fmt)]
            for key, label, fmt in outbound]
    print()
    print(format_table(["outbound, the day", "mean", "95% CI"], rows))
    caps = ", ".join(f"{c.name} {pct(c.abandon_cap, 0)}" for c in result.scenario.outbound)
    verdict = ("within" if s.loc["mismatch_rate", "mean"] <= min(
        c.abandon_cap for c in result.scenario.outbound) or math.isnan(
        s.loc["mismatch_rate", "mean"]) else "ABOVE")
    print(f"mismatch rate = mismatches / connects; cap: {caps} ({verdict} the cap)")


def print_groups(result: Result) -> None:
    """How each group spent its hours."""
    g = result.by_group()
    rows = [[r["group"], f"{r['agent_hours']:.1f}", f"{r['inbound_hours']:.1f}",
             f"{r['outbound_hours']:.1f}", f"{r['idle_hours']:.1f}", f"{r['answered']:.1f}",
             f"{r['conversations']:.1f}", pct(r["occupancy"])] for _, r in g.iterrows()]
    print(format_table(["group", "agent-hours", "inbound", "outbound", "idle", "answered",
                        "conversations", "occupancy"], rows))


def print_intervals(result: Result) -> None:
    """Per-interval means: offered, service level, ASA, abandonment, agents, occupancy."""
    t = result.by_interval()
    outbound = bool(result.scenario.outbound)
    rows = []
    for _, r in t.iterrows():
        row = [r["start"], f"{r['offered']:.1f}", pct(r["service_level"]), secs(r["asa"]),
               pct(r["abandon_rate"]), f"{r['agents']:.1f}"]
        if outbound:
            row += [f"{r['agents_outbound']:.1f}", f"{r['conversations']:.1f}"]
        rows.append(row + [pct(r["occupancy"])])
    headers = ["start", "offered", "SL", "ASA (s)", "abandoned", "agents"]
    if outbound:
        headers += ["on outbound", "conversations"]
    print(format_table(headers + ["occupancy"], rows))


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, float_format="%.6g")


def _png(draw, data) -> bytes:
    """A figure drawn by ``draw(data, ax=...)``, as PNG bytes (off-screen)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = draw(data)
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png", dpi=120, bbox_inches="tight")
    plt.close(ax.figure)
    return buffer.getvalue()


def cmd_tradeoff(args) -> int:
    from . import plots
    from .tradeoff import tradeoff

    sc = load_scenario(args.scenario)
    reps = int(number_option("--replications", args.replications, low=1, integer=True))
    seed = None if args.seed is None else int(number_option("--seed", args.seed, low=0,
                                                            integer=True))
    reserves = parse_int_range("--reserve", args.reserve) if args.reserve else None
    teams = parse_int_range("--blended", args.blended) if args.blended else None
    if reserves is None and teams is None:
        raise InputError("give --reserve (e.g. 0..6) and/or --blended (e.g. 0..10) to vary")
    table = tradeoff(sc, reserve=reserves, blended_agents=teams, replications=reps,
                     seed=seed if seed is not None else new_seed(), **_backend_kwargs(args))
    print(_describe(sc))
    print(f"{reps} replications per point, seed {table.attrs['seed']} for every point "
          "(common random numbers)")
    print()
    target = sc.service_target
    best = plots.best_point(table, target.level)
    rows = []
    for _, r in table.iterrows():
        row = []
        if reserves is not None:
            row.append(str(int(r["reserve"])))
        if teams is not None:
            row.append(str(int(r["blended_agents"])))
        row += [f"{pct(r['service_level'])} [{pct(r['service_level_ci_low'])}, "
                f"{pct(r['service_level_ci_high'])}]", secs(r["asa"]),
                pct(r["abandon_rate"], 2),
                f"{r['conversations']:.1f} [{r['conversations_ci_low']:.1f}, "
                f"{r['conversations_ci_high']:.1f}]", pct(r["mismatch_rate"], 2),
                pct(r["occupancy"])]
        rows.append(row)
    headers = (["reserve"] if reserves is not None else []) + (
        ["blended"] if teams is not None else []) + [
        "inbound SL [95% CI]", "ASA (s)", "abandoned", "conversations/day [95% CI]",
        "mismatches", "occupancy"]
    marks = {} if best is None else {int(table.index.get_loc(best)): "<- best"}
    print(format_table(headers, rows, marks))
    print()
    if best is None:
        print(f"no point meets the inbound target of {100 * target.level:g}% in "
              f"{target.seconds:g} s")
    else:
        r = table.loc[best]
        what = []
        if reserves is not None:
            what.append(f"reserve {int(r['reserve'])}")
        if teams is not None:
            what.append(f"{int(r['blended_agents'])} blended agents")
        print(f"best: {' with '.join(what)}: {r['conversations']:.0f} conversations a day at "
              f"{pct(r['service_level'])} inbound service level (target "
              f"{100 * target.level:g}% in {target.seconds:g} s)")
    if args.out:
        files = {"tradeoff.csv": _csv(table), "frontier.png": _png(plots.frontier, table)}
        written = write_folder_atomically(Path(args.out), files)
        print()
        print("written: " + ", ".join(str(p) for p in written))
    return 0


def cmd_run(args) -> int:
    sc = load_scenario(args.scenario)
    reps = int(number_option("--replications", args.replications, low=1, integer=True))
    seed = None if args.seed is None else int(number_option("--seed", args.seed, low=0,
                                                            integer=True))
    result = simulate(sc, replications=reps, seed=seed, **_backend_kwargs(args))
    print(_describe(sc))
    print(f"{reps} replications, seed {result.seed}")
    print()
    print_summary(result)
    print()
    print_groups(result)
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
        if sc.outbound:
            files["segments.csv"] = _csv(result.by_segment())
        if args.contacts:
            files["contacts.csv"] = _csv(result.contacts)
        from . import plots

        files["intraday.png"] = _png(plots.intraday, result)
        files["service_level.png"] = _png(plots.service_level_by_interval, result)
        written = write_folder_atomically(Path(args.out), files)
        print()
        print("written: " + ", ".join(str(p) for p in written))
    return 0


def cmd_validate(args) -> int:
    sc = load_scenario(args.scenario)  # raises ScenarioError listing every problem
    print(f"ok: {_describe(sc)}")
    return 0


def _backend_options(parser) -> None:
    parser.add_argument("--backend", choices=("pool", "serial", "dask"), default=None,
                        help="where replications run: a local process pool (default), this "
                             "process, or a Dask cluster")
    parser.add_argument("--workers", help="pool or local Dask processes (default: one per core)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="Dask scheduler, e.g. tcp://127.0.0.1:8786 (with --backend dask; "
                             "default: a local cluster)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _backend_kwargs(args) -> dict:
    workers = None if args.workers is None else int(
        number_option("--workers", args.workers, low=1, integer=True))
    if args.scheduler is not None and args.backend != "dask":
        raise InputError("--scheduler needs --backend dask")
    return {"backend": args.backend, "workers": workers, "scheduler": args.scheduler,
            "quiet": args.quiet}


def parse_vary(text: str) -> tuple[str, list]:
    """``"reserve=0..6"`` -> ("reserve", [0, ..., 6]); ``"x=0.3,0.4"`` -> ("x", [0.3, 0.4])."""
    if "=" not in text:
        raise InputError(f"--vary must look like PATH=0..6 or PATH=a,b,c (got {text!r})")
    path, _, values = text.partition("=")
    path, values = path.strip(), values.strip()
    if not path or not values:
        raise InputError(f"--vary must look like PATH=0..6 or PATH=a,b,c (got {text!r})")
    if ".." in values and "," not in values:
        return path, parse_int_range(f"--vary {path}", values)

    def value(v: str):
        """A whole number, else a decimal, else the text as written."""
        v = v.strip()
        for kind in (int, float):
            with contextlib.suppress(ValueError):
                return kind(v)
        return v

    return path, [value(v) for v in values.split(",")]


def cmd_sweep(args) -> int:
    from .sweep import sweep

    sc = load_scenario(args.scenario)
    reps = int(number_option("--replications", args.replications, low=1, integer=True))
    seed = None if args.seed is None else int(number_option("--seed", args.seed, low=0,
                                                            integer=True))
    grid = dict(parse_vary(v) for v in args.vary or [])
    if not grid:
        raise InputError("give at least one --vary PATH=VALUES (e.g. --vary reserve=0..4)")
    seed = seed if seed is not None else new_seed()
    table = sweep(sc, grid, replications=reps, seed=seed, store=args.store,
                  **_backend_kwargs(args))
    n_points = len(table)
    print(_describe(sc))
    print(f"{n_points} points x {reps} replications, seed {seed} for every point"
          + (f"; store {args.store}" if args.store else ""))
    print()
    headers = [*grid, "reps", "SL", "ASA (s)", "abandoned"]
    if sc.outbound:
        headers += ["conversations", "mismatches"]
    headers.append("occupancy")
    rows = []
    for i, r in table.iterrows():
        row = [str(table.at[i, k]) for k in grid] + [
            str(int(r["replications"])), pct(r["service_level"]),
                                          secs(r["asa"]), pct(r["abandon_rate"], 2)]
        if sc.outbound:
            row += ["-" if math.isnan(r["conversations"]) else f"{r['conversations']:.1f}",
                    pct(r["mismatch_rate"], 2)]
        rows.append(row + [pct(r["occupancy"])])
    print(format_table(headers, rows))
    if args.out:
        written = write_folder_atomically(Path(args.out), {"sweep.csv": _csv(table)})
        print()
        print("written: " + ", ".join(str(p) for p in written))
    failures = table.attrs["failures"]
    for _, f in failures.iterrows():
        where = ", ".join(f"{k}={f[k]!r}" for k in grid)
        print(f"blendsim: error: point {where}, replication {f['replication']}: {f['error']}",
              file=sys.stderr)
    return 1 if len(failures) else 0


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
    _backend_options(r)
    r.set_defaults(func=cmd_run)

    t = sub.add_parser("tradeoff", help="inbound service vs outbound conversations per reserve",
                       description="Simulate a scenario with an outbound campaign at each "
                                   "reserve (agents kept idle for inbound) and/or blended team "
                                   "size, all with one seed, and show what each buys: inbound "
                                   "service level against conversations per day; --out writes "
                                   "the table (tradeoff.csv) and the frontier plot "
                                   "(frontier.png).")
    t.add_argument("scenario", metavar="SCENARIO.toml")
    t.add_argument("--reserve", help="reserves to try: 0..6 or 0,2,4")
    t.add_argument("--blended", help="blended team sizes to try: 0..10 or 2,4,6")
    t.add_argument("--replications", default="20", help="simulated days per point (default 20)")
    t.add_argument("--seed", help="seed for every point (default: fresh, printed)")
    t.add_argument("--out", metavar="DIR", help="write tradeoff.csv and frontier.png here")
    _backend_options(t)
    t.set_defaults(func=cmd_tradeoff)

    w = sub.add_parser("sweep", help="simulate every point of a grid of scenario changes",
                       description="Simulate a scenario at every combination of --vary values "
                                   "(field paths such as groups[blended team].headcount or "
                                   "outbound[0].list_size, or the knobs reserve and "
                                   "blended_agents), all with one seed. With --store, every "
                                   "finished replication is saved to an SQLite file at once; "
                                   "run the same command again to resume after an "
                                   "interruption.")
    w.add_argument("scenario", metavar="SCENARIO.toml")
    w.add_argument("--vary", action="append", metavar="PATH=VALUES",
                   help="e.g. reserve=0..4 or outbound[0].connect_probability=0.3,0.4 "
                        "(repeat for more dimensions)")
    w.add_argument("--replications", default="20", help="simulated days per point (default 20)")
    w.add_argument("--seed", help="seed for every point (default: fresh, printed)")
    w.add_argument("--store", metavar="FILE", help="SQLite results store (resumable)")
    w.add_argument("--out", metavar="DIR", help="write the per-point table (sweep.csv) here")
    _backend_options(w)
    w.set_defaults(func=cmd_sweep)

    v = sub.add_parser("validate", help="check a scenario file and report every problem",
                       description="Check a scenario file: every problem is reported at once, "
                                   "one line each, naming the field, the value and what is "
                                   "allowed.")
    v.add_argument("scenario", metavar="SCENARIO.toml")
    v.set_defaults(func=cmd_validate)

