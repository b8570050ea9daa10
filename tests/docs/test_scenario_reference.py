"""scenarios/REFERENCE.md cannot drift: it is generated from the dataclasses and held to the
loader (every key, every required key, every default), and its examples and claims are run."""

from __future__ import annotations

import copy
import dataclasses
import re
import tomllib

import numpy as np
import pytest
from builders import ROOT

import blendsim
from blendsim import ScenarioError
from blendsim.metrics.records import OUTCOMES
from blendsim.policies.blending import AllOf, Threshold, policy_from_dict
from blendsim.scenario.keys import (
    CLASSES,
    DISTRIBUTIONS,
    DOCS,
    FILE_KEYS,
    FILE_ONLY,
    FILE_REQUIRED,
    MINIMAL_SCENARIO,
    POLICIES,
    SECTIONS,
    file_key,
)
from blendsim.scenario.parts import ESTIMATORS, RULES, SL_DEFINITIONS
from blendsim.scenario.reference import scenario_reference

REFERENCE = ROOT / "scenarios" / "REFERENCE.md"
TEXT = scenario_reference()
EXAMPLES = re.findall(r"```toml\n(.*?)```", TEXT, flags=re.S)
UNKNOWN = "zz_not_a_key"


def base() -> dict:
    return tomllib.loads(MINIMAL_SCENARIO)


def load(data: dict):
    return blendsim.Scenario.from_dict(data)


def problems(data: dict) -> str:
    with pytest.raises(ScenarioError) as e:
        load(data)
    return str(e.value)


# --------------------------------------------------------------------------------------------
# The committed file and the table of descriptions


def test_committed_reference_is_what_the_generator_writes():
    committed = REFERENCE.read_text(encoding="utf-8")
    assert committed == TEXT, ("scenarios/REFERENCE.md is out of date; regenerate it with "
                               "`python -m blendsim.scenario.reference > scenarios/REFERENCE.md`")


def test_every_field_of_every_file_dataclass_has_a_description():
    missing = [(c.__name__, f.name) for c in CLASSES for f in dataclasses.fields(c)
               if (c.__name__, f.name) not in DOCS or not DOCS[c.__name__, f.name].text]
    assert missing == []


def test_no_description_names_a_field_that_is_gone():
    fields = {(c.__name__, f.name) for c in CLASSES for f in dataclasses.fields(c)}
    assert set(DOCS) - fields == set()
    assert set(FILE_KEYS) - fields == set()
    assert not set(FILE_ONLY) & fields  # a file-only key that became a field needs DOCS


def test_every_key_left_unset_says_what_that_means():
    required = {(s.cls.__name__, k) for s in SECTIONS for k in s.required}
    vague = []
    for c in CLASSES:
        for f in dataclasses.fields(c):
            if (c.__name__, file_key(c.__name__, f.name)) in required:
                continue
            value = (f.default_factory() if f.default_factory is not dataclasses.MISSING
                     else f.default)
            doc = DOCS[c.__name__, f.name]
            if (value is None or value == ()) and not (doc.unset or doc.default):
                vague.append((c.__name__, f.name))
    assert vague == []


def test_every_name_quoted_in_the_prose_exists():
    known = {file_key(c.__name__, f.name) for c in CLASSES for f in dataclasses.fields(c)}
    known |= {f.name for c in CLASSES for f in dataclasses.fields(c)}
    known |= {k for _, k in FILE_ONLY} | {"dist", "policy"} | set(SL_DEFINITIONS)
    known |= set(RULES) | set(ESTIMATORS)
    known |= set(OUTCOMES) | {d.to_dict()["dist"] for d, _ in DISTRIBUTIONS}
    known |= {p.to_dict()["policy"] for p, _ in POLICIES}
    known |= {s.name for s in blendsim.OutboundCampaign(
        name="c", talk_time=blendsim.Exponential(mean=1)).segment_list}  # the "all" segment
    known.add("agents")  # a column of Result.by_interval, checked in a test below
    quoted = set(re.findall(r"`([a-z_]+)`", TEXT))
    assert quoted - known == set()


# --------------------------------------------------------------------------------------------
# The reference against the loader


