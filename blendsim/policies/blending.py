"""Blending policies: may this free agent go outbound now, or stay in reserve for inbound?

When an agent becomes free and no contact waits for it (no connected outbound customer, no
inbound caller), the ACD asks the blending policy whether a *blended* agent (one whose group
has inbound skills and outbound campaigns) may start outbound work.  Agents of outbound-only
groups always dial while their campaign may; inbound-only agents never do.  Outbound work is
not pre-empted: an agent on an outbound call finishes it, which is exactly why blending costs
inbound service.

A policy is a small object with one decision::

    class BlendingPolicy(Protocol):
        def may_start_outbound(self, state: CentreState, agent: int) -> bool: ...

``state`` is the centre's read-only :class:`~blendsim.policies.state.CentreState` (never the
engine itself): ``state.now``, ``state.idle_inbound_agents()`` (idle agents able to take
inbound work), ``state.idle_blended_agents()``, ``state.inbound_waiting_for(agent)``,
``state.recent_service_level(window, seconds)``, the idle agents and waiting contacts.  The
counts include the agent asking.  A policy only answers; the ACD sends the agent outbound.

Built-ins (frozen dataclasses, so they live in scenario files too):

- :class:`Dedicated`: never blend.
- :class:`Threshold`: the Bhulai-Koole policy: go outbound only while more than ``reserve``
  agents able to take inbound are idle (counting the one asking, so that at least
  ``reserve`` stay idle) and at least ``min_idle_blended`` blended agents are free.  It is the
  policy of :func:`blendsim.threshold_blend`'s exact Markov chain.  The reserve is one
  number, or a schedule: one number per planning interval of the day
  (``Threshold(reserve=(3, 3, 2, 2))``; in a file ``reserve = [3, 3, 2, 2]``).
- :class:`ServiceLevelGuard`: pause outbound while the recent inbound service level is under
  target or any inbound caller waits.
- :class:`TimeWindows`: outbound only in the given hours.
- :class:`AllOf`: every policy given must agree (a scenario's list of policies means this).

A student writes a new one in ten lines:

>>> class NotAtLunch:
...     def may_start_outbound(self, state, agent):
...         return not 12 * 3600 <= state.now < 13 * 3600

A policy whose answer changes at known instants (not only when agents come and go) lists
them in a ``boundaries()`` method, so that idle agents are asked again then.  A policy whose
answer changes at the start of some planning intervals (a reserve schedule) may instead list
those intervals' indexes in an ``interval_changes()`` method: ``k`` (``k >= 1``) stands for
the instant ``day.open_at + k * day.interval``.  Without these methods idle agents are asked
again only when something happens (an agent becomes free, a caller arrives...), so a policy
that loosens at 09:00 with every agent idle would otherwise wait for the next event:

>>> class FreeAfterTwoIntervals:
...     def may_start_outbound(self, state, agent):
...         day = state.scenario.day
...         k = (state.now - day.open_at) // day.interval  # the interval of now
...         return k >= 2 or state.idle_inbound_agents() > 3
...     def interval_changes(self):
...         return [2]  # dialling may start when interval 2 does
"""

from __future__ import annotations

import math
from dataclasses import KW_ONLY, MISSING, dataclass, fields
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from blendsim._units import format_clock, parse_clock
from blendsim._validate import as_tuple, fmt
from blendsim.errors import ScenarioError
from blendsim.limits import MAX_AGENTS, MAX_WINDOWS, safe

if TYPE_CHECKING:
    from blendsim.policies.state import CentreState

__all__ = [
    "MAX_RESERVE_INTERVALS",
    "AllOf",
    "BlendingPolicy",
    "Dedicated",
    "ServiceLevelGuard",
    "Threshold",
    "TimeWindows",
    "policy_from_dict",
]


#: The most values of a reserve schedule: the planning intervals of the longest day (400 days
#: of 24 hours, ``blendsim.scenario.parts.MAX_DAY``, in 15-minute intervals).
MAX_RESERVE_INTERVALS = 400 * 24 * 4


@runtime_checkable
class BlendingPolicy(Protocol):
    """The one decision of a blending policy."""

    def may_start_outbound(self, state: CentreState, agent: int) -> bool: ...


def _whole(problems, name, value, low):
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        problems.append(f"{name} must be a whole number >= {low} (got {fmt(value)})")
    elif value > MAX_AGENTS:  # no centre holds more agents: no count of them is larger
        problems.append(f"{name} must be <= {MAX_AGENTS:,}, the most agents a scenario holds "
                        f"(got {fmt(value) if value < 10**20 else 'a larger number'})")


