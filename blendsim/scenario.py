"""The input model: a day of a contact centre, as frozen dataclasses and as a TOML file.

A :class:`Scenario` holds the :class:`Day` (opening hours and interval length), the inbound
call types (:class:`InboundType`: volume, handle time, patience...), the agent groups
(:class:`AgentGroup`: skills, head count or shifts) and the service-level target.  Build one
in Python (``Scenario(...)``, or :meth:`Scenario.from_dict`) or read a file with
:func:`load_scenario`; :func:`dump_scenario` writes it back (the round trip is exact).

Units: instants (``open_at``, shift ``start_at``...) are seconds after midnight of the
simulated day, and may pass 24:00 for a centre open after midnight; durations are seconds.
Files write instants as ``"HH:MM"`` (hours may exceed 23).

Every problem is reported at once, each naming its field path, the value and what is
allowed: ``inbound[1].handle_time.mean must be a number > 0 (got -30)``.

>>> from blendsim.distributions import Exponential
>>> sc = Scenario(
...     name="tiny", day=Day(open_at=8 * 3600, close_at=10 * 3600, interval=3600),
...     inbound=[InboundType(name="sales", volume=[40, 60],
...                          handle_time=Exponential(mean=240))],
...     groups=[AgentGroup(name="team", skills=["sales"], headcount=[5, 6])])
>>> sc.day.n_intervals, sc.inbound[0].expected_calls().tolist()
(2, [40.0, 60.0])
"""

from __future__ import annotations

import datetime
import json
import math
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from ._checks import fmt
from .distributions import Distribution, Exponential, distribution_from_dict
from .errors import ScenarioError

__all__ = [
    "SCHEMA_VERSION",
    "AgentGroup",
    "Day",
    "InboundType",
    "Scenario",
    "ServiceTarget",
    "Shift",
    "dump_scenario",
    "load_scenario",
]

SCHEMA_VERSION = 1
INTERVALS = (900, 1800, 3600)
MAX_DAY = 400 * 24 * 3600  # a "day" may be a long stationary run, but not an endless one
SL_DEFINITIONS = ("offered", "answered", "short_abandons_excluded")


# --------------------------------------------------------------------------------------------
# Small helpers: checking values and clock times


def _is_number(x) -> bool:
    if not isinstance(x, (int, float, np.integer, np.floating)) or isinstance(
            x, (bool, np.bool_)):
        return False
    try:
        return math.isfinite(float(x))
    except OverflowError:  # an integer too large for a float
        return False


def _check_number(problems, path, x, *, low=None, low_open=False, high=None, high_open=False,
                  integer=False, unit=""):
    if not _is_number(x) or (integer and float(x) != int(x)):
        what = "a whole number" if integer else "a number"
        problems.append(f"{path} must be {what} (got {x!r})")
        return
    x = float(x)
    unit = f" {unit}" if unit else ""
    if low is not None and (x <= low if low_open else x < low):
        problems.append(f"{path} must be {'>' if low_open else '>='} {fmt(low)}{unit} "
                        f"(got {fmt(x)})")
    elif high is not None and (x >= high if high_open else x > high):
        problems.append(f"{path} must be {'<' if high_open else '<='} {fmt(high)}{unit} "
                        f"(got {fmt(x)})")


def _check_name(problems, path, x):
    if not isinstance(x, str) or not x.strip():
        problems.append(f"{path} must be a non-empty text (got {x!r})")


def _short(x, limit: int = 80) -> str:
    text = repr(x)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _as_tuple(obj, name):
    value = getattr(obj, name)
    if isinstance(value, (list, np.ndarray)):
        object.__setattr__(obj, name, tuple(value.tolist() if isinstance(value, np.ndarray)
                                            else value))


def _raise(problems):
    if problems:
        raise ScenarioError(problems)


def parse_clock(text, path: str) -> float:
    """``"07:30"`` (or ``"25:00"``, ``"07:30:15"``, a TOML time) -> seconds after midnight."""
    if _is_number(text) and float(text) >= 0:
        return float(text)
    if isinstance(text, datetime.time) and text.tzinfo is None:
        return float(text.hour * 3600 + text.minute * 60 + text.second
                     + text.microsecond / 1e6)
    if isinstance(text, str):
        parts = text.strip().split(":")
        if 2 <= len(parts) <= 3 and all(re.fullmatch(r"[0-9]+", p) for p in parts):
            h, m = int(parts[0]), int(parts[1])
            s = int(parts[2]) if len(parts) == 3 else 0
            if m < 60 and s < 60:
                return float(h * 3600 + m * 60 + s)
    raise ScenarioError([f"{path} must be a clock time like \"07:30\" (got {text!r})"])


def format_clock(seconds: float) -> str | float:
    """Seconds after midnight -> ``"HH:MM"`` (or ``"HH:MM:SS"``); fractions stay numbers."""
    if seconds != int(seconds):
        return float(seconds)
    s = int(seconds)
    h, m, sec = s // 3600, s % 3600 // 60, s % 60
    return f"{h:02d}:{m:02d}" + (f":{sec:02d}" if sec else "")


