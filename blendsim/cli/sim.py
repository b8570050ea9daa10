"""Command-line commands for scenario files: ``run``, ``tradeoff``, ``sweep``, ``roster`` and
``validate``.

A thin shell over :func:`blendsim.load_scenario`, :func:`blendsim.simulate`,
:func:`blendsim.tradeoff` and :func:`blendsim.sweep`: it prints the figures (or, with
``--json``, one JSON document with the same figures and the seed) and writes them as CSV files
and charts into ``--out`` (all files or none; the folder then holds this run's files, see
:func:`blendsim.outputs.files.write_folder_atomically`).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import sys
from pathlib import Path

import pandas as pd

from blendsim._units import format_clock
from blendsim.cli._args import number_option, parse_int_range, seed_option
from blendsim.errors import InputError
from blendsim.experiment.backends import check_scheduler, max_workers
from blendsim.experiment.replications import Result, simulate
from blendsim.experiment.reserve_schedule import ReserveSchedule, best_reserve_schedule
from blendsim.experiment.sweep import sweep
from blendsim.experiment.tradeoff import best_point, tradeoff, verdicts
from blendsim.outputs import plots
from blendsim.outputs.files import (
    check_out_folder,
    csv_text,
    dumps,
    write_atomically,
    write_folder_atomically,
)
from blendsim.outputs.tables import format_table, pct, secs
from blendsim.scenario.file import scenario_to_dict, to_toml
from blendsim.scenario.model import Scenario, dump_scenario, load_scenario
from blendsim.scenario.parts import RULES
from blendsim.scenario.variants import reserve_cap
from blendsim.streams import new_seed

__all__ = ["add_commands"]

_SL_WORDS = {
    "offered": "answered within {s:g} s / offered",
    "answered": "answered within {s:g} s / answered",
    "short_abandons_excluded": "answered within {s:g} s / offered, hang-ups under {a:g} s "
                               "not counted",
}


def _description(sc: Scenario) -> dict:
    day = sc.day
    calls = sum(float(t.expected_calls(day.interval, day).sum()) for t in sc.inbound)
    st = sc.service_target
    return {"name": sc.name, "open": format_clock(day.open_at),
            "close": format_clock(day.close_at), "intervals": day.n_intervals,
            "interval_minutes": day.interval / 60, "inbound_types": len(sc.inbound),
            "expected_contacts": calls, "groups": len(sc.groups),
            "agents": len({p[0] for p in sc.agent_periods()}),
            "outbound_campaigns": len(sc.outbound),
            "service_target": {"level": st.level, "seconds": st.seconds,
                               "definition": st.definition,
                               "short_abandon_seconds": st.short_abandon}}


def _describe(sc: Scenario) -> str:
    d = _description(sc)
    return (f"{d['name']}: open {d['open']}-{d['close']} in {d['intervals']} intervals of "
            f"{d['interval_minutes']:g} min; {d['inbound_types']} inbound type(s), about "
            f"{d['expected_contacts']:,.0f} contacts expected; {d['groups']} agent group(s), "
            f"{d['agents']} agents")


def _digest(sc: Scenario) -> str:
    """A short fingerprint of the scenario: outputs of one scenario may share a folder."""
    try:
        text = to_toml(scenario_to_dict(sc))
    except InputError:  # a policy written in Python has no file form
        text = repr(sc)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.to_dict(orient="records")


def _ci(row, fmt) -> str:
    lo, hi = row["ci_low"], row["ci_high"]
    if isinstance(lo, float) and math.isnan(lo):
        return ""
    return f"[{fmt(lo)}, {fmt(hi)}]"


def _dialled(result: Result) -> bool:
    """Whether any outbound call was attempted on any simulated day."""
    if not result.scenario.outbound:
        return False
    return bool(result.summary().loc["attempts", "mean"] > 0)


def _spans(labels: list[str], flags) -> str:
    """``["10:00", "10:30", "11:00"]`` with flags T, T, F -> ``"10:00-10:30"``."""
    out, run = [], []
    for label, flag in zip([*labels, None], [*flags, False], strict=True):
        if flag:
            run.append(label)
        elif run:
            out.append(run[0] if len(run) == 1 else f"{run[0]}-{run[-1]}")
            run = []
    return ", ".join(out)


def under_target(result: Result) -> dict:
    """The intervals whose mean service level is under the target (starts listed)."""
    t = result.by_interval()
    level = result.scenario.service_target.level
    flags = (t["service_level"] < level).to_list()
    judged = int(t["service_level"].notna().sum())  # intervals with an inbound contact
    return {"count": int(sum(flags)), "of": len(t), "judged": judged,
            "starts": [s for s, f in zip(t["start"], flags, strict=True) if f],
            "spans": _spans(list(t["start"]), flags)}


def _judgement(result: Result) -> dict:
    """The day judged under the target's rule, as plain data."""
    j = result.judgement()
    return {name: (list(v) if isinstance(v, tuple) else v)
            for name, v in ((f, getattr(j, f)) for f in j.__slots__)}


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
    under = under_target(result)
    if under["count"]:
        print(f"intervals under the {100 * st.level:g}% target (by their mean): "
              f"{under['count']} of {under['of']}: {under['spans']}")
    elif under["judged"] == 0:
        print(f"no interval had an inbound contact: nothing to judge against the "
              f"{100 * st.level:g}% target")
    elif under["judged"] < under["of"]:
        print(f"{under['judged']} of {under['of']} intervals had inbound contacts, and each "
              f"meets the {100 * st.level:g}% target (by its mean)")
    else:
        print(f"every interval meets the {100 * st.level:g}% target (by its mean)")
    print(f"judged per interval: {result.judgement().line()}")
    if not result.scenario.outbound:
        return
    print()
    if not _dialled(result):
        policies = ", ".join(type(p).__name__ for p in result.scenario.blending) or "none"
        print(f"outbound: no call attempts on any simulated day (blending policy: {policies})")
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
    print(format_table(["outbound, the day", "mean", "95% CI"], rows))
    caps = ", ".join(f"{c.name} {pct(c.abandon_cap, 0)}" for c in result.scenario.outbound)
    rate = s.loc["mismatch_rate", "mean"]
    if math.isnan(rate):
        verdict = "no connects to judge"
    else:
        verdict = ("within" if rate <= min(c.abandon_cap for c in result.scenario.outbound)
                   else "ABOVE") + " the cap"
    print(f"mismatch rate = mismatches / connects; cap: {caps} ({verdict})")


