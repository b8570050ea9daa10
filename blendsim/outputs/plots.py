"""Figures a planner puts in front of an executive.  Each takes ``ax=None`` and returns the axes.

- :func:`frontier`: inbound service level against proactive conversations per day, one point
  per reserve (and blended team size), with 95% confidence bars, the target line, and the
  best point (most conversations while meeting the target for sure) marked.
- :func:`intraday`: through the day, the inbound workload and how the agents' time is spent:
  on inbound, on outbound, idle.
- :func:`service_level_by_interval`: per-interval service level with its confidence band,
  against the target, the intervals under it marked (and those that miss it for sure).
- :func:`roster_chart`: a roster's scheduled agents against the requirement per interval,
  stacked by group, and (for a roster found by simulation) the service level it gives on
  fresh days, with its band, beside the two-step roster's.

Charts are drawn on :class:`matplotlib.figure.Figure` objects, never through pyplot's global
state, and nothing here calls ``matplotlib.use``: with ``ax=None`` a new Figure is made (in
Jupyter, ``ax.figure`` displays itself), and ``ax.figure.savefig(...)`` writes it anywhere.
Legends sit under the axes, so they never cover a curve or the target line.  matplotlib is
imported here only, inside the functions that draw (for import time, not to dodge a cycle),
so ``import blendsim`` and the commands that draw nothing stay light.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from blendsim.experiment.tradeoff import best_point, verdicts

__all__ = ["best_point", "frontier", "intraday", "roster_chart", "service_level_by_interval"]

_IN, _OUT, _IDLE, _TARGET = "#1f77b4", "#ff7f0e", "#d9d9d9", "#d62728"
# Curves of the frontier: matplotlib's colours without the target's red
_CURVES = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf")


def _axes(ax, size=(8, 4.5)):
    """The axes to draw on: the one given, or a new Figure's (no pyplot involved)."""
    if ax is None:
        from matplotlib.figure import Figure

        ax = Figure(figsize=size, dpi=100).add_subplot()
    return ax


