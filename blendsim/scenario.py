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
import math
import re
import sys
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ._checks import fmt
from .blending import AllOf, BlendingPolicy, TimeWindows
from .campaign import OutboundCampaign, Segment
from .distributions import Distribution
from .errors import ScenarioError
from .limits import (
    LIMITS,
    MAX_AGENTS,
    MAX_BUSYNESS_CV,
    MAX_CALLS,
    MAX_CAMPAIGNS,
    MAX_DESCRIPTION,
    MAX_GROUPS,
    MAX_HEADCOUNT,
    MAX_OUTBOUND_ATTEMPTS,
    MAX_POLICIES,
    MAX_PRIORITY,
    MAX_SHIFTS,
    MAX_TYPES,
    name_problem,
    safe,
)

__all__ = [
    "LIMITS",
    "SCHEMA_VERSION",
    "AgentGroup",
    "OutboundCampaign",
    "Segment",
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


def _got(x) -> str:
    """A number as an error message shows it: a 300-digit integer is not spelled out."""
    digits = len(str(abs(x))) if isinstance(x, int) else 0
    return fmt(x) if digits <= 20 else f"a whole number of {digits} digits"


def _check_number(problems, path, x, *, low=None, low_open=False, high=None, high_open=False,
                  integer=False, unit="", why=""):
    # Whole numbers stay exact (10**300 is whole, though no float equals it).
    exact = isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))
    if not (exact or _is_number(x)) or (integer and not exact and not float(x).is_integer()):
        what = "a whole number" if integer else "a number"
        problems.append(f"{path} must be {what} (got {safe(x)})")
        return
    x = int(x) if exact else float(x)
    unit = f" {unit}" if unit else ""
    if low is not None and (x <= low if low_open else x < low):
        problems.append(f"{path} must be {'>' if low_open else '>='} {fmt(low)}{unit} "
                        f"(got {_got(x)})")
    elif high is not None and (x >= high if high_open else x > high):
        problems.append(f"{path} must be {'<' if high_open else '<='} {fmt(high)}{unit} "
                        f"(got {_got(x)}){'; ' + why if why else ''}")


def _check_name(problems, path, x):
    problem = name_problem(path, x)
    if problem:
        problems.append(problem)


def _check_count(problems, path, items, limit, what):
    """A list may hold at most ``limit`` items (a bound on the run's size)."""
    if isinstance(items, tuple) and len(items) > limit:
        problems.append(f"{path} must list at most {limit:,} {what} (got {len(items):,})")


_short = safe


def _as_tuple(obj, name):
    value = getattr(obj, name)
    if isinstance(value, (list, np.ndarray)):
        object.__setattr__(obj, name, tuple(value.tolist() if isinstance(value, np.ndarray)
                                            else value))


def _raise(problems):
    if problems:
        raise ScenarioError(problems)


_PACKAGE = str(Path(__file__).resolve().parent)


def _warn(message: str) -> None:
    """Input that is legal but surely a mistake (it does nothing): a warning, not an error,
    attributed to the first caller outside blendsim (the line that built the scenario)."""
    level, frame = 2, sys._getframe(1)  # stacklevel 2 is the caller of _warn
    while frame is not None and (frame.f_code.co_filename.startswith(_PACKAGE)
                                 or frame.f_code.co_filename == "<string>"):  # dataclass init
        frame, level = frame.f_back, level + 1
    warnings.warn(message, UserWarning, stacklevel=level)


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
        if not problems and self.open_at >= 24 * 3600:
            problems.append(f"open_at must be a clock time before 24:00 (got "
                            f"{format_clock(self.open_at)}); close_at may pass 24:00 for a "
                            f"centre open after midnight")
        _check_number(problems, "close_at", self.close_at, low=0, unit="seconds")
        if not _is_number(self.interval) or self.interval not in INTERVALS:
            problems.append(f"interval must be 900, 1800 or 3600 seconds (15, 30 or 60 "
                            f"minutes) (got {safe(self.interval)})")
        if not problems:
            length = float(self.close_at) - float(self.open_at)
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
            elif len(self.arrival_times) > MAX_CALLS:
                problems.append(f"arrival_times must list at most {MAX_CALLS:,} calls (got "
                                f"{len(self.arrival_times):,}); a day of more calls would "
                                f"not fit in memory")
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
                _check_number(problems, f"{name}[{i}]", v, low=0,
                              high=None if name == "shape" else MAX_CALLS,
                              why=f"a day holds at most {MAX_CALLS:,} calls")
        if self.daily_volume is not None or self.shape is not None:
            if self.daily_volume is None or self.shape is None:
                problems.append("daily_volume and shape go together (got "
                                f"{'daily_volume' if self.shape is None else 'shape'} only)")
            else:
                _check_number(problems, "daily_volume", self.daily_volume, low=0,
                              high=MAX_CALLS, why=f"a day holds at most {MAX_CALLS:,} calls")
                if isinstance(self.shape, tuple) and all(_is_number(v) for v in self.shape):
                    total = math.fsum(float(v) for v in self.shape)
                    if total <= 0:
                        problems.append("shape must have a positive sum (got all zeros)")
                    elif not math.isfinite(total):
                        problems.append("shape must have a finite sum (got values so large "
                                        "that they add up to infinity)")
        _check_number(problems, "busyness_cv", self.busyness_cv, low=0, high=MAX_BUSYNESS_CV,
                      why="a larger forecast error makes a few days hold many times the "
                          "volume")
        _check_number(problems, "balk_probability", self.balk_probability, low=0, high=1)
        if self.queue_capacity is not None:
            _check_number(problems, "queue_capacity", self.queue_capacity, low=0, integer=True,
                          high=MAX_CALLS, why=f"a day holds at most {MAX_CALLS:,} calls")
        _check_number(problems, "priority", self.priority, integer=True, low=-MAX_PRIORITY,
                      high=MAX_PRIORITY)
        if self.groups is not None:
            if not isinstance(self.groups, tuple) or not self.groups:
                problems.append(f"groups must be a non-empty list of group names "
                                f"(got {self.groups!r})")
            elif len(self.groups) > MAX_GROUPS:
                _check_count(problems, "groups", self.groups, MAX_GROUPS, "groups")
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
                    _check_number(problems, f"overflow_after[{i}]", v, low=0, high=MAX_DAY,
                                  unit="seconds")
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


