"""The input model: a day of a contact centre, as one checked :class:`Scenario`.

A :class:`Scenario` holds the :class:`Day` (opening hours and interval length), the inbound
call types (:class:`InboundType`: volume, handle time, patience...), the agent groups
(:class:`AgentGroup`: skills, head count or shifts) and the service-level target (the parts,
from :mod:`blendsim.scenario.parts`), the outbound campaigns and the blending policies, and
checks how they fit together.  Build one in Python (``Scenario(...)``, or
:meth:`Scenario.from_dict`) or read a file with :func:`load_scenario`; :func:`dump_scenario`
writes it back (the round trip is exact; the file form is :mod:`blendsim.scenario.file`).

Units: instants (``open_at``, shift ``start_at``...) are seconds after midnight of the
simulated day, and may pass 24:00 for a centre open after midnight; durations are seconds.
Files write instants as ``"HH:MM"`` (hours may exceed 23).

Every problem is reported at once, each naming its field path, the value and what is
allowed: ``inbound[1].handle_time.mean must be a number > 0 (got -30)``.

>>> from blendsim.scenario.distributions import Exponential
>>> sc = Scenario(
...     name="tiny", day=Day(open_at=8 * 3600, close_at=10 * 3600, interval=3600),
...     inbound=[InboundType(name="sales", volume=[40, 60],
...                          handle_time=Exponential(mean=240))],
...     groups=[AgentGroup(name="team", skills=["sales"], headcount=[5, 6])])
>>> sc.day.n_intervals, sc.inbound[0].expected_calls().tolist()
(2, [40.0, 60.0])
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from blendsim._units import format_clock
from blendsim._validate import (
    as_tuple,
    check_count,
    check_name,
    fmt,
    is_number,
    raise_problems,
    warn_user,
)
from blendsim.errors import ScenarioError
from blendsim.limits import (
    MAX_AGENTS,
    MAX_CALLS,
    MAX_CAMPAIGNS,
    MAX_DESCRIPTION,
    MAX_GROUPS,
    MAX_OUTBOUND_ATTEMPTS,
    MAX_POLICIES,
    MAX_TYPES,
    safe,
)
from blendsim.policies.blending import AllOf, BlendingPolicy, Threshold, TimeWindows
from blendsim.scenario.campaign import OutboundCampaign
from blendsim.scenario.file import (
    read_scenario_text,
    scenario_from_dict,
    scenario_to_dict,
    to_toml,
)
from blendsim.scenario.parts import (
    AGENTS_WHY,
    AgentGroup,
    Day,
    InboundType,
    ServiceTarget,
)

__all__ = ["Scenario", "dump_scenario", "load_scenario"]


@dataclass(frozen=True, kw_only=True, slots=True)
class Scenario:
    """A day of a contact centre: the input of :func:`blendsim.simulate`."""

    name: str = "scenario"
    description: str = ""
    day: Day = field(default_factory=Day)
    inbound: tuple[InboundType, ...] = ()
    groups: tuple[AgentGroup, ...] = ()
    service_target: ServiceTarget = field(default_factory=ServiceTarget)
    outbound: tuple[OutboundCampaign, ...] = ()
    blending: tuple[BlendingPolicy, ...] = ()

    def __post_init__(self):
        for name in ("inbound", "groups", "outbound", "blending"):
            as_tuple(self, name)
        problems: list[str] = []
        if not isinstance(self.outbound, tuple) or not all(
                isinstance(c, OutboundCampaign) for c in self.outbound):
            problems.append(f"outbound must be a list of OutboundCampaign (got "
                            f"{safe(self.outbound)})")
        if not isinstance(self.blending, tuple) or not all(
                isinstance(b, BlendingPolicy) for b in self.blending):
            problems.append(f"blending must be a list of blending policies such as "
                            f"Threshold(reserve=2) (got {safe(self.blending)})")
        if not isinstance(self.name, str):
            problems.append(f"name must be a text (got {safe(self.name)})")
        else:
            check_name(problems, "name", self.name)
        if not isinstance(self.description, str):
            problems.append(f"description must be a text (got {safe(self.description)})")
        elif len(self.description) > MAX_DESCRIPTION:
            problems.append(f"description must be at most {MAX_DESCRIPTION:,} characters (got "
                            f"{len(self.description):,})")
        for name, limit, what in (("inbound", MAX_TYPES, "inbound types"),
                                  ("groups", MAX_GROUPS, "agent groups"),
                                  ("outbound", MAX_CAMPAIGNS, "campaigns"),
                                  ("blending", MAX_POLICIES, "policies")):
            check_count(problems, name, getattr(self, name), limit, what)
        if not isinstance(self.day, Day):
            problems.append(f"day must be a Day (got {self.day!r})")
        if not isinstance(self.service_target, ServiceTarget):
            problems.append(f"service_target must be a ServiceTarget (got "
                            f"{self.service_target!r})")
        if not isinstance(self.inbound, tuple) or not all(
                isinstance(t, InboundType) for t in self.inbound):
            problems.append(f"inbound must be a list of InboundType (got {safe(self.inbound)})")
        elif not self.inbound:
            problems.append("inbound must list at least one inbound type")
        if not isinstance(self.groups, tuple) or not all(
                isinstance(g, AgentGroup) for g in self.groups):
            problems.append(f"groups must be a list of AgentGroup (got {safe(self.groups)})")
        elif not self.groups:
            problems.append("groups must list at least one agent group")
        if not problems:
            problems += self._cross_problems()
        raise_problems(problems)

    def _cross_problems(self) -> list[str]:
        """Problems between parts: names, lengths and references."""
        problems: list[str] = self._outbound_problems()
        n = self.day.n_intervals
        types = [t.name for t in self.inbound]
        groups = [g.name for g in self.groups]
        for kind, names in (("inbound", types), ("groups", groups)):
            seen = set()
            for i, name in enumerate(names):
                if name in seen:
                    problems.append(f"{kind}[{i}].name {name!r} is used twice")
                seen.add(name)
        for i, c in enumerate(self.outbound):
            if c.name in types:
                problems.append(f"outbound[{i}].name {c.name!r} is also an inbound type's "
                                f"name (records name each contact's type or campaign: give "
                                f"them different names)")
        problems += self._size_problems()
        for i, t in enumerate(self.inbound):
            if t.n_values is not None and t.n_values != n:
                which = next(k for k in ("volume", "rate_per_hour", "shape")
                             if getattr(t, k) is not None)
                problems.append(f"inbound[{i}].{which} must have one value per interval "
                                f"({n}) (got {t.n_values})")
            for j, a in enumerate(t.arrival_times or ()):
                if not self.day.open_at <= a < self.day.close_at:
                    problems.append(f"inbound[{i}].arrival_times[{j}] {format_clock(a)} is "
                                    f"outside opening hours ({format_clock(self.day.open_at)}-"
                                    f"{format_clock(self.day.close_at)})")
            if t.groups is not None:
                for j, g in enumerate(t.groups):
                    if g not in groups:
                        problems.append(f"inbound[{i}].groups[{j}] {g!r} is not an agent group "
                                        f"(groups: {', '.join(groups)})")
                    elif t.name not in self.group(g).skills:
                        problems.append(f"inbound[{i}].groups[{j}] {g!r} does not have the "
                                        f"skill {t.name!r}")
            elif not any(t.name in g.skills for g in self.groups):
                problems.append(f"inbound[{i}] {t.name!r} is not a skill of any agent group")
        for i, g in enumerate(self.groups):
            for j, s in enumerate(g.skills):
                if s not in types:
                    problems.append(f"groups[{i}].skills[{j}] {s!r} is not an inbound type "
                                    f"(types: {', '.join(types)})")
            if g.headcount is not None and len(g.headcount) != n:
                problems.append(f"groups[{i}].headcount must have one value per interval "
                                f"({n}) (got {len(g.headcount)})")
            for j, s in enumerate(g.shifts or ()):
                if s.start_at < self.day.open_at - 12 * 3600 or s.start_at > self.day.close_at:
                    problems.append(f"groups[{i}].shifts[{j}].start_at "
                                    f"{format_clock(s.start_at)} is outside the day "
                                    f"({format_clock(self.day.open_at)}-"
                                    f"{format_clock(self.day.close_at)})")
                elif s.count and s.end_at <= self.day.open_at:
                    warn_user(f"groups[{i}].shifts[{j}] {format_clock(s.start_at)}-"
                          f"{format_clock(s.end_at)} ends before opening "
                          f"({self._hours()}): its agents answer no call")
                elif s.count and s.start_at == self.day.close_at:
                    warn_user(f"groups[{i}].shifts[{j}] {format_clock(s.start_at)}-"
                          f"{format_clock(s.end_at)} starts at closing "
                          f"({self._hours()}): its agents answer only callers still waiting "
                          f"then")
        for i, p in enumerate(self.blending):
            if isinstance(p, TimeWindows):
                problems += self._window_problems(f"blending[{i}]", p.windows,
                                                  self.day.close_at)
            inner = p.policies if isinstance(p, AllOf) else (p,)
            for j, q in enumerate(inner):
                if isinstance(q, Threshold) and isinstance(q.reserve, tuple) and \
                        len(q.reserve) != n:
                    where = f"blending[{i}].policies[{j}]" if p is not q else f"blending[{i}]"
                    problems.append(f"{where}.reserve must have one value per interval ({n}) "
                                    f"(got {len(q.reserve)})")
        return problems

    def _hours(self, close_at: float | None = None) -> str:
        close_at = self.day.close_at if close_at is None else close_at
        return f"{format_clock(self.day.open_at)}-{format_clock(close_at)}"

    def _window_problems(self, path: str, windows, close_at: float) -> list[str]:
        """Windows that do nothing (wholly outside opening hours, up to ``close_at``): legal,
        but surely a mistake, so a warning."""
        for k, (a, b) in enumerate(windows):
            if b <= self.day.open_at or a >= close_at:
                warn_user(f"{path}.windows[{k}] {format_clock(a)}-{format_clock(b)} is wholly "
                      f"outside the hours when outbound calls are possible "
                      f"({self._hours(close_at)}): it allows no call")
        return []

    def _size_problems(self) -> list[str]:
        """Bounds on the whole day's size: agents, calls and outbound attempts."""
        problems = []
        agents = sum(max(g.headcount, default=0) if g.headcount is not None
                     else sum(s.count for s in g.shifts) for g in self.groups)
        if agents > MAX_AGENTS:
            problems.append(f"groups: the scenario has {agents:,} agents (each group's largest "
                            f"head count, or its shifts' counts, added up), at most "
                            f"{MAX_AGENTS:,}: {AGENTS_WHY}")
        n = self.day.n_intervals
        if all(t.n_values in (None, n) for t in self.inbound):
            calls = math.fsum(float(len(t.arrival_times)) if t.arrival_times is not None
                              else float(t.expected_calls(self.day.interval).sum())
                              for t in self.inbound)
            if calls > MAX_CALLS:
                problems.append(f"inbound: the volumes add up to {calls:,.0f} expected calls "
                                f"a day, at most {MAX_CALLS:,}: a larger day would take "
                                f"too long and too much memory to simulate")
        attempts = 0.0
        for c in self.outbound:
            if c.list_size is not None:
                attempts += c.list_size * c.max_attempts
                continue
            seconds = 0.0
            for g in self.groups:
                if c.name not in g.outbound:
                    continue
                if g.headcount is not None:
                    seconds += sum(g.headcount) * self.day.interval
                else:
                    seconds += sum(s.count * s.worked_seconds for s in g.shifts)
            shortest = c.shortest_attempt()
            attempts += math.inf if shortest <= 0 else c.dial_ratio * seconds / shortest
        if attempts > MAX_OUTBOUND_ATTEMPTS:
            problems.append(f"outbound: the campaigns could make about {attempts:,.0f} call "
                            f"attempts a day (list_size x max_attempts; for a list without "
                            f"list_size, the calling agents' time x dial_ratio / the shortest "
                            f"attempt), at most {MAX_OUTBOUND_ATTEMPTS:,} (a record row each): "
                            f"give a smaller list_size or max_attempts")
        return problems

    def _outbound_problems(self) -> list[str]:
        problems: list[str] = []
        n = self.day.n_intervals
        campaigns = [c.name for c in self.outbound]
        groups = {g.name: g for g in self.groups}
        seen: set[str] = set()
        for i, c in enumerate(self.outbound):
            if c.name in seen:
                problems.append(f"outbound[{i}].name {c.name!r} is used twice")
            seen.add(c.name)
            if isinstance(c.connect_probability, tuple) and len(c.connect_probability) != n:
                problems.append(f"outbound[{i}].connect_probability must have one value per "
                                f"interval ({n}) (got {len(c.connect_probability)})")
            if is_number(c.stop_before_close) and (
                    c.stop_before_close >= self.day.close_at - self.day.open_at):
                warn_user(f"outbound[{i}].stop_before_close {fmt(c.stop_before_close)} seconds is "
                      f"the whole day ({self._hours()}, "
                      f"{fmt(self.day.close_at - self.day.open_at)} seconds) or more: campaign "
                      f"{c.name!r} makes no call")
            elif c.windows is not None:
                problems += self._window_problems(f"outbound[{i}]", c.windows,
                                                  self.day.close_at - c.stop_before_close)
            callers = [g.name for g in self.groups if c.name in g.outbound]
            if not callers:
                problems.append(f"outbound[{i}] {c.name!r} is not called by any agent group "
                                "(give a group outbound = [...])")
            for j, seg in enumerate(c.segments):
                for k, g in enumerate(seg.groups or ()):
                    if g not in groups:
                        problems.append(f"outbound[{i}].segments[{j}].groups[{k}] {g!r} is not "
                                        f"an agent group")
                    elif c.name not in groups[g].outbound:
                        problems.append(f"outbound[{i}].segments[{j}].groups[{k}] {g!r} does "
                                        f"not call for {c.name!r}")
        for i, g in enumerate(self.groups):
            for j, name in enumerate(g.outbound):
                if name not in campaigns:
                    problems.append(f"groups[{i}].outbound[{j}] {name!r} is not an outbound "
                                    f"campaign (campaigns: {', '.join(campaigns) or 'none'})")
        return problems

    # --- lookups ------------------------------------------------------------------------------

    def blending_policy(self) -> BlendingPolicy:
        """The scenario's policies as one (all must agree); none given: blend freely."""
        if not self.blending:
            return Threshold(reserve=0)
        return self.blending[0] if len(self.blending) == 1 else AllOf(*self.blending)

    def campaign(self, name: str) -> OutboundCampaign:
        for c in self.outbound:
            if c.name == name:
                return c
        raise KeyError(name)

    def inbound_type(self, name: str) -> InboundType:
        for t in self.inbound:
            if t.name == name:
                return t
        raise KeyError(name)

    def group(self, name: str) -> AgentGroup:
        for g in self.groups:
            if g.name == name:
                return g
        raise KeyError(name)

    def routing_table(self) -> dict[str, tuple[tuple[str, float], ...]]:
        """For each inbound type, the groups that may answer it with their overflow delays."""
        table = {}
        for t in self.inbound:
            if t.groups is None:
                names = tuple(g.name for g in self.groups if t.name in g.skills)
                delays = (0.0,) * len(names)
            else:
                names = t.groups
                delays = tuple(float(x) for x in (t.overflow_after or (0.0,) * len(names)))
            table[t.name] = tuple(zip(names, delays, strict=True))
        return table

    def agent_periods(self) -> list[tuple[str, str, float, float]]:
        """Every agent's working periods: ``(agent, group, start_at, end_at)``.

        Head counts become periods: agent ``k`` of a group works in every interval whose
        head count exceeds ``k`` (consecutive intervals merge into one period).  A shift
        with breaks gives each of its agents one period per span between breaks, under the
        same agent name (08:00-16:30 with lunch 12:00-12:30: 08:00-12:00 and 12:30-16:30).
        """
        periods = []
        starts = self.day.interval_starts
        for g in self.groups:
            if g.headcount is not None:
                counts = np.asarray(g.headcount, dtype=np.int64)
                for k in range(int(counts.max(initial=0))):
                    # Runs of consecutive intervals where agent k works: +1 starts, -1 ends.
                    edges = np.diff(np.concatenate(([0], (counts > k).astype(np.int8), [0])))
                    first, after = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
                    periods += [(f"{g.name}-{k + 1}", g.name, float(starts[i]),
                                 float(starts[j - 1] + self.day.interval))
                                for i, j in zip(first.tolist(), after.tolist(), strict=True)]
            else:
                k = 0
                for s in g.shifts:
                    spans = s.working_periods()
                    for _ in range(int(s.count)):
                        k += 1
                        periods += [(f"{g.name}-{k}", g.name, start, end)
                                    for start, end in spans]
        return periods

    # --- dict and file forms ------------------------------------------------------------------

    def to_dict(self) -> dict:
        """The scenario as plain data, in the scenario-file layout."""
        return scenario_to_dict(self)

    @classmethod
    def from_dict(cls, data: dict, source: str | None = None) -> Scenario:
        """Build a scenario from plain data (the scenario-file layout); all problems at once."""
        return scenario_from_dict(data, source, build=cls)

    def replace(self, **changes) -> Scenario:
        """A copy with some fields changed (``dataclasses.replace``)."""
        return replace(self, **changes)


def load_scenario(path) -> Scenario:
    """Read a scenario file (TOML).  Raises :class:`ScenarioError` listing every problem."""
    data, name = read_scenario_text(path)
    try:
        return Scenario.from_dict(data, name)
    except RecursionError:
        raise ScenarioError(["values nested too deeply (a scenario nests a few levels)"],
                            name) from None


def dump_scenario(scenario: Scenario, path=None) -> str:
    """The scenario as TOML text; also written to ``path`` when given."""
    text = to_toml(scenario_to_dict(scenario))
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text
