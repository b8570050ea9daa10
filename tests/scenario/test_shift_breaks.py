"""Breaks in shifts: their checks (each problem, in Python's words and the file's), the working
periods they cut a shift into, the file round trip, the engine honouring a lunch, and
:func:`with_blended_agents` moving agents between shifts."""

from __future__ import annotations

import copy
import tomllib

import pytest
from builders import SCENARIOS, H, calls, day_of, exactly, group_of, log, shifts_log

import blendsim
from blendsim.errors import InputError, ScenarioError
from blendsim.limits import MAX_BREAKS
from blendsim.scenario.distributions import Exponential
from blendsim.scenario.model import Scenario, dump_scenario, load_scenario
from blendsim.scenario.parts import AgentGroup, Day, InboundType, Shift
from blendsim.scenario.variants import with_blended_agents

M = 60  # seconds in a minute


def shift(*breaks, start=8 * H, end=16 * H + 30 * M, count=1) -> Shift:
    return Shift(start_at=start, end_at=end, count=count, breaks=breaks)


LUNCH = (12 * H, 12 * H + 30 * M)

# --------------------------------------------------------------------------------------------
# Checks: one message per problem, all at once


@pytest.mark.parametrize("breaks, message", [
    ([(12 * H + 30 * M, 12 * H)],
     "breaks[0].end_at must be after breaks[0].start_at (got 12:30-12:00)"),
    ([(12 * H, 12 * H)], "breaks[0].end_at must be after breaks[0].start_at (got 12:00-12:00)"),
    ([(8 * H, 8 * H + 15 * M)], "breaks[0] must be inside the shift, starting after its start "
                                "and ending before its end (got 08:00-08:15 in 08:00-16:30)"),
    ([(16 * H, 16 * H + 30 * M)], "breaks[0] must be inside the shift, starting after its "
                                  "start and ending before its end (got 16:00-16:30 in "
                                  "08:00-16:30)"),
    ([(7 * H, 9 * H)], "breaks[0] must be inside the shift, starting after its start and "
                       "ending before its end (got 07:00-09:00 in 08:00-16:30)"),
    ([LUNCH, (10 * H, 10 * H + 15 * M)],
     "breaks[1] must start after breaks[0] ends: list breaks in order, without overlaps "
     "(got 10:00-10:15 after 12:30)"),
    ([LUNCH, (12 * H + 15 * M, 13 * H)],
     "breaks[1] must start after breaks[0] ends: list breaks in order, without overlaps "
     "(got 12:15-13:00 after 12:30)"),
    ([LUNCH, (12 * H + 30 * M, 13 * H)],  # touching: one break of an hour, written as two
     "breaks[1] must start after breaks[0] ends: list breaks in order, without overlaps "
     "(got 12:30-13:00 after 12:30)"),
    ([(12 * H,)], "breaks[0] must be a (start_at, end_at) pair (got (43200,))"),
    (["12:00"], "breaks[0] must be a (start_at, end_at) pair (got '12:00')"),
    ([("12:00", LUNCH[1])], "breaks[0].start_at must be a number (got '12:00')"),
    ([(12 * H, -1)], "breaks[0].end_at must be >= 0 seconds (got -1)"),
    ([(9 * H + 10 * M * k, 9 * H + 10 * M * k + 5 * M) for k in range(MAX_BREAKS + 1)],
     f"breaks must list at most {MAX_BREAKS} breaks (got {MAX_BREAKS + 1}): a shift has a "
     f"lunch and a few short breaks, and each break cuts it into one more working period "
     f"for the engine"),
])
def test_each_problem_of_breaks_has_its_message(breaks, message):
    with pytest.raises(ScenarioError, match=exactly(message)):
        Shift(start_at=8 * H, end_at=16 * H + 30 * M, breaks=breaks)


def test_breaks_that_are_not_a_list_are_refused():
    with pytest.raises(ScenarioError, match=exactly(
            "breaks must be a list of (start_at, end_at) pairs (got 43200)")):
        Shift(start_at=8 * H, end_at=16 * H, breaks=12 * H)


