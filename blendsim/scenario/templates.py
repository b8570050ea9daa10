"""Shift templates: the shifts a planner may post, and every shift each template allows.

A template says how long a shift is, the window its start may fall in and the step between
starts, the breaks it carries (each with its own window, counted from the shift's start), what
it costs, which agent groups may work it, and how many of it may be posted.  A roster
(:mod:`blendsim.experiment.roster`) chooses how many agents work each allowed shift.

>>> t = ShiftTemplate(name="4h", length=4 * 3600, earliest_start=8 * 3600,
...                   latest_start=9 * 3600, cost_per_hour=20, groups=["team"])
>>> [format_clock(s) for s in t.starts()]
['08:00', '08:30', '09:00']
>>> t.cost()
80.0

The file form (``--shifts SHIFTS.toml``), one ``[[templates]]`` table a template::

    [[templates]]
    name = "8 hours"
    hours = 8
    earliest_start = "07:00"
    latest_start = "16:00"
    start_every_minutes = 30
    cost_per_hour = 22.0
    groups = ["inbound team", "blended team"]
    breaks = [{ name = "lunch", minutes = 30, after_hours = [3.5, 5.0], paid = false }]

Instants are seconds after midnight in the API and clock times in the file; lengths are
seconds in the API and hours or minutes in the file, as the key says.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from blendsim._units import format_clock, parse_clock
from blendsim._validate import (
    as_tuple,
    check_count,
    check_name,
    check_number,
    is_number,
    raise_problems,
)
from blendsim.errors import ScenarioError
from blendsim.limits import MAX_BREAKS, MAX_GROUPS, MAX_HEADCOUNT, safe
from blendsim.scenario.file import read_scenario_text
from blendsim.scenario.parts import MAX_DAY, Day, Shift

__all__ = [
    "MAX_CANDIDATES",
    "MAX_TEMPLATES",
    "BreakRule",
    "Candidates",
    "ShiftTemplate",
    "candidate_shifts",
    "load_shift_templates",
    "shift_templates_from_dict",
]

MAX_TEMPLATES = 100  # templates in one set
MAX_CANDIDATES = 20_000  # shifts all templates allow together (columns of the integer cover)
_MIN_STEP = 300.0  # seconds: starts and break placements at least 5 minutes apart


@dataclass(frozen=True, kw_only=True, slots=True)
class BreakRule:
    """A break in every shift of a template.

    It lasts ``length`` seconds and starts between ``earliest`` and ``latest`` seconds after
    the shift's start, in steps of ``step`` seconds (default the template's start step).
    ``paid`` breaks are paid time (a coffee break); unpaid ones (a lunch) are not costed.
    """

    length: float
    earliest: float
    latest: float
    step: float | None = None
    name: str = "break"
    paid: bool = True

    def __post_init__(self):
        problems: list[str] = []
        check_name(problems, "name", self.name)
        check_number(problems, "length", self.length, low=0, low_open=True, high=MAX_DAY,
                      unit="seconds")
        check_number(problems, "earliest", self.earliest, low=0, low_open=True, high=MAX_DAY,
                      unit="seconds")
        check_number(problems, "latest", self.latest, low=0, high=MAX_DAY, unit="seconds")
        if self.step is not None:
            check_number(problems, "step", self.step, low=_MIN_STEP, high=MAX_DAY,
                          unit="seconds")
        if not isinstance(self.paid, bool):
            problems.append(f"paid must be true or false (got {safe(self.paid)})")
        if not problems and self.latest < self.earliest:
            problems.append(f"latest must be >= earliest (got earliest {self.earliest:g} s, "
                            f"latest {self.latest:g} s)")
        raise_problems(problems)

    def offsets(self, default_step: float) -> np.ndarray:
        """The break's possible starts, seconds after the shift's start."""
        step = self.step if self.step is not None else default_step
        count = int(np.floor((self.latest - self.earliest) / step + 1e-9)) + 1
        return self.earliest + step * np.arange(count)


@dataclass(frozen=True, kw_only=True, slots=True)
class ShiftTemplate:
    """The shifts a planner may post: one length, starts in a window, breaks, a cost.

    Parameters
    ----------
    name : str
    length : float
        Seconds from the start to the end of a shift, breaks included.
    earliest_start, latest_start : float
        The window for the start, seconds after midnight; starts are ``start_step`` apart.
    start_step : float
        Seconds between allowed starts (default 30 minutes, at least 5).
    breaks : list of BreakRule
        Breaks every shift of the template carries (each placed by the roster).
    cost_per_hour : float
        Cost of a paid hour (the length less unpaid breaks).
    cost_per_shift : float
        A fixed cost per shift posted (travel, a minimum call-in), added to the hours.
    groups : list of str
        The agent groups that may work it: inbound-only, blended or outbound-only.
    min_count, max_count : int
        How many shifts of this template the roster must and may post, all starts together
        (``max_count`` None for no bound but ``MAX_HEADCOUNT``).
    outside_hours : bool
        Whether a shift may start before opening or end after closing (default no: nobody is
        paid to sit in a closed centre).
    """

    name: str
    length: float
    earliest_start: float
    latest_start: float
    start_step: float = 1800.0
    breaks: tuple[BreakRule, ...] = ()
    cost_per_hour: float = 0.0
    cost_per_shift: float = 0.0
    groups: tuple[str, ...] = ()
    min_count: int = 0
    max_count: int | None = None
    outside_hours: bool = False

    def __post_init__(self):
        for name in ("breaks", "groups"):
            as_tuple(self, name)
        problems: list[str] = []
        check_name(problems, "name", self.name)
        check_number(problems, "length", self.length, low=_MIN_STEP, high=24 * 3600,
                      unit="seconds", why="a shift is at most a day long")
        check_number(problems, "earliest_start", self.earliest_start, low=0, high=MAX_DAY,
                      unit="seconds")
        check_number(problems, "latest_start", self.latest_start, low=0, high=MAX_DAY,
                      unit="seconds")
        check_number(problems, "start_step", self.start_step, low=_MIN_STEP, high=MAX_DAY,
                      unit="seconds")
        check_number(problems, "cost_per_hour", self.cost_per_hour, low=0, high=1e9)
        check_number(problems, "cost_per_shift", self.cost_per_shift, low=0, high=1e9)
        check_number(problems, "min_count", self.min_count, low=0, integer=True,
                      high=MAX_HEADCOUNT)
        if self.max_count is not None:
            check_number(problems, "max_count", self.max_count, low=0, integer=True,
                          high=MAX_HEADCOUNT)
        if not isinstance(self.outside_hours, bool):
            problems.append(f"outside_hours must be true or false (got "
                            f"{safe(self.outside_hours)})")
        if not isinstance(self.groups, tuple) or not self.groups:
            problems.append(f"groups must be a non-empty list of the agent groups that may "
                            f"work the shift (got {safe(self.groups)})")
        elif len(self.groups) > MAX_GROUPS:
            check_count(problems, "groups", self.groups, MAX_GROUPS, "groups")
        else:
            for i, g in enumerate(self.groups):
                check_name(problems, f"groups[{i}]", g)
            if len(set(self.groups)) != len(self.groups):
                problems.append(f"groups must not repeat a group (got {list(self.groups)})")
        if not isinstance(self.breaks, tuple):
            problems.append(f"breaks must be a list of BreakRule (got {safe(self.breaks)})")
        elif len(self.breaks) > MAX_BREAKS:
            check_count(problems, "breaks", self.breaks, MAX_BREAKS, "breaks")
        else:
            for i, b in enumerate(self.breaks):
                if not isinstance(b, BreakRule):
                    problems.append(f"breaks[{i}] must be a BreakRule (got {safe(b)})")
                elif is_number(self.length) and b.latest + b.length >= self.length:
                    problems.append(f"breaks[{i}] must end before the shift does (a "
                                    f"{b.length / 60:g}-minute break starting up to "
                                    f"{b.latest / 3600:g} h in, in a {self.length / 3600:g}-"
                                    f"hour shift)")
        if not problems:
            if self.latest_start < self.earliest_start:
                problems.append(f"latest_start must be at or after earliest_start (got "
                                f"{format_clock(self.earliest_start)}-"
                                f"{format_clock(self.latest_start)})")
            if self.max_count is not None and self.max_count < self.min_count:
                problems.append(f"max_count must be >= min_count (got min {self.min_count}, "
                                f"max {self.max_count})")
        raise_problems(problems)

    def starts(self) -> np.ndarray:
        """Every allowed start, seconds after midnight."""
        count = int(np.floor((self.latest_start - self.earliest_start) / self.start_step
                             + 1e-9)) + 1
        return self.earliest_start + self.start_step * np.arange(count)

    def paid_seconds(self) -> float:
        """The shift's length less its unpaid breaks."""
        return float(self.length - sum(b.length for b in self.breaks if not b.paid))

    def cost(self) -> float:
        """What one shift of this template costs."""
        return float(self.cost_per_hour * self.paid_seconds() / 3600 + self.cost_per_shift)

    def placements(self) -> list[tuple[tuple[float, float], ...]]:
        """Every way to place the breaks: spans (from, to), seconds after the shift's start,
        in order, with work between them."""
        options = [b.offsets(self.start_step) for b in self.breaks]
        ways = math.prod(len(o) for o in options)
        if ways > MAX_CANDIDATES:
            raise ScenarioError([f"{self.name!r}: its breaks can be placed in {ways:,} ways, "
                                 f"more than the {MAX_CANDIDATES:,} shifts a roster may "
                                 f"choose from: widen the break steps or narrow their "
                                 f"windows"])
        out = []
        for starts in itertools.product(*options):
            spans = sorted((float(s), float(s) + b.length)
                           for s, b in zip(starts, self.breaks, strict=True))
            # (a break starting as another ends would be one long break: not a placement)
            if all(a[1] < b[0] for a, b in zip(spans[:-1], spans[1:], strict=True)):
                out.append(tuple(spans))
        return out


