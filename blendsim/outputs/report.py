"""The executive's page: a pilot's business case as one self-contained HTML file.

:func:`report_html` turns a :class:`blendsim.experiment.business.PilotCase` into one page an
executive reads in two minutes (printed: one A4 or Letter page), then an appendix:

- the verdict in one sentence: what the pilot buys, what it costs inbound service, whether
  every interval keeps its target, the net value per day and per year;
- baseline vs pilot: the day's figures with the paired differences and their 95% intervals,
  and each half hour's service level in both;
- cost and value, net, and the sensitivity of the net value to each assumption (a tornado);
- scaling: the same figures as the blended team grows, with where the targets break;
- the live pilot's length: days to detect the change, with paired and with parallel days;
- the appendix: every assumption with its source, the per-interval differences, the scaling
  table, the scenarios, the seed and replications, and how to reproduce the page.

Charts are inline SVG drawn by matplotlib (text kept as text), styles are inline, nothing is
fetched: the file opens anywhere, offline.  Every number printed from a figure carries its
raw value in a ``data-value`` attribute, so tests check the page against ``compare()``'s own
numbers.  :func:`write_report` writes the file atomically, and a PDF printed by a headless
browser with ``pdf=`` (:mod:`blendsim.outputs.browser`).
"""

from __future__ import annotations

import html
import io
import math
import re
from datetime import date
from pathlib import Path

import numpy as np

from blendsim._version import __version__
from blendsim.experiment.business import PilotCase
from blendsim.outputs.files import write_atomically

__all__ = ["report_html", "write_report"]

SHARES = ("service_level", "abandon_rate", "occupancy")
_BASE, _PILOT, _TARGET, _GOOD, _BAD = "#7f7f7f", "#1f77b4", "#d62728", "#2ca02c", "#d62728"

# The day's figures on the page, in order (segments and group hours follow conversations).
PAGE_FIGURES = ("service_level", "asa", "abandon_rate", "intervals_below", "conversations",
                "occupancy", "paid_hours")


PAGE_LABELS = {"service_level": "Service level", "asa": "Speed of answer",
               "abandon_rate": "Abandonment", "intervals_below": "Intervals below target",
               "conversations": "Proactive conversations", "occupancy": "Occupancy",
               "paid_hours": "Paid agent-hours"}
TORNADO_LABELS = {"agent_hour_cost": "Cost of an agent-hour",
                  "conversation_value": "Value of a conversation",
                  "abandoned_call_cost": "Cost of an abandoned call",
                  "inbound_call_cost": "Cost of an inbound contact",
                  "contacts_prevented": "Contacts prevented / conv.",
                  "contacts_caused": "Contacts caused / conv.",
                  "working_days_per_year": "Working days a year",
                  "busyness_cv": "Day-to-day busyness"}


def _tornado_label(key: str) -> str:
    base, _, rest = key.partition("[")
    label = TORNADO_LABELS.get(base, base)
    return f"{label} ({rest[:-1]})" if rest else label


def _esc(x) -> str:
    return html.escape(str(x), quote=True)


def _fmt(figure: str, v, signed: bool = False) -> str:
    """A figure as the page prints it."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, float) and math.isinf(v):
        return "never"
    base = figure.split("[", 1)[0]
    if base in SHARES:
        return f"{100 * v:+.1f} pt" if signed else f"{100 * v:.1f}%"
    if base == "asa":
        return f"{v:+.1f} s" if signed else f"{v:.1f} s"
    if base in ("intervals_below",):
        return f"{v:+.1f}" if signed else f"{v:.1f}"
    return f"{v:+,.1f}" if signed else f"{v:,.1f}"


def _num(figure: str, v, signed: bool = False) -> str:
    """A number in a span with its raw value."""
    raw = "nan" if v is None or (isinstance(v, float) and math.isnan(v)) else repr(float(v))
    return f'<span class="num" data-value="{raw}">{_esc(_fmt(figure, v, signed))}</span>'


def _money(v, currency: str, signed: bool = False) -> str:
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency, "")
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    sign = "−" if v < 0 else ("+" if signed and v > 0 else "")
    body = f"{abs(v):,.0f}"
    return f"{sign}{symbol}{body}" if symbol else f"{sign}{body} {currency}"


def _cash(v, currency: str, signed: bool = False) -> str:
    raw = "nan" if v is None or (isinstance(v, float) and math.isnan(v)) else repr(float(v))
    return f'<span class="num" data-value="{raw}">{_esc(_money(v, currency, signed))}</span>'


# --- charts ---------------------------------------------------------------------------------

def _svg(fig, chart: str) -> str:
    """A matplotlib figure as inline SVG that scales to its box."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r'<svg([^>]*?)\swidth="[^"]*"\s+height="[^"]*"',
                  rf'<svg\1 class="chart" data-chart="{chart}" role="img"', text, count=1)
    return text


