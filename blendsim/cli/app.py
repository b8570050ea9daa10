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
import signal
import sys
import warnings
from pathlib import Path

from blendsim._validate import MAX_AGENTS
from blendsim._version import __version__
from blendsim.analytic.blend import MAX_AGENTS as MAX_BLEND_AGENTS
from blendsim.analytic.blend import best_reserve, chain_states, threshold_blend
from blendsim.analytic.forecast import MAX_CALLS, Forecast, read_forecast
from blendsim.analytic.requirement import MAX_ROWS, requirement_table
from blendsim.analytic.staffing import staffing_table
from blendsim.analytic.timevarying import METHODS, time_varying_staffing
from blendsim.cli._args import (
    number_option,
    parse_duration,
    parse_int_range,
    parse_target,
)
from blendsim.cli.sim import (
    add_commands,
    add_staff_simulation_options,
    cmd_staff_simulated,
    refuse_mixed_staff_options,
)
from blendsim.errors import BlendsimError, InfeasibleError, InputError
from blendsim.experiment.backends import interrupt_on_signals
from blendsim.limits import MAX_CV, MAX_DURATION, MIN_CV
from blendsim.outputs.files import dumps, write_atomically
from blendsim.outputs.tables import (
    format_table,
    pct,
    requirement_report,
    secs,
    staffing_figures,
    staffing_report,
)

__all__ = ["main"]

# Bounds on what a user can type (each refused with a message naming it; the forecast's
# are in blendsim.analytic.forecast, the rows around a requirement in ...requirement).
# blend: the exact chains solved for one command, in states summed over the solves.  A solve
# of 50,000 states takes about half a second and the cost grows faster than the size.
MAX_BLEND_STATES = 5_000_000


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
    around = requirement_table(rate, aht, below=below, above=above, shrinkage=shrinkage, **kw)
    req = around.required
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
            "rows": around.rows,
        }))
        return 0
    print(requirement_report(around, calls=calls, interval=interval, aht=aht,
                             shrinkage=shrinkage, targets=kw))
    return 0


def _staff_inputs(args) -> tuple[Forecast, dict]:
    """The forecast ``staff`` reads and the staffing options, checked in the options' words.

    Returns the forecast and the keyword arguments of ``staffing_table`` besides the
    interval: ``shrinkage``, ``min_agents`` and the targets (:func:`_targets_from`).  Every
    way of staffing the forecast starts here.
    """
    aht = None if args.aht is None else parse_duration("--aht", args.aht)
    given = (parse_duration("--interval", args.interval, default_unit=None)
             if args.interval is not None else None)
    shrinkage = _shrinkage(args)
    min_agents = int(number_option("--min-agents", args.min_agents, low=0, integer=True,
                                   high=MAX_AGENTS, why="the largest team blendsim staffs"))
    kw = _targets_from(args)
    forecast = read_forecast(args.forecast, aht=aht, interval=given,
                             interval_text=args.interval)
    return forecast, {"shrinkage": shrinkage, "min_agents": min_agents, **kw}


def _method_from(args) -> dict | None:
    """``--method``, ``--lag`` and ``--handle-cv`` as ``time_varying_staffing``'s arguments.

    None without ``--method`` (then ``--lag`` and ``--handle-cv`` are refused).
    """
    method = args.method or "sipp"
    shown = f"--method {args.method}" if args.method else "no --method (SIPP)"
    if args.lag is not None and method != "lag":
        raise InputError(f"--lag {args.lag} is only used with --method lag (got {shown})")
    if args.handle_cv is not None and method != "mol":
        raise InputError(f"--handle-cv {args.handle_cv} is only used with --method mol "
                         f"(got {shown})")
    if args.method is None:
        return None
    kw = {"method": method}
    if args.lag is not None:
        if str(args.lag).strip().startswith("-"):
            raise InputError(f"--lag must be a duration of 0 or more, such as 0, 240, 4m "
                             f"(got {args.lag!r})")
        kw["lag"] = parse_duration("--lag", args.lag, positive=False)
        if kw["lag"] > MAX_DURATION:
            raise InputError(f"--lag must be at most a week ({MAX_DURATION:,.0f} seconds) "
                             f"(got {args.lag!r})")
    if args.handle_cv is not None:
        kw["handle_cv"] = number_option("--handle-cv", args.handle_cv, low=MIN_CV,
                                        high=MAX_CV)
    return kw


_METHOD_WORDS = {
    "sipp": "sipp (SIPP): each interval staffed for its own calls",
    "lag": "lag (lagged SIPP): each interval staffed for the calls that arrived {lag} s "
           "earlier",
    "mol": "mol (modified offered load): each interval staffed for the calls still in "
           "service,\n  which lag the arrivals by about one handle time",
}


def _method_line(table, method: dict) -> str:
    """Which method staffed the table, in a planner's words (one or two lines)."""
    name = table.attrs["method"]
    words = _METHOD_WORDS[name].format(lag=f"{round(table.attrs.get('lag', 0.0), 1):g}")
    if name == "lag" and "lag" not in method:
        words += "\n  (the lag is the calls-weighted mean AHT; set it with --lag)"
    if name == "mol":
        cv = method.get("handle_cv")
        words += "; handle times " + ("exponential" if cv is None else
                                      f"lognormal with CV {cv:g}")
    return f"method: {words}"