def print_groups(result: Result) -> None:
    """How each group spent its hours."""
    g = result.by_group()
    rows = [[r["group"], f"{r['agent_hours']:.1f}", f"{r['inbound_hours']:.1f}",
             f"{r['outbound_hours']:.1f}", f"{r['idle_hours']:.1f}", f"{r['answered']:.1f}",
             f"{r['conversations']:.1f}", pct(r["occupancy"])] for _, r in g.iterrows()]
    print(format_table(["group", "agent-hours", "inbound", "outbound", "idle", "answered",
                        "conversations", "occupancy"], rows))
    print("(hours logged on, on inbound, on outbound and idle; contacts answered and "
          "outbound conversations, per day)")


def print_intervals(result: Result) -> None:
    """Per-interval means: offered, service level, ASA, abandonment, agents, occupancy."""
    t = result.by_interval()
    outbound = _dialled(result)
    level = result.scenario.service_target.level
    rows, marks = [], {}
    for n, (_, r) in enumerate(t.iterrows()):
        row = [r["start"], f"{r['offered']:.1f}", pct(r["service_level"]), secs(r["asa"]),
               pct(r["abandon_rate"]), f"{r['agents']:.1f}"]
        if outbound:
            row += [f"{r['agents_outbound']:.1f}", f"{r['conversations']:.1f}"]
        rows.append(row + [pct(r["occupancy"])])
        if r["service_level"] < level:
            marks[n] = "<- under target"
    headers = ["start", "offered", "SL", "ASA (s)", "abandoned", "agents"]
    if outbound:
        headers += ["on outbound", "conversations"]
    print(format_table(headers + ["occupancy"], rows, marks))


def _png(draw, data) -> bytes:
    """A figure drawn by ``draw(data)`` on a Figure of its own, as PNG bytes (no pyplot)."""
    ax = draw(data)
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png", dpi=120, bbox_inches="tight")
    return buffer.getvalue()


def _options(args) -> tuple[Scenario, int, int]:
    """The scenario, replications and seed (fresh when not given) of a simulating command."""
    sc = load_scenario(args.scenario)
    reps = int(number_option("--replications", args.replications, low=1, integer=True))
    seed = new_seed() if args.seed is None else seed_option(args.seed)
    if args.out:
        check_out_folder(Path(args.out))  # refuse a bad --out before a long simulation
    return sc, reps, seed


def _write(args, files: dict, command: str, sc: Scenario, seed: int) -> dict:
    """Write ``files`` into ``--out`` (if given); what was written, for the output."""
    if not args.out:
        return {"written": [], "removed": [], "left_alone": []}
    w = write_folder_atomically(Path(args.out), files, command=command, scenario=_digest(sc),
                                seed=seed)
    return {"written": [str(p) for p in w.files], "removed": w.removed,
            "left_alone": w.foreign}


def _print_written(out: dict, folder) -> None:
    if not out["written"]:
        return
    print()
    print("written: " + ", ".join(out["written"]))
    if out["removed"]:
        print(f"removed from {folder} (blendsim's earlier outputs this run does not replace): "
              + ", ".join(out["removed"]))
    if out["left_alone"]:
        print(f"left alone in {folder} (not written by blendsim): "
              + ", ".join(out["left_alone"]))


def cmd_run(args) -> int:
    sc, reps, seed = _options(args)
    result = simulate(sc, replications=reps, seed=seed, **_backend_kwargs(args))
    files = {}
    if args.out:
        summary = result.summary().rename_axis("figure").reset_index()
        files = {
            "summary.csv": csv_text(summary),
            "intervals.csv": csv_text(result.by_interval()),
            "types.csv": csv_text(result.by_type()),
            "groups.csv": csv_text(result.by_group()),
        }
        if sc.outbound:
            files["segments.csv"] = csv_text(result.by_segment())
        if args.contacts:
            files["contacts.csv"] = csv_text(result.contacts)
        files["intraday.png"] = _png(plots.intraday, result)
        files["service_level.png"] = _png(plots.service_level_by_interval, result)
    written = _write(args, files, "run", sc, result.seed)
    if args.json:
        summary = result.summary()
        print(dumps({
            "command": "run", "scenario": _description(sc), "seed": result.seed,
            "replications": reps,
            "summary": {k: {"mean": r["mean"], "ci_low": r["ci_low"], "ci_high": r["ci_high"]}
                        for k, r in summary.iterrows()},
            "outbound_dialled": _dialled(result),
            "intervals_under_target": under_target(result),
            "judgement": _judgement(result),
            "groups": _records(result.by_group()),
            "intervals": _records(result.by_interval()), **written}))
        return 0
    print(_describe(sc))
    print(f"{reps} replications, seed {result.seed}")
    print()
    print_summary(result)
    print()
    print_groups(result)
    print()
    print_intervals(result)
    _print_written(written, args.out)
    return 0


def _reserve_cell(r) -> str:
    up_to = r["reserve_up_to"]
    low = int(r["reserve"])
    return f"{low}..{int(up_to)}" if pd.notna(up_to) and int(up_to) > low else str(low)


def _point_name(r, reserves, teams) -> str:
    what = []
    if reserves is not None:
        what.append(f"reserve {_reserve_cell(r)}")
    if teams is not None:
        what.append(f"{int(r['blended_agents'])} blended agents")
    return " with ".join(what) or "the scenario as given"


def _sl_ci(r) -> str:
    return f"[{pct(r['service_level_ci_low'])}, {pct(r['service_level_ci_high'])}]"


