"""Grid paths name fields of the scenario file; every mistake is an ``InputError`` saying what
is wrong and where."""

from __future__ import annotations

import numpy as np
import pytest
from builders import INBOUND_ONLY

from blendsim import InputError, Threshold, load_scenario, simulate
from blendsim.experiment.sweep import field_paths, point_scenario, sweep


@pytest.fixture(scope="module")
def inbound_only():
    return load_scenario(INBOUND_ONLY)


# --------------------------------------------------------------------------------------------
# Grid paths


@pytest.mark.parametrize("path, message", [
    ("outbound[0].list_sise", r"grid path 'outbound\[0\]\.list_sise': there is no field "
                              r"'list_sise' there; did you mean outbound\[0\]\.list_size"),
    ("day.opens", r"there is no field 'opens' there; did you mean day\.open"),
    ("zzz", r"grid path 'zzz': there is no field 'zzz' there; paths look like "),
    ("groups[5].headcount", r"groups has 2 item\(s\), no \[5\]; did you mean "
                            r"groups\[1\]\.headcount"),
    ("groups[night team].headcount", r"no groups item is named 'night team' \(names: "
                                     r"inbound team, blended team\)"),
    ("day[0].open", r"'day' is not a list; did you mean day\.open"),
    ("groups[1]", r"a path must end at a field, not a list item"),
    ("groups[blended team]", r"a path must end at a field, not a list item"),
    ("groups..headcount", r"'' is not a field name"),
    ("day.open.hour", r"there is no field 'hour' there"),
])
def test_a_bad_grid_path_is_an_input_error_saying_why(blended, tmp_path, path, message):
    store = tmp_path / "s.sqlite"
    with pytest.raises(InputError, match=message):
        sweep(blended, {path: [1]}, replications=1, seed=1, store=store, backend="serial")
    assert not store.exists()  # every path is checked before anything starts


def test_a_list_item_is_selected_by_index_or_by_name(blended):
    by_name = point_scenario(blended, {"groups[blended team].headcount": 4})
    by_index = point_scenario(blended, {"groups[1].headcount": 4})
    assert by_name == by_index
    n = blended.day.n_intervals
    assert by_name.group("blended team").headcount == (4,) * n  # a scalar sets every interval
    assert by_name.group("inbound team") == blended.group("inbound team")
    assert by_name.replace(groups=blended.groups) == blended  # nothing else changed


def test_a_scalar_is_broadcast_to_a_list_field_and_a_list_kept_as_given(blended):
    n = blended.day.n_intervals
    flat = point_scenario(blended, {"inbound[0].volume": 40.0})
    assert tuple(flat.inbound[0].volume) == (40.0,) * n
    ramp = list(range(1, n + 1))
    given = point_scenario(blended, {"inbound[0].volume": ramp})
    assert list(given.inbound[0].volume) == ramp


def test_nested_paths_into_campaigns_and_policies(blended):
    sc = point_scenario(blended, {"outbound[0].connect_probability": 0.5,
                                  "outbound[0].segments[1].share": 0.5,
                                  "outbound[0].segments[0].share": 0.5,
                                  "blending[0].reserve": 4})
    assert sc.outbound[0].connect_probability == 0.5
    assert [s.share for s in sc.outbound[0].segments] == [0.5, 0.5]
    assert sc.blending == (Threshold(reserve=4, min_idle_blended=1),)


def test_a_value_that_makes_the_scenario_invalid_names_the_point(blended, tmp_path):
    store = tmp_path / "s.sqlite"
    grid = {"outbound[0].connect_probability": [0.3, 1.5], "reserve": [1]}
    with pytest.raises(InputError, match=r"^at the point outbound\[0\]\.connect_probability="
                                         r"1\.5, reserve=1: outbound\[0\]\."
                                         r"connect_probability must be <= 1 \(got 1\.5\)$"):
        sweep(blended, grid, replications=1, seed=1, store=store, backend="serial")
    assert not store.exists()


def test_the_reserve_knob(blended):
    sc = point_scenario(blended, {"reserve": 5})
    assert sc.blending == (Threshold(reserve=5, min_idle_blended=1),)
    assert sc.replace(blending=blended.blending) == blended
    with pytest.raises(InputError, match=r"reserve must be a whole number >= 0 \(got -1\)"):
        sweep(blended, {"reserve": [1, -1]}, replications=1, seed=1, backend="serial")


def test_the_blended_agents_knob_moves_agents_keeping_the_total(blended):
    sc = point_scenario(blended, {"blended_agents": 2, "reserve": 1})
    before_b = np.array(blended.group("blended team").headcount)
    before_i = np.array(blended.group("inbound team").headcount)
    after_b = np.array(sc.group("blended team").headcount)
    after_i = np.array(sc.group("inbound team").headcount)
    np.testing.assert_array_equal(after_b + after_i, before_b + before_i)
    np.testing.assert_array_equal(after_b, np.where(before_b > 0, 2, 0))
    assert sc.blending == (Threshold(reserve=1, min_idle_blended=1),)


def test_the_blended_agents_knob_needs_a_blended_group(inbound_only):
    with pytest.raises(InputError, match="blended_agents needs exactly one blended group"):
        sweep(inbound_only, {"blended_agents": [1]}, replications=1, seed=1, backend="serial")


def test_an_empty_grid_is_one_point_the_scenario_as_given(blended):
    table = sweep(blended, {}, replications=2, seed=8, backend="serial")
    assert len(table) == 1 and table.at[0, "replications"] == 2
    assert "_" not in table.columns and "_point" not in table.columns
    s = simulate(blended, replications=2, seed=8, backend="serial").summary()
    for fig in s.index:
        assert table.at[0, fig] == pytest.approx(s.loc[fig, "mean"], rel=1e-12, nan_ok=True)


@pytest.mark.parametrize("grid, message", [
    ({"reserve": []}, r"grid\['reserve'\] must list at least one value"),
    ({"reserve": 3}, r"grid\['reserve'\] must be a list of values \(got 3\)"),
    ({"day.open": "09:00"}, r"grid\['day\.open'\] must be a list of values"),
    ({3: [1]}, r"grid keys must be field paths \(got 3\)"),
    ([("reserve", [1])], r"grid must be a mapping of field paths to lists of values"),
])
def test_a_malformed_grid_is_an_input_error(blended, grid, message):
    with pytest.raises(InputError, match=message):
        sweep(blended, grid, replications=1, seed=1, backend="serial")


def test_field_paths_lists_what_a_grid_may_vary(blended):
    paths = field_paths(blended)
    assert paths[:2] == ["reserve", "blended_agents"]
    for p in ("day.open", "inbound[0].volume", "groups[1].headcount",
              "outbound[0].list_size", "outbound[0].segments[1].share", "blending[0].reserve"):
        assert p in paths
        point_scenario(blended, {p: point_scenario_value(blended, p)})  # each one settable


def point_scenario_value(scenario, path):
    """The value a path has in the scenario (setting it again must be accepted)."""
    node = scenario.to_dict()
    for step in path.replace("]", "").split("."):
        key, _, index = step.partition("[")
        node = node[key]
        if index:
            node = node[int(index)]
    return node