def test_every_problem_is_reported_at_once():
    with pytest.raises(ScenarioError) as e:
        Shift(start_at=8 * H, end_at=16 * H, count=-1,
              breaks=[(12 * H + 30 * M, 12 * H), (7 * H, 7 * H + 15 * M), "x"])
    assert e.value.problems == [
        "count must be >= 0 (got -1)",
        "breaks[0].end_at must be after breaks[0].start_at (got 12:30-12:00)",
        "breaks[1] must be inside the shift, starting after its start and ending before its "
        "end (got 07:00-07:15 in 08:00-16:00)",
        "breaks[2] must be a (start_at, end_at) pair (got 'x')",
    ]


def test_a_broken_shift_still_has_its_breaks_checked_but_not_against_its_hours():
    with pytest.raises(ScenarioError) as e:
        Shift(start_at=16 * H, end_at=8 * H, breaks=[(12 * H + 30 * M, 12 * H), (9 * H, 10 * H)])
    assert e.value.problems == [
        "end_at must be after start_at (got 16:00-08:00)",
        "breaks[0].end_at must be after breaks[0].start_at (got 12:30-12:00)",
    ]


def test_lists_become_tuples_and_the_hours_add_up():
    s = Shift(start_at=8 * H, end_at=16 * H + 30 * M,
              breaks=[[10 * H, 10 * H + 15 * M], list(LUNCH)])
    assert s.breaks == ((10 * H, 10 * H + 15 * M), LUNCH)
    assert isinstance(s.breaks[0], tuple)
    assert s.paid_seconds == 8.5 * H
    assert s.worked_seconds == 8.5 * H - 45 * M
    assert shift().worked_seconds == shift().paid_seconds == 8.5 * H
    with pytest.raises((AttributeError, TypeError)):  # read-only (frozen, slots)
        s.worked_seconds = 0


# --------------------------------------------------------------------------------------------
# Working periods


def scenario_of(*groups, day=None, types=("calls",)) -> Scenario:
    return Scenario(name="breaks", day=day or Day(open_at=8 * H, close_at=17 * H, interval=H),
                    inbound=[InboundType(name=t, volume=[10] * 9,
                                         handle_time=Exponential(mean=240)) for t in types],
                    groups=list(groups))


def test_a_shift_with_breaks_gives_each_agent_its_working_periods():
    sc = scenario_of(AgentGroup(name="a", skills=["calls"], shifts=[
        shift((10 * H, 10 * H + 15 * M), LUNCH, count=2),
        Shift(start_at=9 * H, end_at=13 * H)]))
    assert sc.agent_periods() == [
        ("a-1", "a", 8 * H, 10 * H), ("a-1", "a", 10 * H + 15 * M, 12 * H),
        ("a-1", "a", 12 * H + 30 * M, 16 * H + 30 * M),
        ("a-2", "a", 8 * H, 10 * H), ("a-2", "a", 10 * H + 15 * M, 12 * H),
        ("a-2", "a", 12 * H + 30 * M, 16 * H + 30 * M),
        ("a-3", "a", 9 * H, 13 * H),
    ]


def test_the_outbound_attempt_bound_counts_worked_time_only():
    # 5,000 agents dialling all day exceed the bound on attempts; the same agents with most of
    # the day on break do not: the bound counts the hours worked, not the hours paid.
    def sc(breaks):
        return Scenario(
            name="dial", day=Day(open_at=8 * H, close_at=17 * H, interval=H),
            inbound=[InboundType(name="calls", volume=[1] * 9,
                                 handle_time=Exponential(mean=240))],
            groups=[AgentGroup(name="b", skills=["calls"], outbound=["c"], shifts=[
                Shift(start_at=8 * H, end_at=17 * H, count=5_000, breaks=breaks)])],
            outbound=[blendsim.OutboundCampaign(name="c",
                                                talk_time=Exponential(mean=300))])
    with pytest.raises(ScenarioError, match=r"outbound: the campaigns could make about "
                                            r"6,480,000 call attempts a day"):
        sc(())
    assert sc([(8 * H + 30 * M, 16 * H + 30 * M)]).group("b").shifts[0].worked_seconds == H