@dataclass(frozen=True, eq=False)
class Candidates:
    """Every shift a template set allows on a day (the columns of the integer cover).

    ``template[k]`` is the index of shift ``k``'s template, ``start``/``end`` its instants,
    ``breaks[k]`` its break spans (instants), ``cost[k]`` its cost and ``coverage[k, i]`` the
    share of interval ``i`` it works (1 for a whole interval, 0.5 when a 15-minute break
    falls in a half hour).
    """

    templates: tuple[ShiftTemplate, ...]
    template: np.ndarray
    start: np.ndarray
    end: np.ndarray
    breaks: tuple[tuple[tuple[float, float], ...], ...]
    cost: np.ndarray
    coverage: np.ndarray

    def __len__(self) -> int:
        return int(self.template.size)

    def shift(self, k: int, count: int) -> Shift:
        """Shift ``k`` with ``count`` agents, as a scenario holds it."""
        return Shift(start_at=float(self.start[k]), end_at=float(self.end[k]),
                     count=int(count), breaks=self.breaks[k])


def candidate_shifts(templates, day: Day) -> Candidates:
    """Every shift ``templates`` allow on ``day``, with its cost and coverage per interval.

    A shift outside opening hours is left out unless its template allows it; a template that
    allows no shift at all is an error (it is surely a mistake), as is a set allowing more
    than ``MAX_CANDIDATES`` shifts.
    """
    templates = _check_templates(templates)
    if not isinstance(day, Day):
        raise ScenarioError([f"day must be a Day (got {safe(day)})"])
    edges = day.open_at + day.interval * np.arange(day.n_intervals + 1)
    rows, problems = [], []
    for ti, t in enumerate(templates):
        placements = t.placements()
        found = 0
        for s in t.starts():
            s = float(s)
            e = s + float(t.length)
            if not t.outside_hours and (s < day.open_at or e > day.close_at):
                continue
            for spans in placements:
                rows.append((ti, s, e, tuple((s + a, s + b) for a, b in spans)))
                found += 1
                if len(rows) > MAX_CANDIDATES:
                    raise ScenarioError([f"the templates allow more than {MAX_CANDIDATES:,} "
                                         f"shifts (starts x break placements): widen the "
                                         f"steps or narrow the windows"])
        if not placements:
            problems.append(f"templates[{ti}] {t.name!r}: its breaks cannot be placed "
                            f"with work between them (they overlap or touch)")
        elif not found:
            problems.append(f"templates[{ti}] {t.name!r} allows no shift within opening "
                            f"hours ({format_clock(day.open_at)}-"
                            f"{format_clock(day.close_at)}): its shifts of "
                            f"{t.length / 3600:g} h start {format_clock(t.earliest_start)}-"
                            f"{format_clock(t.latest_start)} (set outside_hours = true to "
                            f"allow them)")
    raise_problems(problems)
    k = len(rows)
    coverage = np.zeros((k, day.n_intervals))
    for j, (_, s, e, spans) in enumerate(rows):
        coverage[j] = _overlap(edges, s, e)
        for a, b in spans:
            coverage[j] -= _overlap(edges, a, b)
    return Candidates(
        templates=templates,
        template=np.array([r[0] for r in rows], dtype=np.int64),
        start=np.array([r[1] for r in rows]), end=np.array([r[2] for r in rows]),
        breaks=tuple(r[3] for r in rows),
        cost=np.array([templates[r[0]].cost() for r in rows]),
        coverage=np.clip(coverage, 0.0, 1.0))


