"""The derived views of a scenario: expected calls, agent periods, routing table, intervals,
clock times."""

from __future__ import annotations

import math

import pytest
from builders import DROP, H, exactly, sales, scenarios, team, tiny
from hypothesis import given
from hypothesis import strategies as st

from blendsim._units import format_clock, parse_clock
from blendsim.errors import ScenarioError
from blendsim.scenario.parts import (
    Day,
    Shift,
)

# --------------------------------------------------------------------------------------------
# Derived views


def test_expected_calls_from_volume():
    assert sales(volume=[40, 60]).expected_calls().tolist() == [40.0, 60.0]


@pytest.mark.parametrize("interval, calls", [(900, [30, 15]), (1800, [60, 30]),
                                             (3600, [120, 60])])
def test_expected_calls_from_rate_per_hour(interval, calls):
    t = sales(volume=DROP, rate_per_hour=[120, 60])
    assert t.expected_calls(interval).tolist() == calls


def test_expected_calls_from_rate_needs_the_interval():
    with pytest.raises(ValueError, match="interval is needed"):
        sales(volume=DROP, rate_per_hour=[120, 60]).expected_calls()


def test_expected_calls_from_daily_volume_and_shape():
    t = sales(volume=DROP, daily_volume=1000, shape=[1, 3])
    assert t.expected_calls().tolist() == [250.0, 750.0]
    # Only the shape's proportions matter.
    assert sales(volume=DROP, daily_volume=1000, shape=[0.5, 1.5]).expected_calls().tolist() \
        == [250.0, 750.0]


def test_expected_calls_from_arrival_times_counts_per_interval():
    day = Day(open_at=8 * H, close_at=11 * H, interval=H)
    times = [8 * H, 8 * H + 600, 9 * H - 0.5, 10 * H + 59 * 60 + 59, 9 * H]
    t = sales(volume=DROP, arrival_times=times)
    assert t.expected_calls(day=day).tolist() == [3.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="day is needed"):
        t.expected_calls()


@given(sc=scenarios())
def test_expected_calls_have_one_value_per_interval(sc):
    n = sc.day.n_intervals
    for t in sc.inbound:
        calls = t.expected_calls(sc.day.interval, sc.day)
        assert calls.shape == (n,) and (calls >= 0).all()
        if t.daily_volume is not None:
            assert calls.sum() == pytest.approx(t.daily_volume, rel=1e-9, abs=1e-9)
        if t.arrival_times is not None:
            assert calls.sum() == len(t.arrival_times)


def test_agent_periods_from_headcount_split_at_gaps_and_merge_runs():
    sc = tiny(day=Day(open_at=8 * H, close_at=10 * H, interval=1800),
              inbound=[sales(volume=[1, 1, 1, 1])],
              groups=[team(headcount=[2, 0, 1, 1])])
    assert sc.agent_periods() == [
        ("team-1", "team", 8 * H, 8.5 * H),
        ("team-1", "team", 9 * H, 10 * H),
        ("team-2", "team", 8 * H, 8.5 * H),
    ]


def test_agent_periods_from_shifts():
    sc = tiny(groups=[team(headcount=DROP, shifts=[
        Shift(start_at=7 * H, end_at=15 * H, count=2), Shift(start_at=9 * H, end_at=9.5 * H,
                                                            count=0),
        Shift(start_at=9 * H, end_at=20 * H)])])
    assert sc.agent_periods() == [
        ("team-1", "team", 7 * H, 15 * H),
        ("team-2", "team", 7 * H, 15 * H),
        ("team-3", "team", 9 * H, 20 * H),
    ]


@given(sc=scenarios())
def test_agent_periods_match_the_staffing(sc):
    periods = sc.agent_periods()
    for g in sc.groups:
        mine = [p for p in periods if p[1] == g.name]
        if g.headcount is not None:
            # At each interval the number of agents at work is the head count ...
            on = [sum(start <= s < end for _, _, start, end in mine)
                  for s in sc.day.interval_starts]
            assert on == list(g.headcount)
            # ... and one agent's periods neither overlap nor touch (runs are merged).
            for agent in {p[0] for p in mine}:
                spans = sorted((p[2], p[3]) for p in mine if p[0] == agent)
                assert all(a[1] < b[0] for a, b in zip(spans, spans[1:], strict=False))
        else:
            assert len(mine) == sum(s.count for s in g.shifts)
            assert len({p[0] for p in mine}) == len(mine)


def test_routing_table_defaults_and_overflow_delays():
    groups = [team(name="front", skills=["sales"]),
              team(name="back", skills=["service", "sales"])]
    sc = tiny(inbound=[sales(), sales(name="service")], groups=groups)
    assert sc.routing_table() == {"sales": (("front", 0.0), ("back", 0.0)),
                                  "service": (("back", 0.0),)}
    sc = sc.replace(inbound=[sales(groups=["back", "front"], overflow_after=[0, 30]),
                             sales(name="service", groups=["back"])])
    assert sc.routing_table() == {"sales": (("back", 0.0), ("front", 30.0)),
                                  "service": (("back", 0.0),)}


def test_lookups_by_name():
    sc = tiny()
    assert sc.inbound_type("sales") is sc.inbound[0] and sc.group("team") is sc.groups[0]
    with pytest.raises(KeyError):
        sc.group("nobody")


@pytest.mark.parametrize("day, starts, labels", [
    (Day(open_at=7 * H, close_at=9 * H, interval=1800), [7, 7.5, 8, 8.5],
     ["07:00", "07:30", "08:00", "08:30"]),
    (Day(open_at=23 * H, close_at=26 * H, interval=H), [23, 24, 25], ["23:00", "24:00", "25:00"]),
    (Day(open_at=8 * H + 30, close_at=8.5 * H + 30, interval=900), [8 + 30 / H, 8.25 + 30 / H],
     ["08:00:30", "08:15:30"]),
])
def test_interval_starts_and_labels(day, starts, labels):
    assert day.n_intervals == len(labels)
    assert day.interval_starts.tolist() == pytest.approx([s * H for s in starts])
    assert day.interval_labels() == labels


@pytest.mark.parametrize("text, seconds", [
    ("07:30", 27000), ("00:00", 0), ("25:00", 90000), ("07:30:15", 27015),
    (" 7:05 ", 25500), ("100:00", 360000), (3600, 3600), (27000.5, 27000.5),
])
def test_parse_clock(text, seconds):
    assert parse_clock(text, "day.open") == seconds


@pytest.mark.parametrize("text", ["7", "07:60", "07:30:60", "", "07:30:00:00", "-1:00",
                                  "07h30", "7:3a", None, True, -5, math.nan, [7, 30]])
def test_parse_clock_refuses(text):
    with pytest.raises(ScenarioError, match=exactly(
            f'day.open must be a clock time like "07:30" (got {text!r})')):
        parse_clock(text, "day.open")


@pytest.mark.parametrize("seconds, text", [
    (27000, "07:30"), (0, "00:00"), (90000, "25:00"), (27015, "07:30:15"),
    (360000, "100:00"), (27000.0, "07:30"), (27000.5, 27000.5),
])
def test_format_clock(seconds, text):
    assert format_clock(seconds) == text


@given(seconds=st.integers(0, 10**7) | st.integers(0, 10**7).map(lambda s: s + 0.25))
def test_format_then_parse_clock_gives_the_instant_back(seconds):
    assert parse_clock(format_clock(seconds), "t") == seconds
