"""Per-interval service levels, both estimators, and the day judged under each target rule."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from blendsim.metrics.judgement import interval_service, intervals_below_per_day, judge
from blendsim.scenario.parts import Day, ServiceTarget

DAY = Day(open_at=0.0, close_at=3600.0, interval=1800.0)
TARGET = ServiceTarget(level=0.8, seconds=20.0)


def _contacts(spec):
    """spec: {(replication, interval): (answered within 20 s, answered later)}."""
    rows = []
    for (r, k), (fast, slow) in spec.items():
        for wait in [5.0] * fast + [60.0] * slow:
            rows.append({"replication": r, "arrival_at": k * 1800.0 + 10.0,
                         "outcome": "served", "wait": wait, "handle": 100.0,
                         "wrap_up": 0.0})
    return pd.DataFrame(rows)


# Interval 0: day 0 has 1 of 1 fast, day 1 has 3 of 9, day 2 has 8 of 10.
# Interval 1: every day 9 of 10 fast.
SPEC = {(0, 0): (1, 0), (1, 0): (3, 6), (2, 0): (8, 2),
        (0, 1): (9, 1), (1, 1): (9, 1), (2, 1): (9, 1)}


def test_daily_estimator_is_the_mean_of_daily_ratios_with_a_t_interval():
    t = interval_service(_contacts(SPEC), TARGET, DAY, 3, "daily")
    ratios = np.array([1.0, 3 / 9, 0.8])
    assert t.loc[0, "service_level"] == pytest.approx(ratios.mean())
    half = stats.t.ppf(0.975, 2) * ratios.std(ddof=1) / math.sqrt(3)
    assert t.loc[0, "ci_low"] == pytest.approx(max(ratios.mean() - half, 0.0))
    assert t.loc[0, "ci_high"] == pytest.approx(min(ratios.mean() + half, 1.0))
    assert t.loc[0, "verdict"] == "unclear"
    assert t.loc[1, "service_level"] == pytest.approx(0.9)
    assert t.loc[1, "verdict"] == "meets"  # no spread: the interval is the point
    assert t.attrs["estimator"] == "daily"


def test_pooled_estimator_is_the_ratio_of_counts_with_the_ratio_interval():
    t = interval_service(_contacts(SPEC), TARGET, DAY, 3, "pooled")
    x, y = np.array([1.0, 3, 8]), np.array([1.0, 9, 10])
    ratio = x.sum() / y.sum()
    assert t.loc[0, "service_level"] == pytest.approx(12 / 20)
    se = (x - ratio * y).std(ddof=1) / math.sqrt(3) / y.mean()
    half = stats.t.ppf(0.975, 2) * se
    assert (t.loc[0, "ci_low"], t.loc[0, "ci_high"]) == pytest.approx(
        (max(ratio - half, 0.0), min(ratio + half, 1.0)))
    # the two estimators differ by far more than a point in this low-volume interval
    daily = interval_service(_contacts(SPEC), TARGET, DAY, 3, "daily")
    assert abs(daily.loc[0, "service_level"] - t.loc[0, "service_level"]) > 0.1


def test_rules_judge_on_the_confidence_intervals():
    t = interval_service(_contacts(SPEC), TARGET, DAY, 3)
    day = {"day_service_level": 0.85, "day_ci_low": 0.81, "day_ci_high": 0.9}
    assert judge(t, TARGET, **day).verdict == "meets"  # the day rule: the day's interval
    every = judge(t, TARGET, rule="every_interval", **day)
    assert every.verdict == "unclear" and every.needed == 2 and every.below == 1
    assert every.worst == "00:00"
    half = judge(t, TARGET, rule="share_of_intervals", share=0.5, **day)
    assert half.verdict == "meets" and half.needed == 1
    # interval 0 missed for sure on every day: every_interval misses, half the intervals meet
    bad = {(r, 0): (1, 9) for r in range(3)} | {(r, 1): (9, 1) for r in range(3)}
    bad[(0, 0)] = (2, 8)
    t = interval_service(_contacts(bad), TARGET, DAY, 3)
    j = judge(t, TARGET, rule="every_interval", **day)
    assert (j.verdict, j.missed, j.below, j.below_starts) == ("misses", 1, 1, ("00:00",))
    assert "1 of 2" in j.line() and "points short" in j.line() and j.line().endswith("misses")
    assert judge(t, TARGET, rule="share_of_intervals", share=0.5, **day).verdict == "meets"


def test_days_without_contacts_count_as_empty_and_the_per_day_count_of_misses():
    spec = {(0, 0): (1, 9), (2, 0): (9, 1), (0, 1): (9, 1)}
    t = interval_service(_contacts(spec), TARGET, DAY, 3)
    assert t["days"].tolist() == [2, 1]
    assert t.loc[0, "offered"] == pytest.approx(20 / 3)
    assert np.isnan(t.loc[1, "ci_low"]) and t.loc[1, "verdict"] == "unclear"
    assert intervals_below_per_day(_contacts(spec), TARGET, DAY, 3).tolist() == [1, 0, 0]
    empty = interval_service(_contacts({}), TARGET, DAY, 2)
    assert empty["verdict"].isna().all()
    assert judge(empty, TARGET, day_service_level=math.nan, day_ci_low=math.nan,
                 day_ci_high=math.nan, rule="every_interval").judged == 0


def test_bad_rule_estimator_and_share_are_refused():
    t = interval_service(_contacts(SPEC), TARGET, DAY, 3)
    day = {"day_service_level": 0.85, "day_ci_low": 0.81, "day_ci_high": 0.9}
    with pytest.raises(ValueError, match="rule must be one of day, every_interval"):
        judge(t, TARGET, rule="weekly", **day)
    with pytest.raises(ValueError, match="share must be a fraction"):
        judge(t, TARGET, rule="share_of_intervals", share=1.5, **day)
    with pytest.raises(ValueError, match="estimator must be one of daily, pooled"):
        interval_service(_contacts(SPEC), TARGET, DAY, 3, "median")
