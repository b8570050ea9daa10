"""Hypothesis properties of the engine over random small scenarios *and* seeds: every arrival
accounted for once, record identities, no agent on two contacts, agents only work when logged
on and skilled, no agent idles while a contact it may take waits, occupancy in [0, 1], the
same seed gives the same records."""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest
from builders import OPEN, busy_day, calls, day_of, group_of
from hypothesis import given
from hypothesis import strategies as st

from blendsim import (
    AgentGroup,
    Day,
    Deterministic,
    Exponential,
    InboundType,
    Lognormal,
    Scenario,
    Shift,
    Uniform,
    simulate,
)
from blendsim.engine.acd import draw_contacts, run_day
from blendsim.metrics.records import OUTCOMES

# --------------------------------------------------------------------------------------------
# Properties over random small scenarios and seeds


INTERVAL = 900.0
TYPE_NAMES = ("a", "b", "c")
GROUP_NAMES = ("G0", "G1", "G2")


@st.composite
def durations(draw, *, low, high, zero=False):
    kind = draw(st.sampled_from(["fixed", "exp", "lognormal", "uniform"]))
    if kind == "fixed":
        return Deterministic(value=draw(st.integers(0 if zero else 1, high)))
    mean = draw(st.integers(low, high))
    if kind == "exp":
        return Exponential(mean=mean)
    if kind == "lognormal":
        return Lognormal(mean=mean, cv=draw(st.sampled_from([0.3, 1.0, 2.0])))
    return Uniform(low=0, high=2 * mean)


@st.composite
def scenarios(draw):
    n_int = draw(st.integers(1, 3))
    close = OPEN + n_int * INTERVAL
    types = TYPE_NAMES[:draw(st.integers(1, 3))]
    groups = GROUP_NAMES[:draw(st.integers(1, 3))]
    skills = [set() for _ in groups]
    for t in types:  # every type is somebody's skill
        skills[draw(st.integers(0, len(groups) - 1))].add(t)
    for s in skills:
        s |= draw(st.sets(st.sampled_from(types)))
        if not s:
            s.add(draw(st.sampled_from(types)))
    group_objs = []
    for g, s in zip(groups, skills, strict=True):
        order = tuple(draw(st.permutations(sorted(s))))
        if draw(st.booleans()):
            hc = draw(st.lists(st.integers(0, 3), min_size=n_int, max_size=n_int))
            group_objs.append(AgentGroup(name=g, skills=order, headcount=hc))
        else:
            shifts = []
            for _ in range(draw(st.integers(1, 2))):
                start = OPEN + 60 * draw(st.integers(-10, n_int * 15))
                end = start + 60 * draw(st.integers(1, 75))
                shifts.append(Shift(start_at=start, end_at=end, count=draw(st.integers(0, 2))))
            group_objs.append(AgentGroup(name=g, skills=order, shifts=shifts))
    type_objs = []
    for t in types:
        kw = {}
        if draw(st.booleans()):
            kw["volume"] = draw(st.lists(st.integers(0, 12), min_size=n_int, max_size=n_int))
        else:  # whole seconds: many ties with shift changes and fixed durations
            kw["arrival_times"] = draw(st.lists(
                st.integers(0, n_int * 900 - 1).map(lambda s: OPEN + s), max_size=15))
        kw["handle_time"] = draw(durations(low=20, high=400, zero=True))
        kw["wrap_up"] = draw(st.none() | durations(low=1, high=60, zero=True))
        kw["patience"] = draw(st.none() | durations(low=5, high=300, zero=True))
        kw["balk_probability"] = draw(st.sampled_from([0.0, 0.0, 0.3, 1.0]))
        kw["queue_capacity"] = draw(st.none() | st.integers(0, 4))
        kw["priority"] = draw(st.integers(0, 2))
        able = [g for g, s in zip(groups, skills, strict=True) if t in s]
        if draw(st.booleans()):
            chosen = draw(st.permutations(able))[:draw(st.integers(1, len(able)))]
            kw["groups"] = tuple(chosen)
            kw["overflow_after"] = tuple(draw(st.sampled_from([0, 0, 15, 60]))
                                         for _ in chosen)
        type_objs.append(InboundType(name=t, **kw))
    return Scenario(name="random", day=Day(open_at=OPEN, close_at=close, interval=INTERVAL),
                    inbound=type_objs, groups=group_objs)


