"""Hypothesis properties over small random blended days and seeds: every attempt has a final
outcome, no agent does two things at once, attempts per record, windows, the summary and
by-group figures add up, same seed gives the same records, and the per-record luck of common
random numbers."""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest
from builders import OPEN
from hypothesis import given
from hypothesis import strategies as st

from blendsim import (
    AgentGroup,
    Day,
    Dedicated,
    Deterministic,
    Exponential,
    InboundType,
    OutboundCampaign,
    Scenario,
    Segment,
    ServiceLevelGuard,
    Shift,
    Threshold,
    TimeWindows,
    simulate,
)

# --------------------------------------------------------------------------------------------
# Properties over random small blended days and seeds


INTERVAL = 1800.0
REPS = 2
OUTBOUND_OUTCOMES = {"failed", "served", "mismatch"}


@st.composite
def durations(draw, *, low, high, zero=True):
    if draw(st.booleans()):
        return Deterministic(value=draw(st.integers(0 if zero else 1, high)))
    return Exponential(mean=draw(st.integers(low, high)))


def _clock(draw, n_int):
    """A window (start, end) inside the day, whole minutes."""
    start = draw(st.integers(0, n_int * 30 - 1))
    end = draw(st.integers(start + 1, n_int * 30))
    return (OPEN + 60.0 * start, OPEN + 60.0 * end)


@st.composite
def blended_days(draw):
    n_int = draw(st.integers(1, 2))
    close = OPEN + n_int * INTERVAL

    def headcount(low, high):
        return tuple(draw(st.lists(st.integers(low, high), min_size=n_int, max_size=n_int)))

    inbound = InboundType(
        name="calls", volume=headcount(0, 25), handle_time=draw(durations(low=30, high=400)),
        wrap_up=draw(st.none() | durations(low=1, high=30)),
        patience=draw(st.none() | durations(low=10, high=300)))
    groups = []
    if draw(st.booleans()):
        groups.append(AgentGroup(name="B", skills=("calls",), outbound=("list",),
                                 headcount=headcount(0, 3)))
    else:
        start = OPEN + 60 * draw(st.integers(-10, n_int * 30 - 1))
        groups.append(AgentGroup(name="B", skills=("calls",), outbound=("list",), shifts=(
            Shift(start_at=start, end_at=start + 60 * draw(st.integers(1, 90)),
                  count=draw(st.integers(1, 3))),)))
    if draw(st.booleans()):
        groups.append(AgentGroup(name="I", skills=("calls",), headcount=headcount(0, 2)))
    if draw(st.booleans()):
        groups.append(AgentGroup(name="O", outbound=("list",), headcount=headcount(0, 2)))
    dialling = [g.name for g in groups if g.outbound]
    segments = ()
    if draw(st.booleans()):
        segments = (Segment(name="s1", share=draw(st.sampled_from([0.3, 1.0, 3.0])),
                            groups=(draw(st.sampled_from(dialling)),)),
                    Segment(name="s2", groups=tuple(draw(st.permutations(dialling)))))
    if draw(st.booleans()):
        p = draw(st.sampled_from([0.0, 0.3, 0.7, 1.0]))
    else:
        p = tuple(draw(st.lists(st.sampled_from([0.0, 0.2, 0.5, 1.0]), min_size=n_int,
                                max_size=n_int)))
    camp = OutboundCampaign(
        name="list", talk_time=draw(durations(low=20, high=300, zero=False)),
        list_size=draw(st.none() | st.integers(0, 30)), segments=segments,
        windows=(_clock(draw, n_int),) if draw(st.booleans()) else None,
        stop_before_close=draw(st.sampled_from([0.0, 0.0, 300.0, 1200.0])),
        connect_probability=p, attempt_time=draw(durations(low=5, high=40, zero=False)),
        connect_time=draw(durations(low=2, high=15)),
        wrap_up=draw(st.none() | durations(low=1, high=30)),
        max_attempts=draw(st.integers(1, 3)),
        retry_after=draw(st.sampled_from([0.0, 120.0, 600.0])),
        dial_ratio=draw(st.sampled_from([1.0, 1.0, 1.5, 2.0, 3.0])),
        connected_patience=draw(durations(low=1, high=6)))
    kind = draw(st.sampled_from(["default", "threshold", "dedicated", "guard", "windows",
                                 "windows+threshold"]))
    policies = {
        "default": [],
        "threshold": [Threshold(reserve=draw(st.integers(0, 3)),
                                min_idle_blended=draw(st.integers(1, 2)))],
        "dedicated": [Dedicated()],
        "guard": [ServiceLevelGuard(level=draw(st.sampled_from([0.5, 0.8])),
                                    seconds=draw(st.sampled_from([0.0, 20.0, 60.0])),
                                    window=draw(st.sampled_from([300.0, 900.0])))],
        "windows": [TimeWindows(windows=(_clock(draw, n_int),))],
        "windows+threshold": [TimeWindows(windows=(_clock(draw, n_int),)),
                              Threshold(reserve=draw(st.integers(0, 2)))],
    }[kind]
    return Scenario(name="random blend", day=Day(open_at=OPEN, close_at=close,
                                                 interval=INTERVAL),
                    inbound=[inbound], groups=groups, outbound=[camp], blending=policies)


