"""Every validation branch of the scenario parts has a message naming the field path, the bad
value and the rule; a part with several problems reports all of them."""

from __future__ import annotations

import math

import pytest
from builders import DROP, INBOUND, H, build, exactly, sales, team, tiny

from blendsim.errors import ScenarioError
from blendsim.scenario.distributions import (
    Exponential,
)
from blendsim.scenario.parts import (
    AgentGroup,
    Day,
    InboundType,
    ServiceTarget,
    Shift,
)

# --------------------------------------------------------------------------------------------
# Messages: one per validation branch, naming the path, the value and the rule

@pytest.mark.parametrize("changes, message", [
    ({"open_at": "8"}, "open_at must be a number (got '8')"),
    ({"open_at": True}, "open_at must be a number (got True)"),
    ({"open_at": -1}, "open_at must be >= 0 seconds (got -1)"),
    ({"close_at": math.nan}, "close_at must be a number (got nan)"),
    ({"close_at": -H}, "close_at must be >= 0 seconds (got -3600)"),
    ({"interval": 600}, "interval must be 900, 1800 or 3600 seconds (15, 30 or 60 minutes) "
                        "(got 600)"),
    ({"close_at": 7 * H}, "close_at must be after open_at (got open 08:00, close 07:00)"),
    ({"close_at": 8 * H}, "close_at must be after open_at (got open 08:00, close 08:00)"),
    ({"close_at": 8 * H + 600}, "close_at must be a whole number of 30-minute intervals after "
                                "open_at (got 08:00-08:10)"),
])
def test_day_messages(changes, message):
    with pytest.raises(ScenarioError, match=exactly(message)):
        build(Day, {"open_at": 8 * H, "close_at": 10 * H, "interval": 1800}, changes)


@pytest.mark.parametrize("changes, message", [
    ({"level": 0}, "level must be > 0 (got 0)"),
    ({"level": 1}, "level must be < 1 (got 1)"),
    ({"level": "80%"}, "level must be a number (got '80%')"),
    ({"seconds": -20}, "seconds must be >= 0 seconds (got -20)"),
    ({"definition": "abandoned"}, "definition must be one of offered, answered, "
                                  "short_abandons_excluded (got 'abandoned')"),
    ({"short_abandon": math.inf}, "short_abandon must be a number (got inf)"),
])
def test_service_target_messages(changes, message):
    with pytest.raises(ScenarioError, match=exactly(message)):
        build(ServiceTarget, {}, changes)


VOLUME_ONE_WAY = ("volume must be given exactly one way: volume (calls per interval), "
                  "rate_per_hour, daily_volume with shape, or arrival_times (got {})")


@pytest.mark.parametrize("changes, message", [
    ({"name": ""}, "name must be a non-empty text (got '')"),
    ({"name": "  "}, "name must be a non-empty text (got '  ')"),
    ({"name": 7}, "name must be a non-empty text (got 7)"),
    ({"handle_time": 240}, "handle_time must be a distribution such as Exponential(mean=240) "
                           "(got 240)"),
    ({"wrap_up": {"dist": "exponential", "mean": 30}},
     "wrap_up must be a distribution such as Exponential(mean=240) "
     "(got {'dist': 'exponential', 'mean': 30})"),
    ({"patience": "long"}, "patience must be a distribution such as Exponential(mean=240) "
                           "(got 'long')"),
    ({"volume": DROP}, VOLUME_ONE_WAY.format("none of them")),
    ({"rate_per_hour": [1, 2]}, VOLUME_ONE_WAY.format("volume and rate_per_hour")),
    ({"arrival_times": [8 * H]}, VOLUME_ONE_WAY.format("volume and arrival_times")),
    ({"volume": DROP, "arrival_times": 8 * H},
     "arrival_times must be a list of instants (got 28800)"),
    ({"volume": DROP, "arrival_times": [8 * H, -1]},
     "arrival_times[1] must be >= 0 seconds (got -1)"),
    ({"volume": 5}, "volume must be a list of numbers, one per interval (got 5)"),
    ({"volume": []}, "volume must be a list of numbers, one per interval (got ())"),
    ({"volume": [10, -1]}, "volume[1] must be >= 0 (got -1)"),
    ({"volume": DROP, "rate_per_hour": [math.nan]}, "rate_per_hour[0] must be a number (got nan)"),
    ({"volume": DROP, "daily_volume": 100, "shape": [1, "x"]},
     "shape[1] must be a number (got 'x')"),
    ({"volume": DROP, "daily_volume": 100},
     "daily_volume and shape go together (got daily_volume only)"),
    ({"volume": DROP, "shape": [1, 2]}, "daily_volume and shape go together (got shape only)"),
    ({"volume": DROP, "daily_volume": -5, "shape": [1, 2]}, "daily_volume must be >= 0 (got -5)"),
    ({"volume": DROP, "daily_volume": 100, "shape": [0, 0]},
     "shape must have a positive sum (got all zeros)"),
    ({"busyness_cv": -0.1}, "busyness_cv must be >= 0 (got -0.1)"),
    ({"balk_probability": 1.5}, "balk_probability must be <= 1 (got 1.5)"),
    ({"balk_probability": -0.5}, "balk_probability must be >= 0 (got -0.5)"),
    ({"queue_capacity": 2.5}, "queue_capacity must be a whole number (got 2.5)"),
    ({"queue_capacity": -1}, "queue_capacity must be >= 0 (got -1)"),
    ({"priority": 1.5}, "priority must be a whole number (got 1.5)"),
    ({"priority": True}, "priority must be a whole number (got True)"),
    ({"groups": []}, "groups must be a non-empty list of group names (got ())"),
    ({"groups": "team"}, "groups must be a non-empty list of group names (got 'team')"),
    ({"groups": ["team", ""]}, "groups[1] must be a non-empty text (got '')"),
    ({"overflow_after": [0]}, "overflow_after needs groups (one delay per group)"),
    ({"groups": ["a", "b"], "overflow_after": [0]},
     "overflow_after must have one delay per group (2) (got (0,))"),
    ({"groups": ["a"], "overflow_after": [-5]}, "overflow_after[0] must be >= 0 seconds (got -5)"),
])
def test_inbound_type_messages(changes, message):
    with pytest.raises(ScenarioError, match=exactly(message)):
        build(InboundType, INBOUND, changes)


