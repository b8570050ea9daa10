"""Business assumptions: what a paid hour, an inbound call and a proactive conversation are worth.

A pilot's case is priced with a handful of figures, each with its unit, a one-line source, a
note on how it was derived and a sensitivity range (``low``..``high``, for the tornado).  The
defaults ship with blendsim (``default_assumptions.toml``, each with its published source);
a centre writes a file with the figures it knows and the rest come from the defaults, marked
``default=True`` so the report can say which figures are still to be replaced.

>>> a = default_assumptions()
>>> a["inbound_call_cost"].value
8.0
>>> a.hour_cost("blended team") == a["agent_hour_cost"].value  # no override: the general one
True

The file form (TOML, data only)::

    schema_version = 1
    name = "Our centre, 2026"
    currency = "USD"

    [agent_hour_cost]
    value = 31.0
    low = 28.0
    high = 35.0
    source = "payroll, 2025"

    [agent_hour_cost.groups."blended team"]
    value = 33.5

    [conversation_value.segments."card renewals"]
    conversion_rate = 0.2      # value = rate x conversion value
    conversion_value = 60.0

Figures: ``agent_hour_cost`` (per group), ``conversation_value`` (per segment),
``abandoned_call_cost``, ``inbound_call_cost``, ``contacts_prevented``, ``contacts_caused``,
``working_days_per_year`` and ``busyness_cv``.  A figure the file gives without ``low`` and
``high`` has no range (low = high = value).
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path

import pandas as pd

from blendsim._validate import check_name, check_number, fmt, number
from blendsim.errors import InputError, ScenarioError
from blendsim.limits import MAX_BUSYNESS_CV, safe
from blendsim.scenario.file import read_scenario_text

__all__ = [
    "FIGURES",
    "MAX_OVERRIDES",
    "Assumption",
    "Assumptions",
    "assumptions_from_dict",
    "assumptions_to_toml",
    "default_assumptions",
    "load_assumptions",
]

SCHEMA_VERSION = 1
MAX_OVERRIDES = 200  # per-group and per-segment figures, all together
MAX_MONEY = 1e6  # any cost or value, in the file's currency
_MAX_SOURCE = 500  # characters in a source (one line)
_MAX_NOTE = 2_000  # characters in a note


@dataclass(frozen=True, slots=True)
class _Figure:
    label: str
    unit: str  # "{currency}" is replaced by the file's currency
    low: float
    high: float
    per: str | None = None  # "groups" or "segments": the figure may be given per name


FIGURES: dict[str, _Figure] = {
    "agent_hour_cost": _Figure("Cost of a paid agent-hour", "{currency} per paid agent-hour",
                               0.0, MAX_MONEY, "groups"),
    "conversation_value": _Figure("Value of a proactive conversation",
                                  "{currency} per conversation", 0.0, MAX_MONEY, "segments"),
    "abandoned_call_cost": _Figure("Cost of an abandoned inbound call",
                                   "{currency} per abandoned call", 0.0, MAX_MONEY),
    "inbound_call_cost": _Figure("Cost of an inbound contact handled by an agent",
                                 "{currency} per inbound contact", 0.0, MAX_MONEY),
    "contacts_prevented": _Figure("Inbound contacts a proactive conversation prevents",
                                  "inbound contacts per conversation", 0.0, 10.0),
    "contacts_caused": _Figure("Inbound contacts a proactive conversation causes",
                               "inbound contacts per conversation", 0.0, 10.0),
    "working_days_per_year": _Figure("Working days a year", "days per year", 1.0, 366.0),
    "busyness_cv": _Figure("Day-to-day variation of the call volume beyond Poisson",
                           "coefficient of variation", 0.0, MAX_BUSYNESS_CV),
}
_OWN = "the centre's own figure"
_KEY = re.compile(r"^([a-z_]+)(?:\[(.+)\])?$")
_PER_WORD = {"groups": "group", "segments": "segment"}


def _unit(base: str, currency: str) -> str:
    return FIGURES[base].unit.format(currency=currency)


def _label(base: str, name: str | None) -> str:
    return FIGURES[base].label + (f" ({name})" if name is not None else "")


def _split(key) -> tuple[str, str | None] | None:
    """``"agent_hour_cost[blended team]"`` -> ``("agent_hour_cost", "blended team")``."""
    m = _KEY.match(key) if isinstance(key, str) else None
    if m is None or m.group(1) not in FIGURES:
        return None
    if m.group(2) is not None and FIGURES[m.group(1)].per is None:
        return None
    return m.group(1), m.group(2)


def _check_range(problems: list[str], path: str, base: str, value, low, high,
                 given=("value", "low", "high")) -> None:
    """value, low and high of figure ``base``: numbers in its domain, low <= value <= high
    (only the ``given`` ones are named: a range left out is the value's)."""
    f = FIGURES[base]
    before = len(problems)
    for word, x in (("value", value), ("low", low), ("high", high)):
        if word in given:
            check_number(problems, f"{path}.{word}", x, low=f.low, high=f.high)
    if len(problems) > before:
        return
    if low > value:
        problems.append(f"{path}.low must be <= value (got low {fmt(low)}, value "
                        f"{fmt(value)})")
    if high < value:
        problems.append(f"{path}.high must be >= value (got high {fmt(high)}, value "
                        f"{fmt(value)})")


def _check_text(problems: list[str], path: str, text, limit: int, one_line: bool) -> None:
    if not isinstance(text, str):
        problems.append(f"{path} must be a text (got {safe(text)})")
    elif len(text) > limit:
        problems.append(f"{path} must be at most {limit:,} characters (got {len(text):,})")
    elif one_line and ("\n" in text or "\r" in text):
        problems.append(f"{path} must be one line (got {safe(text, 60)})")


@dataclass(frozen=True, kw_only=True, slots=True)
class Assumption:
    """One business figure with its unit, source and sensitivity range.

    Parameters
    ----------
    key : str
        ``"agent_hour_cost"``, ``"agent_hour_cost[blended team]"``,
        ``"conversation_value[card renewals]"``... (see :data:`FIGURES`).
    label : str
        Plain words for the page: ``"Cost of a paid agent-hour (blended team)"``.
    value, low, high : float
        The figure and its sensitivity range, ``low <= value <= high``, in ``unit``.
    unit : str
        ``"USD per paid agent-hour"``...
    source : str
        One line: where the figure comes from (publication, year, table), or
        ``"the centre's own figure"``.
    note : str
        How it was derived, or what to replace it with.
    default : bool
        True when it is the shipped default, not the centre's own.
    """

    key: str
    label: str
    value: float
    low: float
    high: float
    unit: str
    source: str
    note: str = ""
    default: bool = False

    def __post_init__(self):
        problems: list[str] = []
        split = _split(self.key)
        if split is None:
            problems.append(f"key must be one of {', '.join(FIGURES)}, or agent_hour_cost[group] "
                            f"or conversation_value[segment] (got {safe(self.key)})")
        else:
            if split[1] is not None:
                check_name(problems, f"{self.key}: the {_PER_WORD[FIGURES[split[0]].per]} name",
                           split[1])
            _check_range(problems, self.key, split[0], self.value, self.low, self.high)
        for word in ("label", "unit"):
            _check_text(problems, f"{self.key}.{word}", getattr(self, word), _MAX_SOURCE, True)
            if isinstance(getattr(self, word), str) and not getattr(self, word).strip():
                problems.append(f"{self.key}.{word} must be a non-empty text")
        _check_text(problems, f"{self.key}.source", self.source, _MAX_SOURCE, True)
        if isinstance(self.source, str) and not self.source.strip():
            problems.append(f"{self.key}.source must say where the figure comes from (got "
                            f"an empty text)")
        _check_text(problems, f"{self.key}.note", self.note, _MAX_NOTE, False)
        if not isinstance(self.default, bool):
            problems.append(f"{self.key}.default must be true or false (got "
                            f"{safe(self.default)})")
        if problems:
            raise ScenarioError(problems)
        for word in ("value", "low", "high"):
            object.__setattr__(self, word, float(getattr(self, word)))

    @property
    def figure(self) -> str:
        """The figure this is a value of: ``"agent_hour_cost"`` for any group's."""
        return self.key.split("[", 1)[0]


@dataclass(frozen=True, slots=True)
class Assumptions:
    """Every business figure of a case, in file order; immutable.

    ``a[key]`` is one :class:`Assumption`; iterating gives them all, each general figure
    followed by its per-group or per-segment overrides.  Build one with
    :func:`load_assumptions` or :func:`default_assumptions`; :meth:`replace` makes the
    variants of a sensitivity analysis.
    """

    name: str
    currency: str
    items: tuple[Assumption, ...]
    _index: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if isinstance(self.items, list):
            object.__setattr__(self, "items", tuple(self.items))
        problems: list[str] = []
        check_name(problems, "name", self.name)
        if not (isinstance(self.currency, str) and re.fullmatch(r"[A-Z]{3}", self.currency)):
            problems.append(f"currency must be a three-letter code like \"USD\" (got "
                            f"{safe(self.currency)})")
        if not isinstance(self.items, tuple):
            raise ScenarioError([f"items must be a list of Assumption (got "
                                 f"{safe(self.items)})"])
        index: dict[str, Assumption] = {}
        for i, a in enumerate(self.items):
            if not isinstance(a, Assumption):
                problems.append(f"items[{i}] must be an Assumption (got {safe(a)})")
            elif a.key in index:
                problems.append(f"{a.key} is given twice")
            else:
                index[a.key] = a
                if isinstance(self.currency, str) and a.unit != _unit(a.figure, self.currency):
                    problems.append(f"{a.key}.unit must be "
                                    f"{_unit(a.figure, self.currency)!r} (got {a.unit!r})")
        missing = [k for k in FIGURES if k not in index]
        if missing and not any(p.startswith("items[") for p in problems):
            problems.append(f"every figure is required; missing: {', '.join(missing)}")
        overrides = len(index) - (len(FIGURES) - len(missing))
        if overrides > MAX_OVERRIDES:
            problems.append(f"at most {MAX_OVERRIDES} per-group and per-segment figures "
                            f"(got {overrides:,})")
        if problems:
            raise ScenarioError(problems)
        object.__setattr__(self, "_index", index)

    def __getitem__(self, key: str) -> Assumption:
        try:
            return self._index[key]
        except (KeyError, TypeError):
            raise InputError(f"no assumption {safe(key)} (known: "
                             f"{', '.join(self._index)})") from None

    def __contains__(self, key) -> bool:
        return key in self._index

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def keys(self) -> list[str]:
        """Every figure's key, in file order."""
        return [a.key for a in self.items]

    def hour_cost(self, group: str) -> float:
        """Cost of a paid agent-hour of ``group``: its own figure, or the general one."""
        if not isinstance(group, str):
            raise InputError(f"group must be a group name (got {safe(group)})")
        a = self._index.get(f"agent_hour_cost[{group}]", self._index["agent_hour_cost"])
        return a.value

    def conversation_value(self, segment: str | None = None) -> float:
        """Value of one proactive conversation with ``segment`` (None: the general figure)."""
        if segment is not None and not isinstance(segment, str):
            raise InputError(f"segment must be a segment name or None (got {safe(segment)})")
        general = self._index["conversation_value"]
        if segment is None:
            return general.value
        return self._index.get(f"conversation_value[{segment}]", general).value

    @property
    def net_contacts_prevented(self) -> float:
        """Inbound contacts one proactive conversation prevents, less those it causes
        (negative when outreach prompts more calls than it saves)."""
        return self._index["contacts_prevented"].value - self._index["contacts_caused"].value

    def replace(self, key: str, value: float) -> Assumptions:
        """The same assumptions with figure ``key`` set to ``value`` (its range widened to
        hold it; source and flags unchanged): one bar of a tornado."""
        a = self[key]
        f = FIGURES[a.figure]
        x = number(key, value, low=f.low, high=f.high)
        items = tuple(replace(b, value=x, low=min(b.low, x), high=max(b.high, x))
                      if b.key == key else b for b in self.items)
        return Assumptions(self.name, self.currency, items)

    def table(self) -> pd.DataFrame:
        """One row a figure: key, label, value, low, high, unit, source, note, default."""
        cols = ["key", "label", "value", "low", "high", "unit", "source", "note", "default"]
        return pd.DataFrame([[getattr(a, c) for c in cols] for a in self.items], columns=cols)

    def check(self, groups, segments) -> None:
        """Raise :class:`ScenarioError` naming every per-group or per-segment figure whose
        group or segment the scenarios do not have (a misspelt name would silently price
        nothing).  ``groups`` and ``segments`` are names (lists of str)."""
        known = {"groups": _names("groups", groups), "segments": _names("segments", segments)}
        problems = []
        for a in self.items:
            base, name = _split(a.key)
            if name is None:
                continue
            per = FIGURES[base].per
            if name not in known[per]:
                have = ", ".join(repr(n) for n in sorted(known[per])) or "none"
                problems.append(f"{a.key}: the scenarios have no {_PER_WORD[per]} {name!r} "
                                f"({per}: {have})")
        if problems:
            raise ScenarioError(problems)


def _names(what: str, names) -> set[str]:
    if isinstance(names, str) or not hasattr(names, "__iter__"):
        raise InputError(f"{what} must be a list of names (got {safe(names)})")
    try:
        out = set(names)
    except TypeError:  # unhashable items: not names
        raise InputError(f"{what} must be a list of names (got {safe(names)})") from None
    if not all(isinstance(n, str) for n in out):
        raise InputError(f"{what} must be a list of names (got {safe(sorted(out, key=str))})")
    return out


# --- the file form ---------------------------------------------------------------------------

_TOP = ("schema_version", "name", "currency", *FIGURES)
_FIELDS = ("value", "low", "high", "unit", "source", "note", "default")
_CONVERSION = ("conversion_rate", "conversion_value")


def assumptions_from_dict(data, source: str | None = None, *,
                          defaults: Assumptions | None = None) -> Assumptions:
    """Assumptions from plain data in the file layout; every problem at once, in the file's
    words.  Figures the data leaves out come from ``defaults`` (None: every figure, with its
    range, unit and source, is required, as in the shipped defaults)."""
    if not isinstance(data, dict):
        raise ScenarioError([f"an assumptions file holds tables of figures (got "
                             f"{safe(data)})"], source)
    problems: list[str] = []
    for k in data:
        if k not in _TOP:
            problems.append(f"{k} is not a known field (allowed: {', '.join(_TOP)})")
    version = data.get("schema_version")
    if "schema_version" not in data:
        problems.append(f"schema_version is missing (this blendsim reads schema_version = "
                        f"{SCHEMA_VERSION})")
    elif type(version) is not int or version != SCHEMA_VERSION:
        problems.append(f"schema_version must be {SCHEMA_VERSION} (got {safe(version)})")
    stem = Path(source).stem if source else "assumptions"
    name = data.get("name", stem)
    if defaults is None and "name" not in data:
        problems.append("name is missing")
    check_name(problems, "name", name)
    currency = data.get("currency", "USD" if defaults is None else defaults.currency)
    if not (isinstance(currency, str) and re.fullmatch(r"[A-Z]{3}", currency)):
        problems.append(f"currency must be a three-letter code like \"USD\" (got "
                        f"{safe(currency)})")
        currency = "USD"
    items: list[Assumption] = []
    count = 0
    for base, f in FIGURES.items():
        table = data.get(base)
        if table is not None and not isinstance(table, dict):
            problems.append(f"{base} must be a table like [{base}] with value = ... (got "
                            f"{safe(table)})")
            table = None
        if table is not None and any(k != f.per for k in table):
            given = _figure(table, base, base, None, currency, defaults is None, problems)
            if given is not None:
                items.append(given)
        elif defaults is None:
            problems.append(f"{base} is missing (every figure is required in the defaults)")
        elif currency != defaults.currency and "{currency}" in f.unit:
            problems.append(f"{base} must be given: the file's currency is {currency} and the "
                            f"defaults are in {defaults.currency}")
        else:
            items.append(defaults[base])
        per = (table or {}).get(f.per) if f.per else None
        own: set[str] = set()
        if per is not None:
            if not isinstance(per, dict):
                problems.append(f"{base}.{f.per} must be tables like "
                                f"[{base}.{f.per}.\"name\"] (got {safe(per)})")
                per = {}
            count += len(per)
            if count > MAX_OVERRIDES:
                raise ScenarioError(problems + [f"at most {MAX_OVERRIDES} per-group and "
                                                f"per-segment figures (got at least "
                                                f"{count:,})"], source)
            for name_, item in per.items():
                path = f'{base}.{f.per}."{name_}"'
                before = len(problems)
                check_name(problems, f"{base}.{f.per}: the name {safe(name_)}", name_)
                if not isinstance(item, dict):
                    problems.append(f"{path} must be a table with value = ... (got "
                                    f"{safe(item)})")
                    continue
                if len(problems) > before:
                    continue
                a = _figure(item, path, base, name_, currency, defaults is None, problems)
                if a is not None:
                    items.append(a)
                    own.add(a.key)
        if defaults is not None and f.per and not problems:
            items += [a for a in defaults if a.figure == base and a.key != base
                      and a.key not in own]
    if problems:
        raise ScenarioError(problems, source)
    try:
        return Assumptions(name, currency, tuple(items))
    except ScenarioError as e:
        raise ScenarioError(e.problems, source) from None


def _figure(item: dict, path: str, base: str, name: str | None, currency: str,
            strict: bool, problems: list[str]) -> Assumption | None:
    """One figure's table, checked in the file's words; None when it has problems."""
    f = FIGURES[base]
    allowed = _FIELDS + (_CONVERSION if base == "conversation_value" else ()) \
        + ((f.per,) if f.per and name is None else ())
    before = len(problems)
    for k in item:
        if k not in allowed:
            problems.append(f"{path}.{k} is not a known field (allowed: {', '.join(allowed)})")
    if strict:
        for k in ("value", "low", "high", "unit", "source", "note"):
            if k not in item:
                problems.append(f"{path}.{k} is missing (the defaults give every field)")
    conversion = [k for k in _CONVERSION if k in item and base == "conversation_value"]
    note = item.get("note", "")
    value = item.get("value")
    if conversion:
        if "value" in item:
            problems.append(f"{path}: give either value or conversion_rate and "
                            f"conversion_value, not both")
        elif len(conversion) == 1:
            missing = [k for k in _CONVERSION if k not in item][0]
            problems.append(f"{path}.{missing} is missing (value = conversion_rate x "
                            f"conversion_value)")
        else:
            rate, worth = item["conversion_rate"], item["conversion_value"]
            check_number(problems, f"{path}.conversion_rate", rate, low=0, high=1)
            check_number(problems, f"{path}.conversion_value", worth, low=0, high=MAX_MONEY)
            if len(problems) == before:
                value = float(rate) * float(worth)
                why = (f"value = conversion rate {fmt(float(rate))} x {fmt(float(worth))} "
                       f"{currency} a conversion")
                note = f"{note} ({why})" if isinstance(note, str) and note else why
    elif "value" not in item:
        problems.append(f"{path}.value is missing")
    if len(problems) > before:
        return None
    low, high = item.get("low", value), item.get("high", value)
    _check_range(problems, path, base, value, low, high,
                 ("value",) + tuple(k for k in ("low", "high") if k in item))
    unit = item.get("unit", _unit(base, currency))
    if unit != _unit(base, currency):
        problems.append(f"{path}.unit must be {_unit(base, currency)!r} (got {safe(unit)})")
    src = item.get("source", _OWN)
    _check_text(problems, f"{path}.source", src, _MAX_SOURCE, True)
    if isinstance(src, str) and not src.strip():
        problems.append(f"{path}.source must say where the figure comes from (got an empty "
                        f"text; leave it out for \"{_OWN}\")")
    _check_text(problems, f"{path}.note", note, _MAX_NOTE, False)
    default = item.get("default", False)
    if not isinstance(default, bool):
        problems.append(f"{path}.default must be true or false (got {safe(default)})")
    if len(problems) > before:
        return None
    key = base if name is None else f"{base}[{name}]"
    return Assumption(key=key, label=_label(base, name), value=value, low=low, high=high,
                      unit=unit, source=src, note=note, default=strict or default)


@functools.cache
def default_assumptions() -> Assumptions:
    """The shipped defaults (``blendsim/scenario/default_assumptions.toml``), every figure
    with its published source and ``default=True``."""
    text = files("blendsim.scenario").joinpath("default_assumptions.toml").read_text("utf-8")
    return assumptions_from_dict(tomllib.loads(text), "default_assumptions.toml")


def load_assumptions(path) -> Assumptions:
    """Read an assumptions file (TOML): the figures it gives are the centre's own
    (``default=False`` unless the figure says ``default = true``); the rest come from
    :func:`default_assumptions`.  Problems as :class:`ScenarioError`, all at once."""
    data, name = read_scenario_text(path)
    return assumptions_from_dict(data, name, defaults=default_assumptions())


def assumptions_to_toml(a: Assumptions) -> str:
    """The file form of ``a``; :func:`load_assumptions` reads back an equal one."""
    if not isinstance(a, Assumptions):
        raise InputError(f"a must be Assumptions (got {safe(a)})")
    lines = [f"schema_version = {SCHEMA_VERSION}", f"name = {_text(a.name)}",
             f"currency = {_text(a.currency)}"]
    for item in a:
        base, name = _split(item.key)
        head = base if name is None else f"{base}.{FIGURES[base].per}.{_text(name)}"
        lines += ["", f"[{head}]"]
        lines += [f"{k} = {_number(getattr(item, k))}" for k in ("value", "low", "high")]
        lines += [f"{k} = {_text(getattr(item, k))}" for k in ("unit", "source", "note")]
        lines.append(f"default = {'true' if item.default else 'false'}")
    return "\n".join(lines) + "\n"


def _text(s: str) -> str:
    # JSON's escapes are TOML's, but TOML also forbids a raw DEL character.
    return json.dumps(s, ensure_ascii=False).replace("\x7f", "\\u007F")


def _number(x: float) -> str:
    return repr(float(x))  # exact: the value read back is the same float
