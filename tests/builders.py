"""Builders and helpers shared by the test files: scenarios, tiny days, CLI runs, oracles.

``tests/conftest.py`` puts this folder on ``sys.path``, so a test file anywhere below
``tests/`` reads ``from builders import tiny``.  Each section names the folders that use it.
"""

from __future__ import annotations

import importlib
import math
import os
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from blendsim import Threshold, simulate
from blendsim.cli.app import main
from blendsim.errors import ScenarioError
from blendsim.limits import name_problem
from blendsim.scenario.distributions import (
    Deterministic,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
    Uniform,
)
from blendsim.scenario.model import Scenario
from blendsim.scenario.parts import (
    AgentGroup,
    Day,
    InboundType,
    ServiceTarget,
    Shift,
)

# --------------------------------------------------------------------------------------------
# Paths (every folder); real data, where a test reads it, is at ROOT.parent / "shared"

ROOT = Path(__file__).resolve().parents[1]  # the repository
SCENARIOS = ROOT / "scenarios"
BLENDED = SCENARIOS / "bank_blended.toml"
INBOUND_ONLY = SCENARIOS / "anonymous_bank_day.toml"


# --------------------------------------------------------------------------------------------
# Sweeps (tests/experiment)

sweep_module = importlib.import_module("blendsim.experiment.sweep")


def reserve_of(scenario) -> int:
    """The reserve of the scenario's threshold policy."""
    [reserve] = [p.reserve for p in scenario.blending if isinstance(p, Threshold)]
    return reserve


def count_tasks(monkeypatch) -> list[tuple[int, int]]:
    """``(reserve, replication)`` of each task sweep() hands to its backend from now on (it
    still runs them)."""
    seen: list[tuple[int, int]] = []
    real = sweep_module.run_tasks

    def counting(func, tasks, **kwargs):
        seen.extend((reserve_of(sc), r) for sc, _seed, r in tasks)
        return real(func, tasks, **kwargs)

    monkeypatch.setattr(sweep_module, "run_tasks", counting)
    return seen


# --------------------------------------------------------------------------------------------
# Processes, read from /proc (tests/experiment/test_interrupt.py, tests/cli/test_cli_interrupt.py)

# A run long enough to interrupt: the blended bank with many replications.
RUN = ["run", str(BLENDED), "--replications", "1000", "--seed", "1"]


