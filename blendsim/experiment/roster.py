"""Rosters: the cheapest shifts to post, checked and repaired by simulation.

A planner posts shifts, not head counts.  Given shift templates (lengths, start windows,
breaks, costs, who may work them: :mod:`blendsim.scenario.templates`), this module finds:

* :func:`cover_roster`, the two-step roster: an analytic requirement per interval (SIPP,
  lagged SIPP or the modified offered load, with Erlang A when callers abandon), then the
  cheapest integer cover of it (:func:`blendsim.analytic.cover.integer_cover`, HiGHS through
  ``scipy.optimize.milp``).  When the templates cannot cover some interval it still returns the
  best roster, with the intervals left short and by how much;
* :func:`roster_by_simulation`, the roster the engine accepts.  Requirements first, then a
  cover, can be far from optimal and can miss (Atlason, Epelman and Henderson, "Call center
  staffing with simulation and cutting plane methods", Annals of Operations Research 127,
  2004; Cezik and L'Ecuyer, "Staffing multiskill call centers via linear programming and
  simulation", Management Science 54(2), 2008).  So the roster is simulated (common random
  numbers: every iteration sees the same callers) and every interval that does not keep the
  target gets a cut: its coverage must exceed what this roster gave it, by one agent, then
  twice as many while it stays short.  This is the integer cut of Atlason et al. with the
  subgradient of an interval's service level taken with respect to its own staffing only
  (the service level rises with each agent, so "one more agent here" is the weakest cut
  that can fix the miss); the integer program then finds the cheapest roster meeting every
  cut, which may move other shifts too.  Cuts only rise, so the loop ends.
* the **outreach goal**: "at least N proactive conversations a day" (per campaign, or in
  all) is one more row of the integer program.  Each shift worked by a group that calls the
  campaign yields, per interval, the conversations per agent measured on the last
  simulation (at first, an estimate from the campaign's times, windows and the inbound
  team's idle time); the optimiser chooses how many shifts are blended (or outbound-only)
  and where.  When a simulated day falls short of the goal, the goal row is raised by the
  shortfall and the yields re-measured.  The marginal cost of every further 10 conversations
  comes from the same program.

The result is confirmed on fresh replications with another seed; the figures reported are
those.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from blendsim._units import format_clock
from blendsim._validate import number, whole
from blendsim.analytic.cover import Cover, integer_cover
from blendsim.errors import InputError
from blendsim.experiment.backends import MAX_REPLICATIONS
from blendsim.experiment.replications import Result, simulate
from blendsim.experiment.staffing import (
    CONFIRM_OFFSET,
    MAX_ITERATIONS,
    MAX_STEP,
    STAFF_RULES,
    analytic_start,
    group_headcount,
    split_whole,
    work_shares,
)
from blendsim.limits import safe
from blendsim.metrics.judgement import Judgement
from blendsim.scenario.model import Scenario
from blendsim.scenario.parts import AgentGroup, ServiceTarget
from blendsim.scenario.templates import Candidates, candidate_shifts

__all__ = ["Roster", "SimulatedRoster", "cover_roster", "roster_by_simulation"]

METHODS = ("sipp", "lag", "mol")
MAX_GOAL = 1_000_000  # conversations a day
MAX_CURVE_STEPS = 20  # the marginal-cost curve: at most 20 more goals, 10 conversations apart
# The solver's relative gap with a goal row: within 0.5% of the optimum (on the bank's day of
# about 3,300 a day, 17, less than one paid hour).  Proving 1e-3 took 60 s and more on one
# bank goal; 5e-3, half a second.
GOAL_GAP = 5e-3


@dataclass(frozen=True, eq=False)
class _Problem:
    """The integer program's columns (shift x group) and rows (inbound needs, goals)."""

    cand: Candidates
    shift: np.ndarray  # column -> candidate shift
    group: tuple[str, ...]  # column -> group
    rostered: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # the groups pooled in each inbound row
    counts_for: np.ndarray
    bounds: list
    campaigns: tuple[str, ...]  # the campaigns in the goals (one goal each, or "all")
    goal_names: tuple[str, ...]

    @property
    def coverage(self) -> np.ndarray:
        return self.cand.coverage[self.shift]

    @property
    def cost(self) -> np.ndarray:
        return self.cand.cost[self.shift]


