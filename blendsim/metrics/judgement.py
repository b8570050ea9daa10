"""Does a simulated day keep its service target in every interval, and how surely?

Planners are held to each interval's service level, not only to the day's.  This module
estimates each interval's service level over simulated days (replications), with a 95%
confidence interval, judges it against the target, and judges the day under the target's
``rule`` (:class:`~blendsim.scenario.parts.ServiceTarget`):

- ``"day"``: the day's service level must reach the level;
- ``"every_interval"``: every interval's must;
- ``"share_of_intervals"``: at least ``share`` of the intervals' must.

Only intervals with contacts are judged (an empty interval has no service level).

Two estimators of an interval's service level, both offered because in low-volume intervals
they differ by a point or more, enough to flip a verdict:

- ``"daily"``: the mean over days of the interval's daily ratio (answered within the target
  time / the definition's base, on each day): what a planner lives with day to day, where
  every day counts alike however many calls it had.  Its interval is Student's t over the
  days that had contacts in the interval.
- ``"pooled"``: the ratio of the counts of all days pooled (every call counts alike).  Its
  interval is the ratio estimator's: the t interval of ``sum(X) / sum(Y)`` with standard
  error ``sqrt(var(X - R Y) / n) / mean(Y)`` over the ``n`` days (the delta method).

A verdict says how sure it is: ``"meets"`` when the confidence interval lies at or above the
level, ``"misses"`` when it lies below, ``"unclear"`` when it spans the level (more
replications would tell).  Under ``every_interval`` the day meets when every judged interval
meets, misses when any misses; under ``share_of_intervals`` it meets when at least
``ceil(share * judged)`` intervals meet, misses when so many miss that this is out of reach.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from blendsim.metrics.ci import t_half_width
from blendsim.metrics.kpi import contact_flags, interval_of, service_level_base
from blendsim.scenario.parts import ESTIMATORS, RULES, Day, ServiceTarget

__all__ = [
    "INTERVAL_COLUMNS",
    "VERDICTS",
    "Judgement",
    "interval_counts",
    "interval_service",
    "intervals_below_per_day",
    "judge",
    "verdict_of",
]

VERDICTS = ("meets", "unclear", "misses")
INTERVAL_COLUMNS = ("interval", "start", "offered", "service_level", "ci_low", "ci_high",
                    "days", "verdict", "gap")


def interval_counts(contacts: pd.DataFrame, target: ServiceTarget, day: Day,
                    replications: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per replication and interval: contacts offered, answered within the target time, and
    the service level's base, as arrays of shape ``(replications, intervals)``.

    ``contacts`` are inbound contact records with a ``replication`` column (0 ..
    ``replications - 1``), counted by the interval of arrival.
    """
    shape = (replications, day.n_intervals)
    if len(contacts) == 0:
        zero = np.zeros(shape)
        return zero, zero.copy(), zero.copy()
    f = contact_flags(contacts, target)
    cell = (contacts["replication"].to_numpy(dtype=np.int64) * day.n_intervals
            + interval_of(contacts["arrival_at"], day))
    size = shape[0] * shape[1]

    def count(flags):
        return np.bincount(cell, weights=flags.astype(float), minlength=size).reshape(shape)

    offered = np.bincount(cell, minlength=size).reshape(shape).astype(float)
    base = service_level_base(target.definition, offered, count(f["served"]),
                              count(f["short"]))
    return offered, count(f["within"]), np.asarray(base, dtype=float)


def verdict_of(low, high, level: float) -> np.ndarray:
    """``"meets"`` where ``low >= level``, ``"misses"`` where ``high < level``, else
    ``"unclear"`` (also where the interval is missing)."""
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    out = np.full(low.shape, "unclear", dtype=object)
    out[low >= level] = "meets"
    out[high < level] = "misses"
    return out