def _with_campaign(data: dict, campaign: dict | None = None) -> dict:
    data["groups"][0]["outbound"] = ["c"]
    data["outbound"] = [campaign or {"name": "c",
                                     "talk_time": {"dist": "exponential", "mean": 300}}]
    return data


def _table(data: dict, anchor: str) -> dict:
    """The table of section ``anchor`` in ``data`` (added when the base has none)."""
    if anchor == "top":
        return data
    if anchor == "day":
        return data["day"]
    if anchor == "service_target":
        return data.setdefault("service_target", {})
    if anchor == "inbound":
        return data["inbound"][0]
    if anchor == "groups":
        return data["groups"][0]
    if anchor == "shifts":
        group = data["groups"][0]
        del group["headcount"]
        group["shifts"] = [{"start": "08:00", "end": "10:00"}]
        return group["shifts"][0]
    _with_campaign(data)
    if anchor == "outbound":
        return data["outbound"][0]
    assert anchor == "segments"
    data["outbound"][0]["segments"] = [{"name": "s"}]
    return data["outbound"][0]["segments"][0]


def _documented_keys(section) -> set[str]:
    keys = {file_key(section.cls.__name__, f.name) for f in dataclasses.fields(section.cls)}
    return keys | {k for owner, k in FILE_ONLY if owner == section.cls.__name__}


@pytest.mark.parametrize("section", SECTIONS, ids=[s.anchor for s in SECTIONS])
def test_documented_keys_are_exactly_the_keys_a_file_may_hold(section):
    data = base()
    _table(data, section.anchor)[UNKNOWN] = 1
    message = problems(data)
    allowed = re.search(rf"{UNKNOWN} is not a known field \(allowed: ([^)]*)\)", message)
    assert allowed, message
    assert set(allowed.group(1).split(", ")) == _documented_keys(section)


@pytest.mark.parametrize("section", SECTIONS, ids=[s.anchor for s in SECTIONS])
def test_required_keys_are_required_and_the_rest_may_be_left_out(section):
    data = base()
    table = _table(data, section.anchor)
    assert load(data) is not None  # the probe's table alone is valid
    for key in section.required:
        smaller = copy.deepcopy(data)
        del _table_again(smaller, section.anchor)[key]
        assert re.search(rf"\b{key} is missing", problems(smaller))
    optional = set(table) - set(section.required)
    for key in optional - {"headcount", "volume", "skills"}:  # (one-of forms)
        smaller = copy.deepcopy(data)
        del _table_again(smaller, section.anchor)[key]
        assert load(smaller) is not None


def _table_again(data: dict, anchor: str) -> dict:
    """The section's table in data that ``_table`` prepared already."""
    return {"top": lambda: data, "day": lambda: data["day"],
            "service_target": lambda: data["service_target"],
            "inbound": lambda: data["inbound"][0], "groups": lambda: data["groups"][0],
            "shifts": lambda: data["groups"][0]["shifts"][0],
            "outbound": lambda: data["outbound"][0],
            "segments": lambda: data["outbound"][0]["segments"][0]}[anchor]()


def test_distribution_names_and_parameters_are_the_loaders():
    data = base()
    data["inbound"][0]["handle_time"] = {"dist": UNKNOWN}
    names = re.search(r"dist must be one of ([^(]*) \(got", problems(data)).group(1)
    assert set(names.split(", ")) == {d.to_dict()["dist"] for d, _ in DISTRIBUTIONS}
    for d, _ in DISTRIBUTIONS:
        data["inbound"][0]["handle_time"] = {**d.to_dict(), UNKNOWN: 1}
        has = re.search(r"\(it has ([^)]*)\)", problems(data)).group(1)
        assert has.split(", ") == [f.name for f in dataclasses.fields(d)]


def test_policy_names_and_keys_are_the_loaders():
    data = base()
    data["blending"] = [{"policy": UNKNOWN}]
    names = re.search(r"policy must be one of ([^(]*) \(got", problems(data)).group(1)
    assert set(names.split(", ")) == {p.to_dict()["policy"] for p, _ in POLICIES}
    for p, _ in POLICIES:
        data["blending"] = [{**p.to_dict(), UNKNOWN: 1}]
        message = problems(data)
        fields = [f.name for f in dataclasses.fields(p)]
        assert f"(it has {', '.join(fields) or 'no fields'})" in message


