"""Every KPI once: the figures of blendsim.metrics on hand-made records with known answers.

Ten inbound contacts whose service level, ASA, AHT and abandonment can be counted by hand
(under each service-level definition), the grouped table agreeing with the one-set figures,
occupancy and utilisation of one agent with known busy spans, and the Student-t confidence
interval of known replication values against scipy.stats.t.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from blendsim.metrics import (
    CONTACT_METRICS,
    SHARES,
    contact_metrics,
    contact_table,
    group_time_metrics,
    mean_ci,
    service_level,
    summary_ci,
    t_half_width,
)
from blendsim.scenario import ServiceTarget

NAN = float("nan")

# outcome, wait, handle, wrap-up: the target is 20 s, short abandons are under 5 s.
ROWS = [
    ("served", 0.0, 100.0, 20.0),
    ("served", 10.0, 200.0, 0.0),
    ("served", 20.0, 300.0, 0.0),  # exactly at the target: within it
    ("served", 30.0, 400.0, 0.0),
    ("served", 50.0, 500.0, 0.0),
    ("abandoned", 3.0, NAN, NAN),  # a short abandon
    ("abandoned", 60.0, NAN, NAN),
    ("blocked", 0.0, NAN, NAN),
    ("balked", 0.0, NAN, NAN),
    ("unserved", 100.0, NAN, NAN),  # the longest wait, never answered
]


def contacts(rows=ROWS) -> pd.DataFrame:
    outcome, wait, handle, wrap = zip(*rows, strict=True)
    n = len(rows)
    return pd.DataFrame({"kind": "inbound", "type": "calls", "outcome": list(outcome),
                         "wait": list(wait), "handle": list(handle), "wrap_up": list(wrap),
                         "arrival_at": np.arange(n) * 100.0, "replication": 0,
                         "interval": [int(i >= 5) for i in range(n)]})


@pytest.mark.parametrize(("definition", "expected"), [
    ("offered", 3 / 10), ("answered", 3 / 5), ("short_abandons_excluded", 3 / 9)])
def test_service_level_under_each_definition(definition, expected):
    target = ServiceTarget(seconds=20, definition=definition, short_abandon=5)
    assert service_level(contacts(), target) == expected
    assert contact_metrics(contacts(), target)["service_level"] == expected
    table = contact_table(contacts(), target, ["replication"])
    assert table["service_level"].tolist() == [expected]


def test_asa_aht_abandon_rate_and_counts_by_hand():
    m = contact_metrics(contacts(), ServiceTarget(seconds=20))
    assert (m["offered"], m["answered"], m["abandoned"], m["blocked"], m["balked"],
            m["unserved"]) == (10, 5, 2, 1, 1, 1)
    assert m["asa"] == (0 + 10 + 20 + 30 + 50) / 5
    assert m["aht"] == (120 + 200 + 300 + 400 + 500) / 5
    assert m["abandon_rate"] == 2 / 10
    assert m["longest_wait"] == 100.0


def test_a_longer_target_counts_more_contacts_within_it():
    assert service_level(contacts(), ServiceTarget(seconds=30)) == 4 / 10
    assert service_level(contacts(), ServiceTarget(seconds=0)) == 1 / 10


def test_no_denominator_gives_nan_not_zero():
    only_abandoned = contacts([("abandoned", 40.0, NAN, NAN)])
    m = contact_metrics(only_abandoned, ServiceTarget(definition="answered"))
    assert math.isnan(m["service_level"]) and math.isnan(m["asa"])
    assert m["abandon_rate"] == 1.0
    short = contacts([("abandoned", 1.0, NAN, NAN)])
    assert math.isnan(service_level(short, ServiceTarget(definition="short_abandons_excluded")))


def test_the_table_per_key_gives_the_figures_of_each_set():
    target = ServiceTarget(seconds=20, definition="short_abandons_excluded")
    c = contacts()
    table = contact_table(c, target, ["interval"]).set_index("interval")
    assert list(table.columns) == list(CONTACT_METRICS)
    for k, part in c.groupby("interval"):
        expected = contact_metrics(part, target)
        got = table.loc[k].to_dict()
        for name in CONTACT_METRICS:
            assert got[name] == pytest.approx(expected[name], nan_ok=True), (k, name)
    # by hand: interval 0 holds the five served contacts, interval 1 the rest
    assert table.loc[0, "service_level"] == 3 / 5
    assert table.loc[1, "service_level"] == 0 / 4  # 5 offered minus one short abandon


def test_occupancy_and_utilisation_of_one_agent():
    # One agent, on 0..2700 s, scheduled 0..3600; two 900 s calls (wrap-up included).
    calls = pd.DataFrame({"kind": "inbound", "group": "team", "outcome": "served",
                          "answered_at": [0.0, 1800.0], "end_at": [900.0, 2700.0]})
    agents = pd.DataFrame({"group": ["team"], "on_at": [0.0], "off_at": [2700.0]})
    scheduled = pd.DataFrame({"group": ["team"], "start_at": [0.0], "end_at": [3600.0]})
    t = group_time_metrics(calls, agents, np.array([0.0, 1800.0, 3600.0]), scheduled)
    assert t["busy"].tolist() == [900.0, 900.0]
    assert t["logged_on"].tolist() == [1800.0, 900.0]
    assert t["occupancy"].tolist() == [0.5, 1.0]
    assert t["utilisation"].tolist() == [0.5, 0.5]


def test_the_half_width_is_student_t_bit_for_bit():
    n = pd.Series(np.arange(0, 300))
    std = pd.Series(np.linspace(0.1, 5.0, 300))
    got = t_half_width(std, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * std / np.sqrt(n)
    assert got[n > 1].tolist() == expected[n > 1].tolist()  # identical, not approximately
    assert got[n <= 1].isna().all()


def test_mean_ci_of_known_replication_values():
    values = [1.0, 2.0, 3.0, 4.0]
    table = pd.DataFrame({"point": ["a"] * 4 + ["b"], "asa": values + [7.0]})
    out = mean_ci(table, ["point"], ["asa"])
    half = stats.t.ppf(0.975, 3) * np.std(values, ddof=1) / 2
    assert out.loc["a", "asa"] == 2.5
    assert out.loc["a", "asa_ci_low"] == pytest.approx(2.5 - half, rel=1e-15)
    assert out.loc["a", "asa_ci_high"] == pytest.approx(2.5 + half, rel=1e-15)
    assert half == pytest.approx(2.0542, abs=1e-4)  # t(0.975, 3) = 3.1824
    # one replication: a mean but no interval
    assert out.loc["b", "asa"] == 7.0
    assert math.isnan(out.loc["b", "asa_ci_low"]) and math.isnan(out.loc["b", "asa_ci_high"])


def test_intervals_are_clipped_to_the_figures_range():
    table = pd.DataFrame({"service_level": [0.97, 1.0, 1.0], "abandon_rate": [0.0, 0.01, 0.0],
                          "asa": [0.5, 1.0, 1.5]})
    out = mean_ci(table, [], ["service_level", "abandon_rate", "asa"]).iloc[0]
    assert "service_level" in SHARES and "asa" not in SHARES
    assert out["service_level_ci_high"] == 1.0 and out["service_level_ci_low"] < 0.99
    assert out["abandon_rate_ci_low"] == 0.0 and out["abandon_rate_ci_high"] > 0.01
    assert out["asa_ci_high"] > 1.0  # not a share: not clipped at 1


def test_the_day_summary_has_the_same_interval_as_the_table():
    per = pd.DataFrame({"service_level": [0.7, 0.8, 0.9], "asa": [10.0, 20.0, 60.0]})
    s = summary_ci(per)
    wide = mean_ci(per, [], ["service_level", "asa"]).iloc[0]
    for name in ("service_level", "asa"):
        assert s.loc[name, "mean"] == pytest.approx(wide[name], rel=1e-15)
        assert s.loc[name, "ci_low"] == pytest.approx(wide[f"{name}_ci_low"], rel=1e-15)
        assert s.loc[name, "ci_high"] == pytest.approx(wide[f"{name}_ci_high"], rel=1e-15)
    assert s.loc["asa", "std"] == pytest.approx(np.std([10, 20, 60], ddof=1))
    assert s["replications"].tolist() == [3, 3]
