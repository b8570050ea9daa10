"""The simulation engine (the ACD): exact event logs, properties over random days, CRN.

Three layers, as STYLE.md asks:

- exact event logs of tiny deterministic days (fixed arrival instants, deterministic handle,
  wrap-up and patience): who took which contact when, for every rule ``engine.py``,
  ``routing.py``, ``records.py`` and ``scenario.py`` document;
- Hypothesis properties over random small scenarios *and* seeds: every arrival accounted for
  once, record identities, no agent on two contacts, agents only work when logged on and
  skilled, no agent idles while a contact it may take waits, occupancy in [0, 1], same seed
  gives the same records;
- common random numbers: staffing and extra call types do not change anyone's contacts.

Times in the exact logs are seconds after an ``open_at`` of 0, so they read as offsets.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest
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
from blendsim.metrics.records import OUTCOMES, Records

# --------------------------------------------------------------------------------------------
# Helpers for tiny deterministic days


def fixed(value):
    return None if value is None else Deterministic(value=value)


def calls(name="calls", times=(), *, handle=100, wrap=None, patience=None, **kw):
    """An inbound type with fixed arrival instants and deterministic durations (seconds)."""
    return InboundType(name=name, arrival_times=tuple(times), handle_time=fixed(handle),
                       wrap_up=fixed(wrap), patience=fixed(patience), **kw)


def team(name="team", skills=("calls",), *, headcount=None, shifts=None):
    if headcount is None and shifts is None:
        headcount = (2,)
    return AgentGroup(name=name, skills=tuple(skills), headcount=headcount, shifts=shifts)


def day_of(types, groups, *, close=3600, interval=3600):
    """A scenario open from 0 to ``close`` seconds."""
    return Scenario(name="tiny", day=Day(open_at=0, close_at=close, interval=interval),
                    inbound=list(types), groups=list(groups))


def _plain(x):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(x) if isinstance(x, (float, np.floating, int, np.integer)) else str(x)


def log(scenario, columns=("arrival_at", "outcome", "agent", "answered_at", "end_at", "wait")):
    """The contacts of replication 0, seed 0, as tuples (NaN and missing become None)."""
    c = simulate(scenario, replications=1, seed=0).contacts
    return [tuple(_plain(v) for v in row) for row in c[list(columns)].itertuples(index=False)]


def shifts_log(scenario):
    """The agents' logged periods: (agent, on_at, off_at), sorted by agent then on_at."""
    a = simulate(scenario, replications=1, seed=0).agents
    rows = [(str(r.agent), float(r.on_at), float(r.off_at)) for r in a.itertuples(index=False)]
    return sorted(rows)


# Tuples below read: (arrival_at, outcome, agent, answered_at, end_at, wait).

# --------------------------------------------------------------------------------------------
# 1. Exact event logs


def test_fcfs_with_two_agents_and_a_queue():
    sc = day_of([calls(times=(0, 10, 20, 30, 40), handle=100)], [team(headcount=(2,))])
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 100.0, 0.0),
        (10.0, "served", "team-2", 10.0, 110.0, 0.0),
        (20.0, "served", "team-1", 100.0, 200.0, 80.0),  # first free agent, oldest caller
        (30.0, "served", "team-2", 110.0, 210.0, 80.0),
        (40.0, "served", "team-1", 200.0, 300.0, 160.0),
    ]
    assert shifts_log(sc) == [("team-1", 0.0, 3600.0), ("team-2", 0.0, 3600.0)]


def test_arrival_goes_to_the_longest_idle_agent_not_the_first_listed():
    sc = day_of([calls(times=(0, 1, 150, 250, 260), handle=100)], [team(headcount=(2,))])
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 100.0, 0.0),
        (1.0, "served", "team-2", 1.0, 101.0, 0.0),
        (150.0, "served", "team-1", 150.0, 250.0, 0.0),  # team-1 idle since 100, team-2 101
        # at 250 team-1 finishes first (scheduled events before arrivals) but team-2 has
        # been idle since 101: it is the longest idle.
        (250.0, "served", "team-2", 250.0, 350.0, 0.0),
        (260.0, "served", "team-1", 260.0, 360.0, 0.0),
    ]


def test_an_agent_finishing_at_an_arrival_instant_answers_it():
    # The caller balks if it would have to wait: so it is served only if the agent's finish
    # at 100 is handled before the arrival at 100.
    sc = day_of([calls(times=(0, 100), handle=100, balk_probability=1.0)],
                [team(headcount=(1,))])
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 100.0, 0.0),
        (100.0, "served", "team-1", 100.0, 200.0, 0.0),
    ]


