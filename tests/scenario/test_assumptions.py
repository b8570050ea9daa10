"""Business assumptions: the shipped defaults, a centre's own file, lookups, variants, errors."""

from __future__ import annotations

import importlib.util
import math
import tomllib

import numpy as np
import pytest
from builders import ROOT, SCENARIOS

from blendsim import load_scenario
from blendsim.errors import InputError, ScenarioError
from blendsim.limits import MAX_BUSYNESS_CV
from blendsim.scenario.assumptions import (
    FIGURES,
    MAX_OVERRIDES,
    Assumption,
    Assumptions,
    assumptions_from_dict,
    assumptions_to_toml,
    default_assumptions,
    load_assumptions,
)

PILOT = SCENARIOS / "pilot_assumptions.toml"
PAIR = [SCENARIOS / "pilot_baseline.toml", SCENARIOS / "pilot_blended.toml"]
SHARED_LOG = ROOT.parent / "shared" / "data" / "anonymous_bank_1999_january.txt"


def write(tmp_path, text: str, name: str = "ours.toml"):
    p = tmp_path / name
    p.write_text("schema_version = 1\n" + text, encoding="utf-8")
    return p


def problems_of(tmp_path, text: str) -> list[str]:
    with pytest.raises(ScenarioError) as e:
        load_assumptions(write(tmp_path, text))
    return e.value.problems


# --- the defaults ------------------------------------------------------------------------------


def test_every_figure_has_a_default_with_unit_source_and_range():
    a = default_assumptions()
    assert a.keys() == list(FIGURES)  # in file order, nothing else
    for item in a:
        assert item.default is True
        assert item.unit.strip() and item.source.strip() and item.note.strip()
        assert item.low <= item.value <= item.high, item.key
        assert item.label == FIGURES[item.key].label
    assert a.currency == "USD" and a["agent_hour_cost"].unit == "USD per paid agent-hour"


def test_defaults_that_could_not_be_confirmed_say_so():
    a = default_assumptions()
    # A figure without a published number says "not confirmed" in its source or note.
    for key in ("conversation_value", "contacts_prevented"):
        assert "not confirmed" in a[key].source
    assert "$8.01" in a["inbound_call_cost"].source and "2019" in a["inbound_call_cost"].source
    assert "66%" in a["contacts_caused"].source and a["contacts_caused"].value == 0.66
    assert "43-4051" in a["agent_hour_cost"].source
    # The loaded hour is the wage over the wages' share of compensation, as its note says.
    assert a["agent_hour_cost"].value == pytest.approx(15.53 / 0.686, abs=0.05)


def test_the_net_effect_of_a_conversation_on_inbound_contacts_may_be_negative():
    a = default_assumptions()
    assert a.net_contacts_prevented == pytest.approx(0.25 - 0.66)


def test_default_busyness_cv_is_within_the_scenario_bound_and_its_note_says_how():
    b = default_assumptions()["busyness_cv"]
    assert 0 < b.low < b.value < b.high <= MAX_BUSYNESS_CV
    assert "19 regular working days" in b.note and "(var - mean) / mean^2" in b.note


def _derive_module():
    spec = importlib.util.spec_from_file_location(
        "derive_anonymous_bank", ROOT / "scenarios" / "derive_anonymous_bank.py")
    derive = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(derive)
    return derive


@pytest.mark.skipif(not SHARED_LOG.exists(), reason="the shared call log is not available here")
def test_default_busyness_cv_is_remeasured_from_the_call_log():
    derive = _derive_module()
    log = derive.load_log(SHARED_LOG)
    work = log[log["date"].dt.day_name().isin(derive.WORKDAYS)]
    offered = work[(work["outcome"] == "AGENT")
                   | ((work["outcome"] == "HANG") & work["queued"])]
    offered = offered[(offered["offered_at"] >= derive.OPEN_AT)
                      & (offered["offered_at"] < derive.CLOSE_AT)]
    daily = offered.groupby("date").size()
    weekday = daily.index.day_name()
    cv2, dof = 0.0, 0
    for day in derive.WORKDAYS:
        x = daily[weekday == day].to_numpy(float)
        m, v = x.mean(), x.var(ddof=1)
        cv2 += (len(x) - 1) * (v - m) / m**2  # method of moments: Var = m + m^2 cv^2
        dof += len(x) - 1
    assert len(daily) == 19 and dof == 14
    measured = math.sqrt(cv2 / dof)
    assert measured == pytest.approx(default_assumptions()["busyness_cv"].value, abs=0.005)


