"""The command line's parsing helpers: durations, integer ranges and service targets as typed."""

from __future__ import annotations

import pytest

from blendsim.cli.app import parse_duration, parse_int_range, parse_target
from blendsim.errors import InputError

# --------------------------------------------------------------------------------------------
# Parsing helpers


@pytest.mark.parametrize(("text", "seconds"), [
    ("240", 240.0), ("240s", 240.0), ("4m", 240.0), ("4 min", 240.0), ("30m", 1800.0),
    ("1h", 3600.0), ("1.5h", 5400.0), (" 30M ", 1800.0), ("2 hours", 7200.0), ("2e2", 200.0),
    (".5m", 30.0),
])
def test_parse_duration(text, seconds):
    assert parse_duration("--aht", text) == seconds


def test_parse_duration_zero_only_where_allowed():
    assert parse_duration("--aht", "0", positive=False) == 0.0
    with pytest.raises(InputError, match=r"--aht must be longer than 0 seconds \(got '0'\)"):
        parse_duration("--aht", "0")


def test_parse_duration_without_default_unit_needs_a_unit():
    assert parse_duration("--interval", "15m", default_unit=None) == 900.0
    with pytest.raises(InputError, match=r"--interval must be a duration such as 30m, 1h or "
                                         r"900s \(got '30'\)"):
        parse_duration("--interval", "30", default_unit=None)


@pytest.mark.parametrize("text", ["abc", "-5", "5 parsecs", "", "4m30s", "1,5h"])
def test_parse_duration_refuses(text):
    with pytest.raises(InputError, match=rf"--aht must be a duration such as 240, 240s, 4m or "
                                         rf"1h \(got '{text}'\)"):
        parse_duration("--aht", text)


@pytest.mark.parametrize(("text", "target"), [
    ("80/20", (0.8, 20.0)), ("80%/20s", (0.8, 20.0)), (" 90 / 15 ", (0.9, 15.0)),
    ("99.5/60", (0.995, 60.0)), ("50/0", (0.5, 0.0)),
])
def test_parse_target(text, target):
    assert parse_target(text) == pytest.approx(target)


@pytest.mark.parametrize(("text", "match"), [
    ("180/20", r"--target percentage must be between 0 and 100, exclusive \(got 180 in "
               r"'180/20'\)"),
    ("100/20", r"--target percentage .* \(got 100 in '100/20'\)"),
    ("0/20", r"--target percentage .* \(got 0 in '0/20'\)"),
    ("abc", r"--target must look like 80/20 \(80% answered within 20 s\) \(got 'abc'\)"),
    ("80", r"--target must look like 80/20 .*\(got '80'\)"),
    ("80/-20", r"--target must look like 80/20 .*\(got '80/-20'\)"),
])
def test_parse_target_refuses(text, match):
    with pytest.raises(InputError, match=match):
        parse_target(text)


@pytest.mark.parametrize(("text", "values"), [
    ("0..5", [0, 1, 2, 3, 4, 5]), ("3..3", [3]), (" 2 .. 4 ", [2, 3, 4]), ("7", [7]),
    ("0,2,4", [0, 2, 4]), ("4, 2,2", [2, 4]),
])
def test_parse_int_range(text, values):
    assert parse_int_range("--reserve", text) == values


@pytest.mark.parametrize(("text", "match"), [
    ("5..2", r"--reserve range must run upwards, like 0..5 \(got '5..2'\)"),
    ("a", r"--reserve must be a range like 0..5 or a list like 0,2,4 \(got 'a'\)"),
    ("-1..3", r"--reserve must be a range .*\(got '-1..3'\)"),
    ("1.5", r"--reserve must be a range .*\(got '1.5'\)"),
    ("", r"--reserve must be a range .*\(got ''\)"),
])
def test_parse_int_range_refuses(text, match):
    with pytest.raises(InputError, match=match):
        parse_int_range("--reserve", text)
