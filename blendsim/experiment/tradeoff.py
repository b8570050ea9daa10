"""The service-versus-outreach trade-off: what each reserve (and blended team size) buys.

:func:`tradeoff` simulates a scenario at every combination of a threshold ``reserve`` and a
number of ``blended_agents``, all with one seed, so that every point sees the same callers and
the same customer lists (common random numbers: the differences between points are sharp).
It returns one row per point with the inbound service and the outbound conversations, each
with a 95% confidence interval; :func:`blendsim.outputs.plots.frontier` draws it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from blendsim.errors import InputError
from blendsim.experiment.replications import interval_figures
from blendsim.experiment.sweep import sweep
from blendsim.metrics.judgement import judge, verdict_of
from blendsim.scenario.model import Scenario
from blendsim.scenario.parts import RULES
from blendsim.scenario.variants import reserve_cap, with_blended_agents

__all__ = ["TRADEOFF_FIGURES", "VERDICTS", "best_point", "tradeoff", "verdicts"]

TRADEOFF_FIGURES = ("service_level", "asa", "abandon_rate", "conversations", "mismatch_rate",
                    "occupancy", "outbound_share")


def tradeoff(scenario: Scenario, *, reserve=None, blended_agents=None, replications: int = 20,
             seed: int | None = None, backend: str | None = None, workers: int | None = None,
             scheduler: str | None = None, quiet: bool = False, rule: str | None = None,
             share: float | None = None) -> pd.DataFrame:
    """Inbound service and outbound conversations for each reserve and blended team size.

    Reserves at or above :func:`reserve_cap` (for a team size) all give the same day, since no
    blended agent ever dials: they are simulated once, as the smallest of them, in one row
    whose ``reserve_up_to`` is the largest; ``attrs["collapsed"]`` says which.

    Parameters
    ----------
    scenario : Scenario
        A scenario with an outbound campaign.
    reserve : list of int, optional
        Threshold reserves to try (agents kept idle for inbound); default: the scenario's.
    blended_agents : list of int, optional
        Blended team sizes to try (see :func:`with_blended_agents`); default: as given.
    replications, seed, backend, workers, scheduler, quiet
        As in :func:`blendsim.simulate`; one seed for every point (common random numbers).
    rule, share : optional
        The target rule each point is judged by (default the scenario's
        ``service_target.rule`` and ``share``): ``"day"``, ``"every_interval"`` or
        ``"share_of_intervals"``.  Intervals are estimated as the mean of daily ratios.

    Returns
    -------
    DataFrame
        One row per point that behaves differently: ``reserve``, ``reserve_up_to`` and
        ``blended_agents`` (None where not varied), and for each of ``TRADEOFF_FIGURES`` its
        mean and ``_ci_low``/``_ci_high``; conversations are per simulated day; then, judged
        per interval, ``intervals_below`` (intervals whose service level is under target),
        ``intervals_missed`` (under it for sure), ``worst_interval`` and
        ``worst_service_level``, and ``rule_verdict`` (``"meets"``, ``"unclear"`` or
        ``"misses"`` under the rule: what :func:`best_point` goes by).  ``attrs``: ``rule``,
        ``seed``, ``replications``, ``target`` and ``target_seconds``, ``scenario``,
        ``failures`` and ``collapsed`` (a list of ``{"blended_agents", "reserves", "as",
        "cap"}``: the reserves simulated once, as ``as``).
    """
    if not isinstance(scenario, Scenario):
        raise InputError(f"scenario must be a Scenario (got {type(scenario).__name__})")
    rule = scenario.service_target.rule if rule is None else rule
    if rule not in RULES:
        raise InputError(f"rule must be one of {', '.join(RULES)} (got {rule!r})")
    share = scenario.service_target.share if share is None else share
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1:
        raise InputError(f"share must be a fraction > 0 and <= 1 (got {share!r})")
    if not scenario.outbound:
        raise InputError("a trade-off needs an outbound campaign in the scenario")
    reserves = None if reserve is None else _values("reserve", reserve)
    teams = None if blended_agents is None else _values("blended_agents", blended_agents)
    if reserves is not None and len(set(reserves)) != len(reserves):
        raise InputError(f"reserve lists a value twice (got {reserves!r})")
    plans, collapsed = [], []  # (team size, reserves to simulate, reserve -> up to)
    for team in teams or [None]:
        if reserves is None:
            plans.append((team, None, {}))
            continue
        sc = scenario if team is None else with_blended_agents(scenario, team)
        cap = reserve_cap(sc)
        same = sorted(r for r in reserves if r >= cap)
        kept = [r for r in reserves if r < cap or (same and r == same[0])]
        up_to = {r: r for r in kept}
        if len(same) > 1:
            up_to[same[0]] = same[-1]
            collapsed.append({"blended_agents": team, "reserves": same, "as": same[0],
                              "cap": cap})
        plans.append((team, kept, up_to))
    kw = {"replications": replications, "seed": seed, "backend": backend, "workers": workers,
          "scheduler": scheduler, "quiet": quiet}
    if not collapsed:  # one sweep over the whole grid, as a planner's grid reads
        grid = {}
        if reserves is not None:
            grid["reserve"] = reserves
        if teams is not None:
            grid["blended_agents"] = teams
        parts = [sweep(scenario, grid, **kw)]
    else:  # a sweep per team size, each over its reserves that behave differently
        parts = []
        for team, kept, _ in plans:
            grid = {"reserve": kept} if team is None else {"reserve": kept,
                                                           "blended_agents": [team]}
            parts.append(sweep(scenario, grid, **kw))
            kw["seed"] = parts[0].attrs["seed"]  # one seed for every part
    points = parts[0] if len(parts) == 1 else pd.concat(
        [_without_attrs(p) for p in parts], ignore_index=True)
    if reserves is not None and teams is not None:  # the grid's order: reserve, then team
        order = {r: i for i, r in enumerate(reserves)}
        points = points.assign(_r=points["reserve"].map(order)).sort_values(
            ["_r"], kind="stable").drop(columns="_r").reset_index(drop=True)
    out = pd.DataFrame(index=points.index)
    for knob in ("reserve", "blended_agents"):
        out[knob] = points[knob] if knob in points else None
    if reserves is None:
        out["reserve_up_to"] = None
    else:
        ups = {(team, r): u for team, _, up_to in plans for r, u in up_to.items()}
        out["reserve_up_to"] = [
            ups[(None if teams is None else int(b), int(r))]
            for r, b in zip(points["reserve"], out["blended_agents"], strict=True)]
    for fig in TRADEOFF_FIGURES:
        for suffix in ("", "_ci_low", "_ci_high"):
            out[fig + suffix] = points[fig + suffix]
    out = pd.concat([out, _judged(points, scenario, rule, share)], axis=1)
    failures = [p.attrs["failures"] for p in parts if len(p.attrs["failures"])]
    out.attrs.update(rule=rule, share=share, seed=parts[0].attrs["seed"],
                     replications=replications,
                     target=scenario.service_target.level,
                     target_seconds=scenario.service_target.seconds, scenario=scenario.name,
                     failures=pd.concat(failures, ignore_index=True) if failures
                     else pd.DataFrame(), collapsed=collapsed)
    return out


def _judged(points: pd.DataFrame, scenario: Scenario, rule: str, share: float) -> pd.DataFrame:
    """Each point judged per interval under ``rule``: the columns :func:`tradeoff` adds."""
    names = interval_figures(scenario)
    target = scenario.service_target
    starts = scenario.day.interval_labels()
    rows = []
    for _, p in points.iterrows():
        sl = np.array([p.get(n, np.nan) for n in names], dtype=float)
        low = np.array([p.get(n + "_ci_low", np.nan) for n in names], dtype=float)
        high = np.array([p.get(n + "_ci_high", np.nan) for n in names], dtype=float)
        verdict = verdict_of(low, high, target.level)
        verdict[np.isnan(sl)] = None
        table = pd.DataFrame({"start": starts, "service_level": sl, "ci_low": low,
                              "ci_high": high, "verdict": verdict})
        table.attrs["estimator"] = "daily"
        j = judge(table, target, day_service_level=p["service_level"],
                  day_ci_low=p["service_level_ci_low"],
                  day_ci_high=p["service_level_ci_high"], rule=rule, share=share)
        rows.append({"intervals_below": j.below, "intervals_missed": j.missed,
                     "worst_interval": j.worst, "worst_service_level": j.worst_service_level,
                     "rule_verdict": j.verdict})
    return pd.DataFrame(rows, index=points.index)


def _without_attrs(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy without ``attrs`` (pandas compares them on concat, and they hold frames)."""
    frame = frame.copy()
    frame.attrs = {}
    return frame


