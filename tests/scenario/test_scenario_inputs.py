"""Issue 9's reproducers for scenario input: each is refused with a message naming the field,
the value and the rule (or warned about, where it is legal but surely a mistake)."""

from __future__ import annotations

import copy
import dataclasses
import os
import tomllib

import numpy as np
import pytest
from builders import BLENDED

import blendsim
from blendsim import limits
from blendsim.cli.app import main
from blendsim.errors import ScenarioError
from blendsim.limits import LIMITS
from blendsim.policies.blending import Threshold, policy_from_dict
from blendsim.scenario.campaign import OutboundCampaign, Segment
from blendsim.scenario.distributions import (
    Deterministic,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
    Uniform,
    distribution_from_dict,
)
from blendsim.scenario.file import to_toml
from blendsim.scenario.model import Scenario, load_scenario
from blendsim.scenario.parts import AgentGroup, Day, InboundType

BANK = tomllib.loads(BLENDED.read_text(encoding="utf-8"))


def bank(**top):
    data = copy.deepcopy(BANK)
    data.update(top)
    return data


def load(data) -> Scenario:
    return Scenario.from_dict(data)


def refused(data, pattern):
    with pytest.raises(ScenarioError, match=pattern):
        load(data)


# --- distributions: no NaN, inf or negative draws for accepted parameters -------------------


@pytest.mark.parametrize(("make", "pattern"), [
    (lambda: Lognormal(mean=180, cv=1e6), r"cv must be at most 5 \(got 1000000\)"),
    (lambda: Gamma(mean=180, cv=1e-300), r"cv must be at least 0\.001 \(got 1e-300\)"),
    (lambda: Exponential(mean=1e9), r"mean must be at most 604800 \(got 1000000000\): a mean"),
    (lambda: Deterministic(value=1e12), r"value must be at most 604800"),
    (lambda: Uniform(low=0, high=1e300), r"high must be at most 604800"),
    (lambda: Empirical(values=[1, 1e10]), r"values\[1\] must be at most 604800"),
    (lambda: Empirical(values=[1.0] * (limits.MAX_EMPIRICAL_VALUES + 1)),
     r"values must list at most 100,000 observations"),
])
def test_distribution_parameters_that_break_sampling_are_refused(make, pattern):
    with pytest.raises(ScenarioError, match=pattern):
        make()


@pytest.mark.parametrize("dist", [
    Lognormal(mean=limits.MAX_DURATION, cv=limits.MAX_CV),
    Lognormal(mean=1e-9, cv=limits.MIN_CV),
    Gamma(mean=limits.MAX_DURATION, cv=limits.MAX_CV),
    Gamma(mean=1e-9, cv=limits.MIN_CV),
    Uniform(low=0, high=limits.MAX_DURATION),
    Empirical(values=[0, limits.MAX_DURATION]),
    Exponential(mean=limits.MAX_DURATION),
])
def test_extreme_accepted_parameters_draw_finite_non_negative_times(dist):
    x = dist.sample(np.random.default_rng(9), 200_000)
    assert np.isfinite(x).all() and (x >= 0).all()
    assert abs(x.mean() / dist.mean - 1) < 0.5  # the mean is still about right


def test_the_article_before_a_distribution_is_right():
    with pytest.raises(ScenarioError, match="is not a field of a uniform distribution"):
        distribution_from_dict({"dist": "uniform", "low": 0, "high": 1, "mean": 3}, "x")
    with pytest.raises(ScenarioError, match="is not a field of an exponential distribution"):
        distribution_from_dict({"dist": "exponential", "mean": 3, "cv": 1}, "x")


def test_a_huge_cv_in_a_file_names_the_field():
    data = bank()
    data["inbound"][0]["handle_time"] = {"dist": "lognormal", "mean": 183, "cv": 1e6}
    refused(data, r"inbound\[0\]\.handle_time\.cv must be at most 5")


# --- campaigns -----------------------------------------------------------------------------


def test_empty_windows_are_refused_not_dial_all_day():
    data = bank()
    data["outbound"][0]["windows"] = []
    refused(data, r"outbound\[0\]\.windows must be a non-empty list .*leave windows out")


def test_a_reversed_window_is_shown_in_clock_times():
    data = bank()
    data["outbound"][0]["windows"] = [["17:00", "10:00"]]
    refused(data, r"outbound\[0\]\.windows\[0\] must start before it ends \(got 17:00-10:00\)")


