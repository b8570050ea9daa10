"""Exact event logs of tiny deterministic blended days: what each blending policy decides, how
the dialler spends an agent's time (failed attempts, retries, lists, windows, predictive
mismatches, segments), and that outbound work is never pre-empted.

Times are seconds after an ``open_at`` of 0, so they read as offsets."""

from __future__ import annotations

import pytest
from builders import fixed, plain

from blendsim import (
    AgentGroup,
    Day,
    Dedicated,
    InboundType,
    OutboundCampaign,
    Scenario,
    ScenarioError,
    Segment,
    ServiceLevelGuard,
    Threshold,
    TimeWindows,
    simulate,
)

# --------------------------------------------------------------------------------------------
# Exact event logs of tiny days


def calls(times=(), *, handle=100, patience=None, **kw):
    """Inbound calls at fixed instants with deterministic durations (seconds)."""
    return InboundType(name="calls", arrival_times=tuple(times), handle_time=fixed(handle),
                       patience=fixed(patience), **kw)


def campaign(*, talk=100, p=1.0, attempt=0, connect=0, patience=2, **kw):
    """A campaign with deterministic durations: connects with probability ``p``."""
    return OutboundCampaign(name="list", talk_time=fixed(talk), connect_probability=p,
                            attempt_time=fixed(attempt), connect_time=fixed(connect),
                            connected_patience=fixed(patience), **kw)


def blended(name="blend", n=1):
    return AgentGroup(name=name, skills=("calls",), outbound=("list",), headcount=(n,))


def inbound_only(name="inb", n=1):
    return AgentGroup(name=name, skills=("calls",), headcount=(n,))


def outbound_only(name="out", n=1):
    return AgentGroup(name=name, outbound=("list",), headcount=(n,))


def tiny(inbound, groups, camp, policies=(), *, close=3600):
    return Scenario(name="tiny", day=Day(open_at=0, close_at=close, interval=3600),
                    inbound=[inbound], groups=list(groups), outbound=[camp],
                    blending=list(policies))


def _rows(frame, columns):
    return [tuple(plain(v) for v in row) for row in frame[list(columns)].itertuples(index=False)]


class Log:
    """Replication 0 (seed 0) of a tiny day, as tuples.

    ``inbound``: (arrival_at, outcome, agent, answered_at, end_at);
    ``outbound``: (dialled at, attempt, outcome, agent, answered_at, end_at);
    ``ready``: (agent, from_at, to_at).
    """

    def __init__(self, scenario):
        res = simulate(scenario, replications=1, seed=0)
        c = res.contacts
        self.contacts = c
        self.inbound = _rows(c[c["kind"] == "inbound"],
                             ("arrival_at", "outcome", "agent", "answered_at", "end_at"))
        self.out_frame = c[c["kind"] == "outbound"]
        self.outbound = _rows(self.out_frame, ("arrival_at", "attempt", "outcome", "agent",
                                               "answered_at", "end_at"))
        self.ready = _rows(res.ready, ("agent", "from_at", "to_at"))

    def dials(self, agent=None):
        """Instants outbound conversations started, by ``agent`` (or anyone)."""
        return [r[0] for r in self.outbound if agent is None or r[3] == agent]


def every(start, stop, step):
    return [float(t) for t in range(start, stop, step)]


def test_threshold_keeps_the_reserve_idle_and_dials_with_the_rest():
    # Two blended agents, reserve 1, calls that connect at once and last 100 s.  At 0 blend-1
    # would leave nobody idle (it stays); blend-2 would leave blend-1 idle (it dials, and
    # redials at each end).  At 150 blend-1 answers a caller: from 200 blend-2 may no longer
    # dial, and stays idle; at 450 blend-1 finds blend-2 idle and dials in its turn.
    log = Log(tiny(calls((150,), handle=300), [blended(n=2)], campaign(talk=100),
                   [Threshold(reserve=1)]))
    assert log.inbound == [(150.0, "served", "blend-1", 150.0, 450.0)]
    assert log.dials("blend-2") == [0.0, 100.0]
    assert log.dials("blend-1") == every(450, 3600, 100)
    assert log.outbound[:3] == [
        (0.0, 1.0, "served", "blend-2", 0.0, 100.0),
        (100.0, 1.0, "served", "blend-2", 100.0, 200.0),
        (450.0, 1.0, "served", "blend-1", 450.0, 550.0),
    ]
    # a connect at once: each dial is a ready span of length 0 just before the talk
    assert log.ready[:3] == [("blend-2", 0.0, 0.0), ("blend-2", 100.0, 100.0),
                             ("blend-1", 450.0, 450.0)]


