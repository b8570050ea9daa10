"""Variants of a scenario: the same centre with another reserve, or more agents blended.

These are the knobs of :func:`blendsim.tradeoff` and of a sweep (``reserve``,
``blended_agents``); each returns a new, checked :class:`~blendsim.scenario.model.Scenario`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from blendsim.errors import InputError, ScenarioError
from blendsim.policies.blending import AllOf, Dedicated, Threshold
from blendsim.scenario.model import Scenario
from blendsim.scenario.parts import AgentGroup

__all__ = ["reserve_cap", "with_blended_agents", "with_reserve"]


def with_reserve(scenario: Scenario, reserve: int | Sequence[int]) -> Scenario:
    """The scenario with its threshold policy's reserve set to ``reserve``.

    ``reserve`` is a whole number, or a schedule: a list or tuple of whole numbers, one per
    planning interval of the scenario's day.  Other policies (time windows, a service-level
    guard) are kept; without a threshold one is added.
    """
    if isinstance(reserve, np.ndarray):
        reserve = reserve.tolist()
    if isinstance(reserve, (list, tuple)):
        reserve = tuple(int(v) if isinstance(v, np.integer) else v for v in reserve)
        try:
            Threshold(reserve=reserve)
        except ScenarioError as e:
            raise InputError("; ".join(e.problems)) from None
        n = scenario.day.n_intervals
        if len(reserve) != n:
            raise InputError(f"reserve must have one value per interval ({n}) (got "
                             f"{len(reserve)})")
    else:
        if isinstance(reserve, np.integer):
            reserve = int(reserve)
        if not isinstance(reserve, int) or isinstance(reserve, bool) or reserve < 0:
            raise InputError(f"reserve must be a whole number >= 0 (got {reserve!r})")
    policies = []
    for p in scenario.blending:
        if isinstance(p, AllOf):
            policies += list(p.policies)
        else:
            policies.append(p)
    if any(isinstance(p, Dedicated) for p in policies):
        raise InputError("a reserve needs blending, but the scenario's policy is Dedicated "
                         "(no blending)")
    found = False
    for i, p in enumerate(policies):
        if isinstance(p, Threshold):
            policies[i] = Threshold(reserve=reserve, min_idle_blended=p.min_idle_blended)
            found = True
    if not found:
        policies.append(Threshold(reserve=reserve))
    return scenario.replace(blending=tuple(policies))


def with_blended_agents(scenario: Scenario, agents: int) -> Scenario:
    """The scenario with ``agents`` agents in its blended group, taken from its partner.

    The scenario must have one blended group (inbound skills and outbound campaigns) and one
    inbound-only group with the same skills, both staffed by head count.  In every interval
    where the blended group works, ``agents`` of the two groups' agents (at most all of them)
    are blended and the rest answer inbound only; the total stays the same.
    """
    if isinstance(agents, np.integer):
        agents = int(agents)
    if not isinstance(agents, int) or isinstance(agents, bool) or agents < 0:
        raise InputError(f"blended_agents must be a whole number >= 0 (got {agents!r})")
    blended = [g for g in scenario.groups if g.skills and g.outbound]
    if len(blended) != 1:
        raise InputError(f"blended_agents needs exactly one blended group (inbound skills and "
                         f"outbound campaigns); the scenario has {len(blended)}")
    b = blended[0]
    partners = [g for g in scenario.groups if not g.outbound and set(g.skills) == set(b.skills)]
    if len(partners) != 1:
        raise InputError(f"blended_agents needs one inbound-only group with the same skills "
                         f"as {b.name!r} to take agents from; the scenario has {len(partners)}")
    p = partners[0]
    if b.headcount is None or p.headcount is None:
        raise InputError(f"blended_agents moves agents between head counts: give groups "
                         f"{b.name!r} and {p.name!r} a headcount, not shifts")
    new_b, new_p = [], []
    for hb, hp in zip(b.headcount, p.headcount, strict=True):
        total = hb + hp
        moved = min(agents, total) if hb > 0 else 0
        new_b.append(moved)
        new_p.append(total - moved)
    groups = tuple(AgentGroup(name=g.name, skills=g.skills, outbound=g.outbound,
                              headcount=tuple(new_b if g is b else new_p))
                   if g is b or g is p else g for g in scenario.groups)
    try:
        return scenario.replace(groups=groups)
    except ScenarioError as e:  # pragma: no cover - the totals are unchanged
        raise InputError(str(e)) from None


def reserve_cap(scenario: Scenario) -> int:
    """The smallest reserve at which blended agents never dial: every larger one is the same.

    A blended agent dials only while more than ``reserve`` agents able to take inbound work
    are idle, so once the reserve reaches the most such agents ever on duty together while a
    blended agent is on, no one dials and every larger reserve gives the very same day.
    0 when no blended agent is ever on duty.  So too for a reserve schedule: in an interval
    whose reserve is at least the cap no one dials, and a schedule whose every value is at
    least the cap never dials.
    """
    kinds = {g.name: (bool(g.skills), bool(g.skills and g.outbound)) for g in scenario.groups}
    events = []
    for _agent, group, start, end in scenario.agent_periods():
        inbound, blended = kinds[group]
        if inbound:
            # Starts before ends at one instant: an agent who leaves as another arrives
            # is counted with it (a bound from above is what the cap needs).
            events += [(start, 0, blended), (end, 1, blended)]
    events.sort()
    on = blended_on = cap = 0
    for _at, is_end, blended in events:
        if is_end:
            on, blended_on = on - 1, blended_on - blended
        else:
            on, blended_on = on + 1, blended_on + blended
            if blended_on > 0:
                cap = max(cap, on)
    return cap
