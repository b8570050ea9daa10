"""Scenario problems found in review, now fixed: each keeps the test that showed it, with the
smallest reproduction."""

from __future__ import annotations

import re

import numpy as np
import pytest
from builders import (
    DROP,
    KINDS,
    WRONG_SCALARS,
    H,
    changed,
    nodes,
    only_scenario_errors,
    parent_of,
    sales,
    scenarios,
    team,
    tiny,
)
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from blendsim._units import parse_clock
from blendsim.errors import ScenarioError
from blendsim.scenario.distributions import (
    Empirical,
    Exponential,
    distribution_from_dict,
)
from blendsim.scenario.model import Scenario, dump_scenario, load_scenario
from blendsim.scenario.parts import (
    AgentGroup,
    ServiceTarget,
    Shift,
)

# --------------------------------------------------------------------------------------------
# Problems found in review, now fixed: each keeps the test that showed it.

# Every key a scenario file may hold: a message about a file names its fields by these.
FILE_KEYS = {"schema_version", "name", "description", "day", "service_target", "inbound",
             "groups", "open", "close", "interval_minutes", "level", "seconds", "definition",
             "short_abandon_seconds", "volume", "rate_per_hour", "daily_volume", "shape",
             "arrival_times", "busyness_cv", "handle_time", "wrap_up", "patience",
             "balk_probability", "queue_capacity", "priority", "overflow_after", "skills",
             "headcount", "shifts", "start", "end", "count", "dist", "mean", "cv", "value",
             "low", "high", "values"}


def names_file_fields(problem: str) -> bool:
    """The problem starts with a path made of the file's own keys: groups[1].shifts[0].end."""
    path = problem.split(" ", 1)[0]
    return all(re.sub(r"\[\d+\]", "", part) in FILE_KEYS for part in path.split("."))


@pytest.mark.parametrize("changes", [
    {("day", "close"): "08:10"},
    {("day", "close"): "07:00"},
    {("service_target", "short_abandon_seconds"): -1},
    {("groups", 1, "shifts", 0, "end"): "07:00"},
    {("groups", 1, "shifts", 0, "start"): "10:30", ("groups", 1, "shifts", 0, "end"): "11:00"},
    {("inbound", 0, "volume"): DROP},
    {("groups", 0, "headcount"): DROP},
], ids=["day not whole intervals", "close before open", "short_abandon_seconds",
        "shift end", "shift start outside the day", "no volume", "no staffing"])
def test_file_messages_name_the_file_keys(changes):
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(changed(changes))
    assert all(names_file_fields(p) for p in info.value.problems), info.value.problems


@pytest.mark.parametrize("changes, problem", [
    ({("groups", 1): ["late"]}, "groups[1] must be a table (got ['late'])"),
    ({("day",): DROP}, "day is missing"),
    ({("groups", 1, "shifts"): 7}, 'groups[1].shifts must be a list of tables like { start = '
                                   '"07:00", end = "15:00", count = 5 } (got 7)'),
    ({("inbound", 1, "patience", "dist"): "weibull"},
     f"inbound[1].patience.dist must be one of {KINDS} (got 'weibull')"),
])
def test_one_problem_gives_one_message(changes, problem):
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(changed(changes))
    assert info.value.problems == [problem]


@pytest.mark.parametrize("changes, problem", [
    ({("inbound", 1): "service"}, "inbound[1] must be a table (got 'service')"),
    ({("inbound", 0, "volume"): 100}, "inbound[0].volume must be a list of numbers (got 100)"),
    ({("groups", 0, "headcount"): 5}, "groups[0].headcount must be a list of numbers (got 5)"),
    ({("inbound",): {"name": "sales"}},
     "inbound must be a list of tables ([[inbound]]) (got {'name': 'sales'})"),
    ({("inbound",): DROP}, "inbound is missing"),
    ({("inbound", 0, "handle_time"): DROP}, "inbound[0].handle_time is missing"),
])
def test_one_problem_gives_one_message_known_cascades(changes, problem):
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(changed(changes))
    assert info.value.problems == [problem]


@pytest.mark.parametrize("changes, problem", [
    ({("groups", 0, "skills"): [["sales"]]},
     "groups[0].skills[0] must be a non-empty text (got ['sales'])"),
    ({("inbound", 1, "groups"): 5, ("inbound", 1, "overflow_after"): [1]},
     "inbound[1].groups must be a non-empty list of group names (got 5)"),
])
def test_file_type_errors_are_named(changes, problem):
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(changed(changes))
    assert problem in info.value.problems


