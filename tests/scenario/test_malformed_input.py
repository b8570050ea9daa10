"""Malformed input (dicts, TOML text, files) raises ScenarioError and nothing else."""

from __future__ import annotations

import pytest
from builders import WRONG_SCALARS, nodes, only_scenario_errors, parent_of, scenarios
from hypothesis import given
from hypothesis import strategies as st

from blendsim.errors import ScenarioError
from blendsim.scenario.model import Scenario, dump_scenario, load_scenario


def dotted(path) -> str:
    """The path as messages write it: inbound[0].handle_time."""
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else key)
    return out


# --------------------------------------------------------------------------------------------
# Malformed input raises ScenarioError and nothing else


@given(sc=scenarios(), data=st.data())
def test_a_wrong_value_anywhere_gives_a_scenario_error(sc, data):
    d = sc.to_dict()
    leaves = [p for p, v in nodes(d) if not isinstance(v, (dict, list))]
    path = data.draw(st.sampled_from(leaves))
    value = data.draw(st.sampled_from(WRONG_SCALARS))
    parent_of(d, path)[path[-1]] = value
    result = only_scenario_errors(d)
    if result is not None:  # some wrong values are still valid (1e300 calls): then it is
        assert Scenario.from_dict(result.to_dict()) == result  # a scenario like any other


@given(sc=scenarios(), data=st.data())
def test_an_unknown_field_anywhere_is_named(sc, data):
    d = sc.to_dict()
    tables = [()] + [p for p, v in nodes(d) if isinstance(v, dict)]
    path = data.draw(st.sampled_from(tables))
    parent = parent_of(d, path + ("x",))
    parent["zz_unknown"] = 1
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(d)
    where = f"{dotted(path)}.zz_unknown" if path else "zz_unknown"
    assert any(p.startswith(f"{where} is not") for p in info.value.problems), \
        info.value.problems


REQUIRED = {"": {"schema_version", "day", "inbound", "groups"}, "day": {"open", "close"},
            "inbound": {"name", "handle_time"}, "groups": {"name", "skills"},
            "shifts": {"start", "end"}, "exponential": {"mean"}, "deterministic": {"value"},
            "lognormal": {"mean", "cv"}, "gamma": {"mean", "cv"},
            "uniform": {"low", "high"}, "empirical": {"values"}}


# Fields a file may leave out (the volume, staffing and distribution kind may not).
HAS_DEFAULT = {"name", "description", "service_target", "level", "seconds", "definition",
               "short_abandon_seconds", "interval_minutes", "count", "busyness_cv",
               "balk_probability", "queue_capacity", "priority", "groups", "overflow_after",
               "wrap_up", "patience"}


def table_kind(table: dict, path) -> str:
    if "dist" in table:
        return table["dist"]
    names = [k for k in path if isinstance(k, str)]
    return names[-1] if names else ""


@given(sc=scenarios(), data=st.data())
def test_a_missing_field_anywhere_is_named(sc, data):
    d = sc.to_dict()
    tables = [()] + [p for p, v in nodes(d) if isinstance(v, dict) and v]
    path = data.draw(st.sampled_from(tables))
    table = parent_of(d, path + ("x",))
    key = data.draw(st.sampled_from(sorted(table)))
    kind = table_kind(table, path)
    del table[key]
    result = only_scenario_errors(d)
    if key in REQUIRED.get(kind, ()):
        where = f"{dotted(path)}.{key}" if path else key
        with pytest.raises(ScenarioError) as info:
            Scenario.from_dict(d)
        assert f"{where} is missing" in info.value.problems
    elif result is not None:  # only a field with a default may be left out
        assert key in HAS_DEFAULT, (path, key)


@given(text=st.text(max_size=200))
def test_random_text_is_a_scenario_error(text, tmp_path_factory):
    path = tmp_path_factory.mktemp("garbage") / "garbage.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.source == str(path)


@given(raw=st.binary(max_size=100))
def test_random_bytes_are_a_scenario_error(raw, tmp_path_factory):
    path = tmp_path_factory.mktemp("garbage") / "garbage.toml"
    path.write_bytes(raw)
    with pytest.raises(ScenarioError):
        load_scenario(path)


@given(sc=scenarios(), data=st.data())
def test_a_truncated_file_is_a_scenario_error_or_still_valid(sc, data, tmp_path_factory):
    text = dump_scenario(sc)
    cut = data.draw(st.integers(0, len(text) - 1))
    path = tmp_path_factory.mktemp("truncated") / "cut.toml"
    path.write_text(text[:cut], encoding="utf-8")
    try:
        result = load_scenario(path)
    except ScenarioError as e:
        assert e.source == str(path)
        return
    # Cutting inside the last number can leave a valid, different file; never before the
    # groups, which are required.
    assert cut > text.index("[[groups]]")
    assert isinstance(result, Scenario)
