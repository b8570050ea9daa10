"""The file reader: the same validation rules, with paths into the file; a file with several
problems reports all of them, each line prefixed with the file name."""

from __future__ import annotations

import re

import pytest
from builders import DROP, KINDS, base_dict, changed, exactly, tiny

from blendsim.errors import ScenarioError
from blendsim.scenario.model import Scenario, dump_scenario, load_scenario

INBOUND_FIELDS = ("name, volume, rate_per_hour, daily_volume, shape, arrival_times, "
                  "busyness_cv, handle_time, wrap_up, patience, balk_probability, "
                  "queue_capacity, priority, groups, overflow_after")


SALES_AT_TIMES = {("inbound", 0, "volume"): DROP}  # sales by arrival_times instead


# --- the file reader: the same rules, with paths into the file


@pytest.mark.parametrize("changes, message", [
    # unknown fields, at every level
    ({("colour",): "blue"}, "colour is not a known field (allowed: schema_version, name, "
                            "description, day, service_target, inbound, groups, outbound, "
                            "blending)"),
    ({("day", "lunch"): "12:00"},
     "day.lunch is not a known field (allowed: open, close, interval_minutes)"),
    ({("service_target", "sla"): 0.8}, "service_target.sla is not a known field (allowed: "
                                       "level, seconds, definition, short_abandon_seconds, rule, "
                                       "share, estimator)"),
    ({("inbound", 0, "volumes"): [1, 2]},
     f"inbound[0].volumes is not a known field (allowed: {INBOUND_FIELDS})"),
    ({("groups", 0, "headcounts"): [1, 2]},
     "groups[0].headcounts is not a known field (allowed: name, skills, headcount, shifts, "
     "outbound)"),
    ({("groups", 1, "shifts", 0, "break"): 30},
     "groups[1].shifts[0].break is not a known field (allowed: start, end, count, breaks)"),
    # missing fields
    ({("schema_version",): DROP}, "schema_version is missing"),
    ({("day",): DROP}, "day is missing"),
    ({("inbound",): DROP}, "inbound is missing"),
    ({("groups",): DROP}, "groups is missing"),
    ({("day", "open"): DROP}, "day.open is missing"),
    ({("day", "close"): DROP}, "day.close is missing"),
    ({("inbound", 1, "name"): DROP}, "inbound[1].name is missing"),
    ({("inbound", 0, "handle_time"): DROP}, "inbound[0].handle_time is missing"),
    ({("inbound", 0, "handle_time", "cv"): DROP}, "inbound[0].handle_time.cv is missing"),
    ({("groups", 0, "name"): DROP}, "groups[0].name is missing"),
    ({("groups", 0, "skills"): DROP}, "groups[0].skills is missing"),
    ({("groups", 1, "shifts", 0, "start"): DROP}, "groups[1].shifts[0].start is missing"),
    ({("groups", 1, "shifts", 0, "end"): DROP}, "groups[1].shifts[0].end is missing"),
    # not a table
    ({("day",): "08:00-10:00"}, "day must be a table (got '08:00-10:00')"),
    ({("service_target",): 0.8}, "service_target must be a table (got 0.8)"),
    ({("inbound", 1): "service"}, "inbound[1] must be a table (got 'service')"),
    ({("groups", 0): ["team"]}, "groups[0] must be a table (got ['team'])"),
    ({("groups", 1, "shifts", 0): "08:00-10:00"},
     "groups[1].shifts[0] must be a table (got '08:00-10:00')"),
    ({("inbound", 0, "handle_time"): 240},
     'inbound[0].handle_time must be a table like { dist = "exponential", mean = 240 } '
     '(got 240)'),
    # schema_version and interval_minutes
    ({("schema_version",): 2}, "schema_version must be 1 (got 2)"),
    ({("schema_version",): "1"}, "schema_version must be 1 (got '1')"),
    ({("day", "interval_minutes"): 20}, "day.interval_minutes must be 15, 30 or 60 (got 20)"),
    ({("day", "interval_minutes"): "60"},
     "day.interval_minutes must be 15, 30 or 60 (got '60')"),
    ({("day", "interval_minutes"): True},
     "day.interval_minutes must be 15, 30 or 60 (got True)"),
    # clock times
    ({("day", "open"): "8am"}, 'day.open must be a clock time like "07:30" (got \'8am\')'),
    ({("day", "close"): "10:60"}, 'day.close must be a clock time like "07:30" (got \'10:60\')'),
    ({("groups", 1, "shifts", 0, "start"): "-01:00"},
     'groups[1].shifts[0].start must be a clock time like "07:30" (got \'-01:00\')'),
    ({("groups", 1, "shifts", 0, "end"): -60},
     'groups[1].shifts[0].end must be a clock time like "07:30" (got -60)'),
    ({**SALES_AT_TIMES, ("inbound", 0, "arrival_times"): ["08:00", "9"]},
     'inbound[0].arrival_times[1] must be a clock time like "07:30" (got \'9\')'),
    # lists that are not lists
    ({("inbound",): {"name": "sales"}},
     "inbound must be a list of tables ([[inbound]]) (got {'name': 'sales'})"),
    ({("groups",): "team"}, "groups must be a list of tables ([[groups]]) (got 'team')"),
    ({("inbound", 0, "volume"): 100}, "inbound[0].volume must be a list of numbers (got 100)"),
    ({("inbound", 1, "rate_per_hour"): "30/h"},
     "inbound[1].rate_per_hour must be a list of numbers (got '30/h')"),
    ({("groups", 0, "headcount"): 5}, "groups[0].headcount must be a list of numbers (got 5)"),
    ({**SALES_AT_TIMES, ("inbound", 0, "arrival_times"): "08:00"},
     'inbound[0].arrival_times must be a list of clock times like "08:00:30" (got \'08:00\')'),
    ({("groups", 1, "shifts"): "08:00-10:00"},
     'groups[1].shifts must be a list of tables like { start = "07:00", end = "15:00", '
     'count = 5 } (got \'08:00-10:00\')'),
    # the dataclasses' own rules, with the path in front
    ({("inbound", 0, "handle_time", "mean"): -30},
     "inbound[0].handle_time.mean must be a number > 0 (got -30)"),
    ({("inbound", 1, "patience", "dist"): "weibull"},
     f"inbound[1].patience.dist must be one of {KINDS} (got 'weibull')"),
    ({("inbound", 0, "volume", 1): -3}, "inbound[0].volume[1] must be >= 0 (got -3)"),
    ({("inbound", 1, "balk_probability"): 2}, "inbound[1].balk_probability must be <= 1 (got 2)"),
    ({("service_target", "level"): 2}, "service_target.level must be < 1 (got 2)"),
    ({("service_target", "definition"): "all"}, "service_target.definition must be one of "
                                                "offered, answered, short_abandons_excluded "
                                                "(got 'all')"),
    ({("groups", 0, "name"): ""}, "groups[0].name must be a non-empty text (got '')"),
    ({("groups", 0, "headcount", 0): 1.5}, "groups[0].headcount[0] must be a whole number "
                                           "(got 1.5)"),
    ({("groups", 1, "shifts", 0, "count"): -1},
     "groups[1].shifts[0].count must be >= 0 (got -1)"),
    # checks between parts
    ({("groups", 0, "headcount"): [5]},
     "groups[0].headcount must have one value per interval (2) (got 1)"),
    ({("groups", 0, "skills"): ["sales", "service", "ghost"]},
     "groups[0].skills[2] 'ghost' is not an inbound type (types: sales, service)"),
    ({("inbound", 1, "groups"): ["team", "nobody"]},
     "inbound[1].groups[1] 'nobody' is not an agent group (groups: team, late)"),
])
def test_file_messages(changes, message):
    with pytest.raises(ScenarioError, match=re.escape(message)) as info:
        Scenario.from_dict(changed(changes))
    assert message in info.value.problems  # a whole problem, not a piece of one


