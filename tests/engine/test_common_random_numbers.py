"""Common random numbers in the engine: staffing and extra call types do not change anyone's
contacts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from builders import OPEN, busy_day

from blendsim import (
    AgentGroup,
    Day,
    Exponential,
    InboundType,
    Scenario,
    simulate,
)
from blendsim.engine.acd import draw_contacts, run_day

# --------------------------------------------------------------------------------------------
# Common random numbers


def _both_served(a, b):
    m = (a["outcome"] == "served") & (b["outcome"] == "served")
    return a[m], b[m]


def test_one_more_agent_sees_the_same_contacts():
    base = busy_day()
    more = base.replace(groups=(AgentGroup(name="team", skills=["sales"],
                                           headcount=[7, 9, 6]),))
    a = simulate(base, replications=2, seed=3).contacts
    b = simulate(more, replications=2, seed=3).contacts
    assert len(a) == len(b) > 300
    pd.testing.assert_series_equal(a["arrival_at"], b["arrival_at"])
    pa, pb = _both_served(a, b)
    assert len(pa) > 200
    pd.testing.assert_series_equal(pa["handle"], pb["handle"])
    pd.testing.assert_series_equal(pa["wrap_up"], pb["wrap_up"])
    # hang-ups in both runs waited their own, common, patience
    m = (a["outcome"] == "abandoned") & (b["outcome"] == "abandoned")
    assert m.sum() > 5
    pd.testing.assert_series_equal(a.loc[m, "wait"], b.loc[m, "wait"])
    # the staffing differs, so the outcomes do: one more agent answers more, sooner
    assert (b["outcome"] == "served").sum() > (a["outcome"] == "served").sum()
    assert b.loc[b["outcome"] == "served", "wait"].mean() < \
        a.loc[a["outcome"] == "served", "wait"].mean()
    # and the draws themselves do not depend on the staffing
    for r in range(2):
        da, db = draw_contacts(base, 3, r), draw_contacts(more, 3, r)
        for field in ("arrival_at", "type", "handle", "wrap_up", "give_up_at", "balks"):
            np.testing.assert_array_equal(getattr(da, field), getattr(db, field))


def test_a_new_inbound_type_does_not_change_the_existing_ones_contacts():
    base = busy_day()
    extra = InboundType(name="service", volume=[30, 30, 30], handle_time=Exponential(mean=300),
                        patience=Exponential(mean=60))
    wider = base.replace(inbound=(*base.inbound, extra),
                         groups=(AgentGroup(name="team", skills=["sales", "service"],
                                            headcount=[6, 8, 5]),))
    for r in range(2):
        da, db = draw_contacts(base, 9, r), draw_contacts(wider, 9, r)
        mine = db.type == 0
        assert (~mine).sum() > 30
        for field in ("arrival_at", "handle", "wrap_up", "give_up_at", "balks"):
            np.testing.assert_array_equal(getattr(da, field), getattr(db, field)[mine])
    a = simulate(base, replications=1, seed=9).contacts
    b = simulate(wider, replications=1, seed=9).contacts
    b_sales = b[b["type"] == "sales"].reset_index(drop=True)
    np.testing.assert_array_equal(a["arrival_at"].to_numpy(), b_sales["arrival_at"].to_numpy())
    pa, pb = _both_served(a, b_sales)
    assert len(pa) > 50
    np.testing.assert_array_equal(pa["handle"].to_numpy(), pb["handle"].to_numpy())


def test_changing_another_types_volume_leaves_a_type_untouched():
    two = [InboundType(name="sales", volume=[20, 20, 20], handle_time=Exponential(mean=200)),
           InboundType(name="service", volume=[10, 10, 10], handle_time=Exponential(mean=200))]
    base = Scenario(day=Day(open_at=OPEN, close_at=OPEN + 3 * 1800, interval=1800),
                    inbound=two, groups=[AgentGroup(name="t", skills=["sales", "service"],
                                                    headcount=[3, 3, 3])])
    busier = base.replace(inbound=(two[0], InboundType(name="service", volume=[40, 40, 40],
                                                       handle_time=Exponential(mean=200))))
    da, db = draw_contacts(base, 4, 0), draw_contacts(busier, 4, 0)
    np.testing.assert_array_equal(da.arrival_at[da.type == 0], db.arrival_at[db.type == 0])
    np.testing.assert_array_equal(da.handle[da.type == 0], db.handle[db.type == 0])
    assert (db.type == 1).sum() > (da.type == 1).sum()


def test_balkers_are_drawn_with_the_balk_probability():
    sc = busy_day(volume=[400, 400, 400], balk_probability=0.25)
    d = draw_contacts(sc, 8, 0)
    n = d.balks.size
    assert n > 1000
    assert abs(d.balks.mean() - 0.25) < 4 * math.sqrt(0.25 * 0.75 / n)
    # in the day itself, a quarter of those who had to wait balked
    c = run_day(sc.replace(groups=(AgentGroup(name="team", skills=["sales"],
                                               headcount=[3, 3, 3]),)), seed=8).contacts()
    waited = (c["outcome"] != "served") | (c["answered_at"] > c["arrival_at"])
    share = (c.loc[waited, "outcome"] == "balked").mean()
    assert abs(share - 0.25) < 4 * math.sqrt(0.25 * 0.75 / waited.sum())


def test_each_replication_draws_its_own_contacts():
    sc = busy_day()
    d0, d1 = draw_contacts(sc, 1, 0), draw_contacts(sc, 1, 1)
    assert d0.arrival_at.shape != d1.arrival_at.shape or not np.array_equal(
        d0.arrival_at, d1.arrival_at)
    again = draw_contacts(sc, 1, 1)
    np.testing.assert_array_equal(d1.handle, again.handle)
