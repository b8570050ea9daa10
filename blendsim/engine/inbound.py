"""Inbound contacts as a work source: arrivals, queues, overflow, hang-ups, service level.

A contact arrives: the routing policy names an idle agent to answer it now, or it waits in
its type's queue (or balks, or is blocked by a full queue).  An agent becomes free: the
routing policy names the waiting contact it takes, if any (:meth:`Inbound.offer`).  Groups
with an overflow delay are tried when the delay has passed (a timer per such group and
contact).  A caller's hang-up needs no event: its instant (arrival + patience) is known, so
a waiting caller whose patience ran out is removed, at that instant, the next time anyone
looks at the queue; a caller whose patience ends exactly when an agent frees up has hung up.
"""

from __future__ import annotations

import math
from array import array
from collections import deque
from typing import TYPE_CHECKING

from blendsim.engine.contacts import DrawnContacts, compact_array
from blendsim.metrics.records import Outcome

if TYPE_CHECKING:
    from blendsim.engine.sources import Dispatcher
    from blendsim.policies.routing import Routing
    from blendsim.policies.state import CentreState
    from blendsim.scenario.model import Scenario

__all__ = ["Inbound"]

PENDING, SERVED, ABANDONED = int(Outcome.PENDING), int(Outcome.SERVED), int(Outcome.ABANDONED)
BLOCKED, BALKED, UNSERVED = int(Outcome.BLOCKED), int(Outcome.BALKED), int(Outcome.UNSERVED)