def _defaults(cls) -> dict:
    out = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            out[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            out[f.name] = f.default_factory()
    return out


def _check_defaults(obj, given: set[str]):
    for name, default in _defaults(type(obj)).items():
        if name not in given:
            assert getattr(obj, name) == default, (type(obj).__name__, name)


def test_a_file_that_leaves_keys_out_gets_the_documented_defaults():
    data = base()
    data["groups"].append({"name": "shifted", "skills": ["calls"],
                           "shifts": [{"start": "08:00", "end": "10:00"}]})
    _with_campaign(data, {"name": "c", "talk_time": {"dist": "exponential", "mean": 300},
                          "segments": [{"name": "s"}]})
    sc = load(data)
    assert sc.service_target == blendsim.ServiceTarget()
    _check_defaults(sc.day, {"open_at", "close_at"})
    _check_defaults(sc.inbound[0], {"name", "volume", "handle_time"})
    _check_defaults(sc.groups[1], {"name", "skills", "shifts"})
    _check_defaults(sc.groups[1].shifts[0], {"start_at", "end_at"})
    _check_defaults(sc.outbound[0], {"name", "talk_time", "segments"})
    _check_defaults(sc.outbound[0].segments[0], {"name"})
    _check_defaults(load({**data, "service_target": {}}).service_target, set())
    for p, _ in POLICIES:
        kwargs = {k: v for k, v in p.to_dict().items() if k in _policy_required(p) | {"policy"}}
        _check_defaults(policy_from_dict(kwargs), _policy_required(p))


def _policy_required(p) -> set[str]:
    """The keys the reference marks required for policy ``p``."""
    return {f.name for f in dataclasses.fields(p) if f.name not in _defaults(type(p))
            or (type(p).__name__, f.name) in FILE_REQUIRED}


@pytest.mark.parametrize("policy", [p for p, _ in POLICIES],
                         ids=[p.to_dict()["policy"] for p, _ in POLICIES])
def test_a_policys_required_keys_are_required(policy):
    name = policy.to_dict()["policy"]
    required = _policy_required(policy)
    for key in policy.to_dict():
        if key == "policy":
            continue
        rest = {k: v for k, v in policy.to_dict().items() if k != key}
        if key in required:
            with pytest.raises(ScenarioError, match=rf"blending\.{key} is missing"):
                policy_from_dict(rest)
            assert f"| `{name}` | `{key}` | " in TEXT and "**required**" in TEXT
        else:
            assert policy_from_dict(rest) is not None


def test_the_defaults_shown_are_the_dataclass_defaults_in_file_form():
    assert "| `interval_minutes` (Python: `interval`) | whole number | minutes | `30` |" in TEXT
    assert blendsim.Day().interval == 30 * 60
    assert '`{ dist = "deterministic", value = 25.0 }`' in TEXT
    assert blendsim.OutboundCampaign(name="c", talk_time=blendsim.Exponential(mean=1)
                                     ).attempt_time == blendsim.Deterministic(value=25.0)
    assert "| `retry_after` | number | seconds | `3600.0` |" in TEXT


# --------------------------------------------------------------------------------------------
# The examples load


def test_there_is_an_example_for_every_section():
    assert len(EXAMPLES) == len(SECTIONS) + 2  # and distributions and blending


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"example{i}" for i in range(len(EXAMPLES))])
def test_every_example_loads(example, tmp_path):
    fragment = tomllib.loads(example)
    if "schema_version" in fragment:  # a complete file
        path = tmp_path / "example.toml"
        path.write_text(example, encoding="utf-8")
        sc = blendsim.load_scenario(path)
    else:  # a fragment: its tables replace the minimal file's
        assert set(fragment) <= set(base()) | {"service_target", "outbound", "blending"}
        sc = load({**base(), **fragment})
    assert isinstance(sc, blendsim.Scenario)
    for key, value in fragment.items():  # what the fragment says arrived
        if key == "inbound":
            assert [t.name for t in sc.inbound] == [t["name"] for t in value]
        elif key == "groups":
            assert [g.name for g in sc.groups] == [g["name"] for g in value]
        elif key == "outbound":
            assert [c.name for c in sc.outbound] == [c["name"] for c in value]
        elif key == "blending":
            assert [p.to_dict()["policy"] for p in sc.blending] == [p["policy"] for p in value]