def _legend_below(ax, ncol=3, title=None):
    """The legend under the x-axis label: it never covers the data."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, labels, fontsize=8, loc="upper center", ncol=min(ncol, len(labels)),
                  bbox_to_anchor=(0.5, -0.16), frameon=False, title=title, title_fontsize=8)


def _clock_axis(ax, day):
    """The x axis in clock time (hours since midnight), labelled every one to six hours."""
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    open_h, close_h = day.open_at / 3600.0, day.close_at / 3600.0
    span = close_h - open_h
    step = next((s for s in (0.25, 0.5, 1, 2, 3, 4, 6) if span / s <= 9), 12)
    ax.set_xlim(open_h, close_h)
    ax.xaxis.set_major_locator(MultipleLocator(step))

    def clock(h, _pos):
        minutes = int(round(h * 60))
        minutes = minutes if minutes <= 24 * 60 else minutes % (24 * 60)  # the day ends 24:00
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    ax.xaxis.set_major_formatter(FuncFormatter(clock))


def _edges(day):
    """Interval edges, in hours since midnight."""
    return np.append(day.interval_starts, day.close_at) / 3600.0


# --------------------------------------------------------------------------------------------
# The trade-off frontier


def _label_offsets():
    # (dx, dy) in points from the marker, and the text's horizontal alignment
    return [(8, 3, "left"), (8, -13, "left"), (-8, 3, "right"), (-8, -13, "right"),
            (0, 10, "center"), (0, -20, "center"), (14, 14, "left"), (-14, -24, "right")]


def _place_labels(ax, points, texts, fontsize=8):
    """Annotate each point at the first nearby spot that covers no other label, marker or
    error bar.  ``points``: ``(x, y, x_low, x_high, y_low, y_high)`` in data units."""
    ax.autoscale_view()
    fig = ax.figure
    px = fig.dpi / 72.0  # pixels per point
    to_px = ax.transData.transform
    frame = ax.get_window_extent()
    marks = [to_px((p[0], p[1])) for p in points]
    placed: list[tuple[float, float, float, float]] = []
    for x, y, *cis in points:
        x_lo, x_hi, y_lo, y_hi = (v if np.isfinite(v) else w
                                  for v, w in zip(cis, (x, x, y, y), strict=True))
        (mx, my), (a, _), (b, _) = to_px((x, y)), to_px((x_lo, y)), to_px((x_hi, y))
        (_, c), (_, d) = to_px((x, y_lo)), to_px((x, y_hi))
        placed += [(mx - 4 * px, my - 4 * px, mx + 4 * px, my + 4 * px),
                   (min(a, b), my - 2 * px, max(a, b), my + 2 * px),
                   (mx - 3 * px, min(c, d), mx + 3 * px, max(c, d))]

    def box(m, dx, dy, ha, text):
        w, h = 0.6 * fontsize * len(text) * px, 1.2 * fontsize * px
        x0 = m[0] + dx * px - {"left": 0, "center": w / 2, "right": w}[ha]
        y0 = m[1] + dy * px
        return x0, y0, x0 + w, y0 + h

    def clash(b):
        area = sum(max(0.0, min(b[2], p[2]) - max(b[0], p[0]))
                   * max(0.0, min(b[3], p[3]) - max(b[1], p[1])) for p in placed)
        outside = (b[0] < frame.x0) + (b[2] > frame.x1) + (b[1] < frame.y0) + (b[3] > frame.y1)
        return area + 1e6 * outside

    for m, (x, y, *_), text in zip(marks, points, texts, strict=True):
        options = [(clash(box(m, dx, dy, ha, text)), n, dx, dy, ha)
                   for n, (dx, dy, ha) in enumerate(_label_offsets())]
        _, _, dx, dy, ha = min(options)
        placed.append(box(m, dx, dy, ha, text))
        ax.annotate(text, (x, y), textcoords="offset points", xytext=(dx, dy), ha=ha,
                    va="bottom", fontsize=fontsize)


def _reserve_span(rows: list, with_word: bool) -> str:
    """``reserve 3``, or for points drawn on one spot ``reserves 7..14+``."""
    lows = sorted(int(r["reserve"]) for r in rows)
    top = max(int(r["reserve_up_to"]) if pd.notna(r.get("reserve_up_to")) else int(r["reserve"])
              for r in rows)
    more = "+" if top > lows[-1] else ""
    if len(lows) == 1:
        text = f"{lows[0]}{more}"
    elif lows == list(range(lows[0], lows[-1] + 1)):
        text = f"{lows[0]}..{lows[-1]}{more}"
    else:
        text = ",".join(map(str, lows)) + more
    if not with_word:
        return text
    return f"reserve{'s' if len(lows) > 1 or more else ''} {text}"


def _clusters(ax, rows: list, near_px: float = 9.0) -> list[list]:
    """The rows (of one curve) whose markers fall within ``near_px`` of the previous one."""
    ax.autoscale_view()
    out: list[list] = []
    last = None
    for r in sorted(rows, key=lambda r: (r["conversations"], r["service_level"])):
        at = ax.transData.transform((r["conversations"], r["service_level"]))
        if last is not None and np.all(np.isfinite(at)) and np.hypot(*(at - last)) < near_px:
            out[-1].append(r)
        else:
            out.append([r])
        last = at
    return out


def frontier(table: pd.DataFrame, ax=None, *, target: float | None = None, title=None):
    """Service level against conversations per day, from :func:`blendsim.tradeoff`'s table.

    Points are judged under the trade-off's rule when the table has its ``rule_verdict``
    column (``attrs["rule"]``: the day, every interval, or a share of intervals; the legend's
    title says which), else by the day's service level.  The best point
    (:func:`blendsim.experiment.tradeoff.best_point`: most conversations that meets the
    target for sure under the rule) is a star; points not shown to meet or miss it are hollow
    (more replications would tell); points that miss it for sure are crossed out.
    """
    ax = _axes(ax)
    target = table.attrs.get("target") if target is None else target
    groups = [(None, table)] if table["blended_agents"].isna().all() else \
        list(table.groupby("blended_agents", sort=True))
    rule = table.attrs.get("rule", "day")
    by_rule = "rule_verdict" in table
    judged = (table["rule_verdict"] if by_rule else
              verdicts(table, target) if target is not None else None)
    curves = []
    for k, (n, part) in enumerate(groups):
        colour = _CURVES[k % len(_CURVES)]
        part = part.sort_values("conversations")
        x, y = part["conversations"], part["service_level"]
        xerr = [x - part["conversations_ci_low"], part["conversations_ci_high"] - x]
        yerr = [y - part["service_level_ci_low"], part["service_level_ci_high"] - y]
        label = "blended agents" if n is None else f"{int(n)} blended agents"
        ax.errorbar(x, y, xerr=np.abs(xerr), yerr=np.abs(yerr), marker="o", capsize=3,
                    color=colour, label=label if len(groups) > 1 or n is not None else None)
        if judged is not None:
            unclear = part[judged.loc[part.index] == "unclear"]
            if len(unclear):
                ax.plot(unclear["conversations"], unclear["service_level"], linestyle="none",
                        marker="o", markersize=7, markerfacecolor="white",
                        markeredgecolor=colour, color=colour, zorder=4, gid="unclear")
            missed = part[judged.loc[part.index] == "misses"]
            if len(missed):
                ax.plot(missed["conversations"], missed["service_level"], linestyle="none",
                        marker="o", markersize=7, markerfacecolor="white",
                        markeredgecolor=colour, color=colour, zorder=4, gid="misses")
                ax.plot(missed["conversations"], missed["service_level"], linestyle="none",
                        marker="x", markersize=7, markeredgewidth=1.5, color=_TARGET,
                        zorder=5, gid="misses")
        curves.append([row for _, row in part.iterrows() if pd.notna(row["reserve"])])
    if target is not None:
        ax.axhline(target, color=_TARGET, linestyle="--", linewidth=1,
                   label=f"inbound target {100 * target:g}%")
        if (judged == "unclear").any():
            ax.plot([], [], linestyle="none", marker="o", markerfacecolor="white",
                    markeredgecolor="grey", color="grey",
                    label=("not conclusive under the rule: more replications would tell"
                           if by_rule and rule != "day" else
                           "95% interval spans the target: not conclusive"))
        if (judged == "misses").any():
            ax.plot([], [], linestyle="none", marker="x", markeredgewidth=1.5,
                    color=_TARGET, label="misses the target for sure")
        best = best_point(table, target)
        if best is not None:
            row = table.loc[best]
            ax.plot(row["conversations"], row["service_level"], marker="*", markersize=16,
                    color=_TARGET, zorder=5, linestyle="none",
                    label=f"best: {row['conversations']:.0f} conversations/day at "
                          f"{100 * row['service_level']:.1f}%")
    ax.set_xlabel("proactive conversations per day")
    secs = table.attrs.get("target_seconds")
    ax.set_ylabel("inbound service level" + (f" ({secs:g} s)" if secs else ""))
    ax.yaxis.set_major_formatter(_percent())
    ax.grid(alpha=0.3)
    labelled, texts = [], []
    for rows in curves:  # one label for the points drawn on one spot
        for cluster in _clusters(ax, rows):
            first = cluster[-1]  # the one drawn rightmost: its neighbours sit to the left
            labelled.append(tuple(first[c] for c in (
                "conversations", "service_level", "conversations_ci_low",
                "conversations_ci_high", "service_level_ci_low", "service_level_ci_high")))
            texts.append(_reserve_span(cluster, with_word=len(groups) == 1))
    _place_labels(ax, labelled, texts)
    if len(groups) > 1 and table["reserve"].notna().any():
        ax.text(0.99, 1.01, "numbers: reserve (agents kept idle for inbound)",
                transform=ax.transAxes, ha="right", va="bottom", fontsize=8)
    ax.set_title(title or "What blending buys, and what it costs inbound",
                 pad=14 if len(groups) > 1 else None)
    heading = _rule_words(rule, table.attrs.get("share"), target) if (
        by_rule and target is not None) else None
    _legend_below(ax, ncol=2, title=heading)
    return ax


def _rule_words(rule: str, share, target: float) -> str:
    """The legend's title: what a point must do to meet the target."""
    level = f"{100 * target:g}%"
    if rule == "every_interval":
        return f"judged by the rule: every interval at {level} or more"
    if rule == "share_of_intervals":
        return (f"judged by the rule: at least {100 * (0.9 if share is None else share):g}% "
                f"of intervals at {level} or more")
    return f"judged by the rule: the day's service level at {level} or more"


