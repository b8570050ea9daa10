"""The ACD: the dispatcher that gives free agents work from its work sources.

A real contact centre has an automatic call distributor (ACD) that decides at two moments:
**a contact arrives** (route it to an idle agent, or queue it) and **an agent becomes free**
(give it the next piece of work, or let it idle).  :class:`ACD` keeps the agents (shifts,
idle lists, busy, logged-on periods) and, when one becomes free, offers it to its work
sources in order (``sources.py``): connected outbound customers, inbound contacts
(``inbound.py``, choosing with the routing policy), going outbound (``dialler.py``, if the
blending policy agrees).  The decisions belong to small policy objects (``policies/``),
which see the centre through a read-only :class:`~blendsim.policies.state.CentreState`.

SimPy supplies the clock and the event queue (``_simpy.py``): arrivals are fed in time order
without an event object each; agents finishing work, shifts starting and ending, and
overflow timers are callbacks at an instant.  At equal instants, scheduled events (an agent
finishing, a shift change) come before an arrival.

No decision looks at every agent group: sources keep, per contact type or segment, the groups
that may answer it in a :class:`blendsim.policies.routing.GroupOrder` (the first with an idle
agent in O(log groups)) that the ACD keeps up to date as agents become idle, and counts of
idle agents, so an event costs the same with one group of 1,000 agents as with 1,000 groups
of one.  The run produces :class:`blendsim.metrics.records.Records`: one row per contact.
"""

from __future__ import annotations

import math
from collections import deque

from blendsim.engine._simpy import Clock
from blendsim.engine.columns import day_records
from blendsim.engine.contacts import DrawnContacts, draw_contacts
from blendsim.engine.dialler import Dialler
from blendsim.engine.inbound import Inbound
from blendsim.engine.sources import WorkSource
from blendsim.engine.view import CentreView
from blendsim.metrics.records import Records
from blendsim.policies.blending import BlendingPolicy
from blendsim.policies.routing import GroupOrder, LongestIdle, Routing
from blendsim.scenario.model import Scenario

__all__ = ["ACD", "draw_contacts", "run_day"]