def test_a_broken_example_would_fail():
    broken = EXAMPLES[1].replace("open", "opens")
    with pytest.raises(ScenarioError, match=r"day.opens is not a known field"):
        load({**base(), **tomllib.loads(broken)})


# --------------------------------------------------------------------------------------------
# What the reference claims, run


def _run(data: dict):
    return blendsim.simulate(load(data), replications=1, seed=3, backend="serial", quiet=True)


def test_without_patience_nobody_hangs_up_and_agents_stay_after_closing():
    data = base()
    data["inbound"][0]["volume"] = [120, 120, 120, 120]  # far more than four agents answer
    contacts = _run(data).contacts
    assert set(contacts["outcome"].astype(str)) == {"served"}
    assert contacts["end_at"].max() > 10 * 3600  # answered after closing
    with_patience = copy.deepcopy(data)
    with_patience["inbound"][0]["patience"] = {"dist": "exponential", "mean": 60}
    assert (_run(with_patience).contacts["outcome"].astype(str) == "abandoned").any()
    early = copy.deepcopy(data)  # no agent on duty after 09:00: those left waiting are unserved
    del early["groups"][0]["headcount"]
    early["groups"][0]["shifts"] = [{"start": "08:00", "end": "09:00", "count": 4}]
    outcomes = set(_run(early).contacts["outcome"].astype(str))
    assert "unserved" in outcomes and "abandoned" not in outcomes


def test_blended_and_outbound_only_agents_count_in_the_agents_on_duty():
    data = _with_campaign(base())  # "team" (4, 5, 5, 4) is blended now
    data["groups"].append({"name": "inbound only", "skills": ["calls"],
                           "headcount": [2, 2, 2, 2]})
    data["groups"].append({"name": "dialler", "outbound": ["c"], "headcount": [1, 1, 1, 1]})
    agents = _run(data).by_interval()["agents"].to_numpy()
    assert np.allclose(agents[:3], [7, 8, 8])  # 4-5 blended + 2 inbound-only + 1 outbound-only
    assert 7 <= agents[3] < 8  # 7, and the fifth blended agent finishing the contact in hand


def test_without_blending_tables_blended_agents_dial_with_reserve_zero():
    sc = load(_with_campaign(base()))
    assert sc.blending_policy() == Threshold(reserve=0)
    assert (_run(_with_campaign(base())).contacts["kind"] == "outbound").any()


def test_a_threshold_reserve_counts_blended_agents():
    def outbound(reserve):
        data = _with_campaign(base())  # 4-5 blended agents
        data["inbound"][0]["volume"] = [2, 2, 2, 2]
        data["groups"].append({"name": "inbound only", "skills": ["calls"],
                               "headcount": [3, 3, 3, 3]})
        data["blending"] = [{"policy": "threshold", "reserve": reserve}]
        return int((_run(data).contacts["kind"] == "outbound").sum())

    assert outbound(6) > 0  # 7 or 8 idle agents able to answer, blended ones among them
    assert outbound(8) == 0


def test_several_blending_tables_must_all_agree():
    data = {**base(), **tomllib.loads(EXAMPLES[-1])}  # time window 08:30-09:30 and threshold
    data["inbound"][0]["volume"] = [2, 2, 2, 2]  # so that two agents are often idle
    sc = load(data)
    assert isinstance(sc.blending_policy(), AllOf)
    out = _run(data).contacts.query("kind == 'outbound'")
    assert len(out) > 0
    assert out["arrival_at"].between(8.5 * 3600, 9.5 * 3600).all()


def test_a_queue_capacity_of_zero_is_a_loss_system():
    data = base()
    data["inbound"][0]["volume"] = [120, 120, 120, 120]
    data["inbound"][0]["queue_capacity"] = 0
    contacts = _run(data).contacts
    assert (contacts["outcome"].astype(str) == "blocked").any()
    assert contacts.loc[contacts["outcome"].astype(str) == "served", "wait"].max() == 0


def test_the_readmes_link_to_the_reference():
    assert "](scenarios/REFERENCE.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](REFERENCE.md)" in (ROOT / "scenarios" / "README.md").read_text(encoding="utf-8")