@dataclass(frozen=True, eq=False)
class Roster:
    """A roster: how many agents of each group work each shift.

    Attributes
    ----------
    shifts : DataFrame
        One row per shift posted: ``template``, ``group``, ``start``, ``end`` (clock),
        ``breaks`` (``"12:00-12:30"``, comma-separated), ``count``, ``paid_hours`` (all its
        agents) and ``cost``.
    intervals : DataFrame
        One row per interval: ``interval``, ``start``, then per inbound row ``requirement``,
        ``scheduled``, ``short`` and ``slack`` (suffixed by the row's groups when there are
        several rows), and one column per rostered group with its agents on duty.
    unmet : DataFrame
        The intervals the roster leaves short: ``start``, ``groups``, ``requirement``,
        ``scheduled``, ``short`` (empty when the cover is met).
    cost : float
    status : str
        The integer cover's status: ``"optimal"``, ``"shortfall"`` or ``"time_limit"``.
    scenario : Scenario
        The scenario with the rostered groups on these shifts (ready to run or dump).
    cover : Cover
        The integer cover itself.
    goals : DataFrame
        Per outreach goal: ``campaign``, ``goal`` (as asked), ``solved_for`` (the goal row
        as the simulation search raised it) and ``planned`` (the program's estimate of the
        conversations the roster makes).
    """

    shifts: pd.DataFrame
    intervals: pd.DataFrame
    unmet: pd.DataFrame
    cost: float
    status: str
    scenario: Scenario
    cover: Cover
    goals: pd.DataFrame

    def paid_hours(self) -> float:
        return float(self.shifts["paid_hours"].sum())

    def summary(self) -> str:
        within = f", within {100 * self.cover.gap:.2g}% of the optimum" \
            if self.cover.gap > 1e-4 else ""
        lines = [f"roster: {int(self.shifts['count'].sum()):,} shifts, "
                 f"{self.paid_hours():,.1f} paid hours, cost {self.cost:,.2f} "
                 f"({self.status}{within})"]
        if len(self.unmet):
            lines.append(f"{len(self.unmet)} interval(s) cannot be covered: " + ", ".join(
                f"{r.start} short {r.short:g}" for r in self.unmet.itertuples()))
        return "\n".join(lines)


@dataclass(frozen=True, eq=False)
class SimulatedRoster:
    """What :func:`roster_by_simulation` found.

    Attributes
    ----------
    roster : Roster
        The roster found (cuts and outreach included).
    two_step : Roster
        The cover of the analytic requirement alone (with the outreach goal at the first
        yield estimates).
    intervals : DataFrame
        The roster on the confirming replications, per interval: ``service_level`` with
        ``ci_low``/``ci_high``, ``offered``, ``verdict``, ``requirement`` (the analytic one),
        ``scheduled`` (inbound agents on duty) and ``two_step_service_level`` (the two-step
        roster on the same confirming days).
    conversations : DataFrame
        Per outreach goal on the confirming replications: ``campaign``, ``goal``,
        ``conversations`` with ``ci_low``/``ci_high``, ``met``.
    curve : DataFrame
        The cost of outreach: ``goal`` (conversations a day: 0, the goal, then 10 more a
        step), ``cost``, ``extra_cost`` (over the previous row), ``conversations`` (the day's
        mean on the tuning seed) and ``converged``; each goal searched by simulation like
        the first, so the inbound targets are still kept (empty without a single goal).
    history : DataFrame
        One row per iteration: ``iteration``, ``replications``, ``cost``, ``intervals_below``
        (each gets a cut), ``goal`` and ``conversations`` (the day's mean, per goal).
    converged : bool
        Every interval keeps the target (under the rule) and the goal is met, on the tuning
        seed.
    judgement, two_step_judgement : Judgement
        The rule's judgement of each roster on the confirming replications.
    result : Result
        The confirming simulation of the roster.
    rule, margin, seed, confirm_seed, replications, iterations
    """

    roster: Roster
    two_step: Roster
    intervals: pd.DataFrame
    conversations: pd.DataFrame
    curve: pd.DataFrame
    history: pd.DataFrame
    converged: bool
    judgement: Judgement
    two_step_judgement: Judgement
    result: Result
    rule: str
    margin: float
    seed: int
    confirm_seed: int
    replications: int
    iterations: int

    @property
    def scenario(self) -> Scenario:
        return self.roster.scenario

    def _state(self) -> str:
        if self.converged:
            return "every interval keeps the target" + (
                " and the goal is reached" if len(self.conversations) else "")
        if self.roster.status == "shortfall":
            return (f"NOT converged: the templates cannot cover {len(self.roster.unmet)} "
                    f"interval(s) (see roster.unmet)")
        return "NOT converged in the iterations allowed (see history)"

    def summary(self) -> str:
        r, t = self.roster, self.two_step
        lines = [f"roster by simulation: {int(r.shifts['count'].sum()):,} shifts, "
                 f"{r.paid_hours():,.1f} paid hours, cost {r.cost:,.2f}; two-step roster "
                 f"cost {t.cost:,.2f} ({r.cost - t.cost:+,.2f})",
                 f"{self.iterations} iterations, {self.replications} replications (seed "
                 f"{self.seed}); " + self._state(),
                 f"confirmed on seed {self.confirm_seed}: {self.judgement.line()}",
                 f"two-step roster on the same days: {self.two_step_judgement.line()}"]
        for c in self.conversations.itertuples():
            lines.append(f"outreach {c.campaign}: {c.conversations:,.1f} conversations a day "
                         f"(95% CI {c.ci_low:,.1f}-{c.ci_high:,.1f}) for a goal of "
                         f"{c.goal:,.0f}: {'met' if c.met else 'NOT met'}")
        if len(self.curve) > 1:
            steps = ", ".join(f"{g:,.0f}: +{e:,.2f}" for g, e in
                              zip(self.curve["goal"].iloc[1:], self.curve["extra_cost"].iloc[1:],
                                  strict=True))
            lines.append(f"marginal cost of 10 more conversations a day: {steps}")
        return "\n".join(lines)