def tradeoff_story(table: pd.DataFrame, reserves, teams) -> list[str]:
    """The lines under the trade-off table: the best point judged with its interval."""
    target, seconds = table.attrs["target"], table.attrs["target_seconds"]
    goal = f"the {100 * target:g}% target in {seconds:g} s"
    rule = table.attrs.get("rule", "day")
    if rule == "every_interval":
        goal += " in every interval"
    elif rule == "share_of_intervals":
        goal += f" in at least {100 * table.attrs['share']:g}% of intervals"
    judged = table["rule_verdict"] if "rule_verdict" in table else verdicts(table, target)
    spans = ("its 95% interval spans the target" if rule == "day" else
             "the 95% interval of some interval's service level spans the target")
    best = best_point(table, target)
    reps = table.attrs["replications"]
    more = (f"more replications narrow the interval (4 times as many halve it): try "
            f"--replications {4 * reps}" if reps > 1 else
            "one replication gives no interval: use --replications 20 or more")
    lines = []
    if best is not None:
        r = table.loc[best]
        lines.append(f"best: {_point_name(r, reserves, teams)}: {r['conversations']:.0f} "
                     f"conversations a day at {pct(r['service_level'])} {_sl_ci(r)} inbound "
                     f"service level, which meets {goal} with 95% confidence")
    rival = table[judged == "unclear"]
    if best is not None:
        rival = rival[rival["conversations"] > table.loc[best, "conversations"]]
    if len(rival):
        top = rival.sort_values("conversations", kind="stable", na_position="first").iloc[-1]
        name = (f"{_point_name(top, reserves, teams)} ({top['conversations']:.0f} "
                f"conversations, {pct(top['service_level'])} {_sl_ci(top)})")
        others = "" if len(rival) == 1 else (
            f" (and {len(rival) - 1} more with fewer conversations)" if best is None else
            f" (and {len(rival) - 1} more with more conversations than the best)")
        if best is None:
            lines.append(f"not conclusive: no point is shown to meet {goal}; the most outreach "
                         f"that might is {name}, for which {spans}{others}; "
                         f"{more}")
        else:
            lines.append(f"not conclusive: {name} may also meet it: {spans}{others}; {more}")
    elif best is None:
        lines.append(f"no point meets {goal}: every point's 95% interval lies below it")
    for c in table.attrs.get("collapsed", []):
        rs = c["reserves"]
        team = ("" if c["blended_agents"] is None
                else f"with {c['blended_agents']} blended agents, ")
        why = (f"at most {c['cap']} agents who answer inbound are on duty together while "
               f"blended agents are, so from a reserve of {c['cap']} no one dials"
               if c["cap"] > 0 else "no blended agent is on duty, so no one dials")
        lines.append(f"{team}reserves {rs[0]}..{rs[-1]} behave like {c['as']} ({why}): "
                     "simulated once")
    return lines


def cmd_tradeoff(args) -> int:
    sc, reps, seed = _options(args)
    if args.reserve_schedule:
        return cmd_reserve_schedule(args, sc, reps, seed)
    reserves = parse_int_range("--reserve", args.reserve) if args.reserve else None
    teams = parse_int_range("--blended", args.blended) if args.blended else None
    if reserves is None and teams is None:
        raise InputError("give --reserve (e.g. 0..6) and/or --blended (e.g. 0..10) to vary, "
                         "or --reserve-schedule to find a reserve per interval")
    share = (None if args.share is None else
             number_option("--share", args.share, low=0, low_open=True, high=1))
    table = tradeoff(sc, reserve=reserves, blended_agents=teams, replications=reps,
                     seed=seed, rule=args.rule, share=share, **_backend_kwargs(args))
    target = sc.service_target
    judged = verdicts(table, target.level)
    best = plots.best_point(table, target.level)
    story = tradeoff_story(table, reserves, teams)
    files = {}
    if args.out:
        files = {"tradeoff.csv": csv_text(table.assign(verdict=judged)),
                 "frontier.png": _png(plots.frontier, table)}
    written = _write(args, files, "tradeoff", sc, table.attrs["seed"])
    if args.json:
        print(dumps({
            "command": "tradeoff", "scenario": _description(sc), "seed": table.attrs["seed"],
            "replications": reps, "points": _records(table.assign(verdict=judged)),
            "best": None if best is None else _records(table.loc[[best]])[0],
            "collapsed": table.attrs["collapsed"], "notes": story, **written}))
        return 0
    print(_describe(sc))
    print(f"{reps} replications per point, seed {table.attrs['seed']} for every point "
          "(common random numbers)")
    print()
    rows = []
    for i, r in table.iterrows():
        row = []
        if reserves is not None:
            row.append(_reserve_cell(r))
        if teams is not None:
            row.append(str(int(r["blended_agents"])))
        row += [f"{pct(r['service_level'])} {_sl_ci(r)}", judged[i], secs(r["asa"]),
                pct(r["abandon_rate"], 2),
                f"{r['conversations']:.1f} [{r['conversations_ci_low']:.1f}, "
                f"{r['conversations_ci_high']:.1f}]", pct(r["mismatch_rate"], 2),
                pct(r["occupancy"])]
        rows.append(row)
    headers = (["reserve"] if reserves is not None else []) + (
        ["blended"] if teams is not None else []) + [
        "inbound SL [95% CI]", f"vs {100 * target.level:g}%", "ASA (s)", "abandoned",
        "conversations/day [95% CI]", "mismatches", "occupancy"]
    marks = {} if best is None else {int(table.index.get_loc(best)): "<- best"}
    print(format_table(headers, rows, marks))
    print()
    for line in story:
        print(line)
    _print_written(written, args.out)
    return 0


def schedule_spans(sc: Scenario, reserve, short_anyway=()) -> list[dict]:
    """The schedule as spans of intervals with one reserve: ``start``, ``end`` (clock times),
    ``reserve`` and ``short_anyway`` (the span's intervals, named by their start labels in
    ``short_anyway``, miss the target even without blending; a span never mixes both)."""
    day = sc.day
    spans: list[dict] = []
    for k, (label, r) in enumerate(zip(day.interval_labels(), reserve, strict=True)):
        short = label in short_anyway
        end = format_clock(day.interval_starts[k] + day.interval)
        if spans and (spans[-1]["reserve"], spans[-1]["short_anyway"]) == (r, short):
            spans[-1]["end"] = end
        else:
            spans.append({"start": format_clock(day.interval_starts[k]), "end": end,
                          "reserve": int(r), "short_anyway": short})
    return spans


def _schedule_files(found: ReserveSchedule) -> dict:
    """``--out`` of ``tradeoff --reserve-schedule``: the schedule per interval and the
    scenario that runs it."""
    table = pd.DataFrame({"interval_start": found.scenario.day.interval_labels(),
                          "reserve": list(found.reserve)})
    return {"reserve_schedule.csv": csv_text(table),
            "scenario_with_schedule.toml": dump_scenario(found.scenario),
            "reserve_schedule_confirmed.csv": csv_text(found.confirmed)}