def test_windows_outside_opening_hours_are_warned_about():
    data = bank()
    data["outbound"][0]["windows"] = [["02:00", "05:00"]]
    with pytest.warns(UserWarning, match=r"outbound\[0\]\.windows\[0\] 02:00-05:00 is wholly "
                                         r"outside .*\(07:00-24:00\): it allows no call"):
        load(data)


def test_a_time_windows_policy_outside_opening_hours_is_warned_about():
    data = bank(blending=[{"policy": "time_windows", "windows": [["01:00", "02:00"]]}])
    with pytest.warns(UserWarning, match=r"blending\[0\]\.windows\[0\] 01:00-02:00"):
        load(data)


def test_stop_before_close_longer_than_the_day_is_warned_about():
    data = bank()
    data["outbound"][0]["stop_before_close"] = 100_000
    with pytest.warns(UserWarning, match=r"outbound\[0\]\.stop_before_close 100000 seconds is "
                                         r"the whole day .*makes no call"):
        load(data)


def test_shifts_outside_opening_hours_are_warned_about():
    data = bank()
    data["groups"][1].pop("headcount")
    data["groups"][1]["shifts"] = [{"start": "01:00", "end": "06:00", "count": 3}]
    with pytest.warns(UserWarning, match=r"groups\[1\]\.shifts\[0\] 01:00-06:00 ends before "
                                         r"opening"):
        load(data)


def test_a_segment_without_a_name_is_named_not_a_key_error():
    data = bank()
    data["outbound"][0]["segments"] = [{"share": 0.5}]
    refused(data, r"outbound\[0\]\.segments\[0\]\.name is missing")


def test_a_campaign_named_like_an_inbound_type_is_refused():
    data = bank()
    data["outbound"][0]["name"] = "calls"
    data["groups"][1]["outbound"] = ["calls"]
    refused(data, r"outbound\[0\]\.name 'calls' is also an inbound type's name")


@pytest.mark.parametrize(("key", "value", "pattern"), [
    ("dial_ratio", 1e300, r"outbound\[0\]\.dial_ratio must be <= 10 .*predictive diallers"),
    ("max_attempts", 1_000_000, r"outbound\[0\]\.max_attempts must be <= 10 .*record row"),
    ("list_size", 10**9, r"outbound\[0\]\.list_size must be <= 200000"),
    ("retry_after", 1e12, r"outbound\[0\]\.retry_after must be <= 604800 seconds"),
    ("segments", [{"name": f"s{i}"} for i in range(51)],
     r"outbound\[0\]\.segments must list at most 50 segments"),
    ("windows", [["10:00", "11:00"]] * 51, r"outbound\[0\]\.windows must list at most 50"),
])
def test_campaign_sizes_are_bounded(key, value, pattern):
    data = bank()
    data["outbound"][0][key] = value
    refused(data, pattern)


def test_attempts_that_take_under_a_second_are_refused():
    with pytest.raises(ScenarioError, match="attempt_time must take some time: a mean of at "
                                            "least 1 second"):
        OutboundCampaign(name="c", talk_time=Exponential(mean=60),
                         attempt_time=Deterministic(value=0.01))


def test_an_unlimited_list_that_could_dial_without_end_is_refused():
    data = bank()
    c = data["outbound"][0]
    del c["list_size"]
    c["dial_ratio"] = 10
    c["attempt_time"] = {"dist": "deterministic", "value": 1}
    c["connect_probability"] = 0
    refused(data, r"outbound: the campaigns could make about [\d,]+ call attempts a day .*"
                  r"at most 1,000,000")


def test_many_campaigns_together_are_bounded():
    sc = load(bank())
    c = sc.outbound[0]
    many = [dataclasses.replace(c, name=f"c{i}", list_size=200_000, max_attempts=10)
            for i in range(2)]
    groups = [g if not g.outbound else AgentGroup(name=g.name, skills=g.skills,
                                                  headcount=g.headcount,
                                                  outbound=("c0", "c1"))
              for g in sc.groups]
    with pytest.raises(ScenarioError, match="could make about 4,000,000 call attempts"):
        sc.replace(outbound=many, groups=groups)


# --- policies --------------------------------------------------------------------------------


def test_a_threshold_policy_in_a_file_needs_a_reserve():
    refused(bank(blending=[{"policy": "threshold"}]),
            r"blending\[0\]\.reserve is missing: a threshold policy needs")
    with pytest.raises(ScenarioError, match="reserve is missing"):
        policy_from_dict({"policy": "threshold", "min_idle_blended": 2})


