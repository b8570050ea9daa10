"""The simulation engine: a SimPy environment and the ACD that makes every decision.

A real contact centre has an automatic call distributor (ACD) that decides at two moments:
**a contact arrives** (route it to an idle agent, or queue it) and **an agent becomes free**
(give it the next waiting contact, or let it idle).  :class:`ACD` is exactly that; the routing
decisions themselves belong to a small policy object (``routing.py``).

SimPy supplies the clock and the event queue.  Arrivals are drawn for the whole day before the
run (each type from its own stream, with every contact's handle time, wrap-up and patience
drawn in arrival order from that type's streams: common random numbers), and are fed to the
environment in time order without an event object each; agents finishing work, shifts
starting and ending, and overflow timers are ordinary SimPy timeouts with callbacks.  A
caller's hang-up needs no event either: its instant (arrival + patience) is known, so a
waiting caller whose patience ran out is removed, at that instant, the next time anyone looks
at the queue.  At equal instants, scheduled events (an agent finishing, a shift change) come
before an arrival, and a caller whose patience ends exactly when an agent frees up has hung up.

No decision looks at every agent group: the ACD keeps, per contact type, the groups that may
answer it in a :class:`blendsim.routing.GroupOrder` (the first with an idle agent in O(log
groups)), and counts of idle agents that it updates as agents come and go, so an event costs
the same with one group of 1,000 agents as with 1,000 groups of one.

The run produces :class:`blendsim.records.Records`: one row per contact.
"""

from __future__ import annotations

import math
from array import array
from collections import deque
from dataclasses import dataclass

import numpy as np
import simpy
from simpy.events import Timeout

from blendsim.engine.arrivals import busyness_factor, poisson_arrivals
from blendsim.engine.dialler import Dialler
from blendsim.metrics.records import OUTCOMES, Records
from blendsim.policies.blending import AllOf, BlendingPolicy, Dedicated, Threshold, TimeWindows
from blendsim.policies.routing import GroupOrder, LongestIdle, Routing
from blendsim.scenario.model import Scenario
from blendsim.streams import stream

__all__ = ["ACD", "draw_contacts", "run_day"]

PENDING, SERVED, ABANDONED, BLOCKED, BALKED, UNSERVED, FAILED, MISMATCH = range(8)
assert OUTCOMES == ("pending", "served", "abandoned", "blocked", "balked", "unserved",
                    "failed", "mismatch")


@dataclass(frozen=True, slots=True)
class DrawnContacts:
    """The day's inbound contacts with everything chance decides about them, in arrival order."""

    arrival_at: np.ndarray
    type: np.ndarray  # index into scenario.inbound
    handle: np.ndarray
    wrap_up: np.ndarray
    give_up_at: np.ndarray  # arrival + patience (inf: never hangs up)
    balks: np.ndarray  # would hang up at once rather than wait


def draw_contacts(scenario: Scenario, seed: int, replication: int) -> DrawnContacts:
    """Draw the inbound contacts of one replication.

    Each type ``T`` draws from its own named streams (``inbound.T.busyness``,
    ``inbound.T.arrivals``, ``inbound.T.handle``, ``inbound.T.wrap_up``,
    ``inbound.T.patience``, ``inbound.T.balk``); the i-th contact of a type always gets the
    i-th draw of each, whatever the staffing.
    """
    day = scenario.day
    parts = []
    for k, t in enumerate(scenario.inbound):
        base = f"inbound.{t.name}"
        if t.arrival_times is not None:  # a fixed trace: no chance in when they arrive
            times = np.sort(np.asarray(t.arrival_times, dtype=float), kind="stable")
        else:
            factor = busyness_factor(t.busyness_cv,
                                     stream(seed, replication, base + ".busyness"))
            expected = t.expected_calls(day.interval) * factor
            times = poisson_arrivals(expected, day.interval_starts, day.interval,
                                     stream(seed, replication, base + ".arrivals"))
        n = times.size
        handle = t.handle_time.sample(stream(seed, replication, base + ".handle"), n)
        wrap = (t.wrap_up.sample(stream(seed, replication, base + ".wrap_up"), n)
                if t.wrap_up is not None else np.zeros(n))
        give_up = (times + t.patience.sample(stream(seed, replication, base + ".patience"), n)
                   if t.patience is not None else np.full(n, np.inf))
        balks = (stream(seed, replication, base + ".balk").random(n) < t.balk_probability
                 if t.balk_probability > 0 else np.zeros(n, dtype=bool))
        parts.append((times, np.full(n, k, dtype=np.int32), handle, wrap, give_up, balks))
    cols = [np.concatenate(c) for c in zip(*parts, strict=True)]
    order = np.argsort(cols[0], kind="stable")  # ties keep scenario type order
    return DrawnContacts(*(c[order] for c in cols))