# --------------------------------------------------------------------------------------------
# The dataclasses


@dataclass(frozen=True, kw_only=True, slots=True)
class Day:
    """Opening hours and the planning interval.

    Contacts arrive between ``open_at`` and ``close_at`` (seconds after midnight); those that
    arrive before closing are still answered after it.  Figures per interval are by arrival.
    """

    open_at: float = 8 * 3600.0
    close_at: float = 20 * 3600.0
    interval: float = 1800.0  # seconds: 900, 1800 or 3600

    def __post_init__(self):
        problems: list[str] = []
        _check_number(problems, "open_at", self.open_at, low=0, unit="seconds")
        _check_number(problems, "close_at", self.close_at, low=0, unit="seconds")
        if self.interval not in INTERVALS:
            problems.append(f"interval must be 900, 1800 or 3600 seconds (15, 30 or 60 "
                            f"minutes) (got {self.interval!r})")
        if not problems:
            length = self.close_at - self.open_at
            if length > MAX_DAY:
                problems.append(f"close_at must be at most {MAX_DAY // 3600:,} hours after "
                                f"open_at (got {length / 3600:,.0f} hours)")
            elif length <= 0:
                problems.append(f"close_at must be after open_at (got open "
                                f"{format_clock(self.open_at)}, close "
                                f"{format_clock(self.close_at)})")
            elif length % self.interval:
                problems.append(f"close_at must be a whole number of {self.interval / 60:g}-"
                                f"minute intervals after open_at (got "
                                f"{format_clock(self.open_at)}-{format_clock(self.close_at)})")
        _raise(problems)

    @property
    def n_intervals(self) -> int:
        return int(round((self.close_at - self.open_at) / self.interval))

    @property
    def interval_starts(self) -> np.ndarray:
        """Start of each interval, seconds after midnight."""
        return self.open_at + self.interval * np.arange(self.n_intervals)

    def interval_labels(self) -> list[str]:
        return [str(format_clock(float(t))) for t in self.interval_starts]


@dataclass(frozen=True, kw_only=True, slots=True)
class ServiceTarget:
    """The service-level target and how service level is counted.

    ``definition``: ``"offered"`` (answered within ``seconds`` / all contacts offered),
    ``"answered"`` (/ answered contacts) or ``"short_abandons_excluded"`` (/ offered minus
    callers who hung up within ``short_abandon`` seconds).
    """

    level: float = 0.8
    seconds: float = 20.0
    definition: str = "offered"
    short_abandon: float = 5.0

    def __post_init__(self):
        problems: list[str] = []
        _check_number(problems, "level", self.level, low=0, low_open=True, high=1,
                      high_open=True)
        _check_number(problems, "seconds", self.seconds, low=0, unit="seconds")
        if self.definition not in SL_DEFINITIONS:
            problems.append(f"definition must be one of {', '.join(SL_DEFINITIONS)} "
                            f"(got {self.definition!r})")
        _check_number(problems, "short_abandon", self.short_abandon, low=0, unit="seconds")
        _raise(problems)