def _overlap(edges: np.ndarray, a: float, b: float) -> np.ndarray:
    """Share of each interval (between consecutive ``edges``) inside ``[a, b)``."""
    lo = np.maximum(edges[:-1], a)
    hi = np.minimum(edges[1:], b)
    return np.maximum(hi - lo, 0.0) / (edges[1:] - edges[:-1])


def _check_templates(templates) -> tuple[ShiftTemplate, ...]:
    if isinstance(templates, ShiftTemplate):
        templates = (templates,)
    if not isinstance(templates, (list, tuple)) or not templates:
        raise ScenarioError([f"templates must be a non-empty list of ShiftTemplate (got "
                             f"{safe(templates)})"])
    problems = []
    if len(templates) > MAX_TEMPLATES:
        problems.append(f"templates must list at most {MAX_TEMPLATES} templates (got "
                        f"{len(templates):,})")
    for i, t in enumerate(templates):
        if not isinstance(t, ShiftTemplate):
            problems.append(f"templates[{i}] must be a ShiftTemplate (got {safe(t)})")
    names = [t.name for t in templates if isinstance(t, ShiftTemplate)]
    if len(set(names)) != len(names):
        problems.append(f"templates must have different names (got {names})")
    raise_problems(problems)
    return tuple(templates)


# --- the file form ---------------------------------------------------------------------------