def _figure(width_in: float, height_in: float):
    import matplotlib
    from matplotlib.figure import Figure

    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text (searchable, small)
    fig = Figure(figsize=(width_in, height_in), dpi=100)
    return fig


def _style(ax):
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=7)
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)


def chart_intervals(case: PilotCase) -> str:
    """Each interval's inbound service level, baseline and pilot, against the target."""
    sc = case.comparison.baseline.scenario
    t = case.comparison.intervals(figures=("service_level",))
    fig = _figure(3.9, 1.9)
    ax = fig.add_subplot()
    x = np.arange(len(t))
    ax.plot(x, 100 * t["baseline"], color=_BASE, lw=1.4, label="baseline")
    ax.plot(x, 100 * t["alternative"], color=_PILOT, lw=1.6, label="pilot")
    ax.fill_between(x, 100 * t["alternative_ci_low"], 100 * t["alternative_ci_high"],
                    color=_PILOT, alpha=0.18, lw=0)
    level = 100 * sc.service_target.level
    ax.axhline(level, color=_TARGET, lw=1, ls="--", label=f"target {level:.0f}%")
    below = t["alternative"] < sc.service_target.level
    ax.scatter(x[below.to_numpy()], 100 * t.loc[below, "alternative"], s=10, color=_BAD,
               zorder=3)
    step = max(1, len(t) // 8)
    ax.set_xticks(x[::step], t["start"].iloc[::step], fontsize=7)
    ax.set_ylabel("service level (%)", fontsize=7)
    low = np.nanmin(100 * t["alternative_ci_low"].to_numpy())
    ax.set_ylim(max(0, min(low, level) - 5), 101)
    _style(ax)
    ax.legend(fontsize=6.5, frameon=False, ncol=3, loc="lower left")
    return _svg(fig, "intervals")


def chart_tornado(case: PilotCase) -> str:
    """Net value per year with each assumption at its low and high value."""
    t = case.sensitivity.head(8)
    centre = t.attrs.get("net", case.sensitivity.attrs.get("net", 0.0)) / 1000
    fig = _figure(3.6, 0.45 + 0.2 * max(len(t), 1))
    ax = fig.add_subplot()
    y = np.arange(len(t))[::-1]
    for yi, (_, r) in zip(y, t.iterrows(), strict=True):
        lo, hi = r["net_low"] / 1000, r["net_high"] / 1000
        ax.barh(yi, lo - centre, left=centre, color="#9ecae1", height=0.6)
        ax.barh(yi, hi - centre, left=centre, color="#3182bd", height=0.6)
    ax.axvline(centre, color="#333333", lw=0.8)
    ax.axvline(0, color=_TARGET, lw=0.8, ls="--")
    ax.set_yticks(y, [_short(_tornado_label(k)) for k in t["key"]], fontsize=6.5)
    ax.set_xlabel(f"net value a year (thousand {case.assumptions.currency}); "
                  "light: assumption low, dark: high", fontsize=6.5)
    _style(ax)
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
    return _svg(fig, "tornado")


def _short(label: str, n: int = 34) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


def chart_scaling(case: PilotCase) -> str:
    """Service level and net value as the blended team grows, with the break points."""
    s = case.scale
    sc = case.comparison.baseline.scenario
    fig = _figure(3.9, 1.75)
    ax = fig.add_subplot()
    n = s["blended_agents"].to_numpy()
    ax.plot(n, 100 * s["service_level_day"], color=_PILOT, marker="o", ms=3, lw=1.4,
            label="day's service level")
    missed = s["intervals_missed"].to_numpy()
    ax.set_xlabel("blended agents", fontsize=7)
    ax.set_ylabel("service level (%)", fontsize=7, color=_PILOT)
    level = 100 * sc.service_target.level
    ax.axhline(level, color=_TARGET, lw=1, ls="--")
    ax2 = ax.twinx()
    ax2.plot(n, s["net_per_day"], color=_GOOD, marker="s", ms=3, lw=1.2,
             label="net value a day")
    ax2.axhline(0, color=_GOOD, lw=0.6, ls=":")
    ax2.set_ylabel(f"net value a day ({case.assumptions.currency})", fontsize=7, color=_GOOD)
    ax2.tick_params(labelsize=7)
    ax2.spines[["top"]].set_visible(False)
    first = np.flatnonzero(missed > case.baseline_judgement.missed)
    if first.size:
        ax.axvline(n[first[0]], color="#999999", lw=0.8, ls=":",
                   label=f"{case.period_word()} missed for sure from here")
    _style(ax)
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], fontsize=6.2, frameon=False,
              loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    return _svg(fig, "scaling")