def test_wrap_up_keeps_the_agent_busy_after_the_talk():
    sc = day_of([calls(times=(0, 10, 105), handle=100, wrap=30)], [team(headcount=(2,))])
    c = simulate(sc, replications=1, seed=0).contacts
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 130.0, 0.0),
        (10.0, "served", "team-2", 10.0, 140.0, 0.0),
        (105.0, "served", "team-1", 130.0, 260.0, 25.0),  # talk ended at 100, wrap-up at 130
    ]
    assert c["handle"].tolist() == [100.0] * 3
    assert c["wrap_up"].tolist() == [30.0] * 3
    assert (c["end_at"] == c["answered_at"] + c["handle"] + c["wrap_up"]).all()


def test_wrap_up_delays_the_next_answer_of_a_single_agent():
    sc = day_of([calls(times=(0, 10), handle=100, wrap=30)], [team(headcount=(1,))])
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 130.0, 0.0),
        (10.0, "served", "team-1", 130.0, 260.0, 120.0),
    ]


def test_a_caller_hangs_up_at_arrival_plus_patience():
    sc = day_of([calls(times=(0, 10, 60), handle=100, patience=50)], [team(headcount=(1,))])
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 100.0, 0.0),
        (10.0, "abandoned", None, None, 60.0, 50.0),
        (60.0, "served", "team-1", 100.0, 200.0, 40.0),  # 40 s < 50 s of patience
    ]


def test_a_caller_whose_patience_ends_as_the_agent_frees_up_has_hung_up():
    # The caller of 20 s gives up at 20 + 80 = 100, the very instant the agent frees up: it
    # has hung up, and the agent takes the next caller instead.
    sc = day_of([calls(times=(0, 20, 30), handle=100, patience=80)], [team(headcount=(1,))])
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 100.0, 0.0),
        (20.0, "abandoned", None, None, 100.0, 80.0),
        (30.0, "served", "team-1", 100.0, 200.0, 70.0),
    ]


def test_a_caller_with_zero_patience_is_answered_by_an_idle_agent():
    sc = day_of([calls(times=(0, 10), handle=100, patience=0)], [team(headcount=(1,))])
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 100.0, 0.0),
        (10.0, "abandoned", None, None, 10.0, 0.0),
    ]


def test_balking_happens_only_when_the_caller_would_wait():
    sc = day_of([calls(times=(0, 10, 50, 150, 160), handle=100, balk_probability=1.0)],
                [team(headcount=(2,))])
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 100.0, 0.0),
        (10.0, "served", "team-2", 10.0, 110.0, 0.0),
        (50.0, "balked", None, None, 50.0, 0.0),  # both busy: balks at once
        (150.0, "served", "team-1", 150.0, 250.0, 0.0),
        (160.0, "served", "team-2", 160.0, 260.0, 0.0),
    ]


def test_a_full_queue_blocks():
    sc = day_of([calls(times=(0, 1, 2, 3, 150), handle=100, queue_capacity=2)],
                [team(headcount=(1,))])
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 100.0, 0.0),
        (1.0, "served", "team-1", 100.0, 200.0, 99.0),
        (2.0, "served", "team-1", 200.0, 300.0, 198.0),
        (3.0, "blocked", None, None, 3.0, 0.0),  # two already waiting
        (150.0, "served", "team-1", 300.0, 400.0, 150.0),  # one left the queue at 100
    ]


def test_queue_capacity_zero_blocks_whoever_would_wait():
    sc = day_of([calls(times=(0, 5, 100), handle=100, queue_capacity=0)],
                [team(headcount=(1,))])
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 100.0, 0.0),
        (5.0, "blocked", None, None, 5.0, 0.0),
        (100.0, "served", "team-1", 100.0, 200.0, 0.0),
    ]


def test_queue_capacity_counts_only_callers_still_waiting():
    # Capacity 1, patience 25: the caller of 10 holds the place until it hangs up at 35.  At
    # 35 exactly the place is free again (a caller whose patience ended has hung up).
    sc = day_of([calls(times=(0, 10, 20, 34, 35, 70), handle=1000, patience=25,
                       queue_capacity=1)], [team(headcount=(1,))])
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 1000.0, 0.0),
        (10.0, "abandoned", None, None, 35.0, 25.0),
        (20.0, "blocked", None, None, 20.0, 0.0),
        (34.0, "blocked", None, None, 34.0, 0.0),
        (35.0, "abandoned", None, None, 60.0, 25.0),  # got the place, then hung up too
        (70.0, "abandoned", None, None, 95.0, 25.0),
    ]