def test_threshold_counts_idle_inbound_only_agents_in_the_reserve():
    # An idle inbound-only agent is the reserve, so both blended agents dial at 0.  When it
    # answers a caller (50-350), the first blended agent to finish (blend-1 at 100) stays in
    # reserve and blend-2, finding blend-1 idle, dials on.
    log = Log(tiny(calls((50,), handle=300), [inbound_only(), blended(n=2)],
                   campaign(talk=100), [Threshold(reserve=1)]))
    assert log.inbound == [(50.0, "served", "inb-1", 50.0, 350.0)]
    assert log.dials("blend-1") == [0.0]
    assert log.dials("blend-2") == every(0, 3600, 100)


def test_threshold_reserve_zero_dials_with_everyone():
    log = Log(tiny(calls(()), [blended(n=2)], campaign(talk=100), [Threshold(reserve=0)]))
    assert log.dials("blend-1") == log.dials("blend-2") == every(0, 3600, 100)


def test_threshold_min_idle_blended():
    # reserve 0 but at least 2 idle blended agents (counting the one asking): an idle
    # inbound-only agent does not count, so with two blended agents only one dials.
    log = Log(tiny(calls(()), [inbound_only(), blended(n=2)], campaign(talk=100),
                   [Threshold(reserve=0, min_idle_blended=2)]))
    assert log.dials("blend-1") == []
    assert log.dials("blend-2") == every(0, 3600, 100)


def test_dedicated_never_dials_with_blended_agents_but_outbound_agents_do():
    log = Log(Scenario(name="tiny", day=Day(open_at=0, close_at=3600, interval=3600),
                       inbound=[calls((50,), handle=100)],
                       groups=[blended(), outbound_only()], outbound=[campaign(talk=400)],
                       blending=[Dedicated()]))
    assert log.inbound == [(50.0, "served", "blend-1", 50.0, 150.0)]
    assert log.dials("out-1") == every(0, 3600, 400)
    assert log.dials() == log.dials("out-1")
    assert {r[0] for r in log.ready} == {"out-1"}  # the blended agent never waited to dial


def test_time_windows_dial_only_inside_the_window():
    # The agent is idle from 0; at 600 the window opens with nothing else happening, and it
    # dials.  The call started at 1100 runs past the window's end (not pre-empted); after it
    # the agent stays idle.
    log = Log(tiny(calls(()), [blended()], campaign(talk=250),
                   [TimeWindows(windows=((600, 1200),))]))
    assert log.outbound == [
        (600.0, 1.0, "served", "blend-1", 600.0, 850.0),
        (850.0, 1.0, "served", "blend-1", 850.0, 1100.0),
        (1100.0, 1.0, "served", "blend-1", 1100.0, 1350.0),
    ]


def test_time_windows_with_a_threshold_must_both_agree():
    log = Log(tiny(calls(()), [blended(n=2)], campaign(talk=250),
                   [TimeWindows(windows=((600, 1200), (2000, 2500))), Threshold(reserve=1)]))
    # Nothing before 600.  When a window opens the longest-idle agent dials (250 s calls
    # back to back) and the other stays in reserve; blend-1 went idle last at 1350.
    assert log.dials("blend-1") == [600.0, 850.0, 1100.0]
    assert log.dials("blend-2") == [2000.0, 2250.0]