def cmd_reserve_schedule(args, sc: Scenario, reps: int, seed: int) -> int:
    """``tradeoff --reserve-schedule``: the smallest reserve per interval that keeps it."""
    clashes = [o for o, v in (("--reserve", args.reserve), ("--blended", args.blended),
                              ("--rule", args.rule), ("--share", args.share),
                              ("--scheduler", args.scheduler)) if v is not None]
    if clashes:
        raise InputError(f"--reserve-schedule chooses the reserve of every interval itself "
                         f"(judged interval by interval): leave out {', '.join(clashes)}")
    kw = _backend_kwargs(args)
    del kw["scheduler"]
    found = best_reserve_schedule(sc, replications=reps, seed=seed, **kw)
    written = _write(args, _schedule_files(found) if args.out else {}, "reserve-schedule",
                     sc, found.seed)
    spans = schedule_spans(sc, found.reserve, found.short_anyway)
    if args.json:
        print(dumps({
            "command": "tradeoff", "mode": "reserve_schedule", "scenario": _description(sc),
            "seed": found.seed, "confirm_seed": found.confirm_seed, "replications": reps,
            "schedule": [{"interval_start": s, "reserve": r} for s, r in zip(
                sc.day.interval_labels(), found.reserve, strict=True)],
            "spans": spans, "constant": found.constant,
            "short_anyway": list(found.short_anyway), "rounds": found.rounds,
            "confirmed": _records(found.confirmed), "gain": found.gain(), **written}))
        return 0
    print(_describe(sc))
    print(f"{reps} replications per evaluation, tuning seed {found.seed}, confirmed on fresh "
          f"days with seed {found.confirm_seed}")
    print()
    marks = {n: "<- short even without blending" for n, s in enumerate(spans)
             if s["short_anyway"]}
    print(format_table(["from", "to", "reserve"],
                       [[s["start"], s["end"], str(s["reserve"])] for s in spans], marks))
    print()
    print(f"(a reserve of {reserve_cap(sc)} or more: no blended agent dials then)")
    print(f"best constant reserve (keeps every interval a reserve can keep): {found.constant}")
    if found.short_anyway:
        print(f"short even without blending (no reserve mends them, left out of the judging): "
              f"{', '.join(found.short_anyway)}")
    print()
    print(format_table(["confirmed", "conversations/day [95% CI]", "inbound SL",
                        "intervals below", "missed for sure", "every interval"],
                       [_confirmed_row(r, found.constant) for _, r in
                        found.confirmed.iterrows()]))
    print(f"gain: {found.gain():+.1f} conversations a day with the schedule over reserve "
          f"{found.constant} all day")
    _print_written(written, args.out)
    return 0


def _confirmed_row(r, constant: int) -> list[str]:
    name = "schedule" if r["policy"] == "schedule" else f"constant reserve {constant}"
    return [name, f"{r['conversations']:.1f} [{r['conversations_ci_low']:.1f}, "
                  f"{r['conversations_ci_high']:.1f}]", pct(r["service_level"]),
            str(int(r["intervals_below"])), str(int(r["intervals_missed"])),
            r["every_interval_verdict"]]


def cmd_validate(args) -> int:
    sc = load_scenario(args.scenario)  # raises ScenarioError listing every problem
    if args.json:
        print(dumps({"command": "validate", "ok": True, "file": str(args.scenario),
                     "scenario": _description(sc)}))
        return 0
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
    if workers is not None and workers > max_workers():
        raise InputError(f"--workers must be <= {max_workers()} (4 per core on this machine, "
                         f"at most 256; got {args.workers!r})")
    if args.scheduler is not None and args.backend != "dask":
        raise InputError("--scheduler needs --backend dask")
    if args.scheduler is not None:
        check_scheduler(args.scheduler, "--scheduler")
        if workers is not None:
            raise InputError("--workers is for the pool or a local Dask cluster; the cluster "
                             "at --scheduler has its own workers")
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
    sc, reps, seed = _options(args)
    grid = dict(parse_vary(v) for v in args.vary or [])
    if not grid:
        raise InputError("give at least one --vary PATH=VALUES (e.g. --vary reserve=0..4)")
    table = sweep(sc, grid, replications=reps, seed=seed, store=args.store,
                  **_backend_kwargs(args))
    failures = table.attrs["failures"]
    written = _write(args, {"sweep.csv": csv_text(table)} if args.out else {}, "sweep", sc,
                     seed)
    if args.json:
        print(dumps({"command": "sweep", "scenario": _description(sc), "seed": seed,
                     "replications": reps, "store": args.store, "grid": grid,
                     "points": _records(table), "failures": _records(failures), **written}))
    else:
        _print_sweep(sc, table, grid, reps, seed, args.store)
        _print_written(written, args.out)
    for _, f in failures.iterrows():
        where = ", ".join(f"{k}={f[k]!r}" for k in grid)
        print(f"blendsim: error: point {where}, replication {f['replication']}: {f['error']}",
              file=sys.stderr)
    return 1 if len(failures) else 0


def _print_sweep(sc, table, grid, reps, seed, store) -> None:
    print(_describe(sc))
    print(f"{len(table)} points x {reps} replications, seed {seed} for every point"
          + (f"; store {store}" if store else ""))
    print()
    headers = [*grid, "reps", "SL", "ASA (s)", "abandoned"]
    if sc.outbound:
        headers += ["conversations", "mismatches"]
    headers.append("occupancy")
    rows = []
    for i, r in table.iterrows():
        row = [str(table.at[i, k]) for k in grid] + [
            str(int(r["replications"])), pct(r["service_level"]), secs(r["asa"]),
            pct(r["abandon_rate"], 2)]
        if sc.outbound:
            row += ["-" if math.isnan(r["conversations"]) else f"{r['conversations']:.1f}",
                    pct(r["mismatch_rate"], 2)]
        rows.append(row + [pct(r["occupancy"])])
    print(format_table(headers, rows))


_JSON_HELP = "print one JSON document (the same figures, the seed, the files written)"


def _pair(args):
    """The two scenarios, replications and seed of ``compare`` and ``report``."""
    base = load_scenario(args.baseline)
    alt = load_scenario(args.alternative)
    reps = int(number_option("--replications", args.replications, low=2, integer=True))
    seed = new_seed() if args.seed is None else seed_option(args.seed)
    return base, alt, reps, seed


def cmd_compare(args) -> int:
    """``blendsim compare A.toml B.toml``: paired differences of every figure."""
    from blendsim.experiment.compare import compare

    base, alt, reps, seed = _pair(args)
    if args.out:
        check_out_folder(Path(args.out))
    c = compare(base, alt, replications=reps, seed=seed, paired=not args.independent,
                **_backend_kwargs(args))
    files = {}
    if args.out:
        files = {"day.csv": csv_text(c.day().reset_index()),
                 "intervals.csv": csv_text(c.intervals())}
    written = _write(args, files, "compare", alt, seed)
    if args.json:
        print(dumps({"command": "compare", "seed": seed, "replications": reps,
                     "paired": c.paired, "baseline": _description(base),
                     "alternative": _description(alt),
                     "day": _records(c.day().reset_index()), **written}))
        return 0
    print(c.table())
    _print_written(written, args.out)
    return 0