def test_the_file_must_be_a_table():
    with pytest.raises(ScenarioError, match=exactly("the file must be a table (got [1, 2])")):
        Scenario.from_dict([1, 2])


def test_a_file_with_several_problems_reports_them_all(tmp_path):
    path = tmp_path / "bank.toml"
    dump_scenario(Scenario.from_dict(base_dict()), path)
    text = path.read_text(encoding="utf-8")
    text = text.replace("interval_minutes = 60", "interval_minutes = 60\nlunch = 1")
    text = text.replace('mean = 240', 'mean = -30')
    text = text.replace("headcount = [5, 6]", "headcount = [5, -6]")
    text = text.replace('start = "08:00"', 'start = "8am"')
    path.write_text(text, encoding="utf-8")
    expected = [
        "day.lunch is not a known field (allowed: open, close, interval_minutes)",
        "inbound[0].handle_time.mean must be a number > 0 (got -30)",
        "groups[0].headcount[1] must be >= 0 (got -6)",
        'groups[1].shifts[0].start must be a clock time like "07:30" (got \'8am\')',
    ]
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    e = info.value
    assert e.source == str(path)
    assert e.problems == expected
    assert str(e).splitlines() == [f"{path}: {p}" for p in expected]


def test_cross_problems_in_a_file_are_prefixed_with_its_name(tmp_path):
    path = tmp_path / "short.toml"
    path.write_text(dump_scenario(tiny()).replace("headcount = [5, 6]", "headcount = [5]"),
                    encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == (f"{path}: groups[0].headcount must have one value per interval "
                               "(2) (got 1)")
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(changed({("groups", 0, "headcount"): [5]}), source="memory")
    assert str(info.value).startswith("memory: groups[0].headcount")


def test_load_scenario_missing_file_names_the_path(tmp_path):
    path = tmp_path / "nowhere.toml"
    with pytest.raises(ScenarioError, match=re.escape(f"no such file: {str(path)!r}")):
        load_scenario(path)


def test_load_scenario_invalid_toml(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('schema_version = 1\n[day\nopen = "08:00"\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.source == str(path)
    assert re.fullmatch(rf"{re.escape(str(path))}: not valid TOML: .*line 2.*", str(info.value))


@pytest.mark.parametrize("make", [
    pytest.param(lambda p: p.mkdir(), id="a directory"),
    pytest.param(lambda p: p.write_bytes(b'name = "caf\xe9"\n'), id="not UTF-8"),
])
def test_load_scenario_unreadable_file(tmp_path, make):
    path = tmp_path / "odd.toml"
    make(path)
    with pytest.raises(ScenarioError, match=re.escape(f"{path}: cannot read the file (")):
        load_scenario(path)


def test_toml_time_values_are_read_as_clock_times(tmp_path):
    # TOML has its own local-time type (open = 08:00:00): it means the same as "08:00".
    path = tmp_path / "times.toml"
    path.write_text(dump_scenario(tiny()).replace('open = "08:00"', "open = 08:00:00"),
                    encoding="utf-8")
    assert load_scenario(path) == tiny()
