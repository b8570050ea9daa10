"""Figures a planner puts in front of an executive.  Each takes ``ax=None`` and returns the axes.

- :func:`frontier`: inbound service level against proactive conversations per day, one point
  per reserve (and blended team size), with 95% confidence bars, the target line, and the
  best point (most conversations while meeting the target) marked.
- :func:`intraday`: through the day, the inbound workload and how the agents' time is spent:
  on inbound, on outbound, idle.
- :func:`service_level_by_interval`: per-interval service level with its confidence band,
  against the target.

matplotlib is imported here only, so ``import blendsim`` stays light.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["best_point", "frontier", "intraday", "service_level_by_interval"]

_IN, _OUT, _IDLE, _TARGET = "#1f77b4", "#ff7f0e", "#d9d9d9", "#d62728"


def _axes(ax, size=(8, 4.5)):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=size)
    return ax


def best_point(table: pd.DataFrame, target: float) -> int | None:
    """Row label of the point with most conversations whose service level meets ``target``."""
    ok = table[table["service_level"] >= target]
    return None if ok.empty else ok["conversations"].idxmax()


def frontier(table: pd.DataFrame, ax=None, *, target: float | None = None, title=None):
    """Service level against conversations per day, from :func:`blendsim.tradeoff`'s table."""
    ax = _axes(ax)
    target = table.attrs.get("target") if target is None else target
    groups = [(None, table)] if table["blended_agents"].isna().all() else \
        list(table.groupby("blended_agents", sort=True))
    for n, part in groups:
        part = part.sort_values("conversations")
        x, y = part["conversations"], part["service_level"]
        xerr = [x - part["conversations_ci_low"], part["conversations_ci_high"] - x]
        yerr = [y - part["service_level_ci_low"], part["service_level_ci_high"] - y]
        label = "blended agents" if n is None else f"{int(n)} blended agents"
        ax.errorbar(x, y, xerr=np.abs(xerr), yerr=np.abs(yerr), marker="o", capsize=3,
                    label=label if len(groups) > 1 or n is not None else None)
        for _, row in part.iterrows():
            if pd.notna(row["reserve"]):
                text = (f"reserve {int(row['reserve'])}" if len(groups) == 1
                        else f"{int(row['reserve'])}")
                ax.annotate(text, (row["conversations"], row["service_level"]),
                            textcoords="offset points", xytext=(6, 4), fontsize=8)
    if target is not None:
        ax.axhline(target, color=_TARGET, linestyle="--", linewidth=1,
                   label=f"inbound target {100 * target:g}%")
        best = best_point(table, target)
        if best is not None:
            row = table.loc[best]
            ax.plot(row["conversations"], row["service_level"], marker="*", markersize=16,
                    color=_TARGET, zorder=5, label=f"best: {row['conversations']:.0f} "
                    f"conversations/day at {100 * row['service_level']:.1f}%")
    ax.set_xlabel("proactive conversations per day")
    secs = table.attrs.get("target_seconds")
    ax.set_ylabel("inbound service level" + (f" ({secs:g} s)" if secs else ""))
    ax.yaxis.set_major_formatter(_percent())
    if len(groups) > 1 and table["reserve"].notna().any():
        ax.text(0.99, 0.98, "numbers: reserve (agents kept idle for inbound)",
                transform=ax.transAxes, ha="right", va="top", fontsize=8)
    ax.set_title(title or "What blending buys, and what it costs inbound")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    return ax


def intraday(result, ax=None, *, title=None):
    """Agents on inbound, on outbound and idle through the day, with the inbound workload."""
    ax = _axes(ax, size=(10, 4.5))
    t = result.by_interval()
    x = np.arange(len(t))
    ax.stackplot(x, t["agents_inbound"], t["agents_outbound"], t["agents_idle"],
                 labels=["agents on inbound", "agents on outbound", "agents idle"],
                 colors=[_IN, _OUT, _IDLE], step="post", alpha=0.85)
    aht = t["aht"].fillna(0.0)
    load = t["offered"] * aht / result.scenario.day.interval
    ax.step(x, load, where="post", color="black", linewidth=1.5,
            label="inbound workload (Erlangs)")
    ax.set_xticks(x[::max(1, len(x) // 12)], t["start"][::max(1, len(x) // 12)])
    ax.set_xlim(0, len(x) - 1)
    ax.set_ylabel("agents")
    ax.set_title(title or f"{result.scenario.name}: where the capacity goes through the day")
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    return ax


def service_level_by_interval(result, ax=None, *, title=None):
    """Per-interval inbound service level with its 95% band, against the target."""
    ax = _axes(ax, size=(10, 3.5))
    t = result.by_interval()
    x = np.arange(len(t))
    ax.plot(x, t["service_level"], color=_IN, marker=".", label="service level")
    ax.fill_between(x, t["service_level_ci_low"], t["service_level_ci_high"], color=_IN,
                    alpha=0.2, label="95% confidence interval")
    target = result.scenario.service_target
    ax.axhline(target.level, color=_TARGET, linestyle="--", linewidth=1,
               label=f"target {100 * target.level:g}% in {target.seconds:g} s")
    ax.set_xticks(x[::max(1, len(x) // 12)], t["start"][::max(1, len(x) // 12)])
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(_percent())
    ax.set_ylabel("service level")
    ax.set_title(title or f"{result.scenario.name}: inbound service level by interval")
    ax.legend(fontsize=8, loc="lower left")
    ax.grid(alpha=0.3)
    return ax


def _percent():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0)