def test_capacity_is_per_type():
    sc = day_of([calls("a", (0, 1, 2), handle=100, queue_capacity=1),
                 calls("b", (3,), handle=100, queue_capacity=1)],
                [team(skills=("a", "b"), headcount=(1,))])
    assert log(sc, ("type", "arrival_at", "outcome", "answered_at")) == [
        ("a", 0.0, "served", 0.0),
        ("a", 1.0, "served", 100.0),
        ("a", 2.0, "blocked", None),
        ("b", 3.0, "served", 200.0),  # a's full queue does not block b
    ]


def test_higher_priority_first_even_if_younger():
    sc = day_of([calls("low", (0, 10), handle=100, priority=0),
                 calls("high", (20, 30), handle=100, priority=5)],
                [team(skills=("low", "high"), headcount=(1,))])
    assert log(sc, ("type", "arrival_at", "answered_at", "wait")) == [
        ("low", 0.0, 0.0, 0.0),
        ("low", 10.0, 300.0, 290.0),
        ("high", 20.0, 100.0, 80.0),
        ("high", 30.0, 200.0, 170.0),
    ]


def test_equal_priority_oldest_first_whatever_the_skill_order():
    # The agent lists b first, but the older a caller goes first; at equal arrival instants
    # the agent's first skill wins (routing.py).
    sc = day_of([calls("a", (0, 10, 50), handle=100), calls("b", (20, 50), handle=100)],
                [team(skills=("b", "a"), headcount=(1,))])
    assert log(sc, ("type", "arrival_at", "answered_at")) == [
        ("a", 0.0, 0.0),
        ("a", 10.0, 100.0),
        ("b", 20.0, 200.0),
        ("a", 50.0, 400.0),
        ("b", 50.0, 300.0),  # same instant as the a caller: the first skill (b) wins
    ]


def test_priority_is_per_agent_skills():
    # The high-priority type is not a skill of team B: B's agent keeps to its own queue.
    sc = day_of([calls("low", (0, 1, 2), handle=100, priority=0),
                 calls("high", (3,), handle=100, priority=9)],
                [team("A", ("low", "high"), headcount=(1,)), team("B", ("low",), headcount=(1,))])
    assert log(sc, ("type", "arrival_at", "agent", "answered_at")) == [
        ("low", 0.0, "A-1", 0.0),
        ("low", 1.0, "B-1", 1.0),
        ("low", 2.0, "B-1", 101.0),  # B frees at 101; A at 100 took the high caller
        ("high", 3.0, "A-1", 100.0),
    ]


def _overflow(times, *, handle=200, patience=None, b_times=(), b_handle=150):
    """Type x: group A first, group B after 30 s of waiting; type y only for B."""
    types = [calls("x", times, handle=handle, patience=patience, groups=("A", "B"),
                   overflow_after=(0, 30))]
    b_skills = ("x",)
    if b_times:
        types.append(calls("y", b_times, handle=b_handle))
        b_skills = ("x", "y")
    return day_of(types, [team("A", ("x",), headcount=(1,)),
                          team("B", b_skills, headcount=(1,))])


def test_overflow_group_answers_only_after_the_delay():
    # At 100 A is busy and B idle: B still waits until the caller has waited 30 s.
    assert log(_overflow((0, 100))) == [
        (0.0, "served", "A-1", 0.0, 200.0, 0.0),
        (100.0, "served", "B-1", 130.0, 330.0, 30.0),
    ]


def test_overflow_does_not_happen_if_the_first_group_frees_up_in_time():
    assert log(_overflow((0, 190))) == [
        (0.0, "served", "A-1", 0.0, 200.0, 0.0),
        (190.0, "served", "A-1", 200.0, 400.0, 10.0),  # B idle all along, never used
    ]


def test_overflow_group_busy_at_the_delay_takes_the_caller_when_it_frees_up():
    sc = _overflow((0, 100), b_times=(0,), b_handle=150)
    assert log(sc, ("type", "arrival_at", "agent", "answered_at", "wait")) == [
        ("x", 0.0, "A-1", 0.0, 0.0),
        ("y", 0.0, "B-1", 0.0, 0.0),
        ("x", 100.0, "B-1", 150.0, 50.0),  # B busy at 130, free at 150 < A free at 200
    ]


def test_overflow_group_is_first_choice_when_first_group_has_a_delay_only():
    # routed A (after 0 s) then B (after 30 s); with A idle the caller never waits.
    assert log(_overflow((0,))) == [(0.0, "served", "A-1", 0.0, 200.0, 0.0)]


def test_a_caller_who_hangs_up_before_the_overflow_delay_is_not_answered():
    assert log(_overflow((0, 100), patience=20)) == [
        (0.0, "served", "A-1", 0.0, 200.0, 0.0),
        (100.0, "abandoned", None, None, 120.0, 20.0),
    ]


