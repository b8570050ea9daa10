"""Staffing a day by simulation: the fewest agents per interval that keep every interval's target.

Per-interval Erlang (SIPP) staffs each half hour as if it had run for ever at its own rate;
the modified offered load corrects for the lag of the work behind the arrivals, but neither
knows abandonment carried over, non-exponential times, several skills or blended agents who
are on an outbound call when the queue builds.  :func:`staff_by_simulation` lets the engine
decide, in the manner of the Iterative Staffing Algorithm (Feldman, Mandelbaum, Massey and
Whitt, "Staffing of time-varying queues to achieve time-stable performance", Management
Science 54(2), 2008), but judged on the service level the planner is held to:

1. start from the analytic requirement of the whole inbound load (``"mol"``: the modified
   offered load with Erlang C, or Erlang A when callers abandon), less the agents of the groups
   that are not being staffed (a blended team, say), shared between the staffed groups in
   proportion to the work of the call types each answers first;
2. simulate the day with one seed for every iteration (common random numbers: two staffings
   differ only by their agents, not by their callers) and estimate each interval's service
   level (mean over days of the interval's daily ratio) with its 95% interval;
3. an interval *keeps* the target when its estimate less ``margin`` half-widths of its interval
   reaches the level; give agents to every interval that does not keep it (one, then twice
   as many as last time while it stays short); once every interval keeps it, take agents from
   every interval that is *sure* to keep it (its whole interval above the level): halfway down
   to the head count found short there, or one (then doubling) where none was; the next
   iteration gives the agents back wherever that broke the interval or the next one (which
   inherits its backlog), so agents are not traded back and forth between neighbours.  An
   interval found short at ``n`` agents is never tried at ``n`` or below again, so the search
   ends;
4. when nothing changes but some interval's 95% interval still straddles the level, double the
   replications (the first ones stay the same days) up to ``max_replications`` and go on;
5. confirm the staffing on fresh replications with another seed: the figures reported are
   those, never the ones the staffing was tuned on.

Staffing changes on interval boundaries.  The staffed groups' head count per interval is the
result (their shifts, if any, are replaced); the other groups and the blending policy are kept
as they are, so with blending on the result is the inbound staffing that meets the target
while the blended agents dial.  Evaluations run on any backend and, with ``store=``, are kept
in a sweep store: started again on the same file, the search recomputes nothing it has done.

>>> from blendsim.scenario import AgentGroup, Day, InboundType, Scenario
>>> from blendsim.scenario.distributions import Exponential
>>> sc = Scenario(name="demo", day=Day(open_at=9 * 3600, close_at=11 * 3600, interval=1800),
...               inbound=[InboundType(name="calls", volume=[60, 120, 120, 60],
...                                    handle_time=Exponential(mean=240))],
...               groups=[AgentGroup(name="team", skills=["calls"], headcount=[1] * 4)])
>>> plan = staff_by_simulation(sc, replications=10, seed=1, backend="serial", quiet=True)
>>> len(plan.headcount["team"]), plan.converged
(4, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from blendsim._validate import number, whole
from blendsim.analytic.timevarying import METHODS, time_varying_staffing
from blendsim.errors import InputError
from blendsim.experiment.backends import MAX_REPLICATIONS
from blendsim.experiment.replications import Result, interval_figures, simulate
from blendsim.experiment.sweep import sweep
from blendsim.limits import MAX_HEADCOUNT, safe
from blendsim.metrics.judgement import Judgement
from blendsim.scenario.distributions import Exponential
from blendsim.scenario.model import Scenario
from blendsim.scenario.parts import AgentGroup, ServiceTarget

__all__ = ["MAX_ITERATIONS", "SimulatedStaffing", "STARTS", "staff_by_simulation"]

MAX_ITERATIONS = 100
MAX_STEP = 8  # agents an interval may gain or lose in one iteration
CONFIRM_OFFSET = 1_000_003  # the confirming seed: the tuning seed plus this
STARTS = (*METHODS, "scenario")
STAFF_RULES = ("every_interval", "share_of_intervals")


@dataclass(frozen=True, eq=False)
class SimulatedStaffing:
    """What :func:`staff_by_simulation` found.

    Attributes
    ----------
    headcount : DataFrame
        One row per interval: ``interval``, ``start`` (clock label), one column per staffed
        group (its agents) and ``total``.
    start : DataFrame
        The same for the analytic staffing the search started from.
    intervals : DataFrame
        On the confirming replications: the interval's ``service_level`` with ``ci_low`` and
        ``ci_high``, ``offered``, ``verdict`` (meets, misses or unclear at 95%) and ``agents``
        (the staffed groups' total), plus ``tuned_service_level`` (the estimate on the tuning
        seed).
    history : DataFrame
        One row per iteration: ``iteration``, ``replications``, ``agent_hours`` (staffed
        groups), ``intervals_below`` (not keeping the target), ``raised``, ``lowered`` and
        ``headcount`` (the totals simulated).
    converged : bool
        Whether every interval keeps the target (under the rule) on the tuning seed.
    unmet : tuple of str
        Start labels of the intervals that do not keep it when the search stopped (those
        the ``"share_of_intervals"`` rule lets off are in ``excused``).
    excused : tuple of str
        Start labels of the intervals the ``"share_of_intervals"`` rule lets off.
    groups : tuple of str
        The staffed groups.
    judgement : Judgement
        The rule's judgement on the confirming replications.
    result : Result
        The confirming simulation (its scenario is the staffed one).
    rule, margin, seed, confirm_seed, replications, iterations
    """

    headcount: pd.DataFrame
    start: pd.DataFrame
    intervals: pd.DataFrame
    history: pd.DataFrame
    converged: bool
    unmet: tuple[str, ...]
    excused: tuple[str, ...]
    groups: tuple[str, ...]
    judgement: Judgement
    result: Result
    rule: str
    margin: float
    seed: int
    confirm_seed: int
    replications: int
    iterations: int

    @property
    def scenario(self) -> Scenario:
        """The scenario with the staffing found (ready to run or dump)."""
        return self.result.scenario

    def agent_hours(self) -> float:
        """Paid hours of the staffed groups over the day."""
        interval = self.scenario.day.interval
        return float(self.headcount["total"].sum() * interval / 3600.0)

    def _state(self) -> str:
        if self.converged:
            return "every interval keeps the target" + (
                f" but {', '.join(self.excused)} (let off by the rule)" if self.excused else "")
        if self.unmet:
            return f"{len(self.unmet)} interval(s) still short: {', '.join(self.unmet)}"
        return ("every interval keeps the target, but the search was still taking agents "
                "away when it stopped (raise max_iterations for a cheaper staffing)")

    def summary(self) -> str:
        """A few lines for a planner."""
        lines = [f"staffed by simulation: {', '.join(self.groups)}; "
                 f"{self.agent_hours():,.1f} agent-hours "
                 f"(start {self.start['total'].sum() * self.scenario.day.interval / 3600:,.1f})",
                 f"{self.iterations} iterations, {self.replications} replications "
                 f"(seed {self.seed}); " + self._state(),
                 f"confirmed on seed {self.confirm_seed}: {self.judgement.line()}"]
        return "\n".join(lines)


def _staffed_groups(scenario: Scenario, groups) -> tuple[str, ...]:
    names = [g.name for g in scenario.groups]
    if groups is None:
        chosen = [g.name for g in scenario.groups if g.skills and not g.outbound]
        if not chosen:
            chosen = [g.name for g in scenario.groups if g.skills]
        return tuple(chosen)
    if isinstance(groups, str):
        groups = [groups]
    groups = list(groups)
    if not groups:
        raise InputError("groups must name at least one agent group to staff")
    for g in groups:
        if g not in names:
            raise InputError(f"groups: there is no agent group {g!r} (groups: "
                             f"{', '.join(names)})")
        if not scenario.group(g).skills:
            raise InputError(f"groups: {g!r} answers no inbound type, so inbound targets "
                             f"cannot staff it")
    if len(set(groups)) != len(groups):
        raise InputError(f"groups must not repeat a group (got {groups})")
    return tuple(groups)


def group_headcount(scenario: Scenario, name: str) -> np.ndarray:
    """The agents of a group working at the middle of each interval."""
    day = scenario.day
    g = scenario.group(name)
    if g.headcount is not None:
        return np.asarray(g.headcount, dtype=np.int64)
    middle = day.interval_starts + day.interval / 2
    counts = np.zeros(day.n_intervals, dtype=np.int64)
    for s in g.shifts:
        counts += ((s.start_at <= middle) & (middle < s.end_at)) * int(s.count)
    return counts


def _work(scenario: Scenario) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Per interval: expected calls of all types and, per type, calls x handle time."""
    day = scenario.day
    work = {}
    calls = np.zeros(day.n_intervals)
    for t in scenario.inbound:
        c = t.expected_calls(day.interval, day)
        handle = t.handle_time.mean + (t.wrap_up.mean if t.wrap_up is not None else 0.0)
        work[t.name] = c * handle
        calls += c
    return calls, work