# --- a centre's own file -------------------------------------------------------------------------


def test_a_file_overrides_figures_and_the_rest_come_from_the_defaults(tmp_path):
    a = load_assumptions(write(tmp_path, """
name = "ours"
[inbound_call_cost]
value = 6.5
low = 5.0
high = 9.0
source = "finance, 2025"
[busyness_cv]
value = 0.1
default = true
"""))
    d = default_assumptions()
    assert a.name == "ours" and a.keys() == d.keys()
    own = a["inbound_call_cost"]
    assert (own.value, own.low, own.high, own.source, own.default) == (6.5, 5, 9,
                                                                       "finance, 2025", False)
    # Without a range the figure is exact; `default = true` is kept as the file says.
    assert (a["busyness_cv"].low, a["busyness_cv"].high, a["busyness_cv"].default) == (
        0.1, 0.1, True)
    assert a["busyness_cv"].source == "the centre's own figure"
    for key in ("agent_hour_cost", "contacts_caused", "working_days_per_year"):
        assert a[key] == d[key] and a[key].default


def test_name_defaults_to_the_file_name(tmp_path):
    assert load_assumptions(write(tmp_path, "", "bank_2026_assumptions.toml")).name == \
        "bank_2026_assumptions"


def test_per_group_and_per_segment_lookups_fall_back_to_the_general_figure(tmp_path):
    a = load_assumptions(write(tmp_path, """
[agent_hour_cost]
value = 30.0
[agent_hour_cost.groups."blended team"]
value = 34.0
[conversation_value.segments."card renewals"]
value = 7.5
"""))
    assert a.hour_cost("blended team") == 34.0
    assert a.hour_cost("inbound team") == 30.0
    assert a.conversation_value("card renewals") == 7.5
    assert a.conversation_value("mortgage follow-ups") == default_assumptions()[
        "conversation_value"].value == a.conversation_value(None)
    assert a["agent_hour_cost[blended team]"].label == "Cost of a paid agent-hour (blended team)"
    # Each general figure is followed by its overrides.
    assert a.keys()[:3] == ["agent_hour_cost", "agent_hour_cost[blended team]",
                            "conversation_value"]


def test_group_overrides_alone_keep_the_default_general_figure(tmp_path):
    a = load_assumptions(write(tmp_path, '[agent_hour_cost.groups."night"]\nvalue = 40.0\n'))
    assert a["agent_hour_cost"] == default_assumptions()["agent_hour_cost"]
    assert a.hour_cost("night") == 40.0 and not a["agent_hour_cost[night]"].default


def test_a_segment_value_is_its_conversion_rate_times_the_conversion_value(tmp_path):
    a = load_assumptions(write(tmp_path, """
[conversation_value.segments.renewals]
conversion_rate = 0.25
conversion_value = 60.0
[conversation_value.segments.upsell]
conversion_rate = 0.1
conversion_value = 200.0
low = 10.0
high = 30.0
"""))
    r = a["conversation_value[renewals]"]
    assert (r.value, r.low, r.high) == (15.0, 15.0, 15.0)
    assert "0.25 x 60 USD" in r.note
    u = a["conversation_value[upsell]"]
    assert (u.value, u.low, u.high) == pytest.approx((20.0, 10.0, 30.0))


def test_replace_changes_one_figure_and_keeps_the_rest():
    a = default_assumptions()
    b = a.replace("inbound_call_cost", a["inbound_call_cost"].high)
    assert b["inbound_call_cost"].value == 15.0 and a["inbound_call_cost"].value == 8.0
    assert [x for x in b if x.key != "inbound_call_cost"] == [
        x for x in a if x.key != "inbound_call_cost"]
    # A value outside the range widens it, so low <= value <= high still holds.
    c = a.replace("contacts_prevented", 2.0)
    assert (c["contacts_prevented"].value, c["contacts_prevented"].high) == (2.0, 2.0)
    assert c.net_contacts_prevented == pytest.approx(2.0 - 0.66)


@pytest.mark.parametrize("key, value, match", [
    ("no_such_figure", 1.0, r"no assumption 'no_such_figure' \(known: agent_hour_cost, "),
    ("agent_hour_cost[nobody]", 1.0, r"no assumption 'agent_hour_cost\[nobody\]'"),
    ("busyness_cv", 2.0, rf"busyness_cv must be <= {MAX_BUSYNESS_CV:g} \(got 2\)"),
    ("inbound_call_cost", -1.0, r"inbound_call_cost must be >= 0 \(got -1\)"),
    ("inbound_call_cost", float("nan"), r"inbound_call_cost must be a number, not NaN"),
    ("working_days_per_year", "250", r"working_days_per_year must be a single number"),
])
def test_replace_refuses_unknown_keys_and_values_out_of_range(key, value, match):
    with pytest.raises(InputError, match=match):
        default_assumptions().replace(key, value)