def test_a_caller_who_hangs_up_at_the_overflow_instant_is_not_answered():
    assert log(_overflow((0, 100), patience=30)) == [
        (0.0, "served", "A-1", 0.0, 200.0, 0.0),
        (100.0, "abandoned", None, None, 130.0, 30.0),
    ]


def test_a_type_routed_away_from_a_skilled_group_is_never_answered_there():
    sc = day_of([calls("x", (0, 10), handle=100, groups=("A",))],
                [team("A", ("x",), headcount=(1,)), team("B", ("x",), headcount=(1,))])
    assert log(sc, ("arrival_at", "agent", "answered_at")) == [
        (0.0, "A-1", 0.0),
        (10.0, "A-1", 100.0),  # B is skilled and idle, but not in x's routing
    ]


def test_simultaneous_overflow_respects_priority():
    # At 30, two callers become eligible for the idle B agent at once: the low-priority caller
    # of 0 (after 30 s) and the high-priority caller of 10 (after 20 s).  A free agent takes
    # the waiting contact of highest priority: the high one.
    sc = day_of([calls("low", (0, 0), handle=200, groups=("A", "B"), overflow_after=(0, 30)),
                 calls("high", (10,), handle=200, priority=5, groups=("A", "B"),
                       overflow_after=(0, 20))],
                [team("A", ("low", "high"), headcount=(1,)),
                 team("B", ("low", "high"), headcount=(1,))])
    assert log(sc, ("type", "arrival_at", "agent", "answered_at")) == [
        ("low", 0.0, "A-1", 0.0),
        ("low", 0.0, "A-1", 200.0),
        ("high", 10.0, "B-1", 30.0),
    ]


# --- shifts -----------------------------------------------------------------------------------


def test_shift_ending_while_busy_finishes_the_contact_then_leaves():
    sc = day_of([calls(times=(0, 120, 130), handle=100)],
                [team(shifts=(Shift(start_at=0, end_at=150),))])
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 100.0, 0.0),
        (120.0, "served", "team-1", 120.0, 220.0, 0.0),
        # the shift ended at 150 (before closing): the agent goes home at 220, leaving the
        # caller of 130 to wait for nobody.
        (130.0, "unserved", None, None, None, None),
    ]
    assert shifts_log(sc) == [("team-1", 0.0, 220.0)]


def test_shift_ending_while_idle_leaves_at_once():
    sc = day_of([calls(times=(0,), handle=100)],
                [team(shifts=(Shift(start_at=0, end_at=150),))])
    assert log(sc) == [(0.0, "served", "team-1", 0.0, 100.0, 0.0)]
    assert shifts_log(sc) == [("team-1", 0.0, 150.0)]


def test_a_shift_ending_at_an_arrival_instant_leaves_before_the_arrival():
    sc = day_of([calls(times=(150,), handle=100, balk_probability=1.0)],
                [team(shifts=(Shift(start_at=0, end_at=150),))])
    assert log(sc) == [(150.0, "balked", None, None, 150.0, 0.0)]
    assert shifts_log(sc) == [("team-1", 0.0, 150.0)]


def test_a_shift_starting_at_an_arrival_instant_answers_it():
    sc = day_of([calls(times=(300,), handle=100, balk_probability=1.0)],
                [team(shifts=(Shift(start_at=300, end_at=3600),))])
    assert log(sc) == [(300.0, "served", "team-1", 300.0, 400.0, 0.0)]


def test_an_agent_starting_mid_day_takes_the_oldest_waiting_contact():
    sc = day_of([calls(times=(0, 10, 20, 30), handle=1000)],
                [team(shifts=(Shift(start_at=0, end_at=3600), Shift(start_at=300, end_at=3600)))])
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 1000.0, 0.0),
        (10.0, "served", "team-2", 300.0, 1300.0, 290.0),
        (20.0, "served", "team-1", 1000.0, 2000.0, 980.0),
        (30.0, "served", "team-2", 1300.0, 2300.0, 1270.0),
    ]
    assert shifts_log(sc) == [("team-1", 0.0, 3600.0), ("team-2", 300.0, 3600.0)]


def test_an_agent_starting_before_opening_is_logged_on_from_its_start():
    sc = Scenario(day=Day(open_at=3600, close_at=7200, interval=3600),
                  inbound=[calls(times=(3600,), handle=100)],
                  groups=[team(shifts=(Shift(start_at=1800, end_at=7200),))])
    assert log(sc) == [(3600.0, "served", "team-1", 3600.0, 3700.0, 0.0)]
    assert shifts_log(sc) == [("team-1", 1800.0, 7200.0)]