VERDICTS = ("meets", "unclear", "misses")


def verdicts(table: pd.DataFrame, target: float) -> pd.Series:
    """Each point judged against the service-level ``target`` with its 95% interval.

    ``"meets"``: the interval lies at or above the target; ``"misses"``: below it;
    ``"unclear"``: it spans the target (or there is none: one replication), so more
    replications are needed to tell.
    """
    low, high = table["service_level_ci_low"], table["service_level_ci_high"]
    out = pd.Series("unclear", index=table.index, dtype=object)
    out[low >= target] = "meets"
    out[high < target] = "misses"
    return out


def best_point(table: pd.DataFrame, target: float):
    """Row label of the point with most conversations that meets ``target`` for sure.

    "For sure": under the trade-off's rule (its ``rule_verdict`` column), else the day's
    service level's 95% confidence interval lies at or above the target (see
    :func:`verdicts`); a point that is not conclusive is never the best.  Ties go to the
    better service level.  None if no point qualifies.
    """
    if "rule_verdict" in table:
        ok = table[table["rule_verdict"] == "meets"]
    else:
        ok = table[verdicts(table, target) == "meets"]
    if ok.empty:
        return None
    return ok.sort_values(["conversations", "service_level"], kind="stable",
                          na_position="first").index[-1]


def _values(name: str, values) -> list:
    if values is None:
        return [None]
    if isinstance(values, int) and not isinstance(values, bool):
        values = [values]
    try:
        values = list(values)
    except TypeError:
        raise InputError(f"{name} must be a list of whole numbers (got {values!r})") from None
    if not values:
        raise InputError(f"{name} must list at least one value (got an empty list)")
    for v in values:
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            raise InputError(f"{name} values must be whole numbers >= 0 (got {v!r})")
    return values