def _scale_option(text, pilot: Scenario) -> tuple[int, int] | None:
    from blendsim.experiment.business import MAX_SCALE, blended_size

    size = blended_size(pilot)
    if text is None:
        return size, min(max(4 * size, size + 4), MAX_SCALE)
    if str(text).strip().lower() == "none":
        return None
    values = parse_int_range("--scale", text)
    lo, hi = min(values), max(values)
    if hi > MAX_SCALE:
        raise InputError(f"--scale must stay within 0..{MAX_SCALE} blended agents "
                         f"(got {text!r})")
    if lo == hi:
        raise InputError(f"--scale must span at least two sizes, e.g. {size}..{size + 8} "
                         f"(got {text!r})")
    return lo, hi


def cmd_report(args) -> int:
    """``blendsim report BASELINE.toml PILOT.toml --out report.html``: the executive's page."""
    from blendsim.experiment.business import pilot_case
    from blendsim.outputs.report import write_report
    from blendsim.scenario.assumptions import default_assumptions, load_assumptions

    base, pilot, reps, seed = _pair(args)
    assumptions = (default_assumptions() if args.assumptions is None
                   else load_assumptions(args.assumptions))
    scale = _scale_option(args.scale, pilot)
    out = Path(args.out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"--out must name an .html file (got {args.out!r})")
    if not out.parent.exists():
        raise InputError(f"--out folder does not exist: {str(out.parent)!r}")
    if out.is_dir():
        raise InputError(f"--out {args.out!r} is a folder; give a file name, e.g. "
                         f"{str(out / 'report.html')!r}")
    pdf = out.with_suffix(".pdf") if args.pdf else None
    browser = None
    if pdf is not None:  # refuse before the simulation, not after it
        from blendsim.outputs.browser import find_browser

        browser = find_browser()
        if browser is None:
            raise InputError("--pdf needs a headless Chromium: install it (Debian: apt-get "
                             "install chromium) or set BLENDSIM_BROWSER to its path")
    case = pilot_case(base, pilot, assumptions=assumptions, scale=scale, replications=reps,
                      seed=seed, **_backend_kwargs(args))
    command = (f"blendsim report {args.baseline} {args.alternative}"
               + (f" --assumptions {args.assumptions}" if args.assumptions else "")
               + (f" --scale {scale[0]}..{scale[1]}" if scale else " --scale none")
               + f" --replications {reps} --seed {seed} --out {args.out}")
    written = write_report(case, out, pdf=pdf, command=command, browser=browser)
    if args.json:
        print(dumps({"command": "report", "seed": seed, "replications": reps,
                     "verdict": case.verdict(),
                     "day": _records(case.comparison.day().reset_index()),
                     "value": _records(case.value.reset_index()),
                     "design": _records(case.design),
                     "scale": [] if case.scale is None else _records(case.scale),
                     "written": [str(p) for p in written]}))
        return 0
    print(case.verdict())
    print()
    print(case.comparison.table())
    print()
    print("written: " + ", ".join(str(p) for p in written))
    return 0


def cmd_assumptions(args) -> int:
    """``blendsim assumptions [--out FILE]``: the default business assumptions, to edit."""
    from blendsim.scenario.assumptions import assumptions_to_toml, default_assumptions

    text = assumptions_to_toml(default_assumptions())
    if args.out:
        path = Path(args.out)
        if path.exists():
            raise InputError(f"--out {args.out!r} exists; blendsim does not overwrite an "
                             f"assumptions file (it may hold the centre's own figures)")
        write_atomically(path, text)
        print(f"written: {path}")
        return 0
    print(text, end="")
    return 0


