"""Shift templates: their starts and break placements, every shift they allow on a day with
its coverage per interval and cost, their checks (every problem at once) and their file form."""

from __future__ import annotations

import numpy as np
import pytest
from builders import H

from blendsim.errors import ScenarioError
from blendsim.scenario.parts import Day, Shift
from blendsim.scenario.templates import (
    MAX_CANDIDATES,
    BreakRule,
    ShiftTemplate,
    candidate_shifts,
    load_shift_templates,
    shift_templates_from_dict,
)

M = 60  # seconds in a minute


def template(**kw) -> ShiftTemplate:
    base = dict(name="t", length=4 * H, earliest_start=8 * H, latest_start=9 * H,
                groups=["team"])
    return ShiftTemplate(**{**base, **kw})


def problems_of(excinfo) -> list[str]:
    return excinfo.value.problems


# --------------------------------------------------------------------------------------------
# Starts and break placements


def test_starts_are_exact():
    np.testing.assert_array_equal(template().starts(), [8 * H, 8.5 * H, 9 * H])
    np.testing.assert_array_equal(template(start_step=20 * M, latest_start=9 * H).starts(),
                                  [8 * H, 8 * H + 20 * M, 8 * H + 40 * M, 9 * H])
    # A window that is not a whole number of steps stops at the last step inside it.
    np.testing.assert_array_equal(template(start_step=H, latest_start=9.5 * H).starts(),
                                  [8 * H, 9 * H])
    np.testing.assert_array_equal(template(latest_start=8 * H).starts(), [8 * H])


def test_placements_are_exact_and_never_overlap():
    """A 15-minute break at 1:00 or 1:15 in, a 30-minute one at 1:15 or 1:30 (listed first):
    the four combinations less those where the breaks overlap or touch (a break starting as
    another ends is one long break), each in time order."""
    lunch = BreakRule(name="lunch", length=30 * M, earliest=75 * M, latest=90 * M, step=15 * M)
    coffee = BreakRule(length=15 * M, earliest=H, latest=75 * M, step=15 * M)
    t = template(breaks=[lunch, coffee])
    assert t.placements() == [((60 * M, 75 * M), (90 * M, 120 * M))]
    assert template().placements() == [()]


def test_break_offsets_default_to_the_start_step():
    rule = BreakRule(length=15 * M, earliest=H, latest=2 * H)
    np.testing.assert_array_equal(rule.offsets(30 * M), [H, 1.5 * H, 2 * H])
    np.testing.assert_array_equal(BreakRule(length=15 * M, earliest=H, latest=2 * H,
                                            step=20 * M).offsets(30 * M),
                                  [H, H + 20 * M, H + 40 * M, 2 * H])


def test_cost_counts_paid_hours_and_the_fixed_cost():
    """8 hours less an unpaid 30-minute lunch (a paid 15-minute break stays): 7.5 paid hours
    at 20 plus 10 a shift."""
    t = template(length=8 * H, cost_per_hour=20, cost_per_shift=10, breaks=[
        BreakRule(name="lunch", length=30 * M, earliest=4 * H, latest=4 * H, paid=False),
        BreakRule(length=15 * M, earliest=2 * H, latest=2 * H)])
    assert t.paid_seconds() == 7.5 * H
    assert t.cost() == 160.0
    assert template(cost_per_hour=20).cost() == 80.0


# --------------------------------------------------------------------------------------------
# Every shift a template set allows on a day


def test_candidates_coverage_is_exact():
    """One 2-hour start at 08:00 with a 15-minute break at 0:45 or 1:00 in, on half-hour
    intervals 08:00-10:00: the break takes half of 08:30 or of 09:00."""
    t = template(length=2 * H, latest_start=8 * H,
                 breaks=[BreakRule(length=15 * M, earliest=45 * M, latest=H, step=15 * M)])
    c = candidate_shifts(t, Day(open_at=8 * H, close_at=10 * H))
    assert len(c) == 2
    np.testing.assert_array_equal(c.coverage, [[1, 0.5, 1, 1], [1, 1, 0.5, 1]])
    np.testing.assert_array_equal(c.start, [8 * H, 8 * H])
    np.testing.assert_array_equal(c.end, [10 * H, 10 * H])
    assert c.breaks == (((8.75 * H, 9 * H),), ((9 * H, 9.25 * H),))
    np.testing.assert_array_equal(c.template, [0, 0])


