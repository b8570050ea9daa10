"""Routing policies: which agent answers an arriving contact, which contact a free agent takes.

A routing policy is a small object with two decisions, called by the ACD at its two moments:

- ``agent_for(acd, contact)`` when a contact arrives: an idle agent to answer it now, or
  ``None`` (the contact waits);
- ``contact_for(acd, agent)`` when an agent becomes free: a waiting contact to take now, or
  ``None`` (the agent goes idle, or the blending policy may send it outbound).

The ACD (see ``engine.py``) offers what a policy needs: ``acd.now``, the idle agents of each
group (``acd.idle[group]``, longest idle first), the waiting contacts of each type
(``acd.waiting(type)``, oldest first, callers who hung up already removed) and the contacts'
attributes.  :class:`LongestIdle` is the built-in rule::

    an arriving contact goes to the longest-idle agent of the first group in its routing list
    (groups with an overflow delay are tried when that delay has passed); a free agent takes
    the waiting contact of highest priority among its skills, oldest first (ties go to the
    agent's first skill).

A student writes a new policy by subclassing it and overriding one method.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["LongestIdle", "Routing"]


class Routing(Protocol):
    """The two routing decisions of the ACD."""

    def agent_for(self, acd, contact: int) -> int | None: ...

    def contact_for(self, acd, agent: int) -> int | None: ...


class LongestIdle:
    """Longest-idle agent for an arriving contact; highest priority, then oldest, for an agent."""

    __slots__ = ()

    def agent_for(self, acd, contact: int) -> int | None:
        idle = acd.idle
        for group, delay in acd.routes[acd.contact_type[contact]]:
            if delay == 0.0 and idle[group]:
                return idle[group].popleft()
        return None

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