# --------------------------------------------------------------------------------------------
# The file form

BREAKS_FILE = """\
schema_version = 1
name = "lunch"

[day]
open = "08:00"
close = "17:00"
interval_minutes = 60

[service_target]
level = 0.8
seconds = 20.0
definition = "offered"
short_abandon_seconds = 5.0

[[inbound]]
name = "calls"
volume = [10, 10, 10, 10, 10, 10, 10, 10, 10]
handle_time = { dist = "exponential", mean = 240 }

[[groups]]
name = "team"
skills = ["calls"]
shifts = [
    LONG_SHIFT
    { start = "09:00", end = "17:00", count = 2 },
]
""".replace(
    "LONG_SHIFT", '{ start = "08:00", end = "16:30", count = 3, '
    'breaks = [["10:00", "10:15"], ["12:00", "12:30"]] },')  # one line, as dumped


def test_breaks_are_read_as_clock_times_and_written_back_exactly(tmp_path):
    path = tmp_path / "lunch.toml"
    path.write_text(BREAKS_FILE, encoding="utf-8")
    sc = load_scenario(path)
    assert sc.group("team").shifts == (
        shift((10 * H, 10 * H + 15 * M), LUNCH, count=3),
        Shift(start_at=9 * H, end_at=17 * H, count=2))
    assert dump_scenario(sc) == BREAKS_FILE  # written back as read, breaks only where given
    again = tmp_path / "again.toml"
    dump_scenario(sc, again)
    assert load_scenario(again) == sc


def test_a_file_without_breaks_dumps_as_before():
    path = SCENARIOS / "two_skill_centre.toml"  # a committed file with shifts
    text = path.read_text(encoding="utf-8")
    assert "breaks" not in text
    assert dump_scenario(load_scenario(path)) == text
    sc = scenario_of(AgentGroup(name="a", skills=["calls"], shifts=[shift(count=2)]))
    assert sc.to_dict()["groups"][0]["shifts"] == [
        {"start": "08:00", "end": "16:30", "count": 2}]


def file_problems(breaks) -> list[str]:
    data = tomllib.loads(BREAKS_FILE)
    data["groups"][0]["shifts"][1]["breaks"] = breaks
    with pytest.raises(ScenarioError) as e:
        Scenario.from_dict(copy.deepcopy(data))
    return e.value.problems


@pytest.mark.parametrize("breaks, message", [
    ([["12:30", "12:00"]],
     "groups[0].shifts[1].breaks[0].end must be after breaks[0].start (got 12:30-12:00)"),
    ([["08:30", "08:45"]], "groups[0].shifts[1].breaks[0] must be inside the shift, starting "
                           "after its start and ending before its end (got 08:30-08:45 in "
                           "09:00-17:00)"),
    ([["12:00", "12:30"], ["10:00", "10:15"]],
     "groups[0].shifts[1].breaks[1] must start after breaks[0] ends: list breaks in order, "
     "without overlaps (got 10:00-10:15 after 12:30)"),
    ([["12:00", "lunch"]],
     "groups[0].shifts[1].breaks[0].end must be a clock time like \"07:30\" (got 'lunch')"),
    ([["12:00"]], "groups[0].shifts[1].breaks[0] must be a pair like [\"12:00\", \"12:30\"] "
                  "(got ['12:00'])"),
    ("12:00", "groups[0].shifts[1].breaks must be a list of pairs like [[\"12:00\", "
              "\"12:30\"]] (got '12:00')"),
    ([["09:30", "09:35"]] * (MAX_BREAKS + 30),
     f"groups[0].shifts[1].breaks must list at most {MAX_BREAKS} breaks (got "
     f"{MAX_BREAKS + 1}): a shift has a lunch and a few short breaks, and each break cuts it "
     f"into one more working period for the engine"),
])
def test_file_messages_name_the_break_in_the_files_words(breaks, message):
    assert file_problems(breaks) == [message]


# --------------------------------------------------------------------------------------------
# The engine honours a break