def test_candidates_lunch_on_an_interval_and_costs():
    """A 30-minute unpaid lunch on an interval works none of it; two templates' shifts come in
    template order, each costed without its unpaid break and with its fixed cost."""
    eight = template(name="8h", length=8 * H, earliest_start=8 * H, latest_start=9 * H,
                     start_step=H, cost_per_hour=20, cost_per_shift=5,
                     breaks=[BreakRule(name="lunch", length=30 * M, earliest=4 * H,
                                       latest=4 * H, paid=False)])
    four = template(name="4h", length=4 * H, earliest_start=13 * H, latest_start=13 * H,
                    cost_per_hour=10)
    c = candidate_shifts([eight, four], Day(open_at=8 * H, close_at=17 * H, interval=1800))
    assert len(c) == 3
    np.testing.assert_array_equal(c.template, [0, 0, 1])
    np.testing.assert_array_equal(c.start, [8 * H, 9 * H, 13 * H])
    np.testing.assert_array_equal(c.cost, [7.5 * 20 + 5, 7.5 * 20 + 5, 40])
    expected = np.zeros((3, 18))
    expected[0, :16] = 1
    expected[0, 8] = 0  # 12:00-12:30 lunch
    expected[1, 2:18] = 1
    expected[1, 10] = 0  # 13:00-13:30 lunch
    expected[2, 10:18] = 1
    np.testing.assert_array_equal(c.coverage, expected)


def test_candidates_on_quarter_hour_and_hour_intervals():
    t = template(length=2 * H, latest_start=8 * H,
                 breaks=[BreakRule(length=15 * M, earliest=45 * M, latest=45 * M)])
    hourly = candidate_shifts(t, Day(open_at=8 * H, close_at=10 * H, interval=3600))
    np.testing.assert_array_equal(hourly.coverage, [[0.75, 1]])
    quarter = candidate_shifts(t, Day(open_at=8 * H, close_at=10 * H, interval=900))
    np.testing.assert_array_equal(quarter.coverage, [[1, 1, 1, 0, 1, 1, 1, 1]])


def test_candidate_shift_as_a_scenario_holds_it():
    t = template(length=2 * H, latest_start=8 * H,
                 breaks=[BreakRule(length=15 * M, earliest=45 * M, latest=H, step=15 * M)])
    c = candidate_shifts(t, Day(open_at=8 * H, close_at=10 * H))
    s = c.shift(1, 3)
    assert s == Shift(start_at=8 * H, end_at=10 * H, count=3, breaks=((9 * H, 9.25 * H),))


def test_back_to_back_breaks_are_not_a_placement():
    """Breaks that can only touch (one ends as the next starts) would be one long break, which
    a Shift refuses: the template allows no shift, and says so."""
    t = template(latest_start=8 * H, breaks=[BreakRule(length=15 * M, earliest=H, latest=H),
                                             BreakRule(length=15 * M, earliest=75 * M,
                                                       latest=75 * M)])
    assert t.placements() == []
    with pytest.raises(ScenarioError, match="cannot be placed"):
        candidate_shifts(t, Day(open_at=8 * H, close_at=12 * H))


def test_break_placements_are_bounded_before_they_are_listed():
    wide = [BreakRule(length=5 * M, earliest=H, latest=H + 99 * 5 * M, step=5 * M)
            for _ in range(3)]
    with pytest.raises(ScenarioError, match="1,000,000 ways"):
        template(length=10 * H, breaks=wide).placements()


def test_shifts_outside_opening_hours_are_dropped_unless_allowed():
    """4-hour shifts starting 06:00-09:00 hourly in a day open 07:00-12:00: only 07:00 and
    08:00 fit; with outside_hours all four, covering only the open intervals."""
    t = template(earliest_start=6 * H, latest_start=9 * H, start_step=H)
    day = Day(open_at=7 * H, close_at=12 * H, interval=3600)
    c = candidate_shifts(t, day)
    np.testing.assert_array_equal(c.start, [7 * H, 8 * H])
    np.testing.assert_array_equal(c.coverage, [[1, 1, 1, 1, 0], [0, 1, 1, 1, 1]])
    c = candidate_shifts(template(earliest_start=6 * H, latest_start=9 * H, start_step=H,
                                  outside_hours=True), day)
    np.testing.assert_array_equal(c.start, [6 * H, 7 * H, 8 * H, 9 * H])
    np.testing.assert_array_equal(c.end, [10 * H, 11 * H, 12 * H, 13 * H])
    np.testing.assert_array_equal(c.coverage, [[1, 1, 1, 0, 0], [1, 1, 1, 1, 0],
                                               [0, 1, 1, 1, 1], [0, 0, 1, 1, 1]])