def test_threshold_takes_the_reserve_by_position():
    assert Threshold(2) == Threshold(reserve=2)
    assert Threshold(3, min_idle_blended=2).min_idle_blended == 2
    with pytest.raises(ScenarioError, match=r"reserve must be a whole number >= 0 \(got -1\)"):
        Threshold(-1)
    with pytest.raises(TypeError):
        Threshold(2, 3)  # min_idle_blended stays keyword-only


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "pattern"), [
    ("a\x1b[31mred", r"must not contain control characters .*got 'a\\x1b\[31mred'"),
    ("tab\tin", r"must not contain control characters"),
    ("=HYPERLINK(\"http://x\")", r"must not start with =, \+, -, @.*formula injection"),
    ("+1", r"formula injection"), ("-x", r"formula injection"), ("@SUM(A1)", "formula"),
    ("x" * 100_000, r"must be at most 100 characters \(got 100,000: 'xxx"),
    ("   ", r"must be a non-empty text"),
])
def test_unsafe_names_are_refused_everywhere(name, pattern):
    data = bank(name=name)
    refused(data, r"^name .*" + pattern)
    data = bank()
    data["groups"][0]["name"] = name
    refused(data, r"groups\[0\]\.name .*" + pattern)
    data = bank()
    data["outbound"][0]["segments"][0]["name"] = name
    refused(data, r"outbound\[0\]\.segments\[0\]\.name .*" + pattern)
    with pytest.raises(ScenarioError, match=r"^name .*" + pattern):
        InboundType(name=name, handle_time=Exponential(mean=1), volume=[1])
    with pytest.raises(ScenarioError, match=r"^name .*" + pattern):
        Segment(name=name)


def test_the_longest_allowed_name_is_accepted():
    assert load(bank(name="n" * limits.MAX_NAME)).name == "n" * 100


def test_a_control_character_is_escaped_in_the_message():
    data = bank()
    data["groups"][0]["name"] = "a\x1bb"
    with pytest.raises(ScenarioError) as e:
        load(data)
    assert "\x1b" not in str(e.value) and "\\x1b" in str(e.value)


# --- the day ---------------------------------------------------------------------------------


def test_an_opening_time_past_midnight_is_an_invalid_clock_time():
    data = bank()
    data["day"]["open"] = "25:00"
    refused(data, r"day\.open must be a clock time before 24:00 \(got 25:00\)")


def test_day_interval_as_an_array_is_a_clear_error():
    with pytest.raises(ScenarioError, match=r"interval must be 900, 1800 or 3600 seconds .*"
                                            r"got array"):
        Day(interval=np.array([900, 1800]))


def test_a_reversed_day_in_the_file_names_the_file_keys():
    data = bank()
    data["day"].update(open="18:00", close="08:00", interval_minutes=7)
    refused(data, r"day\.close must be after open \(got open 18:00, close 08:00\)")


# --- sizes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("where", "value", "pattern"), [
    ("headcount", 1e300, r"groups\[0\]\.headcount\[0\] must be <= 5000 .*state for every"),
    ("headcount", 10**400,
     r"groups\[0\]\.headcount\[0\] must be <= 5000 \(got a whole number of 401 digits\)"),
    ("headcount", 1_000_000, r"groups\[0\]\.headcount\[0\] must be <= 5000"),
    ("volume", 1e300, r"inbound\[0\]\.volume\[0\] must be <= 1000000 .*at most 1,000,000"),
])
def test_per_interval_values_are_bounded(where, value, pattern):
    data = bank()
    part = data["groups"][0] if where == "headcount" else data["inbound"][0]
    part[where][0] = value
    refused(data, pattern)


def test_the_day_total_of_calls_is_bounded():
    data = bank()
    data["inbound"][0]["volume"] = [40_000.0] * 34
    refused(data, r"inbound: the volumes add up to 1,360,000 expected calls a day, at most "
                  r"1,000,000")


def test_the_total_of_agents_is_bounded():
    data = bank()
    data["groups"] = [{"name": f"g{i}", "skills": ["calls"], "headcount": [5000] * 34}
                      for i in range(3)]
    data.pop("outbound")
    data.pop("blending")
    refused(data, r"groups: the scenario has 15,000 agents .*at most 10,000")


@pytest.mark.parametrize(("key", "count", "pattern"), [
    ("inbound", limits.MAX_TYPES + 1, r"^inbound must list at most 100 inbound types"),
    ("groups", limits.MAX_GROUPS + 1,
     rf"^groups must list at most {limits.MAX_GROUPS:,} agent groups"),
    ("blending", limits.MAX_POLICIES + 1, r"^blending must list at most 10 policies"),
])
def test_list_lengths_are_bounded(key, count, pattern):
    sc = load(bank())
    items = {"inbound": sc.inbound, "groups": sc.groups, "blending": sc.blending}[key]
    with pytest.raises(ScenarioError, match=pattern):
        sc.replace(**{key: tuple(items[:1]) * count})