def state(pid: int) -> str | None:
    """A process's state letter, or None when it no longer exists (a zombie counts as gone)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    letter = text.rsplit(")", 1)[1].split()[0]
    return None if letter in "ZX" else letter


def children(pid: int) -> set[int]:
    out = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] not in "ZX":
                out.add(int(entry))
    return out


def descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        for c in children(todo.pop()):
            if c not in found:
                found.add(c)
                todo.append(c)
    return found


def assert_gone(pids: set[int], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while any(state(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in pids if state(p)], "processes left behind"


# --------------------------------------------------------------------------------------------
# Scenarios: small valid inputs and Hypothesis strategies (tests/scenario)


H = 3600  # seconds in an hour: 8 * H is 08:00


def exactly(message: str) -> str:
    """A ``match`` pattern for an error whose whole text is ``message``."""
    return f"^{re.escape(message)}$"


DROP = object()  # marks a field left out


def build(cls, base: dict, changes: dict):
    """``cls(**base)`` with some fields changed or (``DROP``) left out."""
    kwargs = {**base, **changes}
    return cls(**{k: v for k, v in kwargs.items() if v is not DROP})


INBOUND = {"name": "sales", "handle_time": Exponential(mean=240), "volume": [40, 60]}


def sales(**changes) -> InboundType:
    return build(InboundType, INBOUND, changes)


def team(**changes) -> AgentGroup:
    return build(AgentGroup, {"name": "team", "skills": ["sales"], "headcount": [5, 6]},
                 changes)


def tiny(**changes) -> Scenario:
    """08:00-10:00 in hourly intervals, one type, one group; ``changes`` replace fields."""
    fields = dict(
        name="tiny",
        day=Day(open_at=8 * H, close_at=10 * H, interval=H),
        inbound=[sales()],
        groups=[team()],
    )
    fields.update(changes)
    return Scenario(**fields)


def base_dict() -> dict:
    """A valid scenario in file layout: two types, one group on head counts, one on shifts."""
    return {
        "schema_version": 1,
        "name": "bank",
        "day": {"open": "08:00", "close": "10:00", "interval_minutes": 60},
        "service_target": {"level": 0.8, "seconds": 20, "definition": "offered",
                           "short_abandon_seconds": 5},
        "inbound": [
            {"name": "sales", "volume": [40, 60],
             "handle_time": {"dist": "lognormal", "mean": 240, "cv": 0.8}},
            {"name": "service", "rate_per_hour": [30, 20],
             "handle_time": {"dist": "exponential", "mean": 300},
             "patience": {"dist": "exponential", "mean": 120}},
        ],
        "groups": [
            {"name": "team", "skills": ["sales", "service"], "headcount": [5, 6]},
            {"name": "late", "skills": ["service"],
             "shifts": [{"start": "08:00", "end": "10:00", "count": 2}]},
        ],
    }


# Any text except surrogates (not encodable) and DEL (a known bug, pinned at the end).
TEXT = st.characters(exclude_categories=("Cs",), exclude_characters="\x7f")


# Names refuse control characters and spreadsheet-formula starts (blendsim.limits).
NAMES = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1,
                max_size=8).filter(lambda s: name_problem("name", s) is None)


CV = st.one_of(st.integers(1, 5), st.floats(1e-3, 5))  # limits.MIN_CV to MAX_CV


# Ints and floats both: the file must give back the same type, not only an equal value.
NONNEG = st.one_of(st.integers(0, 10_000), st.floats(0, 1e4))


POSITIVE = st.one_of(st.integers(1, 10_000), st.floats(1e-3, 1e4))


DISTRIBUTIONS = st.one_of(
    st.builds(Exponential, mean=POSITIVE),
    st.builds(Deterministic, value=NONNEG),
    st.builds(Lognormal, mean=POSITIVE, cv=CV),
    st.builds(Gamma, mean=POSITIVE, cv=CV),
    st.builds(lambda low, width: Uniform(low=low, high=low + width), NONNEG, POSITIVE),
    st.builds(Empirical, values=st.lists(NONNEG, min_size=1, max_size=4)),
)


@st.composite
def days(draw) -> Day:
    interval = draw(st.sampled_from([900, 1800, 3600]))
    # Any second of the clock (closing may pass 24:00); quarter seconds are written as numbers.
    open_at = draw(st.integers(0, 24 * H - 1)) + draw(st.sampled_from([0, 0.25, 0.5]))
    n = draw(st.integers(1, 6))
    return Day(open_at=open_at, close_at=open_at + n * interval, interval=interval)


def instants_in(day: Day):
    length = int(day.close_at - day.open_at)
    return st.builds(lambda k, frac: day.open_at + k + frac,
                     st.integers(0, length - 1), st.sampled_from([0, 0.5]))


@st.composite
def inbound_types(draw, name: str, day: Day, skills: dict[str, list[str]]) -> InboundType:
    n = day.n_intervals
    per_interval = st.lists(NONNEG, min_size=n, max_size=n)
    form = draw(st.sampled_from(["volume", "rate_per_hour", "daily_volume", "arrival_times"]))
    kwargs: dict = {"name": name, "handle_time": draw(DISTRIBUTIONS)}
    if form == "volume":
        kwargs["volume"] = draw(per_interval)
    elif form == "rate_per_hour":
        kwargs["rate_per_hour"] = draw(per_interval)
    elif form == "daily_volume":
        shape = draw(per_interval)
        kwargs["daily_volume"] = draw(NONNEG)
        kwargs["shape"] = shape if sum(shape) > 0 else [1, *shape[1:]]
    else:
        kwargs["arrival_times"] = draw(st.lists(instants_in(day), max_size=5))
    for key, values in (("wrap_up", DISTRIBUTIONS), ("patience", DISTRIBUTIONS),
                        ("busyness_cv", st.floats(0, 1)), ("balk_probability", st.floats(0, 1)),
                        ("queue_capacity", st.integers(0, 50)),
                        ("priority", st.integers(-5, 5))):
        if draw(st.booleans()):
            kwargs[key] = draw(values)
    able = [g for g, s in skills.items() if name in s]
    if draw(st.booleans()):
        order = draw(st.permutations(able))
        kwargs["groups"] = order[:draw(st.integers(1, len(order)))]
        if draw(st.booleans()):
            kwargs["overflow_after"] = draw(st.lists(NONNEG, min_size=len(kwargs["groups"]),
                                                     max_size=len(kwargs["groups"])))
    return InboundType(**kwargs)


@st.composite
def agent_groups(draw, name: str, skills: list[str], day: Day) -> AgentGroup:
    if draw(st.booleans()):
        n = day.n_intervals
        return AgentGroup(name=name, skills=skills,
                          headcount=draw(st.lists(st.integers(0, 20), min_size=n, max_size=n)))
    earliest = math.ceil(max(0, day.open_at - 12 * H))
    shifts = []
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(earliest, math.floor(day.close_at)))
        end = start + draw(st.integers(1, 16 * H)) + draw(st.sampled_from([0, 0.5]))
        shifts.append(Shift(start_at=start, end_at=end, count=draw(st.integers(0, 5))))
    return AgentGroup(name=name, skills=skills, shifts=shifts)


@st.composite
def service_targets(draw) -> ServiceTarget:
    return ServiceTarget(
        level=draw(st.floats(0.01, 0.99)), seconds=draw(NONNEG),
        definition=draw(st.sampled_from(["offered", "answered", "short_abandons_excluded"])),
        short_abandon=draw(NONNEG))


@st.composite
def scenarios(draw) -> Scenario:
    day = draw(days())
    types = draw(st.lists(NAMES, min_size=1, max_size=3, unique=True))
    group_names = draw(st.lists(NAMES, min_size=1, max_size=3, unique=True))
    skills = {g: draw(st.lists(st.sampled_from(types), unique=True)) for g in group_names}
    for t in types:  # every type is a skill of some group
        if not any(t in s for s in skills.values()):
            skills[draw(st.sampled_from(group_names))].append(t)
    for s in skills.values():  # every group has a skill
        if not s:
            s.append(draw(st.sampled_from(types)))
    return Scenario(
        name=draw(st.just("scenario") | NAMES),
        description=draw(st.just("") | st.text(TEXT, max_size=30)),
        day=day,
        inbound=[draw(inbound_types(t, day, skills)) for t in types],
        groups=[draw(agent_groups(g, skills[g], day)) for g in group_names],
        service_target=draw(service_targets()),
    )


def changed(changes: dict) -> dict:
    """``base_dict()`` with the values at some paths replaced (or dropped)."""
    data = base_dict()
    for path, value in changes.items():
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        if value is DROP:
            del parent[path[-1]]
        else:
            parent[path[-1]] = value
    return data


KINDS = "exponential, deterministic, lognormal, gamma, uniform, empirical"


WRONG_SCALARS = [None, "", "text", -1, -2.5, math.nan, math.inf, -math.inf, 1e300, True, False]


def nodes(data, path=()):
    """Every (path, value) below ``data``, depth first."""
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        yield path + (key,), value
        if isinstance(value, (dict, list)):
            yield from nodes(value, path + (key,))


def parent_of(data, path):
    for key in path[:-1]:
        data = data[key]
    return data


def only_scenario_errors(data):
    """Scenario.from_dict(data), turning ScenarioError into None; anything else propagates."""
    try:
        return Scenario.from_dict(data)
    except ScenarioError as e:
        assert e.problems and all(isinstance(p, str) and p.strip() for p in e.problems)
        return None


# --------------------------------------------------------------------------------------------
# Tiny deterministic days and their event logs (tests/engine, tests/policies)


def fixed(value):
    return None if value is None else Deterministic(value=value)


def calls(name="calls", times=(), *, handle=100, wrap=None, patience=None, **kw):
    """An inbound type with fixed arrival instants and deterministic durations (seconds)."""
    return InboundType(name=name, arrival_times=tuple(times), handle_time=fixed(handle),
                       wrap_up=fixed(wrap), patience=fixed(patience), **kw)


def group_of(name="team", skills=("calls",), *, headcount=None, shifts=None):
    if headcount is None and shifts is None:
        headcount = (2,)
    return AgentGroup(name=name, skills=tuple(skills), headcount=headcount, shifts=shifts)


def day_of(types, groups, *, close=3600, interval=3600):
    """A scenario open from 0 to ``close`` seconds."""
    return Scenario(name="tiny", day=Day(open_at=0, close_at=close, interval=interval),
                    inbound=list(types), groups=list(groups))


def plain(x):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(x) if isinstance(x, (float, np.floating, int, np.integer)) else str(x)


def log(scenario, columns=("arrival_at", "outcome", "agent", "answered_at", "end_at", "wait")):
    """The contacts of replication 0, seed 0, as tuples (NaN and missing become None)."""
    c = simulate(scenario, replications=1, seed=0).contacts
    return [tuple(plain(v) for v in row) for row in c[list(columns)].itertuples(index=False)]


def shifts_log(scenario):
    """The agents' logged periods: (agent, on_at, off_at), sorted by agent then on_at."""
    a = simulate(scenario, replications=1, seed=0).agents
    rows = [(str(r.agent), float(r.on_at), float(r.off_at)) for r in a.itertuples(index=False)]
    return sorted(rows)