def test_calls_arriving_during_lunch_wait_for_its_end():
    # One agent on 0-3600 with a break 1200-1800.  The call of 1150 is in hand when the break
    # starts: the agent finishes it (1250), then goes; callers of 1300 and 1500 wait for 1800.
    sc = day_of([calls(times=(100, 1150, 1300, 1500), handle=100)],
                [group_of(shifts=(Shift(start_at=0, end_at=3600, breaks=[(1200, 1800)]),))])
    assert sc.agent_periods() == [("team-1", "team", 0.0, 1200.0),
                                  ("team-1", "team", 1800.0, 3600.0)]
    rows = log(sc)
    assert rows == [
        (100.0, "served", "team-1", 100.0, 200.0, 0.0),
        (1150.0, "served", "team-1", 1150.0, 1250.0, 0.0),
        (1300.0, "served", "team-1", 1800.0, 1900.0, 500.0),
        (1500.0, "served", "team-1", 1900.0, 2000.0, 400.0),
    ]
    assert not any(1200 <= answered < 1800 for *_, answered, _end, _wait in
                   [(r[0], r[3], r[4], r[5]) for r in rows])
    assert shifts_log(sc) == [("team-1", 0.0, 1250.0), ("team-1", 1800.0, 3600.0)]


def test_without_the_break_the_same_calls_are_answered_at_once():
    sc = day_of([calls(times=(100, 1150, 1300, 1500), handle=100)],
                [group_of(shifts=(Shift(start_at=0, end_at=3600),))])
    assert [r[3] for r in log(sc)] == [100.0, 1150.0, 1300.0, 1500.0]
    assert shifts_log(sc) == [("team-1", 0.0, 3600.0)]


# --------------------------------------------------------------------------------------------
# with_blended_agents on shifts


def blended_day(blended_shifts, partner_shifts) -> Scenario:
    return Scenario(
        name="blend", day=Day(open_at=8 * H, close_at=17 * H, interval=H),
        inbound=[InboundType(name="calls", volume=[10] * 9, handle_time=Exponential(mean=240))],
        groups=[AgentGroup(name="inbound only", skills=["calls"], shifts=partner_shifts),
                AgentGroup(name="blended", skills=["calls"], outbound=["c"],
                           shifts=blended_shifts)],
        outbound=[blendsim.OutboundCampaign(name="c", talk_time=Exponential(mean=300))])


EARLY = shift(LUNCH, start=8 * H, end=16 * H + 30 * M)  # the blended group's hours
EARLY_NO_LUNCH = shift(start=8 * H, end=16 * H + 30 * M)  # same hours, another shift
LATE = shift(start=12 * H, end=17 * H)  # overlaps EARLY's hours 4 hours (12:30-16:30)
MID = shift(start=9 * H, end=15 * H)  # overlaps them 5.5 hours


def totals(sc: Scenario) -> dict:
    out: dict = {}
    for g in sc.groups:
        for s in g.shifts:
            key = (s.start_at, s.end_at, s.breaks)
            out[key] = out.get(key, 0) + s.count
    return out


def counts(sc: Scenario, name: str) -> list[tuple]:
    return [(s.start_at, s.end_at, s.breaks, s.count) for s in sc.group(name).shifts]


def test_more_blended_agents_come_first_from_the_shifts_that_overlap_most():
    sc = blended_day([Shift(start_at=EARLY.start_at, end_at=EARLY.end_at, count=1,
                            breaks=EARLY.breaks)],
                     [Shift(**{**_fields(LATE), "count": 3}),
                      Shift(**{**_fields(MID), "count": 2}),
                      Shift(**{**_fields(EARLY), "count": 2})])
    moved = with_blended_agents(sc, 6)
    assert totals(moved) == totals(sc)
    assert sum(s.count for s in moved.group("blended").shifts) == 6
    # EARLY itself first (all 8 worked hours overlap), then MID (5.5 h), then LATE (4 h)
    assert counts(moved, "blended") == [
        (8 * H, 16.5 * H, (LUNCH,), 3), (9 * H, 15 * H, (), 2), (12 * H, 17 * H, (), 1)]
    assert counts(moved, "inbound only") == [(12 * H, 17 * H, (), 2)]  # emptied shifts go
    assert with_blended_agents(sc, 1) == sc  # as many as it has: nothing moves