# --------------------------------------------------------------------------------------------
# Through the day


def intraday(result, ax=None, *, title=None):
    """Agents on inbound, on outbound and idle through the day, with the inbound workload.

    The outbound layer is drawn (and listed in the legend) only when some agent dialled.
    """
    ax = _axes(ax, size=(10, 4.5))
    t = result.by_interval()
    day = result.scenario.day
    edges = _edges(day)

    def steps(values):  # one value per interval, held to the interval's end
        v = np.asarray(values, dtype=float)
        return np.append(v, v[-1])

    layers = [("agents on inbound", t["agents_inbound"], _IN)]
    if (t["agents_outbound"].fillna(0.0) > 0).any():
        layers.append(("agents on outbound", t["agents_outbound"], _OUT))
    layers.append(("agents idle", t["agents_idle"], _IDLE))
    ax.stackplot(edges, *[steps(v) for _, v, _ in layers], labels=[n for n, _, _ in layers],
                 colors=[c for _, _, c in layers], step="post", alpha=0.85)
    aht = t["aht"].fillna(0.0)
    load = t["offered"] * aht / day.interval
    ax.step(edges, steps(load), where="post", color="black", linewidth=1.5,
            label="inbound workload (Erlangs)")
    _clock_axis(ax, day)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("agents")
    ax.set_title(title or f"{result.scenario.name}: where the capacity goes through the day")
    ax.grid(alpha=0.3)
    _legend_below(ax, ncol=4)
    return ax


