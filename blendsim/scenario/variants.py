"""Variants of a scenario: the same centre with another reserve, or more agents blended.

These are the knobs of :func:`blendsim.tradeoff` and of a sweep (``reserve``,
``blended_agents``); each returns a new, checked :class:`~blendsim.scenario.model.Scenario`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from blendsim.errors import InputError, ScenarioError
from blendsim.policies.blending import AllOf, Dedicated, Threshold
from blendsim.scenario.model import Scenario
from blendsim.scenario.parts import Shift

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
    inbound-only group with the same skills, both staffed by head count or both on shifts.

    By head count: in every interval where the blended group works, ``agents`` of the two
    groups' agents (at most all of them) are blended and the rest answer inbound only; the
    total stays the same.

    On shifts: agents move between identical shifts (same start, end and breaks) of the two
    groups, so that the total on every such shift stays the same and the blended group has
    ``agents`` agents in all (at most all the agents of both groups).  To add agents, the
    blended group takes first from the partner's shifts that overlap its own shifts' hours
    most (working time, breaks left out; ties in the partner's order), adding a shift like
    the partner's when it has none; to give agents back, it gives first from its shifts that
    overlap the partner's hours most (ties in its own order).  A partner shift left with no
    agent is dropped.  The blended group must have at least one shift: its hours say when
    blended agents work.
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
    if (b.headcount is None) != (p.headcount is None):
        by_count, on_shifts = (b, p) if b.headcount is not None else (p, b)
        raise InputError(f"blended_agents moves agents between groups staffed the same way, "
                         f"but group {by_count.name!r} has a headcount and group "
                         f"{on_shifts.name!r} shifts: give both a headcount or both shifts")
    if b.headcount is not None:
        new_b, new_p = _moved_headcounts(b.headcount, p.headcount, agents)
        changed = {b.name: replace(b, headcount=new_b), p.name: replace(p, headcount=new_p)}
    else:
        if not b.shifts:
            raise InputError(f"blended_agents moves agents onto the blended group's hours, but "
                             f"group {b.name!r} has no shifts: give it at least one shift "
                             f"(count = 0 will do) to say when blended agents work")
        new_b, new_p = _moved_shifts(b.shifts, p.shifts, agents)
        changed = {b.name: replace(b, shifts=new_b), p.name: replace(p, shifts=new_p)}
    groups = tuple(changed.get(g.name, g) if g is b or g is p else g for g in scenario.groups)
    try:
        return scenario.replace(groups=groups)
    except ScenarioError as e:  # pragma: no cover - the totals are unchanged
        raise InputError(str(e)) from None


def _moved_headcounts(hb: tuple[int, ...], hp: tuple[int, ...], agents: int):
    new_b, new_p = [], []
    for xb, xp in zip(hb, hp, strict=True):
        total = xb + xp
        moved = min(agents, total) if xb > 0 else 0
        new_b.append(moved)
        new_p.append(total - moved)
    return tuple(new_b), tuple(new_p)


def _key(s: Shift):
    return (float(s.start_at), float(s.end_at), tuple((float(a), float(z)) for a, z in s.breaks))


def _hours(shifts: tuple[Shift, ...]) -> list[tuple[float, float]]:
    """The union of the shifts' working periods, as sorted disjoint spans."""
    spans = sorted(span for s in shifts for span in s.working_periods())
    merged: list[list[float]] = []
    for a, z in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], z)
        else:
            merged.append([a, z])
    return [(a, z) for a, z in merged]


def _overlap(s: Shift, hours: list[tuple[float, float]]) -> float:
    """Seconds of the shift's working time inside ``hours``."""
    return sum(max(0.0, min(z, hz) - max(a, ha))
               for a, z in s.working_periods() for ha, hz in hours)


def _moved_shifts(from_b: tuple[Shift, ...], from_p: tuple[Shift, ...], agents: int):
    """The two groups' shifts with agents moved so that the first has ``agents`` (see
    :func:`with_blended_agents`)."""
    counts = {"b": [s.count for s in from_b], "p": [s.count for s in from_p]}
    shifts = {"b": list(from_b), "p": list(from_p)}
    have = sum(counts["b"])
    if agents >= have:
        giver, taker, need = "p", "b", agents - have
    else:
        giver, taker, need = "b", "p", have - agents
    hours = _hours(tuple(shifts[taker]))
    order = sorted(range(len(shifts[giver])),  # stable: ties keep the group's order
                   key=lambda i: -_overlap(shifts[giver][i], hours))
    for i in order:
        if need == 0:
            break
        moved = min(need, counts[giver][i])
        if moved == 0:
            continue
        need -= moved
        counts[giver][i] -= moved
        key = _key(shifts[giver][i])
        same = next((j for j, s in enumerate(shifts[taker]) if _key(s) == key), None)
        if same is None:
            shifts[taker].append(shifts[giver][i])
            counts[taker].append(moved)
        else:
            counts[taker][same] += moved
    new_b = tuple(replace(s, count=c) for s, c in zip(shifts["b"], counts["b"], strict=True))
    new_p = tuple(replace(s, count=c) for s, c in zip(shifts["p"], counts["p"], strict=True)
                  if c > 0 or s.count == 0)  # (a shift emptied here is dropped)
    return new_b, new_p


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