@pytest.mark.parametrize("changes, message", [
    ({"start_at": "07:00"}, "start_at must be a number (got '07:00')"),
    ({"end_at": -1}, "end_at must be >= 0 seconds (got -1)"),
    ({"count": 1.5}, "count must be a whole number (got 1.5)"),
    ({"count": -2}, "count must be >= 0 (got -2)"),
    ({"end_at": 7 * H}, "end_at must be after start_at (got 08:00-07:00)"),
])
def test_shift_messages(changes, message):
    with pytest.raises(ScenarioError, match=exactly(message)):
        build(Shift, {"start_at": 8 * H, "end_at": 16 * H}, changes)


STAFFING_ONE_WAY = ("headcount (agents per interval) or shifts must be given, one of them "
                    "(got {})")


SKILLS_RULE = ("skills must be a non-empty list of inbound type names, unless the group only "
               "calls outbound")


@pytest.mark.parametrize("changes, message", [
    ({"name": None}, "name must be a non-empty text (got None)"),
    ({"skills": []}, SKILLS_RULE + " (got ())"),
    ({"skills": "sales"}, SKILLS_RULE + " (got 'sales')"),
    ({"skills": ["sales", ""]}, "skills[1] must be a non-empty text (got '')"),
    ({"skills": ["sales", "sales"]}, "skills must not repeat a type (got ['sales', 'sales'])"),
    ({"headcount": DROP}, STAFFING_ONE_WAY.format("neither")),
    ({"shifts": [Shift(start_at=0, end_at=1)]}, STAFFING_ONE_WAY.format("both")),
    ({"headcount": []}, "headcount must be a list of whole numbers, one per interval (got ())"),
    ({"headcount": 5}, "headcount must be a list of whole numbers, one per interval (got 5)"),
    ({"headcount": [1, 2.5]}, "headcount[1] must be a whole number (got 2.5)"),
    ({"headcount": [-1, 2]}, "headcount[0] must be >= 0 (got -1)"),
    ({"headcount": DROP, "shifts": "early"}, "shifts must be a list of Shift (got 'early')"),
    ({"headcount": DROP, "shifts": [{"start": "07:00"}]},
     "shifts[0] must be a Shift (got {'start': '07:00'})"),
])
def test_agent_group_messages(changes, message):
    with pytest.raises(ScenarioError, match=exactly(message)):
        build(AgentGroup, {"name": "team", "skills": ["sales"], "headcount": [5, 6]}, changes)


@pytest.mark.parametrize("changes, message", [
    ({"name": 3}, "name must be a text (got 3)"),
    ({"description": None}, "description must be a text (got None)"),
    ({"day": "08:00-10:00"}, "day must be a Day (got '08:00-10:00')"),
    ({"service_target": 0.8}, "service_target must be a ServiceTarget (got 0.8)"),
    ({"inbound": ["sales"]}, "inbound must be a list of InboundType (got ('sales',))"),
    ({"inbound": []}, "inbound must list at least one inbound type"),
    ({"groups": [{"name": "team"}]},
     "groups must be a list of AgentGroup (got ({'name': 'team'},))"),
    ({"groups": []}, "groups must list at least one agent group"),
])
def test_scenario_messages(changes, message):
    with pytest.raises(ScenarioError, match=exactly(message)):
        tiny(**changes)