def test_after_closing_agents_whose_shift_ends_at_closing_finish_the_queue():
    sc = day_of([calls(times=(0, 100, 200), handle=1000)], [team(headcount=(1,))],
                close=1800, interval=1800)
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 1000.0, 0.0),
        (100.0, "served", "team-1", 1000.0, 2000.0, 900.0),
        (200.0, "served", "team-1", 2000.0, 3000.0, 1800.0),  # answered after closing
    ]
    assert shifts_log(sc) == [("team-1", 0.0, 3000.0)]


def test_after_closing_an_agent_whose_shift_ends_later_works_on():
    sc = day_of([calls(times=(0, 100), handle=1000)],
                [team(shifts=(Shift(start_at=0, end_at=2500),))], close=1800, interval=1800)
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 1000.0, 0.0),
        (100.0, "served", "team-1", 1000.0, 2000.0, 900.0),
    ]
    assert shifts_log(sc) == [("team-1", 0.0, 2500.0)]  # idle until its shift ends


def test_an_agent_whose_shift_ends_before_closing_leaves_though_contacts_wait():
    sc = day_of([calls(times=(0, 10, 20, 30), handle=1000)],
                [team(shifts=(Shift(start_at=0, end_at=900), Shift(start_at=0, end_at=1800)))],
                close=1800, interval=1800)
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 1000.0, 0.0),
        (10.0, "served", "team-2", 10.0, 1010.0, 0.0),
        (20.0, "served", "team-2", 1010.0, 2010.0, 990.0),  # not team-1, free at 1000
        (30.0, "served", "team-2", 2010.0, 3010.0, 1980.0),
    ]
    assert shifts_log(sc) == [("team-1", 0.0, 1000.0), ("team-2", 0.0, 3010.0)]


def test_contacts_left_waiting_when_everyone_has_gone():
    # One agent, on for the first quarter hour only.  Callers without patience are unserved;
    # a patient caller still waiting hangs up at the end of its patience.
    sc = day_of([calls("plain", (0, 100, 1000), handle=1000),
                 calls("patient", (200,), handle=1000, patience=5000)],
                [team(skills=("plain", "patient"), headcount=(1, 0))], close=1800, interval=900)
    assert log(sc, ("type", "arrival_at", "outcome", "agent", "end_at", "wait")) == [
        ("plain", 0.0, "served", "team-1", 1000.0, 0.0),
        ("plain", 100.0, "unserved", None, None, None),
        ("patient", 200.0, "abandoned", None, 5200.0, 5000.0),
        ("plain", 1000.0, "unserved", None, None, None),  # the agent left at 1000 first
    ]
    assert shifts_log(sc) == [("team-1", 0.0, 1000.0)]


def test_after_closing_agents_stay_for_callers_still_inside_their_overflow_delay():
    # x goes to B at once (B has nobody) and to A after 60 s.  The caller of 1790 waits; A's
    # shift ends at closing (1800) and it should stay until no contact waits for it, taking
    # the caller at 1850.
    sc = day_of([calls("x", (1790,), handle=100, groups=("B", "A"), overflow_after=(0, 60))],
                [team("A", ("x",), headcount=(1,)), team("B", ("x",), headcount=(0,))],
                close=1800, interval=1800)
    assert log(sc) == [(1790.0, "served", "A-1", 1850.0, 1950.0, 60.0)]


def test_headcount_per_interval_becomes_agent_periods():
    # agent k works in every interval whose head count exceeds k
    sc = day_of([calls(times=())], [team(headcount=(1, 3, 0, 2))], close=3600, interval=900)
    assert sc.agent_periods() == [
        ("team-1", "team", 0.0, 1800.0), ("team-1", "team", 2700.0, 3600.0),
        ("team-2", "team", 900.0, 1800.0), ("team-2", "team", 2700.0, 3600.0),
        ("team-3", "team", 900.0, 1800.0),
    ]
    assert shifts_log(sc) == [
        ("team-1", 0.0, 1800.0), ("team-1", 2700.0, 3600.0),
        ("team-2", 900.0, 1800.0), ("team-2", 2700.0, 3600.0),
        ("team-3", 900.0, 1800.0),
    ]


def test_headcount_zero_interval_has_nobody_to_answer():
    sc = day_of([calls(times=(600, 2000, 2001), handle=100)],
                [team(headcount=(1, 3, 0, 2))], close=3600, interval=900)
    assert log(sc) == [
        (600.0, "served", "team-1", 600.0, 700.0, 0.0),
        (2000.0, "served", "team-1", 2700.0, 2800.0, 700.0),  # nobody from 1800 to 2700
        (2001.0, "served", "team-2", 2700.0, 2800.0, 699.0),
    ]