def analytic_start(scenario: Scenario, method: str, target: ServiceTarget) -> np.ndarray:
    """The analytic requirement of the whole inbound load per interval (all agents)."""
    day = scenario.day
    calls, work = _work(scenario)
    total_work = sum(work.values())
    with np.errstate(invalid="ignore", divide="ignore"):
        aht = np.where(calls > 0, total_work / np.where(calls > 0, calls, 1), 0.0)
    busy = calls > 0
    fallback = float(total_work.sum() / calls.sum()) if calls.sum() > 0 else 1.0
    aht = np.where(busy, aht, fallback)
    kw = {}
    if method == "mol" and len(scenario.inbound) == 1:
        h = scenario.inbound[0].handle_time
        cv = getattr(h, "cv", None)
        if cv is not None and not isinstance(h, Exponential):
            kw["handle_cv"] = float(cv)
    patient = [t for t in scenario.inbound if t.patience is not None]
    targets = {"target_sl": target.level, "target_time": target.seconds}
    if patient:
        weights = np.array([t.expected_calls(day.interval, day).sum() for t in patient])
        means = np.array([t.patience.mean for t in patient])
        patience = float((weights * means).sum() / weights.sum()) if weights.sum() > 0 else \
            float(means.mean())
        targets.update(model="erlang_a", patience=patience)
    forecast = {"interval_start": list(day.interval_starts), "calls": calls, "aht": aht}
    table = time_varying_staffing(forecast, interval=day.interval, method=method, **kw,
                                  **targets)
    return table["agents"].to_numpy(dtype=np.int64)