def test_the_inline_examples_of_distributions_and_policies_load():
    from blendsim.scenario.distributions import distribution_from_dict

    dists = re.findall(r"^\| `(\w+)` \| [^|]* \| `(\{ dist = [^`]*\})` \|", TEXT, flags=re.M)
    policies = re.findall(r"^\| `(\w+)` \| [^|]* \| `(\{ policy = [^`]*\})` \|", TEXT,
                          flags=re.M)
    assert [name for name, _ in dists] == [d.to_dict()["dist"] for d, _ in DISTRIBUTIONS]
    assert [name for name, _ in policies] == [p.to_dict()["policy"] for p, _ in POLICIES]
    for (_, inline), (d, _) in zip(dists, DISTRIBUTIONS, strict=True):
        assert distribution_from_dict(tomllib.loads(f"x = {inline}")["x"]) == d
    for (_, inline), (p, _) in zip(policies, POLICIES, strict=True):
        assert policy_from_dict(tomllib.loads(f"x = {inline}")["x"]) == p


# --------------------------------------------------------------------------------------------
# Every bound the reference shows is the loader's (each value just past it is refused)


def _set(*path_and_value):
    """A change to the minimal file: set the item at ``path`` (the campaign is added first
    when the path goes into ``outbound``)."""
    *path, value = path_and_value

    def change(data):
        if path[0] == "outbound":
            _with_campaign(data)
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value() if callable(value) else value
        if path[:2] == ["inbound", 0] and path[2] in ("rate_per_hour", "daily_volume"):
            del data["inbound"][0]["volume"]
            if path[2] == "daily_volume":
                data["inbound"][0]["shape"] = [1, 1, 1, 1]
        if path[-1] == "overflow_after":
            data["inbound"][0]["groups"] = ["team"]
        if path[-1] == "shifts" or "shifts" in path:
            del data["groups"][0]["headcount"]
        return data
    return change


def _n(items, n):
    return lambda: [items(i) for i in range(n)]


