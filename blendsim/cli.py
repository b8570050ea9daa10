"""The ``blendsim`` command: a thin shell over the library.

Every command does something the Python API can do too; the CLI only parses arguments, calls
the library and prints.  Times are in seconds unless they carry a unit (``30m``, ``1h``).
Bad input prints one line, ``blendsim: error: ...``, and exits with status 1.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from ._cli_util import (
    dumps,
    format_table,
    number_option,
    parse_duration,
    parse_int_range,
    parse_target,
    pct,
    secs,
    write_atomically,
)
from .blend import best_reserve, threshold_blend
from .cli_sim import add_commands
from .erlang import asa, erlang_a, erlang_c, occupancy, service_level
from .errors import BlendsimError, InfeasibleError, InputError
from .staffing import required_agents, scheduled_agents, staffing_table

__all__ = ["main"]


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
        kw["max_abandon"] = number_option("--max-abandon", args.max_abandon, low=0, low_open=True,
                                    high=1, high_open=True)
    if getattr(args, "max_occupancy", None) is not None:
        kw["max_occupancy"] = number_option("--max-occupancy", args.max_occupancy, low=0,
                                      low_open=True, high=1)
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


def cmd_erlang(args) -> int:
    interval = parse_duration("--interval", args.interval, default_unit=None)
    calls = number_option("--calls", args.calls, low=0)
    aht = parse_duration("--aht", args.aht)
    shrinkage = number_option("--shrinkage", args.shrinkage, low=0, high=1, high_open=True)
    below = int(number_option("--below", args.below, low=0, integer=True))
    above = int(number_option("--above", args.above, low=0, integer=True))
    kw = _targets_from(args)
    rate = calls / interval
    req = required_agents(rate, aht, shrinkage=shrinkage, **kw)
    if calls == 0:
        rows = []
    else:
        lowest = 1 if kw.get("model") == "erlang_a" else max(1, math.floor(rate * aht) + 1)
        first = max(lowest, req.agents - below)
        rows = [_erlang_row(n, rate, aht, kw) for n in range(first, req.agents + above + 1)]
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
    else:
        print("no calls offered: nothing to answer, no agents needed")
    extra = f", schedule {req.scheduled}" if shrinkage > 0 else ""
    print(f"\nrequired: {req.agents} agents on the phones{extra}")
    return 0


def _cell(value) -> str:
    """A CSV cell as the user wrote it (numpy scalars shown as plain numbers)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return repr(value) if isinstance(value, str) else str(value)


def _read_forecast(path: str, aht: float | None) -> pd.DataFrame:
    p = Path(path)
    if not p.is_file():
        raise InputError(f"forecast file not found: {path!r}")
    try:
        # index_col=False: a trailing comma on every row (spreadsheet exports) must not turn
        # the first column into the index and shift the others.
        df = pd.read_csv(p, index_col=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: not a readable CSV file ({str(e).splitlines()[0]})") from None
    df.columns = [str(c).strip() for c in df.columns]
    if aht is not None:
        df["aht"] = aht
    missing = [c for c in ("interval_start", "calls", "aht") if c not in df.columns]
    if missing:
        hint = " (or give --aht)" if missing == ["aht"] else ""
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}{hint}; the file has "
                         f"{', '.join(df.columns) or 'no columns'}")
    if df.empty:
        raise InputError(f"{path}: no intervals (the file has a header but no rows)")
    values = {}
    for col in ("calls", "aht"):
        values[col] = pd.to_numeric(df[col], errors="coerce")
        for i, (raw, x) in enumerate(zip(df[col], values[col], strict=True)):
            where = f"{path}: row {i + 2}, column {col}"
            if pd.isna(raw):
                if col == "calls":
                    raise InputError(f"{where} is empty (give 0 for an interval without calls)")
                continue
            if pd.isna(x):
                raise InputError(f"{where} must be a number (got {_cell(raw)})")
            if x < 0:
                raise InputError(f"{where} must be >= 0 (got {_cell(raw)})")
    bad = (values["calls"] > 0) & ~(values["aht"] > 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"{path}: row {i + 2}, column aht must be > 0 seconds where there are "
                         f"calls (got {_cell(df['aht'].iloc[i])})")
    return df


def _infer_interval(path: str, starts: pd.Series) -> float:
    """The interval length from evenly spaced ``interval_start`` labels.

    Clock times (``"23:30"``) may run past midnight; dates with times may not go backwards.
    """
    labels = starts.astype(str).str.strip()
    clock = labels.str.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?")
    steps = None
    if len(labels) >= 2 and clock.all():
        parts = labels.str.split(":", expand=True).astype(int)
        secs = parts[0] * 3600 + parts[1] * 60 + (parts[2] if parts.shape[1] > 2 else 0)
        steps = np.unique(np.diff(secs.to_numpy()) % 86400)
    elif len(labels) >= 2:
        parsed = pd.to_datetime(labels, errors="coerce", format="mixed")
        if not parsed.isna().any():
            steps = np.unique(parsed.diff().dropna().dt.total_seconds().to_numpy())
    if steps is None:
        raise InputError(f"{path}: cannot tell the interval length from interval_start; "
                         "give --interval (e.g. --interval 30m)")
    if len(steps) != 1 or steps[0] <= 0:
        raise InputError(f"{path}: interval_start values are not evenly spaced; "
                         "give --interval (e.g. --interval 30m)")
    return float(steps[0])


def cmd_staff(args) -> int:
    aht = None if args.aht is None else parse_duration("--aht", args.aht)
    df = _read_forecast(args.forecast, aht)
    interval = (parse_duration("--interval", args.interval, default_unit=None)
                if args.interval is not None else _infer_interval(args.forecast,
                                                                  df["interval_start"]))
    shrinkage = number_option("--shrinkage", args.shrinkage, low=0, high=1, high_open=True)
    min_agents = int(number_option("--min-agents", args.min_agents, low=0, integer=True))
    kw = _targets_from(args)
    table = staffing_table(df, interval=interval, shrinkage=shrinkage, min_agents=min_agents,
                           **kw)
    csv_text = table.to_csv(index=False, float_format="%.6g")
    if args.out:
        write_atomically(Path(args.out), csv_text)
    if args.json:
        print(dumps({"interval_seconds": interval, "rows": table.to_dict(orient="records")}))
        return 0
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


def cmd_blend(args) -> int:
    interval = parse_duration("--interval", args.interval, default_unit=None)
    calls = number_option("--calls", args.calls, low=0)
    agents = int(number_option("--agents", args.agents, low=1, integer=True))
    aht = parse_duration("--aht", args.aht)
    out_aht = parse_duration("--outbound-aht", args.outbound_aht)
    patience = None if args.patience is None else parse_duration("--patience", args.patience)
    sl_goal, t = parse_target(args.target) if args.target else (None, None)
    reserves = parse_int_range("--reserve", args.reserve) if args.reserve else list(
        range(agents + 1))
    too_big = [k for k in reserves if k > agents]
    if too_big:
        raise InputError(f"--reserve values must be between 0 and --agents = {agents} "
                         f"(got {too_big[0]})")
    rate = calls / interval
    results = [threshold_blend(agents=agents, rate=rate, aht=aht, outbound_aht=out_aht,
                               reserve=k, patience=patience, target=t) for k in reserves]
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


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 bad input or infeasible).

    Ctrl-C and SIGTERM stop a run cleanly (workers stopped, nothing half-written): one line
    says what was finished and kept, and the status is 130 (Ctrl-C) or 143 (SIGTERM).
    """
    import signal

    from .backends import interrupt_on_signals

    parser = _parser()
    with interrupt_on_signals() as caught:
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