def test_an_agent_busy_across_a_gap_in_its_head_count_stays_logged_on():
    # team-1 works 0-900 and 1800-2700; a 1000 s call taken at 850 carries it past 1800.
    sc = day_of([calls(times=(850, 1700), handle=1000)], [team(headcount=(1, 0, 1))],
                close=2700, interval=900)
    assert log(sc) == [
        (850.0, "served", "team-1", 850.0, 1850.0, 0.0),
        (1700.0, "served", "team-1", 1850.0, 2850.0, 150.0),
    ]
    assert shifts_log(sc) == [("team-1", 0.0, 2850.0)]


def test_an_agent_back_after_a_gap_logs_two_periods():
    sc = day_of([calls(times=(800, 1000), handle=200)], [team(headcount=(1, 0, 1))],
                close=2700, interval=900)
    assert log(sc) == [
        (800.0, "served", "team-1", 800.0, 1000.0, 0.0),
        (1000.0, "served", "team-1", 1800.0, 2000.0, 800.0),  # left at 1000, before the call
    ]
    assert shifts_log(sc) == [("team-1", 0.0, 1000.0), ("team-1", 1800.0, 2700.0)]


def test_no_arrivals_gives_empty_contacts_and_full_agent_log():
    res = simulate(day_of([calls(times=())], [team(headcount=(2,))]), replications=1, seed=0)
    assert len(res.contacts) == 0
    assert list(res.contacts.columns) == CONTACT_COLUMNS
    assert shifts_log(day_of([calls(times=())], [team(headcount=(2,))])) == [
        ("team-1", 0.0, 3600.0), ("team-2", 0.0, 3600.0)]


# --------------------------------------------------------------------------------------------
# 2. Properties over random small scenarios and seeds

OPEN = 8 * 3600.0
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
    res = simulate(day_of([calls(times=(3000,), handle=1000)], [team(headcount=(1,))]),
                   replications=1, seed=0)
    assert res.summary().loc["occupancy", "mean"] == pytest.approx(0.25)
    assert res.by_group().set_index("group").loc["team", "occupancy"] == pytest.approx(0.25)


def _busy_day(**changes):
    kw = dict(volume=[60, 90, 40], handle_time=Exponential(mean=240),
              wrap_up=Lognormal(mean=20, cv=0.5), patience=Exponential(mean=120),
              balk_probability=0.1, queue_capacity=8)
    kw.update(changes)
    return Scenario(day=Day(open_at=OPEN, close_at=OPEN + 3 * 1800, interval=1800),
                    inbound=[InboundType(name="sales", **kw)],
                    groups=[AgentGroup(name="team", skills=["sales"], headcount=[6, 8, 5])])


def test_different_seeds_and_replications_give_different_days():
    sc = _busy_day()
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
    sc = _busy_day()
    res = simulate(sc, replications=3, seed=5)
    for r in range(3):
        rec = run_day(sc, seed=5, replication=r).contacts()
        mine = res.contacts[res.contacts["replication"] == r].reset_index(drop=True)
        pd.testing.assert_frame_equal(rec, mine)


# --------------------------------------------------------------------------------------------
# 3. Common random numbers


def _both_served(a, b):
    m = (a["outcome"] == "served") & (b["outcome"] == "served")
    return a[m], b[m]


def test_one_more_agent_sees_the_same_contacts():
    base = _busy_day()
    more = base.replace(groups=(AgentGroup(name="team", skills=["sales"],
                                           headcount=[7, 9, 6]),))
    a = simulate(base, replications=2, seed=3).contacts
    b = simulate(more, replications=2, seed=3).contacts
    assert len(a) == len(b) > 300
    pd.testing.assert_series_equal(a["arrival_at"], b["arrival_at"])
    pa, pb = _both_served(a, b)
    assert len(pa) > 200
    pd.testing.assert_series_equal(pa["handle"], pb["handle"])
    pd.testing.assert_series_equal(pa["wrap_up"], pb["wrap_up"])
    # hang-ups in both runs waited their own, common, patience
    m = (a["outcome"] == "abandoned") & (b["outcome"] == "abandoned")
    assert m.sum() > 5
    pd.testing.assert_series_equal(a.loc[m, "wait"], b.loc[m, "wait"])
    # the staffing differs, so the outcomes do: one more agent answers more, sooner
    assert (b["outcome"] == "served").sum() > (a["outcome"] == "served").sum()
    assert b.loc[b["outcome"] == "served", "wait"].mean() < \
        a.loc[a["outcome"] == "served", "wait"].mean()
    # and the draws themselves do not depend on the staffing
    for r in range(2):
        da, db = draw_contacts(base, 3, r), draw_contacts(more, 3, r)
        for field in ("arrival_at", "type", "handle", "wrap_up", "give_up_at", "balks"):
            np.testing.assert_array_equal(getattr(da, field), getattr(db, field))