@dataclass(frozen=True, kw_only=True, slots=True)
class InboundType:
    """A type of inbound contact: how many arrive, how long they take, how patient they are.

    Give the volume one way: ``volume`` (calls per interval), ``rate_per_hour`` (per
    interval), or ``daily_volume`` with an intraday ``shape`` (weights per interval).
    Arrivals are a non-homogeneous Poisson process with that rate, constant within each
    interval; ``busyness_cv > 0`` multiplies the whole day's rate by a gamma factor with mean
    1 and that coefficient of variation (forecast error).  Or replay fixed ``arrival_times``
    (seconds after midnight, within opening hours): a real trace, or a tiny test case.

    ``groups`` lists the agent groups that may answer, in order of preference (default: every
    group with this skill, in scenario order); ``overflow_after`` gives, per group, how long a
    contact must have waited before that group may take it (default 0 for all).
    """

    name: str
    handle_time: Distribution
    volume: tuple[float, ...] | None = None
    rate_per_hour: tuple[float, ...] | None = None
    daily_volume: float | None = None
    shape: tuple[float, ...] | None = None
    arrival_times: tuple[float, ...] | None = None
    busyness_cv: float = 0.0
    wrap_up: Distribution | None = None
    patience: Distribution | None = None
    balk_probability: float = 0.0
    queue_capacity: int | None = None
    priority: int = 0
    groups: tuple[str, ...] | None = None
    overflow_after: tuple[float, ...] | None = None

    def __post_init__(self):
        for name in ("volume", "rate_per_hour", "shape", "arrival_times", "groups",
                     "overflow_after"):
            _as_tuple(self, name)
        problems: list[str] = []
        _check_name(problems, "name", self.name)
        for name in ("handle_time", "wrap_up", "patience"):
            d = getattr(self, name)
            if (d is not None or name == "handle_time") and not isinstance(d, Distribution):
                problems.append(f"{name} must be a distribution such as Exponential(mean=240) "
                                f"(got {d!r})")
        forms = [self.volume is not None, self.rate_per_hour is not None,
                 self.daily_volume is not None or self.shape is not None,
                 self.arrival_times is not None]
        if sum(forms) != 1:
            given = [k for k, on in zip(("volume", "rate_per_hour", "daily_volume/shape",
                                         "arrival_times"), forms, strict=True) if on]
            problems.append("volume must be given exactly one way: volume (calls per "
                            "interval), rate_per_hour, daily_volume with shape, or "
                            f"arrival_times (got {' and '.join(given) or 'none of them'})")
        if self.arrival_times is not None:
            if not isinstance(self.arrival_times, tuple):
                problems.append(f"arrival_times must be a list of instants (got "
                                f"{self.arrival_times!r})")
            else:
                for i, v in enumerate(self.arrival_times):
                    _check_number(problems, f"arrival_times[{i}]", v, low=0, unit="seconds")
        for name in ("volume", "rate_per_hour", "shape"):
            values = getattr(self, name)
            if values is None:
                continue
            if not isinstance(values, tuple) or not values:
                problems.append(f"{name} must be a list of numbers, one per interval "
                                f"(got {values!r})")
                continue
            for i, v in enumerate(values):
                _check_number(problems, f"{name}[{i}]", v, low=0)
        if self.daily_volume is not None or self.shape is not None:
            if self.daily_volume is None or self.shape is None:
                problems.append("daily_volume and shape go together (got "
                                f"{'daily_volume' if self.shape is None else 'shape'} only)")
            else:
                _check_number(problems, "daily_volume", self.daily_volume, low=0)
                if isinstance(self.shape, tuple) and all(_is_number(v) for v in self.shape) \
                        and sum(self.shape) <= 0:
                    problems.append("shape must have a positive sum (got all zeros)")
        _check_number(problems, "busyness_cv", self.busyness_cv, low=0)
        _check_number(problems, "balk_probability", self.balk_probability, low=0, high=1)
        if self.queue_capacity is not None:
            _check_number(problems, "queue_capacity", self.queue_capacity, low=0, integer=True)
        _check_number(problems, "priority", self.priority, integer=True)
        if self.groups is not None:
            if not isinstance(self.groups, tuple) or not self.groups:
                problems.append(f"groups must be a non-empty list of group names "
                                f"(got {self.groups!r})")
            else:
                for i, g in enumerate(self.groups):
                    _check_name(problems, f"groups[{i}]", g)
        if self.overflow_after is not None:
            if self.groups is None:
                problems.append("overflow_after needs groups (one delay per group)")
            elif not isinstance(self.groups, tuple):
                pass  # groups itself is reported above
            elif not isinstance(self.overflow_after, tuple) or len(self.overflow_after) != len(
                    self.groups):
                problems.append(f"overflow_after must have one delay per group "
                                f"({len(self.groups)}) (got {self.overflow_after!r})")
            else:
                for i, v in enumerate(self.overflow_after):
                    _check_number(problems, f"overflow_after[{i}]", v, low=0, unit="seconds")
        _raise(problems)

    @property
    def n_values(self) -> int | None:
        """Number of per-interval values given (None for none)."""
        for values in (self.volume, self.rate_per_hour, self.shape):
            if values is not None:
                return len(values)
        return None

    def expected_calls(self, interval: float | None = None,
                       day: Day | None = None) -> np.ndarray:
        """Expected calls per interval (before the busyness factor).

        ``interval`` (seconds) is needed for ``rate_per_hour``, the ``day`` for
        ``arrival_times`` (counted per interval).
        """
        if self.arrival_times is not None:
            if day is None:
                raise ValueError("day is needed to count arrival_times per interval")
            k = np.floor((np.asarray(self.arrival_times, dtype=float) - day.open_at)
                         / day.interval).astype(int)
            return np.bincount(k, minlength=day.n_intervals).astype(float)
        if self.volume is not None:
            return np.asarray(self.volume, dtype=float)
        if self.rate_per_hour is not None:
            if interval is None:
                raise ValueError("interval is needed to turn rate_per_hour into calls")
            return np.asarray(self.rate_per_hour, dtype=float) * interval / 3600.0
        shape = np.asarray(self.shape, dtype=float)
        return float(self.daily_volume) * shape / shape.sum()


@dataclass(frozen=True, kw_only=True, slots=True)
class Shift:
    """``count`` agents working from ``start_at`` to ``end_at`` (seconds after midnight)."""

    start_at: float
    end_at: float
    count: int = 1

    def __post_init__(self):
        problems: list[str] = []
        _check_number(problems, "start_at", self.start_at, low=0, unit="seconds")
        _check_number(problems, "end_at", self.end_at, low=0, unit="seconds")
        _check_number(problems, "count", self.count, low=0, integer=True)
        if not problems and self.end_at <= self.start_at:
            problems.append(f"end_at must be after start_at (got {format_clock(self.start_at)}"
                            f"-{format_clock(self.end_at)})")
        _raise(problems)