_TICK = 60.0  # seconds between looks for policies that watch the clock


def _watches_time(policy) -> bool:
    """Whether a policy's answer may change with nothing happening (so: look every minute)."""
    if isinstance(policy, AllOf):
        return any(_watches_time(p) for p in policy.policies)
    return not isinstance(policy, (Threshold, Dedicated, TimeWindows))


class _Environment(simpy.Environment):
    """SimPy's environment, also fed a time-sorted list of arrivals without an event each.

    Creating and heap-sorting an event per arrival is a third of a plain simulation's work;
    the day's arrivals are known in advance, so they are merged with the event queue here.
    """

    def run_with_arrivals(self, times, on_arrival) -> None:
        queue = self._queue
        step = self.step
        for i, t in enumerate(times):
            while queue and queue[0][0] <= t:  # scheduled events at the same instant go first
                step()
            self._now = t
            on_arrival(i)
        while queue:
            step()


class ACD:
    """The automatic call distributor of one simulated day (one replication).

    Attributes that policies may read: ``now``; ``idle[g]`` (deque of idle agents of group
    ``g``, longest idle first); ``first_idle_group(t)`` (``idle_order[t].first(idle)``);
    ``queues[t]`` and ``waiting(t)`` (contacts of type ``t`` waiting, oldest first);
    ``routes[t]`` (``(group, overflow delay)`` in preference order); ``skills[g]`` (``(type,
    overflow delay)`` in the group's preference order); ``priority[t]``; ``agent_group[a]``;
    ``contact_type[c]``; ``arrival_at[c]``.  Agents join ``idle[g]`` only through
    :meth:`make_idle`, and whoever takes one off it calls :meth:`took_idle` (a routing
    policy's ``agent_for`` need not: the ACD does it for the agent returned).
    """

    def __init__(self, scenario: Scenario, contacts: DrawnContacts,
                 routing: Routing | None = None, blending: BlendingPolicy | None = None, *,
                 seed: int = 0, replication: int = 0):
        self.scenario = scenario
        self.routing = routing if routing is not None else LongestIdle()
        self.policy = blending if blending is not None else scenario.blending_policy()
        self.env = _Environment(initial_time=0.0)
        self.close_at = scenario.day.close_at
        types = [t.name for t in scenario.inbound]
        groups = [g.name for g in scenario.groups]
        n = contacts.arrival_at.size
        self.n_contacts = n

        # Contacts: inputs as compact arrays (fast to index from Python), outputs likewise.
        self.arrival_at = _array("d", contacts.arrival_at)
        self.contact_type = _array("i", contacts.type.astype(np.int32))
        self.handle = _array("d", contacts.handle)
        self.wrap_up = _array("d", contacts.wrap_up)
        self.give_up_at = _array("d", contacts.give_up_at)
        self.balks = bytes(contacts.balks.astype(np.uint8))
        self.answered_at = array("d", [math.nan]) * n
        self.end_at = array("d", [math.nan]) * n
        self.agent_of = array("i", [-1]) * n
        self.outcome = bytearray(n)

        # Routing tables (dictionaries, not list searches: a centre may have 1,000 groups).
        table = scenario.routing_table()
        type_index = {name: i for i, name in enumerate(types)}
        group_index: dict[str, int] = {}
        for i, name in enumerate(groups):
            group_index.setdefault(name, i)
        self.routes = [tuple((group_index[g], d) for g, d in table[t]) for t in types]
        delay_of = [dict(r) for r in self.routes]  # (a group listed twice: its last delay)
        self.skills = []
        for gi, g in enumerate(scenario.groups):
            skill_list = []
            for t in g.skills:
                ti = type_index[t]
                delay = delay_of[ti].get(gi)
                if delay is not None:  # the type may exclude this group from its routing
                    skill_list.append((ti, delay))
            self.skills.append(tuple(skill_list))
        # Only the groups with an overflow delay need a timer when a contact queues.
        self._overflow_routes = [tuple((g, d) for g, d in r if d > 0.0) for r in self.routes]
        self.priority = [float(t.priority) for t in scenario.inbound]
        self.capacity = [t.queue_capacity for t in scenario.inbound]
        self.queues = [deque() for _ in types]
        self.idle = [deque() for _ in groups]
        # Indexes kept as agents become idle: per type, the groups that answer it at once.
        self._orders_of: list[list[GroupOrder]] = [[] for _ in groups]
        self.idle_order = [self.idle_index([g for g, d in r if d == 0.0]) for r in self.routes]

        # Agents: one entry per working period (a head count may give an agent several).
        self.periods = scenario.agent_periods()
        names = list(dict.fromkeys(p[0] for p in self.periods))  # in order of first period
        self.agent_names = names
        index = {name: i for i, name in enumerate(names)}
        group_of = {p[0]: group_index[p[1]] for p in self.periods}
        self.agent_group = [group_of[name] for name in names]
        self.busy = [False] * len(names)
        self.off_duty = [True] * len(names)
        self.shift_end = [0.0] * len(names)
        self.logged_on_at = [math.nan] * len(names)
        self.log: list[tuple[int, float, float]] = []  # (agent, on_at, off_at)
        self._period_agent = [index[p[0]] for p in self.periods]
        inbound_groups = [bool(g.skills) for g in scenario.groups]
        blended_groups = [bool(g.skills and g.outbound) for g in scenario.groups]
        self.inbound_capable = [inbound_groups[g] for g in self.agent_group]
        self._blended = [blended_groups[g] for g in self.agent_group]
        self._idle_inbound = 0  # idle agents able to take inbound work
        self._idle_blended = 0  # idle agents of blended groups
        self._asking = -1  # the agent whose outbound move a policy is deciding

        # Outbound: a dialler, and the recent inbound outcomes a policy may look at.
        self.dialler = Dialler(self, seed, replication) if scenario.outbound else None
        # Groups on a campaign that may have idle agents, by the dialler's class of group
        # (groups in one class dial alike: the dialler asks once per class whether to wake).
        self._caller_class = (self.dialler.caller_class if self.dialler is not None
                              else [-1] * len(groups))
        self.idle_callers: list[set[int]] = [set() for _ in range(
            max(self._caller_class, default=-1) + 1)]
        self._recent: deque | None = deque() if self.dialler is not None else None
        # For each ``seconds`` a policy has asked about: how many of ``_recent`` were
        # answered within it (kept up to date, so that asking costs no pass over them).
        self._recent_within: dict[float, int] = {}

        self._bind_events()

    # --- what policies may use ---------------------------------------------------------------

    @property
    def now(self) -> float:
        return self.env._now

    def waiting(self, t: int) -> deque:
        """Contacts of type ``t`` still waiting, oldest first (hang-ups removed)."""
        q = self.queues[t]
        outcome, give_up = self.outcome, self.give_up_at
        now = self.env._now
        while q:
            c = q[0]
            if outcome[c] != PENDING:  # answered by an overflow group meanwhile
                q.popleft()
            elif give_up[c] <= now:  # hung up at give_up_at
                q.popleft()
                self._abandon(c)
            else:
                break
        return q

    def _abandon(self, c: int) -> None:
        self.outcome[c] = ABANDONED
        self.end_at[c] = self.give_up_at[c]
        if self._recent is not None:  # (a caller who hung up counts in no "within")
            self._recent.append((self.give_up_at[c], self.give_up_at[c] - self.arrival_at[c],
                                 False))

    def idle_inbound_agents(self) -> int:
        """Idle agents able to take inbound work (with the agent a policy asks about)."""
        a = self._asking
        return self._idle_inbound + (1 if a >= 0 and self.inbound_capable[a] else 0)

    def idle_blended_agents(self) -> int:
        """Idle agents of blended groups (with the agent a policy asks about)."""
        a = self._asking
        return self._idle_blended + (1 if a >= 0 and self._blended[a] else 0)

    def first_idle_group(self, t: int) -> int | None:
        """The first group of ``routes[t]`` without overflow delay that has an idle agent."""
        return self.idle_order[t].first(self.idle)

    # --- the idle agents: every change goes through these, so the counts and indexes hold ---

    def idle_index(self, order) -> GroupOrder:
        """A :class:`GroupOrder` of ``order`` that this ACD keeps up to date with ``idle``."""
        index = GroupOrder(order)
        if len(index.rank) > 1:  # (one group: first() looks at it directly, nothing to keep)
            for g in index.rank:
                self._orders_of[g].append(index)
        return index

    def make_idle(self, a: int, at: int | None = None) -> None:
        """Agent ``a`` joins its group's idle agents: last (the default), or at place ``at``."""
        g = self.agent_group[a]
        if at is None:
            self.idle[g].append(a)
        else:
            self.idle[g].insert(at, a)
        if self.inbound_capable[a]:
            self._idle_inbound += 1
        if self._blended[a]:
            self._idle_blended += 1
        for index in self._orders_of[g]:
            index.add(g)
        c = self._caller_class[g]
        if c >= 0:
            self.idle_callers[c].add(g)

    def took_idle(self, a: int) -> None:
        """Agent ``a`` has just been taken off its group's idle agents."""
        if self.inbound_capable[a]:
            self._idle_inbound -= 1
        if self._blended[a]:
            self._idle_blended -= 1

    def inbound_waiting_for(self, a: int) -> bool:
        """Whether any inbound contact waits that agent ``a`` could answer."""
        return any(self.waiting(t) for t, _ in self.skills[self.agent_group[a]])

    def recent_service_level(self, window: float, seconds: float) -> float | None:
        """Share answered within ``seconds`` of the inbound contacts whose wait ended in the
        last ``window`` seconds (answered or hung up); None if there were none."""
        recent = self._recent
        if recent is None:
            return None
        within = self._recent_within
        if seconds not in within:  # first asked: count once, then keep the count
            within[seconds] = sum(1 for _, wait, answered in recent
                                  if answered and wait <= seconds)
        now = self.env._now
        while recent and recent[0][0] < now - window:
            _, wait, answered = recent.popleft()
            if answered:
                for limit in within:
                    if wait <= limit:
                        within[limit] -= 1
        if not recent:
            return None
        return within[seconds] / len(recent)

    def may_start_outbound(self, a: int) -> bool:
        """Ask the blending policy about free agent ``a`` (counted among the idle)."""
        self._asking = a
        try:
            return bool(self.policy.may_start_outbound(self, a))
        finally:
            self._asking = -1

    # --- the two moments ----------------------------------------------------------------------

    def arrive(self, c: int) -> None:
        """A contact arrives: answer it now, or let it wait (or balk, or be blocked)."""
        agent = self.routing.agent_for(self, c)
        if agent is not None:
            self.took_idle(agent)  # (the policy took it off idle)
            self._answer(c, agent)
            return
        now = self.env._now
        if self.balks[c]:
            self.outcome[c] = BALKED
            self.end_at[c] = now
            return
        t = self.contact_type[c]
        cap = self.capacity[t]
        if cap is not None and len(self.queues[t]) >= cap and self._live(t) >= cap:
            self.outcome[c] = BLOCKED
            self.end_at[c] = now
            return
        self.queues[t].append(c)
        for group, delay in self._overflow_routes[t]:
            if self.give_up_at[c] > now + delay:
                Timeout(self.env, delay, (c, group)).callbacks.append(self._on_overflow)

    def agent_free(self, a: int) -> None:
        """An agent becomes free (shift start, end of wrap-up): next contact, idle, or home."""
        if self.off_duty[a] and self.shift_end[a] < self.close_at:
            self._leave(a)  # a shift ending before closing: go home after the last contact
            return
        dialler = self.dialler
        if dialler is not None and dialler.take_connected(a):
            return  # an outbound customer on the line comes first
        c = self.routing.contact_for(self, a)
        if c is not None:
            self._answer(c, a)
        elif dialler is not None and dialler.take_or_dial(a):
            return  # gone outbound (the blending policy agreed)
        elif self.off_duty[a]:
            # After closing: stay while a contact waits for this agent, even one that may
            # only overflow to it later; look again when that one becomes eligible.
            later = self._next_eligible(a)
            if later is None:
                self._leave(a)
            else:
                self.make_idle(a)
                Timeout(self.env, later - self.env._now, a).callbacks.append(self._on_recheck)
        else:
            self.make_idle(a)

    # --- mechanics ----------------------------------------------------------------------------

    def _answer(self, c: int, a: int) -> None:
        now = self.env._now
        self.answered_at[c] = now
        self.agent_of[c] = a
        self.outcome[c] = SERVED
        if self._recent is not None:
            wait = now - self.arrival_at[c]
            self._recent.append((now, wait, True))
            within = self._recent_within
            for seconds in within:
                if wait <= seconds:
                    within[seconds] += 1
        work = self.handle[c] + self.wrap_up[c]
        self.end_at[c] = now + work
        self.busy[a] = True
        Timeout(self.env, work, a).callbacks.append(self._on_free)

    def _on_free(self, event) -> None:
        a = event._value
        self.busy[a] = False
        self.agent_free(a)

    def _on_overflow(self, event) -> None:
        """A waiting contact may now go to ``group``: an idle agent there chooses what to take.

        The agent chooses with the routing policy, so that of several contacts becoming
        eligible at one instant the higher priority goes first.
        """
        c, group = event._value
        idle = self.idle[group]
        if self.outcome[c] != PENDING or self.give_up_at[c] <= self.env._now or not idle:
            return
        a = idle.popleft()
        self.took_idle(a)
        chosen = self.routing.contact_for(self, a)
        if chosen is None:
            self.make_idle(a, at=0)  # nothing it may take after all: still the longest idle
            return
        self._answer(chosen, a)  # (contact_for took it off its queue)

    def _next_eligible(self, a: int) -> float | None:
        """When the next waiting contact this agent may take becomes eligible (or None)."""
        now = self.env._now
        soonest = None
        for t, delay in self.skills[self.agent_group[a]]:
            q = self.waiting(t)
            if q:
                at = self.arrival_at[q[0]] + delay
                if at > now and (soonest is None or at < soonest):
                    soonest = at
        return soonest

    def _on_recheck(self, event) -> None:
        a = event._value
        idle = self.idle[self.agent_group[a]]
        if not self.busy[a] and a in idle:
            idle.remove(a)
            self.took_idle(a)
            self.agent_free(a)

    def _live(self, t: int) -> int:
        """Number of contacts of type ``t`` really waiting (drops hang-ups from the queue)."""
        now = self.env._now
        keep = deque()
        for c in self.queues[t]:
            if self.outcome[c] != PENDING:
                continue
            if self.give_up_at[c] <= now:
                self._abandon(c)
            else:
                keep.append(c)
        self.queues[t] = keep
        return len(keep)

    def _leave(self, a: int) -> None:
        self.log.append((a, self.logged_on_at[a], self.env._now))
        self.logged_on_at[a] = math.nan

    def _bind_events(self) -> None:
        env = self.env
        for (_, _, start, end), a in zip(self.periods, self._period_agent, strict=True):
            Timeout(env, start, (a, end)).callbacks.append(self._on_shift_start)
            Timeout(env, end, a).callbacks.append(self._on_shift_end)
        if self.dialler is None:
            return
        # Dialling may become possible without any agent becoming free: when a calling window
        # opens, when a policy's window opens, and (for policies that watch the service
        # level) as time passes.  The dialler looks again at those instants.
        wake = {t for run in self.dialler.runs for t in run.boundaries()}
        wake.update(getattr(self.policy, "boundaries", list)())
        if _watches_time(self.policy):
            first = min(w for run in self.dialler.runs for w, _ in run.windows)
            last = max(run.stop_at for run in self.dialler.runs)
            wake.update(np.arange(first, last, _TICK).tolist())
        for t in sorted(wake):
            Timeout(env, t).callbacks.append(self._on_wake)

    def _on_wake(self, event) -> None:
        self.dialler.wake()

    def _on_shift_start(self, event) -> None:
        a, end = event._value
        self.off_duty[a] = False
        self.shift_end[a] = end
        if math.isnan(self.logged_on_at[a]):
            self.logged_on_at[a] = self.env._now
        if not self.busy[a]:  # (still busy from an earlier period: it carries on)
            self.agent_free(a)

    def _on_shift_end(self, event) -> None:
        a = event._value
        if self.shift_end[a] != self.env._now:
            return  # a later period has replaced this one
        self.off_duty[a] = True
        if self.dialler is not None:
            self.dialler.leave_ready(a)
        if not self.busy[a]:
            group_idle = self.idle[self.agent_group[a]]
            if a in group_idle:
                group_idle.remove(a)
                self.took_idle(a)
            self.agent_free(a)  # leaves, unless closing and a contact still waits for it

    # --- the run ------------------------------------------------------------------------------

    def run(self) -> None:
        self.env.run_with_arrivals(self.arrival_at, self.arrive)
        if self.dialler is not None:
            self.dialler.finish()
        # Whoever still waits when every agent has gone: hangs up at the end of their patience
        # or, without patience, is never answered.
        for c in range(self.n_contacts):
            if self.outcome[c] == PENDING:
                if math.isfinite(self.give_up_at[c]):
                    self.outcome[c] = ABANDONED
                    self.end_at[c] = self.give_up_at[c]
                else:
                    self.outcome[c] = UNSERVED

    def records(self, replication: int) -> Records:
        """The contacts and the agents' logged periods of this run, as columnar records.

        The arrays share memory with the ACD's own (no copies: a day of a million contacts
        must fit comfortably in memory); the ACD must not run again afterwards.
        """
        arrival = np.frombuffer(self.arrival_at, dtype=float)
        answered = np.frombuffer(self.answered_at, dtype=float)
        end = np.frombuffer(self.end_at, dtype=float)
        outcome = np.frombuffer(self.outcome, dtype=np.uint8)
        agent = np.frombuffer(self.agent_of, dtype=np.int32)
        served = outcome == SERVED
        wait = answered - arrival  # NaN where not answered
        gave_up = outcome == ABANDONED
        wait[gave_up] = end[gave_up] - arrival[gave_up]
        wait[(outcome == BLOCKED) | (outcome == BALKED)] = 0.0
        handle = np.frombuffer(self.handle, dtype=float)
        handle = np.where(served, handle, np.nan)
        wrap = np.where(served, np.frombuffer(self.wrap_up, dtype=float), np.nan)
        groups = np.asarray([*self.agent_group, -1], dtype=np.int32)
        n = arrival.size
        cols = {"arrival_at": arrival, "type": np.frombuffer(self.contact_type, dtype=np.int32),
                "answered_at": answered, "end_at": end, "wait": wait, "handle": handle,
                "wrap_up": wrap, "outcome": outcome, "agent": agent,
                "kind": np.zeros(n, np.uint8), "segment": np.full(n, -1, np.int16),
                "attempt": np.zeros(n, np.int16)}
        segment_names: list[str] = []
        ready = np.zeros((0, 3))
        if self.dialler is not None:
            out, segment_names = self._outbound_columns()
            cols = {k: np.concatenate([v, out[k]]) for k, v in cols.items()}
            ready = np.array(self.dialler.ready_log, dtype=float).reshape(-1, 3)
        log = np.array(self.log, dtype=float).reshape(-1, 3)
        log_agent = log[:, 0].astype(np.int32)
        return Records(
            replication=replication,
            type_names=tuple(t.name for t in self.scenario.inbound)
            + tuple(c.name for c in self.scenario.outbound),
            group_names=tuple(g.name for g in self.scenario.groups),
            agent_names=tuple(self.agent_names), segment_names=tuple(segment_names),
            group=groups[cols["agent"]],  # agent -1 (nobody) picks the trailing -1
            **cols,
            agent_log_agent=log_agent, agent_log_on_at=log[:, 1], agent_log_off_at=log[:, 2],
            agent_log_group=groups[log_agent] if len(log) else np.zeros(0, np.int32),
            ready_agent=ready[:, 0].astype(np.int32), ready_from=ready[:, 1],
            ready_to=ready[:, 2],
        )

    def _outbound_columns(self) -> tuple[dict, list[str]]:
        """The dialler's attempts as record columns (one row per call attempt)."""
        d = self.dialler
        rows = d.rows
        names: list[str] = []
        code = {}
        for run in d.runs:
            for s in run.segments:
                if s.name not in code:
                    code[s.name] = len(names)
                    names.append(s.name)
        seg_code = [[code[s.name] for s in run.segments] for run in d.runs]
        n_in = len(self.scenario.inbound)
        if not rows:
            empty = np.zeros(0)
            return ({"arrival_at": empty, "type": np.zeros(0, np.int32), "answered_at": empty,
                     "end_at": empty, "wait": empty, "handle": empty, "wrap_up": empty,
                     "outcome": np.zeros(0, np.uint8), "agent": np.zeros(0, np.int32),
                     "kind": np.zeros(0, np.uint8), "segment": np.zeros(0, np.int16),
                     "attempt": np.zeros(0, np.int16)}, names)
        k, s, _, attempt, dial, connect, answered, end, talk, wrap, give_up, outcome, agent = (
            np.asarray(col) for col in zip(*rows, strict=True))
        outcome = outcome.astype(np.uint8)
        served = outcome == SERVED
        mismatch = outcome == MISMATCH
        wait = np.where(served, answered - connect, np.nan)
        wait[mismatch] = (give_up - connect)[mismatch]
        return ({"arrival_at": dial.astype(float), "type": (n_in + k).astype(np.int32),
                 "answered_at": answered.astype(float), "end_at": end.astype(float),
                 "wait": wait, "handle": np.where(served, talk, np.nan),
                 "wrap_up": np.where(served, wrap, np.nan), "outcome": outcome,
                 "agent": agent.astype(np.int32), "kind": np.ones(len(rows), np.uint8),
                 "segment": np.array([seg_code[a][b] for a, b in zip(k, s, strict=True)],
                                     dtype=np.int16),
                 "attempt": attempt.astype(np.int16)}, names)


def _array(code: str, values: np.ndarray) -> array:
    """A numpy array as a compact ``array.array`` (one copy, no intermediate bytes)."""
    out = array(code)
    values = np.ascontiguousarray(values, dtype=np.int32 if code == "i" else float)
    out.frombytes(memoryview(values).cast("B"))
    return out


def run_day(scenario: Scenario, *, seed: int, replication: int = 0,
            routing: Routing | None = None, blending: BlendingPolicy | None = None) -> Records:
    """Simulate one day of ``scenario`` (replication ``replication`` of run ``seed``).

    ``blending`` overrides the scenario's blending policies (e.g. a policy written in Python).
    """
    acd = ACD(scenario, draw_contacts(scenario, seed, replication), routing, blending,
              seed=seed, replication=replication)
    acd.run()
    return acd.records(replication)