# --- the problem -----------------------------------------------------------------------------

def _problem(scenario: Scenario, templates, outreach) -> tuple[_Problem, dict]:
    cand = candidate_shifts(templates, scenario.day)
    names = [g.name for g in scenario.groups]
    rostered: list[str] = []
    for i, t in enumerate(cand.templates):
        for g in t.groups:
            if g not in names:
                raise InputError(f"templates[{i}] {t.name!r}: there is no agent group {g!r} "
                                 f"in the scenario (groups: {', '.join(names)})")
            if g not in rostered:
                rostered.append(g)
    shift, group = [], []
    for k in range(len(cand)):
        for g in cand.templates[cand.template[k]].groups:
            shift.append(k)
            group.append(g)
    shift = np.array(shift, dtype=np.int64)
    inbound = [g for g in rostered if scenario.group(g).skills]
    sets: dict[frozenset, list[str]] = {}
    for g in inbound:
        sets.setdefault(frozenset(scenario.group(g).skills), []).append(g)
    rows = tuple(tuple(v) for v in sets.values())
    counts_for = np.array([[g in row for g in group] for row in rows], dtype=bool).reshape(
        len(rows), len(group))
    bounds = []
    for ti, t in enumerate(cand.templates):
        cols = np.flatnonzero(cand.template[shift] == ti)
        if t.min_count or t.max_count is not None:
            bounds.append((cols, t.min_count, t.max_count))
    goals = _goals(scenario, rostered, outreach)
    problem = _Problem(cand=cand, shift=shift, group=tuple(group), rostered=tuple(rostered),
                       rows=rows, counts_for=counts_for, bounds=bounds,
                       campaigns=tuple(goals), goal_names=tuple(goals))
    return problem, goals


def _goals(scenario: Scenario, rostered: list[str], outreach) -> dict[str, float]:
    """``{campaign or "all": conversations a day}``."""
    if outreach is None:
        return {}
    callers = {c for g in rostered for c in scenario.group(g).outbound}
    campaigns = [c.name for c in scenario.outbound]
    if not isinstance(outreach, dict):
        goal = number("outreach", outreach, low=0, high=MAX_GOAL)
        outreach = {campaigns[0] if len(campaigns) == 1 else "all": goal} if campaigns else \
            {"all": goal}
    if not callers:
        raise InputError("outreach needs a rostered group that calls out: no template may be "
                         "worked by a group with outbound campaigns")
    out = {}
    for name, goal in outreach.items():
        if name != "all" and name not in campaigns:
            raise InputError(f"outreach: there is no campaign {name!r} (campaigns: "
                             f"{', '.join(campaigns) or 'none'})")
        if name != "all" and name not in callers:
            raise InputError(f"outreach: no rostered group calls for {name!r}")
        goal = number(f"outreach[{name!r}]", goal, low=0, high=MAX_GOAL)
        most = _most_conversations(scenario, name)
        if goal > most:
            raise InputError(f"outreach[{name!r}] asks for {goal:,.0f} conversations a day, "
                             f"but the list can give at most {most:,.0f} (list size x the "
                             f"chance of reaching a customer in the attempts allowed)")
        out[name] = goal
    return out