seeds = st.integers(0, 2**32 - 1)
REPS = 2


@functools.lru_cache(maxsize=256)
def _simulated(sc: Scenario, seed: int):
    return simulate(sc, replications=REPS, seed=seed)


def _days(sc, seed):
    """Per replication: (contacts, agents, drawn contacts) of the random day."""
    res = _simulated(sc, seed)
    for r in range(REPS):
        c = res.contacts[res.contacts["replication"] == r].reset_index(drop=True)
        a = res.agents[res.agents["replication"] == r].reset_index(drop=True)
        yield c, a, draw_contacts(sc, seed, r)


class _Day:
    """One replication's records in plain arrays, with what each agent did when."""

    def __init__(self, sc, c, a):
        self.sc = sc
        self.close = sc.day.close_at
        self.routes = {t: dict(r) for t, r in sc.routing_table().items()}
        self.order = {t: [g for g, _ in r] for t, r in sc.routing_table().items()}
        self.priority = {t.name: t.priority for t in sc.inbound}
        self.periods = {}
        self.group_of = {}
        for agent, group, start, end in sc.agent_periods():
            self.periods.setdefault(agent, []).append((start, end))
            self.group_of[agent] = group
        self.type = c["type"].astype(str).to_numpy()
        self.arrival = c["arrival_at"].to_numpy(float)
        self.answered = c["answered_at"].to_numpy(float)
        self.end = c["end_at"].to_numpy(float)
        self.outcome = c["outcome"].astype(str).to_numpy()
        self.agent = c["agent"].astype(object).to_numpy()
        self.group = c["group"].astype(object).to_numpy()
        # when each contact stops waiting (inf: never answered nor hung up)
        self.left = np.where(self.outcome == "served", self.answered,
                             np.where(self.outcome == "abandoned", self.end,
                                      np.where(self.outcome == "unserved", np.inf,
                                               self.arrival)))
        self.logs = {}
        for r in a.itertuples(index=False):
            self.logs.setdefault(str(r.agent), []).append((float(r.on_at), float(r.off_at)))
        self.busy = {}
        for i in np.flatnonzero(self.outcome == "served"):
            self.busy.setdefault(self.agent[i], []).append((self.answered[i], self.end[i], i))
        for spans in self.busy.values():
            spans.sort()
        self.gaps = {ag: self._idle_gaps(ag) for ag in self.logs}

    def _idle_gaps(self, agent):
        """Logged-on time not spent on a contact: [(start, end)] of positive length."""
        gaps = []
        spans = self.busy.get(agent, [])
        for on, off in self.logs[agent]:
            cursor = on
            for s, e, _ in spans:
                if on <= s < off or (s == off and e == off):
                    if s > cursor:
                        gaps.append((cursor, s))
                    cursor = max(cursor, e)
            if off > cursor:
                gaps.append((cursor, off))
        return gaps

    def agents_of(self, group):
        return [ag for ag, g in self.group_of.items() if g == group and ag in self.logs]

    def eligible_from(self, i, group):
        """Instant from which contact i may be answered by ``group`` (None: never)."""
        delay = self.routes[self.type[i]].get(group)
        return None if delay is None else self.arrival[i] + delay

    def free_since(self, agent, t, contact):
        """When the agent, answering ``contact`` at t, last became free (shift start or end
        of its previous contact)."""
        ends = [e for s, e, j in self.busy.get(agent, []) if j != contact and e <= t]
        ons = [on for on, off in self.logs[agent] if on <= t <= off]
        return max(ends + ons)

    def idle_at(self, agent, t):
        """The start of the agent's idle gap containing instant t, or None."""
        for s, e in self.gaps.get(agent, []):
            if s <= t < e:
                return s
        return None


