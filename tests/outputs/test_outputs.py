"""What a planner takes away: the charts, the trade-off command and the files ``--out`` writes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from builders import BLENDED, ROOT  # noqa: E402

import blendsim  # noqa: E402
from blendsim.cli.app import main  # noqa: E402
from blendsim.outputs import plots  # noqa: E402


@pytest.fixture(scope="module")
def result(blended):
    return blendsim.simulate(blended, replications=4, seed=3)


@pytest.fixture(scope="module")
def points(blended):
    return blendsim.tradeoff(blended, reserve=[0, 2, 6], replications=4, seed=3)


def test_tradeoff_table_and_its_story(points):
    assert list(points["reserve"]) == [0, 2, 6]
    assert points.attrs["target"] == 0.8 and points.attrs["seed"] == 3
    # More agents kept in reserve: better inbound service, fewer conversations.
    assert points["service_level"].is_monotonic_increasing
    assert points["conversations"].is_monotonic_decreasing
    for fig in ("service_level", "conversations", "asa"):
        assert (points[f"{fig}_ci_low"] <= points[fig]).all()
        assert (points[fig] <= points[f"{fig}_ci_high"]).all()


def test_frontier_plot_marks_the_target_and_the_best_point(points):
    ax = plots.frontier(points)
    try:
        labels = [t.get_text() for t in ax.texts]
        assert sorted(labels) == ["reserve 0", "reserve 2", "reserve 6"]
        target_lines = [line for line in ax.lines if line.get_linestyle() == "--"]
        assert target_lines and target_lines[0].get_ydata()[0] == pytest.approx(0.8)
        best = plots.best_point(points, 0.8)
        # The best is judged with its confidence interval: its lower bound meets the target,
        # and no point with more conversations has a lower bound at the target.
        assert points.loc[best, "service_level_ci_low"] >= 0.8
        better = points[points["conversations"] > points.loc[best, "conversations"]]
        assert (better["service_level_ci_low"] < 0.8).all()
        star = [line for line in ax.lines if line.get_marker() == "*"]
        assert star and star[0].get_xdata()[0] == pytest.approx(points.loc[best,
                                                                            "conversations"])
        assert ax.get_xlabel() == "proactive conversations per day"
    finally:
        plt.close(ax.figure)


def test_frontier_without_a_point_meeting_the_target():
    table = pd.DataFrame({"reserve": [0, 1], "blended_agents": [None, None],
                          "service_level": [0.5, 0.6], "service_level_ci_low": [0.4, 0.5],
                          "service_level_ci_high": [0.6, 0.7], "conversations": [90, 50],
                          "conversations_ci_low": [80, 40], "conversations_ci_high": [100, 60]})
    assert plots.best_point(table, 0.8) is None
    ax = plots.frontier(table, target=0.8)
    assert not [line for line in ax.lines if line.get_marker() == "*"]
    plt.close(ax.figure)


def test_intraday_plot_stacks_the_agents_time(result):
    ax = plots.intraday(result)
    try:
        t = result.by_interval()
        stacks = ax.collections[:3]
        assert [c.get_label() for c in stacks] == ["agents on inbound", "agents on outbound",
                                                   "agents idle"]
        # inbound + outbound + idle is the number of agents logged on, interval by interval
        total = t["agents_inbound"] + t["agents_outbound"] + t["agents_idle"]
        np.testing.assert_allclose(total, t["agents"], rtol=1e-9, atol=1e-9)
        workload = [line for line in ax.lines if "workload" in line.get_label()]
        assert workload
    finally:
        plt.close(ax.figure)


def test_service_level_plot_draws_the_band_and_target(result):
    ax = plots.service_level_by_interval(result)
    try:
        sl = ax.lines[0].get_ydata()
        np.testing.assert_allclose(sl, result.by_interval()["service_level"])
        assert any(line.get_linestyle() == "--" for line in ax.lines)
    finally:
        plt.close(ax.figure)


def test_run_writes_tables_and_charts(tmp_path, capsys):
    out = tmp_path / "results"
    assert main(["run", str(BLENDED), "--replications", "3", "--seed", "2", "--out",
                 str(out)]) == 0
    text = capsys.readouterr().out
    assert "outbound, the day" in text and "conversations" in text
    assert "seed 2" in text
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert names == ["groups.csv", "intervals.csv", "intraday.png", "segments.csv",
                     "service_level.png", "summary.csv", "types.csv"]
    for png in ("intraday.png", "service_level.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = pd.read_csv(out / "summary.csv").set_index("figure")
    assert {"service_level", "conversations", "mismatch_rate"} <= set(summary.index)
    segments = pd.read_csv(out / "segments.csv")
    assert set(segments["segment"]) == {"card renewals", "mortgage follow-ups"}


def test_tradeoff_command(tmp_path, capsys):
    out = tmp_path / "frontier"
    assert main(["tradeoff", str(BLENDED), "--reserve", "1..3", "--replications", "3",
                 "--seed", "4", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "seed 4 for every point" in text
    assert text.count("<- best") <= 1
    table = pd.read_csv(out / "tradeoff.csv")
    assert list(table["reserve"]) == [1, 2, 3]
    assert (out / "frontier.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("argv, message", [
    (["tradeoff", str(BLENDED)], "give --reserve (e.g. 0..6) and/or --blended"),
    (["tradeoff", str(BLENDED), "--reserve", "3..1"], "--reserve range must run upwards"),
    (["tradeoff", str(ROOT / "scenarios" / "anonymous_bank_day.toml"), "--reserve", "0..2"],
     "a trade-off needs an outbound campaign in the scenario"),
])
def test_tradeoff_command_errors(argv, message, capsys, tmp_path):
    assert main([*argv, "--replications", "2", "--out", str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("blendsim: error: ") and message in err
    assert not (tmp_path / "x").exists()


def test_pilot_pair_tells_the_executives_story():
    base = blendsim.simulate(blendsim.load_scenario(ROOT / "scenarios" / "pilot_baseline.toml"),
                             replications=6, seed=5).summary()
    pilot = blendsim.simulate(blendsim.load_scenario(ROOT / "scenarios" / "pilot_blended.toml"),
                              replications=6, seed=5).summary()
    assert base.loc["conversations", "mean"] == 0
    assert pilot.loc["conversations", "mean"] > 50
    assert pilot.loc["service_level", "mean"] < base.loc["service_level", "mean"]
    assert pilot.loc["service_level", "mean"] >= 0.8  # the pilot keeps the inbound target


def test_blended_scenario_round_trips(blended, tmp_path):
    blendsim.dump_scenario(blended, tmp_path / "b.toml")
    assert blendsim.load_scenario(tmp_path / "b.toml") == blended
    assert blended.outbound[0].segments[1].name == "mortgage follow-ups"
    assert isinstance(blended.blending[0], blendsim.Threshold)