def check_windows(problems: list[str], windows) -> None:
    """Check a list of ``(start_at, end_at)`` windows (seconds after midnight)."""
    if not isinstance(windows, tuple) or not windows:
        problems.append(f"windows must be a non-empty list of (start, end) pairs "
                        f"(got {safe(windows)}): to dial all day, leave windows out")
        return
    if len(windows) > MAX_WINDOWS:
        problems.append(f"windows must list at most {MAX_WINDOWS} windows (got "
                        f"{len(windows):,})")
        return
    for i, w in enumerate(windows):
        if not (isinstance(w, tuple) and len(w) == 2 and all(
                isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
                and x >= 0 for x in w)):
            problems.append(f"windows[{i}] must be a (start, end) pair of instants >= 0 "
                            f"(got {safe(w)})")
        elif not w[0] < w[1]:
            problems.append(f"windows[{i}] must start before it ends (got "
                            f"{format_clock(w[0])}-{format_clock(w[1])})")


def _raise(problems):
    if problems:
        raise ScenarioError(problems)


@dataclass(frozen=True, kw_only=True, slots=True)
class Dedicated:
    """No blending: blended agents never go outbound (outbound-only agents still dial)."""

    def may_start_outbound(self, state: CentreState, agent: int) -> bool:
        return False

    def to_dict(self) -> dict:
        return {"policy": "dedicated"}


@dataclass(frozen=True, slots=True)
class Threshold:
    """Keep ``reserve`` agents idle for inbound; dial with the rest.

    An agent may go outbound only while more than ``reserve`` agents able to take inbound
    work are idle (counting itself: after it starts, at least ``reserve`` stay idle) and at
    least ``min_idle_blended`` blended agents are idle (counting itself).  ``reserve`` may be
    given by position (``Threshold(2)``); in a scenario file it is required.

    ``reserve`` is a whole number, or a schedule: a list (kept as a tuple) of whole numbers,
    one per planning interval of the scenario's day, e.g. ``Threshold((3, 3, 2, 2))`` keeps
    three agents in the first two intervals and two after.  Before opening the first
    interval's reserve applies, after closing the last's (:meth:`reserve_at`).  Where the
    reserve drops, the ACD asks idle agents again at the interval's start
    (:meth:`interval_changes`), so dialling may resume then without waiting for an agent to
    become free.
    """

    reserve: int | tuple[int, ...] = 0
    _: KW_ONLY
    min_idle_blended: int = 1

    def __post_init__(self):
        as_tuple(self, "reserve")
        problems: list[str] = []
        reserve = self.reserve
        if isinstance(reserve, tuple):
            if not reserve:
                problems.append("reserve must be a whole number >= 0, or a list of them with "
                                "one value per interval (got an empty list)")
            elif len(reserve) > MAX_RESERVE_INTERVALS:
                problems.append(f"reserve must list at most {MAX_RESERVE_INTERVALS:,} values "
                                f"(one per interval of the longest day) (got "
                                f"{len(reserve):,})")
            else:
                for i, v in enumerate(reserve):
                    _whole(problems, f"reserve[{i}]", v, 0)
        else:
            _whole(problems, "reserve", reserve, 0)
        _whole(problems, "min_idle_blended", self.min_idle_blended, 1)
        _raise(problems)

    def reserve_at(self, k: int) -> int:
        """The reserve of planning interval ``k`` (0 is the first; clamped to the schedule).

        Parameters
        ----------
        k : int
            The interval's index; below 0 gives the first interval's reserve, past the end
            the last's.

        Returns
        -------
        int
            The reserve (a whole-number reserve whatever ``k``).
        """
        reserve = self.reserve
        if reserve.__class__ is not tuple:
            return reserve
        return reserve[min(max(int(k), 0), len(reserve) - 1)]

    def interval_changes(self) -> list[int]:
        """The intervals ``k >= 1`` whose reserve differs from the one before ([] for one
        number): at their start the answer may change with no agent coming or going."""
        reserve = self.reserve
        if reserve.__class__ is not tuple:
            return []
        return [k for k in range(1, len(reserve)) if reserve[k] != reserve[k - 1]]

    def may_start_outbound(self, state: CentreState, agent: int) -> bool:
        reserve = self.reserve
        if reserve.__class__ is tuple:  # a schedule: the reserve of now's interval
            day = state.scenario.day
            x = (state.now - day.open_at) / day.interval
            n = len(reserve)
            reserve = reserve[0 if x < 1 else n - 1 if x >= n else int(x)]
        return (state.idle_inbound_agents() > reserve
                and state.idle_blended_agents() >= self.min_idle_blended)

    def to_dict(self) -> dict:
        reserve = list(self.reserve) if isinstance(self.reserve, tuple) else self.reserve
        return {"policy": "threshold", "reserve": reserve,
                "min_idle_blended": self.min_idle_blended}