def test_a_new_inbound_type_does_not_change_the_existing_ones_contacts():
    base = _busy_day()
    extra = InboundType(name="service", volume=[30, 30, 30], handle_time=Exponential(mean=300),
                        patience=Exponential(mean=60))
    wider = base.replace(inbound=(*base.inbound, extra),
                         groups=(AgentGroup(name="team", skills=["sales", "service"],
                                            headcount=[6, 8, 5]),))
    for r in range(2):
        da, db = draw_contacts(base, 9, r), draw_contacts(wider, 9, r)
        mine = db.type == 0
        assert (~mine).sum() > 30
        for field in ("arrival_at", "handle", "wrap_up", "give_up_at", "balks"):
            np.testing.assert_array_equal(getattr(da, field), getattr(db, field)[mine])
    a = simulate(base, replications=1, seed=9).contacts
    b = simulate(wider, replications=1, seed=9).contacts
    b_sales = b[b["type"] == "sales"].reset_index(drop=True)
    np.testing.assert_array_equal(a["arrival_at"].to_numpy(), b_sales["arrival_at"].to_numpy())
    pa, pb = _both_served(a, b_sales)
    assert len(pa) > 50
    np.testing.assert_array_equal(pa["handle"].to_numpy(), pb["handle"].to_numpy())


def test_changing_another_types_volume_leaves_a_type_untouched():
    two = [InboundType(name="sales", volume=[20, 20, 20], handle_time=Exponential(mean=200)),
           InboundType(name="service", volume=[10, 10, 10], handle_time=Exponential(mean=200))]
    base = Scenario(day=Day(open_at=OPEN, close_at=OPEN + 3 * 1800, interval=1800),
                    inbound=two, groups=[AgentGroup(name="t", skills=["sales", "service"],
                                                    headcount=[3, 3, 3])])
    busier = base.replace(inbound=(two[0], InboundType(name="service", volume=[40, 40, 40],
                                                       handle_time=Exponential(mean=200))))
    da, db = draw_contacts(base, 4, 0), draw_contacts(busier, 4, 0)
    np.testing.assert_array_equal(da.arrival_at[da.type == 0], db.arrival_at[db.type == 0])
    np.testing.assert_array_equal(da.handle[da.type == 0], db.handle[db.type == 0])
    assert (db.type == 1).sum() > (da.type == 1).sum()


def test_balkers_are_drawn_with_the_balk_probability():
    sc = _busy_day(volume=[400, 400, 400], balk_probability=0.25)
    d = draw_contacts(sc, 8, 0)
    n = d.balks.size
    assert n > 1000
    assert abs(d.balks.mean() - 0.25) < 4 * math.sqrt(0.25 * 0.75 / n)
    # in the day itself, a quarter of those who had to wait balked
    c = run_day(sc.replace(groups=(AgentGroup(name="team", skills=["sales"],
                                               headcount=[3, 3, 3]),)), seed=8).contacts()
    waited = (c["outcome"] != "served") | (c["answered_at"] > c["arrival_at"])
    share = (c.loc[waited, "outcome"] == "balked").mean()
    assert abs(share - 0.25) < 4 * math.sqrt(0.25 * 0.75 / waited.sum())


def test_each_replication_draws_its_own_contacts():
    sc = _busy_day()
    d0, d1 = draw_contacts(sc, 1, 0), draw_contacts(sc, 1, 1)
    assert d0.arrival_at.shape != d1.arrival_at.shape or not np.array_equal(
        d0.arrival_at, d1.arrival_at)
    again = draw_contacts(sc, 1, 1)
    np.testing.assert_array_equal(d1.handle, again.handle)


# --------------------------------------------------------------------------------------------
# 4. Columns and dtypes

CONTACT_COLUMNS = ["replication", "contact", "kind", "type", "segment", "attempt", "arrival_at",
                   "answered_at", "end_at", "wait", "handle", "wrap_up", "outcome", "group",
                   "agent"]
AGENT_COLUMNS = ["replication", "agent", "group", "on_at", "off_at"]


def _two_type_day():
    return day_of([calls("a", (0, 10, 20), handle=100, patience=15),
                   calls("b", (5, 6), handle=50, wrap=10, queue_capacity=1)],
                  [team("A", ("a", "b"), headcount=(1,)), team("B", ("b",), headcount=(0,))])


