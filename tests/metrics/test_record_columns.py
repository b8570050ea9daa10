"""The columns and dtypes of the records (``blendsim.metrics.records``) a simulated day fills:
drawn contacts, contacts and agents."""

from __future__ import annotations

import numpy as np
import pandas as pd
from builders import CONTACT_COLUMNS, busy_day, calls, day_of, group_of, log

from blendsim.engine.acd import draw_contacts, run_day
from blendsim.metrics.records import OUTCOMES, Records

# --------------------------------------------------------------------------------------------
# Columns and dtypes


AGENT_COLUMNS = ["replication", "agent", "group", "on_at", "off_at"]


def _two_type_day():
    return day_of([calls("a", (0, 10, 20), handle=100, patience=15),
                   calls("b", (5, 6), handle=50, wrap=10, queue_capacity=1)],
                  [group_of("A", ("a", "b"), headcount=(1,)),
                   group_of("B", ("b",), headcount=(0,))])


def test_draw_contacts_columns():
    sc = busy_day()
    d = draw_contacts(sc, 2, 0)
    n = d.arrival_at.size
    assert n > 100
    for field in ("arrival_at", "handle", "wrap_up", "give_up_at"):
        arr = getattr(d, field)
        assert arr.dtype == np.float64 and arr.shape == (n,), field
    assert np.issubdtype(d.type.dtype, np.integer) and d.type.shape == (n,)
    assert d.balks.dtype == bool and d.balks.shape == (n,)
    assert (np.diff(d.arrival_at) >= 0).all()
    assert ((d.arrival_at >= sc.day.open_at) & (d.arrival_at < sc.day.close_at)).all()
    assert (d.give_up_at >= d.arrival_at).all() and (d.handle > 0).all()
    # no patience: never hangs up; no wrap-up: zero; no balking: never balks
    plain = draw_contacts(day_of([calls(times=(3, 1, 2))], [group_of()]), 0, 0)
    np.testing.assert_array_equal(plain.arrival_at, [1.0, 2.0, 3.0])
    assert np.isinf(plain.give_up_at).all() and (plain.wrap_up == 0).all()
    assert not plain.balks.any()


def test_run_day_returns_records_with_documented_arrays():
    sc = _two_type_day()
    rec = run_day(sc, seed=0, replication=4)
    assert isinstance(rec, Records)
    assert rec.replication == 4 and len(rec) == 5
    assert rec.type_names == ("a", "b") and rec.group_names == ("A", "B")
    assert rec.agent_names == ("A-1",)
    for field in ("arrival_at", "answered_at", "end_at", "wait", "handle", "wrap_up",
                  "agent_log_on_at", "agent_log_off_at"):
        assert getattr(rec, field).dtype == np.float64, field
    for field in ("type", "agent", "group", "agent_log_agent", "agent_log_group"):
        assert np.issubdtype(getattr(rec, field).dtype, np.integer), field
    assert [OUTCOMES[k] for k in rec.outcome] == [
        "served", "served", "blocked", "abandoned", "abandoned"]
    # codes: -1 for no agent and no group
    assert rec.agent.tolist() == [0, 0, -1, -1, -1] and rec.group.tolist() == [0, 0, -1, -1, -1]


def test_records_contacts_columns_and_dtypes():
    c = run_day(_two_type_day(), seed=0, replication=4).contacts()
    assert list(c.columns) == CONTACT_COLUMNS
    assert c["replication"].tolist() == [4] * 5
    assert np.issubdtype(c["replication"].dtype, np.integer)
    assert np.issubdtype(c["contact"].dtype, np.integer)
    for col in ("arrival_at", "answered_at", "end_at", "wait", "handle", "wrap_up"):
        assert c[col].dtype == np.float64, col
    for col, cats in (("kind", ["inbound", "outbound"]), ("type", ["a", "b"]),
                      ("outcome", list(OUTCOMES)), ("group", ["A", "B"]), ("agent", ["A-1"])):
        assert isinstance(c[col].dtype, pd.CategoricalDtype), col
        assert list(c[col].cat.categories) == cats, col
    assert (c["kind"] == "inbound").all()
    assert log(_two_type_day(), ("type", "arrival_at", "outcome", "group", "agent",
                                 "answered_at", "end_at", "wait", "handle", "wrap_up")) == [
        ("a", 0.0, "served", "A", "A-1", 0.0, 100.0, 0.0, 100.0, 0.0),
        ("b", 5.0, "served", "A", "A-1", 100.0, 160.0, 95.0, 50.0, 10.0),
        ("b", 6.0, "blocked", None, None, None, 6.0, 0.0, None, None),
        ("a", 10.0, "abandoned", None, None, None, 25.0, 15.0, None, None),
        ("a", 20.0, "abandoned", None, None, None, 35.0, 15.0, None, None),
    ]


def test_records_agents_columns_and_dtypes():
    a = run_day(_two_type_day(), seed=0, replication=4).agents()
    assert list(a.columns) == AGENT_COLUMNS
    assert a["replication"].tolist() == [4]
    assert isinstance(a["agent"].dtype, pd.CategoricalDtype)
    assert list(a["agent"].cat.categories) == ["A-1"]
    assert isinstance(a["group"].dtype, pd.CategoricalDtype)
    assert list(a["group"].cat.categories) == ["A", "B"]
    assert a["on_at"].dtype == np.float64 and a["off_at"].dtype == np.float64
    assert a[["agent", "group", "on_at", "off_at"]].astype(object).values.tolist() == [
        ["A-1", "A", 0.0, 3600.0]]


def test_empty_agent_log_keeps_its_columns():
    sc = day_of([calls(times=(5,), patience=50)], [group_of(headcount=(0,))])
    rec = run_day(sc, seed=0)
    a = rec.agents()
    assert list(a.columns) == AGENT_COLUMNS and len(a) == 0
    assert list(a["group"].cat.categories) == ["team"]
    assert rec.contacts()["outcome"].astype(str).tolist() == ["abandoned"]