_ESTIMATOR_WORDS = {"daily": "mean of daily ratios", "pooled": "pooled counts"}


def service_level_by_interval(result, ax=None, *, estimator: str | None = None, title=None):
    """Per-interval inbound service level with its 95% band, against the target.

    Each interval's estimate (:meth:`~blendsim.experiment.replications.Result.interval_service`
    with ``estimator``, default the scenario's ``service_target.estimator``; the legend names
    it) sits at the interval's middle.  Intervals whose estimate is under the target are
    shaded; a hollow red circle marks one whose 95% interval still reaches the target (it may
    meet it), a filled red cross one that misses it for sure (the whole interval below).
    """
    ax = _axes(ax, size=(10, 3.5))
    t = result.interval_service(estimator)
    words = _ESTIMATOR_WORDS.get(t.attrs["estimator"], t.attrs["estimator"])
    day = result.scenario.day
    x = (day.interval_starts + day.interval / 2.0) / 3600.0
    edges = _edges(day)
    target = result.scenario.service_target
    sl = t["service_level"].to_numpy(dtype=float)
    ax.fill_between(x, t["ci_low"], t["ci_high"], color=_IN, alpha=0.2,
                    label="95% confidence interval")
    ax.plot(x, sl, color=_IN, marker=".", label=f"service level ({words})")
    below = np.nan_to_num(sl, nan=np.inf) < target.level
    missed = (t["verdict"] == "misses").to_numpy() & below
    maybe = below & ~missed
    for k in np.flatnonzero(below):
        ax.axvspan(edges[k], edges[k + 1], color=_TARGET, alpha=0.08, linewidth=0,
                   gid="below", label="_nolegend_")
    if maybe.any():
        ax.plot(x[maybe], sl[maybe], linestyle="none", marker="o", markersize=6,
                markerfacecolor="white", markeredgecolor=_TARGET, markeredgewidth=1.5,
                gid="below", label=f"under target, may meet it ({int(maybe.sum())})")
    if missed.any():
        ax.plot(x[missed], sl[missed], linestyle="none", marker="X", markersize=8,
                color=_TARGET, gid="misses",
                label=f"misses the target for sure ({int(missed.sum())})")
    ax.axhline(target.level, color=_TARGET, linestyle="--", linewidth=1,
               label=f"target {100 * target.level:g}% in {target.seconds:g} s")
    _clock_axis(ax, day)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(_percent())
    ax.set_ylabel("service level")
    ax.set_title(title or f"{result.scenario.name}: inbound service level by interval")
    ax.grid(alpha=0.3)
    _legend_below(ax, ncol=3)
    return ax


