"""The parts of a scenario: the day, the service target, inbound types, shifts and agent groups.

Each part is a frozen dataclass that checks itself when built and reports every problem at
once, naming the field (``handle_time.mean must be a number > 0 (got -30)``); the
:class:`~blendsim.scenario.model.Scenario` checks how the parts fit together.

Units: instants (``open_at``, shift ``start_at``...) are seconds after midnight of the
simulated day, and may pass 24:00 for a centre open after midnight; durations are seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from blendsim._units import format_clock
from blendsim._validate import (
    as_tuple,
    check_count,
    check_name,
    check_number,
    is_number,
    raise_problems,
)
from blendsim.limits import (
    MAX_BREAKS,
    MAX_BUSYNESS_CV,
    MAX_CALLS,
    MAX_CAMPAIGNS,
    MAX_GROUPS,
    MAX_HEADCOUNT,
    MAX_PRIORITY,
    MAX_SHIFTS,
    MAX_TYPES,
    safe,
)
from blendsim.scenario.distributions import Distribution

__all__ = [
    "AGENTS_WHY",
    "BREAKS_WHY",
    "INTERVALS",
    "ESTIMATORS",
    "MAX_DAY",
    "RULES",
    "SCHEMA_VERSION",
    "SL_DEFINITIONS",
    "AgentGroup",
    "Day",
    "InboundType",
    "ServiceTarget",
    "Shift",
]

SCHEMA_VERSION = 1
INTERVALS = (900, 1800, 3600)
MAX_DAY = 400 * 24 * 3600  # a "day" may be a long stationary run, but not an endless one
SL_DEFINITIONS = ("offered", "answered", "short_abandons_excluded")
RULES = ("day", "every_interval", "share_of_intervals")
ESTIMATORS = ("daily", "pooled")


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
        check_number(problems, "open_at", self.open_at, low=0, unit="seconds")
        if not problems and self.open_at >= 24 * 3600:
            problems.append(f"open_at must be a clock time before 24:00 (got "
                            f"{format_clock(self.open_at)}); close_at may pass 24:00 for a "
                            f"centre open after midnight")
        check_number(problems, "close_at", self.close_at, low=0, unit="seconds")
        if not is_number(self.interval) or self.interval not in INTERVALS:
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
        raise_problems(problems)

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

    ``rule`` says what must reach ``level``: ``"day"`` (the day's service level),
    ``"every_interval"`` (every interval's) or ``"share_of_intervals"`` (at least ``share``
    of the intervals).  ``estimator`` says how an interval's service level is estimated over
    simulated days: ``"daily"`` (the mean over days of the interval's daily ratio: what a
    planner lives with day to day) or ``"pooled"`` (the ratio of the counts of all days
    pooled); see :mod:`blendsim.metrics.judgement`.
    """

    level: float = 0.8
    seconds: float = 20.0
    definition: str = "offered"
    short_abandon: float = 5.0
    rule: str = "day"
    share: float = 0.9
    estimator: str = "daily"

    def __post_init__(self):
        problems: list[str] = []
        check_number(problems, "level", self.level, low=0, low_open=True, high=1,
                      high_open=True)
        check_number(problems, "seconds", self.seconds, low=0, unit="seconds")
        if self.definition not in SL_DEFINITIONS:
            problems.append(f"definition must be one of {', '.join(SL_DEFINITIONS)} "
                            f"(got {self.definition!r})")
        check_number(problems, "short_abandon", self.short_abandon, low=0, unit="seconds")
        if self.rule not in RULES:
            problems.append(f"rule must be one of {', '.join(RULES)} (got {safe(self.rule)})")
        check_number(problems, "share", self.share, low=0, low_open=True, high=1)
        if self.estimator not in ESTIMATORS:
            problems.append(f"estimator must be one of {', '.join(ESTIMATORS)} "
                            f"(got {safe(self.estimator)})")
        raise_problems(problems)


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
            as_tuple(self, name)
        problems: list[str] = []
        check_name(problems, "name", self.name)
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
                    check_number(problems, f"arrival_times[{i}]", v, low=0, unit="seconds")
        for name in ("volume", "rate_per_hour", "shape"):
            values = getattr(self, name)
            if values is None:
                continue
            if not isinstance(values, tuple) or not values:
                problems.append(f"{name} must be a list of numbers, one per interval "
                                f"(got {values!r})")
                continue
            for i, v in enumerate(values):
                check_number(problems, f"{name}[{i}]", v, low=0,
                              high=1e15 if name == "shape" else MAX_CALLS,
                              why="shape weights are relative; larger ones overflow" if
                              name == "shape" else f"a day holds at most {MAX_CALLS:,} calls")
        if self.daily_volume is not None or self.shape is not None:
            if self.daily_volume is None or self.shape is None:
                problems.append("daily_volume and shape go together (got "
                                f"{'daily_volume' if self.shape is None else 'shape'} only)")
            else:
                check_number(problems, "daily_volume", self.daily_volume, low=0,
                              high=MAX_CALLS, why=f"a day holds at most {MAX_CALLS:,} calls")
                if isinstance(self.shape, tuple) and all(is_number(v) for v in self.shape):
                    total = math.fsum(float(v) for v in self.shape)
                    if total <= 0:
                        problems.append("shape must have a positive sum (got all zeros)")
                    elif not math.isfinite(total):
                        problems.append("shape must have a finite sum (got values so large "
                                        "that they add up to infinity)")
        check_number(problems, "busyness_cv", self.busyness_cv, low=0, high=MAX_BUSYNESS_CV,
                      why="a larger forecast error makes a few days hold many times the "
                          "volume")
        check_number(problems, "balk_probability", self.balk_probability, low=0, high=1)
        if self.queue_capacity is not None:
            check_number(problems, "queue_capacity", self.queue_capacity, low=0, integer=True,
                          high=MAX_CALLS, why=f"a day holds at most {MAX_CALLS:,} calls")
        check_number(problems, "priority", self.priority, integer=True, low=-MAX_PRIORITY,
                      high=MAX_PRIORITY)
        if self.groups is not None:
            if not isinstance(self.groups, tuple) or not self.groups:
                problems.append(f"groups must be a non-empty list of group names "
                                f"(got {self.groups!r})")
            elif len(self.groups) > MAX_GROUPS:
                check_count(problems, "groups", self.groups, MAX_GROUPS, "groups")
            else:
                for i, g in enumerate(self.groups):
                    check_name(problems, f"groups[{i}]", g)
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
                    check_number(problems, f"overflow_after[{i}]", v, low=0, high=MAX_DAY,
                                  unit="seconds")
        raise_problems(problems)

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