def test_service_level_guard_pauses_while_a_caller_waits():
    # The blended agent may answer only after a 120 s overflow delay.  The second caller
    # waits for it from 20 (the inbound agent is busy until 510): from 30 to 140 the guard
    # keeps the agent idle although it could dial; it answers at 140 and dials again at 640.
    guard = ServiceLevelGuard(level=0.5, seconds=1000, window=1800)  # the level is met
    sc = Scenario(name="tiny", day=Day(open_at=0, close_at=3600, interval=3600),
                  inbound=[calls((10, 20), handle=500, groups=("inb", "blend"),
                                 overflow_after=(0, 120))],
                  groups=[inbound_only(), blended()], outbound=[campaign(talk=30)],
                  blending=[guard])
    log = Log(sc)
    assert log.inbound == [(10.0, "served", "inb-1", 10.0, 510.0),
                           (20.0, "served", "blend-1", 140.0, 640.0)]
    assert log.dials()[:3] == [0.0, 640.0, 670.0]
    # Without the guard the agent dials while the caller waits, and answers late.
    free = Log(sc.replace(blending=(Threshold(reserve=0),)))
    assert free.dials()[:6] == [0.0, 30.0, 60.0, 90.0, 120.0, 650.0]
    assert free.inbound[1] == (20.0, "served", "blend-1", 150.0, 650.0)


def test_service_level_guard_pauses_while_the_recent_level_is_low_and_resumes():
    # One agent dials 0-100 and 100-200; a caller arriving at 150 waits 50 s (> 20 s) and is
    # answered at 200.  From 300 the level of the last 600 s is 0 (< 0.8): no dialling.  That
    # answer leaves the window at 800; the guard looks every minute and dials again at 840.
    log = Log(tiny(calls((150,), handle=100), [blended()], campaign(talk=100),
                   [ServiceLevelGuard(level=0.8, seconds=20, window=600)]))
    assert log.inbound == [(150.0, "served", "blend-1", 200.0, 300.0)]
    assert log.dials() == [0.0, 100.0, *every(840, 3600, 100)]
    # A caller who hangs up (at 160, while the agent talks outbound) counts against the
    # level too: paused from 200 until that hang-up leaves the window (tick at 780).
    log = Log(tiny(calls((150,), handle=100, patience=10), [blended()], campaign(talk=100),
                   [ServiceLevelGuard(level=0.8, seconds=20, window=600)]))
    assert log.inbound == [(150.0, "abandoned", None, None, 160.0)]
    assert log.dials() == [0.0, 100.0, *every(780, 3600, 100)]


def test_a_free_blended_agent_takes_a_connected_customer_before_a_waiting_caller():
    # Predictive dialling (2 calls for the one outbound agent) connects two customers at 10:
    # one talks to out-1, the other waits (patience 30).  blend-1 (reserve 1: it never dials
    # itself) frees up at 21 and takes that customer, although a caller has waited since 5;
    # at 121 it takes the next surplus customer again, and the caller only at 221.
    log = Log(Scenario(name="tiny", day=Day(open_at=0, close_at=3600, interval=3600),
                       inbound=[calls((1, 5), handle=20)],
                       groups=[outbound_only(), blended()],
                       outbound=[campaign(talk=100, connect=10, patience=30, dial_ratio=2)],
                       blending=[Threshold(reserve=1)]))
    assert log.inbound == [(1.0, "served", "blend-1", 1.0, 21.0),
                           (5.0, "served", "blend-1", 221.0, 241.0)]
    assert log.outbound[:4] == [
        (0.0, 1.0, "served", "out-1", 10.0, 110.0),
        (0.0, 1.0, "served", "blend-1", 21.0, 121.0),
        (110.0, 1.0, "served", "out-1", 120.0, 220.0),
        (110.0, 1.0, "served", "blend-1", 121.0, 221.0),
    ]
    assert "blend-1" not in {r[0] for r in log.ready}