_TEMPLATE_KEYS = ("name", "hours", "earliest_start", "latest_start", "start_every_minutes",
                  "breaks", "cost_per_hour", "cost_per_shift", "groups", "min_count",
                  "max_count", "outside_hours")
_BREAK_KEYS = ("name", "minutes", "after_hours", "every_minutes", "paid")


def shift_templates_from_dict(data, source: str | None = None) -> tuple[ShiftTemplate, ...]:
    """Templates from plain data in the file layout (``{"templates": [...]}``); every problem
    at once, in the file's words."""
    problems: list[str] = []
    if not isinstance(data, dict) or set(data) != {"templates"}:
        keys = sorted(data) if isinstance(data, dict) else safe(data)
        raise ScenarioError([f"a shift-template file holds [[templates]] tables only (got "
                             f"{keys})"], source)
    items = data["templates"]
    if not isinstance(items, list) or not items:
        raise ScenarioError([f"templates must be a non-empty list of [[templates]] tables "
                             f"(got {safe(items)})"], source)
    if len(items) > MAX_TEMPLATES:
        raise ScenarioError([f"templates must list at most {MAX_TEMPLATES} templates (got "
                             f"{len(items):,})"], source)
    out = []
    for i, item in enumerate(items):
        path = f"templates[{i}]"
        t = _template_from_dict(item, path, problems)
        if t is not None:
            out.append(t)
    if not problems:
        try:
            _check_templates(out)
        except ScenarioError as e:
            problems += e.problems
    if problems:
        raise ScenarioError(problems, source)
    return tuple(out)


def load_shift_templates(path) -> tuple[ShiftTemplate, ...]:
    """Read a shift-template file (TOML); problems as :class:`ScenarioError`, all at once."""
    data, name = read_scenario_text(path)
    return shift_templates_from_dict(data, name)


def _unknown(item: dict, allowed: tuple[str, ...], path: str, problems: list[str]) -> None:
    for key in item:
        if key not in allowed:
            problems.append(f"{path}: unknown key {key!r} (allowed: {', '.join(allowed)})")


def _seconds(item, key, path, problems, scale, default=None, low=None, high=None,
             low_open=False):
    """A length in the file's unit (hours or minutes, ``scale`` seconds each), checked in the
    file's words, as seconds."""
    value = item.get(key, default)
    if value is None:
        problems.append(f"{path}.{key} is required")
        return None
    before = len(problems)
    check_number(problems, f"{path}.{key}", value, low=low, high=high, low_open=low_open)
    return None if len(problems) > before else float(value) * scale