def _most_conversations(scenario: Scenario, name: str) -> float:
    total = 0.0
    for c in scenario.outbound:
        if name not in ("all", c.name):
            continue
        if c.list_size is None:
            return math.inf
        total += c.list_size * (1 - (1 - c.connect_probability) ** c.max_attempts)
    return total


def _window_share(campaign, day) -> np.ndarray:
    """Share of each interval inside the campaign's dialling windows."""
    edges = day.open_at + day.interval * np.arange(day.n_intervals + 1)
    windows = campaign.windows or ((day.open_at, day.close_at),)
    share = np.zeros(day.n_intervals)
    for a, b in windows:
        lo, hi = np.maximum(edges[:-1], a), np.minimum(edges[1:], b)
        share += np.maximum(hi - lo, 0) / day.interval
    return np.minimum(share, 1.0)


def _first_yields(scenario: Scenario, problem: _Problem, need: np.ndarray) -> dict:
    """Conversations per agent per whole interval, per (goal, group): before any
    simulation, from the campaign's times while dialling, the dialling windows and (for a
    blended group) half the inbound team's idle share at the analytic requirement."""
    day = scenario.day
    calls = sum(t.expected_calls(day.interval, day) * (
        t.handle_time.mean + (t.wrap_up.mean if t.wrap_up is not None else 0.0))
        for t in scenario.inbound)
    load = calls / day.interval
    with np.errstate(invalid="ignore", divide="ignore"):
        idle = np.where(need > 0, np.clip(1 - load / np.maximum(need, 1e-9), 0, 1), 1.0)
    yields = {}
    for goal in problem.goal_names:
        for g in problem.rostered:
            group = scenario.group(g)
            y = np.zeros(day.n_intervals)
            mine = [c for c in scenario.outbound if c.name in group.outbound
                    and goal in ("all", c.name)]
            for c in mine:
                p = c.connect_probability
                talk = c.talk_time.mean + c.connect_time.mean + (
                    c.wrap_up.mean if c.wrap_up is not None else 0.0)
                per_second = p / (p * talk + (1 - p) * c.attempt_time.mean)
                y += per_second * day.interval * _window_share(c, day) / len(group.outbound)
            if group.skills:
                y *= 0.5 * idle
            yields[goal, g] = y
    return yields


def _need(scenario: Scenario, problem: _Problem, method: str,
          target: ServiceTarget) -> np.ndarray:
    """The analytic requirement of each inbound row (agents per interval)."""
    day = scenario.day
    n = day.n_intervals
    if not problem.rows:
        return np.zeros((0, n))
    calls = sum(t.expected_calls(day.interval, day) for t in scenario.inbound)
    fixed = sum((group_headcount(scenario, g.name) for g in scenario.groups
                 if g.skills and g.name not in problem.rostered), np.zeros(n, dtype=np.int64))
    need = np.maximum(analytic_start(scenario, method, target) - fixed, 0)
    need = np.where((calls > 0) & (need < 1), 1, need)
    if len(problem.rows) == 1:
        return need[None, :].astype(float)
    heads = tuple(row[0] for row in problem.rows)
    return split_whole(need, work_shares(scenario, heads)).astype(float)


def _solve(scenario: Scenario, problem: _Problem, floors: np.ndarray, goals: dict,
           yields: dict, time_limit: float, asked: dict | None = None) -> Roster:
    """The cheapest roster covering ``floors`` with the goal rows ``goals`` (as raised by
    the search; ``asked`` are the goals as asked, for the roster's table)."""
    coverage = problem.coverage
    goal_rows = []
    for name, goal in goals.items():
        w = np.array([coverage[j] @ yields[name, g] for j, g in enumerate(problem.group)])
        goal_rows.append((w, goal))
    if not len(problem.rows):  # nothing inbound to cover: only goals and bounds
        req, member = np.zeros((1, coverage.shape[1])), np.ones((1, coverage.shape[0]), bool)
    else:
        req, member = floors, problem.counts_for
    # Shifts of groups that call out cost a hair more, so that without a goal asking for
    # them the roster answers inbound with inbound-only agents (who never dial).
    calls_out = np.array([bool(scenario.group(g).outbound) for g in problem.group])
    cover = integer_cover(coverage, problem.cost * (1 + 1e-6 * calls_out), req,
                          counts_for=member, bounds=problem.bounds, goals=goal_rows,
                          time_limit=time_limit, gap=GOAL_GAP if goal_rows else 1e-4)
    return _roster(scenario, problem, cover, goals, goals if asked is None else asked)


