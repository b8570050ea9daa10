"""The ``blendsim`` command: a thin shell over the library.

Every command does something the Python API can do too; the CLI only parses arguments, calls
the library and prints.  Times are in seconds unless they carry a unit (``30m``, ``1h``).
Bad input prints one line, ``blendsim: error: ...``, and exits with status 1.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from blendsim._validate import MAX_AGENTS
from blendsim._version import __version__
from blendsim.analytic.blend import MAX_AGENTS as MAX_BLEND_AGENTS
from blendsim.analytic.blend import best_reserve, chain_states, threshold_blend
from blendsim.analytic.erlang import (
    QueueTooLongError,
    asa,
    erlang_a,
    erlang_c,
    occupancy,
    service_level,
)
from blendsim.analytic.staffing import required_agents, scheduled_agents, staffing_table
from blendsim.cli._args import (
    MAX_SECONDS,
    MIN_SECONDS,
    number_option,
    parse_duration,
    parse_int_range,
    parse_target,
)
from blendsim.cli.sim import add_commands
from blendsim.errors import BlendsimError, InfeasibleError, InputError
from blendsim.experiment.backends import interrupt_on_signals
from blendsim.outputs.files import dumps, write_atomically
from blendsim.outputs.tables import format_table, pct, secs

__all__ = ["main"]

# Bounds on what a user can type (each refused with a message naming it):
MAX_CALLS = 1e9  # calls offered in one interval
MAX_ROWS = 1_000  # --below / --above rows around the requirement
# blend: the exact chains solved for one command, in states summed over the solves.  A solve
# of 50,000 states takes about half a second and the cost grows faster than the size.
MAX_BLEND_STATES = 5_000_000
# staff: a forecast file of at most this many intervals and bytes (a year of 5-minute
# intervals over a 14-hour day is 61,000; Erlang A takes about 2 ms an interval).
MAX_FORECAST_ROWS = 100_000
MAX_FORECAST_BYTES = 64 * 2**20


# --------------------------------------------------------------------------------------------
# Commands


def _targets_from(args) -> dict:
    """The library's target arguments from the options, checked in the options' words."""
    given = [args.target, getattr(args, "target_asa", None),
             getattr(args, "max_abandon", None), getattr(args, "max_occupancy", None)]
    if all(g is None for g in given):
        raise InputError("give a target: --target 80/20, --target-asa SECONDS, "
                         "--max-occupancy FRACTION or --max-abandon FRACTION (with --patience)")
    if getattr(args, "max_abandon", None) is not None and args.patience is None:
        raise InputError(f"--max-abandon needs --patience (mean seconds before a caller hangs "
                         f"up); got --max-abandon {args.max_abandon} alone")
    kw = {}
    if args.target is not None:
        kw["target_sl"], kw["target_time"] = parse_target(args.target)
    if getattr(args, "target_asa", None) is not None:
        kw["target_asa"] = parse_duration("--target-asa", args.target_asa)
    if getattr(args, "max_abandon", None) is not None:
        kw["max_abandon"] = number_option("--max-abandon", args.max_abandon, low=0,
                                          low_open=True, high=1, high_open=True, fraction=True)
    if getattr(args, "max_occupancy", None) is not None:
        kw["max_occupancy"] = number_option("--max-occupancy", args.max_occupancy, low=0,
                                            low_open=True, high=1, fraction=True)
    if args.patience is not None:
        kw["model"] = "erlang_a"
        kw["patience"] = parse_duration("--patience", args.patience)
    return kw


def _erlang_row(n: int, rate: float, aht: float, kw: dict) -> dict:
    """Figures for one staffing level (Erlang C, or Erlang A with patience)."""
    t = kw.get("target_time")
    if kw.get("model") == "erlang_a":
        r = erlang_a(n, rate, aht, kw["patience"], target=t)
        return {"agents": n, "service_level": r.service_level, "asa": r.asa,
                "p_wait": r.p_wait, "occupancy": r.occupancy, "p_abandon": r.p_abandon}
    a = rate * aht
    return {"agents": n, "service_level": None if t is None else service_level(n, a, aht, t),
            "asa": asa(n, a, aht), "p_wait": erlang_c(n, a), "occupancy": occupancy(n, a),
            "p_abandon": 0.0}


def _shrinkage(args) -> float:
    return number_option("--shrinkage", args.shrinkage, low=0, high=1, high_open=True,
                         fraction=True)


def _calls(args) -> float:
    return number_option("--calls", args.calls, low=0, high=MAX_CALLS)


def cmd_erlang(args) -> int:
    interval = parse_duration("--interval", args.interval, default_unit=None)
    calls = _calls(args)
    aht = parse_duration("--aht", args.aht)
    shrinkage = _shrinkage(args)
    below = int(number_option("--below", args.below, low=0, integer=True, high=MAX_ROWS))
    above = int(number_option("--above", args.above, low=0, integer=True, high=MAX_ROWS))
    kw = _targets_from(args)
    rate = calls / interval
    req = required_agents(rate, aht, shrinkage=shrinkage, **kw)
    skipped = 0
    if calls == 0:
        rows = []
    else:
        lowest = 1 if kw.get("model") == "erlang_a" else max(1, math.floor(rate * aht) + 1)
        first = max(lowest, req.agents - below)
        rows = []
        for n in range(first, req.agents + above + 1):
            try:
                rows.append(_erlang_row(n, rate, aht, kw))
            except QueueTooLongError:  # far below the requirement with very patient callers
                skipped = n
    for r in rows:
        r["scheduled"] = scheduled_agents(r["agents"], shrinkage)
    model = kw.get("model", "erlang_c")
    if args.json:
        print(dumps({
            "inputs": {"calls": calls, "interval_seconds": interval, "aht_seconds": aht,
                       "load_erlangs": rate * aht, "model": model, "shrinkage": shrinkage,
                       **{k: v for k, v in kw.items() if k != "model"}},
            "required": {"agents": req.agents, "scheduled": req.scheduled,
                         "service_level": req.service_level, "asa": req.asa,
                         "p_wait": req.p_wait, "occupancy": req.occupancy,
                         "p_abandon": req.p_abandon},
            "rows": rows,
        }))
        return 0
    goal = []
    if "target_sl" in kw:
        goal.append(f"{100 * kw['target_sl']:g}% answered within {kw['target_time']:g} s")
    if "target_asa" in kw:
        goal.append(f"ASA <= {kw['target_asa']:g} s")
    if "max_abandon" in kw:
        goal.append(f"abandonment <= {100 * kw['max_abandon']:g}%")
    if "max_occupancy" in kw:
        goal.append(f"occupancy <= {100 * kw['max_occupancy']:g}%")
    name = (f"Erlang A, mean patience {kw['patience']:g} s" if model == "erlang_a"
            else "Erlang C")
    print(f"{calls:g} calls per {interval / 60:g} min, AHT {aht:g} s: load "
          f"{rate * aht:.2f} Erlangs ({name})")
    print(f"target: {', '.join(goal)}")
    headers = ["agents", "service level", "ASA (s)", "P(wait)", "occupancy"]
    if model == "erlang_a":
        headers.append("abandoned")
    if shrinkage > 0:
        headers.append(f"scheduled @{100 * shrinkage:g}% shrinkage")
    table = []
    for r in rows:
        cells = [str(r["agents"]), pct(r["service_level"]), secs(r["asa"]),
                 pct(r["p_wait"]), pct(r["occupancy"])]
        if model == "erlang_a":
            cells.append(pct(r["p_abandon"], 2))
        if shrinkage > 0:
            cells.append(str(r["scheduled"]))
        table.append(cells)
    marks = {i: "<- required" for i, r in enumerate(rows) if r["agents"] == req.agents}
    print()
    if rows:
        print(format_table(headers, table, marks))
        if skipped:
            print(f"(rows up to {skipped} agents left out: with so few agents the queue grows "
                  "past the million places Erlang A sums over)")
    else:
        print("no calls offered: nothing to answer, no agents needed")
    extra = f", schedule {req.scheduled}" if shrinkage > 0 else ""
    print(f"\nrequired: {req.agents} agents on the phones{extra}")
    return 0


def _cell(value) -> str:
    """A CSV cell as the user wrote it (numpy scalars shown as plain numbers)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and abs(value) < 1e15 and value == int(value):
        value = int(value)
    return repr(value) if isinstance(value, str) else str(value)