seeds = st.integers(0, 2**32 - 1)


@functools.lru_cache(maxsize=128)
def _simulated(sc: Scenario, seed: int):
    return simulate(sc, replications=REPS, seed=seed)


def _one(frame, r):
    return frame[frame["replication"] == r].reset_index(drop=True)


def record_ids(out: pd.DataFrame, max_attempts: int) -> np.ndarray:
    """The record each outbound row (one replication) belongs to, within its segment.

    Records are numbered in the order of their first attempt.  A retry is due
    ``retry_after`` after the failure and the dialler takes due retries earliest first, so
    the k-th attempts of a segment, in dialling order, are the retries of its failed
    (k-1)-th attempts in order of failure (ties by record).
    """
    ids = np.full(len(out), -1)
    attempt = out["attempt"].to_numpy()
    failed = (out["outcome"] == "failed").to_numpy()
    end = out["end_at"].to_numpy(dtype=float)
    segment = out["segment"].astype(str).to_numpy()
    for s in np.unique(segment):
        mine = segment == s
        first = np.flatnonzero(mine & (attempt == 1))
        ids[first] = np.arange(first.size)
        for k in range(2, max_attempts + 1):
            prev = np.flatnonzero(mine & (attempt == k - 1) & failed)
            prev = prev[np.lexsort((ids[prev], end[prev]))]
            now = np.flatnonzero(mine & (attempt == k))
            assert now.size <= prev.size, "more retries than failed attempts before them"
            ids[now] = ids[prev[:now.size]]
    assert (ids >= 0).all()
    return ids


def _luck(out: pd.DataFrame) -> pd.DataFrame:
    """What chance decided about each attempt: connected or not, and its durations."""
    outcome = out["outcome"].astype(str).to_numpy()
    dial = out["arrival_at"].to_numpy(dtype=float)
    end = out["end_at"].to_numpy(dtype=float)
    wait = out["wait"].to_numpy(dtype=float)
    answered = out["answered_at"].to_numpy(dtype=float)
    connected = outcome != "failed"
    connect_at = np.where(outcome == "served", answered - wait, end - wait)
    return pd.DataFrame({
        "connected": connected,
        "attempt_time": np.where(connected, np.nan, end - dial),
        "connect_time": np.where(connected, connect_at - dial, np.nan),
        "talk": np.where(outcome == "served", out["handle"].to_numpy(dtype=float), np.nan),
    })


def _spans_by_agent(c: pd.DataFrame, ready: pd.DataFrame) -> dict[str, list]:
    """Per agent: (start, end, what) of every inbound call, outbound talk and ready span."""
    spans: dict[str, list] = {}
    served = c[c["outcome"] == "served"]
    for r in served.itertuples(index=False):
        spans.setdefault(str(r.agent), []).append(
            (float(r.answered_at), float(r.end_at), str(r.kind)))
    for r in ready.itertuples(index=False):
        spans.setdefault(str(r.agent), []).append((float(r.from_at), float(r.to_at), "ready"))
    return spans


