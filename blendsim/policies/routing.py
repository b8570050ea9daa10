"""Routing policies: which agent answers an arriving contact, which contact a free agent takes.

A routing policy is a small object with two decisions, called by the ACD at its two moments:

- ``agent_for(acd, contact)`` when a contact arrives: an idle agent to answer it now, or
  ``None`` (the contact waits);
- ``contact_for(acd, agent)`` when an agent becomes free: a waiting contact to take now, or
  ``None`` (the agent goes idle, or the blending policy may send it outbound).

The ACD (see ``engine.py``) offers what a policy needs: ``acd.now``, the idle agents of each
group (``acd.idle[group]``, longest idle first), the waiting contacts of each type
(``acd.waiting(type)``, oldest first, callers who hung up already removed) and the contacts'
attributes, and ``acd.first_idle_group(type)``: the first group of the type's routing list
(without overflow delay) that has an idle agent, found in O(log groups) with a
:class:`GroupOrder` rather than by looking at every group.  :class:`LongestIdle` is the
built-in rule::

    an arriving contact goes to the longest-idle agent of the first group in its routing list
    (groups with an overflow delay are tried when that delay has passed); a free agent takes
    the waiting contact of highest priority among its skills, oldest first (ties go to the
    agent's first skill).

A student writes a new policy by subclassing it and overriding one method.  A policy that
answers a contact with an idle agent takes that agent off ``acd.idle[group]``.
"""

from __future__ import annotations

import heapq
from typing import Protocol

__all__ = ["GroupOrder", "LongestIdle", "Routing"]


class Routing(Protocol):
    """The two routing decisions of the ACD."""

    def agent_for(self, acd, contact: int) -> int | None: ...

    def contact_for(self, acd, agent: int) -> int | None: ...


class LongestIdle:
    """Longest-idle agent for an arriving contact; highest priority, then oldest, for an agent."""

    __slots__ = ()

    def agent_for(self, acd, contact: int) -> int | None:
        # The first group in acd.routes[type] with no overflow delay and an idle agent
        # (acd.first_idle_group(type), without the extra call: this runs at every arrival).
        group = acd.idle_order[acd.contact_type[contact]].first(acd.idle)
        return None if group is None else acd.idle[group].popleft()

    def contact_for(self, acd, agent: int) -> int | None:
        now = acd.now
        best_type = -1
        best_priority = best_arrival = 0.0
        arrival = acd.arrival_at
        for t, delay in acd.skills[acd.agent_group[agent]]:
            queue = acd.waiting(t)
            if not queue:
                continue
            head = queue[0]
            if delay and now - arrival[head] < delay:
                continue  # not yet overflowed to this group (nor anyone behind it)
            priority = acd.priority[t]
            if best_type < 0 or priority > best_priority or (
                    priority == best_priority and arrival[head] < best_arrival):
                best_type, best_priority, best_arrival = t, priority, arrival[head]
        if best_type < 0:
            return None
        return acd.queues[best_type].popleft()


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