def add_commands(sub) -> None:
    """Add ``run``, ``tradeoff``, ``sweep`` and ``validate`` to the command's subparsers."""
    # Descriptions are printed as written; help strings go through %-formatting (%% is %).
    r = sub.add_parser("run", help="simulate a scenario file and summarise the day",
                       description="Simulate a scenario file (TOML): the day's figures with "
                                   "95% confidence intervals and a per-interval table; "
                                   "--out writes them as CSV files and charts.")
    r.add_argument("scenario", metavar="SCENARIO.toml")
    r.add_argument("--replications", default="20", help="simulated days (default 20)")
    r.add_argument("--seed", help="seed for the random streams (default: fresh, printed)")
    r.add_argument("--out", metavar="DIR",
                   help="write summary/intervals/types/groups CSVs and charts here (a new "
                        "folder, or one blendsim wrote: its earlier outputs are replaced)")
    r.add_argument("--contacts", action="store_true",
                   help="with --out, also write every contact record (contacts.csv)")
    r.add_argument("--json", action="store_true", help=_JSON_HELP)
    _backend_options(r)
    r.set_defaults(func=cmd_run)

    t = sub.add_parser("tradeoff", help="inbound service vs outbound conversations per reserve",
                       description="Simulate a scenario with an outbound campaign at each "
                                   "reserve (agents kept idle for inbound) and/or blended team "
                                   "size, all with one seed, and show what each buys: inbound "
                                   "service level against conversations per day. The best "
                                   "point is the one with most conversations whose service "
                                   "level's 95% interval meets the target. --out writes the "
                                   "table (tradeoff.csv) and the frontier plot "
                                   "(frontier.png).")
    t.add_argument("scenario", metavar="SCENARIO.toml")
    t.add_argument("--reserve", help="reserves to try: 0..6 or 0,2,4")
    t.add_argument("--reserve-schedule", action="store_true",
                   help="instead, find the smallest reserve per interval that keeps each "
                        "interval's target, confirmed on fresh days against the best "
                        "constant reserve; --out writes reserve_schedule.csv and "
                        "scenario_with_schedule.toml (ready to run)")
    t.add_argument("--blended", help="blended team sizes to try: 0..10 or 2,4,6")
    t.add_argument("--rule", choices=RULES,
                   help="what must meet the target: the day, every interval, or a share of "
                        "intervals (default: the scenario's service_target.rule)")
    t.add_argument("--share", help="with --rule share_of_intervals: the share of intervals "
                                   "(default: the scenario's, 0.9)")
    t.add_argument("--replications", default="20", help="simulated days per point (default 20)")
    t.add_argument("--seed", help="seed for every point (default: fresh, printed)")
    t.add_argument("--out", metavar="DIR", help="write tradeoff.csv and frontier.png here")
    t.add_argument("--json", action="store_true", help=_JSON_HELP)
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
    w.add_argument("--json", action="store_true", help=_JSON_HELP)
    _backend_options(w)
    w.set_defaults(func=cmd_sweep)

    o = sub.add_parser("roster", help="the cheapest shifts that keep every interval's target",
                       description="Choose how many agents of each group work each shift the "
                                   "templates (--shifts FILE) allow: the cheapest roster whose "
                                   "simulated day keeps the inbound target in every interval "
                                   "(and reaches --outreach conversations a day), found by "
                                   "integer covers with cuts where a simulated interval "
                                   "misses, and confirmed on fresh days beside the two-step "
                                   "roster (the cover of the analytic requirement). --out "
                                   "writes roster.csv, rostered.toml (ready to run), "
                                   "intervals.csv, history.csv, curve.csv and roster.png.")
    o.add_argument("scenario", metavar="SCENARIO.toml")
    o.add_argument("--shifts", required=True, metavar="SHIFTS.toml",
                   help="the shift templates: lengths, start windows, breaks, costs, groups")
    o.add_argument("--outreach", metavar="N",
                   help="proactive conversations a day to reach: N in all, or "
                        "CAMPAIGN=N,CAMPAIGN=N")
    o.add_argument("--two-step", action="store_true",
                   help="only the cover of the analytic requirement: no simulation")
    o.add_argument("--method", choices=("mol", "sipp", "lag"), default="mol",
                   help="the analytic requirement (default mol; Erlang A when callers "
                        "abandon)")
    o.add_argument("--rule", choices=("every_interval", "share_of_intervals"),
                   default="every_interval",
                   help="every interval (default) or a share of them (with --share)")
    o.add_argument("--share", help="share_of_intervals: the share that must keep the target")
    o.add_argument("--replications", default="20",
                   help="simulated days per evaluation to begin with (default 20)")
    o.add_argument("--max-replications",
                   help="the evaluations double up to this once settled (default 4 x "
                        "--replications)")
    o.add_argument("--margin", help="half-widths of its 95%% interval an interval must clear "
                                    "the level by, 0 to 1 (default 1)")
    o.add_argument("--max-iterations", help="evaluations allowed (default 30)")
    o.add_argument("--curve", default="3", metavar="STEPS",
                   help="with one outreach goal: further goals of +10 conversations to cost "
                        "by simulation (default 3; 0 for none)")
    o.add_argument("--seed", help="tuning seed (default fresh, printed); the confirmation "
                                  "uses another")
    o.add_argument("--out", metavar="DIR", help="write the roster's files here")
    o.add_argument("--json", action="store_true", help=_JSON_HELP)
    _backend_options(o)
    o.set_defaults(func=cmd_roster)

    c = sub.add_parser("compare", help="two scenarios on the same days: paired differences",
                       description="Simulate two scenario files with one seed, so both see "
                                   "the same callers and customer lists (common random "
                                   "numbers), and give every figure of the day with its "
                                   "paired difference (B minus A) and 95%% interval. --out "
                                   "writes day.csv and intervals.csv (each interval's "
                                   "differences).")
    c.add_argument("baseline", metavar="A.toml")
    c.add_argument("alternative", metavar="B.toml")
    c.add_argument("--independent", action="store_true",
                   help="simulate B on other days and give Welch intervals (to see what the "
                        "pairing buys)")
    c.add_argument("--replications", default="40", help="simulated days each (default 40)")
    c.add_argument("--seed", help="seed for both (default: fresh, printed)")
    c.add_argument("--out", metavar="DIR", help="write day.csv and intervals.csv here")
    c.add_argument("--json", action="store_true", help=_JSON_HELP)
    _backend_options(c)
    c.set_defaults(func=cmd_compare)

    p = sub.add_parser("report", help="the executive's page: a pilot's business case",
                       description="Compare a baseline and a pilot on the same simulated days "
                                   "and write one self-contained HTML page (one printed page "
                                   "and an appendix): the verdict, the paired differences, "
                                   "cost and value with their sensitivity, the figures as "
                                   "the blended team grows, and how many days a live pilot "
                                   "must run. --pdf also prints it to PDF with a headless "
                                   "Chromium.")
    p.add_argument("baseline", metavar="BASELINE.toml")
    p.add_argument("alternative", metavar="PILOT.toml")
    p.add_argument("--assumptions", metavar="FILE",
                   help="business assumptions (TOML; missing figures take the published "
                        "defaults: blendsim assumptions --out FILE writes them to edit)")
    p.add_argument("--scale", metavar="LOW..HIGH",
                   help="blended team sizes to try (default: the pilot's size to four times "
                        "it; none for no scaling)")
    p.add_argument("--replications", default="40", help="simulated days each (default 40)")
    p.add_argument("--seed", help="seed for everything (default: fresh, printed on the page)")
    p.add_argument("--out", required=True, metavar="report.html", help="the page to write")
    p.add_argument("--pdf", action="store_true",
                   help="also print the page to a PDF beside it (needs Chromium)")
    p.add_argument("--json", action="store_true",
                   help="print the page's figures as one JSON document")
    _backend_options(p)
    p.set_defaults(func=cmd_report)

    a = sub.add_parser("assumptions", help="the default business assumptions, to edit",
                       description="Print (or write with --out) the business assumptions "
                                   "the report uses by default, each with its unit, range "
                                   "and published source, as a TOML file to replace with the "
                                   "centre's own figures.")
    a.add_argument("--out", metavar="FILE", help="write them to FILE (a new file)")
    a.set_defaults(func=cmd_assumptions)

    v = sub.add_parser("validate", help="check a scenario file and report every problem",
                       description="Check a scenario file: every problem is reported at once, "
                                   "one line each, naming the field, the value and what is "
                                   "allowed.")
    v.add_argument("scenario", metavar="SCENARIO.toml")
    v.add_argument("--json", action="store_true",
                   help="on success, print the scenario's outline as JSON")
    v.set_defaults(func=cmd_validate)


# --------------------------------------------------------------------------------------------
# staff SCENARIO.toml --simulate (the parser is the staff command's, in app.py)

# Options of the analytic staff command that mean nothing to staffing by simulation.
ANALYTIC_ONLY = {"interval": "--interval", "aht": "--aht", "method": "--method",
                 "lag": "--lag", "handle_cv": "--handle-cv", "target_asa": "--target-asa",
                 "max_occupancy": "--max-occupancy", "max_abandon": "--max-abandon",
                 "patience": "--patience"}