@dataclass(frozen=True, kw_only=True, slots=True)
class ServiceLevelGuard:
    """Pause outbound while inbound service suffers.

    No outbound while any inbound caller waits for the agent, or while the service level of
    the inbound contacts that ended their wait (answered or hung up) in the last ``window``
    seconds is under ``level`` (answered within ``seconds``).
    """

    level: float = 0.8
    seconds: float = 20.0
    window: float = 1800.0

    def __post_init__(self):
        problems: list[str] = []
        if not isinstance(self.level, (int, float)) or isinstance(self.level, bool) or not (
                0 < self.level < 1):
            problems.append(f"level must be a number between 0 and 1 (got {fmt(self.level)})")
        for name in ("seconds", "window"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not v >= 0 or \
                    v == float("inf"):
                problems.append(f"{name} must be a number >= 0 seconds (got {fmt(v)})")
        _raise(problems)

    def may_start_outbound(self, state: CentreState, agent: int) -> bool:
        if state.inbound_waiting_for(agent):
            return False
        sl = state.recent_service_level(self.window, self.seconds)
        return sl is None or sl >= self.level

    def to_dict(self) -> dict:
        return {"policy": "service_level_guard", "level": self.level, "seconds": self.seconds,
                "window": self.window}


@dataclass(frozen=True, kw_only=True, slots=True)
class TimeWindows:
    """Outbound only inside the given ``(start_at, end_at)`` windows (seconds after midnight)."""

    windows: tuple[tuple[float, float], ...]

    def __post_init__(self):
        if isinstance(self.windows, list):
            object.__setattr__(self, "windows", tuple(
                tuple(w) if isinstance(w, list) else w for w in self.windows))
        problems: list[str] = []
        check_windows(problems, self.windows)
        _raise(problems)

    def may_start_outbound(self, state: CentreState, agent: int) -> bool:
        now = state.now
        return any(start <= now < end for start, end in self.windows)

    def boundaries(self) -> list[float]:
        """Instants at which the answer may change (the ACD looks again then)."""
        return [x for w in self.windows for x in w]

    def to_dict(self) -> dict:
        return {"policy": "time_windows",
                "windows": [[format_clock(a), format_clock(b)] for a, b in self.windows]}


@dataclass(frozen=True, slots=True)
class AllOf:
    """Outbound only when every one of ``policies`` agrees."""

    policies: tuple

    def __init__(self, *policies):
        if len(policies) == 1 and isinstance(policies[0], (list, tuple)):
            policies = tuple(policies[0])
        object.__setattr__(self, "policies", tuple(policies))
        bad = [p for p in self.policies if not isinstance(p, BlendingPolicy)]
        if bad:
            raise ScenarioError([f"policies must have a may_start_outbound method (got "
                                 f"{bad[0]!r})"])

    def may_start_outbound(self, state: CentreState, agent: int) -> bool:
        return all(p.may_start_outbound(state, agent) for p in self.policies)

    def boundaries(self) -> list[float]:
        return [x for p in self.policies for x in getattr(p, "boundaries", list)()]

    def interval_changes(self) -> list[int]:
        """The intervals at whose start any of the policies' answers may change."""
        return sorted({k for p in self.policies
                       for k in getattr(p, "interval_changes", list)()})


_KINDS = {"dedicated": Dedicated, "threshold": Threshold,
          "service_level_guard": ServiceLevelGuard, "time_windows": TimeWindows}


def policy_from_dict(data, path: str = "blending"):
    """A built-in policy from its file form, e.g. ``{"policy": "threshold", "reserve": 2}``."""
    if not isinstance(data, dict):
        raise ScenarioError([f"{path} must be a table like {{ policy = \"threshold\", "
                             f"reserve = 2 }} (got {data!r})"])
    kind = data.get("policy")
    if not isinstance(kind, str) or kind not in _KINDS:
        raise ScenarioError([f"{path}.policy must be one of {', '.join(_KINDS)} "
                             f"(got {kind!r})"])
    cls = _KINDS[kind]
    allowed = [f for f in cls.__dataclass_fields__]
    extra = [k for k in data if k not in ("policy", *allowed)]
    if extra:
        raise ScenarioError([f"{path}.{k} is not a field of the {kind} policy (it has "
                             f"{', '.join(allowed) or 'no fields'})" for k in extra])
    kwargs = {k: v for k, v in data.items() if k != "policy"}
    if kind == "threshold" and "reserve" not in kwargs:
        raise ScenarioError([f"{path}.reserve is missing: a threshold policy needs the number "
                             f"of idle agents to keep for inbound (reserve = 0 blends freely)"])
    missing = [f.name for f in fields(cls) if f.name not in kwargs
               and f.default is MISSING
               and f.default_factory is MISSING]
    if missing:
        raise ScenarioError([f"{path}.{k} is missing: the {kind} policy needs it"
                             for k in missing])
    if kind == "time_windows" and isinstance(kwargs.get("windows"), list):
        windows = []
        problems = []
        for i, w in enumerate(kwargs["windows"]):
            if not isinstance(w, list) or len(w) != 2:
                problems.append(f"{path}.windows[{i}] must be a pair like [\"10:00\", "
                                f"\"16:00\"] (got {w!r})")
                continue
            try:
                windows.append((parse_clock(w[0], f"{path}.windows[{i}][0]"),
                                parse_clock(w[1], f"{path}.windows[{i}][1]")))
            except ScenarioError as e:
                problems += e.problems
        if problems:
            raise ScenarioError(problems)
        kwargs["windows"] = tuple(windows)
    try:
        return cls(**kwargs)
    except ScenarioError as e:
        raise ScenarioError([f"{path}.{p}" for p in e.problems]) from None