def test_template_allowing_no_shift_is_an_error_naming_it():
    fits = template(name="fits", latest_start=8 * H)
    late = template(name="late", earliest_start=18 * H, latest_start=19 * H)
    with pytest.raises(ScenarioError) as e:
        candidate_shifts([fits, late], Day(open_at=8 * H, close_at=20 * H))
    assert problems_of(e) == [
        "templates[1] 'late' allows no shift within opening hours (08:00-20:00): its shifts "
        "of 4 h start 18:00-19:00 (set outside_hours = true to allow them)"]


def test_too_many_candidates_is_an_error():
    """10-hour shifts starting every 5 minutes over 20 hours (241) times a break placed at 100
    places: 24,100 shifts, more than MAX_CANDIDATES."""
    t = template(length=10 * H, earliest_start=0, latest_start=20 * H, start_step=5 * M,
                 breaks=[BreakRule(length=5 * M, earliest=5 * M, latest=100 * 5 * M,
                                   step=5 * M)], outside_hours=True)
    assert len(t.starts()) * len(t.placements()) > MAX_CANDIDATES
    with pytest.raises(ScenarioError, match=f"the templates allow more than "
                       f"{MAX_CANDIDATES:,} shifts"):
        candidate_shifts(t, Day(open_at=0, close_at=24 * H))


@pytest.mark.parametrize("templates, message", [
    ([], "templates must be a non-empty list of ShiftTemplate"),
    ("x", "templates must be a non-empty list of ShiftTemplate"),
    ([template(), "x"], r"templates\[1\] must be a ShiftTemplate \(got 'x'\)"),
    ([template(), template()], r"templates must have different names \(got \['t', 't'\]\)"),
])
def test_candidates_refuse_bad_template_sets(templates, message):
    with pytest.raises(ScenarioError, match=message):
        candidate_shifts(templates, Day())


def test_candidates_need_a_day():
    with pytest.raises(ScenarioError, match="day must be a Day"):
        candidate_shifts(template(), "08:00-20:00")


# --------------------------------------------------------------------------------------------
# Checks: every problem at once, naming the field


def test_template_reports_every_problem_at_once():
    with pytest.raises(ScenarioError) as e:
        ShiftTemplate(name="", length=-1, earliest_start=-5, latest_start="x", start_step=10,
                      cost_per_hour=-1, cost_per_shift=float("nan"), groups=[],
                      min_count=1.5, max_count=-1, outside_hours=1)
    p = problems_of(e)
    assert p[:4] == ["name must be a non-empty text (got '')",
                     "length must be >= 300 seconds (got -1)",
                     "earliest_start must be >= 0 seconds (got -5)",
                     "latest_start must be a number (got 'x')"]
    for field in ("start_step must be >= 300 seconds (got 10)",
                  "cost_per_hour must be >= 0 (got -1)", "cost_per_shift",
                  "min_count must be a whole number (got 1.5)",
                  "max_count must be >= 0 (got -1)",
                  "outside_hours must be true or false (got 1)",
                  "groups must be a non-empty list of the agent groups"):
        assert sum(field in q for q in p) == 1, (field, p)
    assert len(p) == 11


@pytest.mark.parametrize("change, message", [
    (dict(latest_start=7 * H), "latest_start must be at or after earliest_start (got "
                               "08:00-07:00)"),
    (dict(min_count=3, max_count=2), "max_count must be >= min_count (got min 3, max 2)"),
    (dict(groups=["a", "a"]), "groups must not repeat a group (got ['a', 'a'])"),
    (dict(groups=["a", ""]), "groups[1] must be a non-empty text (got '')"),
    (dict(length=25 * H), "length must be <= 86400 seconds"),
    (dict(breaks=["lunch"]), "breaks[0] must be a BreakRule (got 'lunch')"),
    (dict(breaks=[BreakRule(length=30 * M, earliest=H, latest=3.5 * H)]),
     "breaks[0] must end before the shift does (a 30-minute break starting up to 3.5 h in, "
     "in a 4-hour shift)"),
])
def test_template_problem_names_its_field(change, message):
    with pytest.raises(ScenarioError) as e:
        template(**change)
    assert any(message in q for q in problems_of(e)), problems_of(e)


