"""Outbound campaigns: who to call, when dialling is allowed, and what a call attempt costs.

An :class:`OutboundCampaign` is a contact list (``list_size`` records a day, or unlimited),
optionally split into :class:`Segment` s that prefer certain agent groups (match the customer
to the agents best able to serve them).  Each record is tried up to ``max_attempts`` times,
``retry_after`` seconds apart, while dialling is allowed (inside ``windows`` and until
``stop_before_close`` seconds before closing).

An attempt reaches the right party with ``connect_probability`` (one value, or one per
interval of the day).  A failed attempt (no answer, busy, voicemail) takes ``attempt_time``;
a connect takes ``connect_time`` (ringing) before the conversation (``talk_time``, then
``wrap_up``).  The dialler keeps ``dial_ratio`` calls in progress per agent waiting for a
connect: 1 is progressive dialling (an agent per call), more than 1 predictive.  A connected
customer who finds no agent free hangs up after ``connected_patience``: a *mismatch* (an
outbound abandonment, a nuisance call), reported as a rate of live calls against
``abandon_cap`` (3% is a common regulatory limit).

Times are seconds; instants are seconds after midnight.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from blendsim._validate import check_number
from blendsim.errors import ScenarioError
from blendsim.limits import (
    MAX_DIAL_RATIO,
    MAX_DURATION,
    MAX_LIST_SIZE,
    MAX_MAX_ATTEMPTS,
    MAX_SEGMENTS,
    MAX_WINDOWS,
    MIN_ATTEMPT_SECONDS,
    name_problem,
    safe,
)
from blendsim.policies.blending import check_windows
from blendsim.scenario.distributions import Deterministic, Distribution

__all__ = ["OutboundCampaign", "Segment"]


def _number(problems, name, value, *, low=None, low_open=False, high=None, integer=False,
            unit="", why=""):
    check_number(problems, name, value, low=low, low_open=low_open, high=high,
                  integer=integer, unit=unit, why=why)


def _name(problems, path, value):
    problem = name_problem(path, value)
    if problem:
        problems.append(problem)


@dataclass(frozen=True, kw_only=True, slots=True)
class Segment:
    """A share of a campaign's records, optionally called only by some agent groups.

    ``groups`` lists the groups that may talk to these customers, best first (default: every
    group on the campaign).
    """

    name: str
    share: float = 1.0
    groups: tuple[str, ...] | None = None

    def __post_init__(self):
        if isinstance(self.groups, list):
            object.__setattr__(self, "groups", tuple(self.groups))
        problems: list[str] = []
        _name(problems, "name", self.name)
        _number(problems, "share", self.share, low=0, low_open=True, high=1e6,
                why="shares are relative weights")
        if self.groups is not None:
            if not isinstance(self.groups, tuple) or not self.groups or not all(
                    isinstance(g, str) and g.strip() for g in self.groups):
                problems.append(f"groups must be a non-empty list of group names "
                                f"(got {safe(self.groups)})")
        if problems:
            raise ScenarioError(problems)


@dataclass(frozen=True, kw_only=True, slots=True)
class OutboundCampaign:
    """A proactive calling campaign (see the module docstring for every field)."""

    name: str
    talk_time: Distribution
    list_size: int | None = None
    segments: tuple[Segment, ...] = ()
    windows: tuple[tuple[float, float], ...] | None = None
    stop_before_close: float = 0.0
    connect_probability: float | tuple[float, ...] = 0.3
    attempt_time: Distribution = field(default_factory=lambda: Deterministic(value=25.0))
    connect_time: Distribution = field(default_factory=lambda: Deterministic(value=10.0))
    wrap_up: Distribution | None = None
    max_attempts: int = 3
    retry_after: float = 3600.0
    dial_ratio: float = 1.0
    connected_patience: Distribution = field(
        default_factory=lambda: Deterministic(value=2.0))
    abandon_cap: float = 0.03

    def __post_init__(self):
        for name in ("segments", "windows"):
            value = getattr(self, name)
            if isinstance(value, list):
                value = tuple(tuple(v) if isinstance(v, list) else v for v in value)
                object.__setattr__(self, name, value)
        if isinstance(self.connect_probability, list):
            object.__setattr__(self, "connect_probability", tuple(self.connect_probability))
        problems: list[str] = []
        _name(problems, "name", self.name)
        for name in ("talk_time", "attempt_time", "connect_time", "connected_patience",
                     "wrap_up"):
            d = getattr(self, name)
            if (d is not None or name != "wrap_up") and not isinstance(d, Distribution):
                problems.append(f"{name} must be a distribution such as "
                                f"Exponential(mean=180) (got {d!r})")
        if self.list_size is not None:
            _number(problems, "list_size", self.list_size, low=0, integer=True,
                    high=MAX_LIST_SIZE, why="each attempt is a record row held in memory")
        if not isinstance(self.segments, tuple) or not all(
                isinstance(s, Segment) for s in self.segments):
            problems.append(f"segments must be a list of Segment (got {safe(self.segments)})")
        elif len(self.segments) > MAX_SEGMENTS:
            problems.append(f"segments must list at most {MAX_SEGMENTS} segments (got "
                            f"{len(self.segments):,})")
        elif len({s.name for s in self.segments}) != len(self.segments):
            problems.append("segments must have distinct names (got "
                            f"{[s.name for s in self.segments]})")
        if self.windows is not None:
            if isinstance(self.windows, tuple) and len(self.windows) > MAX_WINDOWS:
                problems.append(f"windows must list at most {MAX_WINDOWS} windows (got "
                                f"{len(self.windows):,})")
            else:
                check_windows(problems, self.windows)
        _number(problems, "stop_before_close", self.stop_before_close, low=0, unit="seconds")
        p = self.connect_probability
        if isinstance(p, tuple):
            if not p:
                problems.append("connect_probability must be a number or a list of one per "
                                "interval (got an empty list)")
            for i, v in enumerate(p):
                _number(problems, f"connect_probability[{i}]", v, low=0, high=1)
        else:
            _number(problems, "connect_probability", p, low=0, high=1)
        always_connects = (all(v == 1 for v in p) if isinstance(p, tuple) else p == 1)
        if not always_connects and isinstance(self.attempt_time, Distribution) and not (
                self.attempt_time.mean >= MIN_ATTEMPT_SECONDS):
            problems.append(f"attempt_time must take some time: a mean of at least "
                            f"{MIN_ATTEMPT_SECONDS:g} second when attempts can fail (got "
                            f"{self.attempt_time!r}): with failures that take no time the "
                            f"dialler would call without end")
        if isinstance(self.talk_time, Distribution) and not self.talk_time.mean > 0:
            problems.append(f"talk_time must have a mean > 0 (got {self.talk_time!r})")
        _number(problems, "max_attempts", self.max_attempts, low=1, integer=True,
                high=MAX_MAX_ATTEMPTS, why="each attempt is a record row held in memory")
        _number(problems, "retry_after", self.retry_after, low=0, unit="seconds",
                high=MAX_DURATION)
        _number(problems, "dial_ratio", self.dial_ratio, low=1, high=MAX_DIAL_RATIO,
                why="predictive diallers run at 1.2 to 3 calls per waiting agent")
        _number(problems, "abandon_cap", self.abandon_cap, low=0, high=1)
        if problems:
            raise ScenarioError(problems)

    def shortest_attempt(self) -> float:
        """The shorter mean duration of a failed and of a connected attempt (seconds)."""
        p = self.connect_probability
        ps = p if isinstance(p, tuple) else (p,)
        times = []
        if any(v < 1 for v in ps):
            times.append(self.attempt_time.mean)
        if any(v > 0 for v in ps):
            times.append(self.connect_time.mean + self.talk_time.mean)
        return min(times or [self.attempt_time.mean])

    @property
    def segment_list(self) -> tuple[Segment, ...]:
        """The segments, or one segment ``"all"`` holding every record."""
        return self.segments or (Segment(name="all"),)