@dataclass(frozen=True, kw_only=True, slots=True)
class AgentGroup:
    """Agents with the same skills, staffed by ``headcount`` per interval or by ``shifts``.

    ``skills`` lists the inbound types the agents answer, in order of preference.  An agent
    finishes the contact in hand before leaving at the end of a shift.
    """

    name: str
    skills: tuple[str, ...]
    headcount: tuple[int, ...] | None = None
    shifts: tuple[Shift, ...] | None = None

    def __post_init__(self):
        for name in ("skills", "headcount", "shifts"):
            _as_tuple(self, name)
        problems: list[str] = []
        _check_name(problems, "name", self.name)
        if not isinstance(self.skills, tuple) or not self.skills:
            problems.append(f"skills must be a non-empty list of inbound type names "
                            f"(got {self.skills!r})")
        else:
            for i, s in enumerate(self.skills):
                _check_name(problems, f"skills[{i}]", s)
            named = [s for s in self.skills if isinstance(s, str)]
            if len(named) == len(self.skills) and len(set(named)) != len(named):
                problems.append(f"skills must not repeat a type (got {list(self.skills)})")
        if (self.headcount is None) == (self.shifts is None):
            problems.append("headcount (agents per interval) or shifts must be given, one of "
                            "them (got " + ("both" if self.headcount is not None else
                                            "neither") + ")")
        if self.headcount is not None:
            if not isinstance(self.headcount, tuple) or not self.headcount:
                problems.append(f"headcount must be a list of whole numbers, one per interval "
                                f"(got {self.headcount!r})")
            else:
                for i, v in enumerate(self.headcount):
                    _check_number(problems, f"headcount[{i}]", v, low=0, integer=True)
        if self.shifts is not None:
            if not isinstance(self.shifts, tuple):
                problems.append(f"shifts must be a list of Shift (got {self.shifts!r})")
            else:
                for i, s in enumerate(self.shifts):
                    if not isinstance(s, Shift):
                        problems.append(f"shifts[{i}] must be a Shift (got {s!r})")
        _raise(problems)