@given(sc=scenarios(), seed=seeds)
def test_every_arrival_is_accounted_for_once_with_consistent_records(sc, seed):
    for c, _, drawn in _days(sc, seed):
        n = drawn.arrival_at.size
        assert len(c) == n  # one row per drawn arrival, no more, no less
        assert (c["contact"].to_numpy() == np.arange(n)).all()
        np.testing.assert_array_equal(c["arrival_at"].to_numpy(float), drawn.arrival_at)
        names = np.array([t.name for t in sc.inbound])
        assert (c["type"].astype(str).to_numpy() == names[drawn.type]).all()
        outcome = c["outcome"].astype(str).to_numpy()
        assert set(outcome) <= set(OUTCOMES) - {"pending"}
        wait = c["wait"].to_numpy(float)
        arrival = c["arrival_at"].to_numpy(float)
        answered = c["answered_at"].to_numpy(float)
        end = c["end_at"].to_numpy(float)
        handle = c["handle"].to_numpy(float)
        wrap = c["wrap_up"].to_numpy(float)
        kind = {t.name: t for t in sc.inbound}
        served = outcome == "served"
        # served: answered after arrival, before hanging up, end = answered + handle + wrap
        assert (answered[served] >= arrival[served]).all()
        np.testing.assert_allclose(wait[served], answered[served] - arrival[served],
                                   rtol=0, atol=1e-9)
        np.testing.assert_array_equal(handle[served], drawn.handle[served])
        np.testing.assert_array_equal(wrap[served], drawn.wrap_up[served])
        np.testing.assert_allclose(end[served], answered[served] + handle[served] + wrap[served],
                                   rtol=1e-12, atol=1e-9)
        waited = served & (wait > 0)
        assert (answered[waited] < drawn.give_up_at[waited]).all()  # tie: hung up first
        assert c.loc[served, "agent"].notna().all() and c.loc[served, "group"].notna().all()
        # not served: no answer, no agent, no handle
        other = ~served
        assert np.isnan(answered[other]).all() and np.isnan(handle[other]).all()
        assert np.isnan(wrap[other]).all() and c.loc[other, "agent"].isna().all()
        # abandoned: waited exactly its drawn patience
        ab = outcome == "abandoned"
        np.testing.assert_array_equal(end[ab], drawn.give_up_at[ab])
        np.testing.assert_allclose(wait[ab], drawn.give_up_at[ab] - arrival[ab], atol=1e-9)
        assert all(kind[t].patience is not None for t in c.loc[ab, "type"].astype(str))
        # blocked and balked: at once, waiting 0
        for name in ("blocked", "balked"):
            m = outcome == name
            assert (wait[m] == 0).all() and (end[m] == arrival[m]).all()
        assert all(kind[t].queue_capacity is not None
                   for t in c.loc[outcome == "blocked", "type"].astype(str))
        assert all(kind[t].balk_probability > 0
                   for t in c.loc[outcome == "balked", "type"].astype(str))
        # balking: exactly the callers drawn to balk who were not answered on arrival
        at_once = served & (answered == arrival)
        np.testing.assert_array_equal(outcome == "balked", drawn.balks & ~at_once)
        # unserved: only callers without patience
        un = outcome == "unserved"
        assert np.isinf(drawn.give_up_at[un]).all()
        # every wait that is known is >= 0; only the unserved have none
        assert (wait[~un] >= 0).all() and not np.isnan(wait[~un]).any()