def test_table_has_one_row_a_figure_with_its_source():
    t = load_assumptions(PILOT).table()
    assert list(t.columns) == ["key", "label", "value", "low", "high", "unit", "source",
                               "note", "default"]
    assert len(t) == len(load_assumptions(PILOT))
    assert (t["low"] <= t["value"]).all() and (t["value"] <= t["high"]).all()
    assert t["source"].str.len().min() > 0
    assert t.set_index("key").loc["agent_hour_cost[blended team]", "default"] == False  # noqa: E712


@pytest.mark.parametrize("source", ["defaults", "pilot", "edited"])
def test_the_file_form_round_trips(tmp_path, source):
    a = {"defaults": default_assumptions, "pilot": lambda: load_assumptions(PILOT),
         "edited": lambda: default_assumptions().replace("busyness_cv", 0.123456789)}[source]()
    text = assumptions_to_toml(a)
    tomllib.loads(text)  # valid TOML
    p = tmp_path / "again.toml"
    p.write_text(text, encoding="utf-8")
    b = load_assumptions(p)
    assert b == a
    assert [x.default for x in b] == [x.default for x in a]


def test_a_file_in_another_currency_must_give_every_money_figure(tmp_path):
    text = 'currency = "EUR"\n' + "".join(
        f'[{k}]\nvalue = 1.0\n' for k in ("agent_hour_cost", "conversation_value",
                                          "abandoned_call_cost"))
    problems = problems_of(tmp_path, text)
    assert problems == ["inbound_call_cost must be given: the file's currency is EUR and "
                        "the defaults are in USD"]
    a = load_assumptions(write(tmp_path, text + "[inbound_call_cost]\nvalue = 5.0\n"))
    assert a["inbound_call_cost"].unit == "EUR per inbound contact"
    assert a["contacts_caused"].unit == "inbound contacts per conversation"