@dataclass(frozen=True, kw_only=True, slots=True)
class Scenario:
    """A day of a contact centre: the input of :func:`blendsim.simulate`."""

    name: str = "scenario"
    description: str = ""
    day: Day = field(default_factory=Day)
    inbound: tuple[InboundType, ...] = ()
    groups: tuple[AgentGroup, ...] = ()
    service_target: ServiceTarget = field(default_factory=ServiceTarget)

    def __post_init__(self):
        _as_tuple(self, "inbound")
        _as_tuple(self, "groups")
        problems: list[str] = []
        if not isinstance(self.name, str):
            problems.append(f"name must be a text (got {self.name!r})")
        if not isinstance(self.description, str):
            problems.append(f"description must be a text (got {self.description!r})")
        if not isinstance(self.day, Day):
            problems.append(f"day must be a Day (got {self.day!r})")
        if not isinstance(self.service_target, ServiceTarget):
            problems.append(f"service_target must be a ServiceTarget (got "
                            f"{self.service_target!r})")
        if not isinstance(self.inbound, tuple) or not all(
                isinstance(t, InboundType) for t in self.inbound):
            problems.append(f"inbound must be a list of InboundType (got {_short(self.inbound)})")
        elif not self.inbound:
            problems.append("inbound must list at least one inbound type")
        if not isinstance(self.groups, tuple) or not all(
                isinstance(g, AgentGroup) for g in self.groups):
            problems.append(f"groups must be a list of AgentGroup (got {_short(self.groups)})")
        elif not self.groups:
            problems.append("groups must list at least one agent group")
        if not problems:
            problems += self._cross_problems()
        _raise(problems)

    def _cross_problems(self) -> list[str]:
        """Problems between parts: names, lengths and references."""
        problems: list[str] = []
        n = self.day.n_intervals
        types = [t.name for t in self.inbound]
        groups = [g.name for g in self.groups]
        for kind, names in (("inbound", types), ("groups", groups)):
            seen = set()
            for i, name in enumerate(names):
                if name in seen:
                    problems.append(f"{kind}[{i}].name {name!r} is used twice")
                seen.add(name)
        for i, t in enumerate(self.inbound):
            if t.n_values is not None and t.n_values != n:
                which = next(k for k in ("volume", "rate_per_hour", "shape")
                             if getattr(t, k) is not None)
                problems.append(f"inbound[{i}].{which} must have one value per interval "
                                f"({n}) (got {t.n_values})")
            for j, a in enumerate(t.arrival_times or ()):
                if not self.day.open_at <= a < self.day.close_at:
                    problems.append(f"inbound[{i}].arrival_times[{j}] {format_clock(a)} is "
                                    f"outside opening hours ({format_clock(self.day.open_at)}-"
                                    f"{format_clock(self.day.close_at)})")
            if t.groups is not None:
                for j, g in enumerate(t.groups):
                    if g not in groups:
                        problems.append(f"inbound[{i}].groups[{j}] {g!r} is not an agent group "
                                        f"(groups: {', '.join(groups)})")
                    elif t.name not in self.group(g).skills:
                        problems.append(f"inbound[{i}].groups[{j}] {g!r} does not have the "
                                        f"skill {t.name!r}")
            elif not any(t.name in g.skills for g in self.groups):
                problems.append(f"inbound[{i}] {t.name!r} is not a skill of any agent group")
        for i, g in enumerate(self.groups):
            for j, s in enumerate(g.skills):
                if s not in types:
                    problems.append(f"groups[{i}].skills[{j}] {s!r} is not an inbound type "
                                    f"(types: {', '.join(types)})")
            if g.headcount is not None and len(g.headcount) != n:
                problems.append(f"groups[{i}].headcount must have one value per interval "
                                f"({n}) (got {len(g.headcount)})")
            for j, s in enumerate(g.shifts or ()):
                if s.start_at < self.day.open_at - 12 * 3600 or s.start_at > self.day.close_at:
                    problems.append(f"groups[{i}].shifts[{j}].start_at "
                                    f"{format_clock(s.start_at)} is outside the day "
                                    f"({format_clock(self.day.open_at)}-"
                                    f"{format_clock(self.day.close_at)})")
        return problems

    # --- lookups ------------------------------------------------------------------------------

    def inbound_type(self, name: str) -> InboundType:
        for t in self.inbound:
            if t.name == name:
                return t
        raise KeyError(name)

    def group(self, name: str) -> AgentGroup:
        for g in self.groups:
            if g.name == name:
                return g
        raise KeyError(name)

    def routing_table(self) -> dict[str, tuple[tuple[str, float], ...]]:
        """For each inbound type, the groups that may answer it with their overflow delays."""
        table = {}
        for t in self.inbound:
            if t.groups is None:
                names = tuple(g.name for g in self.groups if t.name in g.skills)
                delays = (0.0,) * len(names)
            else:
                names = t.groups
                delays = tuple(float(x) for x in (t.overflow_after or (0.0,) * len(names)))
            table[t.name] = tuple(zip(names, delays, strict=True))
        return table

    def agent_periods(self) -> list[tuple[str, str, float, float]]:
        """Every agent's working periods: ``(agent, group, start_at, end_at)``.

        Head counts become periods: agent ``k`` of a group works in every interval whose
        head count exceeds ``k`` (consecutive intervals merge into one period).
        """
        periods = []
        starts = self.day.interval_starts
        for g in self.groups:
            if g.headcount is not None:
                counts = np.asarray(g.headcount, dtype=int)
                for k in range(int(counts.max(initial=0))):
                    on = counts > k
                    i = 0
                    while i < len(on):
                        if on[i]:
                            j = i
                            while j + 1 < len(on) and on[j + 1]:
                                j += 1
                            periods.append((f"{g.name}-{k + 1}", g.name, float(starts[i]),
                                            float(starts[j] + self.day.interval)))
                            i = j + 1
                        else:
                            i += 1
            else:
                k = 0
                for s in g.shifts:
                    for _ in range(int(s.count)):
                        k += 1
                        periods.append((f"{g.name}-{k}", g.name, float(s.start_at),
                                        float(s.end_at)))
        return periods

    # --- dict and file forms ------------------------------------------------------------------

    def to_dict(self) -> dict:
        """The scenario as plain data, in the scenario-file layout."""
        return _scenario_to_dict(self)

    @classmethod
    def from_dict(cls, data: dict, source: str | None = None) -> Scenario:
        """Build a scenario from plain data (the scenario-file layout); all problems at once."""
        return _scenario_from_dict(data, source)

    def replace(self, **changes) -> Scenario:
        """A copy with some fields changed (``dataclasses.replace``)."""
        return replace(self, **changes)


# --------------------------------------------------------------------------------------------
# Reading plain data (a parsed TOML file)


class _Reader:
    """Collects problems while turning plain data into dataclasses."""

    def __init__(self):
        self.problems: list[str] = []

    def table(self, data, path: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()):
        if not isinstance(data, dict):
            self.problems.append(f"{path or 'the file'} must be a table (got {data!r})")
            return None
        for k in data:
            if k not in allowed:
                self.problems.append(f"{path + '.' if path else ''}{k} is not a known field "
                                     f"(allowed: {', '.join(allowed)})")
        for k in required:
            if k not in data:
                self.problems.append(f"{path + '.' if path else ''}{k} is missing")
        return data

    def build(self, cls, path: str, **kwargs):
        """``cls(**kwargs)``; its problems are noted under ``path`` in the file's own words."""
        try:
            return cls(**kwargs)
        except ScenarioError as e:
            self.problems += [_in_file_words(cls, path, p) for p in e.problems]
        return None

    def clock(self, data, key, path, default=None):
        if key not in data:
            return default
        try:
            return parse_clock(data[key], f"{path}.{key}")
        except ScenarioError as e:
            self.problems += e.problems
            return None

    def dist(self, data, key, path):
        if key not in data:
            return None
        try:
            return distribution_from_dict(data[key], f"{path}.{key}")
        except ScenarioError as e:
            self.problems += e.problems
            return None

    def number_list(self, data, key, path, stand_in=(0.0,)):
        """A list field as a tuple; if it is not a list, the problem is noted and a harmless
        stand-in returned, so that the rest of the part is still checked."""
        if key not in data:
            return None
        v = data[key]
        if not isinstance(v, list):
            self.problems.append(f"{path}.{key} must be a list of numbers (got {_short(v)})")
            return stand_in
        return tuple(v)