def test_break_rule_reports_every_problem_at_once():
    with pytest.raises(ScenarioError) as e:
        BreakRule(length=0, earliest=0, latest=-1, step=10, name="", paid="no")
    assert problems_of(e) == ["name must be a non-empty text (got '')",
                              "length must be > 0 seconds (got 0)",
                              "earliest must be > 0 seconds (got 0)",
                              "latest must be >= 0 seconds (got -1)",
                              "step must be >= 300 seconds (got 10)",
                              "paid must be true or false (got 'no')"]
    with pytest.raises(ScenarioError) as e:
        BreakRule(length=15 * M, earliest=2 * H, latest=H)
    assert problems_of(e) == ["latest must be >= earliest (got earliest 7200 s, latest "
                              "3600 s)"]


# --------------------------------------------------------------------------------------------
# The file form

FULL = """
[[templates]]
name = "8 hours"
hours = 8
earliest_start = "07:00"
latest_start = "16:00"
start_every_minutes = 30
cost_per_hour = 22.0
cost_per_shift = 4
groups = ["inbound team", "blended team"]
min_count = 2
max_count = 40
breaks = [
  { name = "lunch", minutes = 30, after_hours = [3.5, 5.0], paid = false },
  { minutes = 15, after_hours = [1.5, 2.5], every_minutes = 15 },
]

[[templates]]
name = "evening"
hours = 4.5
earliest_start = "18:00"
latest_start = "19:30"
groups = ["blended team"]
outside_hours = true
"""


def test_full_file_loads_into_the_expected_templates(tmp_path):
    path = tmp_path / "shifts.toml"
    path.write_text(FULL)
    got = load_shift_templates(path)
    assert got == (
        ShiftTemplate(name="8 hours", length=8 * H, earliest_start=7 * H,
                      latest_start=16 * H, start_step=30 * M, cost_per_hour=22.0,
                      cost_per_shift=4, groups=("inbound team", "blended team"),
                      min_count=2, max_count=40, breaks=(
                          BreakRule(name="lunch", length=30 * M, earliest=3.5 * H,
                                    latest=5 * H, paid=False),
                          BreakRule(length=15 * M, earliest=1.5 * H, latest=2.5 * H,
                                    step=15 * M))),
        ShiftTemplate(name="evening", length=4.5 * H, earliest_start=18 * H,
                      latest_start=19.5 * H, groups=("blended team",), outside_hours=True),
    )
    assert got[0].cost() == pytest.approx(7.5 * 22 + 4)
    assert len(got[0].placements()) == 4 * 5  # lunch 3.5-5 h by 30 min, break by 15 min


def _one(**kw) -> dict:
    base = {"name": "a", "hours": 8, "earliest_start": "07:00", "latest_start": "08:00",
            "groups": ["g"]}
    return {**base, **kw}