# --- errors: every problem at once, in the file's words ------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("[agent_hour_cost]\nvalue = 20.0\nlow = 25.0\n",
     "agent_hour_cost.low must be <= value (got low 25, value 20)"),
    ("[agent_hour_cost]\nvalue = 20.0\nhigh = 15.0\n",
     "agent_hour_cost.high must be >= value (got high 15, value 20)"),
    ("[inbound_call_cost]\nvalue = -3.0\n", "inbound_call_cost.value must be >= 0 (got -3)"),
    ("[inbound_call_cost]\nvalue = 2e6\n",
     "inbound_call_cost.value must be <= 1000000 (got 2000000)"),
    ("[inbound_call_cost]\nvalue = nan\n", "inbound_call_cost.value must be a number (got nan)"),
    ("[inbound_call_cost]\nvalue = \"8\"\n",
     "inbound_call_cost.value must be a number (got '8')"),
    ("[working_days_per_year]\nvalue = 400\n",
     "working_days_per_year.value must be <= 366 (got 400)"),
    ("[working_days_per_year]\nvalue = 0\n", "working_days_per_year.value must be >= 1 (got 0)"),
    (f"[busyness_cv]\nvalue = {MAX_BUSYNESS_CV + 1}\n",
     f"busyness_cv.value must be <= {MAX_BUSYNESS_CV:g} (got {MAX_BUSYNESS_CV + 1:g})"),
    ("[contacts_caused]\nvalue = -0.5\n", "contacts_caused.value must be >= 0 (got -0.5)"),
    ("[contacts_caused]\nlow = 0.1\n", "contacts_caused.value is missing"),
    ("[contacts_caused]\nvalue = 0.5\nunit = \"calls\"\n",
     "contacts_caused.unit must be 'inbound contacts per conversation' (got 'calls')"),
    ("[contacts_caused]\nvalue = 0.5\nsource = \"\"\n",
     "contacts_caused.source must say where the figure comes from (got an empty text; leave "
     "it out for \"the centre's own figure\")"),
    ("[contacts_caused]\nvalue = 0.5\nsource = \"a\\nb\"\n",
     "contacts_caused.source must be one line (got 'a\\nb')"),
    ("[contacts_caused]\nvalue = 0.5\ndefault = 1\n",
     "contacts_caused.default must be true or false (got 1)"),
    ("[contacts_caused]\nvalue = 0.5\nsegments = {}\n",
     "contacts_caused.segments is not a known field (allowed: value, low, high, unit, source, "
     "note, default)"),
    ("contacts = 3\n", "contacts is not a known field (allowed: schema_version, name, currency, "
     "agent_hour_cost, conversation_value, abandoned_call_cost, inbound_call_cost, "
     "contacts_prevented, contacts_caused, working_days_per_year, busyness_cv)"),
    ("busyness_cv = 0.2\n",
     "busyness_cv must be a table like [busyness_cv] with value = ... (got 0.2)"),
    ('currency = "dollars"\n', 'currency must be a three-letter code like "USD" (got '
     "'dollars')"),
    ('[agent_hour_cost.groups."blended team"]\nvalue = 30.0\nrate = 2\n',
     'agent_hour_cost.groups."blended team".rate is not a known field (allowed: value, low, '
     'high, unit, source, note, default)'),
    ('[agent_hour_cost.groups."blended team"]\nvalue = -30.0\n',
     'agent_hour_cost.groups."blended team".value must be >= 0 (got -30)'),
    ("[agent_hour_cost]\ngroups = 3\n",
     "agent_hour_cost.groups must be tables like [agent_hour_cost.groups.\"name\"] (got 3)"),
    ('[agent_hour_cost.groups]\nteam = 30.0\n',
     'agent_hour_cost.groups."team" must be a table with value = ... (got 30.0)'),
    ('[agent_hour_cost.groups."=cmd"]\nvalue = 30.0\n',
     "agent_hour_cost.groups: the name '=cmd' must not start with =, +, -, @, a tab or a "
     "carriage return (got '=cmd'): spreadsheets run such a CSV cell as a formula (formula "
     "injection)"),
    ("[conversation_value.segments.x]\nconversion_rate = 1.5\nconversion_value = 10.0\n",
     "conversation_value.segments.\"x\".conversion_rate must be <= 1 (got 1.5)"),
    ("[conversation_value.segments.x]\nconversion_rate = 0.5\n",
     "conversation_value.segments.\"x\".conversion_value is missing (value = conversion_rate "
     "x conversion_value)"),
    ("[conversation_value.segments.x]\nvalue = 3.0\nconversion_rate = 0.5\n"
     "conversion_value = 10.0\n",
     "conversation_value.segments.\"x\": give either value or conversion_rate and "
     "conversion_value, not both"),
    ("[inbound_call_cost]\nvalue = 5.0\nconversion_rate = 0.5\n",
     "inbound_call_cost.conversion_rate is not a known field (allowed: value, low, high, unit, "
     "source, note, default)"),
])
def test_each_bad_figure_is_named_with_its_value_and_rule(tmp_path, text, expected):
    assert problems_of(tmp_path, text) == [expected]


def test_every_problem_is_reported_at_once_with_the_file_name(tmp_path):
    p = write(tmp_path, "[inbound_call_cost]\nvalue = -1.0\n[busyness_cv]\nvalue = 9.0\n"
                        "[working_days_per_year]\nvalue = 0.5\n")
    with pytest.raises(ScenarioError) as e:
        load_assumptions(p)
    assert len(e.value.problems) == 3
    assert all(line.startswith(f"{p}: ") for line in str(e.value).splitlines())


@pytest.mark.parametrize("text, expected", [
    ("", "schema_version is missing (this blendsim reads schema_version = 1)"),
    ("schema_version = 2\n", "schema_version must be 1 (got 2)"),
    ('schema_version = "1"\n', "schema_version must be 1 (got '1')"),
])
def test_schema_version_is_required(tmp_path, text, expected):
    p = tmp_path / "v.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as e:
        load_assumptions(p)
    assert e.value.problems == [expected]


