"""The integer cover: optima proved by enumerating every roster of small instances, covers
whose optimum is known by hand, the least-short then cheapest roster when nothing covers,
groups (``counts_for``), template bounds, extra goals, and the checks of the input."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blendsim.analytic.cover import integer_cover
from blendsim.errors import InputError

TOL = 1e-9


# --------------------------------------------------------------------------------------------
# The brute-force twin: every count vector in a box, the least shortfall, then the least cost


def _box(coverage, requirement, bounds=(), goals=()):
    """A per-column count bound that holds an optimal roster (least shortfall, then least
    cost, costs >= 0).  Past ``max_i ceil(req_i / a_ji)`` column ``j`` alone covers every
    interval it touches, so one shift fewer never adds shortfall; past the largest bound
    ``low`` or the count meeting each goal on its own, one fewer breaks no bound or goal
    either."""
    a = np.asarray(coverage, dtype=float)
    req = np.atleast_2d(np.asarray(requirement, dtype=float)).max(axis=0)
    top = []
    for j in range(a.shape[0]):
        touched = a[j] > 0
        u = int(np.ceil(req[touched] / a[j, touched]).max()) if touched.any() else 0
        u = max([u] + [int(np.ceil(low)) for _, low, _ in bounds])
        for w, goal in goals:
            if w[j] > 0:
                u = max(u, int(np.ceil(goal / w[j])))
        top.append(u)
    return top


def brute_force(coverage, cost, requirement, *, counts_for=None, bounds=(), goals=()):
    """(least total shortfall, least cost among those rosters, every such roster)."""
    a = np.asarray(coverage, dtype=float)
    c = np.asarray(cost, dtype=float)
    req = np.atleast_2d(np.asarray(requirement, dtype=float))
    member = (np.ones((req.shape[0], a.shape[0]), dtype=bool) if counts_for is None
              else np.asarray(counts_for, dtype=bool))
    top = _box(a, req, bounds, goals)
    x = np.array(list(itertools.product(*[range(u + 1) for u in top])), dtype=float)
    ok = np.ones(len(x), dtype=bool)
    for cols, low, high in bounds:
        total = x[:, list(cols)].sum(axis=1)
        ok &= total >= low
        if high is not None:
            ok &= total <= high
    x = x[ok]
    short = np.zeros(len(x))
    for r in range(req.shape[0]):
        covered = (x * member[r]) @ a
        short += np.maximum(req[r] - covered, 0).sum(axis=1)
    for w, goal in goals:
        w = np.asarray(w, dtype=float)
        short += np.maximum(goal - x @ w, 0) / (w.max() if w.max() > 0 else 1.0)
    least = short.min()
    keep = short <= least + 1e-7
    costs = x[keep] @ c
    best = costs.min()
    return least, best, x[keep][costs <= best + 1e-7].astype(int)


def random_instance(rng, k, n):
    coverage = rng.choice([0.0, 0.5, 1.0], size=(k, n), p=[0.4, 0.2, 0.4])
    cost = rng.integers(1, 6, size=k).astype(float)
    requirement = rng.integers(0, 4, size=n).astype(float)
    return coverage, cost, requirement


def check_against_brute_force(coverage, cost, requirement, **kw):
    cover = integer_cover(coverage, cost, requirement, **kw)
    least, best, _ = brute_force(coverage, cost, requirement, **kw)
    got_short = cover.shortfall.sum()
    for w, goal in kw.get("goals", ()):
        w = np.asarray(w, dtype=float)
        got_short += max(goal - float(w @ cover.counts), 0) / (w.max() if w.max() > 0 else 1.0)
    assert got_short == pytest.approx(least, abs=1e-6)
    assert cover.cost == pytest.approx(best)
    assert cover.cost == pytest.approx(float(np.dot(cost, cover.counts)))
    assert (cover.counts >= 0).all()
    for cols, low, high in kw.get("bounds", ()):
        total = cover.counts[list(cols)].sum()
        assert total >= low and (high is None or total <= high)
    assert cover.status == ("optimal" if least < 1e-7 else "shortfall")
    assert cover.met == (least < 1e-7)
    return cover


@pytest.mark.parametrize("seed", range(12))
def test_random_small_covers_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    k, n = int(rng.integers(3, 6)), int(rng.integers(4, 9))
    coverage, cost, requirement = random_instance(rng, k, n)
    # Every interval with a need is reachable: a plain cover, whose answer must meet it.
    for i in np.flatnonzero(coverage.sum(axis=0) == 0):
        coverage[rng.integers(k), i] = 1.0
    cover = check_against_brute_force(coverage, cost, requirement)
    assert cover.status == "optimal" and cover.met and cover.gap == 0.0
    covered = cover.counts @ coverage
    assert np.all(covered >= requirement - TOL)
    np.testing.assert_allclose(cover.covered[0], covered)
    np.testing.assert_array_equal(cover.shortfall, 0.0)


@pytest.mark.parametrize("seed", range(8))
def test_random_bounded_covers_match_brute_force(seed):
    """With a max_count on some columns (often leaving an interval short) and a min_count on
    others: the least shortfall, then the least cost, as enumeration finds them."""
    rng = np.random.default_rng(100 + seed)
    k, n = int(rng.integers(3, 5)), int(rng.integers(4, 7))
    coverage, cost, requirement = random_instance(rng, k, n)
    capped = [int(j) for j in rng.choice(k, size=2, replace=False)]
    bounds = [(capped, 0, int(rng.integers(0, 3))),
              ([int(rng.integers(k))], int(rng.integers(0, 2)), None)]
    if bounds[1][0][0] in capped:
        bounds[1] = (bounds[1][0], 0, None)
    check_against_brute_force(coverage, cost, requirement, bounds=bounds)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(2, 4), n=st.integers(2, 6),
       cap=st.none() | st.integers(0, 3))
def test_property_cover_is_least_short_then_cheapest(seed, k, n, cap):
    rng = np.random.default_rng(seed)
    coverage, cost, requirement = random_instance(rng, k, n)
    bounds = [([0], 0, cap)] if cap is not None else []
    cover = check_against_brute_force(coverage, cost, requirement, bounds=bounds)
    np.testing.assert_allclose(cover.shortfall[0],
                               np.maximum(requirement - cover.counts @ coverage, 0),
                               atol=1e-6)


# --------------------------------------------------------------------------------------------
# Optima known by hand


def test_doctest_cover():
    """Interval 1 needs 2 and every shift works it: at least two shifts of cost >= 2, so the
    cost is >= 4; the only two cheap shifts covering intervals 0 and 2 are one each."""
    coverage = np.array([[1, 1, 0], [0, 1, 1], [1, 1, 1]])
    cover = integer_cover(coverage, cost=[2, 2, 3], requirement=[1, 2, 1])
    assert cover.counts.tolist() == [1, 1, 0]
    assert cover.cost == 4.0
    assert cover.status == "optimal" and cover.met and cover.gap == 0.0
    np.testing.assert_array_equal(cover.covered, [[1, 2, 1]])
    np.testing.assert_array_equal(cover.slack, 0.0)
    assert cover.seconds >= 0


def test_day_of_eight_hour_shifts():
    """24 hourly intervals (no wrap at midnight), 8-hour shifts starting 00:00-16:00, need 1
    then 3 in 08:00-16:00 then 1: 40 agent-hours need at least 5 shifts; a zero-slack roster
    needs the 00:00 shift (only it works hour 0), which fills hours 0-7, so no other shift
    starts before 08:00, and likewise the 16:00 shift, so the rest start at 08:00."""
    starts = np.arange(17)
    coverage = np.array([(np.arange(24) >= s) & (np.arange(24) < s + 8) for s in starts],
                        dtype=float)
    requirement = np.array([1] * 8 + [3] * 8 + [1] * 8)
    cover = integer_cover(coverage, np.ones(17), requirement)
    expected = np.zeros(17, dtype=int)
    expected[[0, 8, 16]] = [1, 3, 1]
    np.testing.assert_array_equal(cover.counts, expected)
    assert cover.cost == 5.0
    np.testing.assert_array_equal(cover.covered[0], requirement)


def test_day_with_cheaper_short_shifts():
    """Need 1 in each of 8 hours: one 8-hour shift (cost 7) beats two 4-hour ones (cost 4
    each); at cost 3 each the two 4-hour shifts win."""
    coverage = np.array([[1] * 8, [1] * 4 + [0] * 4, [0] * 4 + [1] * 4], dtype=float)
    assert integer_cover(coverage, [7, 4, 4], np.ones(8)).counts.tolist() == [1, 0, 0]
    assert integer_cover(coverage, [7, 3, 3], np.ones(8)).counts.tolist() == [0, 1, 1]


def test_fractional_coverage_needs_whole_shifts():
    """A shift with a 15-minute break in a half hour works 0.5 of it: a need of 1.5 there
    takes 3 such shifts, or 2 with one whole shift."""
    cover = integer_cover([[1, 0.5, 1]], [1], [1, 1.5, 1])
    assert cover.counts.tolist() == [3]
    np.testing.assert_allclose(cover.slack, [[2, 0, 2]])
    cover = integer_cover([[1, 0.5, 1], [1, 1, 1]], [1, 1.5], [1, 1.5, 1])
    assert cover.counts.tolist() == [1, 1]
    assert cover.cost == 2.5


def test_slack_is_coverage_beyond_the_need():
    cover = integer_cover([[1, 1, 1]], [1], [1, 2, 0])
    assert cover.counts.tolist() == [2]
    np.testing.assert_array_equal(cover.covered, [[2, 2, 2]])
    np.testing.assert_array_equal(cover.slack, [[1, 0, 2]])
    np.testing.assert_array_equal(cover.shortfall, 0.0)
    np.testing.assert_array_equal(cover.slack, np.maximum(cover.covered - cover.requirement, 0))


def test_nothing_needed_posts_nothing():
    cover = integer_cover(np.ones((2, 3)), [1, 1], [0, 0, 0])
    assert cover.counts.tolist() == [0, 0] and cover.cost == 0.0 and cover.met


# --------------------------------------------------------------------------------------------
# When nothing covers: the least shortfall, then the cheapest


def test_max_count_leaves_intervals_short():
    """Interval 0 is worked only by column 0 and interval 3 only by column 2 (half of it),
    each capped at one shift: 1 short in interval 0 and 2 - 0.5 = 1.5 in interval 3.  The
    middle intervals are then met by those two shifts, so column 1 (dear) is not posted."""
    coverage = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 0.5]])
    cover = integer_cover(coverage, [2, 10, 3], [2, 1, 1, 2],
                          bounds=[([0], 0, 1), ([2], 0, 1)])
    assert cover.status == "shortfall"
    assert not cover.met
    assert cover.counts.tolist() == [1, 0, 1]
    assert cover.cost == 5.0
    np.testing.assert_allclose(cover.shortfall, [[1, 0, 0, 1.5]])
    np.testing.assert_allclose(cover.covered, [[1, 1, 1, 0.5]])
    least, best, _ = brute_force(coverage, [2, 10, 3], [2, 1, 1, 2],
                                 bounds=[([0], 0, 1), ([2], 0, 1)])
    assert (least, best) == (2.5, 5.0)


def test_shortfall_roster_is_the_cheapest_of_the_least_short():
    """Only column 0 works interval 0, half of it, and it is capped at one shift: 1.5 short
    there at best, so column 0 is posted (it also meets interval 1); interval 2 is met by
    column 1 (cost 4) or column 2 (cost 1), so the cheapest least-short roster is 0 and 2."""
    coverage = np.array([[0.5, 1, 0], [0, 1, 1], [0, 1, 1]])
    cost, requirement = [3, 4, 1], [2, 1, 1]
    cover = integer_cover(coverage, cost, requirement, bounds=[([0], 0, 1)])
    least, best, rosters = brute_force(coverage, cost, requirement, bounds=[([0], 0, 1)])
    assert cover.status == "shortfall"
    np.testing.assert_allclose(cover.shortfall, [[1.5, 0, 0]])
    assert cover.shortfall.sum() == pytest.approx(least)
    assert cover.cost == best == 4.0
    assert cover.counts.tolist() in rosters.tolist()
    assert cover.counts.tolist() == [1, 0, 1]


def test_unreachable_interval_is_short_by_its_whole_need():
    cover = integer_cover([[1, 0, 1]], [1], [1, 3, 1])
    assert cover.status == "shortfall" and not cover.met
    assert cover.counts.tolist() == [1]
    np.testing.assert_array_equal(cover.shortfall, [[0, 3, 0]])


def test_contradictory_bounds_are_an_input_error():
    with pytest.raises(InputError, match="bounds contradict each other"):
        integer_cover(np.ones((2, 3)), [1, 1], [1, 1, 1],
                      bounds=[([0, 1], 3, None), ([0, 1], 0, 2)])


# --------------------------------------------------------------------------------------------
# Groups, bounds, goals


def test_counts_for_two_groups():
    """Columns 0-1 are group A's shifts, 2-3 group B's; A's need counts only A's shifts and
    B's only B's, so the cheap B shift cannot stand in for A."""
    coverage = np.array([[1, 1, 0], [0, 1, 1], [1, 1, 0], [1, 1, 1]])
    cost = [3, 3, 1, 2]
    member = np.array([[1, 1, 0, 0], [0, 0, 1, 1]], dtype=bool)
    requirement = np.array([[1, 1, 1], [1, 2, 0]])
    cover = integer_cover(coverage, cost, requirement, counts_for=member)
    assert cover.counts.tolist() == [1, 1, 2, 0]
    assert cover.cost == 8.0
    np.testing.assert_array_equal(cover.covered, [[1, 2, 1], [2, 2, 0]])
    np.testing.assert_array_equal(cover.slack, [[0, 1, 0], [1, 0, 0]])
    check_against_brute_force(coverage, cost, requirement, counts_for=member)


def test_pooled_row_counts_both_groups():
    """A third row counts both groups' shifts: a pooled need of 3 in interval 2, one more
    than the groups' own needs (one shift each) give; the cheaper group's shift makes it."""
    coverage = np.array([[1, 1, 1], [1, 1, 1]])
    member = np.array([[1, 0], [0, 1], [1, 1]], dtype=bool)
    requirement = np.array([[1, 0, 0], [1, 0, 0], [0, 0, 3]])
    cover = integer_cover(coverage, [1, 2], requirement, counts_for=member)
    assert cover.counts.tolist() == [2, 1]
    np.testing.assert_array_equal(cover.covered, [[2, 2, 2], [1, 1, 1], [3, 3, 3]])


def test_min_count_forces_shifts():
    cover = integer_cover([[1, 1], [1, 1]], [1, 5], [1, 1], bounds=[([1], 2, None)])
    assert cover.counts.tolist() == [0, 2]
    assert cover.cost == 10.0
    np.testing.assert_array_equal(cover.slack, [[1, 1]])
    cover = integer_cover([[1, 1], [1, 1]], [1, 5], [0, 0], bounds=[([0, 1], 3, 3)])
    assert cover.counts.tolist() == [3, 0]


def test_goal_is_met_at_least_cost():
    """No cover need; 2*x0 + x1 >= 5 at cost 1.5*x0 + x1: (2, 1) costs 4, every other
    roster meeting it costs at least 4.5."""
    cover = integer_cover(np.ones((2, 2)), [1.5, 1], [0, 0], goals=[([2, 1], 5)])
    assert cover.counts.tolist() == [2, 1]
    assert cover.cost == 4.0
    np.testing.assert_array_equal(cover.goals, [5])
    np.testing.assert_array_equal(cover.goal_values, [5])
    np.testing.assert_array_equal(cover.goal_shortfall, [0])
    assert cover.met and cover.status == "optimal"


def test_goal_and_cover_together_match_brute_force():
    rng = np.random.default_rng(7)
    coverage, cost, requirement = random_instance(rng, 3, 5)
    coverage[0] = 1.0
    goals = [([3, 0, 1], 7)]
    cover = check_against_brute_force(coverage, cost, requirement, goals=goals)
    assert cover.goal_values[0] >= 7


def test_goal_that_cannot_be_met_is_reported():
    """Only column 0 yields (2 each) and it is capped at one shift: 2 of the 5 asked, 3 short;
    the cover itself is met."""
    cover = integer_cover([[1, 1], [1, 1]], [1, 1], [1, 1], bounds=[([0], 0, 1)],
                          goals=[([2, 0], 5)])
    assert cover.status == "shortfall" and not cover.met
    assert cover.counts.tolist() == [1, 0]
    np.testing.assert_array_equal(cover.goal_values, [2])
    np.testing.assert_array_equal(cover.goal_shortfall, [3])
    np.testing.assert_array_equal(cover.shortfall, 0.0)


# --------------------------------------------------------------------------------------------
# Bad input: an InputError naming the field

GOOD = dict(coverage=np.ones((2, 3)), cost=[1, 1], requirement=[1, 1, 1])


@pytest.mark.parametrize("change, message", [
    (dict(coverage=np.ones(3)), r"coverage must be a table of columns x intervals \(got "
                                r"shape \(3,\)\)"),
    (dict(coverage=np.ones((0, 3))), r"coverage must be a table .*\(got shape \(0, 3\)\)"),
    (dict(coverage=np.full((2, 3), 2.0)), r"coverage must be <= 1 \(got 2 at index \(0, 0\)\)"),
    (dict(coverage=np.full((2, 3), -0.5)), r"coverage must be >= 0"),
    (dict(coverage=np.full((2, 3), np.nan)), r"coverage must be a number, not NaN"),
    (dict(cost=[1]), r"cost must have one value per column \(2\) \(got shape \(1,\)\)"),
    (dict(cost=[1, np.nan]), r"cost must be a number, not NaN \(got nan at index 1\)"),
    (dict(cost=[1, -1]), r"cost must be >= 0 \(got -1 at index 1\)"),
    (dict(requirement=[1, -1, 1]), r"requirement must be >= 0 \(got -1 at index 1\)"),
    (dict(requirement=[1, np.nan, 1]), r"requirement must be a number, not NaN"),
    (dict(requirement=[1, 1]), r"requirement must have one value per interval \(3\)"),
    (dict(counts_for=[[1, 0, 1]]), r"counts_for must have shape \(rows, columns\) = \(1, 2\) "
                                   r"\(got \(1, 3\)\)"),
    (dict(bounds=[([0, 2], 0, 1)]), r"bounds\[0\] columns must be <= 1 \(got 2"),
    (dict(bounds=[([1], 0, 1), ([-1], 0, 1)]), r"bounds\[1\] columns must be >= 0 \(got -1"),
    (dict(bounds=[([0], 2, 1)]), r"bounds\[0\] high must be >= 2 \(got 1\)"),
    (dict(bounds=[([0], -1, None)]), r"bounds\[0\] low must be >= 0"),
    (dict(goals=[([1], 2)]), r"goals\[0\] weights must have one value per column \(2\)"),
    (dict(goals=[([1, 1], -2)]), r"goals\[0\] goal must be >= 0 \(got -2\)"),
    (dict(goals=[([1, -1], 2)]), r"goals\[0\] weights must be >= 0"),
    (dict(time_limit=0), r"time_limit must be > 0 \(got 0\)"),
])
def test_bad_input_names_the_field(change, message):
    with pytest.raises(InputError, match=message):
        integer_cover(**{**GOOD, **change})


def test_malformed_bound_item_is_an_input_error():
    with pytest.raises(InputError, match=r"bounds\[0\]"):
        integer_cover(**GOOD, bounds=[([0], 1)])