@given(sc=scenarios(), seed=seeds)
def test_agents_work_one_contact_at_a_time_only_when_logged_on_and_skilled(sc, seed):
    for c, a, _ in _days(sc, seed):
        d = _Day(sc, c, a)
        for agent, spans in d.busy.items():
            for (s1, e1, _), (s2, _, _) in zip(spans, spans[1:], strict=False):
                assert s2 >= e1, f"{agent} on two contacts at once ({s1}-{e1} and {s2})"
            for s, e, i in spans:
                g = d.group_of[agent]
                assert d.group[i] == g  # the record's group is the agent's
                assert d.type[i] in d.sc.group(g).skills
                start = d.eligible_from(i, g)
                assert start is not None, f"{d.type[i]} is not routed to {g}"
                assert s >= start - 1e-9, "answered before its overflow delay"
                assert any(on <= s and e <= off for on, off in d.logs[agent]), \
                    f"{agent} answered at {s} outside its logged-on periods"
                # a contact starts within a scheduled period, or after its end only when
                # that period ends at or after closing
                assert any(p0 <= s and (s < p1 or p1 >= d.close) for p0, p1 in d.periods[agent])
        # the log: every scheduled period is covered, agents arrive on time, and leave at
        # the end of a period or when they finish a contact
        for agent, rows in d.logs.items():
            starts = {p0 for p0, _ in d.periods[agent]}
            ends = {p1 for _, p1 in d.periods[agent]}
            finished = {e for _, e, _ in d.busy.get(agent, [])}
            for on, off in rows:
                assert on in starts and off >= on
                # (after closing an agent may also leave when a caller it stayed for, still
                # inside an overflow delay, would have reached it but is gone)
                assert off in ends or off in finished or off >= d.close
            for p0, p1 in d.periods[agent]:
                assert any(on <= p0 and p1 <= off for on, off in rows)
        assert set(d.logs) == {ag for ag, _, _, _ in sc.agent_periods()}


@given(sc=scenarios(), seed=seeds)
def test_no_agent_idles_while_a_contact_it_may_take_waits(sc, seed):
    for c, a, _ in _days(sc, seed):
        d = _Day(sc, c, a)
        for i in range(len(c)):
            for g in d.order[d.type[i]]:
                start = d.eligible_from(i, g)
                stop = d.left[i]
                for agent in d.agents_of(g):
                    for s, e in d.gaps[agent]:
                        overlap = min(e, stop) - max(s, start)
                        assert overlap <= 1e-9, (
                            f"{agent} idle {s}-{e} while contact {i} ({d.type[i]}, arrived "
                            f"{d.arrival[i]}, {d.outcome[i]}) waited for {g}")
            if d.outcome[i] in ("balked", "blocked"):
                t = d.arrival[i]
                for g, delay in d.routes[d.type[i]].items():
                    if delay == 0:
                        assert all(d.idle_at(ag, t) is None for ag in d.agents_of(g)), \
                            f"contact {i} {d.outcome[i]} though {g} had an idle agent"
        # after closing, an agent leaves only when no contact waits for it
        for agent, rows in d.logs.items():
            g = d.group_of[agent]
            for on, off in rows:
                last_end = max(p1 for p0, p1 in d.periods[agent] if on <= p0 <= off)
                if last_end < d.close:
                    continue
                for i in range(len(c)):
                    start = d.eligible_from(i, g)
                    if start is not None and start <= off < d.left[i]:
                        raise AssertionError(f"{agent} left at {off} with contact {i} waiting")


@given(sc=scenarios(), seed=seeds)
def test_routing_follows_priority_age_and_longest_idle(sc, seed):
    for c, a, _ in _days(sc, seed):
        d = _Day(sc, c, a)
        served = np.flatnonzero(d.outcome == "served")
        for i in served:
            t, g, agent = d.answered[i], d.group[i], d.agent[i]
            if d.answered[i] == d.arrival[i] and d.routes[d.type[i]][g] == 0:
                # answered on arrival: first group of the routing list with an idle agent,
                # and in it the agent idle the longest
                for earlier in d.order[d.type[i]]:
                    if earlier == g:
                        break
                    if d.routes[d.type[i]][earlier] == 0:
                        assert all(d.idle_at(ag, t) is None for ag in d.agents_of(earlier)), \
                            f"contact {i} went to {g} though {earlier} had an idle agent"
                mine = d.free_since(agent, t, i)
                for other in d.agents_of(g):
                    since = d.idle_at(other, t)
                    assert since is None or mine <= since, \
                        f"contact {i}: {agent} free since {mine}, {other} idle since {since}"
            if t == d.arrival[i]:
                continue  # taken by an idle agent: nobody else waited for it (checked above)
            if t == d.eligible_from(i, g) and d.free_since(agent, t, i) < t:
                continue  # overflowed to an idle agent: see test_simultaneous_overflow_...
            # a free agent takes, of the contacts it may take that were waiting when it
            # became free, the one of highest priority, then the oldest
            for j in range(len(c)):
                start = d.eligible_from(j, g)
                if j == i or start is None or not (d.arrival[j] < t and start <= t < d.left[j]):
                    continue
                pj, pi = d.priority[d.type[j]], d.priority[d.type[i]]
                assert pj < pi or (pj == pi and d.arrival[j] >= d.arrival[i]), (
                    f"{agent} took contact {i} ({d.type[i]}, prio {pi}, arrived "
                    f"{d.arrival[i]}) at {t} while {j} ({d.type[j]}, prio {pj}, arrived "
                    f"{d.arrival[j]}) waited")