# --- sections -------------------------------------------------------------------------------

CSS = """
@page { size: A4; margin: 11mm 12mm; }
* { box-sizing: border-box; }
html { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; font-size: 8.6pt;
       color: #222; }
body { margin: 0 auto; max-width: 186mm; }
h1 { font-size: 14.5pt; margin: 0 0 1mm 0; }
h2 { font-size: 10.2pt; margin: 2.2mm 0 1mm 0; border-bottom: 1px solid #ccc;
     padding-bottom: 0.6mm; }
h3 { font-size: 9.4pt; margin: 2mm 0 1mm 0; }
.sub { color: #555; font-size: 8pt; margin-bottom: 2mm; }
.verdict { border-left: 4px solid #1f77b4; background: #f2f7fb; padding: 1.6mm 3mm;
           font-size: 9pt; line-height: 1.32; margin: 0 0 0.5mm 0; }
.verdict.warn { border-left-color: #d62728; background: #fdf3f2; }
.grid { display: grid; grid-template-columns: 1.08fr 0.92fr; column-gap: 4mm; row-gap: 0;
        align-items: start; }
.num { white-space: nowrap; }
table { border-collapse: collapse; width: 100%; font-size: 7.6pt; }
th, td { padding: 0.35mm 1mm; text-align: right; border-bottom: 1px solid #eee;
         vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
th { color: #444; font-weight: 600; border-bottom: 1px solid #bbb; }
td.ci { color: #666; white-space: nowrap; }
tr.net td { font-weight: 700; border-top: 1px solid #888; }
svg.chart { width: 100%; height: auto; display: block; }
.note { color: #666; font-size: 7.2pt; line-height: 1.3; margin: 0.8mm 0 0 0; }
.appendix { break-before: page; }
.appendix table { font-size: 7.2pt; }
.appendix td.src { text-align: left; }
#assumptions { table-layout: fixed; }
#assumptions col.c1 { width: 25%; } #assumptions col.c2 { width: 7%; }
#assumptions col.c3 { width: 11%; } #assumptions col.c4 { width: 13%; }
#assumptions col.c5 { width: 44%; }
.tag { display: inline-block; font-size: 6.5pt; padding: 0 1mm; border-radius: 1mm;
       background: #fff1c2; color: #6b5000; }
.bad { color: #b2182b; font-weight: 600; }
.good { color: #1a7f37; font-weight: 600; }
footer { color: #666; font-size: 7pt; margin-top: 1.5mm; }
@media screen { body { padding: 8mm 0; } }
"""


def _day_rows(case: PilotCase) -> list[tuple[str, str]]:
    d = case.comparison.day()
    figures = []
    for f in PAGE_FIGURES:
        figures.append(f)
        if f == "conversations":
            figures += [k for k in d.index if k.startswith("conversations[")]
        if f == "paid_hours":  # the groups only where their hours change
            figures += [k for k in d.index if k.startswith("paid_hours[")
                        and not d.loc[k, "difference"] == 0]
    rows = []
    for f in figures:
        r = d.loc[f]
        if "[" in f:
            label = "&nbsp;&nbsp;· " + _esc(f.split("[", 1)[1][:-1])
        else:
            label = _esc(PAGE_LABELS.get(f, r["label"]))
        rows.append((f, f'<tr data-figure="{_esc(f)}"><td>{label}</td>'
                        f'<td>{_num(f, r["baseline"])}</td><td>{_num(f, r["alternative"])}</td>'
                        f'<td>{_num(f, r["difference"], True)}</td>'
                        f'<td class="ci">{_num(f, r["ci_low"], True)} to '
                        f'{_num(f, r["ci_high"], True)}</td></tr>'))
    return rows