@given(sc=blended_days(), seed=seeds)
def test_outbound_rows_are_complete_and_records_follow_the_campaign_rules(sc, seed):
    camp = sc.outbound[0]
    res = _simulated(sc, seed)
    stop_at = sc.day.close_at - camp.stop_before_close
    windows = camp.windows or ((sc.day.open_at, sc.day.close_at),)
    for r in range(REPS):
        c = _one(res.contacts, r)
        out = c[c["kind"] == "outbound"].reset_index(drop=True)
        outcome = out["outcome"].astype(str)
        assert set(outcome) <= OUTBOUND_OUTCOMES  # every attempt ended one way
        dial = out["arrival_at"].to_numpy(dtype=float)
        # dialling only inside the calling windows and before the stop
        assert all(dial < stop_at)
        assert all(any(a <= t < b for a, b in windows) for t in dial)
        assert (np.diff(dial) >= 0).all()  # rows in the order they were dialled
        # what each outcome fills in
        served = (outcome == "served").to_numpy()
        assert out["agent"][served].notna().all() and out["agent"][~served].isna().all()
        end = out["end_at"].to_numpy(dtype=float)
        answered = out["answered_at"].to_numpy(dtype=float)
        np.testing.assert_allclose(
            end[served], answered[served] + out["handle"].to_numpy(float)[served]
            + out["wrap_up"].to_numpy(float)[served])
        assert (end >= dial).all()
        assert (out["wait"][~(outcome == "failed")].to_numpy(float) >= 0).all()
        # per record: at most max_attempts, a retry only after a failure, retry_after apart
        assert out["attempt"].between(1, camp.max_attempts).all()
        ids = record_ids(out, camp.max_attempts)
        seg = out["segment"].cat.codes.to_numpy()
        order = np.lexsort((out["attempt"].to_numpy(), ids, seg))
        seg, rec = seg[order], ids[order]
        att = out["attempt"].to_numpy()[order]
        same = (seg[1:] == seg[:-1]) & (rec[1:] == rec[:-1])  # row i+1 retries row i's record
        assert att[:1].tolist() in ([], [1]) and (att[1:][~same] == 1).all()
        assert (att[1:][same] == att[:-1][same] + 1).all()
        assert (outcome.to_numpy()[order][:-1][same] == "failed").all()  # a reached one rests
        gaps = dial[order][1:][same] - end[order][:-1][same]
        assert (gaps >= camp.retry_after - 1e-6).all()
        if camp.list_size is not None:  # no more records than the list holds
            assert len(set(zip(seg, rec, strict=True))) <= camp.list_size


@given(sc=blended_days(), seed=seeds)
def test_no_agent_does_two_things_at_once_and_policies_hold(sc, seed):
    res = _simulated(sc, seed)
    group_of = {a: g for a, g, _, _ in sc.agent_periods()}
    policy_windows = [w for p in sc.blending if isinstance(p, TimeWindows) for w in p.windows]
    dedicated = any(isinstance(p, Dedicated) for p in sc.blending)
    for r in range(REPS):
        c = _one(res.contacts, r)
        ready = _one(res.ready, r)
        agents = _one(res.agents, r)
        logs: dict[str, list] = {}
        for a in agents.itertuples(index=False):
            logs.setdefault(str(a.agent), []).append((float(a.on_at), float(a.off_at)))
        for agent, spans in _spans_by_agent(c, ready).items():
            spans.sort()
            for (s1, e1, w1), (s2, e2, w2) in zip(spans, spans[1:], strict=False):
                assert e1 <= s2 + 1e-9, f"{agent}: {w1} [{s1}, {e1}) overlaps {w2} [{s2}, {e2})"
            for s, e, what in spans:  # and only while logged on
                assert any(on <= s and e <= off + 1e-9 for on, off in logs[agent]), (
                    agent, s, e, what)
        # who may dial: outbound-capable agents, blended ones only as the policies allow
        for a in ready.itertuples(index=False):
            g = group_of[str(a.agent)]
            assert sc.group(g).outbound
            if sc.group(g).skills:
                assert not dedicated
                if policy_windows:
                    assert any(s <= a.from_at < e for s, e in policy_windows)
        # inbound calls only for skilled agents
        inbound = c[(c["kind"] == "inbound") & (c["outcome"] == "served")]
        assert all(sc.group(group_of[str(a)]).skills for a in inbound["agent"])