def test_not_toml_and_missing_files_are_scenario_errors(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text("value = = 3\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_assumptions(p)
    with pytest.raises(ScenarioError, match="no such file"):
        load_assumptions(tmp_path / "absent.toml")


def test_overrides_are_bounded(tmp_path):
    text = "".join(f'[agent_hour_cost.groups."g{i}"]\nvalue = 20.0\n'
                   for i in range(MAX_OVERRIDES + 1))
    assert problems_of(tmp_path, text) == [
        f"at most {MAX_OVERRIDES} per-group and per-segment figures (got at least "
        f"{MAX_OVERRIDES + 1})"]


def test_the_defaults_layout_requires_every_figure_and_field():
    data = tomllib.loads((ROOT / "blendsim" / "scenario" / "default_assumptions.toml")
                         .read_text(encoding="utf-8"))
    del data["busyness_cv"]
    del data["inbound_call_cost"]["source"]
    with pytest.raises(ScenarioError) as e:
        assumptions_from_dict(data, "defaults")
    assert e.value.problems == [
        "inbound_call_cost.source is missing (the defaults give every field)",
        "busyness_cv is missing (every figure is required in the defaults)"]


def test_assumption_objects_check_themselves():
    good = dict(key="inbound_call_cost", label="x", value=8.0, low=1.0, high=15.0,
                unit="USD per inbound contact", source="s")
    assert Assumption(**good).figure == "inbound_call_cost"
    with pytest.raises(ScenarioError, match=r"key must be one of agent_hour_cost, "):
        Assumption(**{**good, "key": "inbound_call_cost[x]"})  # no per-name figure
    with pytest.raises(ScenarioError, match=r"inbound_call_cost.low must be <= value "
                                            r"\(got low 9, value 8\)"):
        Assumption(**{**good, "low": 9.0})
    with pytest.raises(ScenarioError, match=r"inbound_call_cost.source must say where"):
        Assumption(**{**good, "source": " "})
    items = list(default_assumptions())
    with pytest.raises(ScenarioError, match=r"every figure is required; missing: busyness_cv"):
        Assumptions("x", "USD", items[:-1])
    with pytest.raises(ScenarioError, match=r"inbound_call_cost is given twice"):
        Assumptions("x", "USD", items + [items[3]])
    with pytest.raises(ScenarioError, match=r"agent_hour_cost.unit must be 'EUR per paid "
                                            r"agent-hour' \(got 'USD per paid agent-hour'\)"):
        Assumptions("x", "EUR", items)


def test_assumptions_are_immutable():
    a = default_assumptions()
    with pytest.raises(AttributeError):
        a.name = "other"
    with pytest.raises(AttributeError):
        a["busyness_cv"].value = 0.5


# --- check() against the scenarios ------------------------------------------------------------


def _names(paths):
    scenarios = [load_scenario(p) for p in paths]
    groups = {g.name for sc in scenarios for g in sc.groups}
    segments = {s.name for sc in scenarios for c in sc.outbound for s in c.segments}
    return groups, segments


def test_the_pilot_example_loads_and_fits_the_pilot_pair():
    a = load_assumptions(PILOT)
    groups, segments = _names(PAIR)
    a.check(groups, segments)  # raises if a name is not the scenarios'
    assert a.hour_cost("blended team") > a.hour_cost("inbound team") == \
        default_assumptions()["agent_hour_cost"].value
    assert a.conversation_value("card renewals") == pytest.approx(0.2 * 40.0)
    assert a.conversation_value("mortgage follow-ups") == pytest.approx(0.05 * 300.0)
    own = [x.key for x in a if not x.default]
    assert own == ["agent_hour_cost[blended team]", "conversation_value[card renewals]",
                   "conversation_value[mortgage follow-ups]", "contacts_prevented"]
    assert all("the centre's own" in a[k].source and "Example" in a[k].note for k in own)


def test_check_names_every_override_the_scenarios_lack(tmp_path):
    a = load_assumptions(write(tmp_path, """
[agent_hour_cost.groups."night team"]
value = 30.0
[conversation_value.segments."card renewal"]
value = 5.0
"""))
    groups, segments = _names(PAIR)
    with pytest.raises(ScenarioError) as e:
        a.check(groups, segments)
    assert e.value.problems == [
        "agent_hour_cost[night team]: the scenarios have no group 'night team' (groups: "
        "'blended team', 'inbound team')",
        "conversation_value[card renewal]: the scenarios have no segment 'card renewal' "
        "(segments: 'card renewals', 'mortgage follow-ups')"]
    with pytest.raises(ScenarioError, match=r"no segment 'card renewal' \(segments: none\)"):
        a.check(["night team"], [])
    with pytest.raises(InputError, match=r"groups must be a list of names \(got 'night team'\)"):
        a.check("night team", [])


def test_lookups_refuse_what_is_not_a_name():
    a = default_assumptions()
    with pytest.raises(InputError, match=r"group must be a group name \(got 3\)"):
        a.hour_cost(3)
    with pytest.raises(InputError, match=r"segment must be a segment name or None"):
        a.conversation_value(np.float64(1))
