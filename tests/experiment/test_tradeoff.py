""":func:`blendsim.tradeoff`: the reserve trades outreach for inbound service, its errors, and
:func:`with_blended_agents` keeps the head count."""

from __future__ import annotations

import pytest
from builders import OPEN

from blendsim import (
    AgentGroup,
    Day,
    Dedicated,
    Deterministic,
    Exponential,
    InboundType,
    InputError,
    OutboundCampaign,
    Scenario,
    Threshold,
    simulate,
    tradeoff,
)
from blendsim.scenario.variants import with_blended_agents

# --------------------------------------------------------------------------------------------
# tradeoff()


def tradeoff_day(blend=(6, 6, 6, 6), partner=None):
    groups = [AgentGroup(name="blend", skills=("calls",), outbound=("list",),
                         headcount=tuple(blend))]
    if partner is not None:
        groups.append(AgentGroup(name="inbound", skills=("calls",), headcount=tuple(partner)))
    return Scenario(
        name="trade", day=Day(open_at=OPEN, close_at=OPEN + 4 * 3600, interval=3600),
        inbound=[InboundType(name="calls", volume=(50, 50, 50, 50),
                             handle_time=Exponential(mean=240))],
        groups=groups,
        outbound=[OutboundCampaign(name="list", talk_time=Exponential(mean=240),
                                   connect_probability=0.5,
                                   attempt_time=Deterministic(value=15),
                                   connect_time=Deterministic(value=5))],
        blending=[Threshold(reserve=0)])


def test_a_larger_reserve_buys_inbound_service_with_outreach():
    t = tradeoff(tradeoff_day(), reserve=[0, 2, 4, 6], replications=8, seed=3)
    assert t["reserve"].tolist() == [0, 2, 4, 6]
    assert t["blended_agents"].isna().all()
    assert t["service_level"].is_monotonic_increasing
    assert t["service_level"].iloc[-1] - t["service_level"].iloc[0] > 0.3
    assert t["conversations"].is_monotonic_decreasing
    assert t["conversations"].iloc[-1] == 0  # every agent kept back: no outbound at all
    assert t["conversations"].iloc[0] > 50
    assert t["asa"].is_monotonic_decreasing
    assert (t["service_level_ci_low"] <= t["service_level"]).all()
    assert (t["service_level"] <= t["service_level_ci_high"]).all()
    assert t.attrs["seed"] == 3 and t.attrs["replications"] == 8


def test_tradeoff_points_are_the_simulation_of_each_scenario():
    # A point is exactly what simulate() gives for that reserve with the same seed.
    sc = tradeoff_day()
    t = tradeoff(sc, reserve=[1], replications=3, seed=5)
    s = simulate(sc.replace(blending=(Threshold(reserve=1),)), replications=3,
                 seed=5).summary()
    assert t.loc[0, "service_level"] == pytest.approx(s.loc["service_level", "mean"])
    assert t.loc[0, "conversations"] == pytest.approx(s.loc["conversations", "mean"])


def test_tradeoff_errors():
    sc = tradeoff_day()
    no_outbound = Scenario(name="in", day=sc.day, inbound=sc.inbound, groups=[
        AgentGroup(name="team", skills=("calls",), headcount=(6, 6, 6, 6))])
    with pytest.raises(InputError, match="needs an outbound campaign"):
        tradeoff(no_outbound, reserve=[0, 1], replications=2, seed=1)
    with pytest.raises(InputError, match="reserve must list at least one value"):
        tradeoff(sc, reserve=[], replications=2, seed=1)
    with pytest.raises(InputError, match=r"reserve values must be whole numbers >= 0 \(got -1\)"):
        tradeoff(sc, reserve=[0, -1], replications=2, seed=1)
    with pytest.raises(InputError, match=r"reserve values must be whole numbers >= 0 \(got 1.5\)"):
        tradeoff(sc, reserve=[1.5], replications=2, seed=1)
    with pytest.raises(InputError, match="reserve must be a list of whole numbers"):
        tradeoff(sc, reserve=2.0, replications=2, seed=1)
    with pytest.raises(InputError, match="scenario must be a Scenario"):
        tradeoff("trade.toml", reserve=[1])
    with pytest.raises(InputError, match="one inbound-only group with the same skills"):
        tradeoff(sc, blended_agents=[2, 4], replications=2, seed=1)
    with pytest.raises(InputError, match="reserve needs blending"):
        tradeoff(sc.replace(blending=(Dedicated(),)), reserve=[1], replications=2, seed=1)


def test_with_blended_agents_keeps_the_head_count_of_every_interval():
    sc = tradeoff_day(blend=(2, 0, 3, 1), partner=(3, 4, 1, 5))
    for n in (0, 1, 4, 10):
        moved = with_blended_agents(sc, n)
        b, p = moved.group("blend").headcount, moved.group("inbound").headcount
        assert [x + y for x, y in zip(b, p, strict=True)] == [5, 4, 4, 6]
        # blended agents only where the blended group works, at most everyone there
        assert list(b) == [min(n, 5), 0, min(n, 4), min(n, 6)]
    t = tradeoff(sc, blended_agents=[0, 4], replications=2, seed=2)
    assert t["blended_agents"].tolist() == [0, 4]
    assert t.loc[0, "conversations"] == 0  # nobody blended: no outbound
    assert t.loc[1, "conversations"] > 0
