"""Exact event logs of tiny deterministic days (fixed arrival instants, deterministic handle,
wrap-up and patience): who took which contact when, for every rule the engine, routing and
records document. Times are seconds after an ``open_at`` of 0, so they read as offsets."""

from __future__ import annotations

from builders import calls, day_of, group_of, log, shifts_log

from blendsim import (
    simulate,
)

# Tuples below read: (arrival_at, outcome, agent, answered_at, end_at, wait).

# --------------------------------------------------------------------------------------------
# Exact event logs


def test_fcfs_with_two_agents_and_a_queue():
    sc = day_of([calls(times=(0, 10, 20, 30, 40), handle=100)], [group_of(headcount=(2,))])
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 100.0, 0.0),
        (10.0, "served", "team-2", 10.0, 110.0, 0.0),
        (20.0, "served", "team-1", 100.0, 200.0, 80.0),  # first free agent, oldest caller
        (30.0, "served", "team-2", 110.0, 210.0, 80.0),
        (40.0, "served", "team-1", 200.0, 300.0, 160.0),
    ]
    assert shifts_log(sc) == [("team-1", 0.0, 3600.0), ("team-2", 0.0, 3600.0)]


def test_arrival_goes_to_the_longest_idle_agent_not_the_first_listed():
    sc = day_of([calls(times=(0, 1, 150, 250, 260), handle=100)], [group_of(headcount=(2,))])
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
                [group_of(headcount=(1,))])
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 100.0, 0.0),
        (100.0, "served", "team-1", 100.0, 200.0, 0.0),
    ]


def test_wrap_up_keeps_the_agent_busy_after_the_talk():
    sc = day_of([calls(times=(0, 10, 105), handle=100, wrap=30)], [group_of(headcount=(2,))])
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
    sc = day_of([calls(times=(0, 10), handle=100, wrap=30)], [group_of(headcount=(1,))])
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 130.0, 0.0),
        (10.0, "served", "team-1", 130.0, 260.0, 120.0),
    ]


def test_a_caller_hangs_up_at_arrival_plus_patience():
    sc = day_of([calls(times=(0, 10, 60), handle=100, patience=50)], [group_of(headcount=(1,))])
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 100.0, 0.0),
        (10.0, "abandoned", None, None, 60.0, 50.0),
        (60.0, "served", "team-1", 100.0, 200.0, 40.0),  # 40 s < 50 s of patience
    ]


def test_a_caller_whose_patience_ends_as_the_agent_frees_up_has_hung_up():
    # The caller of 20 s gives up at 20 + 80 = 100, the very instant the agent frees up: it
    # has hung up, and the agent takes the next caller instead.
    sc = day_of([calls(times=(0, 20, 30), handle=100, patience=80)], [group_of(headcount=(1,))])
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 100.0, 0.0),
        (20.0, "abandoned", None, None, 100.0, 80.0),
        (30.0, "served", "team-1", 100.0, 200.0, 70.0),
    ]


def test_a_caller_with_zero_patience_is_answered_by_an_idle_agent():
    sc = day_of([calls(times=(0, 10), handle=100, patience=0)], [group_of(headcount=(1,))])
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 100.0, 0.0),
        (10.0, "abandoned", None, None, 10.0, 0.0),
    ]


def test_balking_happens_only_when_the_caller_would_wait():
    sc = day_of([calls(times=(0, 10, 50, 150, 160), handle=100, balk_probability=1.0)],
                [group_of(headcount=(2,))])
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 100.0, 0.0),
        (10.0, "served", "team-2", 10.0, 110.0, 0.0),
        (50.0, "balked", None, None, 50.0, 0.0),  # both busy: balks at once
        (150.0, "served", "team-1", 150.0, 250.0, 0.0),
        (160.0, "served", "team-2", 160.0, 260.0, 0.0),
    ]


def test_a_full_queue_blocks():
    sc = day_of([calls(times=(0, 1, 2, 3, 150), handle=100, queue_capacity=2)],
                [group_of(headcount=(1,))])
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 100.0, 0.0),
        (1.0, "served", "team-1", 100.0, 200.0, 99.0),
        (2.0, "served", "team-1", 200.0, 300.0, 198.0),
        (3.0, "blocked", None, None, 3.0, 0.0),  # two already waiting
        (150.0, "served", "team-1", 300.0, 400.0, 150.0),  # one left the queue at 100
    ]


def test_queue_capacity_zero_blocks_whoever_would_wait():
    sc = day_of([calls(times=(0, 5, 100), handle=100, queue_capacity=0)],
                [group_of(headcount=(1,))])
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 100.0, 0.0),
        (5.0, "blocked", None, None, 5.0, 0.0),
        (100.0, "served", "team-1", 100.0, 200.0, 0.0),
    ]


def test_queue_capacity_counts_only_callers_still_waiting():
    # Capacity 1, patience 25: the caller of 10 holds the place until it hangs up at 35.  At
    # 35 exactly the place is free again (a caller whose patience ended has hung up).
    sc = day_of([calls(times=(0, 10, 20, 34, 35, 70), handle=1000, patience=25,
                       queue_capacity=1)], [group_of(headcount=(1,))])
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
                [group_of(skills=("a", "b"), headcount=(1,))])
    assert log(sc, ("type", "arrival_at", "outcome", "answered_at")) == [
        ("a", 0.0, "served", 0.0),
        ("a", 1.0, "served", 100.0),
        ("a", 2.0, "blocked", None),
        ("b", 3.0, "served", 200.0),  # a's full queue does not block b
    ]


def test_higher_priority_first_even_if_younger():
    sc = day_of([calls("low", (0, 10), handle=100, priority=0),
                 calls("high", (20, 30), handle=100, priority=5)],
                [group_of(skills=("low", "high"), headcount=(1,))])
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
                [group_of(skills=("b", "a"), headcount=(1,))])
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
                [group_of("A", ("low", "high"), headcount=(1,)),
                 group_of("B", ("low",), headcount=(1,))])
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
    return day_of(types, [group_of("A", ("x",), headcount=(1,)),
                          group_of("B", b_skills, headcount=(1,))])


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
                [group_of("A", ("x",), headcount=(1,)), group_of("B", ("x",), headcount=(1,))])
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
                [group_of("A", ("low", "high"), headcount=(1,)),
                 group_of("B", ("low", "high"), headcount=(1,))])
    assert log(sc, ("type", "arrival_at", "agent", "answered_at")) == [
        ("low", 0.0, "A-1", 0.0),
        ("low", 0.0, "A-1", 200.0),
        ("high", 10.0, "B-1", 30.0),
    ]