def _roster(scenario: Scenario, problem: _Problem, cover: Cover, goals: dict,
            asked: dict) -> Roster:
    cand, day = problem.cand, scenario.day
    rows, shifts_of = [], {g: [] for g in problem.rostered}
    for j in np.flatnonzero(cover.counts):
        k, g, count = int(problem.shift[j]), problem.group[j], int(cover.counts[j])
        t = cand.templates[cand.template[k]]
        shifts_of[g].append(cand.shift(k, count))
        rows.append({"template": t.name, "group": g, "start": format_clock(cand.start[k]),
                     "end": format_clock(cand.end[k]),
                     "breaks": ", ".join(f"{format_clock(a)}-{format_clock(b)}"
                                         for a, b in cand.breaks[k]),
                     "count": count, "paid_hours": count * t.paid_seconds() / 3600,
                     "cost": count * float(cand.cost[k]), "_at": float(cand.start[k])})
    table = pd.DataFrame(rows, columns=["template", "group", "start", "end", "breaks", "count",
                                        "paid_hours", "cost", "_at"])
    table = table.sort_values(["_at", "group", "template"], kind="stable").drop(
        columns="_at").reset_index(drop=True)
    groups = []
    for g in scenario.groups:
        if g.name in shifts_of:
            on = tuple(sorted(shifts_of[g.name], key=lambda s: (s.start_at, s.end_at)))
            groups.append(AgentGroup(name=g.name, skills=g.skills, outbound=g.outbound,
                                     shifts=on))
        else:
            groups.append(g)
    planned = scenario.replace(groups=tuple(groups))
    labels = day.interval_labels()
    out = pd.DataFrame({"interval": np.arange(day.n_intervals), "start": labels})
    unmet = []
    for r, row in enumerate(problem.rows):
        suffix = "" if len(problem.rows) == 1 else f" ({', '.join(row)})"
        out["requirement" + suffix] = cover.requirement[r]
        out["scheduled" + suffix] = cover.covered[r]
        out["short" + suffix] = cover.shortfall[r]
        out["slack" + suffix] = cover.slack[r]
        for i in np.flatnonzero(cover.shortfall[r] > 0):
            unmet.append({"start": labels[i], "groups": ", ".join(row),
                          "requirement": float(cover.requirement[r, i]),
                          "scheduled": float(cover.covered[r, i]),
                          "short": float(cover.shortfall[r, i])})
    on_duty = _on_duty(problem, cover.counts)
    for g in problem.rostered:
        out[g] = on_duty[g]
    goal_table = pd.DataFrame({"campaign": list(goals),
                               "goal": [asked.get(k, math.nan) for k in goals],
                               "solved_for": list(goals.values()),
                               "planned": cover.goal_values[:len(goals)]})
    return Roster(shifts=table, intervals=out,
                  unmet=pd.DataFrame(unmet, columns=["start", "groups", "requirement",
                                                     "scheduled", "short"]),
                  cost=float(problem.cost @ cover.counts), status=cover.status,
                  scenario=planned, cover=cover,
                  goals=goal_table)


def _on_duty(problem: _Problem, counts: np.ndarray) -> dict[str, np.ndarray]:
    coverage = problem.coverage
    return {g: (coverage * (counts * np.array([x == g for x in problem.group]))[:, None]
                ).sum(axis=0) for g in problem.rostered}


def _checks(scenario, method, time_limit):
    if not isinstance(scenario, Scenario):
        raise InputError(f"scenario must be a Scenario (got {type(scenario).__name__})")
    if method not in METHODS:
        raise InputError(f"method must be one of {', '.join(METHODS)} (got {safe(method)})")
    return number("time_limit", time_limit, low=0, low_open=True, high=3600)


# --- the two public entries ------------------------------------------------------------------

