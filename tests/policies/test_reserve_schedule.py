"""A threshold reserve per interval: the same day as one number when it is constant, no
outbound where it reaches the cap, the dialler woken where it drops, the file form and its
errors."""

from __future__ import annotations

import pandas as pd
import pytest
from builders import calls, error_line, fixed, ok, write

from blendsim import (
    AgentGroup,
    Day,
    OutboundCampaign,
    Scenario,
    ScenarioError,
    Threshold,
    dump_scenario,
    load_scenario,
    simulate,
)
from blendsim.errors import InputError
from blendsim.scenario.variants import reserve_cap, with_reserve

H = 3600.0
NOON = 12 * H


def _outbound(result) -> pd.DataFrame:
    c = result.contacts
    return c[c["kind"] == "outbound"]


def _intervals_of(result, frame) -> pd.Series:
    day = result.scenario.day
    return ((frame["arrival_at"] - day.open_at) // day.interval).astype(int)


# --------------------------------------------------------------------------------------------
# The blended bank (34 half-hours, blended agents and dialling 10:00-17:00)


def test_a_constant_schedule_is_the_same_day_as_the_number(blended):
    n = blended.day.n_intervals
    assert blended.blending_policy().reserve == 2
    listed = with_reserve(blended, [2] * n)
    assert listed.blending_policy().reserve == (2,) * n
    one = simulate(blended, replications=3, seed=11, quiet=True)
    other = simulate(listed, replications=3, seed=11, quiet=True)
    assert len(_outbound(one)) > 0
    pd.testing.assert_frame_equal(one.contacts, other.contacts)
    pd.testing.assert_frame_equal(one.agents, other.agents)


def test_no_dialling_where_the_reserve_reaches_the_cap(blended):
    cap = reserve_cap(blended)
    assert cap > 0
    starts = blended.day.interval_labels()
    closed = {starts.index(s) for s in ("10:00", "10:30", "11:00", "11:30", "14:00", "14:30")}
    # At the cap and above it: no blended agent may dial there, whatever the backlog.
    schedule = [(cap if k % 2 else cap + 3) if k in closed else 0
                for k in range(blended.day.n_intervals)]
    result = simulate(with_reserve(blended, schedule), replications=3, seed=5, quiet=True)
    dialled = _intervals_of(result, _outbound(result))
    assert not set(dialled) & closed
    # ... while the open intervals of the calling window (10:00-17:00) dial
    window = {starts.index(s) for s in starts if "10:00" <= s < "17:00"}
    assert set(dialled) == window - closed
    t = result.by_interval()
    assert (t.loc[sorted(closed), "attempts"] == 0).all()
    # Outbound calls are not pre-empted: only those begun before 14:00 run on into it.
    assert (t.loc[6:9, "agents_outbound"] == 0).all()
    assert t.at[14, "agents_outbound"] < t.at[13, "agents_outbound"]
    assert (t.loc[sorted(window - closed), "attempts"] > 0).all()


def test_dialling_resumes_soon_after_the_reserve_drops(blended):
    cap = reserve_cap(blended)
    noon = blended.day.interval_labels().index("12:00")
    schedule = [cap if k < noon else 0 for k in range(blended.day.n_intervals)]
    result = simulate(with_reserve(blended, schedule), replications=3, seed=5, quiet=True)
    first = _outbound(result).groupby("replication")["arrival_at"].min()
    assert len(first) == 3 and (first >= NOON).all()
    assert (first - NOON < 300).all()  # within minutes of 12:00 on every day
    assert first.min() == NOON  # with an agent idle at 12:00, at 12:00 itself


# --------------------------------------------------------------------------------------------
# Exact logs of a tiny day: one blended agent, no inbound calls, three half-hours


def _tiny(reserve) -> Scenario:
    campaign = OutboundCampaign(name="list", talk_time=fixed(100), connect_probability=1.0,
                                attempt_time=fixed(0), connect_time=fixed(0),
                                connected_patience=fixed(2))
    return Scenario(name="tiny", day=Day(open_at=0, close_at=3 * 1800, interval=1800),
                    inbound=[calls(times=())], outbound=[campaign],
                    groups=[AgentGroup(name="blend", skills=("calls",), outbound=("list",),
                                       headcount=(1, 1, 1))],
                    blending=[Threshold(reserve=reserve)])


def _dials(reserve) -> list[float]:
    res = simulate(_tiny(reserve), replications=1, seed=0)
    return [float(x) for x in _outbound(res)["arrival_at"]]


def test_the_dialler_wakes_where_the_reserve_drops():
    # The one agent (counting itself) is idle all day: a reserve of 1 keeps it, 0 frees it.
    assert _dials((1, 1, 1)) == []
    assert _dials((1, 0, 0)) == [1800.0 + 100 * i for i in range(36)]
    assert _dials((1, 1, 0)) == [3600.0 + 100 * i for i in range(18)]
    # kept in the middle half-hour: the call dialled at 1700 ends at 1800, none until 3600
    assert _dials((0, 1, 0)) == ([100.0 * i for i in range(18)]
                                 + [3600.0 + 100 * i for i in range(18)])


def test_without_the_wake_an_idle_agent_would_wait(monkeypatch):
    # The control: nothing happens on this day, so only the interval boundary wakes the agent.
    assert Threshold(reserve=(1, 0, 0)).interval_changes() == [1]
    monkeypatch.setattr(Threshold, "interval_changes", lambda self: [])
    assert _dials((1, 0, 0)) == []


# --------------------------------------------------------------------------------------------
# The file form


def test_a_reserve_schedule_survives_the_file(blended, tmp_path):
    n = blended.day.n_intervals
    schedule = tuple([3] * 6 + [1] * 4 + [2] * 10 + [0] * (n - 20))
    planned = with_reserve(blended, schedule)
    path = tmp_path / "planned.toml"
    text = dump_scenario(planned, path)
    assert "reserve = [" in text
    back = load_scenario(path)
    assert back.blending_policy().reserve == schedule
    assert back.blending_policy() == planned.blending_policy()
    assert back == planned


# --------------------------------------------------------------------------------------------
# Errors name the field, the value and the rule


@pytest.mark.parametrize(("reserve", "message"), [
    ((2, 2, 2), "reserve must have one value per interval (34) (got 3)"),
    ((2,) * 33 + (-1,), "reserve[33] must be a whole number >= 0 (got -1)"),
    ((2, 1.5) + (2,) * 32, "reserve[1] must be a whole number >= 0 (got 1.5)"),
    ((2, "two") + (2,) * 32, "reserve[1] must be a whole number >= 0 (got 'two')"),
    ((True,) + (2,) * 33, "reserve[0] must be a whole number >= 0 (got True)"),
    ((), "reserve must be a whole number >= 0, or a list of them with one value per interval "
         "(got an empty list)"),
])
def test_with_reserve_refuses_a_bad_schedule(blended, reserve, message):
    with pytest.raises(InputError) as caught:
        with_reserve(blended, reserve)
    assert message in str(caught.value)


@pytest.mark.parametrize(("reserve", "message"), [
    ((2, -1), "reserve[1] must be a whole number >= 0 (got -1)"),
    ((0.5, 1), "reserve[0] must be a whole number >= 0 (got 0.5)"),
])
def test_threshold_refuses_a_bad_schedule(reserve, message):
    with pytest.raises(ScenarioError) as caught:
        Threshold(reserve=reserve)
    assert message in str(caught.value)


def test_a_scenario_refuses_a_schedule_of_the_wrong_length(blended):
    with pytest.raises(ScenarioError) as caught:
        blended.replace(blending=(Threshold(reserve=(1, 2, 3)),))
    assert "blending[0].reserve must have one value per interval (34) (got 3)" in str(
        caught.value)


def _file_with(blended, tmp_path, reserve: str):
    text = dump_scenario(blended)
    assert text.count("reserve = 2\n") == 1
    return write(tmp_path / "bad.toml", text.replace("reserve = 2\n", f"reserve = {reserve}\n"))


BAD_FILES = [
    ("[2, 2, 2]", "blending[0].reserve must have one value per interval (34) (got 3)"),
    ("[" + "2, " * 33 + "-1]", "blending[0].reserve[33] must be a whole number >= 0 (got -1)"),
    ("[2, 2.5" + ", 2" * 32 + "]", "blending[0].reserve[1] must be a whole number >= 0 "
                                   "(got 2.5)"),
    ("[2, \"x\"" + ", 2" * 32 + "]", "blending[0].reserve[1] must be a whole number >= 0 "
                                     "(got 'x')"),
]


@pytest.mark.parametrize(("reserve", "message"), BAD_FILES)
def test_loading_a_file_with_a_bad_schedule(blended, tmp_path, reserve, message):
    path = _file_with(blended, tmp_path, reserve)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert message in str(caught.value)


@pytest.mark.parametrize(("reserve", "message"), BAD_FILES)
def test_validate_reports_a_bad_schedule(blended, tmp_path, capsys, reserve, message):
    path = _file_with(blended, tmp_path, reserve)
    line = error_line(capsys, "validate", path)
    assert line == f"blendsim: error: {path}: {message}"


def test_validate_accepts_a_good_schedule(blended, tmp_path, capsys):
    path = _file_with(blended, tmp_path, "[" + ", ".join(["3"] * 10 + ["1"] * 24) + "]")
    assert ok(capsys, "validate", path).startswith("ok: ")