def _bounds():
    from blendsim import limits as L
    from blendsim.scenario.parts import MAX_DAY

    exp = {"dist": "exponential", "mean": 240}
    pair = ["08:00", "09:00"]
    return [
        ("Scenario", "name", _set("name", "x" * (L.MAX_NAME + 1)), L.MAX_NAME),
        ("Scenario", "description", _set("description", "x" * (L.MAX_DESCRIPTION + 1)),
         L.MAX_DESCRIPTION),
        ("Scenario", "inbound", _set("inbound", _n(lambda i: {
            "name": f"t{i}", "volume": [1] * 4, "handle_time": exp}, L.MAX_TYPES + 1)),
         L.MAX_TYPES),
        ("Scenario", "groups", _set("groups", _n(lambda i: {
            "name": f"g{i}", "skills": ["calls"], "headcount": [1] * 4}, L.MAX_GROUPS + 1)),
         L.MAX_GROUPS),
        ("Scenario", "blending", _set("blending", _n(lambda i: {"policy": "dedicated"},
                                                     L.MAX_POLICIES + 1)), L.MAX_POLICIES),
        ("Scenario", "outbound", _set("outbound", _n(lambda i: {
            "name": f"c{i}", "talk_time": exp}, L.MAX_CAMPAIGNS + 1)), L.MAX_CAMPAIGNS),
        ("InboundType", "name", _set("inbound", 0, "name", "x" * (L.MAX_NAME + 1)), L.MAX_NAME),
        ("InboundType", "groups", _set("inbound", 0, "groups", ["team"] * (L.MAX_GROUPS + 1)),
         L.MAX_GROUPS),
        ("AgentGroup", "skills", _set("groups", 0, "skills", _n(lambda i: f"t{i}",
                                                                L.MAX_TYPES + 1)), L.MAX_TYPES),
        ("AgentGroup", "outbound", _set("groups", 0, "outbound", _n(lambda i: f"c{i}",
                                                                    L.MAX_CAMPAIGNS + 1)),
         L.MAX_CAMPAIGNS),
        ("InboundType", "volume", _set("inbound", 0, "volume", [L.MAX_CALLS + 1, 0, 0, 0]),
         L.MAX_CALLS),
        ("InboundType", "rate_per_hour",
         _set("inbound", 0, "rate_per_hour", [L.MAX_CALLS + 1, 0, 0, 0]), L.MAX_CALLS),
        ("InboundType", "daily_volume", _set("inbound", 0, "daily_volume", L.MAX_CALLS + 1),
         L.MAX_CALLS),
        ("InboundType", "busyness_cv",
         _set("inbound", 0, "busyness_cv", 2 * L.MAX_BUSYNESS_CV), L.MAX_BUSYNESS_CV),
        ("InboundType", "queue_capacity",
         _set("inbound", 0, "queue_capacity", L.MAX_CALLS + 1), L.MAX_CALLS),
        ("InboundType", "priority", _set("inbound", 0, "priority", L.MAX_PRIORITY + 1),
         L.MAX_PRIORITY),
        ("InboundType", "overflow_after", _set("inbound", 0, "overflow_after", [MAX_DAY + 1]),
         MAX_DAY),
        ("AgentGroup", "headcount", _set("groups", 0, "headcount", [L.MAX_HEADCOUNT + 1] * 4),
         L.MAX_HEADCOUNT),
        ("AgentGroup", "shifts", _set("groups", 0, "shifts", _n(lambda i: {
            "start": "08:00", "end": "09:00"}, L.MAX_SHIFTS + 1)), L.MAX_SHIFTS),
        ("Shift", "count", _set("groups", 0, "shifts", [{
            "start": "08:00", "end": "09:00", "count": L.MAX_HEADCOUNT + 1}]), L.MAX_HEADCOUNT),
        ("OutboundCampaign", "list_size", _set("outbound", 0, "list_size",
                                               L.MAX_LIST_SIZE + 1), L.MAX_LIST_SIZE),
        ("OutboundCampaign", "max_attempts", _set("outbound", 0, "max_attempts",
                                                  L.MAX_MAX_ATTEMPTS + 1), L.MAX_MAX_ATTEMPTS),
        ("OutboundCampaign", "dial_ratio", _set("outbound", 0, "dial_ratio",
                                                2 * L.MAX_DIAL_RATIO), L.MAX_DIAL_RATIO),
        ("OutboundCampaign", "retry_after", _set("outbound", 0, "retry_after",
                                                 2 * L.MAX_DURATION), L.MAX_DURATION),
        ("OutboundCampaign", "attempt_time", _set("outbound", 0, "attempt_time", {
            "dist": "deterministic", "value": L.MIN_ATTEMPT_SECONDS / 2}),
         L.MIN_ATTEMPT_SECONDS),
        ("OutboundCampaign", "windows", _set("outbound", 0, "windows",
                                             [pair] * (L.MAX_WINDOWS + 1)), L.MAX_WINDOWS),
        ("OutboundCampaign", "segments", _set("outbound", 0, "segments", _n(
            lambda i: {"name": f"s{i}"}, L.MAX_SEGMENTS + 1)), L.MAX_SEGMENTS),
        ("Segment", "share", _set("outbound", 0, "segments", [{"name": "s", "share": 2e6}]),
         1e6),
        ("Exponential", "mean", _set("inbound", 0, "handle_time", {
            "dist": "exponential", "mean": 2 * L.MAX_DURATION}), L.MAX_DURATION),
        ("Lognormal", "cv", _set("inbound", 0, "handle_time", {
            "dist": "lognormal", "mean": 240, "cv": 2 * L.MAX_CV}), L.MAX_CV),
        ("Gamma", "cv", _set("inbound", 0, "handle_time", {
            "dist": "gamma", "mean": 240, "cv": L.MIN_CV / 2}), L.MIN_CV),
        ("Empirical", "values", _set("inbound", 0, "handle_time", {
            "dist": "empirical", "values": [60.0] * (L.MAX_EMPIRICAL_VALUES + 1)}),
         L.MAX_EMPIRICAL_VALUES),
        ("TimeWindows", "windows", _set("blending", [{
            "policy": "time_windows", "windows": [pair] * (L.MAX_WINDOWS + 1)}]),
         L.MAX_WINDOWS),
    ]


def _digits(x) -> str:
    return f"{x:g}" if x != int(x) else str(int(x))