def cover_roster(scenario: Scenario, templates, *, method: str = "mol",
                 target: ServiceTarget | None = None, requirement=None, outreach=None,
                 time_limit: float = 20.0) -> Roster:
    """The two-step roster: the analytic requirement per interval, then its cheapest cover.

    Parameters
    ----------
    scenario : Scenario
        The day: its inbound types give the requirement; the groups the templates name are
        rostered (their head counts or shifts replaced), the others kept as they are and
        subtracted from the requirement.
    templates : list of ShiftTemplate
        The shifts that may be posted (from a file: ``load_shift_templates``).
    method : {"mol", "sipp", "lag"}
        The analytic rule (:func:`blendsim.analytic.time_varying_staffing`; Erlang A when
        callers abandon).
    target : ServiceTarget, optional
        Default the scenario's.
    requirement : array, optional
        Agents per interval to cover instead of the analytic requirement (one row per set of
        rostered groups with the same skills, or one vector).
    outreach : float or dict, optional
        Proactive conversations a day: in all, or ``{campaign: goal}``; shifts of groups
        that call out yield the first estimate described in the module docstring.
    time_limit : float
        Seconds the integer solver may take.
    """
    limit = _checks(scenario, method, time_limit)
    target = scenario.service_target if target is None else target
    problem, goals = _problem(scenario, templates, outreach)
    need = _need(scenario, problem, method, target)
    if requirement is not None:
        given = np.asarray(requirement, dtype=float)
        given = given[None, :] if given.ndim == 1 else given
        if given.shape != need.shape:
            raise InputError(f"requirement must have shape {need.shape} (rows of groups "
                             f"with the same skills x intervals) (got {given.shape})")
        need = given
    yields = _first_yields(scenario, problem, need.sum(axis=0))
    return _solve(scenario, problem, need, goals, yields, limit)


def roster_by_simulation(scenario: Scenario, templates, *, outreach=None,
                         target: ServiceTarget | None = None, rule: str = "every_interval",
                         share: float | None = None, method: str = "mol",
                         replications: int = 20, max_replications: int | None = None,
                         seed: int | None = None, margin: float = 1.0,
                         max_iterations: int = 30, time_limit: float = 20.0,
                         curve_steps: int = 3,
                         backend: str | None = None, workers: int | None = None,
                         scheduler: str | None = None, quiet: bool = False) -> SimulatedRoster:
    """The cheapest roster the simulation accepts: every interval keeps the target and the
    outreach goal is reached, confirmed on fresh replications.

    Parameters are those of :func:`cover_roster` and
    :func:`blendsim.experiment.staffing.staff_by_simulation` (``rule``, ``share``,
    ``replications``, ``max_replications``, ``seed``, ``margin``, ``max_iterations``,
    ``backend``...).  An interval *keeps* the target when its estimate (the mean over days of
    its daily service level) less ``margin`` half-widths of its 95% interval reaches the level;
    the goal is reached when the day's mean conversations less ``margin`` half-widths reach it.

    ``curve_steps``: with one outreach goal, how many further goals of 10 more conversations
    a day to search for in the same way (on the tuning seed, starting from the roster found),
    giving the marginal cost of outreach with the inbound targets still kept; 0 for none.
    """
    limit = _checks(scenario, method, time_limit)
    target = scenario.service_target if target is None else target
    if not isinstance(target, ServiceTarget):
        raise InputError(f"target must be a ServiceTarget (got {safe(target)})")
    if rule not in STAFF_RULES:
        raise InputError(f"rule must be one of {', '.join(STAFF_RULES)} (got {safe(rule)})")
    share = target.share if share is None else number("share", share, low=0, low_open=True,
                                                       high=1)
    reps = whole("replications", replications, low=2, high=MAX_REPLICATIONS)
    top = min(4 * reps, MAX_REPLICATIONS) if max_replications is None else whole(
        "max_replications", max_replications, low=reps, high=MAX_REPLICATIONS)
    margin = number("margin", margin, low=0, high=1)
    rounds = whole("max_iterations", max_iterations, low=1, high=MAX_ITERATIONS)
    curve_steps = whole("curve_steps", curve_steps, low=0, high=MAX_CURVE_STEPS)
    scenario = scenario.replace(service_target=ServiceTarget(
        level=target.level, seconds=target.seconds, definition=target.definition,
        short_abandon=target.short_abandon, rule=rule, share=share, estimator="daily"))
    problem, goals = _problem(scenario, templates, outreach)
    need = _need(scenario, problem, method, target)
    yields = _first_yields(scenario, problem, need.sum(axis=0))
    two_step = _solve(scenario, problem, need, goals, yields, limit)
    run = {"backend": backend, "workers": workers, "scheduler": scheduler, "quiet": quiet}

    replications_start = reps
    search = _Search(scenario=scenario, problem=problem, target=target, rule=rule,
                     share=share, margin=margin, limit=limit, run=run, floors=need.copy(),
                     yields=yields, effective=dict(goals), seed=seed, reps=reps, top=top)
    roster, converged, iteration = search.until_kept(two_step, goals, rounds)
    seed, reps = search.seed, search.reps
    history = list(search.history)  # (the curve's searches append their own)
    confirm_seed = int(seed) + CONFIRM_OFFSET
    confirmed = simulate(roster.scenario, replications=reps, seed=confirm_seed, **run)
    baseline = simulate(two_step.scenario, replications=reps, seed=confirm_seed, **run)
    intervals = confirmed.interval_service("daily")
    intervals["requirement"] = need.sum(axis=0)
    intervals["scheduled"] = sum(roster.intervals[g].to_numpy() for g in problem.rostered
                                 if scenario.group(g).skills) if problem.rows else 0.0
    intervals["two_step_service_level"] = baseline.interval_service("daily")[
        "service_level"].to_numpy()
    conv = _conversations(confirmed, goals)
    conversations = pd.DataFrame(
        [{"campaign": k, "goal": g, "conversations": conv[k][0],
          "ci_low": conv[k][0] - conv[k][1], "ci_high": conv[k][0] + conv[k][1],
          "met": bool(conv[k][0] >= g)} for k, g in goals.items()],
        columns=["campaign", "goal", "conversations", "ci_low", "ci_high", "met"])
    curve = _curve(search, roster, goals, curve_steps, rounds)
    if len(curve):
        # The first point: the roster with no goal at all, searched the same way from the
        # analytic requirement on the same seed.
        plain = _Search(scenario=scenario, problem=problem, target=target, rule=rule,
                        share=share, margin=margin, limit=limit, run=run, floors=need.copy(),
                        yields=yields, effective={}, seed=seed, reps=replications_start,
                        top=top)
        base, base_converged, _ = plain.until_kept(
            _solve(scenario, problem, need, {}, yields, limit), {}, rounds)
        curve = pd.concat([pd.DataFrame([{"goal": 0.0, "cost": base.cost,
                                          "conversations": 0.0,
                                          "converged": base_converged}]), curve],
                          ignore_index=True)
        curve["extra_cost"] = curve["cost"].diff().fillna(0.0)
    return SimulatedRoster(
        roster=roster, two_step=two_step, intervals=intervals, conversations=conversations,
        curve=curve, history=pd.DataFrame(history), converged=converged,
        judgement=confirmed.judgement(rule, share, "daily"),
        two_step_judgement=baseline.judgement(rule, share, "daily"), result=confirmed,
        rule=rule, margin=margin, seed=int(seed), confirm_seed=confirm_seed,
        replications=reps, iterations=iteration)