@pytest.mark.parametrize("item, expected", [
    (_one(bogus=1), ["templates[0]: unknown key 'bogus' (allowed: name, hours, "
                     "earliest_start, latest_start, start_every_minutes, breaks, "
                     "cost_per_hour, cost_per_shift, groups, min_count, max_count, "
                     "outside_hours)"]),
    ({"groups": ["g"]}, ["templates[0].name is required", "templates[0].hours is required",
                         "templates[0].earliest_start is required (a clock time like "
                         "\"07:00\")",
                         "templates[0].latest_start is required (a clock time like "
                         "\"07:00\")"]),
    (_one(hours="8"), ["templates[0].hours must be a number (got '8')"]),
    (_one(hours=True), ["templates[0].hours must be a number (got True)"]),
    (_one(latest_start="25:61", earliest_start="7"),
     ["templates[0].earliest_start must be a clock time like \"07:30\" (got '7')",
      "templates[0].latest_start must be a clock time like \"07:30\" (got '25:61')"]),
    (_one(start_every_minutes="x"), ["templates[0].start_every_minutes must be a number "
                                     "(got 'x')"]),
    (_one(breaks={"minutes": 30}), ["templates[0].breaks must be a list of tables like "
                                    "{ minutes = 30, after_hours = [3, 5] } (got "
                                    "{'minutes': 30})"]),
    (_one(breaks=[5]), ["templates[0].breaks[0] must be a table like { minutes = 30, "
                        "after_hours = [3, 5] } (got 5)"]),
    (_one(breaks=[{"minutes": 30, "after_hours": [3]}]),
     ["templates[0].breaks[0].after_hours must be [earliest, latest]: the hours after the "
      "shift's start between which the break starts (got [3])"]),
    (_one(breaks=[{"minutes": 30, "after_hours": ["3", 4]}]),
     ["templates[0].breaks[0].after_hours must be [earliest, latest]: the hours after the "
      "shift's start between which the break starts (got ['3', 4])"]),
    (_one(breaks=[{"after_hours": [3, 4], "lunch": True}]),
     ["templates[0].breaks[0]: unknown key 'lunch' (allowed: name, minutes, after_hours, "
      "every_minutes, paid)", "templates[0].breaks[0].minutes is required"]),
    (_one(breaks=[{"minutes": 30, "after_hours": [3, 4], "every_minutes": "x"}]),
     ["templates[0].breaks[0].every_minutes must be a number (got 'x')"]),
    (_one(breaks=[{"minutes": 30, "after_hours": [3, 4], "paid": "no"}]),
     ["templates[0].breaks[0].paid must be true or false (got 'no')"]),
    (_one(min_count=3, max_count=1), ["templates[0].max_count must be >= min_count (got "
                                      "min 3, max 1)"]),
    (_one(groups=[]), ["templates[0].groups must be a non-empty list of the agent groups "
                       "that may work the shift (got ())"]),
])
def test_file_problems_name_their_path(item, expected):
    with pytest.raises(ScenarioError) as e:
        shift_templates_from_dict({"templates": [item]})
    assert problems_of(e) == expected


def test_file_problems_of_several_templates_come_together():
    with pytest.raises(ScenarioError) as e:
        shift_templates_from_dict({"templates": [_one(hours="x"), _one(name="b"),
                                                 _one(name="c", latest_start="late")]})
    assert problems_of(e) == [
        "templates[0].hours must be a number (got 'x')",
        "templates[2].latest_start must be a clock time like \"07:30\" (got 'late')"]


def test_file_template_names_must_differ():
    with pytest.raises(ScenarioError, match=r"templates must have different names \(got "
                       r"\['a', 'a'\]\)"):
        shift_templates_from_dict({"templates": [_one(), _one()]})


@pytest.mark.parametrize("data, message", [
    ({"templates": [_one()], "day": {}}, r"a shift-template file holds \[\[templates\]\] "
                                         r"tables only \(got \['day', 'templates'\]\)"),
    ({"day": {}}, r"holds \[\[templates\]\] tables only \(got \['day'\]\)"),
    (["x"], r"holds \[\[templates\]\] tables only"),
    ({"templates": []}, r"templates must be a non-empty list of \[\[templates\]\] tables"),
    ({"templates": ["x"]}, r"templates\[0\] must be a table \(got 'x'\)"),
])
def test_file_layout_is_refused(data, message):
    with pytest.raises(ScenarioError, match=message):
        shift_templates_from_dict(data)


def test_file_with_other_tables_is_refused(tmp_path):
    path = tmp_path / "scenario.toml"
    path.write_text(FULL + "\n[day]\nopen = \"08:00\"\n")
    with pytest.raises(ScenarioError, match=r"holds \[\[templates\]\] tables only") as e:
        load_shift_templates(path)
    assert e.value.source is not None and "scenario.toml" in e.value.source


def test_file_that_is_not_toml_is_refused(tmp_path):
    path = tmp_path / "shifts.toml"
    path.write_text("[[templates]\nname = ")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_shift_templates(path)


def test_file_problems_use_the_file_keys():
    with pytest.raises(ScenarioError) as e:
        shift_templates_from_dict({"templates": [_one(hours=0.01, start_every_minutes=1)]})
    assert all(q.startswith(("templates[0].hours", "templates[0].start_every_minutes"))
               for q in problems_of(e)), problems_of(e)


def test_file_reports_break_and_template_problems_together():
    with pytest.raises(ScenarioError) as e:
        shift_templates_from_dict({"templates": [_one(min_count=-1, breaks=[
            {"minutes": "x", "after_hours": [3, 4]}])]})
    p = problems_of(e)
    assert any("breaks[0].minutes" in q for q in p) and any("min_count" in q for q in p), p