@given(sc=scenarios(), seed=seeds)
def test_occupancy_lies_between_zero_and_one(sc, seed):
    res = _simulated(sc, seed)
    occ = res.summary().loc["occupancy", "mean"]
    logged = (res.agents["off_at"] - res.agents["on_at"]).sum()
    if logged > 0:
        assert 0.0 <= occ <= 1.0 + 1e-12
    by_group = res.by_group().set_index("group")
    for g in sc.groups:
        value = by_group.loc[g.name, "occupancy"]
        time_on = (res.agents["group"] == g.name) & (res.agents["off_at"] > res.agents["on_at"])
        if time_on.any():
            assert 0.0 <= value <= 1.0 + 1e-12, (g.name, value)
        else:
            assert math.isnan(value)
    per = res.replication_summary()
    ok = per["occupancy"].dropna()
    assert ((ok >= 0) & (ok <= 1 + 1e-12)).all()


@given(sc=scenarios(), seed=seeds)
def test_same_seed_same_records_other_seed_other_contacts(sc, seed):
    first = _simulated(sc, seed)
    again = simulate(sc, replications=REPS, seed=seed)
    pd.testing.assert_frame_equal(first.contacts, again.contacts)
    pd.testing.assert_frame_equal(first.agents, again.agents)
    other_seed = (seed + 1) % 2**32
    other = simulate(sc, replications=1, seed=other_seed).contacts
    mine = first.contacts[first.contacts["replication"] == 0].reset_index(drop=True)
    drawn_a, drawn_b = draw_contacts(sc, seed, 0), draw_contacts(sc, other_seed, 0)
    if drawn_a.arrival_at.shape != drawn_b.arrival_at.shape or not np.array_equal(
            drawn_a.arrival_at, drawn_b.arrival_at):
        assert not mine.equals(other)


def test_occupancy_counts_the_work_after_closing():
    # One agent logged on 0-4000 (it stays to finish a call taken at 3000), busy 1000 s.
    res = simulate(day_of([calls(times=(3000,), handle=1000)], [group_of(headcount=(1,))]),
                   replications=1, seed=0)
    assert res.summary().loc["occupancy", "mean"] == pytest.approx(0.25)
    assert res.by_group().set_index("group").loc["team", "occupancy"] == pytest.approx(0.25)


def test_different_seeds_and_replications_give_different_days():
    sc = busy_day()
    res = simulate(sc, replications=2, seed=11)
    r0 = res.contacts[res.contacts["replication"] == 0].reset_index(drop=True)
    r1 = res.contacts[res.contacts["replication"] == 1].reset_index(drop=True)
    other = simulate(sc, replications=1, seed=12).contacts
    assert not r0["arrival_at"].equals(r1["arrival_at"])
    assert not r0["arrival_at"].equals(other["arrival_at"])
    same = simulate(sc, replications=2, seed=11)
    pd.testing.assert_frame_equal(res.contacts, same.contacts)
    assert res.seed == 11


def test_run_day_matches_simulate_replication():
    sc = busy_day()
    res = simulate(sc, replications=3, seed=5)
    for r in range(3):
        rec = run_day(sc, seed=5, replication=r).contacts()
        mine = res.contacts[res.contacts["replication"] == r].reset_index(drop=True)
        pd.testing.assert_frame_equal(rec, mine)