def _check_delimiter(path: str, df: pd.DataFrame) -> None:
    """A file written with another delimiter reads as one column named ``a;b;c``."""
    if len(df.columns) == 1:
        header = str(df.columns[0])
        for sep, name in ((";", "semicolon"), ("\t", "tab")):
            if sep in header:
                raise InputError(f"{path}: looks {name}-separated (header {header!r}); "
                                 "blendsim reads comma-separated CSV: save the file with "
                                 "commas between the columns")


# Each forecast column's domain: (low, high, unit) with low exclusive for aht.
_CELL_BOUNDS = {"calls": (0.0, MAX_CALLS, ""), "aht": (MIN_SECONDS, MAX_SECONDS, " seconds")}


def _read_forecast(path: str, aht: float | None) -> pd.DataFrame:
    p = Path(path)
    if not p.is_file():
        raise InputError(f"forecast file not found: {path!r}")
    if p.stat().st_size > MAX_FORECAST_BYTES:
        raise InputError(f"{path}: {p.stat().st_size / 2**20:,.0f} MB is more than a forecast "
                         f"holds (at most {MAX_FORECAST_BYTES // 2**20} MB and "
                         f"{MAX_FORECAST_ROWS:,} intervals): split it")
    try:
        # index_col=False: a trailing comma on every row (spreadsheet exports) must not turn
        # the first column into the index and shift the others.  Rows longer than that
        # would lose their extra cells with only a warning: refuse them.
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            df = pd.read_csv(p, index_col=False, skipinitialspace=True)
    except pd.errors.ParserWarning:
        raise InputError(f"{path}: not a readable CSV file (a row has more cells than the "
                         "header names)") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: not a readable CSV file ({str(e).splitlines()[0]})") from None
    df.columns = [str(c).strip() for c in df.columns]
    _check_delimiter(path, df)
    if aht is not None:
        df["aht"] = aht
    missing = [c for c in ("interval_start", "calls", "aht") if c not in df.columns]
    if missing:
        hint = " (or give --aht)" if missing == ["aht"] else ""
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}{hint}; the file has "
                         f"{', '.join(df.columns) or 'no columns'}")
    if df.empty:
        raise InputError(f"{path}: no intervals (the file has a header but no rows)")
    if len(df) > MAX_FORECAST_ROWS:
        raise InputError(f"{path}: {len(df):,} intervals; blendsim staffs at most "
                         f"{MAX_FORECAST_ROWS:,} from one file (a year of 5-minute intervals "
                         "over a 14-hour day is 61,000): split it")
    values = {}
    for col in ("calls", "aht"):
        values[col] = pd.to_numeric(df[col], errors="coerce")
        low, high, unit = _CELL_BOUNDS[col]
        for i, (raw, x) in enumerate(zip(df[col], values[col], strict=True)):
            where = f"{path}: row {i + 2}, column {col}"
            if pd.isna(raw):
                if col == "calls":
                    raise InputError(f"{where} is empty (give 0 for an interval without calls)")
                continue
            if pd.isna(x):
                raise InputError(f"{where} must be a number (got {_cell(raw)})")
            if not math.isfinite(x):
                raise InputError(f"{where} must be a finite number (got {_cell(raw)})")
            if x < 0:
                raise InputError(f"{where} must be >= 0 (got {_cell(raw)})")
            if x > high:
                raise InputError(f"{where} must be at most {high:,.0f}{unit} (got {_cell(raw)})")
    bad = (values["calls"] > 0) & ~(values["aht"] > 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        where = f"{path}: row {i + 2}, column aht"
        n = _cell(df["calls"].iloc[i])
        if pd.isna(df["aht"].iloc[i]):
            raise InputError(f"{where} is empty but the interval has {n} calls: give its "
                             "average handle time in seconds (or --aht for every interval)")
        raise InputError(f"{where} must be > 0 seconds where there are calls "
                         f"(got {_cell(df['aht'].iloc[i])})")
    short = (values["aht"] > 0) & (values["aht"] < MIN_SECONDS)
    if short.any():
        i = int(np.flatnonzero(short.to_numpy())[0])
        raise InputError(f"{path}: row {i + 2}, column aht must be at least {MIN_SECONDS:g} "
                         f"seconds (got {_cell(df['aht'].iloc[i])})")
    return df


def _start_seconds(labels: pd.Series) -> tuple[np.ndarray | None, bool]:
    """Each ``interval_start`` in seconds, and whether they are clock times of one day.

    Clock times (``"08:30"``) give seconds since midnight, dates with times seconds since
    the earliest; labels that are neither (``"morning"``) give None.
    """
    clock = labels.str.fullmatch(r"([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?")
    if clock.all():
        parts = labels.str.split(":", expand=True).fillna("0").astype(int)
        secs = parts[0] * 3600 + parts[1] * 60 + (parts[2] if parts.shape[1] > 2 else 0)
        return secs.to_numpy(float), True
    parsed = pd.to_datetime(labels, errors="coerce", format="mixed")
    if parsed.isna().any():
        return None, False
    return (parsed - parsed.min()).dt.total_seconds().to_numpy(float), False


def _time_order(secs: np.ndarray, clock: bool) -> np.ndarray:
    """Row order by interval start: the file's own if it is already in time order.

    Clock times may run past midnight: the day starts after the longest gap between
    consecutive times (round the clock), so 23:00, 23:30, 00:00 stay in that order.
    """
    n = len(secs)
    order = np.argsort(secs, kind="stable")
    if not clock or n < 2:
        return order
    ordered = secs[order]
    gaps = np.diff(np.append(ordered, ordered[0] + 86400))  # the gap after each time
    if gaps[-1] < gaps.max():  # the longest gap is not overnight: start after it
        order = np.roll(order, -(int(np.argmax(gaps)) + 1))
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(n)
    # The file's order is this one started at another longest gap (a whole day, evenly
    # spaced, may start anywhere): keep it.
    rotated = (np.diff(rank) % n == 1).all()
    if rotated and (secs[0] - secs[-1]) % 86400 >= (np.diff(secs) % 86400).max():
        return np.arange(n)
    return order


def _order_forecast(path: str, df: pd.DataFrame, interval: float | None,
                    interval_text: str | None) -> tuple[pd.DataFrame, float, bool]:
    """The forecast in time order, its interval length, and whether rows were reordered.

    A repeated ``interval_start`` is refused.  Without ``interval`` the length comes from
    evenly spaced starts; with it, the starts (if they are times) must be that far apart.
    """
    labels = df["interval_start"].astype(str).str.strip()
    secs, clock = _start_seconds(labels)
    keys = labels.to_numpy() if secs is None else secs
    seen: dict = {}
    for label, key in zip(labels, keys, strict=True):
        if key in seen:
            same = "" if seen[key] == label else f" (the same time as {seen[key]!r})"
            raise InputError(f"{path}: interval_start {label!r} appears twice{same}; each "
                             "interval must have one row")
        seen[key] = label
    if secs is None or len(secs) < 2:
        if interval is None:
            raise InputError(f"{path}: cannot tell the interval length from interval_start; "
                             "give --interval (e.g. --interval 30m)")
        return df, interval, False
    order = _time_order(secs, clock)
    reordered = bool((order != np.arange(len(order))).any())
    if reordered:
        df = df.iloc[order].reset_index(drop=True)
        secs = secs[order]
    steps = np.diff(secs) % 86400 if clock else np.diff(secs)
    distinct = np.unique(steps)
    if interval is not None:
        if distinct[0] != interval:
            raise InputError(f"{path}: --interval {interval_text} ({interval / 60:g} min) "
                             f"disagrees with the file, whose interval_start values are "
                             f"{distinct[0] / 60:g} min apart; drop --interval or correct it")
        return df, interval, reordered
    if len(distinct) != 1:
        shown = " and ".join(f"{x / 60:g}" for x in distinct[:3])
        raise InputError(f"{path}: interval_start values are not evenly spaced (steps of "
                         f"{shown}{' ...' if len(distinct) > 3 else ''} min); "
                         "give --interval (e.g. --interval 30m)")
    return df, float(distinct[0]), reordered


def cmd_staff(args) -> int:
    aht = None if args.aht is None else parse_duration("--aht", args.aht)
    given = (parse_duration("--interval", args.interval, default_unit=None)
             if args.interval is not None else None)
    shrinkage = _shrinkage(args)
    min_agents = int(number_option("--min-agents", args.min_agents, low=0, integer=True,
                                   high=MAX_AGENTS, why="the largest team blendsim staffs"))
    kw = _targets_from(args)
    df = _read_forecast(args.forecast, aht)
    df, interval, reordered = _order_forecast(args.forecast, df, given, args.interval)
    table = staffing_table(df, interval=interval, shrinkage=shrinkage, min_agents=min_agents,
                           **kw)
    csv_text = table.to_csv(index=False, float_format="%.6g")
    if args.out:
        write_atomically(Path(args.out), csv_text)
    if args.json:
        print(dumps({"interval_seconds": interval, "rows": table.to_dict(orient="records")}))
        return 0
    if reordered:
        print(f"note: {args.forecast} lists its intervals out of time order; they are sorted "
              "by interval_start\n")
    hours = interval / 3600.0
    show = pd.DataFrame({
        "start": table["interval_start"].astype(str),
        "calls": table["calls"].map(lambda x: f"{x:g}"),
        "AHT": table["aht"].map(lambda x: "-" if np.isnan(x) else f"{x:.0f}"),
        "load": table["load"].map(lambda x: f"{x:.2f}"),
        "agents": table["agents"].astype(str),
    })
    if shrinkage > 0:
        show["scheduled"] = table["scheduled"].astype(str)
    show["SL"] = table["service_level"].map(pct)
    show["ASA"] = table["asa"].map(secs)
    show["occ"] = table["occupancy"].map(pct)
    if kw.get("model") == "erlang_a":
        show["aband"] = table["p_abandon"].map(lambda x: pct(x, 2))
    print(format_table(list(show.columns), show.to_numpy().tolist()))
    calls = table["calls"].to_numpy()
    answered_in_target = (table["service_level"].fillna(1.0) * calls).sum()
    print()
    print(f"{len(table)} intervals of {interval / 60:g} min; {calls.sum():g} calls; peak "
          f"{table['agents'].max()} agents; {table['agents'].sum() * hours:.1f} agent-hours on "
          f"the phones" + (f", {table['scheduled'].sum() * hours:.1f} scheduled"
                           if shrinkage > 0 else ""))
    if "target_sl" in kw and calls.sum() > 0:
        print(f"service level over the day (weighted by calls): "
              f"{pct(answered_in_target / calls.sum())}")
    if args.out:
        print(f"written: {args.out}")
    return 0


def _blend_work(args, agents: int, reserves: list[int], best: bool, **kw) -> None:
    """Refuse, before solving anything, a blend question that would run for many minutes."""
    sizes = [chain_states(agents=agents, reserve=k, **kw) for k in reserves]
    largest = chain_states(agents=agents, reserve=agents, **kw)
    solves = len(reserves) + (math.ceil(math.log2(agents + 1)) + 1 if best else 0)
    total = sum(sizes) + (solves - len(reserves)) * largest
    if total > MAX_BLEND_STATES:
        shown = "every reserve 0.." + str(agents) if args.reserve is None else (
            f"--reserve {args.reserve}")
        raise InputError(
            f"--agents {agents} with {shown} means {solves:,} exact solves of a chain of up "
            f"to {max(sizes + [largest]):,} states, {total:,} in all; blendsim solves up to "
            f"{MAX_BLEND_STATES:,} states per command (beyond that it takes minutes): "
            "show fewer reserves with --reserve (e.g. --reserve 0..10) or simulate the team "
            "with blendsim run")


_OPTION_OF = {"outbound_aht": "--outbound-aht", "aht": "--aht", "patience": "--patience",
              "target": "--target seconds"}


def cmd_blend(args) -> int:
    interval = parse_duration("--interval", args.interval, default_unit=None)
    calls = _calls(args)
    agents = int(number_option(
        "--agents", args.agents, low=1, integer=True, high=MAX_BLEND_AGENTS,
        why="the exact blending chain has (agents + 1) x queue levels states and is solved "
            "for teams up to that size; simulate a larger team with blendsim run"))
    aht = parse_duration("--aht", args.aht)
    out_aht = parse_duration("--outbound-aht", args.outbound_aht)
    patience = None if args.patience is None else parse_duration("--patience", args.patience)
    sl_goal, t = parse_target(args.target) if args.target is not None else (None, None)
    reserves = (parse_int_range("--reserve", args.reserve) if args.reserve is not None
                else list(range(agents + 1)))
    too_big = [k for k in reserves if k > agents]
    if too_big:
        raise InputError(f"--reserve values must be between 0 and --agents = {agents} "
                         f"(got {too_big[0]})")
    rate = calls / interval
    try:
        _blend_work(args, agents, reserves, sl_goal is not None, rate=rate, aht=aht,
                    outbound_aht=out_aht, patience=patience)
        results = [threshold_blend(agents=agents, rate=rate, aht=aht, outbound_aht=out_aht,
                                   reserve=k, patience=patience, target=t) for k in reserves]
    except InputError as e:  # the library's argument names, in the options' words
        raise InputError(re.sub(r"\b(outbound_aht|aht|patience|target) = ",
                                lambda m: f"{_OPTION_OF[m.group(1)]} = ", str(e))) from None
    best = None
    if sl_goal is not None:
        try:
            best = best_reserve(agents=agents, rate=rate, aht=aht, outbound_aht=out_aht,
                                target_sl=sl_goal, target_time=t, patience=patience).reserve
        except InfeasibleError:
            best = None
    if args.json:
        print(dumps({
            "inputs": {"calls": calls, "interval_seconds": interval, "agents": agents,
                       "aht_seconds": aht, "outbound_aht_seconds": out_aht,
                       "patience_seconds": patience, "target_sl": sl_goal,
                       "target_time": t},
            "best_reserve": best,
            "rows": [{"reserve": r.reserve, "service_level": r.service_level, "asa": r.asa,
                      "p_wait": r.p_wait, "p_abandon": r.p_abandon,
                      "outbound_per_hour": r.outbound_rate * 3600,
                      "occupancy": r.occupancy} for r in results],
        }))
        return 0
    print(f"{agents} blended agents; inbound {calls:g} calls per {interval / 60:g} min "
          f"(load {rate * aht:.2f} Erlangs, AHT {aht:g} s); outbound calls of {out_aht:g} s"
          + (f"; mean patience {patience:g} s" if patience else ""))
    print("an idle agent dials out only while more than `reserve` agents are idle and no "
          "inbound call waits")
    headers = ["reserve", "service level", "ASA (s)", "P(wait)"]
    if patience:
        headers.append("abandoned")
    headers += ["outbound/hour", f"outbound/{interval / 60:g}min", "occupancy"]
    rows = []
    for r in results:
        cells = [str(r.reserve), pct(r.service_level), secs(r.asa), pct(r.p_wait)]
        if patience:
            cells.append(pct(r.p_abandon, 2))
        cells += [f"{r.outbound_rate * 3600:.1f}", f"{r.outbound_rate * interval:.1f}",
                  pct(r.occupancy)]
        rows.append(cells)
    marks = {}
    if best is not None and best in reserves:
        marks[reserves.index(best)] = f"<- best for {100 * sl_goal:g}/{t:g}"
    print()
    print(format_table(headers, rows, marks))
    if sl_goal is not None:
        print()
        if best is None:
            print(f"no reserve meets {100 * sl_goal:g}/{t:g} with {agents} agents: add agents")
        else:
            r = threshold_blend(agents=agents, rate=rate, aht=aht, outbound_aht=out_aht,
                                reserve=best, patience=patience, target=t)
            print(f"best reserve: {best} (the smallest that meets {100 * sl_goal:g}/{t:g}): "
                  f"{r.outbound_rate * 3600:.1f} outbound calls per hour at "
                  f"{pct(r.service_level)} inbound service level")
    return 0


# --------------------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit status 1 like every other error."""

    def error(self, message):  # noqa: D401 - argparse's API
        raise InputError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="blendsim", description=(
        "Plan blended inbound/outbound contact centres: Erlang B/C/A staffing, exact "
        "threshold blending, and a simulation of the whole day from a scenario file. Times "
        "are in seconds unless given with a unit (30m, 1h)."))
    p.add_argument("--version", action="version", version=f"blendsim {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def targets(sp):
        sp.add_argument("--target", required=False, default=None,
                        help="service-level target as PCT/SECONDS, e.g. 80/20")
        sp.add_argument("--target-asa", metavar="SECONDS",
                        help="largest mean wait of answered calls")
        sp.add_argument("--max-occupancy", metavar="FRACTION", help="e.g. 0.85")
        sp.add_argument("--max-abandon", metavar="FRACTION",
                        help="largest abandonment probability (needs --patience)")
        sp.add_argument("--patience", metavar="SECONDS",
                        help="mean caller patience: use Erlang A (abandonment) instead of C")
        sp.add_argument("--shrinkage", default="0", metavar="FRACTION",
                        help="share of paid time off the phones, e.g. 0.3 (default 0)")
        sp.add_argument("--json", action="store_true", help="print JSON instead of a table")

    e = sub.add_parser("erlang", help="agents needed for one interval, with the table around it",
                       description="Agents needed for one interval (Erlang C, or Erlang A "
                                   "with --patience), with the figures around the requirement.")
    e.add_argument("--calls", required=True, help="calls offered in the interval")
    e.add_argument("--interval", required=True, help="interval length, e.g. 30m, 15m, 1h")
    e.add_argument("--aht", required=True, help="average handle time (talk + wrap-up), seconds")
    targets(e)
    e.add_argument("--below", default="3", help="rows below the requirement (default 3)")
    e.add_argument("--above", default="4", help="rows above the requirement (default 4)")
    e.set_defaults(func=cmd_erlang)

    s = sub.add_parser("staff", help="required agents for every interval of a forecast CSV",
                       description="Required agents for each interval of a forecast CSV with "
                                   "columns interval_start, calls, aht (seconds).")
    s.add_argument("forecast", metavar="FORECAST.csv")
    s.add_argument("--interval", help="interval length (default: from interval_start spacing)")
    s.add_argument("--aht", help="use this AHT (seconds) for every interval")
    s.add_argument("--min-agents", default="0", help="never fewer agents than this (default 0)")
    s.add_argument("--out", metavar="FILE", help="also write the table as CSV")
    targets(s)
    s.set_defaults(func=cmd_staff)

    b = sub.add_parser("blend", help="inbound service vs outbound calls for each reserve",
                       description="Exact threshold blending: for each reserve (agents kept "
                                   "idle for inbound), the inbound service and the outbound "
                                   "calls a blended team makes.")
    b.add_argument("--calls", required=True, help="inbound calls offered per interval")
    b.add_argument("--interval", required=True, help="interval length, e.g. 30m")
    b.add_argument("--agents", required=True, help="agents in the blended team")
    b.add_argument("--aht", required=True, help="inbound average handle time, seconds")
    b.add_argument("--outbound-aht", required=True, help="outbound call time, seconds")
    b.add_argument("--reserve", help="reserves to show: 0..5 or 0,2,4 (default 0..agents)")
    b.add_argument("--patience", metavar="SECONDS", help="mean inbound caller patience")
    b.add_argument("--target", help="inbound target as PCT/SECONDS, e.g. 80/20")
    b.add_argument("--json", action="store_true", help="print JSON instead of a table")
    b.set_defaults(func=cmd_blend)
    add_commands(sub)
    return p


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A library warning (legal input that is almost surely a mistake) as one plain line."""
    for text in str(message).splitlines() or [""]:
        print(f"blendsim: warning: {text}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 bad input or infeasible).

    Ctrl-C and SIGTERM stop a run cleanly (workers stopped, nothing half-written): one line
    says what was finished and kept, and the status is 130 (Ctrl-C) or 143 (SIGTERM).
    """
    import signal

    parser = _parser()
    with interrupt_on_signals() as caught, warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = _show_warning
        try:
            args = parser.parse_args(argv)
            if args.command is None:
                raise InputError("no command given: choose erlang, staff, blend, run, "
                                 "tradeoff, sweep or validate (blendsim --help explains them)")
            return args.func(args)
        except BlendsimError as e:
            for line in str(e).splitlines() or ["(no message)"]:
                print(f"blendsim: error: {line}", file=sys.stderr)
            return 1
        except KeyboardInterrupt as e:  # Ctrl-C, or SIGTERM turned into one
            print(f"blendsim: interrupted: {str(e) or 'stopped before any result'}",
                  file=sys.stderr, flush=True)
            return 128 + (caught["signal"] or signal.SIGINT)
        except BrokenPipeError:
            # The reader went away (``blendsim run ... | head``): stop quietly, as Unix
            # tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0

