"""What a policy may see of the centre: the read-only :class:`CentreState`.

The ACD hands every policy this view, never itself.  Agents, groups and contact types are
numbers: agent ``a`` belongs to group ``agent_group[a]``; group ``g`` and type ``t`` are
indexes into the scenario's ``groups`` and ``inbound``; contact ``c`` is the c-th inbound
contact of the day in arrival order.  Everything here is read-only: the sequences are the
ACD's own (no copy is made, a policy runs at every event), and a policy that changed one would
corrupt the day.  A routing policy *returns* its choice; the ACD takes the agent off the idle
list or the contact off its queue.

A policy is written against this protocol only (layer 1: it imports nothing of the engine)::

    class FewestWaiting:
        def may_start_outbound(self, state: CentreState, agent: int) -> bool:
            return not state.inbound_waiting_for(agent) and state.idle_inbound_agents() > 2
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections import deque

    from blendsim.policies.routing import GroupOrder
__all__ = ["CentreState"]


class CentreState(Protocol):
    """The centre at the instant a policy is asked (read-only).

    Attributes
    ----------
    now : float
        The current instant, seconds after midnight.
    scenario : blendsim.Scenario
        The scenario being simulated (typed ``Any`` here: policies sit below scenarios).
    idle : sequence of deque of int
        ``idle[g]``: the idle agents of group ``g``, longest idle first.
    idle_order : sequence of GroupOrder
        ``idle_order[t].first(idle)``: the first group of ``routes[t]`` without overflow delay
        that has an idle agent (what :meth:`first_idle_group` returns, one call fewer).
    routes : sequence of tuple of (int, float)
        ``routes[t]``: ``(group, overflow delay in seconds)`` in the type's preference order.
    skills : sequence of tuple of (int, float)
        ``skills[g]``: ``(type, overflow delay in seconds)`` in the group's preference order.
    priority : sequence of float
        ``priority[t]``: higher is answered first.
    agent_group : sequence of int
        ``agent_group[a]``: the agent's group.
    contact_type : sequence of int
        ``contact_type[c]``: the inbound contact's type.
    arrival_at : sequence of float
        ``arrival_at[c]``: when the inbound contact arrived (seconds after midnight).
    """

    scenario: Any
    idle: Sequence[deque]
    idle_order: Sequence[GroupOrder]
    routes: Sequence[tuple[tuple[int, float], ...]]
    skills: Sequence[tuple[tuple[int, float], ...]]
    priority: Sequence[float]
    agent_group: Sequence[int]
    contact_type: Sequence[int]
    arrival_at: Sequence[float]

    @property
    def now(self) -> float: ...

    def waiting(self, t: int) -> deque:
        """Contacts of type ``t`` still waiting, oldest first (callers who hung up removed)."""
        ...

    def first_idle_group(self, t: int) -> int | None:
        """The first group of ``routes[t]`` without overflow delay that has an idle agent."""
        ...

    def idle_inbound_agents(self) -> int:
        """Idle agents able to take inbound work (counting the agent a policy asks about)."""
        ...

    def idle_blended_agents(self) -> int:
        """Idle agents of blended groups (counting the agent a policy asks about)."""
        ...

    def inbound_waiting_for(self, agent: int) -> bool:
        """Whether any inbound contact waits that ``agent`` could answer."""
        ...

    def recent_service_level(self, window: float, seconds: float) -> float | None:
        """Share answered within ``seconds`` of the inbound contacts whose wait ended in the
        last ``window`` seconds (answered or hung up); None if there were none."""
        ...