def _clock(item, key, path, problems):
    if key not in item:
        problems.append(f"{path}.{key} is required (a clock time like \"07:00\")")
        return None
    try:
        return parse_clock(item[key], f"{path}.{key}")
    except ScenarioError as e:
        problems += e.problems
        return None


def _built(cls, path, problems, **kwargs):
    try:
        return cls(**kwargs)
    except ScenarioError as e:
        problems += [f"{path}.{p}" for p in e.problems]
        return None


def _template_from_dict(item, path: str, problems: list[str]) -> ShiftTemplate | None:
    if not isinstance(item, dict):
        problems.append(f"{path} must be a table (got {safe(item)})")
        return None
    before = len(problems)
    _unknown(item, _TEMPLATE_KEYS, path, problems)
    if "name" not in item:
        problems.append(f"{path}.name is required")
    length = _seconds(item, "hours", path, problems, 3600.0, low=_MIN_STEP / 3600, high=24)
    earliest = _clock(item, "earliest_start", path, problems)
    latest = _clock(item, "latest_start", path, problems)
    step = _seconds(item, "start_every_minutes", path, problems, 60.0, default=30,
                    low=_MIN_STEP / 60, high=MAX_DAY / 60)
    breaks = []
    raw = item.get("breaks", [])
    if not isinstance(raw, list):
        problems.append(f"{path}.breaks must be a list of tables like {{ minutes = 30, "
                        f"after_hours = [3, 5] }} (got {safe(raw)})")
        raw = []
    for j, b in enumerate(raw):
        bp = f"{path}.breaks[{j}]"
        if not isinstance(b, dict):
            problems.append(f"{bp} must be a table like {{ minutes = 30, after_hours = [3, 5] "
                            f"}} (got {safe(b)})")
            continue
        _unknown(b, _BREAK_KEYS, bp, problems)
        minutes = _seconds(b, "minutes", bp, problems, 60.0, low=0, low_open=True,
                           high=24 * 60)
        window = b.get("after_hours")
        if not (isinstance(window, list) and len(window) == 2 and is_number(window[0])
                and is_number(window[1])):
            problems.append(f"{bp}.after_hours must be [earliest, latest]: the hours after "
                            f"the shift's start between which the break starts (got "
                            f"{safe(window)})")
            continue
        if window[1] < window[0] or window[0] <= 0:
            problems.append(f"{bp}.after_hours must be [earliest, latest] with 0 < earliest "
                            f"<= latest (got {safe(window)})")
            continue
        every = b.get("every_minutes")
        if every is not None:
            if _seconds(b, "every_minutes", bp, problems, 60.0, low=_MIN_STEP / 60,
                        high=MAX_DAY / 60) is None:
                continue
        if minutes is None:
            continue
        built = _built(BreakRule, bp, problems, length=minutes,
                       earliest=float(window[0]) * 3600, latest=float(window[1]) * 3600,
                       step=None if every is None else float(every) * 60,
                       name=b.get("name", "break"), paid=b.get("paid", True))
        if built is not None:
            breaks.append(built)
    if len(problems) > before:
        # Still check the rest of the template (its counts, costs, groups...), so that
        # every problem is reported at once: stand-ins replace the values already reported.
        rest: list[str] = []
        _built(ShiftTemplate, path, rest, name=item.get("name", "template"),
               length=length or 3600.0, earliest_start=earliest or 0.0,
               latest_start=latest or 0.0 if earliest is None else max(latest or 0.0,
                                                                      earliest),
               start_step=step or 1800.0, cost_per_hour=item.get("cost_per_hour", 0.0),
               cost_per_shift=item.get("cost_per_shift", 0.0),
               groups=item.get("groups", ()), min_count=item.get("min_count", 0),
               max_count=item.get("max_count"),
               outside_hours=item.get("outside_hours", False))
        problems += [q for q in rest if not q.startswith(
            tuple(f"{path}.{k}" for k in ("length", "earliest_start", "latest_start",
                                          "start_step")))]
        return None
    return _built(ShiftTemplate, path, problems, name=item["name"], length=length,
                  earliest_start=earliest, latest_start=latest, start_step=step,
                  breaks=tuple(breaks), cost_per_hour=item.get("cost_per_hour", 0.0),
                  cost_per_shift=item.get("cost_per_shift", 0.0),
                  groups=item.get("groups", ()), min_count=item.get("min_count", 0),
                  max_count=item.get("max_count"),
                  outside_hours=item.get("outside_hours", False))
