"""best_reserve_schedule: a reserve per interval that keeps each interval and dials more."""

from __future__ import annotations

import pytest

from blendsim.errors import InputError
from blendsim.experiment.reserve_schedule import best_reserve_schedule
from blendsim.policies.blending import Threshold
from blendsim.scenario import AgentGroup, Day, InboundType, Scenario
from blendsim.scenario.campaign import OutboundCampaign
from blendsim.scenario.distributions import Exponential
from blendsim.scenario.variants import reserve_cap

H = 3600.0


def _centre(**changes) -> Scenario:
    """Peaks and troughs by the hour, a roster that follows them, every agent blended."""
    sc = Scenario(
        name="peaks", day=Day(open_at=8 * H, close_at=14 * H, interval=H),
        inbound=[InboundType(name="calls", volume=[60, 125, 60, 125, 60, 125],
                             handle_time=Exponential(mean=240))],
        groups=[AgentGroup(name="team", skills=["calls"], headcount=[8, 14, 8, 14, 8, 14],
                           outbound=["reminders"])],
        outbound=[OutboundCampaign(name="reminders", talk_time=Exponential(mean=300))],
        blending=[Threshold(reserve=2)])
    return sc.replace(**changes)


@pytest.fixture(scope="module")
def found():
    return best_reserve_schedule(_centre(), replications=10, seed=3, quiet=True,
                                 backend="serial")


def test_the_reserve_changes_through_the_day_below_the_best_constant(found):
    r = found.reserve
    cap = reserve_cap(_centre())
    assert len(r) == 6 and all(0 <= x <= cap for x in r)
    assert len(set(r)) > 1 and min(r) < found.constant
    assert found.short_anyway == ()
    assert found.scenario.blending_policy().reserve == r


def test_the_schedule_dials_more_than_the_best_constant_on_fresh_days(found):
    c = found.confirmed.set_index("policy")
    assert found.confirm_seed != found.seed
    assert found.schedule_result.seed == found.confirm_seed
    assert c.loc["schedule", "conversations"] > c.loc["constant", "conversations"]
    assert found.gain() == pytest.approx(c.loc["schedule", "conversations"]
                                         - c.loc["constant", "conversations"])
    # tuning stopped because every interval kept its target, or ran out of rounds
    last = found.history.iloc[-1]
    assert last["intervals_below"] == 0 or found.rounds == 8


def test_same_seed_same_schedule(found):
    again = best_reserve_schedule(_centre(), replications=10, seed=3, quiet=True,
                                  backend="serial")
    assert again.reserve == found.reserve and again.constant == found.constant


def test_bad_inputs_are_refused():
    with pytest.raises(InputError, match="needs an outbound campaign"):
        best_reserve_schedule(_centre(outbound=(), groups=[AgentGroup(
            name="team", skills=["calls"], headcount=[10] * 6)], blending=()), quiet=True)
    with pytest.raises(InputError, match="margin must be a number from 0 to 1"):
        best_reserve_schedule(_centre(), margin=2, quiet=True)
    with pytest.raises(InputError, match="max_rounds"):
        best_reserve_schedule(_centre(), max_rounds=0, quiet=True)
