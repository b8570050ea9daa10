"""Tables as text: right-aligned columns, percentages and seconds as a planner reads them.

Besides the cell formats, the reports the analytic commands print: :func:`requirement_report`
(``blendsim erlang``: the table around a requirement) and :func:`staffing_report`
(``blendsim staff``: a forecast's requirement per interval).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from blendsim.analytic.requirement import RequirementTable

__all__ = ["format_table", "pct", "requirement_report", "secs", "staffing_figures",
           "staffing_report",
           "target_text"]


def format_table(headers: list[str], rows: list[list[str]],
                 marks: dict[int, str] | None = None) -> str:
    """Right-aligned columns under their headers; ``marks`` adds a note after some rows."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))]
    for n, r in enumerate(rows):
        line = "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True))
        if marks and n in marks:
            line += "  " + marks[n]
        lines.append(line)
    return "\n".join(lines)


def pct(x: float | None, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{100.0 * x:.{digits}f}%"


def secs(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return "inf" if math.isinf(x) else f"{x:.1f}"


def target_text(targets: dict) -> str:
    """The targets given (the library's target arguments) as a planner says them."""
    goal = []
    if "target_sl" in targets:
        goal.append(f"{100 * targets['target_sl']:g}% answered within "
                    f"{targets['target_time']:g} s")
    if "target_asa" in targets:
        goal.append(f"ASA <= {targets['target_asa']:g} s")
    if "max_abandon" in targets:
        goal.append(f"abandonment <= {100 * targets['max_abandon']:g}%")
    if "max_occupancy" in targets:
        goal.append(f"occupancy <= {100 * targets['max_occupancy']:g}%")
    return ", ".join(goal)


def requirement_report(around: RequirementTable, *, calls: float, interval: float,
                       aht: float, shrinkage: float, targets: dict) -> str:
    """The load, the targets, the table around the requirement and the requirement.

    ``targets`` holds the keyword arguments given to
    :func:`blendsim.analytic.requirement_table` (``target_sl``, ``model``, ``patience``...).
    """
    model = targets.get("model", "erlang_c")
    rate = calls / interval
    name = (f"Erlang A, mean patience {targets['patience']:g} s" if model == "erlang_a"
            else "Erlang C")
    lines = [f"{calls:g} calls per {interval / 60:g} min, AHT {aht:g} s: load "
             f"{rate * aht:.2f} Erlangs ({name})", f"target: {target_text(targets)}", ""]
    headers = ["agents", "service level", "ASA (s)", "P(wait)", "occupancy"]
    if model == "erlang_a":
        headers.append("abandoned")
    if shrinkage > 0:
        headers.append(f"scheduled @{100 * shrinkage:g}% shrinkage")
    table = []
    for r in around.rows:
        cells = [str(r["agents"]), pct(r["service_level"]), secs(r["asa"]),
                 pct(r["p_wait"]), pct(r["occupancy"])]
        if model == "erlang_a":
            cells.append(pct(r["p_abandon"], 2))
        if shrinkage > 0:
            cells.append(str(r["scheduled"]))
        table.append(cells)
    req = around.required
    marks = {i: "<- required" for i, r in enumerate(around.rows) if r["agents"] == req.agents}
    if around.rows:
        lines.append(format_table(headers, table, marks))
        if around.skipped:
            lines.append(f"(rows up to {around.skipped} agents left out: with so few agents "
                         "the queue grows past the million places Erlang A sums over)")
    else:
        lines.append("no calls offered: nothing to answer, no agents needed")
    extra = f", schedule {req.scheduled}" if shrinkage > 0 else ""
    lines += ["", f"required: {req.agents} agents on the phones{extra}"]
    return "\n".join(lines)


def staffing_figures(show, table: pd.DataFrame, *, shrinkage: float, targets: dict) -> None:
    """Add the figures of a staffing table to ``show`` (column name -> text per row): the
    scheduled agents under shrinkage, SL, ASA, occupancy and, under Erlang A, abandonment."""
    if shrinkage > 0:
        show["scheduled"] = table["scheduled"].astype(str)
    show["SL"] = table["service_level"].map(pct)
    show["ASA"] = table["asa"].map(secs)
    show["occ"] = table["occupancy"].map(pct)
    if targets.get("model") == "erlang_a":
        show["aband"] = table["p_abandon"].map(lambda x: pct(x, 2))


def staffing_report(table: pd.DataFrame, *, interval: float, shrinkage: float,
                    targets: dict) -> str:
    """A staffing table (:func:`blendsim.analytic.staffing_table`) per interval, then the day.

    ``targets`` as in :func:`requirement_report`.
    """
    hours = interval / 3600.0
    show = pd.DataFrame({
        "start": table["interval_start"].astype(str),
        "calls": table["calls"].map(lambda x: f"{x:g}"),
        "AHT": table["aht"].map(lambda x: "-" if np.isnan(x) else f"{x:.0f}"),
        "load": table["load"].map(lambda x: f"{x:.2f}"),
        "agents": table["agents"].astype(str),
    })
    staffing_figures(show, table, shrinkage=shrinkage, targets=targets)
    calls = table["calls"].to_numpy()
    answered_in_target = (table["service_level"].fillna(1.0) * calls).sum()
    lines = [format_table(list(show.columns), show.to_numpy().tolist()), "",
             f"{len(table)} intervals of {interval / 60:g} min; {calls.sum():g} calls; peak "
             f"{table['agents'].max()} agents; {table['agents'].sum() * hours:.1f} agent-hours "
             f"on the phones" + (f", {table['scheduled'].sum() * hours:.1f} scheduled"
                                 if shrinkage > 0 else "")]
    if "target_sl" in targets and calls.sum() > 0:
        lines.append(f"service level over the day (weighted by calls): "
                     f"{pct(answered_in_target / calls.sum())}")
    return "\n".join(lines)