def test_outbound_is_not_pre_empted():
    # The only agent talks outbound 0-300: the caller arriving at 50 waits until it ends.
    log = Log(tiny(calls((50,), handle=100), [blended()], campaign(talk=300),
                   [Threshold(reserve=0)]))
    assert log.inbound == [(50.0, "served", "blend-1", 300.0, 400.0)]
    assert log.outbound[:2] == [(0.0, 1.0, "served", "blend-1", 0.0, 300.0),
                                (400.0, 1.0, "served", "blend-1", 400.0, 700.0)]


def test_failed_attempts_cost_attempt_time_and_retry_later_at_most_max_attempts():
    # Two records, never reached, 25 s per attempt, retried 600 s after each failure, three
    # attempts each.  The caller at 10 waits while the agent dials (it is not available to
    # inbound) and is answered when the attempt fails at 25.  After the sixth attempt the
    # list is exhausted: no more dialling, the agent stays idle.
    log = Log(tiny(calls((10,), handle=50), [blended()],
                   campaign(p=0.0, attempt=25, list_size=2, max_attempts=3, retry_after=600)))
    assert log.inbound == [(10.0, "served", "blend-1", 25.0, 75.0)]
    assert log.outbound == [
        (0.0, 1.0, "failed", None, None, 25.0),  # record 0
        (75.0, 1.0, "failed", None, None, 100.0),  # record 1
        (625.0, 2.0, "failed", None, None, 650.0),  # record 0, 600 s after its failure
        (700.0, 2.0, "failed", None, None, 725.0),  # record 1
        (1250.0, 3.0, "failed", None, None, 1275.0),
        (1325.0, 3.0, "failed", None, None, 1350.0),
    ]
    assert log.ready == [("blend-1", 0.0, 25.0), ("blend-1", 75.0, 100.0),
                         ("blend-1", 625.0, 650.0), ("blend-1", 700.0, 725.0),
                         ("blend-1", 1250.0, 1275.0), ("blend-1", 1325.0, 1350.0)]
    assert log.out_frame["wait"].isna().all() and log.out_frame["handle"].isna().all()


def test_a_reached_record_is_not_called_again_and_the_list_runs_out():
    log = Log(tiny(calls((500,), handle=100), [blended()], campaign(talk=100, list_size=3)))
    assert log.dials() == [0.0, 100.0, 200.0]
    assert (log.out_frame["attempt"] == 1).all()
    assert log.inbound == [(500.0, "served", "blend-1", 500.0, 600.0)]


def test_campaign_windows_are_respected():
    log = Log(tiny(calls(()), [blended()], campaign(talk=250, windows=((600, 1200),))))
    assert log.dials() == [600.0, 850.0, 1100.0]


def test_stop_before_close_ends_dialling_early():
    # Closing at 3600, stop 2700 s before: nothing is dialled from 900 on.
    log = Log(tiny(calls(()), [blended()], campaign(talk=250, stop_before_close=2700)))
    assert log.dials() == [0.0, 250.0, 500.0, 750.0]
    # ...also with a window that would allow more
    log = Log(tiny(calls(()), [blended()],
                   campaign(talk=250, windows=((600, 3000),), stop_before_close=2700)))
    assert log.dials() == [600.0, 850.0]


def test_a_retry_falling_after_the_stop_is_not_dialled():
    log = Log(tiny(calls(()), [blended()],
                   campaign(p=0.0, attempt=25, list_size=1, retry_after=1000,
                            stop_before_close=2000)))  # dialling stops at 1600
    assert log.outbound == [(0.0, 1.0, "failed", None, None, 25.0),
                            (1025.0, 2.0, "failed", None, None, 1050.0)]