def test_ties_go_in_the_partners_order_and_breaks_make_shifts_different():
    sc = blended_day([Shift(**{**_fields(MID), "count": 0})],
                     [Shift(**{**_fields(EARLY_NO_LUNCH), "count": 2}),
                      Shift(**{**_fields(EARLY), "count": 2})])
    moved = with_blended_agents(sc, 3)
    # both overlap MID's 6 hours fully: the first listed goes first
    assert counts(moved, "blended") == [(9 * H, 15 * H, (), 0),
                                        (8 * H, 16.5 * H, (), 2),
                                        (8 * H, 16.5 * H, (LUNCH,), 1)]
    assert counts(moved, "inbound only") == [(8 * H, 16.5 * H, (LUNCH,), 1)]
    assert totals(moved) == totals(sc)


def test_fewer_blended_agents_go_back_to_the_partner_and_at_most_all_are_blended():
    sc = blended_day([Shift(**{**_fields(LATE), "count": 2}),
                      Shift(**{**_fields(EARLY), "count": 3})],
                     [Shift(**{**_fields(MID), "count": 4})])
    fewer = with_blended_agents(sc, 2)
    assert totals(fewer) == totals(sc)
    # EARLY overlaps the partner's 09:00-15:00 more (5.5 h) than LATE (3 h): it gives first
    assert counts(fewer, "blended") == [(12 * H, 17 * H, (), 2), (8 * H, 16.5 * H, (LUNCH,), 0)]
    assert counts(fewer, "inbound only") == [(9 * H, 15 * H, (), 4),
                                             (8 * H, 16.5 * H, (LUNCH,), 3)]
    everyone = with_blended_agents(sc, 100)
    assert sum(s.count for s in everyone.group("blended").shifts) == 9
    assert everyone.group("inbound only").shifts == ()
    assert totals(everyone) == totals(sc)
    assert with_blended_agents(everyone, 5) is not None


def test_the_moved_agents_work_their_shifts_breaks():
    sc = blended_day([Shift(**{**_fields(MID), "count": 0})],
                     [Shift(**{**_fields(EARLY), "count": 1})])
    periods = with_blended_agents(sc, 1).agent_periods()
    assert periods == [("blended-1", "blended", 8 * H, 12 * H),
                       ("blended-1", "blended", 12.5 * H, 16.5 * H)]


def test_a_blended_group_without_shifts_is_refused():
    sc = blended_day([], [Shift(**{**_fields(MID), "count": 4})])
    with pytest.raises(InputError, match=exactly(
            "blended_agents moves agents onto the blended group's hours, but group 'blended' "
            "has no shifts: give it at least one shift (count = 0 will do) to say when "
            "blended agents work")):
        with_blended_agents(sc, 2)


@pytest.mark.parametrize("blended_by_count", [True, False])
def test_groups_mixing_headcount_and_shifts_are_refused_naming_both(blended_by_count):
    sc = blended_day([Shift(**{**_fields(MID), "count": 1})],
                     [Shift(**{**_fields(MID), "count": 1})])
    staffed = AgentGroup(name="blended" if blended_by_count else "inbound only",
                         skills=["calls"], outbound=["c"] if blended_by_count else [],
                         headcount=[1] * 9)
    sc = sc.replace(groups=tuple(staffed if g.name == staffed.name else g for g in sc.groups))
    by_count, on_shifts = (("blended", "inbound only") if blended_by_count
                           else ("inbound only", "blended"))
    with pytest.raises(InputError, match=exactly(
            f"blended_agents moves agents between groups staffed the same way, but group "
            f"{by_count!r} has a headcount and group {on_shifts!r} shifts: give both a "
            f"headcount or both shifts")):
        with_blended_agents(sc, 1)


def _fields(s: Shift) -> dict:
    return {"start_at": s.start_at, "end_at": s.end_at, "count": s.count, "breaks": s.breaks}
