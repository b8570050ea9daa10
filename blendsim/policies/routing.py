"""Routing policies: which agent answers an arriving contact, which contact a free agent takes.

A routing policy is a small object with two decisions, called by the ACD at its two moments
with the centre's read-only :class:`~blendsim.policies.state.CentreState`:

- ``agent_for(state, contact)`` when a contact arrives: an idle agent to answer it now, or
  ``None`` (the contact waits);
- ``contact_for(state, agent)`` when an agent becomes free: a waiting contact to take now, or
  ``None`` (the agent goes idle, or the blending policy may send it outbound).

A policy only chooses: the ACD takes the agent it names off the idle agents, and the contact
it names off its queue.  ``state`` offers ``state.now``, the idle agents of each group
(``state.idle[group]``, longest idle first), the waiting contacts of each type
(``state.waiting(type)``, oldest first, callers who hung up already removed), the contacts'
attributes (``contact_type``, ``arrival_at``), the routing tables (``routes``, ``skills``,
``priority``) and ``state.first_idle_group(type)``: the first group of the type's routing
list (without overflow delay) that has an idle agent, found in O(log groups) with a
:class:`GroupOrder` rather than by looking at every group.  :class:`LongestIdle` is the
built-in rule::

    an arriving contact goes to the longest-idle agent of the first group in its routing list
    (groups with an overflow delay are tried when that delay has passed); a free agent takes
    the waiting contact of highest priority among its skills, oldest first (ties go to the
    agent's first skill).

A student writes a new policy by subclassing it and overriding one method, e.g. the most
recently idle agent instead of the longest idle::

    class MostRecentlyIdle(LongestIdle):
        def agent_for(self, state, contact):
            group = state.first_idle_group(state.contact_type[contact])
            return None if group is None else state.idle[group][-1]
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from blendsim.policies.state import CentreState

__all__ = ["GroupOrder", "LongestIdle", "Routing"]


class Routing(Protocol):
    """The two routing decisions of the ACD."""

    def agent_for(self, state: CentreState, contact: int) -> int | None:
        """An idle agent to answer arriving ``contact`` now, or None (it waits)."""
        ...

    def contact_for(self, state: CentreState, agent: int) -> int | None:
        """A waiting contact for free ``agent`` to take now, or None."""
        ...


class LongestIdle:
    """Longest-idle agent for an arriving contact; highest priority, then oldest, for an agent."""

    __slots__ = ()

    def agent_for(self, state: CentreState, contact: int) -> int | None:
        # The first group in state.routes[type] with no overflow delay and an idle agent
        # (state.first_idle_group(type), without the extra call: this runs at every arrival).
        idle = state.idle
        group = state.idle_order[state.contact_type[contact]].first(idle)
        return None if group is None else idle[group][0]

    def contact_for(self, state: CentreState, agent: int) -> int | None:
        now = state.now
        best_type = -1
        best_priority = best_arrival = 0.0
        arrival = state.arrival_at
        waiting = state.waiting
        best_head = -1
        for t, delay in state.skills[state.agent_group[agent]]:
            queue = waiting(t)
            if not queue:
                continue
            head = queue[0]
            if delay and now - arrival[head] < delay:
                continue  # not yet overflowed to this group (nor anyone behind it)
            priority = state.priority[t]
            if best_type < 0 or priority > best_priority or (
                    priority == best_priority and arrival[head] < best_arrival):
                best_type, best_priority, best_arrival = t, priority, arrival[head]
                best_head = head
        return None if best_type < 0 else best_head


class GroupOrder:
    """Agent groups in a fixed order of preference, and the first of them that has someone.

    ``first(has)`` is the first group ``g`` of ``order`` with ``has[g]`` true (``has`` maps a
    group to its idle agents, or to a count), as a scan of ``order`` would find it, in
    O(log groups): a heap of the ranks of the groups that may have someone.  ``add(g)`` must
    be called whenever group ``g`` may have gone from nobody to somebody; a group found empty
    is dropped lazily, so taking someone away needs no call.
    """

    __slots__ = ("rank", "_groups", "_heap", "_queued", "_only")

    def __init__(self, order):
        self.rank: dict[int, int] = {}
        for g in order:
            self.rank.setdefault(g, len(self.rank))  # a group listed twice: where it is first
        self._groups = list(self.rank)  # rank -> group
        self._heap: list[int] = []
        self._queued = bytearray(len(self._groups))  # by rank: in the heap
        self._only = self._groups[0] if len(self._groups) == 1 else None

    def add(self, g: int) -> None:
        r = self.rank[g]
        if not self._queued[r]:
            self._queued[r] = 1
            heapq.heappush(self._heap, r)

    def first(self, has) -> int | None:
        only = self._only
        if only is not None:
            return only if has[only] else None
        heap, groups = self._heap, self._groups
        while heap:
            g = groups[heap[0]]
            if has[g]:
                return g
            self._queued[heapq.heappop(heap)] = 0
        return None