def _versus_sipp(table, sipp, *, interval: float, shrinkage: float, targets: dict) -> str:
    """``staffing_report`` of a lag/mol table with the SIPP agents beside its own."""
    report = staffing_report(table, interval=interval, shrinkage=shrinkage, targets=targets)
    _, summary = report.split("\n\n", 1)  # the report is its table, a blank line, the day
    name = table.attrs["method"]
    show = {
        "start": table["interval_start"].astype(str),
        "calls": table["calls"].map(lambda x: f"{x:g}"),
        "AHT": table["aht"].map(lambda x: "-" if math.isnan(x) else f"{x:.0f}"),
        "SIPP load": sipp["load"].map(lambda x: f"{x:.2f}"),
        "SIPP agents": sipp["agents"].astype(str),
        f"{name} load": table["load"].map(lambda x: f"{x:.2f}"),
        f"{name} agents": table["agents"].astype(str),
        "change": (table["agents"] - sipp["agents"]).map(lambda d: f"{d:+d}" if d else "0"),
    }
    staffing_figures(show, table, shrinkage=shrinkage, targets=targets)
    rows = [list(r) for r in zip(*show.values(), strict=True)]
    hours = interval / 3600.0
    more = (table["agents"].sum() - sipp["agents"].sum()) * hours
    versus = [f"SIPP instead: peak {sipp['agents'].max()} agents; "
              f"{sipp['agents'].sum() * hours:.1f} agent-hours on the phones ({name}: "
              f"{more:+.1f})",
              f"SL, ASA and occ are {name}'s: the figures at its load with its agents"]
    return "\n".join([format_table(list(show), rows), "", summary, *versus])


def _staff_tables(forecast: Forecast, kw: dict, method: dict | None) -> tuple:
    """The forecast's staffing table, and SIPP's to show beside it (lag and mol only).

    ``method`` is None without ``--method``: SIPP through ``staffing_table``, as ever.
    """
    sipp = staffing_table(forecast.table, interval=forecast.interval, **kw)
    if method is None:
        return sipp, None
    table = _time_varying(forecast.table, interval=forecast.interval, **method, **kw)
    return table, (None if method["method"] == "sipp" else sipp)


def _staff_doc(table, sipp, *, interval: float, method: dict | None) -> dict:
    """The JSON of ``staff``: the table's rows, and with ``--method`` what the method used."""
    doc = {"interval_seconds": interval}
    if method is not None:
        doc["method"] = table.attrs["method"]
        if "lag" in table.attrs:
            doc["lag_seconds"] = table.attrs["lag"]
        if "handle_cv" in method:
            doc["handle_cv"] = method["handle_cv"]
    doc["rows"] = table.to_dict(orient="records")
    if sipp is not None:
        doc["sipp_agents"] = sipp["agents"].tolist()
    return doc


def cmd_staff(args) -> int:
    refuse_mixed_staff_options(args)
    if args.simulate:
        return cmd_staff_simulated(args)
    forecast, kw = _staff_inputs(args)
    method = _method_from(args)
    interval = forecast.interval
    table, sipp = _staff_tables(forecast, kw, method)
    if args.out:
        write_atomically(Path(args.out), table.to_csv(index=False, float_format="%.6g"))
    if args.json:
        print(dumps(_staff_doc(table, sipp, interval=interval, method=method)))
        return 0
    if forecast.reordered:
        print(f"note: {args.forecast} lists its intervals out of time order; they are sorted "
              "by interval_start\n")
    shrinkage = kw["shrinkage"]
    targets = {k: v for k, v in kw.items() if k not in ("shrinkage", "min_agents")}
    if method is not None:
        print(_method_line(table, method))
    if sipp is None:
        print(staffing_report(table, interval=interval, shrinkage=shrinkage, targets=targets))
    else:
        print(_versus_sipp(table, sipp, interval=interval, shrinkage=shrinkage,
                           targets=targets))
    if args.out:
        print(f"written: {args.out}")
    return 0


def _time_varying(forecast, **kw):
    """``time_varying_staffing``, its refusals in the options' words."""
    try:
        return time_varying_staffing(forecast, **kw)
    except InputError as e:
        raise InputError(re.sub(r"method='(\w+)'", r"--method \1", str(e))) from None


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

    s = sub.add_parser("staff", help="required agents for every interval of a forecast CSV, "
                                     "or of a scenario by simulation",
                       description="Required agents for each interval of a forecast CSV with "
                                   "columns interval_start, calls, aht (seconds); or, with "
                                   "--simulate, the fewest agents per interval that keep "
                                   "every interval of a scenario file at its target, found "
                                   "by simulation and confirmed on fresh days.")
    s.add_argument("forecast", metavar="FORECAST.csv|SCENARIO.toml")
    s.add_argument("--interval", help="interval length (default: from interval_start spacing)")
    s.add_argument("--aht", help="use this AHT (seconds) for every interval")
    s.add_argument("--min-agents", default="0", help="never fewer agents than this (default 0)")
    s.add_argument("--out", metavar="FILE|DIR",
                   help="also write the table as CSV; with --simulate a folder: headcount.csv, "
                        "staffed.toml (ready to run), intervals.csv, history.csv and a chart")
    s.add_argument("--method", choices=METHODS,
                   help="sipp (default): each interval for its own calls; lag: for the calls "
                        "that arrived --lag earlier; mol: for the calls still in service "
                        "(modified offered load), which lag the arrivals")
    s.add_argument("--lag", metavar="SECONDS",
                   help="the lag of --method lag (default: the calls-weighted mean AHT)")
    s.add_argument("--handle-cv", metavar="CV",
                   help="--method mol: lognormal handle times with this CV (default "
                        "exponential)")
    targets(s)
    add_staff_simulation_options(s)
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
    parser = _parser()
    with interrupt_on_signals() as caught, warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = _show_warning
        try:
            args = parser.parse_args(argv)
            if args.command is None:
                names = list(next(a for a in parser._actions
                                  if isinstance(a, argparse._SubParsersAction)).choices)
                raise InputError(f"no command given: choose {', '.join(names[:-1])} or "
                                 f"{names[-1]} (blendsim --help explains them)")
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