@pytest.mark.parametrize("case", _bounds(), ids=[f"{c}.{f}" for c, f, _, _ in _bounds()])
def test_every_bound_shown_is_the_loaders(case):
    cls, field, change, limit = case
    lines = problems(change(base())).replace(",", "").splitlines()
    key = file_key(cls, field)
    assert any(key in line and _digits(limit) in line for line in lines), lines[:3]
    allowed = DOCS[cls, field].allowed
    shown = (allowed() if callable(allowed) else allowed).replace(",", "")
    assert _digits(limit) in shown, shown


def test_every_limit_is_listed():
    from blendsim.limits import LIMITS

    for name in LIMITS:
        assert f"| `{name}` |" in TEXT


def test_a_shift_starts_at_most_twelve_hours_before_opening():
    data = base()
    data["day"] = {"open": "13:00", "close": "15:00"}
    del data["groups"][0]["headcount"]
    data["groups"][0]["shifts"] = [{"start": "01:00", "end": "15:00"}]
    assert load(data).groups[0].shifts[0].start_at == 3600
    data["groups"][0]["shifts"] = [{"start": "00:59", "end": "15:00"}]
    with pytest.raises(ScenarioError, match=r"groups\[0\]\.shifts\[0\]\.start 00:59 is outside"):
        load(data)
    assert "at most 12 hours before `open`" in TEXT


def _whole_scenario_bounds():
    from blendsim import limits as L

    def agents(data):
        data["groups"] = [{"name": f"g{i}", "skills": ["calls"],
                           "headcount": [L.MAX_HEADCOUNT] * 4}
                          for i in range(L.MAX_AGENTS // L.MAX_HEADCOUNT + 1)]
        return data

    def calls(data):
        data["inbound"][0]["volume"] = [L.MAX_CALLS / 2] * 4
        return data

    def attempts(data):
        return _with_campaign(data, {"name": "c", "talk_time": {"dist": "exponential",
                                                                "mean": 300},
                                     "list_size": L.MAX_LIST_SIZE,
                                     "max_attempts": L.MAX_MAX_ATTEMPTS})

    return [("MAX_AGENTS", agents, L.MAX_AGENTS), ("MAX_CALLS", calls, L.MAX_CALLS),
            ("MAX_OUTBOUND_ATTEMPTS", attempts, L.MAX_OUTBOUND_ATTEMPTS)]


@pytest.mark.parametrize("case", _whole_scenario_bounds(),
                         ids=[n for n, _, _ in _whole_scenario_bounds()])
def test_the_whole_scenario_bounds_listed_hold(case):
    name, change, limit = case
    assert f"| `{name}` | {limit:,} |" in TEXT
    assert _digits(limit) in problems(change(base())).replace(",", "")


def _shifts(*pairs):
    def change(data):
        del data["groups"][0]["headcount"]
        data["groups"][0]["shifts"] = [{"start": a, "end": b} for a, b in pairs]
        return data
    return change


def _campaign(**keys):
    return lambda data: _with_campaign(data, {
        "name": "c", "talk_time": {"dist": "exponential", "mean": 300}, **keys})


def _outside_policy(data):
    data["blending"] = [{"policy": "time_windows", "windows": [["11:00", "12:00"]]}]
    return _with_campaign(data)


@pytest.mark.parametrize("change, match", [
    (_shifts(("05:00", "07:00"), ("08:00", "10:00")), r"shifts\[0\] .* ends before opening"),
    (_shifts(("10:00", "11:00"), ("08:00", "10:00")), r"shifts\[0\] .* starts at closing"),
    (_campaign(windows=[["11:00", "12:00"]]), r"outbound\[0\]\.windows\[0\] .* wholly outside"),
    (_outside_policy, r"blending\[0\]\.windows\[0\] .* wholly outside"),
    (_campaign(stop_before_close=7200), r"stop_before_close 7200 seconds is the whole day"),
], ids=["shift-before-opening", "shift-at-closing", "campaign-window", "policy-window",
        "stop-before-close"])
def test_legal_input_that_does_nothing_loads_with_a_warning(change, match):
    with pytest.warns(UserWarning, match=match):
        assert load(change(base())) is not None
    assert "Input that is legal but does nothing loads with a warning" in TEXT