def test_a_busyness_cv_beyond_one_is_refused():
    data = bank()
    data["inbound"][0]["busyness_cv"] = 1e6
    refused(data, r"inbound\[0\]\.busyness_cv must be <= 1 \(got 1000000\)")


def test_limits_are_named_and_listed_once():
    assert LIMITS is limits.LIMITS
    for name, (value, why) in LIMITS.items():
        assert getattr(limits, name) == value and why


# --- the scenario file -----------------------------------------------------------------------


def test_deeply_nested_arrays_are_a_scenario_error(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * 600 + "]" * 600 + "\n")
    with pytest.raises(ScenarioError, match="nested too deeply"):
        load_scenario(path)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_device_is_refused_without_reading_it():
    with pytest.raises(ScenarioError, match=r"not a regular file but a device or a pipe"):
        load_scenario("/dev/zero")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    with pytest.raises(ScenarioError, match=r"not a regular file"):
        load_scenario(fifo)


def test_a_file_over_the_size_cap_is_refused(tmp_path):
    path = tmp_path / "big.toml"
    path.write_bytes(b"#" * (limits.MAX_FILE_BYTES + 1))
    with pytest.raises(ScenarioError, match=r"larger than 10,000,000 bytes"):
        load_scenario(path)


@pytest.mark.parametrize("path", [123, None, b"bytes.toml", ["a.toml"]])
def test_a_path_that_is_not_a_file_name_is_a_scenario_error(path):
    with pytest.raises(ScenarioError, match="the scenario path must be a file name"):
        load_scenario(path)


def test_the_cli_prints_one_line_for_a_fifo(tmp_path, capsys):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    assert main(["validate", str(fifo)]) == 1
    err = capsys.readouterr().err
    assert "not a regular file" in err and "Traceback" not in err


def _periods_by_loop(sc):
    """The plain twin of Scenario.agent_periods for head counts (the code before issue 9)."""
    periods = []
    starts = sc.day.interval_starts
    for g in sc.groups:
        counts = list(g.headcount)
        for k in range(max(counts, default=0)):
            i = 0
            while i < len(counts):
                if counts[i] > k:
                    j = i
                    while j + 1 < len(counts) and counts[j + 1] > k:
                        j += 1
                    periods.append((f"{g.name}-{k + 1}", g.name, float(starts[i]),
                                    float(starts[j] + sc.day.interval)))
                    i = j + 1
                else:
                    i += 1
    return periods


@pytest.mark.parametrize("seed", range(5))
def test_vectorised_agent_periods_agree_with_the_plain_loop(seed):
    rng = np.random.default_rng(seed)
    data = bank()
    for g in data["groups"]:
        g["headcount"] = rng.integers(0, 6, 34).tolist()
    sc = load(data)
    assert sc.agent_periods() == _periods_by_loop(sc)


def test_a_valid_scenario_runs_with_sane_figures():
    r = blendsim.simulate(load(bank()), replications=1, seed=5, backend="serial")
    s = r.replication_summary().iloc[0]
    assert 0 < s["occupancy"] <= 1 and 0 <= s["service_level"] <= 1 and s["asa"] >= 0


def test_a_round_trip_through_toml_keeps_the_bounds():
    text = to_toml(bank(name="=cmd"))
    with pytest.raises(ScenarioError, match="formula injection"):
        load(tomllib.loads(text))


# --------------------------------------------------------------------------------------------
# Found by trying the fixes as a user: counts past any centre, huge whole numbers


@pytest.mark.parametrize("kwargs, field", [
    ({"reserve": 10**21}, "reserve"), ({"reserve": 10_001}, "reserve"),
    ({"min_idle_blended": 100_000}, "min_idle_blended")])
def test_threshold_counts_are_bounded_by_the_largest_centre(kwargs, field):
    with pytest.raises(ScenarioError, match=rf"{field} must be <= 10,000"):
        Threshold(**kwargs)
    assert Threshold(reserve=limits.MAX_AGENTS).reserve == limits.MAX_AGENTS


@pytest.mark.parametrize("headcount", [10**300, 10**400])
def test_a_huge_whole_head_count_is_refused_with_the_bound_not_as_not_whole(headcount):
    with pytest.raises(ScenarioError, match=r"headcount\[0\] must be <= 5000 \(got a whole "
                                            r"number of \d+ digits\)"):
        AgentGroup(name="team", skills=["calls"], headcount=[headcount])