class ACD:
    """The automatic call distributor of one simulated day (one replication).

    It is the :class:`~blendsim.engine.sources.Dispatcher` of its work sources: ``inbound``
    (an :class:`~blendsim.engine.inbound.Inbound`) and, with campaigns, ``dialler`` (a
    :class:`~blendsim.engine.dialler.Dialler`); :meth:`add_source` adds another kind of work.
    Policies are asked with ``state``, a :class:`~blendsim.policies.state.CentreState`.
    Agents join ``idle[g]`` only through :meth:`make_idle` and leave it only through
    :meth:`take_idle` (or :meth:`reconsider`), so the counts and indexes hold.
    """

    def __init__(self, scenario: Scenario, contacts: DrawnContacts,
                 routing: Routing | None = None, blending: BlendingPolicy | None = None, *,
                 seed: int = 0, replication: int = 0):
        self.scenario = scenario
        self.routing = routing if routing is not None else LongestIdle()
        self.policy = blending if blending is not None else scenario.blending_policy()
        self.clock = Clock(initial_time=0.0)
        self._later = self.clock.later
        self.close_at = scenario.day.close_at
        n_groups = len(scenario.groups)
        self.idle = [deque() for _ in range(n_groups)]
        self._orders_of: list[list[GroupOrder]] = [[] for _ in range(n_groups)]
        self._idle_sets: list[list[set[int]]] = [[] for _ in range(n_groups)]  # see idle_groups

        # Agents: one entry per working period (a head count may give an agent several).
        group_index: dict[str, int] = {}
        for i, g in enumerate(scenario.groups):
            group_index.setdefault(g.name, i)
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
        self._bind_shifts()  # (before the sources: at equal instants, shifts change first)

        # The work sources, asked in this order when an agent becomes free.
        self.inbound = Inbound(self, scenario, contacts, self.routing,
                               keep_recent=bool(scenario.outbound))
        self.dialler = Dialler(self, seed, replication) if scenario.outbound else None
        self.sources: list[WorkSource] = [self.inbound]
        if self.dialler is not None:
            self.sources = [self.dialler.connected_source, self.inbound, self.dialler]
        self._offers = tuple(s.offer for s in self.sources)
        self.state = CentreView(self, self.inbound)
        self.inbound.bind(self.state)

    # --- the dispatcher's API for its sources -------------------------------------------------

    @property
    def now(self) -> float:
        return self.clock.now

    def add_source(self, source: WorkSource, before: WorkSource | None = None) -> None:
        """Offer free agents to ``source`` too: last, or just before ``before``."""
        at = len(self.sources) if before is None else self.sources.index(before)
        self.sources.insert(at, source)
        self._offers = tuple(s.offer for s in self.sources)

    def schedule(self, delay: float, callback, value=None) -> None:
        """Call ``callback(call)`` in ``delay`` seconds, with ``call.value`` = ``value``."""
        self.clock.later(delay, callback, value)

    def start_work(self, a: int, seconds: float) -> None:
        """Agent ``a`` works ``seconds``; then it is free and offered work again."""
        self.busy[a] = True
        self._later(seconds, self._on_free, a)

    def release(self, a: int) -> None:
        """Agent ``a`` is given back without work: offer it to the sources afresh."""
        self.agent_free(a)

    def idle_index(self, order) -> GroupOrder:
        """A :class:`GroupOrder` of ``order`` that this ACD keeps up to date with ``idle``."""
        index = GroupOrder(order)
        if len(index.rank) > 1:  # (one group: first() looks at it directly, nothing to keep)
            for g in index.rank:
                self._orders_of[g].append(index)
        return index

    def idle_groups(self, group_class) -> list[set[int]]:
        """Per class: the groups of that class (``group_class[g]``, -1 for none) that may
        have idle agents; a group is added when an agent of it becomes idle."""
        sets: list[set[int]] = [set() for _ in range(max(group_class, default=-1) + 1)]
        for g, c in enumerate(group_class):
            if c >= 0:
                self._idle_sets[g].append(sets[c])
        return sets

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
        for groups in self._idle_sets[g]:
            groups.add(g)

    def take_idle(self, a: int) -> None:
        """Take idle agent ``a`` off its group's idle agents (to give it work)."""
        idle = self.idle[self.agent_group[a]]
        if idle[0] == a:
            idle.popleft()
        else:
            idle.remove(a)
        if self.inbound_capable[a]:  # (took_idle, inlined: this runs at most events)
            self._idle_inbound -= 1
        if self._blended[a]:
            self._idle_blended -= 1

    def took_idle(self, a: int) -> None:
        """Agent ``a`` has just been taken off its group's idle agents: count it."""
        if self.inbound_capable[a]:
            self._idle_inbound -= 1
        if self._blended[a]:
            self._idle_blended -= 1

    def reconsider(self, group: int, offer) -> None:
        """Offer each idle agent of ``group`` to ``offer``, longest idle first; those it does
        not take stay idle in their places (so the longest idle is still first)."""
        group_idle = self.idle[group]
        i = 0
        while i < len(group_idle):
            a = group_idle[i]
            del group_idle[i]
            self.took_idle(a)
            if offer(a):
                continue  # taken: the next agent is now at i
            self.make_idle(a, at=i)
            i += 1

    # --- what blending policies ask ------------------------------------------------------------

    def idle_inbound_agents(self) -> int:
        """Idle agents able to take inbound work (with the agent a policy asks about)."""
        a = self._asking
        return self._idle_inbound + (1 if a >= 0 and self.inbound_capable[a] else 0)

    def idle_blended_agents(self) -> int:
        """Idle agents of blended groups (with the agent a policy asks about)."""
        a = self._asking
        return self._idle_blended + (1 if a >= 0 and self._blended[a] else 0)

    def may_start_outbound(self, a: int) -> bool:
        """Ask the blending policy about free agent ``a`` (counted among the idle)."""
        self._asking = a
        try:
            return bool(self.policy.may_start_outbound(self.state, a))
        finally:
            self._asking = -1

    # --- an agent becomes free ------------------------------------------------------------------

    def agent_free(self, a: int) -> None:
        """An agent becomes free (shift start, end of work): offer it work, or idle, or home."""
        if self.off_duty[a] and self.shift_end[a] < self.close_at:
            self._leave(a)  # a shift ending before closing: go home after the last contact
            return
        for offer in self._offers:
            if offer(a):
                return
        if self.off_duty[a]:
            # After closing: stay while work waits for this agent, even work that it may only
            # take later (a contact that overflows to it); look again then.
            later = None
            for source in self.sources:
                at = source.work_later(a)
                if at is not None and (later is None or at < later):
                    later = at
            if later is None:
                self._leave(a)
            else:
                self.make_idle(a)
                self.clock.later(later - self.clock.now, self._on_recheck, a)
        else:
            self.make_idle(a)

    def _on_free(self, call) -> None:
        a = call.value
        self.busy[a] = False
        self.agent_free(a)

    def _on_recheck(self, call) -> None:
        a = call.value
        idle = self.idle[self.agent_group[a]]
        if not self.busy[a] and a in idle:
            idle.remove(a)
            self.took_idle(a)
            self.agent_free(a)

    def _leave(self, a: int) -> None:
        self.log.append((a, self.logged_on_at[a], self.clock.now))
        self.logged_on_at[a] = math.nan

    # --- shifts ---------------------------------------------------------------------------------

    def _bind_shifts(self) -> None:
        later = self.clock.later
        for (_, _, start, end), a in zip(self.periods, self._period_agent, strict=True):
            later(start, self._on_shift_start, (a, end))
            later(end, self._on_shift_end, a)

    def _on_shift_start(self, call) -> None:
        a, end = call.value
        self.off_duty[a] = False
        self.shift_end[a] = end
        if math.isnan(self.logged_on_at[a]):
            self.logged_on_at[a] = self.clock.now
        if not self.busy[a]:  # (still busy from an earlier period: it carries on)
            self.agent_free(a)

    def _on_shift_end(self, call) -> None:
        a = call.value
        if self.shift_end[a] != self.clock.now:
            return  # a later period has replaced this one
        self.off_duty[a] = True
        for source in self.sources:
            source.shift_over(a)
        if not self.busy[a]:
            group_idle = self.idle[self.agent_group[a]]
            if a in group_idle:
                group_idle.remove(a)
                self.took_idle(a)
            self.agent_free(a)  # leaves, unless closing and a contact still waits for it

    # --- the run --------------------------------------------------------------------------------

    def run(self) -> None:
        self.clock.run_with_arrivals(self.inbound.arrival_at, self.inbound.arrive)
        for source in self.sources:
            source.finish()

    def records(self, replication: int) -> Records:
        """The contacts and the agents' logged periods of this run, as columnar records.

        The arrays share memory with the ACD's own (no copies: a day of a million contacts
        must fit comfortably in memory); the ACD must not run again afterwards.
        """
        return day_records(self, replication)


def run_day(scenario: Scenario, *, seed: int, replication: int = 0,
            routing: Routing | None = None, blending: BlendingPolicy | None = None) -> Records:
    """Simulate one day of ``scenario`` (replication ``replication`` of run ``seed``).

    ``blending`` overrides the scenario's blending policies (e.g. a policy written in Python).
    """
    acd = ACD(scenario, draw_contacts(scenario, seed, replication), routing, blending,
              seed=seed, replication=replication)
    acd.run()
    return acd.records(replication)