def test_predictive_dialling_mismatches_when_more_connect_than_agents_are_ready():
    # Two calls per ready agent; both connect 10 s later, one agent is ready: the second
    # customer hangs up at connect + connected_patience = 15, a mismatch.
    log = Log(tiny(calls(()), [outbound_only(), inbound_only()],
                   campaign(talk=100, connect=10, patience=5, dial_ratio=2)))
    assert log.outbound[:4] == [
        (0.0, 1.0, "served", "out-1", 10.0, 110.0),
        (0.0, 1.0, "mismatch", None, None, 15.0),
        (110.0, 1.0, "served", "out-1", 120.0, 220.0),
        (110.0, 1.0, "mismatch", None, None, 125.0),
    ]
    mis = log.out_frame[log.out_frame["outcome"] == "mismatch"]
    assert (mis["wait"] == 5.0).all()  # the customer's time on the line
    assert len(mis) == len(log.out_frame) // 2  # every cycle: one talk, one mismatch
    # progressive dialling of the same day: no mismatch at all
    prog = Log(tiny(calls(()), [outbound_only(), inbound_only()],
                    campaign(talk=100, connect=10, patience=5, dial_ratio=1)))
    assert set(prog.out_frame["outcome"]) == {"served"}


def _segment_day(**kw):
    return Scenario(
        name="tiny", day=Day(open_at=0, close_at=3600, interval=3600), inbound=[calls(())],
        groups=[outbound_only("experts"), outbound_only("general"), inbound_only()],
        outbound=[campaign(talk=100, connect=10, **kw, segments=(
            Segment(name="vip", groups=("experts",)),
            Segment(name="mass", groups=("general", "experts"))))])


def test_a_segment_preferring_a_group_is_called_by_that_group():
    log = Log(_segment_day())
    out = log.out_frame
    served = out[out["outcome"] == "served"]
    vip = served[served["segment"] == "vip"]
    mass = served[served["segment"] == "mass"]
    assert len(vip) > 20 and len(mass) > 20
    assert set(vip["agent"].astype(str)) == {"experts-1"}
    assert set(mass["agent"].astype(str)) == {"general-1"}  # experts prefer their own


def test_progressive_dialling_with_segments_calls_one_customer_per_ready_agent():
    # experts-1 and general-1 are both ready at 0: progressive dialling (an agent per call)
    # calls one vip customer for the expert and one mass customer for general-1, and nobody
    # connects without an agent.  (Regression: the dialler once dialled both calls from
    # the first ready agent's segment, and the second vip customer hung up at 12.)
    log = Log(_segment_day())
    assert (log.out_frame["outcome"] == "served").all()
    first = log.out_frame[log.out_frame["arrival_at"] == 0.0]
    assert sorted(first["segment"].astype(str)) == ["mass", "vip"]
    # and at every instant at most one call in progress per ready agent: 2 agents, 2 calls
    dial = log.out_frame["arrival_at"].to_numpy()
    connect = (log.out_frame["answered_at"] - log.out_frame["wait"]).to_numpy()
    for t in dial:
        assert ((dial <= t) & (connect > t)).sum() <= 2


def test_a_calling_window_opening_keeps_the_longest_idle_agent_first():
    # Agents free up at 101, 102 and 103.  The window opening at 600 wakes them, but the
    # reserve (3) lets none dial: they stay idle in their order, and the caller at 700 goes
    # to blend-1, idle since 101.  (Regression: waking them once reversed the idle queue.)
    log = Log(tiny(calls((1, 2, 3, 700), handle=100), [blended(n=3)],
                   campaign(talk=100, windows=((600, 1200),)), [Threshold(reserve=3)]))
    assert log.inbound == [(1.0, "served", "blend-1", 1.0, 101.0),
                           (2.0, "served", "blend-2", 2.0, 102.0),
                           (3.0, "served", "blend-3", 3.0, 103.0),
                           (700.0, "served", "blend-1", 700.0, 800.0)]
    assert log.outbound == []


def test_attempts_that_take_no_time_are_refused_when_they_can_fail():
    # A failed attempt of zero seconds would let the dialler call an endless list for ever
    # at one instant; attempts that always connect (the exact chain's model) may take none.
    with pytest.raises(ScenarioError, match="attempt_time must take some time"):
        campaign(p=0.5, attempt=0)
    with pytest.raises(ScenarioError, match="attempt_time must take some time"):
        campaign(p=(1.0, 0.0), attempt=0)
    with pytest.raises(ScenarioError, match="talk_time must have a mean > 0"):
        campaign(talk=0)
    assert campaign(p=1.0, attempt=0).attempt_time.mean == 0
