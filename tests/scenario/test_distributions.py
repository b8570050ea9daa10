"""Distributions: sample moments, Empirical support, dict round trip, messages."""

from __future__ import annotations

import math

import numpy as np
import pytest
from builders import DISTRIBUTIONS, KINDS, exactly
from hypothesis import given
from hypothesis import strategies as st

from blendsim.errors import ScenarioError
from blendsim.scenario.distributions import (
    Deterministic,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
    Uniform,
    distribution_from_dict,
)

# --------------------------------------------------------------------------------------------
# Distributions

N_DRAWS = 200_000


@pytest.mark.parametrize("dist, mean, sd", [
    (Exponential(mean=240), 240, 240),
    (Lognormal(mean=240, cv=0.8), 240, 192),
    (Lognormal(mean=30, cv=0.2), 30, 6),
    (Gamma(mean=240, cv=0.5), 240, 120),
    (Gamma(mean=100, cv=2.0), 100, 200),
    (Uniform(low=60, high=180), 120, 120 / math.sqrt(12)),
    (Empirical(values=[30, 60, 300]), 130, float(np.std([30, 60, 300]))),
], ids=repr)
def test_sample_moments_match_the_parameters(dist, mean, sd):
    x = dist.sample(np.random.default_rng(20240501), N_DRAWS)
    assert x.shape == (N_DRAWS,) and (x >= 0).all()
    assert dist.mean == pytest.approx(mean)
    # Five standard errors: the sample mean, and the sample standard deviation (delta
    # method on the variance, whose standard error comes from the fourth moment).
    se_mean = x.std() / math.sqrt(N_DRAWS)
    assert abs(x.mean() - mean) < 5 * se_mean
    se_sd = np.sqrt(np.var((x - x.mean()) ** 2) / N_DRAWS) / (2 * x.std())
    assert abs(x.std() - sd) < 5 * se_sd
    assert x.std() / x.mean() == pytest.approx(sd / mean, rel=0.05)


def test_deterministic_draws_only_its_value():
    d = Deterministic(value=45)
    assert d.mean == 45.0
    assert d.sample(np.random.default_rng(1), 10).tolist() == [45.0] * 10
    assert Deterministic(value=0).sample(np.random.default_rng(1), 3).tolist() == [0.0] * 3


def test_empirical_draws_only_its_values_and_all_of_them():
    d = Empirical(values=[30, 60, 60, 300])
    x = d.sample(np.random.default_rng(7), 10_000)
    assert set(np.unique(x).tolist()) == {30.0, 60.0, 300.0}
    # 60 is listed twice: drawn about half the time (binomial standard error ~ 0.005).
    assert abs((x == 60).mean() - 0.5) < 0.03


@given(dist=DISTRIBUTIONS, seed=st.integers(0, 2**32 - 1))
def test_same_seed_same_draws(dist, seed):
    a = dist.sample(np.random.default_rng(seed), 50)
    b = dist.sample(np.random.default_rng(seed), 50)
    assert np.array_equal(a, b) and a.shape == (50,)


@given(dist=DISTRIBUTIONS)
def test_distribution_dict_round_trip(dist):
    data = dist.to_dict()
    back = distribution_from_dict(data, "handle_time")
    assert type(back) is type(dist) and back == dist
    assert back.to_dict() == data


@pytest.mark.parametrize("make, message", [
    (lambda: Exponential(mean=0), "mean must be a number > 0 (got 0)"),
    (lambda: Exponential(mean=math.nan), "mean must be a number > 0 (got nan)"),
    (lambda: Exponential(mean="240"), "mean must be a number > 0 (got '240')"),
    (lambda: Exponential(mean=True), "mean must be a number > 0 (got True)"),
    (lambda: Deterministic(value=-1), "value must be a number >= 0 (got -1)"),
    (lambda: Lognormal(mean=240, cv=0), "cv must be a number > 0 (got 0)"),
    (lambda: Lognormal(mean=-1, cv=0.5), "mean must be a number > 0 (got -1)"),
    (lambda: Gamma(mean=240, cv=math.inf), "cv must be a number > 0 (got inf)"),
    (lambda: Gamma(mean=None, cv=1), "mean must be a number > 0 (got None)"),
    (lambda: Uniform(low=-1, high=10), "low must be a number >= 0 (got -1)"),
    (lambda: Uniform(low=0, high=0), "high must be a number > 0 (got 0)"),
    (lambda: Uniform(low=10, high=10), "high must be > low (got low=10, high=10)"),
    (lambda: Uniform(low=10.5, high=3), "high must be > low (got low=10.5, high=3)"),
    (lambda: Empirical(values=[]), "values must be a non-empty list of numbers (got ())"),
    (lambda: Empirical(values="30, 60"),
     "values must be a non-empty list of numbers (got '30, 60')"),
    (lambda: Empirical(values=[30, -2]), "values[1] must be a number >= 0 (got -2)"),
    (lambda: Empirical(values=[30, "x"]), "values[1] must be a number >= 0 (got 'x')"),
])
def test_distribution_messages(make, message):
    with pytest.raises(ScenarioError, match=exactly(message)):
        make()


def test_a_distribution_reports_every_problem_at_once():
    with pytest.raises(ScenarioError) as info:
        Lognormal(mean=-1, cv=0)
    assert info.value.problems == ["mean must be a number > 0 (got -1)",
                                   "cv must be a number > 0 (got 0)"]


@pytest.mark.parametrize("data, message", [
    (240, 'inbound[1].handle_time must be a table like { dist = "exponential", mean = 240 } '
          '(got 240)'),
    ({"mean": 240}, f"inbound[1].handle_time.dist must be one of {KINDS} (got None)"),
    ({"dist": "weibull", "mean": 240},
     f"inbound[1].handle_time.dist must be one of {KINDS} (got 'weibull')"),
    ({"dist": "lognormal", "mean": 240}, "inbound[1].handle_time.cv is missing"),
    ({"dist": "lognormal", "mean": -30, "cv": 0.5},
     "inbound[1].handle_time.mean must be a number > 0 (got -30)"),
    ({"dist": "empirical", "values": [1, -1]},
     "inbound[1].handle_time.values[1] must be a number >= 0 (got -1)"),
])
def test_distribution_from_dict_messages(data, message):
    with pytest.raises(ScenarioError, match=exactly(message)):
        distribution_from_dict(data, "inbound[1].handle_time")


def test_distribution_from_dict_names_an_unknown_field_and_the_allowed_ones():
    with pytest.raises(ScenarioError, match=r"^inbound\[1\]\.handle_time\.cv is not a field of "
                                            r"an? exponential distribution \(it has mean\)$"):
        distribution_from_dict({"dist": "exponential", "mean": 240, "cv": 1},
                               "inbound[1].handle_time")


def test_distribution_from_dict_reports_all_field_problems():
    with pytest.raises(ScenarioError) as info:
        distribution_from_dict({"dist": "uniform", "low": 1, "width": 2}, "wrap_up")
    assert len(info.value.problems) == 2
    assert info.value.problems[1] == "wrap_up.high is missing"
    assert info.value.problems[0].startswith("wrap_up.width is not a field of")
