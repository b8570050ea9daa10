"""The most outreach a roster can give without breaking any interval: a reserve per interval.

One constant threshold reserve is too timid in the troughs or too greedy in the peaks.
:func:`best_reserve_schedule` finds, interval by interval, the smallest reserve that keeps
that interval's inbound service level at the target:

1. simulate every constant reserve from 0 to :func:`~blendsim.scenario.variants.reserve_cap`
   with one seed (common random numbers), and give each interval the smallest reserve under
   which its service level (mean of daily ratios) less ``margin`` times the half-width of its
   95% interval reaches the level (chosen by the mean alone, ``margin=0``, a schedule fitted
   to one seed's luck falls short on fresh days in about half the intervals it only just
   keeps; ``margin=1``, the lower end of the interval, is so cautious that little is left to
   dial with);
2. simulate that schedule with the same seed; raise by one the reserve of every interval that
   is now not sure to keep it (the intervals affect each other through the backlog), and repeat;
3. confirm on fresh replications with another seed, side by side with the best constant
   reserve under the every-interval rule (the smallest constant reserve that keeps every
   interval that any reserve can keep).

Intervals that miss the target even when no blended agent dials (the roster itself is short
there) cannot be mended by a reserve: they are listed as ``short_anyway`` and left out of the
search (their reserve is the cap: no outbound there).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from blendsim._validate import whole
from blendsim.errors import InputError
from blendsim.experiment.replications import Result, interval_figures, simulate
from blendsim.experiment.sweep import sweep
from blendsim.scenario.model import Scenario
from blendsim.scenario.variants import reserve_cap, with_reserve

__all__ = ["MAX_ROUNDS", "ReserveSchedule", "best_reserve_schedule"]

MAX_ROUNDS = 20
CONFIRM_OFFSET = 1_000_003  # the confirming seed: the tuning seed plus this


@dataclass(frozen=True, eq=False)
class ReserveSchedule:
    """What :func:`best_reserve_schedule` found.

    Attributes
    ----------
    reserve : tuple of int
        The reserve of each interval.
    constant : int
        The best constant reserve under the every-interval rule (same judgement).
    short_anyway : tuple of str
        Start labels of intervals below target even without blending.
    rounds : int
        Schedule simulations used after the sweep of constant reserves.
    history : DataFrame
        One row per round: ``round``, ``reserve`` (the schedule), ``intervals_below``.
    confirmed : DataFrame
        On fresh replications (``confirm_seed``): one row each for ``"schedule"`` and
        ``"constant"`` with conversations, the day's service level, intervals below target
        (of those a reserve can keep) with CIs, and the every-interval verdict over them.
    schedule_result, constant_result : Result
        The confirming simulations.
    seed, confirm_seed, replications : int
    """

    reserve: tuple[int, ...]
    constant: int
    short_anyway: tuple[str, ...]
    rounds: int
    history: pd.DataFrame
    confirmed: pd.DataFrame
    schedule_result: Result
    constant_result: Result
    seed: int
    confirm_seed: int
    replications: int

    @property
    def scenario(self) -> Scenario:
        """The scenario with the schedule as its reserve (ready to run or dump)."""
        return self.schedule_result.scenario

    def gain(self) -> float:
        """Conversations a day the schedule buys over the best constant reserve."""
        c = self.confirmed.set_index("policy")["conversations"]
        return float(c["schedule"] - c["constant"])


def _levels(points: pd.DataFrame, names: list[str], margin: float) -> np.ndarray:
    """Per point (row) and interval: the mean service level less ``margin`` times the
    half-width of its 95% interval (NaN without contacts)."""
    mean = points[names].to_numpy(dtype=float)
    low = points[[n + "_ci_low" for n in names]].to_numpy(dtype=float)
    return mean - margin * np.nan_to_num(mean - low)


def _meets(levels: np.ndarray, level: float) -> np.ndarray:
    """Reaches the level, or has no contacts to judge."""
    return np.isnan(levels) | (levels >= level)


def _interval_levels(result: Result, margin: float) -> np.ndarray:
    t = result.interval_service("daily")
    mean = t["service_level"].to_numpy(dtype=float)
    return mean - margin * np.nan_to_num(mean - t["ci_low"].to_numpy(dtype=float))


def best_reserve_schedule(scenario: Scenario, *, replications: int = 20,
                          seed: int | None = None, margin: float = 0.5, max_rounds: int = 8,
                          backend: str | None = None, workers: int | None = None,
                          quiet: bool = False) -> ReserveSchedule:
    """The smallest reserve per interval that keeps each interval's inbound target.

    Parameters
    ----------
    scenario : Scenario
        A scenario with blended agents, an outbound campaign and a threshold policy (or none:
        one is added).
    replications : int
        Simulated days per evaluation (tuning and confirming alike).
    seed : int, optional
        The tuning seed (default fresh); the confirmation uses ``seed + CONFIRM_OFFSET``.
    margin : float
        How far above the level an interval's estimate must be, in half-widths of its 95%
        interval (0 to 1; see the module's docstring).
    max_rounds : int
        Schedule simulations after the sweep, 1 to ``MAX_ROUNDS``.
    backend, workers, quiet
        As in :func:`blendsim.simulate`.
    """
    if not isinstance(scenario, Scenario):
        raise InputError(f"scenario must be a Scenario (got {type(scenario).__name__})")
    if not scenario.outbound:
        raise InputError("a reserve schedule needs an outbound campaign in the scenario")
    if isinstance(margin, bool) or not isinstance(margin, (int, float)) or not 0 <= margin <= 1:
        raise InputError(f"margin must be a number from 0 to 1 (got {margin!r})")
    rounds_allowed = whole("max_rounds", max_rounds, low=1, high=MAX_ROUNDS)
    level = scenario.service_target.level
    cap = reserve_cap(scenario)
    kw = {"replications": replications, "backend": backend, "workers": workers,
          "quiet": quiet}
    points = sweep(scenario, {"reserve": list(range(cap + 1))}, seed=seed, **kw)
    seed = int(points.attrs["seed"])
    names = interval_figures(scenario)
    levels = _levels(points, names, margin)  # rows: reserve 0 .. cap
    ok = _meets(levels, level)
    short = ~ok[-1]  # below target even at the cap: no reserve mends it
    first_ok = np.where(ok.any(axis=0), ok.argmax(axis=0), cap)
    schedule = np.where(short, cap, first_ok).astype(int)
    keepable = ok[:, ~short].all(axis=1)
    constant = int(np.argmax(keepable)) if keepable.any() else cap

    history = []
    rounds = 0
    for rounds in range(1, rounds_allowed + 1):
        result = simulate(with_reserve(scenario, tuple(int(r) for r in schedule)), seed=seed,
                          **kw)
        now = _interval_levels(result, margin)
        fix = ~_meets(now, level) & ~short & (schedule < cap)
        history.append({"round": rounds, "reserve": tuple(int(r) for r in schedule),
                        "intervals_below": int((~_meets(now, level) & ~short).sum())})
        if not fix.any():
            break
        schedule = schedule + fix.astype(int)

    confirm_seed = seed + CONFIRM_OFFSET
    planned = with_reserve(scenario, tuple(int(r) for r in schedule))
    sched_result = simulate(planned, seed=confirm_seed, **kw)
    const_result = simulate(with_reserve(scenario, constant), seed=confirm_seed, **kw)
    rows = []
    for name, res in (("schedule", sched_result), ("constant", const_result)):
        rows.append(_confirm_row(name, res, short))
    starts = scenario.day.interval_labels()
    return ReserveSchedule(
        reserve=tuple(int(r) for r in schedule), constant=constant,
        short_anyway=tuple(s for s, f in zip(starts, short, strict=True) if f),
        rounds=rounds, history=pd.DataFrame(history), confirmed=pd.DataFrame(rows),
        schedule_result=sched_result, constant_result=const_result, seed=seed,
        confirm_seed=confirm_seed, replications=int(points.attrs["replications"]))


def _confirm_row(name: str, result: Result, short: np.ndarray) -> dict:
    s = result.summary()
    t = result.interval_service("daily")
    kept = t[~short & t["service_level"].notna()]
    level = result.scenario.service_target.level
    verdict = ("misses" if (kept["verdict"] == "misses").any() else
               "meets" if (kept["verdict"] == "meets").all() else "unclear")
    return {"policy": name, "conversations": s.loc["conversations", "mean"],
            "conversations_ci_low": s.loc["conversations", "ci_low"],
            "conversations_ci_high": s.loc["conversations", "ci_high"],
            "service_level": s.loc["service_level", "mean"],
            "intervals_below": int((kept["service_level"] < level).sum()),
            "intervals_missed": int((kept["verdict"] == "misses").sum()),
            "every_interval_verdict": verdict}
