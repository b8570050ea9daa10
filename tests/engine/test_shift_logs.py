"""Exact event logs of tiny days around shifts and head counts: when agents log on and off
(shift edges, closing, gaps in the head count), what becomes of the contact in hand and of
the callers still waiting."""

from __future__ import annotations

from builders import CONTACT_COLUMNS, calls, day_of, group_of, log, shifts_log

from blendsim import (
    Day,
    Scenario,
    Shift,
    simulate,
)

# --- shifts -----------------------------------------------------------------------------------


def test_shift_ending_while_busy_finishes_the_contact_then_leaves():
    sc = day_of([calls(times=(0, 120, 130), handle=100)],
                [group_of(shifts=(Shift(start_at=0, end_at=150),))])
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
                [group_of(shifts=(Shift(start_at=0, end_at=150),))])
    assert log(sc) == [(0.0, "served", "team-1", 0.0, 100.0, 0.0)]
    assert shifts_log(sc) == [("team-1", 0.0, 150.0)]


def test_a_shift_ending_at_an_arrival_instant_leaves_before_the_arrival():
    sc = day_of([calls(times=(150,), handle=100, balk_probability=1.0)],
                [group_of(shifts=(Shift(start_at=0, end_at=150),))])
    assert log(sc) == [(150.0, "balked", None, None, 150.0, 0.0)]
    assert shifts_log(sc) == [("team-1", 0.0, 150.0)]


def test_a_shift_starting_at_an_arrival_instant_answers_it():
    sc = day_of([calls(times=(300,), handle=100, balk_probability=1.0)],
                [group_of(shifts=(Shift(start_at=300, end_at=3600),))])
    assert log(sc) == [(300.0, "served", "team-1", 300.0, 400.0, 0.0)]


def test_an_agent_starting_mid_day_takes_the_oldest_waiting_contact():
    sc = day_of([calls(times=(0, 10, 20, 30), handle=1000)],
                [group_of(shifts=(Shift(start_at=0, end_at=3600),
                                  Shift(start_at=300, end_at=3600)))])
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
                  groups=[group_of(shifts=(Shift(start_at=1800, end_at=7200),))])
    assert log(sc) == [(3600.0, "served", "team-1", 3600.0, 3700.0, 0.0)]
    assert shifts_log(sc) == [("team-1", 1800.0, 7200.0)]


def test_after_closing_agents_whose_shift_ends_at_closing_finish_the_queue():
    sc = day_of([calls(times=(0, 100, 200), handle=1000)], [group_of(headcount=(1,))],
                close=1800, interval=1800)
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 1000.0, 0.0),
        (100.0, "served", "team-1", 1000.0, 2000.0, 900.0),
        (200.0, "served", "team-1", 2000.0, 3000.0, 1800.0),  # answered after closing
    ]
    assert shifts_log(sc) == [("team-1", 0.0, 3000.0)]


def test_after_closing_an_agent_whose_shift_ends_later_works_on():
    sc = day_of([calls(times=(0, 100), handle=1000)],
                [group_of(shifts=(Shift(start_at=0, end_at=2500),))], close=1800, interval=1800)
    assert log(sc) == [
        (0.0, "served", "team-1", 0.0, 1000.0, 0.0),
        (100.0, "served", "team-1", 1000.0, 2000.0, 900.0),
    ]
    assert shifts_log(sc) == [("team-1", 0.0, 2500.0)]  # idle until its shift ends


def test_an_agent_whose_shift_ends_before_closing_leaves_though_contacts_wait():
    sc = day_of([calls(times=(0, 10, 20, 30), handle=1000)],
                [group_of(shifts=(Shift(start_at=0, end_at=900), Shift(start_at=0, end_at=1800)))],
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
                [group_of(skills=("plain", "patient"), headcount=(1, 0))],
                close=1800, interval=900)
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
                [group_of("A", ("x",), headcount=(1,)), group_of("B", ("x",), headcount=(0,))],
                close=1800, interval=1800)
    assert log(sc) == [(1790.0, "served", "A-1", 1850.0, 1950.0, 60.0)]


def test_headcount_per_interval_becomes_agent_periods():
    # agent k works in every interval whose head count exceeds k
    sc = day_of([calls(times=())], [group_of(headcount=(1, 3, 0, 2))], close=3600, interval=900)
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
                [group_of(headcount=(1, 3, 0, 2))], close=3600, interval=900)
    assert log(sc) == [
        (600.0, "served", "team-1", 600.0, 700.0, 0.0),
        (2000.0, "served", "team-1", 2700.0, 2800.0, 700.0),  # nobody from 1800 to 2700
        (2001.0, "served", "team-2", 2700.0, 2800.0, 699.0),
    ]


def test_an_agent_busy_across_a_gap_in_its_head_count_stays_logged_on():
    # team-1 works 0-900 and 1800-2700; a 1000 s call taken at 850 carries it past 1800.
    sc = day_of([calls(times=(850, 1700), handle=1000)], [group_of(headcount=(1, 0, 1))],
                close=2700, interval=900)
    assert log(sc) == [
        (850.0, "served", "team-1", 850.0, 1850.0, 0.0),
        (1700.0, "served", "team-1", 1850.0, 2850.0, 150.0),
    ]
    assert shifts_log(sc) == [("team-1", 0.0, 2850.0)]


def test_an_agent_back_after_a_gap_logs_two_periods():
    sc = day_of([calls(times=(800, 1000), handle=200)], [group_of(headcount=(1, 0, 1))],
                close=2700, interval=900)
    assert log(sc) == [
        (800.0, "served", "team-1", 800.0, 1000.0, 0.0),
        (1000.0, "served", "team-1", 1800.0, 2000.0, 800.0),  # left at 1000, before the call
    ]
    assert shifts_log(sc) == [("team-1", 0.0, 1000.0), ("team-1", 1800.0, 2700.0)]


def test_no_arrivals_gives_empty_contacts_and_full_agent_log():
    res = simulate(day_of([calls(times=())], [group_of(headcount=(2,))]), replications=1, seed=0)
    assert len(res.contacts) == 0
    assert list(res.contacts.columns) == CONTACT_COLUMNS
    assert shifts_log(day_of([calls(times=())], [group_of(headcount=(2,))])) == [
        ("team-1", 0.0, 3600.0), ("team-2", 0.0, 3600.0)]