def _conversations(result: Result, goals: dict) -> dict[str, tuple[float, float]]:
    """Per goal: the mean conversations a day and the half-width of its 95% interval."""
    if not goals:
        return {}
    from scipy import stats

    c = result.contacts
    out = c[(c["kind"] == "outbound") & (c["outcome"] == "served")]
    figures = {}
    for name in goals:
        mine = out if name == "all" else out[out["type"] == name]
        per_day = mine.groupby("replication").size().reindex(
            range(result.replications), fill_value=0).to_numpy(dtype=float)
        half = float(stats.t.ppf(0.975, per_day.size - 1) * per_day.std(ddof=1)
                     / math.sqrt(per_day.size)) if per_day.size > 1 else math.inf
        figures[name] = (float(per_day.mean()), half)
    return figures


def _measured_yields(result: Result, problem: _Problem, roster: Roster, yields: dict,
                     goals: dict) -> dict:
    """Conversations per agent on duty per interval, per (goal, group), from a simulation;
    where a group had nobody on duty the previous estimate stays."""
    if not goals:
        return yields
    day = result.scenario.day
    c = result.contacts
    out = c[(c["kind"] == "outbound") & (c["outcome"] == "served")]
    at = np.floor((out["arrival_at"].to_numpy(dtype=float) - day.open_at)
                  / day.interval).astype(np.int64)
    inside = (at >= 0) & (at < day.n_intervals)
    new = dict(yields)
    for name in goals:
        for g in problem.rostered:
            mask = inside & (out["group"].to_numpy() == g)
            if name != "all":
                mask &= out["type"].to_numpy() == name
            per = np.bincount(at[mask], minlength=day.n_intervals) / result.replications
            on = roster.intervals[g].to_numpy(dtype=float)
            with np.errstate(invalid="ignore", divide="ignore"):
                new[name, g] = np.where(on >= 0.5, per / np.where(on > 0, on, 1),
                                        yields[name, g])
    return new