@given(sc=blended_days(), seed=seeds)
def test_summary_and_group_figures_add_up(sc, seed):
    res = _simulated(sc, seed)
    per = res.replication_summary().set_index("replication")
    for r in range(REPS):
        out = res.contacts[(res.contacts["replication"] == r)
                           & (res.contacts["kind"] == "outbound")]
        row = per.loc[r]
        assert row["attempts"] == len(out)
        assert row["conversations"] == (out["outcome"] == "served").sum()
        assert row["mismatches"] == (out["outcome"] == "mismatch").sum()
        assert row["connects"] == row["conversations"] + row["mismatches"]
        if row["attempts"]:
            assert row["connect_rate"] == pytest.approx(row["connects"] / row["attempts"])
        else:
            assert math.isnan(row["connect_rate"])
        if row["connects"]:
            assert row["mismatch_rate"] == pytest.approx(row["mismatches"] / row["connects"])
        else:
            assert math.isnan(row["mismatch_rate"])
    s = res.summary()
    for fig in ("attempts", "connects", "conversations", "mismatches", "connect_rate",
                "mismatch_rate", "occupancy"):
        values = per[fig].dropna()
        if len(values):
            assert s.loc[fig, "mean"] == pytest.approx(values.mean())
    assert s.loc["connects", "mean"] == pytest.approx(
        s.loc["conversations", "mean"] + s.loc["mismatches", "mean"])
    occ = per["occupancy"].dropna()
    assert ((occ >= 0) & (occ <= 1 + 1e-9)).all()
    occ = res.by_interval()["occupancy"].dropna()
    assert ((occ >= 0) & (occ <= 1 + 1e-9)).all()

    g = res.by_group().set_index("group")
    np.testing.assert_allclose(g["inbound_hours"] + g["outbound_hours"] + g["idle_hours"],
                               g["agent_hours"], atol=1e-9)
    for col in ("inbound_hours", "outbound_hours", "idle_hours"):
        assert (g[col] >= -1e-9).all(), col
    # outbound hours: outbound conversations (wrap-up included) and ready spans, per group
    group_of = {a: grp for a, grp, _, _ in sc.agent_periods()}
    c = res.contacts
    talk = c[(c["kind"] == "outbound") & (c["outcome"] == "served")]
    hours = {}
    for name in g.index:
        mine = talk["group"].astype(str) == name
        seconds = (talk["end_at"] - talk["answered_at"])[mine].sum()
        rd = res.ready[res.ready["agent"].astype(str).map(group_of) == name]
        seconds += (rd["to_at"] - rd["from_at"]).sum()
        hours[name] = seconds / 3600.0 / REPS
    np.testing.assert_allclose(g["outbound_hours"], pd.Series(hours)[g.index], atol=1e-9)
    answered = c[(c["kind"] == "inbound") & (c["outcome"] == "served")]
    for name in g.index:
        assert g.loc[name, "answered"] == pytest.approx(
            (answered["group"].astype(str) == name).sum() / REPS)
        assert g.loc[name, "conversations"] == pytest.approx(
            (talk["group"].astype(str) == name).sum() / REPS)


@given(sc=blended_days(), seed=seeds)
def test_same_seed_same_records(sc, seed):
    a = _simulated(sc, seed)
    b = simulate(sc, replications=REPS, seed=seed)
    pd.testing.assert_frame_equal(a.contacts, b.contacts)
    pd.testing.assert_frame_equal(a.ready, b.ready)
    pd.testing.assert_frame_equal(a.agents, b.agents)


@st.composite
def crn_days(draw):
    """A blended day with luck in every attempt: two segments, retries, random durations."""
    n_int = 2
    segments = (Segment(name="s1", share=1.0), Segment(name="s2", share=2.0))
    camp = OutboundCampaign(
        name="list", talk_time=Exponential(mean=draw(st.integers(30, 200))),
        list_size=draw(st.none() | st.integers(10, 60)), segments=segments,
        connect_probability=draw(st.sampled_from([0.2, 0.5, 0.8])),
        attempt_time=Exponential(mean=draw(st.integers(5, 30))),
        connect_time=Exponential(mean=draw(st.integers(1, 10))),
        max_attempts=draw(st.integers(1, 3)),
        retry_after=draw(st.sampled_from([60.0, 300.0])),
        dial_ratio=draw(st.sampled_from([1.0, 2.0])),
        connected_patience=Exponential(mean=3.0))
    inbound = InboundType(name="calls", volume=tuple(draw(st.lists(
        st.integers(0, 20), min_size=n_int, max_size=n_int))),
        handle_time=Exponential(mean=draw(st.integers(60, 300))))
    blend = draw(st.integers(1, 3))
    return Scenario(name="crn", day=Day(open_at=OPEN, close_at=OPEN + n_int * INTERVAL,
                                        interval=INTERVAL),
                    inbound=[inbound],
                    groups=[AgentGroup(name="B", skills=("calls",), outbound=("list",),
                                       headcount=(blend,) * n_int)],
                    outbound=[camp], blending=[Threshold(reserve=draw(st.integers(0, 1)))])