def work_shares(scenario: Scenario, staffed: tuple[str, ...]) -> np.ndarray:
    """Per staffed group and interval: its share of the work of the types it answers first."""
    _, work = _work(scenario)
    n = scenario.day.n_intervals
    share = np.zeros((len(staffed), n))
    routes = scenario.routing_table()
    for t, w in work.items():
        first = [g for g, _ in routes[t] if g in staffed]
        if first:
            share[staffed.index(first[0])] += w
    total = share.sum(axis=0)
    even = np.full(len(staffed), 1.0 / len(staffed))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, share / np.where(total > 0, total, 1), even[:, None])


def split_whole(totals: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Whole agents per group summing to each interval's total (largest remainders)."""
    exact = shares * totals
    whole_part = np.floor(exact).astype(np.int64)
    left = totals - whole_part.sum(axis=0)
    order = np.argsort(-(exact - whole_part), axis=0, kind="stable")
    for k in range(totals.size):
        for i in order[: left[k], k]:
            whole_part[i, k] += 1
    return whole_part


def _with_headcount(scenario: Scenario, staffed: tuple[str, ...],
                    counts: np.ndarray) -> Scenario:
    groups = []
    for g in scenario.groups:
        if g.name in staffed:
            hc = tuple(int(x) for x in counts[staffed.index(g.name)])
            groups.append(AgentGroup(name=g.name, skills=g.skills, outbound=g.outbound,
                                     headcount=hc))
        else:
            groups.append(g)
    return scenario.replace(groups=tuple(groups))


def _frame(labels: list[str], staffed: tuple[str, ...], counts: np.ndarray) -> pd.DataFrame:
    out = pd.DataFrame({"interval": np.arange(len(labels)), "start": labels})
    for name, row in zip(staffed, counts, strict=True):
        out[name] = row.astype(int)
    out["total"] = counts.sum(axis=0).astype(int)
    return out


def staff_by_simulation(scenario: Scenario, *, target: ServiceTarget | None = None,
                        rule: str = "every_interval", share: float | None = None,
                        replications: int = 20, max_replications: int | None = None,
                        seed: int | None = None, start: str = "mol", groups=None,
                        margin: float = 1.0, max_iterations: int = 50, store=None,
                        backend: str | None = None, workers: int | None = None,
                        scheduler: str | None = None,
                        quiet: bool = False) -> SimulatedStaffing:
    """The fewest agents per interval that keep each interval's inbound target, by simulation.

    Parameters
    ----------
    scenario : Scenario
        Any scenario: several call types, skills, abandonment, any time distributions, with
        or without blending.
    target : ServiceTarget, optional
        The level, the answer time and how service level is counted (default the
        scenario's); ``target.rule`` is ignored in favour of ``rule``.
    rule : {"every_interval", "share_of_intervals"}
        Every interval must keep the target, or at least ``share`` of those with calls: the
        intervals let off are those furthest below the target on the first staffing, and
        they keep that staffing (neither raised nor lowered).  The day's average is not an interval
        rule: staff for it with :func:`blendsim.analytic.staffing_table`.
    share : float, optional
        For ``"share_of_intervals"`` (default the target's ``share``).
    replications : int
        Simulated days per evaluation to begin with.
    max_replications : int, optional
        How many the evaluations grow to, doubling, once the search settles (default four
        times ``replications``, at most ``MAX_REPLICATIONS``); the confirmation uses as many.
    seed : int, optional
        The tuning seed (default fresh); the confirmation uses ``seed + CONFIRM_OFFSET``.
    start : {"mol", "sipp", "lag", "scenario"}
        The first staffing: an analytic rule of :func:`blendsim.analytic.time_varying_staffing`
        on the whole inbound load, or the scenario's own head counts.
    groups : str or list of str, optional
        The groups to staff (default every group that answers inbound and makes no outbound
        calls; when there is none, every group that answers inbound).
    margin : float
        How far above the level an interval's estimate must be to keep it, in half-widths of
        its 95% interval, 0 to 1.  The default 1 asks for the whole interval above the level,
        so that fresh days keep it too; 0 is the mean alone, which a fresh seed breaks in
        about half of the intervals that only just keep it (0.5 left one bank interval 0.8
        points short on fresh days).
    max_iterations : int
        Evaluations allowed, 1 to ``MAX_ITERATIONS``.
    store : path, optional
        A sweep store: evaluations are kept there and not computed again when the same search
        is started again on it.
    backend, workers, scheduler, quiet
        As in :func:`blendsim.simulate`.

    Returns
    -------
    SimulatedStaffing
    """
    if not isinstance(scenario, Scenario):
        raise InputError(f"scenario must be a Scenario (got {type(scenario).__name__})")
    if target is None:
        target = scenario.service_target
    elif not isinstance(target, ServiceTarget):
        raise InputError(f"target must be a ServiceTarget (got {safe(target)})")
    if rule not in STAFF_RULES:
        raise InputError(f"rule must be one of {', '.join(STAFF_RULES)} (got {safe(rule)}); "
                         f"for the day's average alone use blendsim.staffing_table")
    share = target.share if share is None else number("share", share, low=0, low_open=True,
                                                       high=1)
    reps = whole("replications", replications, low=2, high=MAX_REPLICATIONS)
    top = min(4 * reps, MAX_REPLICATIONS) if max_replications is None else whole(
        "max_replications", max_replications, low=reps, high=MAX_REPLICATIONS)
    if start not in STARTS:
        raise InputError(f"start must be one of {', '.join(STARTS)} (got {safe(start)})")
    margin = number("margin", margin, low=0, high=1)
    rounds = whole("max_iterations", max_iterations, low=1, high=MAX_ITERATIONS)
    staffed = _staffed_groups(scenario, groups)
    if not staffed:
        raise InputError("the scenario has no group that answers inbound calls to staff")
    scenario = scenario.replace(service_target=ServiceTarget(
        level=target.level, seconds=target.seconds, definition=target.definition,
        short_abandon=target.short_abandon, rule=rule, share=share,
        estimator="daily"))

    day = scenario.day
    labels = day.interval_labels()
    n = day.n_intervals
    calls, _ = _work(scenario)
    shares = work_shares(scenario, staffed)
    if start == "scenario":
        first = np.array([group_headcount(scenario, g) for g in staffed])
    else:
        fixed = sum((group_headcount(scenario, g.name) for g in scenario.groups
                     if g.skills and g.name not in staffed), np.zeros(n, dtype=np.int64))
        need = np.maximum(analytic_start(scenario, start, target) - fixed, 0)
        need = np.where((calls > 0) & (need < 1), 1, need)  # someone while calls come in
        first = split_whole(need, shares)
    floor_total = np.where(calls > 0, 1, 0)
    base = _with_headcount(scenario, staffed, first)
    paths = [f"groups[{g}].headcount" for g in staffed]
    names = interval_figures(scenario)

    counts = first.copy()
    known_short = np.full(n, -1, dtype=np.int64)  # a total found short in each interval
    seed_used = seed
    history: list[dict] = []
    evaluated = 0
    converged = False
    below = np.zeros(n, dtype=bool)
    excused = None
    last = np.zeros(n, dtype=np.int64)  # each interval's last change: + raised, - lowered
    for evaluated in range(1, rounds + 1):
        grid = {p: [[int(x) for x in row]] for p, row in zip(paths, counts, strict=True)}
        points = sweep(base, grid, replications=reps, seed=seed_used, store=store,
                       backend=backend, workers=workers, scheduler=scheduler, quiet=quiet)
        seed_used = int(points.attrs["seed"])  # a fresh seed is drawn once, then kept
        row = points.iloc[0]
        mean = row[names].to_numpy(dtype=float)
        low = row[[f + "_ci_low" for f in names]].to_numpy(dtype=float)
        judged = ~np.isnan(mean)
        half = np.nan_to_num(mean - low)
        keeps = ~judged | (mean - margin * half >= target.level)
        below = ~keeps
        if excused is None:  # decided once, on the first staffing, so the search ends
            excused = np.zeros(n, dtype=bool)
            allowed = int(math.floor((1 - share) * judged.sum() + 1e-9))
            if rule == "share_of_intervals" and allowed:
                worst = np.argsort(np.where(below, mean, np.inf), kind="stable")[:allowed]
                excused[worst[below[worst]]] = True
        below = below & ~excused
        fix = below.copy()
        total = counts.sum(axis=0)
        entry = {"iteration": evaluated, "replications": reps,
                 "agent_hours": float(total.sum() * day.interval / 3600),
                 "intervals_below": int(below.sum()), "raised": 0, "lowered": 0,
                 "headcount": tuple(int(x) for x in total)}
        # A lowering that broke the interval itself or the next one (which inherits its
        # backlog) is undone, and that head count counts as short: agents are not traded
        # back and forth between neighbours.
        after = np.append(below[1:], False)
        undo = (last < 0) & (below | after)
        if undo.any():
            known_short[undo] = np.maximum(known_short[undo], total[undo])
            counts = _step(counts, np.where(undo, -last, 0), shares)
            last = np.where(undo, 0, last)
            entry["raised"] = int(undo.sum())
            history.append(entry)
            continue
        if fix.any():
            if (total[fix] >= MAX_HEADCOUNT).any():
                history.append(entry)
                break
            known_short[fix] = np.maximum(known_short[fix], total[fix])
            # Raised again straight after a raise: twice the last step (far below needs many).
            size = np.where(fix & (last > 0), np.minimum(2 * last, MAX_STEP), 1)
            size = np.minimum(size, MAX_HEADCOUNT * len(staffed) - total)
            counts = _step(counts, np.where(fix, size, 0), shares)
            last = np.where(fix, size, 0)
            entry["raised"] = int(fix.sum())
            history.append(entry)
            continue
        sure = judged & (low >= target.level) & ~excused
        lower = sure & (total - 1 > known_short) & (total - 1 >= floor_total)
        if lower.any():
            # Halfway down to the total found short, if any; else one agent, twice the last
            # step after a lowering that kept the target.
            gap = total - known_short - 1
            size = np.where(known_short >= 0, np.maximum(1, gap // 2),
                            np.where(last < 0, np.minimum(-2 * last, MAX_STEP), 1))
            size = np.maximum(np.minimum(size, total - floor_total), 1)
            counts = _step(counts, np.where(lower, -size, 0), shares)
            last = np.where(lower, -size, 0)
            entry["lowered"] = int(lower.sum())
            history.append(entry)
            continue
        last[:] = 0
        history.append(entry)
        if reps < top:
            reps = min(2 * reps, top)
            # What was found short on fewer days may have been their luck: try again.
            known_short[:] = -1
            continue
        converged = True
        break

    # The staffing judged last is the one kept (a raise or lowering not yet simulated is
    # undone: it was never checked).
    final = np.array(history[-1]["headcount"])
    if final.sum() != counts.sum() or (counts.sum(axis=0) != final).any():
        counts = _split_like(counts, final, shares)
    planned = _with_headcount(scenario, staffed, counts)
    confirm_seed = seed_used + CONFIRM_OFFSET
    result = simulate(planned, replications=reps, seed=confirm_seed, backend=backend,
                      workers=workers, scheduler=scheduler, quiet=quiet)
    table = result.interval_service("daily")
    table["agents"] = counts.sum(axis=0)
    table["tuned_service_level"] = mean
    return SimulatedStaffing(
        headcount=_frame(labels, staffed, counts), start=_frame(labels, staffed, first),
        intervals=table, history=pd.DataFrame(history), converged=converged,
        unmet=tuple(lb for lb, b in zip(labels, below, strict=True) if b),
        excused=tuple(lb for lb, e in zip(labels, excused, strict=True) if e),
        groups=staffed, judgement=result.judgement(rule, share, "daily"), result=result,
        rule=rule, margin=margin, seed=seed_used, confirm_seed=confirm_seed,
        replications=reps, iterations=evaluated)


def _step(counts: np.ndarray, change: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """``change[k]`` agents more (fewer, when negative) in interval ``k``, one at a time, each
    to the group furthest below (above) its share of the new total."""
    out = counts.copy()
    for k in np.flatnonzero(change):
        sign = 1 if change[k] > 0 else -1
        for _ in range(abs(int(change[k]))):
            total = out[:, k].sum() + sign
            gap = shares[:, k] * total - out[:, k]
            if sign > 0:
                i = int(np.argmax(gap))
            else:
                gap = np.where(out[:, k] > 0, gap, np.inf)
                if np.isinf(gap).all():
                    break
                i = int(np.argmin(gap))
            out[i, k] += sign
    return out


def _split_like(counts: np.ndarray, totals: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Undo the last unsimulated step: bring each interval back to ``totals``."""
    return _step(counts, totals - counts.sum(axis=0), shares)