OPEN = 8 * 3600.0


def busy_day(**changes):
    kw = dict(volume=[60, 90, 40], handle_time=Exponential(mean=240),
              wrap_up=Lognormal(mean=20, cv=0.5), patience=Exponential(mean=120),
              balk_probability=0.1, queue_capacity=8)
    kw.update(changes)
    return Scenario(day=Day(open_at=OPEN, close_at=OPEN + 3 * 1800, interval=1800),
                    inbound=[InboundType(name="sales", **kw)],
                    groups=[AgentGroup(name="team", skills=["sales"], headcount=[6, 8, 5])])


CONTACT_COLUMNS = ["replication", "contact", "kind", "type", "segment", "attempt", "arrival_at",
                   "answered_at", "end_at", "wait", "handle", "wrap_up", "outcome", "group",
                   "agent"]


# --------------------------------------------------------------------------------------------
# The command line, run in-process (tests/cli, tests/experiment)


def run(capsys, *argv) -> tuple[int, str, str]:
    """``blendsim`` run in-process on ``argv`` (each made a string): status, stdout, stderr."""
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def ok(capsys, *argv) -> str:
    """The stdout of a command that must succeed (exit 0, nothing on stderr)."""
    status, out, err = run(capsys, *argv)
    assert (status, err) == (0, ""), err
    return out


