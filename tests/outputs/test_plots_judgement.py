"""The charts judge per interval: the service-level chart marks the intervals under target
(and those that miss it for sure) and names its estimator; the frontier draws the points
that fail the trade-off's rule hollow or crossed out and names the rule."""

from __future__ import annotations

from dataclasses import replace

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import blendsim  # noqa: E402
from blendsim.outputs import plots  # noqa: E402
from blendsim.scenario.parts import ServiceTarget  # noqa: E402
from blendsim.scenario.variants import with_reserve  # noqa: E402


def _close(ax):
    ax.figure.clear()


@pytest.fixture(scope="module")
def greedy(blended):
    """Reserve 0: blending costs the 10:00-17:00 intervals their target."""
    return blendsim.simulate(with_reserve(blended, 0), replications=6, seed=3, quiet=True)


def _lines(ax, gid):
    return [line for line in ax.lines if line.get_gid() == gid]


def _marked(ax, gid) -> int:
    return sum(len(line.get_xdata()) for line in _lines(ax, gid))


def test_the_intervals_under_target_are_marked(greedy):
    t = greedy.interval_service()
    level = greedy.scenario.service_target.level
    below = t["service_level"] < level
    missed = below & (t["verdict"] == "misses")
    assert missed.sum() >= 5 and (below & ~missed).sum() >= 1  # both kinds on this day
    ax = plots.service_level_by_interval(greedy)
    try:
        assert _marked(ax, "misses") == missed.sum()
        assert _marked(ax, "below") == (below & ~missed).sum()
        day = greedy.scenario.day
        middles = (day.interval_starts + day.interval / 2) / 3600
        [cross] = _lines(ax, "misses")
        np.testing.assert_allclose(cross.get_xdata(), middles[missed.to_numpy()])
        np.testing.assert_allclose(cross.get_ydata(), t["service_level"][missed])
        [hollow] = _lines(ax, "below")
        assert hollow.get_markerfacecolor() == "white"
        # one shaded bar per interval under target, spanning that interval
        bars = [p for p in ax.patches if p.get_gid() == "below"]
        assert len(bars) == below.sum()
        lefts = sorted(p.get_x() for p in bars)
        np.testing.assert_allclose(lefts, day.interval_starts[below.to_numpy()] / 3600)
        # the estimate and its 95% interval
        np.testing.assert_allclose(ax.lines[0].get_ydata(), t["service_level"])
        [band] = [c for c in ax.collections if c.get_label() == "95% confidence interval"]
        tops = band.get_paths()[0].vertices[:, 1]
        assert np.nanmax(tops) == pytest.approx(t["ci_high"].max())
        assert np.nanmin(tops) == pytest.approx(t["ci_low"].min())
        labels = [text.get_text() for text in ax.get_legend().get_texts()]
        assert "service level (mean of daily ratios)" in labels
        assert f"misses the target for sure ({missed.sum()})" in labels
    finally:
        _close(ax)


def test_the_legend_names_the_pooled_estimator(greedy):
    ax = plots.service_level_by_interval(greedy, estimator="pooled")
    try:
        pooled = greedy.interval_service("pooled")
        np.testing.assert_allclose(ax.lines[0].get_ydata(), pooled["service_level"])
        labels = [text.get_text() for text in ax.get_legend().get_texts()]
        assert "service level (pooled counts)" in labels
        assert _marked(ax, "misses") == (pooled["verdict"] == "misses").sum()
    finally:
        _close(ax)


def test_the_scenarios_estimator_is_the_default(greedy):
    target = greedy.scenario.service_target
    pooled = ServiceTarget(level=target.level, seconds=target.seconds,
                           definition=target.definition, short_abandon=target.short_abandon,
                           estimator="pooled")
    result = blendsim.simulate(greedy.scenario.replace(service_target=pooled), replications=2,
                               seed=3, quiet=True)
    ax = plots.service_level_by_interval(result)
    try:
        labels = [text.get_text() for text in ax.get_legend().get_texts()]
        assert "service level (pooled counts)" in labels
    finally:
        _close(ax)


def test_a_day_that_keeps_every_interval_has_no_marks(blended):
    [calls] = blended.inbound
    quiet = blended.replace(inbound=[replace(calls, volume=tuple(v / 3 for v in calls.volume))])
    calm = blendsim.simulate(with_reserve(quiet, 14), replications=4, seed=3, quiet=True)
    t = calm.interval_service()
    assert not (t["service_level"] < 0.8).any()
    ax = plots.service_level_by_interval(calm)
    try:
        assert _marked(ax, "misses") == _marked(ax, "below") == 0
        assert not [p for p in ax.patches if p.get_gid() == "below"]
    finally:
        _close(ax)