AGENTS_WHY = "the engine keeps state for every agent"
BREAKS_WHY = ("a shift has a lunch and a few short breaks, and each break cuts it into one more "
              "working period for the engine")


@dataclass(frozen=True, kw_only=True, slots=True)
class Shift:
    """``count`` agents working from ``start_at`` to ``end_at`` (seconds after midnight).

    ``breaks`` lists off-duty spans ``(start_at, end_at)`` (lunch, short breaks), in order,
    each strictly inside the shift; an agent finishes the contact in hand before going on a
    break and comes back at its end.  Breaks are paid (:attr:`paid_seconds`) but not worked
    (:attr:`worked_seconds`).
    """

    start_at: float
    end_at: float
    count: int = 1
    breaks: tuple[tuple[float, float], ...] = ()

    def __post_init__(self):
        if isinstance(self.breaks, (list, tuple, np.ndarray)):
            items = self.breaks.tolist() if isinstance(self.breaks, np.ndarray) else self.breaks
            object.__setattr__(self, "breaks", tuple(
                tuple(b) if isinstance(b, (list, np.ndarray)) else b for b in items))
        problems: list[str] = []
        check_number(problems, "start_at", self.start_at, low=0, unit="seconds")
        check_number(problems, "end_at", self.end_at, low=0, unit="seconds")
        hours_ok = not problems and self.end_at > self.start_at
        if not problems and not hours_ok:
            problems.append(f"end_at must be after start_at (got {format_clock(self.start_at)}"
                            f"-{format_clock(self.end_at)})")
        check_number(problems, "count", self.count, low=0, integer=True, high=MAX_HEADCOUNT,
                      why=AGENTS_WHY)
        problems += self._break_problems(shift_ok=hours_ok)
        raise_problems(problems)

    def _break_problems(self, *, shift_ok: bool) -> list[str]:
        """Every problem of ``breaks``; those against the shift's hours only when these are
        valid themselves (``shift_ok``)."""
        if not isinstance(self.breaks, tuple):
            return [f"breaks must be a list of (start_at, end_at) pairs (got "
                    f"{safe(self.breaks)})"]
        if len(self.breaks) > MAX_BREAKS:
            return [f"breaks must list at most {MAX_BREAKS} breaks (got {len(self.breaks):,}): "
                    f"{BREAKS_WHY}"]
        problems: list[str] = []
        previous = None  # the last well-formed break, to check the order against
        for i, b in enumerate(self.breaks):
            path = f"breaks[{i}]"
            if not isinstance(b, tuple) or len(b) != 2:
                problems.append(f"{path} must be a (start_at, end_at) pair (got {safe(b)})")
                continue
            before = len(problems)
            check_number(problems, f"{path}.start_at", b[0], low=0, unit="seconds")
            check_number(problems, f"{path}.end_at", b[1], low=0, unit="seconds")
            if len(problems) > before:
                continue
            start, end = float(b[0]), float(b[1])
            span = f"{format_clock(start)}-{format_clock(end)}"
            if end <= start:
                problems.append(f"{path}.end_at must be after {path}.start_at (got {span})")
                continue
            if shift_ok and not self.start_at < start < end < self.end_at:
                problems.append(f"{path} must be inside the shift, starting after its start "
                                f"and ending before its end (got {span} in "
                                f"{format_clock(self.start_at)}-{format_clock(self.end_at)})")
            if previous is not None and start <= previous[1]:
                problems.append(f"{path} must start after breaks[{previous[0]}] ends: list "
                                f"breaks in order, without overlaps (got {span} after "
                                f"{format_clock(previous[1])})")
            previous = (i, end)
        return problems

    @property
    def paid_seconds(self) -> float:
        """Seconds from start to end, breaks included (they are paid)."""
        return float(self.end_at - self.start_at)

    @property
    def worked_seconds(self) -> float:
        """Seconds on duty: :attr:`paid_seconds` less the breaks."""
        return self.paid_seconds - math.fsum(b - a for a, b in self.breaks)

    def working_periods(self) -> tuple[tuple[float, float], ...]:
        """The spans ``(start_at, end_at)`` an agent of this shift is on duty, in order: the
        shift cut at its breaks."""
        edges = [float(self.start_at)]
        for a, b in self.breaks:
            edges += [float(a), float(b)]
        edges.append(float(self.end_at))
        return tuple(zip(edges[::2], edges[1::2], strict=True))


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
            as_tuple(self, name)
        problems: list[str] = []
        check_name(problems, "name", self.name)
        if not isinstance(self.outbound, tuple):
            problems.append(f"outbound must be a list of campaign names (got "
                            f"{safe(self.outbound)})")
        elif len(self.outbound) > MAX_CAMPAIGNS:
            check_count(problems, "outbound", self.outbound, MAX_CAMPAIGNS, "campaigns")
        else:
            for i, c in enumerate(self.outbound):
                check_name(problems, f"outbound[{i}]", c)
        if not isinstance(self.skills, tuple) or (not self.skills and not self.outbound):
            problems.append(f"skills must be a non-empty list of inbound type names, unless "
                            f"the group only calls outbound (got {safe(self.skills)})")
        elif len(self.skills) > MAX_TYPES:
            check_count(problems, "skills", self.skills, MAX_TYPES, "inbound types")
        else:
            for i, s in enumerate(self.skills):
                check_name(problems, f"skills[{i}]", s)
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
                    check_number(problems, f"headcount[{i}]", v, low=0, integer=True,
                                  high=MAX_HEADCOUNT, why=AGENTS_WHY)
        if self.shifts is not None:
            if not isinstance(self.shifts, tuple):
                problems.append(f"shifts must be a list of Shift (got {safe(self.shifts)})")
            elif len(self.shifts) > MAX_SHIFTS:
                check_count(problems, "shifts", self.shifts, MAX_SHIFTS, "shifts")
            else:
                for i, s in enumerate(self.shifts):
                    if not isinstance(s, Shift):
                        problems.append(f"shifts[{i}] must be a Shift (got {s!r})")
        raise_problems(problems)
