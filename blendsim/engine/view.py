"""The policies' view of one simulated day: a :class:`~blendsim.policies.state.CentreState`.

Built once per day from the dispatcher and its inbound source: its sequences are theirs (no
copy; a policy runs at every event), its methods theirs, bound once.  Policies only read it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from blendsim.engine.acd import ACD
    from blendsim.engine.inbound import Inbound

__all__ = ["CentreView"]


class CentreView:
    """What policies see of an :class:`~blendsim.engine.acd.ACD` (see ``CentreState``)."""

    __slots__ = ("_clock", "scenario", "idle", "idle_order", "routes", "skills", "priority",
                 "agent_group", "contact_type", "arrival_at", "waiting", "inbound_waiting_for",
                 "recent_service_level", "idle_inbound_agents", "idle_blended_agents")

    def __init__(self, acd: ACD, inbound: Inbound):
        self._clock = acd.clock
        self.scenario = acd.scenario
        self.idle = acd.idle
        self.agent_group = acd.agent_group
        self.idle_inbound_agents = acd.idle_inbound_agents
        self.idle_blended_agents = acd.idle_blended_agents
        self.idle_order = inbound.idle_order
        self.routes = inbound.routes
        self.skills = inbound.skills
        self.priority = inbound.priority
        self.contact_type = inbound.contact_type
        self.arrival_at = inbound.arrival_at
        self.waiting = inbound.waiting
        self.inbound_waiting_for = inbound.inbound_waiting_for
        self.recent_service_level = inbound.recent_service_level

    @property
    def now(self) -> float:
        """The current instant (seconds after midnight)."""
        return self._clock.now

    def first_idle_group(self, t: int) -> int | None:
        """The first group of ``routes[t]`` without overflow delay that has an idle agent."""
        return self.idle_order[t].first(self.idle)

    def __repr__(self) -> str:
        return f"<CentreState at {self._clock.now:g} s>"