def roster_chart(plan, axes=None, *, title=None):
    """Requirement vs scheduled coverage per interval, and the service level it gives.

    ``plan`` is a :class:`~blendsim.experiment.roster.SimulatedRoster` (two panels: the
    coverage, then the confirmed service level with its 95% band and the two-step roster's on
    the same days) or a :class:`~blendsim.experiment.roster.Roster` (the coverage panel only).
    ``axes``: the axes to draw on (two for a simulated roster).  Returns the axes drawn.
    """
    simulated = hasattr(plan, "two_step")
    roster = plan.roster if simulated else plan
    day = roster.scenario.day
    if axes is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(10, 6.5 if simulated else 3.8), dpi=100,
                     layout="constrained")
        axes = fig.subplots(2 if simulated else 1, 1, sharex=True, squeeze=False)[:, 0]
    axes = list(np.atleast_1d(axes))
    ax = axes[0]
    t = roster.intervals
    edges = _edges(day)
    groups = [c for c in t.columns if c not in ("interval", "start") and not c.startswith(
        ("requirement", "scheduled", "short", "slack"))]
    bottom = np.zeros(len(t))
    for k, g in enumerate(groups):
        on = t[g].to_numpy(dtype=float)
        ax.stairs(bottom + on, edges, baseline=bottom, fill=True, alpha=0.55,
                  color=_CURVES[k % len(_CURVES)], label=f"{g} on duty")
        bottom = bottom + on
    covered = sum(t[c].to_numpy(dtype=float) for c in t.columns if c.startswith("requirement"))
    need = plan.intervals["requirement"].to_numpy(dtype=float) if simulated else covered
    ax.stairs(need, edges, color="black", linewidth=1.5, label="analytic requirement")
    if simulated and (covered > need + 1e-9).any():
        ax.stairs(covered, edges, color=_TARGET, linewidth=1.2, linestyle="--",
                  label="requirement after the simulation's cuts")
    short = sum(t[c].to_numpy(dtype=float) for c in t.columns if c.startswith("short"))
    for k in np.flatnonzero(short > 0):
        ax.axvspan(edges[k], edges[k + 1], color=_TARGET, alpha=0.12, linewidth=0,
                   gid="short", label="_nolegend_")
    ax.set_ylabel("agents")
    ax.set_title(title or f"{roster.scenario.name}: roster of "
                 f"{int(roster.shifts['count'].sum())} shifts, cost {roster.cost:,.0f}")
    ax.grid(alpha=0.3)
    _clock_axis(ax, day)
    _legend_below(ax, ncol=4)
    if simulated and len(axes) > 1:
        ax2 = axes[1]
        s = plan.intervals
        x = (day.interval_starts + day.interval / 2.0) / 3600.0
        ax2.fill_between(x, s["ci_low"], s["ci_high"], color=_IN, alpha=0.2,
                         label="95% confidence interval")
        ax2.plot(x, s["service_level"], color=_IN, marker=".",
                 label="this roster, fresh days")
        ax2.plot(x, s["two_step_service_level"], color="#7f7f7f", linestyle=":", marker=".",
                 label="two-step roster, same days")
        target = roster.scenario.service_target
        ax2.axhline(target.level, color=_TARGET, linestyle="--", linewidth=1,
                    label=f"target {100 * target.level:g}% in {target.seconds:g} s")
        ax2.set_ylim(0, 1.02)
        ax2.yaxis.set_major_formatter(_percent())
        ax2.set_ylabel("service level")
        ax2.grid(alpha=0.3)
        _clock_axis(ax2, day)
        _legend_below(ax2, ncol=4)
    return axes


def _percent():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0)
