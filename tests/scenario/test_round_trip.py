"""Round trip: any valid scenario -> file -> the same scenario, and the same text again."""

from __future__ import annotations

import copy
import math
import tomllib

from builders import H, sales, scenarios, team, tiny
from hypothesis import given

from blendsim.scenario.distributions import (
    Lognormal,
)
from blendsim.scenario.model import Scenario, dump_scenario, load_scenario
from blendsim.scenario.parts import (
    SCHEMA_VERSION,
    Day,
)

# --------------------------------------------------------------------------------------------
# Round trip


@given(sc=scenarios())
def test_file_round_trip_is_exact(sc, tmp_path_factory):
    path = tmp_path_factory.mktemp("roundtrip") / "scenario.toml"
    text = dump_scenario(sc, path)
    assert path.read_text(encoding="utf-8") == text
    again = load_scenario(path)
    assert again == sc
    # The text is stable too: ints stay ints, floats stay floats, nothing is reordered.
    assert dump_scenario(again) == text


@given(sc=scenarios())
def test_dict_round_trip_is_exact(sc):
    data = sc.to_dict()
    assert data["schema_version"] == SCHEMA_VERSION
    assert Scenario.from_dict(data) == sc
    assert Scenario.from_dict(copy.deepcopy(data)).to_dict() == data


def test_dump_writes_the_documented_layout():
    sc = tiny(inbound=[sales(handle_time=Lognormal(mean=240, cv=0.8))])
    data = tomllib.loads(dump_scenario(sc))
    assert data["schema_version"] == 1
    assert data["day"] == {"open": "08:00", "close": "10:00", "interval_minutes": 60}
    assert data["inbound"] == [{"name": "sales", "volume": [40, 60],
                                "handle_time": {"dist": "lognormal", "mean": 240, "cv": 0.8}}]
    assert data["groups"] == [{"name": "team", "skills": ["sales"], "headcount": [5, 6]}]


def test_long_lists_are_wrapped_and_read_back(tmp_path):
    day = Day(open_at=0, close_at=24 * H, interval=900)
    volume = [round(10 + 5 * math.sin(k / 7), 6) for k in range(96)]
    sc = tiny(day=day, inbound=[sales(volume=volume)], groups=[team(headcount=[3] * 96)])
    text = dump_scenario(sc, tmp_path / "day.toml")
    assert max(len(line) for line in text.splitlines()) <= 88
    assert load_scenario(tmp_path / "day.toml") == sc


def test_defaults_are_left_out_of_the_file():
    inbound = tomllib.loads(dump_scenario(tiny()))["inbound"][0]
    assert set(inbound) == {"name", "volume", "handle_time"}