def error_line(capsys, *argv) -> str:
    """The one error line of a command that must fail cleanly (exit 1, nothing on stdout)."""
    status, out, err = run(capsys, *argv)
    assert (status, out) == (1, ""), out
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("blendsim: error: ")
    return lines[0]


def marked(out: str, mark: str) -> list[list[str]]:
    """The table lines carrying ``mark``, split into cells (the mark removed)."""
    return [line.split(mark)[0].split() for line in out.splitlines() if mark in line]


def table_rows(out: str, header_start: str) -> list[list[str]]:
    """The lines of the table under the header starting with ``header_start``."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == [header_start])
    rows = []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        rows.append(line.split("<-")[0].split())  # without any mark
    return rows


def pct(x: float, digits: int = 1) -> str:
    return f"{100 * x:.{digits}f}%"


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


ERLANG = ["erlang", "--calls", "120", "--interval", "30m", "--aht", "240"]


# 60 calls per 30 min of 300 s: 10 Erlangs on a blended team
BLEND = ["blend", "--calls", "60", "--interval", "30m", "--aht", "300", "--outbound-aht", "300"]


DAY = ("interval_start,calls,aht\n"
       "08:00,120,240\n"
       "08:30,0,\n"
       "09:00,200,250\n"
       "09:30,35,300\n")


# --------------------------------------------------------------------------------------------
# Staffing: brute-force oracles and strategies (tests/analytic)


HALF_HOUR = 1800.0


class Oracle:
    """Target gaps over agents ``1..len(gap)``; ``gap >= 0`` means every target is met."""

    def __init__(self, gap_of):
        self._gap_of = gap_of
        size = 64
        while True:
            agents = np.arange(1, size + 1)
            gap = gap_of(agents)
            met = np.flatnonzero(gap >= 0)
            if met.size:
                self.fewest = int(agents[met[0]])
                self.gap = gap
                return
            size *= 4
            assert size < 10_000_000, "oracle found no staffing meeting the targets"

    def gap_at(self, n: int) -> float:
        return float(self.gap[n - 1])


calls_per_half_hour = st.floats(min_value=0.5, max_value=1500.0)


handle_times = st.floats(min_value=20.0, max_value=900.0)


service_levels = st.floats(min_value=0.3, max_value=0.9999)


def unordered_forecast() -> pd.DataFrame:
    # Labels deliberately out of clock order: the table keeps the rows as given.
    return pd.DataFrame({
        "interval_start": ["09:00", "08:00", "08:30", "09:30"],
        "calls": [200, 120, 0, 35.5],
        "aht": [250, 240, np.nan, 300],
    })