# Dataclass fields that the file calls by another name.
_FILE_KEYS = {
    "Day": {"open_at": "open", "close_at": "close", "interval": "interval_minutes"},
    "ServiceTarget": {"short_abandon": "short_abandon_seconds"},
    "Shift": {"start_at": "start", "end_at": "end"},
}


def _in_file_words(cls, path: str, problem: str) -> str:
    """A dataclass's problem under the file path ``path``, with the file's field names."""
    for field_name, key in _FILE_KEYS.get(cls.__name__, {}).items():
        problem = re.sub(rf"\b{field_name}\b", key, problem)
    head = re.match(r"[A-Za-z_][A-Za-z_0-9]*", problem)
    known = {f.name for f in fields(cls)} | set(_FILE_KEYS.get(cls.__name__, {}).values())
    if not path:
        return problem
    if head and head.group(0) in known:
        return f"{path}.{problem}"
    return f"{path}: {problem}"


_TOP = ("schema_version", "name", "description", "day", "service_target", "inbound", "groups")
_DAY = ("open", "close", "interval_minutes")
_TARGET = ("level", "seconds", "definition", "short_abandon_seconds")
_INBOUND = ("name", "volume", "rate_per_hour", "daily_volume", "shape", "arrival_times",
            "busyness_cv",
            "handle_time", "wrap_up", "patience", "balk_probability", "queue_capacity",
            "priority", "groups", "overflow_after")
_GROUP = ("name", "skills", "headcount", "shifts")
_SHIFT = ("start", "end", "count")


def _scenario_from_dict(data, source: str | None) -> Scenario:
    """Read every part, reporting every problem; parts that fail are replaced by harmless
    stand-ins so that the checks between parts still run (their findings about a broken part
    itself are dropped: its own problems were reported already)."""
    r = _Reader()
    if r.table(data, "", _TOP, ("schema_version", "day", "inbound", "groups")) is None:
        raise ScenarioError(r.problems, source)
    version = data.get("schema_version")
    if "schema_version" in data and (type(version) is not int or version != SCHEMA_VERSION):
        r.problems.append(f"schema_version must be {SCHEMA_VERSION} (got {version!r})")

    day = _read_day(r, data)
    n = day.n_intervals if day is not None else 1
    target = ServiceTarget()
    if "service_target" in data and r.table(data["service_target"], "service_target",
                                            _TARGET) is not None:
        t = data["service_target"]
        target = r.build(ServiceTarget, "service_target", level=t.get("level", 0.8),
                         seconds=t.get("seconds", 20.0),
                         definition=t.get("definition", "offered"),
                         short_abandon=t.get("short_abandon_seconds", 5.0)) or ServiceTarget()

    broken: set[str] = set()
    inbound = _read_list(r, data, "inbound", "[[inbound]]")
    if inbound is None:
        broken.add("inbound")
        inbound = []
    types = []
    for i, t in enumerate(inbound):
        built = _read_inbound(r, t, f"inbound[{i}]")
        if built is None:
            broken.add(f"inbound[{i}]")
            name = t.get("name") if isinstance(t, dict) else None
            built = InboundType(name=name if isinstance(name, str) and name.strip()
                                else f"inbound[{i}]", handle_time=_STAND_IN,
                                volume=(0.0,) * n)
        types.append(built)
    groups = []
    raw_groups = _read_list(r, data, "groups", "[[groups]]")
    if raw_groups is None:
        broken.add("groups")
        raw_groups = []
    for i, g in enumerate(raw_groups):
        built = _read_group(r, g, f"groups[{i}]")
        if built is None:
            broken.add(f"groups[{i}]")
            name = g.get("name") if isinstance(g, dict) else None
            skills = g.get("skills") if isinstance(g, dict) else None
            skills = tuple(x for x in skills if isinstance(x, str) and x.strip()) \
                if isinstance(skills, list) else ()
            built = AgentGroup(name=name if isinstance(name, str) and name.strip()
                               else f"groups[{i}]",
                               skills=tuple(dict.fromkeys(skills)) or (types[0].name if types
                                                                      else "?",),
                               headcount=(0,) * n)
        groups.append(built)

    scenario = None
    if day is not None:
        try:
            scenario = Scenario(name=data.get("name", "scenario"),
                                description=data.get("description", ""), day=day,
                                inbound=tuple(types), groups=tuple(groups),
                                service_target=target)
        except ScenarioError as e:
            r.problems += [_file_path(p) for p in e.problems if not _follows_from(p, broken)]
    if r.problems or broken or scenario is None:
        raise ScenarioError(r.problems or ["the scenario is incomplete"], source)
    return scenario