def _unreached(case: PilotCase) -> str:
    d = case.comparison.day()
    names = [k.split("[", 1)[1][:-1] for k in d.index
             if k.startswith("conversations[") and d.loc[k, "alternative"] == 0]
    if not names:
        return ""
    return (f" No conversation with {', '.join(names)}: the list is called in segment order "
            "and the pilot's agents never reach them.")


def _compare_table(case: PilotCase) -> str:
    body = "".join(row for _, row in _day_rows(case))
    return ('<table id="compare"><thead><tr><th>per day</th><th>baseline</th><th>pilot</th>'
            '<th>change</th><th>95% interval</th></tr></thead>'
            f"<tbody>{body}</tbody></table>")


def _value_table(case: PilotCase) -> str:
    cur = case.assumptions.currency
    rows = []
    for line, r in case.value.iterrows():
        cls = ' class="net"' if line == "net" else ""
        rows.append(f'<tr data-line="{_esc(line)}"{cls}><td>{_esc(r["label"])}</td>'
                    f'<td>{_cash(r["per_day"], cur, True)}</td>'
                    f'<td class="ci">{_cash(r["ci_low"], cur, True)} to '
                    f'{_cash(r["ci_high"], cur, True)}</td>'
                    f'<td>{_cash(r["per_year"], cur, True)}</td></tr>')
    return ('<table id="value"><thead><tr><th>value of the pilot</th><th>a day</th>'
            '<th>95% interval</th><th>a year</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _design_table(case: PilotCase) -> str:
    names = {"service_level": "Inbound service level", "abandon_rate": "Abandonment",
             "asa": "Speed of answer", "conversations": "Proactive conversations"}
    rows = []
    for _, r in case.design.iterrows():
        f = r["figure"]
        rows.append(f'<tr data-figure="{_esc(f)}"><td>{_esc(names.get(f, f))}</td>'
                    f'<td>{_num(f, r["difference"], True)}</td>'
                    f'<td>{_days(r["days_paired"])}</td>'
                    f'<td>{_days(r["days_parallel"])}</td></tr>')
    return ('<table id="design"><thead><tr><th>to detect</th><th>simulated change</th>'
            '<th>paired days</th><th>parallel days (each)</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _days(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return '<span class="num" data-value="nan">–</span>'
    if math.isinf(v):
        return '<span class="num" data-value="inf">not detectable</span>'
    return f'<span class="num" data-value="{float(v)!r}">{int(v):,}</span>'


def _scale_summary(case: PilotCase) -> str:
    s = case.scale
    if s is None:
        return ('<p class="note">Scaling not simulated (give <code>--scale</code> to see the '
                'figures as the blended team grows).</p>')
    return f'<p class="note" id="scale-summary">{_esc(case.best_size() or "")}</p>'


def _scale_table(case: PilotCase) -> str:
    s = case.scale
    cur = case.assumptions.currency
    rows = []
    for _, r in s.iterrows():
        rows.append(
            f'<tr data-size="{int(r["blended_agents"])}"><td>{int(r["blended_agents"])}</td>'
            f'<td>{_num("service_level", r["service_level_day"])}</td>'
            f'<td>{_num("service_level", r["service_level"], True)}</td>'
            f'<td>{_num("abandon_rate", r["abandon_rate"], True)}</td>'
            f'<td>{_num("conversations", r["conversations"], True)}</td>'
            f'<td>{int(r["intervals_below"])}</td><td>{int(r["intervals_missed"])}</td>'
            f'<td>{_esc(r["day_verdict"])}</td>'
            f'<td>{_cash(r["net_per_day"], cur, True)}</td>'
            f'<td>{_cash(r["net_per_year"], cur, True)}</td></tr>')
    return ('<table id="scale"><thead><tr><th>blended agents</th><th>day SL</th>'
            '<th>SL change</th><th>abandonment change</th><th>conversations</th>'
            '<th>intervals below</th><th>missed for sure</th><th>day target</th>'
            '<th>net a day</th><th>net a year</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _assumption_table(case: PilotCase) -> str:
    rows = []
    for a in case.assumptions:
        tag = ' <span class="tag">default</span>' if a.default else ""
        rows.append(f'<tr data-key="{_esc(a.key)}"><td>{_esc(a.label)}{tag}</td>'
                    f'<td>{a.value:,.4g}</td><td>{a.low:,.4g} – {a.high:,.4g}</td>'
                    f'<td class="src">{_esc(a.unit)}</td>'
                    f'<td class="src">{_esc(a.source)}'
                    + (f'<br><span class="note">{_esc(a.note)}</span>' if a.note else "")
                    + "</td></tr>")
    return ('<table id="assumptions"><colgroup><col class="c1"><col class="c2"><col class="c3">'
            '<col class="c4"><col class="c5"></colgroup>'
            '<thead><tr><th>assumption</th><th>value</th>'
            '<th>range (tornado)</th><th>unit</th><th>source</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _interval_table(case: PilotCase) -> str:
    t = case.comparison.intervals(figures=("service_level", "abandon_rate", "conversations"))
    wide = {f: g.set_index("interval") for f, g in t.groupby("figure")}
    sl, ab, cv = wide["service_level"], wide["abandon_rate"], wide["conversations"]
    level = case.comparison.baseline.scenario.service_target.level
    rows = []
    for k in sl.index:
        flag = ' class="bad"' if sl.loc[k, "alternative"] < level else ""
        rows.append(f'<tr data-interval="{k}"><td>{_esc(sl.loc[k, "start"])}</td>'
                    f'<td>{_num("service_level", sl.loc[k, "baseline"])}</td>'
                    f'<td{flag}>{_num("service_level", sl.loc[k, "alternative"])}</td>'
                    f'<td>{_num("service_level", sl.loc[k, "difference"], True)}</td>'
                    f'<td class="ci">[{_num("service_level", sl.loc[k, "ci_low"], True)}, '
                    f'{_num("service_level", sl.loc[k, "ci_high"], True)}]</td>'
                    f'<td>{_num("abandon_rate", ab.loc[k, "difference"], True)}</td>'
                    f'<td>{_num("conversations", cv.loc[k, "alternative"])}</td></tr>')
    return ('<table id="intervals"><thead><tr><th>interval</th><th>baseline SL</th>'
            '<th>pilot SL</th><th>change</th><th>95% interval</th>'
            '<th>abandonment change</th><th>conversations</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def report_html(case: PilotCase, *, command: str | None = None,
                today: date | None = None) -> str:
    """The page as one HTML document (a string)."""
    if not isinstance(case, PilotCase):
        raise TypeError(f"case must be a PilotCase (got {type(case).__name__})")
    c = case.comparison
    base, pilot = c.baseline.scenario, c.alternative.scenario
    j = case.pilot_judgement
    warn = j.missed > case.baseline_judgement.missed or case.value.loc["net", "per_day"] < 0
    today = today or date.today()
    defaults = sum(1 for a in case.assumptions if a.default)
    design = case.design.attrs
    worst = (f"worst half hour {j.worst} at {j.worst_service_level:.1%} "
             f"[{j.worst_ci_low:.1%}, {j.worst_ci_high:.1%}]" if j.worst else "")
    below = ", ".join(j.below_starts) if j.below_starts else "none"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Pilot business case: {_esc(pilot.name)}</title>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<style>{CSS}</style></head><body>",
        '<main id="page">',
        f"<h1>Pilot business case: {_esc(pilot.name)}</h1>",
        f'<div class="sub">Against <b>{_esc(base.name)}</b> · {c.replications} simulated days '
        f"each, the same callers in both (seed {c.seed}) · {today.isoformat()} · blendsim "
        f"{_esc(__version__)}</div>",
        f'<p id="verdict" class="verdict{" warn" if warn else ""}">{_esc(case.verdict())}</p>',
        '<div class="grid">',
        "<section><h2>Baseline vs pilot</h2>", _compare_table(case),
        '<p class="note">Change: pilot minus baseline, day by day on the same simulated days '
        f"(paired); 95% intervals.{_esc(_unreached(case))}</p></section>",
        "<section><h2>Inbound service, half hour by half hour</h2>", chart_intervals(case),
        f'<p class="note" id="intervals-note">Pilot: {j.below} of {j.judged} half hours '
        f"below the {j.level:.0%} target ({j.missed} for sure; baseline "
        f"{case.baseline_judgement.below}, {case.baseline_judgement.missed} for sure). "
        f"Below: {_esc(below)}. {_esc(worst)}.</p></section>",
        "<section><h2>Cost and value</h2>", _value_table(case),
        f'<p class="note" id="break-even">{_esc(_even_text(case))} {defaults} of '
        f"{len(case.assumptions.keys())} assumptions are published defaults, not this "
        "centre's figures (appendix); a year is "
        f'{case.assumptions["working_days_per_year"].value:g} working days.</p></section>',
        "<section><h2>What the net value depends on</h2>", chart_tornado(case), "</section>",
    ]
    if case.scale is not None:
        parts += ["<section><h2>Scaling the blended team</h2>", chart_scaling(case),
                  _scale_summary(case), "</section>"]
    else:
        parts += ["<section><h2>Scaling the blended team</h2>", _scale_summary(case),
                  "</section>"]
    parts += [
        "<section><h2>How long a live pilot must run</h2>", _design_table(case),
        f'<p class="note">Days to detect the simulated change (two-sided 5% test, '
        f'{design.get("power", 0.8):.0%} power) with the day-to-day swing of volume a real '
        f'centre sees (busyness CV {design.get("busyness_cv", 0):.2f}). Paired: a control '
        "team takes calls on the same days; parallel: pilot days against as many other "
        "days.</p></section>",
        "</div>",
        f'<footer>Reproduce: <code>{_esc(command or _command(case))}</code>. '
        "Appendix: assumptions and sources, every half hour, the scaling table.</footer>",
        "</main>",
        '<section class="appendix" id="appendix"><h2>Appendix A. Assumptions and sources</h2>',
        '<p class="note">Defaults (marked) come with blendsim from the published sources '
        "given; replace them with the centre's own (<code>--assumptions FILE</code>).</p>",
        _assumption_table(case),
        "<h2>Appendix B. Every half hour</h2>", _interval_table(case),
    ]
    if case.scale is not None:
        parts += ["<h2>Appendix C. Scaling</h2>", _scale_table(case)]
    parts += [
        "<h2>Appendix D. The scenarios and the method</h2>",
        f"<p><b>Baseline</b>: {_esc(base.name)}. {_esc(base.description)}</p>",
        f"<p><b>Pilot</b>: {_esc(pilot.name)}. {_esc(pilot.description)}</p>",
        f'<p class="note">Both scenarios were simulated for {c.replications} days with seed '
        f"{c.seed}: day r of the pilot sees the same callers, handle times and customer lists "
        "as day r of the baseline (common random numbers), so every change above is a mean of "
        "day-by-day differences with its Student-t 95% interval. Value lines price those "
        "daily differences with the assumptions; the tornado moves one assumption at a time to "
        "its range's ends. The live pilot's length uses "
        f'{design.get("replications", c.replications)} further simulated days with the '
        "busyness applied, at the same seed.</p>",
        "</section></body></html>",
    ]
    return "\n".join(parts)


def _even_text(case: PilotCase) -> str:
    even = case.break_even()
    if even is None:
        return ""
    cur = case.assumptions.currency
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(cur, "")
    conv = case.comparison.day().loc["conversations", "difference"]
    assumed = case.value.loc["outreach", "per_day"] / conv  # over the segments reached
    return (f"Break-even: a conversation worth {symbol}{even:,.2f} (assumed "
            f"{symbol}{assumed:,.2f} on average).")


def _command(case: PilotCase) -> str:
    c = case.comparison
    return (f"blendsim report BASELINE.toml PILOT.toml --seed {c.seed} "
            f"--replications {c.replications}")


def write_report(case: PilotCase, path, *, pdf=None, command: str | None = None,
                 browser: str | None = None) -> list[Path]:
    """Write the page to ``path`` (and a PDF printed by a headless browser to ``pdf``).

    Returns the files written.  The HTML is written atomically; without a browser the PDF
    raises :class:`blendsim.errors.BlendsimError` and the HTML is kept.
    """
    path = Path(path)
    write_atomically(path, report_html(case, command=command))
    written = [path]
    if pdf is not None:
        from blendsim.outputs.browser import print_pdf

        written.append(print_pdf(path, Path(pdf), browser=browser))
    return written

