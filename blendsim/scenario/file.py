"""Scenario files: reading a scenario from plain data (a parsed TOML file) and writing it back.

:func:`read_scenario_text` reads and parses a file (with its size bound);
:func:`scenario_from_dict` builds a scenario from the parsed data and reports every problem at
once, each in the file's own words (``groups[1].shifts[0].end must be after start``);
:func:`scenario_to_dict` and :func:`to_toml` write a scenario so that loading it gives back an
equal one.  The TOML writer is small and handles exactly what a scenario holds (tables, arrays
of tables, inline tables and lists).  This module names no scenario class: the caller passes
the one that builds (:meth:`blendsim.Scenario.from_dict`), and
:func:`~blendsim.scenario.model.load_scenario` and
:func:`~blendsim.scenario.model.dump_scenario` put the two halves together.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import tomllib
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from blendsim._units import format_clock, parse_clock
from blendsim.errors import ScenarioError
from blendsim.limits import MAX_BREAKS, MAX_FILE_BYTES, name_problem, safe
from blendsim.policies.blending import policy_from_dict
from blendsim.scenario.campaign import OutboundCampaign, Segment
from blendsim.scenario.distributions import Exponential, distribution_from_dict
from blendsim.scenario.parts import (
    SCHEMA_VERSION,
    AgentGroup,
    Day,
    InboundType,
    ServiceTarget,
    Shift,
)

__all__ = ["read_scenario_text", "scenario_from_dict", "scenario_to_dict",
           "to_toml"]


S = TypeVar("S")  # the scenario class that builds what is read (blendsim.Scenario)

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

    def parsed(self, parse, value, where: str):
        """``parse(value, where)``, or None with its problems noted."""
        try:
            return parse(value, where)
        except ScenarioError as e:
            self.problems += e.problems
            return None

    def clock(self, data, key, path, default=None):
        return self.parsed(parse_clock, data[key], f"{path}.{key}") if key in data else default

    def dist(self, data, key, path):
        return self.parsed(distribution_from_dict, data[key], f"{path}.{key}") \
            if key in data else None

    def number_list(self, data, key, path, stand_in=(0.0,)):
        """A list field as a tuple; if it is not a list, the problem is noted and a harmless
        stand-in returned, so that the rest of the part is still checked."""
        if key not in data:
            return None
        v = data[key]
        if not isinstance(v, list):
            self.problems.append(f"{path}.{key} must be a list of numbers (got {safe(v)})")
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


_TOP = ("schema_version", "name", "description", "day", "service_target", "inbound", "groups",
        "outbound", "blending")
_DAY = ("open", "close", "interval_minutes")
_TARGET = ("level", "seconds", "definition", "short_abandon_seconds", "rule", "share",
           "estimator")
_INBOUND = ("name", "volume", "rate_per_hour", "daily_volume", "shape", "arrival_times",
            "busyness_cv",
            "handle_time", "wrap_up", "patience", "balk_probability", "queue_capacity",
            "priority", "groups", "overflow_after")
_GROUP = ("name", "skills", "headcount", "shifts", "outbound")
_CAMPAIGN = ("name", "list_size", "segments", "windows", "stop_before_close",
             "connect_probability", "attempt_time", "connect_time", "talk_time", "wrap_up",
             "max_attempts", "retry_after", "dial_ratio", "connected_patience", "abandon_cap")
_SEGMENT = ("name", "share", "groups")
_SHIFT = ("start", "end", "count", "breaks")


def scenario_from_dict(data, source: str | None, *, build: Callable[..., S]) -> S:
    """Read every part, reporting every problem; parts that fail are replaced by harmless
    stand-ins so that the checks between parts still run (their findings about a broken part
    itself are dropped: its own problems were reported already).

    ``build`` makes the scenario from its checked parts (``Scenario``, passed by
    :meth:`Scenario.from_dict`: the file form sits below the model it reads into).
    """
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
                         short_abandon=t.get("short_abandon_seconds", 5.0),
                         rule=t.get("rule", "day"), share=t.get("share", 0.9),
                         estimator=t.get("estimator", "daily")) or ServiceTarget()

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
            built = InboundType(name=name if name_problem("", name) is None
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
            skills = tuple(x for x in skills if name_problem("", x) is None
                           and any(t.name == x for t in types)) \
                if isinstance(skills, list) else ()
            built = AgentGroup(name=name if name_problem("", name) is None
                               else f"groups[{i}]",
                               skills=tuple(dict.fromkeys(skills)) or (types[0].name if types
                                                                      else "?",),
                               headcount=(0,) * n)
        groups.append(built)

    campaigns = []
    raw_campaigns = _read_list(r, data, "outbound", "[[outbound]]") or []
    for i, c in enumerate(raw_campaigns):
        built = _read_campaign(r, c, f"outbound[{i}]")
        if built is None:
            broken.add(f"outbound[{i}]")
            continue
        campaigns.append(built)
    blending = _read_blending(r, data)

    scenario = None
    if day is not None:
        try:
            scenario = build(name=data.get("name", "scenario"),
                                description=data.get("description", ""), day=day,
                                inbound=tuple(types), groups=tuple(groups),
                                service_target=target, outbound=tuple(campaigns),
                                blending=blending)
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
               "does not have the skill", "must list at least one agent group",
               "is not called by any agent group", "does not call for"),
    "outbound": ("is not an outbound campaign",),
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
            r.problems.append(f"day.close must be after open (got open "
                              f"{format_clock(open_at)}, close {format_clock(close_at)})")
        return None
    return r.build(Day, "day", open_at=open_at, close_at=close_at, interval=float(minutes * 60))


def _read_list(r: _Reader, data: dict, key: str, form: str) -> list | None:
    if key not in data:
        return None  # reported as missing already
    items = data[key]
    if not isinstance(items, list):
        r.problems.append(f"{key} must be a list of tables ({form}) (got {safe(items)})")
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
                              f"{safe(t['groups'])})")
            kwargs.pop("overflow_after", None)  # its delays cannot be matched to groups
    if "arrival_times" in t:
        raw = t["arrival_times"]
        if not isinstance(raw, list):
            r.problems.append(f"{path}.arrival_times must be a list of clock times like "
                              f"\"08:00:30\" (got {raw!r})")
        else:
            instants = [r.parsed(parse_clock, v, f"{path}.arrival_times[{j}]")
                        for j, v in enumerate(raw)]
            kwargs["arrival_times"] = tuple(t for t in instants if t is not None)
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
    if r.table(g, path, _GROUP, ("name",)) is None:
        return None
    before = len(r.problems)
    missing = "skills" not in g and "outbound" not in g
    if missing:
        r.problems.append(f"{path}.skills is missing")
    kwargs = {"name": g.get("name", "?"), "skills": g.get("skills", ("?",) if missing else ())}
    if isinstance(kwargs["skills"], list):
        kwargs["skills"] = tuple(kwargs["skills"])
    if "outbound" in g:
        kwargs["outbound"] = tuple(g["outbound"]) if isinstance(g["outbound"], list) else \
            g["outbound"]
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
                breaks = _read_breaks(r, s["breaks"], f"{sp}.breaks") if "breaks" in s else ()
                if start is not None and end is not None and breaks is not None:
                    shifts.append(r.build(Shift, sp, start_at=start, end_at=end,
                                          count=s.get("count", 1), breaks=breaks))
        kwargs["shifts"] = tuple(x for x in shifts if x is not None)
    built = r.build(AgentGroup, path, **kwargs)
    return built if len(r.problems) == before else None


def _read_breaks(r: _Reader, value, path: str):
    """A shift's breaks, ``[["12:00", "12:30"], ...]``, as (start, end) pairs in seconds; None
    when one does not read (its problems noted)."""
    if not isinstance(value, list):
        r.problems.append(f"{path} must be a list of pairs like [[\"12:00\", \"12:30\"]] "
                          f"(got {safe(value)})")
        return None
    before = len(r.problems)
    pairs = []
    for i, b in enumerate(value[:MAX_BREAKS + 1]):  # one more: Shift names the bound
        if not isinstance(b, list) or len(b) != 2:
            r.problems.append(f"{path}[{i}] must be a pair like [\"12:00\", \"12:30\"] "
                              f"(got {safe(b)})")
            continue
        pairs.append((r.clock({"start": b[0]}, "start", f"{path}[{i}]"),
                      r.clock({"end": b[1]}, "end", f"{path}[{i}]")))
    return tuple(pairs) if len(r.problems) == before else None


def _read_windows(r: _Reader, value, path: str):
    if not isinstance(value, list):
        r.problems.append(f"{path} must be a list of pairs like [[\"10:00\", \"16:00\"]] "
                          f"(got {safe(value)})")
        return None
    windows = []
    for i, w in enumerate(value):
        if not isinstance(w, list) or len(w) != 2:
            r.problems.append(f"{path}[{i}] must be a pair like [\"10:00\", \"16:00\"] "
                              f"(got {safe(w)})")
            continue
        a = r.clock({"start": w[0]}, "start", f"{path}[{i}]")
        b = r.clock({"end": w[1]}, "end", f"{path}[{i}]")
        if a is not None and b is not None:
            windows.append((a, b))
    return tuple(windows)


def _read_campaign(r: _Reader, c, path: str) -> OutboundCampaign | None:
    if r.table(c, path, _CAMPAIGN, ("name", "talk_time")) is None:
        return None
    before = len(r.problems)
    kwargs = {k: c[k] for k in ("name", "list_size", "stop_before_close", "max_attempts",
                                "retry_after", "dial_ratio", "abandon_cap") if k in c}
    if "connect_probability" in c:
        p = c["connect_probability"]
        kwargs["connect_probability"] = tuple(p) if isinstance(p, list) else p
    for k in ("attempt_time", "connect_time", "talk_time", "wrap_up", "connected_patience"):
        d = r.dist(c, k, path)
        if d is not None:
            kwargs[k] = d
        elif k in c or k == "talk_time":
            kwargs[k] = _STAND_IN
    if "windows" in c:
        w = _read_windows(r, c["windows"], f"{path}.windows")
        if w or c["windows"] == []:  # an empty list is refused, never "dial all day"
            kwargs["windows"] = w
    if "segments" in c:
        if not isinstance(c["segments"], list):
            r.problems.append(f"{path}.segments must be a list of tables like {{ name = "
                              f"\"premium\", share = 0.3 }} (got {safe(c['segments'])})")
        else:
            segs = []
            for j, sg in enumerate(c["segments"]):
                sp = f"{path}.segments[{j}]"
                if r.table(sg, sp, _SEGMENT, ("name",)) is None or "name" not in sg:
                    continue
                groups = sg.get("groups")
                segs.append(r.build(Segment, sp, name=sg["name"], share=sg.get("share", 1.0),
                                    groups=tuple(groups) if isinstance(groups, list) else groups))
            kwargs["segments"] = tuple(x for x in segs if x is not None)
    kwargs.setdefault("name", "?")
    built = r.build(OutboundCampaign, path, **kwargs)
    return built if len(r.problems) == before else None


def _read_blending(r: _Reader, data) -> tuple:
    if "blending" not in data:
        return ()
    items = data["blending"]
    if not isinstance(items, list):
        r.problems.append(f"blending must be a list of tables ([[blending]]) (got "
                          f"{safe(items)})")
        return ()
    policies = [r.parsed(policy_from_dict, item, f"blending[{i}]")
                for i, item in enumerate(items)]
    return tuple(pol for pol in policies if pol is not None)


# --------------------------------------------------------------------------------------------
# Writing plain data and TOML


def _clean(x):
    if isinstance(x, tuple):
        return [_clean(v) for v in x]
    if isinstance(x, np.generic):
        return x.item()
    return x


def scenario_to_dict(sc) -> dict:
    """A scenario (:class:`blendsim.Scenario`) as plain data, in the scenario-file layout."""
    out: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "name": sc.name}
    if sc.description:
        out["description"] = sc.description
    out["day"] = {"open": format_clock(sc.day.open_at), "close": format_clock(sc.day.close_at),
                  "interval_minutes": int(sc.day.interval // 60)}
    st = sc.service_target
    out["service_target"] = {"level": st.level, "seconds": st.seconds,
                             "definition": st.definition,
                             "short_abandon_seconds": st.short_abandon}
    for key, default in (("rule", "day"), ("share", 0.9), ("estimator", "daily")):
        if getattr(st, key) != default:  # files written before the rule existed stay as they were
            out["service_target"][key] = getattr(st, key)
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
        if g.outbound:
            d["outbound"] = list(g.outbound)
        if g.headcount is not None:
            d["headcount"] = _clean(g.headcount)
        else:
            d["shifts"] = [_shift_to_dict(s) for s in g.shifts]
        out["groups"].append(d)
    if sc.outbound:
        out["outbound"] = [_campaign_to_dict(c) for c in sc.outbound]
    if sc.blending:
        for p in sc.blending:
            if not hasattr(p, "to_dict"):
                raise ScenarioError([f"blending policy {p!r} has no file form (a policy "
                                     "written in Python belongs to the Python API)"])
        out["blending"] = [p.to_dict() for p in sc.blending]
    return out


def _shift_to_dict(s: Shift) -> dict:
    d: dict[str, Any] = {"start": format_clock(s.start_at), "end": format_clock(s.end_at),
                         "count": s.count}
    if s.breaks:  # files written before breaks existed stay as they were
        d["breaks"] = [[format_clock(a), format_clock(b)] for a, b in s.breaks]
    return d


def _campaign_to_dict(c: OutboundCampaign) -> dict:
    defaults = {f.name: f.default for f in fields(OutboundCampaign)}
    d: dict[str, Any] = {"name": c.name}
    if c.list_size is not None:
        d["list_size"] = c.list_size
    if c.segments:
        d["segments"] = [{"name": s.name, "share": s.share,
                          **({"groups": list(s.groups)} if s.groups else {})}
                         for s in c.segments]
    if c.windows is not None:
        d["windows"] = [[format_clock(a), format_clock(b)] for a, b in c.windows]
    for k in ("stop_before_close", "connect_probability", "max_attempts", "retry_after",
              "dial_ratio", "abandon_cap"):
        v = getattr(c, k)
        if v != defaults[k]:
            d[k] = _clean(v)
    for k in ("attempt_time", "connect_time", "talk_time", "wrap_up", "connected_patience"):
        v = getattr(c, k)
        if v is not None:
            d[k] = v.to_dict()
    return d


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


def _read_text(path) -> tuple[str, str]:
    """The text of a scenario file and its name; only a regular file of at most
    ``MAX_FILE_BYTES`` (a device such as /dev/zero, or a pipe, would never end)."""
    if not isinstance(path, (str, os.PathLike)):
        raise ScenarioError([f"the scenario path must be a file name (a str or Path) (got "
                             f"{safe(path)})"])
    p = Path(path)
    try:
        with open(p, "rb", opener=lambda f, flags: os.open(f, flags | os.O_NONBLOCK)) as fh:
            mode = os.fstat(fh.fileno()).st_mode
            if not stat.S_ISREG(mode):
                what = "it is a folder" if stat.S_ISDIR(mode) else \
                    "it is not a regular file but a device or a pipe"
                raise ScenarioError([f"cannot read the file ({what}; a scenario must be a "
                                     f"regular TOML file)"], str(p))
            data = fh.read(MAX_FILE_BYTES + 1)
    except ScenarioError:
        raise
    except FileNotFoundError:
        raise ScenarioError([f"no such file: {str(p)!r}"]) from None
    except IsADirectoryError:
        raise ScenarioError(["cannot read the file (it is a folder; a scenario must be a "
                             "regular TOML file)"], str(p)) from None
    except (OSError, ValueError) as e:  # ValueError: a NUL byte in the name
        raise ScenarioError([f"cannot read the file ({e})"], str(p)) from None
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError([f"the file is larger than {MAX_FILE_BYTES:,} bytes: a scenario "
                             f"is a few kilobytes (long traces belong in a call log)"], str(p))
    try:
        return data.decode("utf-8"), str(p)
    except UnicodeDecodeError as e:
        raise ScenarioError([f"cannot read the file ({e})"], str(p)) from None


def read_scenario_text(path) -> tuple[Any, str]:
    """A scenario file's parsed TOML and its name for messages; problems as ScenarioError."""
    text, name = _read_text(path)
    try:
        return tomllib.loads(text), name
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError([f"not valid TOML: {e}"], name) from None
    except RecursionError:
        raise ScenarioError(["not valid TOML: arrays or tables nested too deeply (a scenario "
                             "nests a few levels)"], name) from None