def _curve(search: _Search, roster: Roster, goals: dict, steps: int,
           rounds: int) -> pd.DataFrame:
    """The cost of the goal and of 10, 20... more conversations a day (one goal only), each
    searched by simulation from the roster before it, so inbound targets stay kept."""
    columns = ["goal", "cost", "extra_cost", "conversations", "converged"]
    if len(goals) != 1 or not steps:
        return pd.DataFrame(columns=columns)
    (name, goal), = goals.items()
    rows = [{"goal": goal, "cost": roster.cost,
             "conversations": search.history[-1]["conversations_mean"], "converged": True}]
    most = _most_conversations(search.scenario, name)
    for k in range(1, steps + 1):
        asked = goal + 10 * k
        if asked > most:
            break
        search.effective[name] += 10.0
        start = _solve(search.scenario, search.problem, search.floors, search.effective,
                       search.yields, search.limit, asked={name: asked})
        roster, converged, _ = search.until_kept(start, {name: asked}, rounds)
        rows.append({"goal": asked, "cost": roster.cost,
                     "conversations": search.history[-1]["conversations_mean"],
                     "converged": converged})
    out = pd.DataFrame(rows, columns=columns)
    out["extra_cost"] = out["cost"].diff().fillna(0.0)
    return out


@dataclass(eq=False)
class _Search:
    """The state of the simulation loop: the cuts (``floors``), the yields, the goal rows as
    raised, the seed and the replications; :meth:`until_kept` runs it."""

    scenario: Scenario
    problem: _Problem
    target: ServiceTarget
    rule: str
    share: float
    margin: float
    limit: float
    run: dict
    floors: np.ndarray
    yields: dict
    effective: dict
    seed: int | None
    reps: int
    top: int

    def __post_init__(self):
        self.history: list[dict] = []
        self.excused = None
        self.last = np.zeros(self.scenario.day.n_intervals, dtype=np.int64)

    def until_kept(self, roster: Roster, goals: dict, rounds: int):
        """Simulate, cut and re-solve from ``roster`` until every interval keeps the target
        and ``goals`` are reached (converged) or ``rounds`` evaluations are spent."""
        n = self.scenario.day.n_intervals
        target, margin = self.target, self.margin
        for iteration in range(1, rounds + 1):
            result = simulate(roster.scenario, replications=self.reps, seed=self.seed,
                              **self.run)
            self.seed = result.seed
            table = result.interval_service("daily")
            mean = table["service_level"].to_numpy(dtype=float)
            half = np.nan_to_num(mean - table["ci_low"].to_numpy(dtype=float))
            judged = ~np.isnan(mean)
            below = judged & (mean - margin * half < target.level)
            if self.excused is None:  # decided once, on the first roster, so the search ends
                self.excused = np.zeros(n, dtype=bool)
                allowed = int(math.floor((1 - self.share) * judged.sum() + 1e-9))
                if self.rule == "share_of_intervals" and allowed:
                    worst = np.argsort(np.where(below, mean, np.inf), kind="stable")[:allowed]
                    self.excused[worst[below[worst]]] = True
            below &= ~self.excused
            conv = _conversations(result, goals)
            short_goals = {k: g for k, g in goals.items()
                           if conv[k][0] - margin * conv[k][1] < g}
            self.history.append({
                "iteration": len(self.history) + 1, "replications": self.reps,
                "cost": roster.cost, "intervals_below": int(below.sum()),
                "goal": ", ".join(f"{g:g}" for g in goals.values()),
                "conversations": ", ".join(f"{conv[k][0]:.1f}" for k in goals),
                "conversations_mean": float(sum(conv[k][0] for k in goals))})
            if roster.status == "shortfall":
                # The templates cannot cover the cuts (or the requirement): no simulation
                # can mend that, so stop and report the roster with its unmet intervals.
                return roster, False, iteration
            if below.any() or short_goals:
                if below.any() and len(self.problem.rows):
                    # The cut: more coverage than this roster gave, one agent, then twice as
                    # many while the interval stays short.
                    step = np.where(below & (self.last > 0),
                                    np.minimum(2 * self.last, MAX_STEP), 1)
                    step = np.where(below, step, 0)
                    self.floors = np.maximum(self.floors, np.where(
                        below[None, :], roster.cover.covered + step[None, :], self.floors))
                    self.last = step
                else:
                    self.last[:] = 0
                self.yields = _measured_yields(result, self.problem, roster, self.yields,
                                               goals)
                for k, g in short_goals.items():
                    self.effective[k] += max(g - (conv[k][0] - margin * conv[k][1]), 1.0)
                roster = _solve(self.scenario, self.problem, self.floors, self.effective,
                                self.yields, self.limit, asked=goals)
                continue
            self.last[:] = 0
            if self.reps < self.top:
                self.reps = min(2 * self.reps, self.top)
                continue
            return roster, True, iteration
        return roster, False, rounds
