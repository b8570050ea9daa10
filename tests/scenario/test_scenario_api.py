"""The Python API of scenarios: lists become tuples, ``replace`` re-validates, ``repr`` reads
like the call, objects are frozen."""

from __future__ import annotations

import copy
import dataclasses
import re

import numpy as np
import pytest
from builders import H, base_dict, exactly, scenarios, tiny
from hypothesis import given

from blendsim.errors import BlendsimError, ScenarioError
from blendsim.scenario.distributions import (
    Deterministic,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
    Uniform,
)
from blendsim.scenario.model import Scenario
from blendsim.scenario.parts import (
    AgentGroup,
    Day,
    InboundType,
    ServiceTarget,
    Shift,
)

# The names eval(repr(...)) needs: a repr must read like the call that made it.
REPR_NAMESPACE = {cls.__name__: cls for cls in (
    AgentGroup, Day, InboundType, Scenario, ServiceTarget, Shift,
    Deterministic, Empirical, Exponential, Gamma, Lognormal, Uniform)}


def test_the_starting_points_are_valid():
    assert tiny().day.n_intervals == 2
    sc = Scenario.from_dict(base_dict())
    assert [t.name for t in sc.inbound] == ["sales", "service"]
    assert sc.groups[1].shifts == (Shift(start_at=8 * H, end_at=10 * H, count=2),)


# --------------------------------------------------------------------------------------------
# The Python API


def test_lists_and_arrays_are_stored_as_tuples():
    sc = Scenario(
        day=Day(open_at=8 * H, close_at=10 * H, interval=H),
        inbound=[InboundType(name="sales", volume=np.array([1.5, 2.5]),
                             handle_time=Empirical(values=[30, 60]), groups=["team"],
                             overflow_after=[0])],
        groups=[AgentGroup(name="team", skills=["sales"],
                           shifts=[Shift(start_at=8 * H, end_at=10 * H)])])
    t, g = sc.inbound[0], sc.groups[0]
    assert isinstance(sc.inbound, tuple) and isinstance(sc.groups, tuple)
    assert t.volume == (1.5, 2.5) and all(type(v) is float for v in t.volume)
    assert t.groups == ("team",) and t.overflow_after == (0,)
    assert t.handle_time.values == (30.0, 60.0)
    assert g.skills == ("sales",) and isinstance(g.shifts, tuple)
    # Tuples make scenarios hashable: usable as cache keys for sweeps.
    assert hash(sc) == hash(copy.deepcopy(sc))


def test_replace_makes_a_variant_and_leaves_the_original():
    sc = tiny()
    bigger = dataclasses.replace(sc, groups=[dataclasses.replace(sc.groups[0],
                                                                 headcount=[6, 7])])
    assert bigger.groups[0].headcount == (6, 7)
    assert sc.groups[0].headcount == (5, 6)
    assert sc.replace(name="other").name == "other" and sc.name == "tiny"


def test_replace_validates_again():
    sc = tiny()
    with pytest.raises(ScenarioError, match=exactly(
            "groups[0].headcount must have one value per interval (2) (got 3)")):
        dataclasses.replace(sc, groups=[AgentGroup(name="team", skills=["sales"],
                                                   headcount=[1, 2, 3])])
    with pytest.raises(ScenarioError, match=re.escape("interval must be 900, 1800 or 3600")):
        dataclasses.replace(sc.day, interval=1000)
    with pytest.raises(ScenarioError, match=exactly("mean must be a number > 0 (got -1)")):
        dataclasses.replace(sc.inbound[0].handle_time, mean=-1)


def test_repr_reads_like_the_call():
    assert repr(Day(open_at=8 * H, close_at=10 * H, interval=H)) == \
        "Day(open_at=28800, close_at=36000, interval=3600)"
    assert repr(Lognormal(mean=240, cv=0.8)) == "Lognormal(mean=240, cv=0.8)"
    assert repr(Shift(start_at=0, end_at=60, count=2)) == \
        "Shift(start_at=0, end_at=60, count=2, breaks=())"


@given(sc=scenarios())
def test_repr_evaluates_back_to_an_equal_scenario(sc):
    assert eval(repr(sc), dict(REPR_NAMESPACE)) == sc


@pytest.mark.parametrize("obj, field", [
    (Day(), "open_at"), (ServiceTarget(), "level"), (tiny().inbound[0], "volume"),
    (Shift(start_at=0, end_at=60), "count"), (tiny().groups[0], "headcount"),
    (tiny(), "name"), (Exponential(mean=1), "mean"), (Empirical(values=[1]), "values"),
])
def test_objects_are_frozen(obj, field):
    before = getattr(obj, field)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(obj, field, before)
    assert getattr(obj, field) == before


@pytest.mark.parametrize("cls", [Day, ServiceTarget, InboundType, Shift, AgentGroup, Scenario,
                                 Exponential, Lognormal, Uniform, Empirical])
def test_fields_are_keyword_only(cls):
    assert all(f.kw_only for f in dataclasses.fields(cls))


def test_positional_arguments_are_refused():
    with pytest.raises(TypeError):
        Day(8 * H, 10 * H, H)  # type: ignore[misc]


def test_scenario_error_is_a_value_error_and_keeps_its_problems():
    import pickle

    e = ScenarioError(["a must be > 0 (got -1)", "b is missing"], "x.toml")
    assert isinstance(e, ValueError) and isinstance(e, BlendsimError)
    assert str(e) == "x.toml: a must be > 0 (got -1)\nx.toml: b is missing"
    back = pickle.loads(pickle.dumps(e))
    assert (back.problems, back.source, str(back)) == (e.problems, e.source, str(e))