@pytest.mark.parametrize("changes, message", [
    ({"inbound": [sales(), sales()]}, "inbound[1].name 'sales' is used twice"),
    ({"groups": [team(), team()]}, "groups[1].name 'team' is used twice"),
    ({"inbound": [sales(volume=[1, 2, 3])]},
     "inbound[0].volume must have one value per interval (2) (got 3)"),
    ({"inbound": [sales(volume=DROP, rate_per_hour=[1])]},
     "inbound[0].rate_per_hour must have one value per interval (2) (got 1)"),
    ({"inbound": [sales(volume=DROP, daily_volume=100, shape=[1, 2, 3])]},
     "inbound[0].shape must have one value per interval (2) (got 3)"),
    ({"inbound": [sales(volume=DROP, arrival_times=[8 * H, 10 * H])]},
     "inbound[0].arrival_times[1] 10:00 is outside opening hours (08:00-10:00)"),
    ({"inbound": [sales(volume=DROP, arrival_times=[8 * H - 1])]},
     "inbound[0].arrival_times[0] 07:59:59 is outside opening hours (08:00-10:00)"),
    ({"inbound": [sales(groups=["nobody"])]},
     "inbound[0].groups[0] 'nobody' is not an agent group (groups: team)"),
    ({"inbound": [sales(), sales(name="service", groups=["team"])],
      "groups": [team(), team(name="back", skills=["service"])]},
     "inbound[1].groups[0] 'team' does not have the skill 'service'"),
    ({"inbound": [sales(), sales(name="service")]},
     "inbound[1] 'service' is not a skill of any agent group"),
    ({"groups": [team(skills=["sales", "ghost"])]},
     "groups[0].skills[1] 'ghost' is not an inbound type (types: sales)"),
    ({"groups": [team(headcount=[1])]},
     "groups[0].headcount must have one value per interval (2) (got 1)"),
    ({"groups": [team(headcount=DROP, shifts=[Shift(start_at=10 * H + 1, end_at=12 * H)])]},
     "groups[0].shifts[0].start_at 10:00:01 is outside the day (08:00-10:00)"),
    # Night shifts may start up to 12 hours before opening, not earlier.
    ({"day": Day(open_at=20 * H, close_at=22 * H, interval=H),
      "groups": [team(headcount=DROP, shifts=[Shift(start_at=8 * H - 60, end_at=22 * H)])]},
     "groups[0].shifts[0].start_at 07:59 is outside the day (20:00-22:00)"),
])
def test_scenario_cross_check_messages(changes, message):
    with pytest.raises(ScenarioError, match=exactly(message)):
        tiny(**changes)


def test_shifts_may_start_twelve_hours_early_or_at_closing():
    day = Day(open_at=20 * H, close_at=22 * H, interval=H)
    shifts = [Shift(start_at=8 * H, end_at=22 * H), Shift(start_at=22 * H, end_at=23 * H)]
    sc = tiny(day=day, groups=[team(headcount=DROP, shifts=shifts)])
    assert sc.groups[0].shifts == tuple(shifts)


def test_a_scenario_reports_every_cross_problem_at_once():
    with pytest.raises(ScenarioError) as info:
        tiny(inbound=[sales(volume=[1]), sales(name="service")],
             groups=[team(skills=["sales", "ghost"], headcount=[1, 2, 3])])
    assert info.value.problems == [
        "inbound[0].volume must have one value per interval (2) (got 1)",
        "inbound[1] 'service' is not a skill of any agent group",
        "groups[0].skills[1] 'ghost' is not an inbound type (types: sales, service)",
        "groups[0].headcount must have one value per interval (2) (got 3)",
    ]
    assert str(info.value) == "\n".join(info.value.problems)  # no file, no prefix


@pytest.mark.parametrize("cls, kwargs, problems", [
    (Day, {"open_at": -1, "close_at": "x", "interval": 1},
     ["open_at must be >= 0 seconds (got -1)", "close_at must be a number (got 'x')",
      "interval must be 900, 1800 or 3600 seconds (15, 30 or 60 minutes) (got 1)"]),
    (InboundType, {"name": "", "handle_time": Exponential(mean=1), "volume": [-1],
                   "priority": 0.5},
     ["name must be a non-empty text (got '')", "volume[0] must be >= 0 (got -1)",
      "priority must be a whole number (got 0.5)"]),
    (Shift, {"start_at": -1, "end_at": -2, "count": -3},
     ["start_at must be >= 0 seconds (got -1)", "end_at must be >= 0 seconds (got -2)",
      "count must be >= 0 (got -3)"]),
])
def test_each_part_reports_every_problem_at_once(cls, kwargs, problems):
    with pytest.raises(ScenarioError) as info:
        cls(**kwargs)
    assert info.value.problems == problems