class Inbound:
    """The day's inbound contacts and their queues: one work source of the dispatcher.

    ``state`` is the policies' view of the centre (see :meth:`bind`); ``keep_recent`` keeps
    the recent outcomes :meth:`recent_service_level` needs (only blending policies ask).
    """

    def __init__(self, dispatcher: Dispatcher, scenario: Scenario, contacts: DrawnContacts,
                 routing: Routing, *, keep_recent: bool):
        self.dispatcher = dispatcher
        self.clock = dispatcher.clock
        self.routing = routing
        types = [t.name for t in scenario.inbound]
        n = contacts.arrival_at.size
        self.n_contacts = n
        # Contacts: inputs as compact arrays (fast to index from Python), outputs likewise.
        self.arrival_at = compact_array("d", contacts.arrival_at)
        self.contact_type = compact_array("i", contacts.type)
        self.handle = compact_array("d", contacts.handle)
        self.wrap_up = compact_array("d", contacts.wrap_up)
        self.give_up_at = compact_array("d", contacts.give_up_at)
        self.balks = bytes(contacts.balks.astype("uint8"))
        self.answered_at = array("d", [math.nan]) * n
        self.end_at = array("d", [math.nan]) * n
        self.agent_of = array("i", [-1]) * n
        self.outcome = bytearray([PENDING]) * n

        # Routing tables (dictionaries, not list searches: a centre may have 1,000 groups).
        table = scenario.routing_table()
        type_index = {name: i for i, name in enumerate(types)}
        group_index: dict[str, int] = {}
        for i, g in enumerate(scenario.groups):
            group_index.setdefault(g.name, i)
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
        # Per type, the groups that answer it at once, indexed as agents become idle.
        self.idle_order = [dispatcher.idle_index([g for g, d in r if d == 0.0])
                           for r in self.routes]
        self._recent: deque | None = deque() if keep_recent else None
        # For each ``seconds`` a policy has asked about: how many of ``_recent`` were
        # answered within it (kept up to date, so that asking costs no pass over them).
        self._recent_within: dict[float, int] = {}
        self.state: CentreState | None = None

    def bind(self, state: CentreState) -> None:
        """Ask the routing policy with ``state`` (the view is built on this source)."""
        self.state = state
        self._agent_for = self.routing.agent_for
        self._contact_for = self.routing.contact_for
        self._take_idle = self.dispatcher.take_idle
        self._start_work = self.dispatcher.start_work

    # --- what policies see ---------------------------------------------------------------------

    def waiting(self, t: int) -> deque:
        """Contacts of type ``t`` still waiting, oldest first (hang-ups removed)."""
        q = self.queues[t]
        outcome, give_up = self.outcome, self.give_up_at
        now = self.clock.now
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

    def inbound_waiting_for(self, a: int) -> bool:
        """Whether any inbound contact waits that agent ``a`` could answer."""
        return any(self.waiting(t) for t, _ in self.skills[self.dispatcher.agent_group[a]])

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
        now = self.clock.now
        while recent and recent[0][0] < now - window:
            _, wait, answered = recent.popleft()
            if answered:
                for limit in within:
                    if wait <= limit:
                        within[limit] -= 1
        if not recent:
            return None
        return within[seconds] / len(recent)

    # --- the work source -----------------------------------------------------------------------

    def arrive(self, c: int) -> None:
        """A contact arrives: answer it now, or let it wait (or balk, or be blocked)."""
        agent = self._agent_for(self.state, c)
        if agent is not None:
            self._take_idle(agent)
            self._answer(c, agent)
            return
        now = self.clock.now
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
                self.clock.later(delay, self._on_overflow, (c, group))

    def offer(self, a: int) -> bool:
        """Free agent ``a`` takes the waiting contact the routing policy names, if any."""
        c = self._contact_for(self.state, a)
        if c is None:
            return False
        self._take(c)
        self._answer(c, a)
        return True

    def work_later(self, a: int) -> float | None:
        """When the next waiting contact this agent may take becomes eligible (or None)."""
        now = self.clock.now
        soonest = None
        for t, delay in self.skills[self.dispatcher.agent_group[a]]:
            q = self.waiting(t)
            if q:
                at = self.arrival_at[q[0]] + delay
                if at > now and (soonest is None or at < soonest):
                    soonest = at
        return soonest

    def shift_over(self, a: int) -> None:
        """Nothing is held for an agent: a contact is answered or waits in its queue."""
        return None

    def finish(self) -> None:
        """Whoever still waits when every agent has gone: hangs up at the end of their
        patience or, without patience, is never answered."""
        for c in range(self.n_contacts):
            if self.outcome[c] == PENDING:
                if math.isfinite(self.give_up_at[c]):
                    self.outcome[c] = ABANDONED
                    self.end_at[c] = self.give_up_at[c]
                else:
                    self.outcome[c] = UNSERVED

    # --- mechanics -----------------------------------------------------------------------------

    def _take(self, c: int) -> None:
        """Take waiting contact ``c`` off its queue (the policy chose it)."""
        q = self.queues[self.contact_type[c]]
        if q[0] == c:
            q.popleft()
        else:
            q.remove(c)

    def _answer(self, c: int, a: int) -> None:
        now = self.clock.now
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
        self._start_work(a, work)

    def _abandon(self, c: int) -> None:
        self.outcome[c] = ABANDONED
        self.end_at[c] = self.give_up_at[c]
        if self._recent is not None:  # (a caller who hung up counts in no "within")
            self._recent.append((self.give_up_at[c], self.give_up_at[c] - self.arrival_at[c],
                                 False))

    def _on_overflow(self, call) -> None:
        """A waiting contact may now go to ``group``: an idle agent there chooses what to take.

        The agent chooses with the routing policy, so that of several contacts becoming
        eligible at one instant the higher priority goes first.
        """
        c, group = call.value
        idle = self.dispatcher.idle[group]
        if self.outcome[c] != PENDING or self.give_up_at[c] <= self.clock.now or not idle:
            return
        a = idle[0]
        chosen = self._contact_for(self.state, a)
        if chosen is None:
            return  # nothing it may take after all: it stays the longest idle
        self.dispatcher.take_idle(a)
        self._take(chosen)
        self._answer(chosen, a)

    def _live(self, t: int) -> int:
        """Number of contacts of type ``t`` really waiting (drops hang-ups from the queue)."""
        now = self.clock.now
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