_AGENTS_WHY = "the engine keeps state for every agent"


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
        _check_number(problems, "count", self.count, low=0, integer=True, high=MAX_HEADCOUNT,
                      why=_AGENTS_WHY)
        if not problems and self.end_at <= self.start_at:
            problems.append(f"end_at must be after start_at (got {format_clock(self.start_at)}"
                            f"-{format_clock(self.end_at)})")
        _raise(problems)


@dataclass(frozen=True, kw_only=True, slots=True)
class AgentGroup:
    """Agents with the same skills, staffed by ``headcount`` per interval or by ``shifts``.

    ``skills`` lists the inbound types the agents answer, in order of preference;
    ``outbound`` the campaigns they call for.  A group with both is *blended*, one with only
    ``outbound`` is outbound-only.  An agent finishes the contact in hand before leaving at
    the end of a shift.
    """

    name: str
    skills: tuple[str, ...] = ()
    headcount: tuple[int, ...] | None = None
    shifts: tuple[Shift, ...] | None = None
    outbound: tuple[str, ...] = ()

    def __post_init__(self):
        for name in ("skills", "headcount", "shifts", "outbound"):
            _as_tuple(self, name)
        problems: list[str] = []
        _check_name(problems, "name", self.name)
        if not isinstance(self.outbound, tuple):
            problems.append(f"outbound must be a list of campaign names (got "
                            f"{safe(self.outbound)})")
        elif len(self.outbound) > MAX_CAMPAIGNS:
            _check_count(problems, "outbound", self.outbound, MAX_CAMPAIGNS, "campaigns")
        else:
            for i, c in enumerate(self.outbound):
                _check_name(problems, f"outbound[{i}]", c)
        if not isinstance(self.skills, tuple) or (not self.skills and not self.outbound):
            problems.append(f"skills must be a non-empty list of inbound type names, unless "
                            f"the group only calls outbound (got {safe(self.skills)})")
        elif len(self.skills) > MAX_TYPES:
            _check_count(problems, "skills", self.skills, MAX_TYPES, "inbound types")
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
                                f"(got {safe(self.headcount)})")
            else:
                for i, v in enumerate(self.headcount):
                    _check_number(problems, f"headcount[{i}]", v, low=0, integer=True,
                                  high=MAX_HEADCOUNT, why=_AGENTS_WHY)
        if self.shifts is not None:
            if not isinstance(self.shifts, tuple):
                problems.append(f"shifts must be a list of Shift (got {safe(self.shifts)})")
            elif len(self.shifts) > MAX_SHIFTS:
                _check_count(problems, "shifts", self.shifts, MAX_SHIFTS, "shifts")
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
    outbound: tuple[OutboundCampaign, ...] = ()
    blending: tuple[BlendingPolicy, ...] = ()

    def __post_init__(self):
        for name in ("inbound", "groups", "outbound", "blending"):
            _as_tuple(self, name)
        problems: list[str] = []
        if not isinstance(self.outbound, tuple) or not all(
                isinstance(c, OutboundCampaign) for c in self.outbound):
            problems.append(f"outbound must be a list of OutboundCampaign (got "
                            f"{_short(self.outbound)})")
        if not isinstance(self.blending, tuple) or not all(
                isinstance(b, BlendingPolicy) for b in self.blending):
            problems.append(f"blending must be a list of blending policies such as "
                            f"Threshold(reserve=2) (got {_short(self.blending)})")
        if not isinstance(self.name, str):
            problems.append(f"name must be a text (got {safe(self.name)})")
        else:
            _check_name(problems, "name", self.name)
        if not isinstance(self.description, str):
            problems.append(f"description must be a text (got {safe(self.description)})")
        elif len(self.description) > MAX_DESCRIPTION:
            problems.append(f"description must be at most {MAX_DESCRIPTION:,} characters (got "
                            f"{len(self.description):,})")
        for name, limit, what in (("inbound", MAX_TYPES, "inbound types"),
                                  ("groups", MAX_GROUPS, "agent groups"),
                                  ("outbound", MAX_CAMPAIGNS, "campaigns"),
                                  ("blending", MAX_POLICIES, "policies")):
            _check_count(problems, name, getattr(self, name), limit, what)
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
        problems: list[str] = self._outbound_problems()
        n = self.day.n_intervals
        types = [t.name for t in self.inbound]
        groups = [g.name for g in self.groups]
        for kind, names in (("inbound", types), ("groups", groups)):
            seen = set()
            for i, name in enumerate(names):
                if name in seen:
                    problems.append(f"{kind}[{i}].name {name!r} is used twice")
                seen.add(name)
        for i, c in enumerate(self.outbound):
            if c.name in types:
                problems.append(f"outbound[{i}].name {c.name!r} is also an inbound type's "
                                f"name (records name each contact's type or campaign: give "
                                f"them different names)")
        problems += self._size_problems()
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
                elif s.count and s.end_at <= self.day.open_at:
                    _warn(f"groups[{i}].shifts[{j}] {format_clock(s.start_at)}-"
                          f"{format_clock(s.end_at)} ends before opening "
                          f"({self._hours()}): its agents answer no call")
                elif s.count and s.start_at == self.day.close_at:
                    _warn(f"groups[{i}].shifts[{j}] {format_clock(s.start_at)}-"
                          f"{format_clock(s.end_at)} starts at closing "
                          f"({self._hours()}): its agents answer only callers still waiting "
                          f"then")
        for i, p in enumerate(self.blending):
            if isinstance(p, TimeWindows):
                problems += self._window_problems(f"blending[{i}]", p.windows,
                                                  self.day.close_at)
        return problems

    def _hours(self, close_at: float | None = None) -> str:
        close_at = self.day.close_at if close_at is None else close_at
        return f"{format_clock(self.day.open_at)}-{format_clock(close_at)}"

    def _window_problems(self, path: str, windows, close_at: float) -> list[str]:
        """Windows that do nothing (wholly outside opening hours, up to ``close_at``): legal,
        but surely a mistake, so a warning."""
        for k, (a, b) in enumerate(windows):
            if b <= self.day.open_at or a >= close_at:
                _warn(f"{path}.windows[{k}] {format_clock(a)}-{format_clock(b)} is wholly "
                      f"outside the hours when outbound calls are possible "
                      f"({self._hours(close_at)}): it allows no call")
        return []

    def _size_problems(self) -> list[str]:
        """Bounds on the whole day's size: agents, calls and outbound attempts."""
        problems = []
        agents = sum(max(g.headcount, default=0) if g.headcount is not None
                     else sum(s.count for s in g.shifts) for g in self.groups)
        if agents > MAX_AGENTS:
            problems.append(f"groups: the scenario has {agents:,} agents (each group's largest "
                            f"head count, or its shifts' counts, added up), at most "
                            f"{MAX_AGENTS:,}: {_AGENTS_WHY}")
        n = self.day.n_intervals
        if all(t.n_values in (None, n) for t in self.inbound):
            calls = math.fsum(float(len(t.arrival_times)) if t.arrival_times is not None
                              else float(t.expected_calls(self.day.interval).sum())
                              for t in self.inbound)
            if calls > MAX_CALLS:
                problems.append(f"inbound: the volumes add up to {calls:,.0f} expected calls "
                                f"a day, at most {MAX_CALLS:,}: a larger day would take "
                                f"too long and too much memory to simulate")
        attempts = 0.0
        for c in self.outbound:
            if c.list_size is not None:
                attempts += c.list_size * c.max_attempts
                continue
            seconds = 0.0
            for g in self.groups:
                if c.name not in g.outbound:
                    continue
                if g.headcount is not None:
                    seconds += sum(g.headcount) * self.day.interval
                else:
                    seconds += sum(s.count * (s.end_at - s.start_at) for s in g.shifts)
            shortest = c.shortest_attempt()
            attempts += math.inf if shortest <= 0 else c.dial_ratio * seconds / shortest
        if attempts > MAX_OUTBOUND_ATTEMPTS:
            problems.append(f"outbound: the campaigns could make about {attempts:,.0f} call "
                            f"attempts a day (list_size x max_attempts; for a list without "
                            f"list_size, the calling agents' time x dial_ratio / the shortest "
                            f"attempt), at most {MAX_OUTBOUND_ATTEMPTS:,} (a record row each): "
                            f"give a smaller list_size or max_attempts")
        return problems

    def _outbound_problems(self) -> list[str]:
        problems: list[str] = []
        n = self.day.n_intervals
        campaigns = [c.name for c in self.outbound]
        groups = {g.name: g for g in self.groups}
        seen: set[str] = set()
        for i, c in enumerate(self.outbound):
            if c.name in seen:
                problems.append(f"outbound[{i}].name {c.name!r} is used twice")
            seen.add(c.name)
            if isinstance(c.connect_probability, tuple) and len(c.connect_probability) != n:
                problems.append(f"outbound[{i}].connect_probability must have one value per "
                                f"interval ({n}) (got {len(c.connect_probability)})")
            if _is_number(c.stop_before_close) and (
                    c.stop_before_close >= self.day.close_at - self.day.open_at):
                _warn(f"outbound[{i}].stop_before_close {fmt(c.stop_before_close)} seconds is "
                      f"the whole day ({self._hours()}, "
                      f"{fmt(self.day.close_at - self.day.open_at)} seconds) or more: campaign "
                      f"{c.name!r} makes no call")
            elif c.windows is not None:
                problems += self._window_problems(f"outbound[{i}]", c.windows,
                                                  self.day.close_at - c.stop_before_close)
            callers = [g.name for g in self.groups if c.name in g.outbound]
            if not callers:
                problems.append(f"outbound[{i}] {c.name!r} is not called by any agent group "
                                "(give a group outbound = [...])")
            for j, seg in enumerate(c.segments):
                for k, g in enumerate(seg.groups or ()):
                    if g not in groups:
                        problems.append(f"outbound[{i}].segments[{j}].groups[{k}] {g!r} is not "
                                        f"an agent group")
                    elif c.name not in groups[g].outbound:
                        problems.append(f"outbound[{i}].segments[{j}].groups[{k}] {g!r} does "
                                        f"not call for {c.name!r}")
        for i, g in enumerate(self.groups):
            for j, name in enumerate(g.outbound):
                if name not in campaigns:
                    problems.append(f"groups[{i}].outbound[{j}] {name!r} is not an outbound "
                                    f"campaign (campaigns: {', '.join(campaigns) or 'none'})")
        return problems

    # --- lookups ------------------------------------------------------------------------------

    def blending_policy(self) -> BlendingPolicy:
        """The scenario's policies as one (all must agree); none given: blend freely."""
        from .blending import Threshold

        if not self.blending:
            return Threshold(reserve=0)
        return self.blending[0] if len(self.blending) == 1 else AllOf(*self.blending)

    def campaign(self, name: str) -> OutboundCampaign:
        for c in self.outbound:
            if c.name == name:
                return c
        raise KeyError(name)

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
                counts = np.asarray(g.headcount, dtype=np.int64)
                for k in range(int(counts.max(initial=0))):
                    # Runs of consecutive intervals where agent k works: +1 starts, -1 ends.
                    edges = np.diff(np.concatenate(([0], (counts > k).astype(np.int8), [0])))
                    first, after = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
                    periods += [(f"{g.name}-{k + 1}", g.name, float(starts[i]),
                                 float(starts[j - 1] + self.day.interval))
                                for i, j in zip(first.tolist(), after.tolist(), strict=True)]
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
        from .scenario_file import scenario_to_dict

        return scenario_to_dict(self)

    @classmethod
    def from_dict(cls, data: dict, source: str | None = None) -> Scenario:
        """Build a scenario from plain data (the scenario-file layout); all problems at once."""
        from .scenario_file import scenario_from_dict

        return scenario_from_dict(data, source)

    def replace(self, **changes) -> Scenario:
        """A copy with some fields changed (``dataclasses.replace``)."""
        return replace(self, **changes)


# The file form lives in scenario_file.py; its two entry points are part of this module's API.
from .scenario_file import dump_scenario, load_scenario  # noqa: E402