SIMULATE_ONLY = {"rule": "--rule", "share": "--share", "replications": "--replications",
                 "max_replications": "--max-replications", "seed": "--seed",
                 "start": "--start", "margin": "--margin", "max_iterations": "--max-iterations",
                 "store": "--store", "backend": "--backend", "workers": "--workers",
                 "scheduler": "--scheduler", "groups": "--group"}


def add_staff_simulation_options(parser) -> None:
    """The options of ``blendsim staff SCENARIO.toml --simulate``."""
    from blendsim.experiment.staffing import STAFF_RULES, STARTS
    g = parser.add_argument_group("staffing by simulation (with --simulate, on a scenario "
                                  "file)")
    g.add_argument("--simulate", action="store_true",
                   help="staff SCENARIO.toml by simulation: the fewest agents per interval "
                        "that keep every interval's target, confirmed on fresh days")
    g.add_argument("--rule", choices=STAFF_RULES, default=None,
                   help="every_interval (default) or share_of_intervals (with --share)")
    g.add_argument("--share", help="share_of_intervals: the share that must keep the target, "
                                   "e.g. 0.9 (default the scenario's)")
    g.add_argument("--replications", default=None, help="simulated days per evaluation to "
                                                        "begin with (default 20)")
    g.add_argument("--max-replications", help="the evaluations double up to this once "
                                              "settled (default 4 x --replications)")
    g.add_argument("--seed", help="tuning seed (default fresh, printed); the confirmation "
                                  "uses another")
    g.add_argument("--start", choices=STARTS, default=None,
                   help="first staffing: mol (default), sipp, lag, or the scenario's own")
    g.add_argument("--group", dest="groups", action="append", metavar="NAME",
                   help="a group to staff (repeat; default the inbound-only groups)")
    g.add_argument("--margin", help="half-widths of its 95%% interval an interval's estimate "
                                    "must clear the level by, 0 to 1 (default 1)")
    g.add_argument("--max-iterations", help="evaluations allowed (default 50)")
    g.add_argument("--store", metavar="FILE", help="keep evaluations in this store; a rerun "
                                                   "on it resumes")
    parser.add_argument("--backend", choices=("pool", "serial", "dask"), default=None,
                        help="--simulate: where replications run (default a process pool)")
    parser.add_argument("--workers", help="--simulate: pool or local Dask processes")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="--simulate: a Dask scheduler, with --backend dask")
    parser.add_argument("--quiet", action="store_true", help="--simulate: no progress bar")


def refuse_mixed_staff_options(args) -> None:
    given = lambda name: getattr(args, name, None) not in (None, False)  # noqa: E731
    if args.simulate:
        wrong = [opt for name, opt in ANALYTIC_ONLY.items() if given(name)]
        if args.min_agents not in (None, "0") or args.shrinkage not in (None, "0"):
            wrong += [o for o, v in (("--min-agents", args.min_agents),
                                     ("--shrinkage", args.shrinkage)) if v not in (None, "0")]
        if wrong:
            raise InputError(f"{', '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} for "
                             f"staffing a forecast CSV; with --simulate the scenario file "
                             f"holds the calls, handle times and patience")
    else:
        wrong = [opt for name, opt in SIMULATE_ONLY.items() if given(name)]
        if wrong:
            raise InputError(f"{', '.join(wrong)} {'needs' if len(wrong) == 1 else 'need'} "
                             f"--simulate (staffing a scenario file by simulation)")


def _search_options(args) -> dict:
    """The simulation-search options that staff --simulate and roster share, checked."""
    kw = {}
    if args.max_replications is not None:
        kw["max_replications"] = int(number_option("--max-replications",
                                                   args.max_replications, low=2,
                                                   integer=True))
    if args.share is not None:
        kw["share"] = number_option("--share", args.share, low=0, high=1)
    if args.margin is not None:
        kw["margin"] = number_option("--margin", args.margin, low=0, high=1)
    if args.max_iterations is not None:
        kw["max_iterations"] = int(number_option("--max-iterations", args.max_iterations,
                                                 low=1, integer=True))
    return kw


def cmd_staff_simulated(args) -> int:
    """``blendsim staff SCENARIO.toml --simulate``."""
    from blendsim.cli._args import parse_target
    from blendsim.experiment.staffing import staff_by_simulation
    from blendsim.scenario.parts import ServiceTarget

    sc = load_scenario(args.forecast)
    target = None
    if args.target is not None:
        level, seconds = parse_target(args.target)
        t = sc.service_target
        target = ServiceTarget(level=level, seconds=seconds, definition=t.definition,
                               short_abandon=t.short_abandon, share=t.share)
    kw = {}
    if args.replications is not None:
        kw["replications"] = int(number_option("--replications", args.replications, low=2,
                                               integer=True))
    kw.update(_search_options(args))
    seed = new_seed() if args.seed is None else seed_option(args.seed)
    if args.out:
        check_out_folder(Path(args.out))
    plan = staff_by_simulation(sc, target=target, rule=args.rule or "every_interval",
                               seed=seed, start=args.start or "mol", groups=args.groups,
                               store=args.store, **kw, **_backend_kwargs(args))
    staffed = plan.scenario
    head = plan.headcount.drop(columns="interval").rename(columns={"start": "interval_start"})
    files = {}
    if args.out:
        files = {"headcount.csv": csv_text(head),
                 "intervals.csv": csv_text(plan.intervals),
                 "history.csv": csv_text(plan.history.assign(
                     headcount=[" ".join(map(str, h)) for h in plan.history["headcount"]])),
                 "staffed.toml": dump_scenario(staffed),
                 "service_level.png": _png(plots.service_level_by_interval, plan.result)}
    written = _write(args, files, "staff", sc, plan.seed)
    j = plan.judgement
    if args.json:
        print(dumps({
            "command": "staff", "mode": "simulate", "scenario": _description(sc),
            "seed": plan.seed, "confirm_seed": plan.confirm_seed,
            "replications": plan.replications, "iterations": plan.iterations,
            "rule": plan.rule, "converged": plan.converged, "unmet": list(plan.unmet),
            "excused": list(plan.excused), "groups": list(plan.groups),
            "agent_hours": plan.agent_hours(),
            "headcount": _records(head), "start": _records(plan.start),
            "intervals": _records(plan.intervals),
            "judgement": {"line": j.line(), "verdict": j.verdict, "below": j.below,
                          "missed": j.missed, "judged": j.judged},
            **written}))
        return 0
    print(_describe(sc))
    print(plan.summary())
    print()
    t = plan.intervals
    rows = []
    several = list(plan.groups) if len(plan.groups) > 1 else []
    for k, r in head.iterrows():
        rows.append([r["interval_start"], str(int(plan.start["total"].iloc[k])),
                     *[str(int(r[g])) for g in several], str(int(r["total"])),
                     f"{t['offered'].iloc[k]:.1f}",
                     f"{pct(t['service_level'].iloc[k])} [{pct(t['ci_low'].iloc[k])}, "
                     f"{pct(t['ci_high'].iloc[k])}]" if t["service_level"].notna().iloc[k]
                     else "-", str(t["verdict"].iloc[k])])
    headers = ["interval", "start", *several, "agents", "offered",
               "SL on fresh days [95% CI]", "verdict"]
    print(format_table(headers, rows))
    _print_written(written, args.out)
    return 0