@pytest.mark.parametrize("make", [
    pytest.param(lambda: tiny(inbound=["sales"]), id="inbound item not an InboundType"),
    pytest.param(lambda: tiny(groups=[{"name": "team"}]), id="group item not an AgentGroup"),
    pytest.param(lambda: sales(rate_per_hour=[1, 2]), id="two volume forms"),
    pytest.param(lambda: sales(volume=DROP, daily_volume=100), id="daily_volume without shape"),
    pytest.param(lambda: team(shifts=[Shift(start_at=0, end_at=1)]), id="two staffing forms"),
])
def test_messages_show_the_refused_value(make):
    with pytest.raises(ScenarioError) as info:
        make()
    assert all("(got " in p for p in info.value.problems), info.value.problems


@pytest.mark.parametrize("make", [
    pytest.param(lambda: AgentGroup(name="team", skills=[["sales"]], headcount=[1]),
                 id="AgentGroup skill not hashable: TypeError"),
    pytest.param(lambda: sales(groups=5, overflow_after=[1]),
                 id="InboundType groups not a list with overflow_after: TypeError"),
    pytest.param(lambda: distribution_from_dict({"dist": []}, "handle_time"),
                 id="dist not hashable: TypeError"),
    pytest.param(lambda: Exponential(mean=10**400), id="huge int: OverflowError"),
    pytest.param(lambda: Empirical(values=[10**400]), id="huge int in values: OverflowError"),
    pytest.param(lambda: sales(volume=[10**400, 1]), id="huge int in volume: OverflowError"),
    pytest.param(lambda: parse_clock("²:00", "day.open"), id="non-ASCII digit: ValueError"),
])
def test_python_api_raises_only_scenario_errors(make):
    with pytest.raises(ScenarioError):
        make()


@pytest.mark.parametrize("old, new", [
    ('open = "08:00"', 'open = "²:00"'),
    ('arrival_times = ["08:00"]', 'arrival_times = ["08:0²"]'),
    ("volume = [40, 60]", f"volume = [{10**400}, 60]"),
    ('{ dist = "exponential", mean = 240 }', "{ dist = [], mean = 240 }"),
], ids=["superscript digit in day.open", "superscript digit in arrival_times",
        "400-digit integer", "dist is a list"])
def test_malformed_files_raise_only_scenario_errors(tmp_path, old, new):
    sc = tiny(inbound=[sales(), sales(name="service", volume=DROP, arrival_times=[8 * H])],
              groups=[team(skills=["sales", "service"])])
    text = dump_scenario(sc)
    assert old in text
    path = tmp_path / "bad.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ScenarioError):
        load_scenario(path)


def test_huge_day_with_a_broken_part_is_a_scenario_error():
    with pytest.raises(ScenarioError):
        Scenario.from_dict(changed({("day", "close"): 3600.0 * 2**60,
                                    ("inbound", 0, "volume"): 100}))


WRONG_ANYTHING = [*WRONG_SCALARS, 10**400, [], [1, "x"], {}, {"dist": "exponential"}, "²:00"]


@settings(phases=[Phase.generate])  # no shrinking: the minimal cases are pinned above
@given(sc=scenarios(), data=st.data())
def test_anything_anywhere_gives_a_scenario_error(sc, data):
    d = sc.to_dict()
    path = data.draw(st.sampled_from([p for p, _ in nodes(d)]))
    parent_of(d, path)[path[-1]] = data.draw(st.sampled_from(WRONG_ANYTHING))
    only_scenario_errors(d)


@pytest.mark.parametrize("make", [
    pytest.param(lambda: tiny(inbound=[sales(handle_time=Exponential(mean=np.float64(240)))]),
                 id="distribution parameter"),
    pytest.param(lambda: tiny(service_target=ServiceTarget(level=np.float64(0.8))),
                 id="service level"),
    pytest.param(lambda: tiny(groups=[team(headcount=DROP, shifts=[
        Shift(start_at=8 * H, end_at=10 * H, count=np.int64(2))])]), id="shift count"),
])
def test_numpy_numbers_round_trip(make, tmp_path):
    sc = make()
    dump_scenario(sc, tmp_path / "np.toml")
    assert load_scenario(tmp_path / "np.toml") == sc


def test_names_with_control_characters_are_refused():
    # Issue 9: a control character in a name is refused (it was echoed raw to terminals).
    with pytest.raises(ScenarioError, match=r"control characters .*got 'a\\x7fb'"):
        tiny(name="a\x7fb")


@pytest.mark.parametrize("make", [
    pytest.param(lambda: Scenario.from_dict(changed({("schema_version",): True})),
                 id="schema_version = true"),
    pytest.param(lambda: Empirical(values=[True, 30]), id="Empirical values"),
])
def test_booleans_are_not_numbers(make):
    with pytest.raises(ScenarioError, match="got True"):
        make()