# --------------------------------------------------------------------------------------------
# The frontier under a rule


def _table(verdicts, rule="every_interval", share=0.9):
    n = len(verdicts)
    table = pd.DataFrame({
        "reserve": range(n), "reserve_up_to": [np.nan] * n, "blended_agents": [None] * n,
        "service_level": np.linspace(0.95, 0.7, n), "conversations": np.linspace(10, 200, n)})
    table["service_level_ci_low"] = table["service_level"] - 0.02
    table["service_level_ci_high"] = table["service_level"] + 0.02
    table["conversations_ci_low"] = table["conversations"] - 5
    table["conversations_ci_high"] = table["conversations"] + 5
    table["rule_verdict"] = verdicts
    table["intervals_below"] = [0 if v == "meets" else 3 for v in verdicts]
    table.attrs.update(target=0.8, target_seconds=20, rule=rule, share=share)
    return table


def _hollow(ax) -> list:
    return [(x, y) for line in ax.lines if line.get_linestyle() in ("None", "none")
            and line.get_marker() == "o" and line.get_markerfacecolor() == "white"
            for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True)]


def test_points_failing_the_rule_are_hollow_or_crossed():
    # Day service levels 95%..70%: by the day alone 0-3 would meet 80%; the rule says else.
    table = _table(["meets", "unclear", "misses", "misses", "misses", "misses"])
    ax = plots.frontier(table)
    try:
        hollow = _hollow(ax)
        failing = table[table["rule_verdict"] != "meets"]
        assert sorted(x for x, _ in hollow) == sorted(failing["conversations"])
        crosses = [x for line in ax.lines if line.get_marker() == "x"
                   for x in line.get_xdata()]
        assert sorted(crosses) == sorted(table.loc[table["rule_verdict"] == "misses",
                                                   "conversations"])
        [star] = [line for line in ax.lines if line.get_marker() == "*"]
        assert star.get_xdata()[0] == pytest.approx(table.at[0, "conversations"])
        legend = ax.get_legend()
        assert legend.get_title().get_text() == (
            "judged by the rule: every interval at 80% or more")
        labels = [text.get_text() for text in legend.get_texts()]
        assert "misses the target for sure" in labels
    finally:
        _close(ax)


@pytest.mark.parametrize(("rule", "share", "title"), [
    ("day", None, "judged by the rule: the day's service level at 80% or more"),
    ("share_of_intervals", 0.75, "judged by the rule: at least 75% of intervals at 80% or "
                                 "more"),
])
def test_the_legend_names_the_rule(rule, share, title):
    ax = plots.frontier(_table(["meets", "meets", "unclear", "misses"], rule, share))
    try:
        assert ax.get_legend().get_title().get_text() == title
        assert len(_hollow(ax)) == 2
    finally:
        _close(ax)


def test_a_table_without_rule_columns_is_judged_by_the_day():
    table = _table(["meets"] * 4).drop(columns=["rule_verdict", "intervals_below"])
    table.loc[1, ["service_level_ci_low", "service_level_ci_high"]] = [0.78, 0.9]  # spans
    ax = plots.frontier(table)
    try:
        assert ax.get_legend().get_title().get_text() == ""
        hollow = sorted(x for x, _ in _hollow(ax))
        # points 1 and 2 span 80% (not conclusive), point 3 (70%) lies below it for sure
        assert hollow == sorted(table.loc[[1, 2, 3], "conversations"])
        [star] = [line for line in ax.lines if line.get_marker() == "*"]
        assert star.get_xdata()[0] == pytest.approx(table.at[0, "conversations"])
    finally:
        _close(ax)


def test_the_frontier_of_a_real_tradeoff_under_every_interval(blended):
    table = blendsim.tradeoff(blended, reserve=[0, 2, 6], replications=4, seed=3,
                              rule="every_interval", quiet=True)
    assert table.attrs["rule"] == "every_interval"
    assert "misses" in set(table["rule_verdict"])
    ax = plots.frontier(table)
    try:
        assert len(_hollow(ax)) == (table["rule_verdict"] != "meets").sum()
        assert "every interval" in ax.get_legend().get_title().get_text()
    finally:
        _close(ax)