_STAND_IN = Exponential(mean=1.0)  # stands in for a distribution that failed to read

# Findings between parts that a broken part of that kind can cause by itself.
_KNOCK_ON = {
    "inbound": ("is not an inbound type", "must list at least one inbound type"),
    "groups": ("is not an agent group", "is not a skill of any agent group",
               "does not have the skill", "must list at least one agent group"),
}


def _file_path(problem: str) -> str:
    """A cross-check finding in the file's words (``shifts[0].start``, not ``start_at``)."""
    for field_name, key in (("start_at", "start"), ("end_at", "end"), ("open_at", "open"),
                            ("close_at", "close")):
        problem = re.sub(rf"\.{field_name}\b", f".{key}", problem)
    return problem


def _follows_from(problem: str, broken: set[str]) -> bool:
    """Whether a cross-check finding is only a knock-on effect of a part already reported."""
    for b in broken:
        if problem.startswith((b + ".", b + " ")):
            return True
        kind = b.split("[")[0]
        if any(phrase in problem for phrase in _KNOCK_ON.get(kind, ())):
            return True
    return False


def _read_day(r: _Reader, data: dict) -> Day | None:
    if "day" not in data or r.table(data["day"], "day", _DAY, ("open", "close")) is None:
        return None
    d = data["day"]
    open_at = r.clock(d, "open", "day")
    close_at = r.clock(d, "close", "day")
    minutes = d.get("interval_minutes", 30)
    good_minutes = minutes in (15, 30, 60) and not isinstance(minutes, bool)
    if not good_minutes:
        r.problems.append(f"day.interval_minutes must be 15, 30 or 60 (got {minutes!r})")
    if open_at is None or close_at is None:
        return None
    if not good_minutes:  # still check the opening hours themselves
        if close_at <= open_at:
            r.problems.append(f"day.close_at must be after open_at (got open "
                              f"{format_clock(open_at)}, close {format_clock(close_at)})")
        return None
    return r.build(Day, "day", open_at=open_at, close_at=close_at, interval=float(minutes * 60))


def _read_list(r: _Reader, data: dict, key: str, form: str) -> list | None:
    if key not in data:
        return None  # reported as missing already
    items = data[key]
    if not isinstance(items, list):
        r.problems.append(f"{key} must be a list of tables ({form}) (got {_short(items)})")
        return None
    return items


def _read_inbound(r: _Reader, t, path: str) -> InboundType | None:
    if r.table(t, path, _INBOUND, ("name", "handle_time")) is None:
        return None
    before = len(r.problems)
    kwargs = {k: t[k] for k in ("name", "daily_volume", "busyness_cv", "balk_probability",
                                "queue_capacity", "priority") if k in t}
    for k in ("volume", "rate_per_hour", "shape", "overflow_after"):
        v = r.number_list(t, k, path)
        if v is not None:
            kwargs[k] = v
    if "groups" in t:
        if isinstance(t["groups"], list):
            kwargs["groups"] = tuple(t["groups"])
        else:
            r.problems.append(f"{path}.groups must be a non-empty list of group names (got "
                              f"{_short(t['groups'])})")
            kwargs.pop("overflow_after", None)  # its delays cannot be matched to groups
    if "arrival_times" in t:
        raw = t["arrival_times"]
        if not isinstance(raw, list):
            r.problems.append(f"{path}.arrival_times must be a list of clock times like "
                              f"\"08:00:30\" (got {raw!r})")
        else:
            instants = []
            for j, v in enumerate(raw):
                try:
                    instants.append(parse_clock(v, f"{path}.arrival_times[{j}]"))
                except ScenarioError as e:
                    r.problems += e.problems
            kwargs["arrival_times"] = tuple(instants)
    for k in ("handle_time", "wrap_up", "patience"):
        d = r.dist(t, k, path)
        if d is not None:
            kwargs[k] = d
        elif k in t or k == "handle_time":
            # Broken or missing (already reported): stand in, so the rest is checked too.
            kwargs[k] = _STAND_IN
    kwargs.setdefault("name", "?")
    built = r.build(InboundType, path, **kwargs)
    return built if len(r.problems) == before else None