# --------------------------------------------------------------------------------------------
# roster SCENARIO.toml --shifts SHIFTS.toml

def _outreach_option(text):
    """``--outreach 150`` or ``--outreach "service calls=100,retention=50"``."""
    if text is None:
        return None
    if "=" not in text:
        return number_option("--outreach", text, low=0)
    goals = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        name = name.strip()
        if not name or name in goals:
            raise InputError(f"--outreach must be N or CAMPAIGN=N,CAMPAIGN=N with each "
                             f"campaign once (got {text!r})")
        goals[name] = number_option(f"--outreach {name}", value.strip(), low=0)
    return goals


def cmd_roster(args) -> int:
    """``blendsim roster SCENARIO.toml --shifts SHIFTS.toml``."""
    from blendsim.experiment.roster import cover_roster, roster_by_simulation
    from blendsim.scenario.templates import load_shift_templates

    sc = load_scenario(args.scenario)
    templates = load_shift_templates(args.shifts)
    outreach = _outreach_option(args.outreach)
    if args.out:
        check_out_folder(Path(args.out))
    if args.two_step:
        roster = cover_roster(sc, templates, method=args.method, outreach=outreach)
        files = {}
        if args.out:
            files = {"roster.csv": csv_text(roster.shifts),
                     "intervals.csv": csv_text(roster.intervals),
                     "unmet.csv": csv_text(roster.unmet),
                     "rostered.toml": dump_scenario(roster.scenario),
                     "roster.png": _png(_roster_figure, roster)}
        written = _write(args, files, "roster", sc, 0)
        if args.json:
            print(dumps({"command": "roster", "mode": "two_step", "scenario": _description(sc),
                         "cost": roster.cost, "status": roster.status,
                         "paid_hours": roster.paid_hours(), "shifts": _records(roster.shifts),
                         "unmet": _records(roster.unmet), "goals": _records(roster.goals),
                         **written}))
            return 0
        print(_describe(sc))
        print(roster.summary())
        print()
        _print_shifts(roster.shifts)
        _print_written(written, args.out)
        return 0
    kw = {"replications": int(number_option("--replications", args.replications, low=2,
                                            integer=True)),
          "curve_steps": int(number_option("--curve", args.curve, low=0, integer=True))}
    kw.update(_search_options(args))
    seed = new_seed() if args.seed is None else seed_option(args.seed)
    plan = roster_by_simulation(sc, templates, outreach=outreach, method=args.method,
                                rule=args.rule, seed=seed, **kw, **_backend_kwargs(args))
    files = {}
    if args.out:
        files = {"roster.csv": csv_text(plan.roster.shifts),
                 "two_step_roster.csv": csv_text(plan.two_step.shifts),
                 "intervals.csv": csv_text(plan.intervals),
                 "history.csv": csv_text(plan.history),
                 "rostered.toml": dump_scenario(plan.scenario),
                 "roster.png": _png(_roster_figure, plan)}
        if len(plan.conversations):
            files["outreach.csv"] = csv_text(plan.conversations)
        if len(plan.curve):
            files["curve.csv"] = csv_text(plan.curve)
    written = _write(args, files, "roster", sc, plan.seed)
    j, t = plan.judgement, plan.two_step_judgement
    if args.json:
        print(dumps({
            "command": "roster", "mode": "simulate", "scenario": _description(sc),
            "seed": plan.seed, "confirm_seed": plan.confirm_seed,
            "replications": plan.replications, "iterations": plan.iterations,
            "converged": plan.converged, "cost": plan.roster.cost,
            "paid_hours": plan.roster.paid_hours(), "two_step_cost": plan.two_step.cost,
            "shifts": _records(plan.roster.shifts), "intervals": _records(plan.intervals),
            "outreach": _records(plan.conversations), "curve": _records(plan.curve),
            "judgement": {"line": j.line(), "verdict": j.verdict, "below": j.below,
                          "missed": j.missed, "judged": j.judged},
            "two_step_judgement": {"line": t.line(), "verdict": t.verdict,
                                   "below": t.below, "missed": t.missed},
            **written}))
        return 0
    print(_describe(sc))
    print(plan.summary())
    print()
    _print_shifts(plan.roster.shifts)
    print()
    rows = []
    s = plan.intervals
    for k in range(len(s)):
        judged = s["service_level"].notna().iloc[k]
        rows.append([s["start"].iloc[k], f"{s['requirement'].iloc[k]:g}",
                     f"{s['scheduled'].iloc[k]:g}", f"{s['offered'].iloc[k]:.1f}",
                     f"{pct(s['service_level'].iloc[k])} [{pct(s['ci_low'].iloc[k])}, "
                     f"{pct(s['ci_high'].iloc[k])}]" if judged else "-",
                     pct(s["two_step_service_level"].iloc[k]) if judged else "-",
                     str(s["verdict"].iloc[k])])
    print(format_table(["start", "requirement", "scheduled", "offered",
                        "SL on fresh days [95% CI]", "two-step SL", "verdict"], rows))
    if len(plan.curve) > 1:
        print()
        print(format_table(["goal", "cost", "extra cost", "conversations"],
                           [[f"{r.goal:,.0f}", f"{r.cost:,.2f}", f"{r.extra_cost:+,.2f}",
                             f"{r.conversations:,.1f}"] for r in plan.curve.itertuples()]))
    _print_written(written, args.out)
    return 0


def _roster_figure(plan):
    return plots.roster_chart(plan)[0]  # (the axes of one figure: the first will do)


def _print_shifts(shifts: pd.DataFrame) -> None:
    if not len(shifts):
        print("no shift posted")
        return
    print(format_table(["template", "group", "start", "end", "breaks", "agents",
                        "paid hours", "cost"],
                       [[r.template, r.group, str(r.start), str(r.end), r.breaks or "-",
                         str(r.count), f"{r.paid_hours:g}", f"{r.cost:,.2f}"]
                        for r in shifts.itertuples()]))
