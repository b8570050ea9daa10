"""Time distributions for handle times, wrap-up and patience.

Each distribution is a frozen dataclass that knows its ``mean`` (seconds), draws ``size``
values from a numpy ``Generator`` with :meth:`sample`, and turns into the dict a scenario file
holds (``{"dist": "lognormal", "mean": 240, "cv": 0.8}``) with :meth:`to_dict`.
:func:`distribution_from_dict` reads that dict back.

Lognormal and gamma are given by their mean and coefficient of variation (standard deviation
over mean), the way planners describe handle times.

>>> import numpy as np
>>> d = Lognormal(mean=240, cv=0.8)
>>> x = d.sample(np.random.default_rng(1), 100_000)
>>> round(float(x.mean()) / 240, 2), round(float(x.std() / x.mean()), 1)
(1.0, 0.8)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from blendsim._validate import fmt
from blendsim.errors import ScenarioError
from blendsim.limits import MAX_CV, MAX_DURATION, MAX_EMPIRICAL_VALUES, MIN_CV, safe

__all__ = [
    "Deterministic",
    "Distribution",
    "Empirical",
    "Exponential",
    "Gamma",
    "Lognormal",
    "Uniform",
    "distribution_from_dict",
]


@runtime_checkable
class Distribution(Protocol):
    """What the engine needs of a time distribution."""

    @property
    def mean(self) -> float: ...

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray: ...

    def to_dict(self) -> dict: ...


_DURATION_WHY = (f"a mean of more than a week ({MAX_DURATION:,.0f} seconds) is surely a "
                 f"slip, and draws that large lose the precision of the day's clock")


def _positive(name: str, value, problems: list[str], *, allow_zero: bool = False,
              high: float | None = MAX_DURATION, why: str = _DURATION_WHY) -> None:
    """A number > 0 (or >= 0), at most ``high`` (by default a week of seconds)."""
    try:
        ok = (isinstance(value, (int, float, np.integer, np.floating))
              and not isinstance(value, (bool, np.bool_)) and math.isfinite(float(value))
              and (value >= 0 if allow_zero else value > 0))
    except OverflowError:  # an integer too large for a float
        ok = False
    if not ok:
        rule = ">= 0" if allow_zero else "> 0"
        shown = fmt(value) if isinstance(value, (int, float, np.number)) else safe(value)
        problems.append(f"{name} must be a number {rule} (got {shown})")
    elif high is not None and value > high:
        problems.append(f"{name} must be at most {fmt(high)} (got {fmt(value)}): {why}")


def _fits(v) -> bool:
    try:
        float(v)
    except OverflowError:
        return False
    return True


def _raise(problems: list[str]) -> None:
    if problems:
        raise ScenarioError(problems)


@dataclass(frozen=True, kw_only=True, slots=True)
class Exponential:
    """Exponential with the given mean (seconds): memoryless, CV 1."""

    mean: float

    def __post_init__(self):
        problems: list[str] = []
        _positive("mean", self.mean, problems)
        _raise(problems)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.exponential(self.mean, size)

    def to_dict(self) -> dict:
        return {"dist": "exponential", "mean": self.mean}


@dataclass(frozen=True, kw_only=True, slots=True)
class Deterministic:
    """Always ``value`` seconds (0 allowed: e.g. no wrap-up)."""

    value: float

    def __post_init__(self):
        problems: list[str] = []
        _positive("value", self.value, problems, allow_zero=True)
        _raise(problems)

    @property
    def mean(self) -> float:
        return float(self.value)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return np.full(size, float(self.value))

    def to_dict(self) -> dict:
        return {"dist": "deterministic", "value": self.value}


@dataclass(frozen=True, kw_only=True, slots=True)
class _MeanCV:
    """A distribution given by its mean (seconds) and coefficient of variation."""

    mean: float
    cv: float
    kind = ""  # the name a scenario file gives it

    def __post_init__(self):
        problems: list[str] = []
        _positive("mean", self.mean, problems)
        _positive("cv", self.cv, problems, high=MAX_CV,
                  why="with a larger spread a few huge draws dominate every figure")
        if not problems and self.cv < MIN_CV:
            problems.append(f"cv must be at least {fmt(MIN_CV)} (got {fmt(self.cv)}): for a "
                            f"time that hardly varies use {{ dist = \"deterministic\" }}")
        _raise(problems)

    def to_dict(self) -> dict:
        return {"dist": self.kind, "mean": self.mean, "cv": self.cv}


@dataclass(frozen=True, kw_only=True, slots=True)
class Lognormal(_MeanCV):
    """Lognormal with the given mean and coefficient of variation (std / mean)."""

    kind = "lognormal"

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        sigma2 = math.log1p(self.cv * self.cv)
        mu = math.log(self.mean) - 0.5 * sigma2
        return rng.lognormal(mu, math.sqrt(sigma2), size)


@dataclass(frozen=True, kw_only=True, slots=True)
class Gamma(_MeanCV):
    """Gamma with the given mean and coefficient of variation (cv 1 is exponential)."""

    kind = "gamma"

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        shape = 1.0 / (self.cv * self.cv)
        return rng.gamma(shape, self.mean / shape, size)


@dataclass(frozen=True, kw_only=True, slots=True)
class Uniform:
    """Uniform between ``low`` and ``high`` seconds."""

    low: float
    high: float

    def __post_init__(self):
        problems: list[str] = []
        _positive("low", self.low, problems, allow_zero=True)
        _positive("high", self.high, problems)
        if not problems and self.high <= self.low:
            problems.append(f"high must be > low (got low={fmt(self.low)}, "
                            f"high={fmt(self.high)})")
        _raise(problems)

    @property
    def mean(self) -> float:
        return 0.5 * (self.low + self.high)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, size)

    def to_dict(self) -> dict:
        return {"dist": "uniform", "low": self.low, "high": self.high}


@dataclass(frozen=True, kw_only=True, slots=True)
class Empirical:
    """Draws uniformly from observed ``values`` (e.g. handle times from a call log)."""

    values: tuple[float, ...]

    def __post_init__(self):
        values = self.values
        if isinstance(values, (list, np.ndarray)):
            values = tuple(float(v) if isinstance(v, (int, float, np.number))
                           and not isinstance(v, (bool, np.bool_)) and _fits(v) else v
                           for v in values)
            object.__setattr__(self, "values", values)
        problems: list[str] = []
        if not isinstance(values, tuple) or not values:
            problems.append(f"values must be a non-empty list of numbers (got {safe(values)})")
        elif len(values) > MAX_EMPIRICAL_VALUES:
            problems.append(f"values must list at most {MAX_EMPIRICAL_VALUES:,} observations "
                            f"(got {len(values):,}): a sample of that size describes the "
                            f"distribution as well as all of them")
        else:
            for i, v in enumerate(values):
                _positive(f"values[{i}]", v, problems, allow_zero=True)
        _raise(problems)

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.choice(np.asarray(self.values, dtype=float), size)

    def to_dict(self) -> dict:
        return {"dist": "empirical", "values": list(self.values)}


_KINDS = {
    "exponential": (Exponential, ("mean",)),
    "deterministic": (Deterministic, ("value",)),
    "lognormal": (Lognormal, ("mean", "cv")),
    "gamma": (Gamma, ("mean", "cv")),
    "uniform": (Uniform, ("low", "high")),
    "empirical": (Empirical, ("values",)),
}


def distribution_from_dict(data, path: str = "distribution") -> Distribution:
    """Build a distribution from its file form; errors name ``path`` and every problem."""
    if not isinstance(data, dict):
        raise ScenarioError([f"{path} must be a table like {{ dist = \"exponential\", "
                             f"mean = 240 }} (got {safe(data)})"])
    kind = data.get("dist")
    if not isinstance(kind, str) or kind not in _KINDS:
        raise ScenarioError([f"{path}.dist must be one of {', '.join(_KINDS)} "
                             f"(got {safe(kind)})"])
    cls, fields = _KINDS[kind]
    article = "an" if kind in ("exponential", "empirical") else "a"
    problems = [f"{path}.{k} is not a field of {article} {kind} distribution (it has "
                f"{', '.join(fields)})" for k in data if k not in ("dist", *fields)]
    problems += [f"{path}.{k} is missing" for k in fields if k not in data]
    if problems:
        raise ScenarioError(problems)
    try:
        return cls(**{k: data[k] for k in fields})
    except ScenarioError as e:
        raise ScenarioError([f"{path}.{p}" for p in e.problems]) from None