def interval_service(contacts: pd.DataFrame, target: ServiceTarget, day: Day,
                     replications: int, estimator: str | None = None) -> pd.DataFrame:
    """Each interval's service level over the simulated days, with its 95% interval and verdict.

    Parameters
    ----------
    contacts : DataFrame
        Inbound contact records of all replications (a ``replication`` column).
    target : ServiceTarget
    day : Day
    replications : int
        How many days the records hold (days without a contact in an interval count: 0 offered).
    estimator : {"daily", "pooled"}, optional
        Default: the target's.

    Returns
    -------
    DataFrame
        One row per interval, columns ``INTERVAL_COLUMNS``: ``offered`` (mean per day),
        ``service_level`` and ``ci_low``/``ci_high``, ``days`` (days with contacts in the
        interval), ``verdict`` and ``gap`` (the level minus the service level: > 0 is short
        of the target).  ``attrs``: ``estimator`` and ``level``.  Intervals without contacts
        have no service level and verdict ``None``.
    """
    estimator = target.estimator if estimator is None else estimator
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {', '.join(ESTIMATORS)} (got "
                         f"{estimator!r})")
    offered, within, base = interval_counts(contacts, target, day, replications)
    days = (base > 0).sum(axis=0)
    if estimator == "daily":
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = pd.DataFrame(np.where(base > 0, within / np.where(base > 0, base, 1),
                                          np.nan))
        sl = ratio.mean().to_numpy()
        half = t_half_width(ratio.std(ddof=1), ratio.count()).to_numpy()
    else:
        total = base.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            sl = np.where(total > 0, within.sum(axis=0) / np.where(total > 0, total, 1), np.nan)
            resid = pd.DataFrame(within - sl * base)
            n = pd.Series(np.full(day.n_intervals, replications))
            se_top = resid.std(ddof=1)
            half = (t_half_width(se_top, n) / base.mean(axis=0)).to_numpy()
        half = np.where(total > 0, half, np.nan)
    low, high = np.maximum(sl - half, 0.0), np.minimum(sl + half, 1.0)
    verdict = verdict_of(low, high, target.level)
    verdict[np.isnan(sl)] = None
    out = pd.DataFrame({"interval": np.arange(day.n_intervals), "start": day.interval_labels(),
                        "offered": offered.mean(axis=0), "service_level": sl,
                        "ci_low": low, "ci_high": high, "days": days, "verdict": verdict,
                        "gap": target.level - sl})
    out.attrs.update(estimator=estimator, level=target.level)
    return out


def intervals_below_per_day(contacts: pd.DataFrame, target: ServiceTarget, day: Day,
                            replications: int) -> np.ndarray:
    """On each simulated day, how many intervals (with contacts) had a service level below
    the target: the figure ``intervals_below`` of a day's summary."""
    _, within, base = interval_counts(contacts, target, day, replications)
    with np.errstate(invalid="ignore", divide="ignore"):
        below = (base > 0) & (within < target.level * base)
    return below.sum(axis=1).astype(float)