def luck_table(contacts: pd.DataFrame, max_attempts: int) -> pd.DataFrame:
    """Each outbound attempt's luck, indexed by (segment, record, attempt)."""
    out = contacts[contacts["kind"] == "outbound"].reset_index(drop=True)
    luck = _luck(out)
    luck["segment"] = out["segment"].astype(str).to_numpy()
    luck["record"] = record_ids(out, max_attempts)
    luck["attempt"] = out["attempt"].to_numpy()
    return luck.set_index(["segment", "record", "attempt"])


def compare_luck(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """The attempts dialled in both runs, side by side (columns ``*_a`` and ``*_b``)."""
    return a.add_suffix("_a").join(b.add_suffix("_b"), how="inner")


def assert_same_luck(both: pd.DataFrame):
    assert (both["connected_a"] == both["connected_b"]).all()
    for col in ("attempt_time", "connect_time"):
        np.testing.assert_allclose(both[f"{col}_a"], both[f"{col}_b"], rtol=1e-9, atol=1e-6)
    # the talk time shows only where both runs held the conversation (not a mismatch)
    talked = both["talk_a"].notna() & both["talk_b"].notna()
    np.testing.assert_allclose(both["talk_a"][talked], both["talk_b"][talked], rtol=1e-9,
                               atol=1e-6)


def _more_blended(sc: Scenario, more: int) -> Scenario:
    g = sc.groups[0]
    return sc.replace(groups=(AgentGroup(name=g.name, skills=g.skills, outbound=g.outbound,
                                         headcount=tuple(h + more for h in g.headcount)),))


@given(sc=crn_days(), seed=seeds, more=st.integers(1, 3))
def test_common_random_numbers_give_each_attempt_the_same_luck(sc, seed, more):
    # Two staffing plans (more blended agents in the second) call records in a different
    # order and number; the k-th attempt of record r of a segment must have the same luck in
    # both: connected or not, and the same attempt, connect and talk times.
    k = sc.outbound[0].max_attempts
    small, large = (luck_table(simulate(x, replications=1, seed=seed).contacts, k)
                    for x in (sc, _more_blended(sc, more)))
    both = compare_luck(small, large)
    if len(small):
        assert len(both) > 0  # the first record of a segment is called in both plans
    assert_same_luck(both)


def test_common_random_numbers_a_fixed_example_shares_most_records():
    # The property above on one day where both plans dial many of the same records, so the
    # comparison is not vacuous; and the luck really differs between records.
    sc = Scenario(
        name="crn", day=Day(open_at=OPEN, close_at=OPEN + 2 * INTERVAL, interval=INTERVAL),
        inbound=[InboundType(name="calls", volume=(10, 10), handle_time=Exponential(mean=200))],
        groups=[AgentGroup(name="B", skills=("calls",), outbound=("list",), headcount=(2, 2))],
        outbound=[OutboundCampaign(
            name="list", talk_time=Exponential(mean=120),
            segments=(Segment(name="s1"), Segment(name="s2", share=2.0)),
            connect_probability=0.4, attempt_time=Exponential(mean=20),
            connect_time=Exponential(mean=5), max_attempts=3, retry_after=300.0)])
    small, large = (luck_table(simulate(x, replications=1, seed=7).contacts, 3)
                    for x in (sc, _more_blended(sc, 2)))
    both = compare_luck(small, large)
    assert len(large) > len(small) > 50
    assert len(both) > 0.8 * len(small)
    assert (both.reset_index()["attempt"] > 1).any()  # retries are compared too
    assert 0 < both["connected_a"].mean() < 1
    assert_same_luck(both)
    for col in ("attempt_time", "connect_time", "talk"):
        assert both[f"{col}_a"].dropna().nunique() > 5  # the luck differs between records
    # and a wrong pairing would be caught: shifting the records by one breaks the match
    shifted = small.reset_index()
    shifted["record"] += 1
    with pytest.raises(AssertionError):
        assert_same_luck(compare_luck(shifted.set_index(["segment", "record", "attempt"]),
                                      large))