def _read_group(r: _Reader, g, path: str) -> AgentGroup | None:
    if r.table(g, path, _GROUP, ("name", "skills")) is None:
        return None
    before = len(r.problems)
    kwargs = {"name": g.get("name", "?"), "skills": g.get("skills", ("?",))}
    if isinstance(kwargs["skills"], list):
        kwargs["skills"] = tuple(kwargs["skills"])
    if "headcount" in g:
        kwargs["headcount"] = r.number_list(g, "headcount", path, stand_in=(0,))
    if "shifts" in g:
        shifts = []
        if not isinstance(g["shifts"], list):
            r.problems.append(f"{path}.shifts must be a list of tables like {{ start = "
                              f"\"07:00\", end = \"15:00\", count = 5 }} (got {g['shifts']!r})")
        else:
            for j, s in enumerate(g["shifts"]):
                sp = f"{path}.shifts[{j}]"
                if r.table(s, sp, _SHIFT, ("start", "end")) is None:
                    continue
                start, end = r.clock(s, "start", sp), r.clock(s, "end", sp)
                if start is not None and end is not None:
                    shifts.append(r.build(Shift, sp, start_at=start, end_at=end,
                                          count=s.get("count", 1)))
        kwargs["shifts"] = tuple(x for x in shifts if x is not None)
    built = r.build(AgentGroup, path, **kwargs)
    return built if len(r.problems) == before else None


# --------------------------------------------------------------------------------------------
# Writing plain data and TOML


def _clean(x):
    if isinstance(x, tuple):
        return [_clean(v) for v in x]
    if isinstance(x, np.generic):
        return x.item()
    return x


def _scenario_to_dict(sc: Scenario) -> dict:
    out: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "name": sc.name}
    if sc.description:
        out["description"] = sc.description
    out["day"] = {"open": format_clock(sc.day.open_at), "close": format_clock(sc.day.close_at),
                  "interval_minutes": int(sc.day.interval // 60)}
    st = sc.service_target
    out["service_target"] = {"level": st.level, "seconds": st.seconds,
                             "definition": st.definition,
                             "short_abandon_seconds": st.short_abandon}
    out["inbound"] = []
    defaults = {f.name: f.default for f in fields(InboundType)}
    for t in sc.inbound:
        d: dict[str, Any] = {"name": t.name}
        for k in ("volume", "rate_per_hour", "daily_volume", "shape"):
            if getattr(t, k) is not None:
                d[k] = _clean(getattr(t, k))
        if t.arrival_times is not None:
            d["arrival_times"] = [format_clock(float(a)) for a in t.arrival_times]
        d["handle_time"] = t.handle_time.to_dict()
        for k in ("wrap_up", "patience"):
            if getattr(t, k) is not None:
                d[k] = getattr(t, k).to_dict()
        for k in ("busyness_cv", "balk_probability", "queue_capacity", "priority", "groups",
                  "overflow_after"):
            v = getattr(t, k)
            if v != defaults[k]:
                d[k] = _clean(v)
        out["inbound"].append(d)
    out["groups"] = []
    for g in sc.groups:
        d = {"name": g.name, "skills": list(g.skills)}
        if g.headcount is not None:
            d["headcount"] = _clean(g.headcount)
        else:
            d["shifts"] = [{"start": format_clock(s.start_at), "end": format_clock(s.end_at),
                            "count": s.count} for s in g.shifts]
        out["groups"].append(d)
    return out


def _toml_value(v) -> str:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        if math.isnan(v):
            return "nan"
        return repr(v)
    if isinstance(v, str):
        # JSON's escapes are TOML's, but TOML also forbids a raw DEL character.
        return json.dumps(v, ensure_ascii=False).replace("\x7f", "\\u007F")
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, (list, tuple)):
        items = [_toml_value(x) for x in v]
        one_line = "[" + ", ".join(items) + "]"
        if len(one_line) <= 88:
            return one_line
        lines, line = [], ""
        for item in items:
            if line and len(line) + len(item) + 2 > 84:
                lines.append(line.rstrip())
                line = ""
            line += item + ", "
        lines.append(line.rstrip())
        return "[\n    " + "\n    ".join(lines) + "\n]"
    raise TypeError(f"cannot write {v!r} to TOML")


def to_toml(data: dict) -> str:
    """Plain scenario data -> TOML text (tables, arrays of tables and inline values)."""
    lines = []
    scalars = {k: v for k, v in data.items() if not isinstance(v, (dict, list))
               or (isinstance(v, list) and not (v and isinstance(v[0], dict)))}
    for k, v in scalars.items():
        lines.append(f"{k} = {_toml_value(v)}")
    for k, v in data.items():
        if k in scalars:
            continue
        if isinstance(v, dict):
            lines += ["", f"[{k}]"] + [f"{kk} = {_toml_value(vv)}" for kk, vv in v.items()]
        else:
            for item in v:
                lines += ["", f"[[{k}]]"] + [f"{kk} = {_toml_value(vv)}"
                                             for kk, vv in item.items()]
    return "\n".join(lines) + "\n"


def load_scenario(path) -> Scenario:
    """Read a scenario file (TOML).  Raises :class:`ScenarioError` listing every problem."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([f"no such file: {str(p)!r}"]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ScenarioError([f"cannot read the file ({e})"], str(p)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError([f"not valid TOML: {e}"], str(p)) from None
    return _scenario_from_dict(data, str(p))


def dump_scenario(scenario: Scenario, path=None) -> str:
    """The scenario as TOML text; also written to ``path`` when given."""
    text = to_toml(scenario.to_dict())
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text