@dataclass(frozen=True, kw_only=True, slots=True)
class Judgement:
    """A day judged under a target rule.

    Attributes
    ----------
    rule, level, share, estimator : the rule and how intervals were estimated.
    verdict : ``"meets"``, ``"unclear"`` or ``"misses"`` under the rule.
    judged : intervals with contacts.
    needed : intervals that must meet the level (all judged under ``every_interval``,
        ``ceil(share * judged)`` under ``share_of_intervals``, 0 under ``day``).
    below : intervals whose estimate is below the level.
    missed : intervals whose confidence interval lies below the level (missed for sure).
    unclear : intervals whose confidence interval spans the level.
    below_starts : the start labels of the intervals below the level.
    worst : start label of the interval with the lowest service level (None: no contacts).
    worst_service_level, worst_ci_low, worst_ci_high : its estimate and interval.
    day_service_level, day_ci_low, day_ci_high : the day's, as given.
    """

    rule: str
    level: float
    share: float
    estimator: str
    verdict: str
    judged: int
    needed: int
    below: int
    missed: int
    unclear: int
    below_starts: tuple[str, ...]
    worst: str | None
    worst_service_level: float
    worst_ci_low: float
    worst_ci_high: float
    day_service_level: float
    day_ci_low: float
    day_ci_high: float

    @property
    def meets(self) -> bool:
        """Whether the rule is met for sure."""
        return self.verdict == "meets"

    def line(self) -> str:
        """One line for a planner: the intervals below target, the worst, the verdict."""
        level = f"{self.level:.0%}"
        how = "mean of daily ratios" if self.estimator == "daily" else "pooled counts"
        if not self.judged:
            return f"no interval had contacts: nothing to judge against the {level} target"
        text = (f"intervals under the {level} target: {self.below} of {self.judged} "
                f"({self.missed} for sure, {self.unclear} unclear; {how})")
        if self.worst is not None:
            short = (self.level - self.worst_service_level) * 100
            text += (f"; worst {self.worst} at {self.worst_service_level:.1%} "
                     f"[{self.worst_ci_low:.1%}, {self.worst_ci_high:.1%}]")
            if short > 0:
                text += f", {short:.1f} points short"
        return f"{text}; rule {_rule_words(self)}: {self.verdict}"


def _rule_words(j: Judgement) -> str:
    if j.rule == "share_of_intervals":
        return f"at least {j.share:.0%} of intervals ({j.needed} of {j.judged})"
    return {"day": "the day", "every_interval": "every interval"}[j.rule]


def judge(intervals: pd.DataFrame, target: ServiceTarget, *, day_service_level: float,
          day_ci_low: float, day_ci_high: float, rule: str | None = None,
          share: float | None = None) -> Judgement:
    """Judge a day under a target rule.

    Parameters
    ----------
    intervals : DataFrame
        :func:`interval_service`'s table.
    target : ServiceTarget
        The level, and the default rule and share.
    day_service_level, day_ci_low, day_ci_high : float
        The day's service level and its 95% interval (the ``"day"`` rule's figure).
    rule, share : optional
        Override the target's.
    """
    rule = target.rule if rule is None else rule
    share = target.share if share is None else share
    if rule not in RULES:
        raise ValueError(f"rule must be one of {', '.join(RULES)} (got {rule!r})")
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1:
        raise ValueError(f"share must be a fraction > 0 and <= 1 (got {share!r})")
    level = target.level
    t = intervals[intervals["service_level"].notna()]
    judged = len(t)
    meets = int((t["verdict"] == "meets").sum())
    missed = int((t["verdict"] == "misses").sum())
    below_mask = t["service_level"] < level
    if rule == "day":
        needed = 0
        verdict = str(verdict_of([day_ci_low], [day_ci_high], level)[0])
    else:
        needed = judged if rule == "every_interval" else math.ceil(share * judged - 1e-9)
        if meets >= needed:
            verdict = "meets"
        elif missed > judged - needed:
            verdict = "misses"
        else:
            verdict = "unclear"
    if judged:
        w = t.loc[t["service_level"].idxmin()]
        worst = (str(w["start"]), float(w["service_level"]), float(w["ci_low"]),
                 float(w["ci_high"]))
    else:
        worst = (None, math.nan, math.nan, math.nan)
    return Judgement(rule=rule, level=level, share=float(share),
                     estimator=intervals.attrs.get("estimator", target.estimator),
                     verdict=verdict, judged=judged, needed=needed,
                     below=int(below_mask.sum()), missed=missed,
                     unclear=judged - meets - missed,
                     below_starts=tuple(t.loc[below_mask, "start"].astype(str)),
                     worst=worst[0], worst_service_level=worst[1], worst_ci_low=worst[2],
                     worst_ci_high=worst[3], day_service_level=float(day_service_level),
                     day_ci_low=float(day_ci_low), day_ci_high=float(day_ci_high))