def test_draw_contacts_columns():
    sc = _busy_day()
    d = draw_contacts(sc, 2, 0)
    n = d.arrival_at.size
    assert n > 100
    for field in ("arrival_at", "handle", "wrap_up", "give_up_at"):
        arr = getattr(d, field)
        assert arr.dtype == np.float64 and arr.shape == (n,), field
    assert np.issubdtype(d.type.dtype, np.integer) and d.type.shape == (n,)
    assert d.balks.dtype == bool and d.balks.shape == (n,)
    assert (np.diff(d.arrival_at) >= 0).all()
    assert ((d.arrival_at >= sc.day.open_at) & (d.arrival_at < sc.day.close_at)).all()
    assert (d.give_up_at >= d.arrival_at).all() and (d.handle > 0).all()
    # no patience: never hangs up; no wrap-up: zero; no balking: never balks
    plain = draw_contacts(day_of([calls(times=(3, 1, 2))], [team()]), 0, 0)
    np.testing.assert_array_equal(plain.arrival_at, [1.0, 2.0, 3.0])
    assert np.isinf(plain.give_up_at).all() and (plain.wrap_up == 0).all()
    assert not plain.balks.any()


def test_run_day_returns_records_with_documented_arrays():
    sc = _two_type_day()
    rec = run_day(sc, seed=0, replication=4)
    assert isinstance(rec, Records)
    assert rec.replication == 4 and len(rec) == 5
    assert rec.type_names == ("a", "b") and rec.group_names == ("A", "B")
    assert rec.agent_names == ("A-1",)
    for field in ("arrival_at", "answered_at", "end_at", "wait", "handle", "wrap_up",
                  "agent_log_on_at", "agent_log_off_at"):
        assert getattr(rec, field).dtype == np.float64, field
    for field in ("type", "agent", "group", "agent_log_agent", "agent_log_group"):
        assert np.issubdtype(getattr(rec, field).dtype, np.integer), field
    assert [OUTCOMES[k] for k in rec.outcome] == [
        "served", "served", "blocked", "abandoned", "abandoned"]
    # codes: -1 for no agent and no group
    assert rec.agent.tolist() == [0, 0, -1, -1, -1] and rec.group.tolist() == [0, 0, -1, -1, -1]


def test_records_contacts_columns_and_dtypes():
    c = run_day(_two_type_day(), seed=0, replication=4).contacts()
    assert list(c.columns) == CONTACT_COLUMNS
    assert c["replication"].tolist() == [4] * 5
    assert np.issubdtype(c["replication"].dtype, np.integer)
    assert np.issubdtype(c["contact"].dtype, np.integer)
    for col in ("arrival_at", "answered_at", "end_at", "wait", "handle", "wrap_up"):
        assert c[col].dtype == np.float64, col
    for col, cats in (("kind", ["inbound", "outbound"]), ("type", ["a", "b"]),
                      ("outcome", list(OUTCOMES)), ("group", ["A", "B"]), ("agent", ["A-1"])):
        assert isinstance(c[col].dtype, pd.CategoricalDtype), col
        assert list(c[col].cat.categories) == cats, col
    assert (c["kind"] == "inbound").all()
    assert log(_two_type_day(), ("type", "arrival_at", "outcome", "group", "agent",
                                 "answered_at", "end_at", "wait", "handle", "wrap_up")) == [
        ("a", 0.0, "served", "A", "A-1", 0.0, 100.0, 0.0, 100.0, 0.0),
        ("b", 5.0, "served", "A", "A-1", 100.0, 160.0, 95.0, 50.0, 10.0),
        ("b", 6.0, "blocked", None, None, None, 6.0, 0.0, None, None),
        ("a", 10.0, "abandoned", None, None, None, 25.0, 15.0, None, None),
        ("a", 20.0, "abandoned", None, None, None, 35.0, 15.0, None, None),
    ]


def test_records_agents_columns_and_dtypes():
    a = run_day(_two_type_day(), seed=0, replication=4).agents()
    assert list(a.columns) == AGENT_COLUMNS
    assert a["replication"].tolist() == [4]
    assert isinstance(a["agent"].dtype, pd.CategoricalDtype)
    assert list(a["agent"].cat.categories) == ["A-1"]
    assert isinstance(a["group"].dtype, pd.CategoricalDtype)
    assert list(a["group"].cat.categories) == ["A", "B"]
    assert a["on_at"].dtype == np.float64 and a["off_at"].dtype == np.float64
    assert a[["agent", "group", "on_at", "off_at"]].astype(object).values.tolist() == [
        ["A-1", "A", 0.0, 3600.0]]


def test_empty_agent_log_keeps_its_columns():
    sc = day_of([calls(times=(5,), patience=50)], [team(headcount=(0,))])
    rec = run_day(sc, seed=0)
    a = rec.agents()
    assert list(a.columns) == AGENT_COLUMNS and len(a) == 0
    assert list(a["group"].cat.categories) == ["team"]
    assert rec.contacts()["outcome"].astype(str).tolist() == ["abandoned"]
