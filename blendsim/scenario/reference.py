"""The scenario-file reference: every section and key of a scenario file, written from the code.

:func:`scenario_reference` returns ``scenarios/REFERENCE.md`` as Markdown.  The keys, their
types and their defaults come from the dataclasses themselves (``dataclasses.fields`` of
:class:`~blendsim.Scenario`, :class:`~blendsim.Day`, every distribution and every blending
policy...); units, allowed values and meanings from the table of
:mod:`blendsim.scenario.keys`, keyed by ``(class name, field name)``; the limits from
:mod:`blendsim.limits`.  ``tests/docs/test_scenario_reference.py`` fails when a field has no
entry, an entry names a field that is gone, a key, default or bound differs from the
loader's, an example does not load, or the committed file is not what this module writes.
Regenerate it with::

    python -m blendsim.scenario.reference > scenarios/REFERENCE.md
"""

from __future__ import annotations

import dataclasses
import re
import tomllib

from blendsim._units import format_clock
from blendsim.limits import LIMITS
from blendsim.scenario.campaign import OutboundCampaign
from blendsim.scenario.distributions import Exponential
from blendsim.scenario.file import to_toml
from blendsim.scenario.keys import (
    BLENDING_EXAMPLE,
    CLOCK_FIELDS,
    DISTRIBUTION_EXAMPLE,
    DISTRIBUTIONS,
    DOCS,
    FILE_FORM,
    FILE_ONLY,
    FILE_REQUIRED,
    MINIMAL_SCENARIO,
    POLICIES,
    SECTIONS,
    Doc,
    file_key,
)
from blendsim.scenario.model import Scenario
from blendsim.scenario.parts import MAX_DAY

__all__ = ["scenario_reference"]


# --------------------------------------------------------------------------------------------
# Rendering


_PLURALS = {"float": "numbers", "int": "whole numbers", "str": "texts",
            "Distribution": "distributions", "Shift": "shift tables",
            "Segment": "segment tables", "InboundType": "tables `[[inbound]]`",
            "AgentGroup": "tables `[[groups]]`", "OutboundCampaign": "tables `[[outbound]]`",
            "BlendingPolicy": "tables `[[blending]]`"}
_SINGULARS = {"float": "number", "int": "whole number", "str": "text",
              "Distribution": "distribution table", "Day": "table `[day]`",
              "ServiceTarget": "table `[service_target]`"}


def _type_text(annotation: str, clock: bool) -> str:
    """A field's annotation in a file's words ("list of numbers"); unknown types raise, so a
    new kind of field cannot go undocumented."""
    alternatives = [a.strip() for a in annotation.split("|") if a.strip() != "None"]
    words = []
    for a in alternatives:
        m = re.fullmatch(r"tuple\[(.+), \.\.\.\]", a)
        if m and m.group(1) == "tuple[float, float]":
            words.append('list of `["start", "end"]` clock-time pairs')
        elif m:
            words.append("list of " + ("clock times" if clock else _PLURALS[m.group(1)]))
        elif clock:
            words.append("clock time")
        else:
            words.append(_SINGULARS[a])
    return " or ".join(words)


def _value_text(value) -> str:
    """A value in the form a file writes it (tables inline)."""
    text = to_toml({"t": {"x": value}})
    return "`" + text.split("x = ", 1)[1].strip() + "`"


def _default(cls, f, doc: Doc, required: tuple[str, ...]) -> str:
    key = file_key(cls.__name__, f.name)
    if key in required or (cls.__name__, f.name) in FILE_REQUIRED:
        return "**required**"
    if doc.default:
        return doc.default
    if f.default is not dataclasses.MISSING:
        value = f.default
    elif f.default_factory is not dataclasses.MISSING:
        value = f.default_factory()
    else:
        return "**required**"
    if value is None or value == ():
        return f"not set: {doc.unset}"
    if hasattr(value, "to_dict"):
        value = value.to_dict()
    if (cls.__name__, f.name) in CLOCK_FIELDS:
        value = format_clock(value)
    value = FILE_FORM.get((cls.__name__, f.name), lambda v: v)(value)
    return _value_text(value)


def _required(cls, f) -> bool:
    """Whether a file must give the field (no default, or a default the file does not use)."""
    return (f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING) or (
        cls.__name__, f.name) in FILE_REQUIRED


def _limits() -> list[str]:
    out = ['<a id="limits"></a>', "", "## Limits", "",
           "Every size a file can hold has a bound, generous for a real contact centre, so "
           "that a slip of the finger (`headcount = [1e6]`) is an error naming the bound "
           "rather than a run that takes an hour or all the memory. In Python they are the "
           "constants of `blendsim.limits`.", "",
           "| constant | bound | on |", "|---|---|---|"]
    for name, (value, what) in LIMITS.items():
        shown = f"{int(value):,}" if value == int(value) else f"{value:g}"
        out.append(f"| `{name}` | {shown} | {_cell(what)} |")
    out.append(f"| `blendsim.scenario.MAX_DAY` | {MAX_DAY:,} | seconds from `open` to "
               f"`close` ({MAX_DAY // 86400} days: a long stationary run, not an endless "
               "one) |")
    return out + [""]


def _text(value) -> str:
    return value() if callable(value) else value


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _key_table(cls, required: tuple[str, ...], extra: dict | None = None,
               columns=("key", "type", "unit", "default", "allowed", "meaning")) -> list[str]:
    rows = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for (owner, key), doc in (extra or {}).items():
        if owner == cls.__name__:
            rows.append(_row(columns, f"`{key}`", "whole number", doc.unit, "**required**"
                             if key in required else "", _text(doc.allowed), doc.text))
    for f in dataclasses.fields(cls):
        doc = DOCS[cls.__name__, f.name]
        kind = _type_text(f.type, (cls.__name__, f.name) in CLOCK_FIELDS)
        if (cls.__name__, f.name) in FILE_FORM:
            kind = "whole number"
        key = file_key(cls.__name__, f.name)
        shown = f"`{key}`" + (f" (Python: `{f.name}`)" if key != f.name else "")
        rows.append(_row(columns, shown, kind, doc.unit,
                         _default(cls, f, doc, required), _text(doc.allowed), doc.text))
    return rows


def _row(columns, key, kind, unit, default, allowed, text) -> str:
    cells = {"key": key, "type": kind, "unit": "" if unit in kind else unit, "default": default,
             "allowed": allowed, "meaning": text}
    return "| " + " | ".join(_cell(cells[c]) for c in columns) + " |"


def _toml(text: str) -> list[str]:
    return ["```toml", text.rstrip("\n"), "```"]


def _distributions() -> list[str]:
    out = ["## Distributions", "", "Every duration (`handle_time`, `wrap_up`, `patience`, "
           "`talk_time`, `attempt_time`, `connect_time`, `connected_patience`) is an inline "
           "table naming its distribution with `dist` and giving its parameters, in "
           "seconds. Lognormal and gamma take a mean and a coefficient of variation, the way "
           "planners describe handle times.", "",
           "| `dist` | parameters | example | what |", "|---|---|---|---|"]
    for d, what in DISTRIBUTIONS:
        params = ", ".join(f"`{f.name}`" for f in dataclasses.fields(d))
        out.append(f"| `{d.to_dict()['dist']}` | {params} | {_value_text(d.to_dict())} | "
                   f"{_cell(what)} |")
    out += ["", "| `dist` | parameter | unit | allowed | meaning |", "|---|---|---|---|---|"]
    for d, _ in DISTRIBUTIONS:
        for f in dataclasses.fields(d):
            doc = DOCS[type(d).__name__, f.name]
            out.append(f"| `{d.to_dict()['dist']}` | `{f.name}` | {doc.unit} | "
                       f"{_cell(_text(doc.allowed))} | {_cell(doc.text)} |")
    return out + [""] + _toml(DISTRIBUTION_EXAMPLE)


def _blending() -> list[str]:
    fallback = Scenario.from_dict(_base()).blending_policy()
    out = ["## `[[blending]]`: blending policies", "", "When an agent becomes free and no "
           "contact waits for it (no connected outbound customer, no inbound caller it could "
           "answer), the blending policy decides whether an agent of a *blended* group may "
           "start outbound work now or stays idle in reserve. Agents of outbound-only groups "
           "dial whenever their campaign allows (inside its `windows`); inbound-only agents "
           "never dial. Each `[[blending]]` table names its policy with `policy`. "
           + DOCS["AllOf", "policies"].text + " Without any `[[blending]]` table the policy "
           f"is `{fallback.to_dict()['policy']}` with `reserve = {fallback.reserve}` (blend "
           "freely).", "",
           "| `policy` | keys | example | what |", "|---|---|---|---|"]
    for p, what in POLICIES:
        keys = ", ".join(f"`{f.name}`" for f in dataclasses.fields(p)) or "none"
        out.append(f"| `{p.to_dict()['policy']}` | {keys} | {_value_text(p.to_dict())} | "
                   f"{_cell(what)} |")
    out += ["", "| `policy` | key | type | default | allowed | meaning |",
            "|---|---|---|---|---|---|"]
    for p, _ in POLICIES:
        cls = type(p)
        for f in dataclasses.fields(cls):
            doc = DOCS[cls.__name__, f.name]
            row = _row(("key", "type", "default", "allowed", "meaning"), f"`{f.name}`",
                       _type_text(f.type, (cls.__name__, f.name) in CLOCK_FIELDS),
                       doc.unit, _default(cls, f, doc, ()), _text(doc.allowed), doc.text)
            out.append(f"| `{p.to_dict()['policy']}` " + row)
    return out + [""] + _toml(BLENDING_EXAMPLE)


def _base() -> dict:
    return tomllib.loads(MINIMAL_SCENARIO)


def _questions() -> list[str]:
    """The questions a new user asks first, answered from the code's own defaults."""
    c = OutboundCampaign(name="c", talk_time=Exponential(mean=1))
    fallback = Scenario.from_dict(_base()).blending_policy()
    required = {s.anchor: ", ".join(f"`{k}`" for k in s.required) for s in SECTIONS}
    return [
        '<a id="questions"></a>', "", "## Questions a new user asks first", "",
        f"- **Which keys must a file have?** At the top level {required['top']}; in `[day]` "
        f"{required['day']}; in each `[[inbound]]` {required['inbound']} and its volume in one "
        f"of four forms; in each `[[groups]]` {required['groups']}, `skills` (unless the "
        "group only dials) and `headcount` or `shifts`; in each `[[blending]]` `policy`, "
        "plus " + " and ".join(f"`{f.name}` for `{p.to_dict()['policy']}`" for p, _ in POLICIES
                               for f in dataclasses.fields(p) if _required(type(p), f))
        + ". Everything else has a default, given in the tables below.",
        "- **What if I leave out `patience`?** " + DOCS["InboundType", "patience"].unset[0]
        .upper() + DOCS["InboundType", "patience"].unset[1:] + ".",
        "- **Do blended agents count in a head count?** Yes, once: a group's `headcount` (or "
        "its shifts' `count`) is the number of its agents, whatever work they do. Blended "
        "agents are in their own group's count only, and the results' `agents` figures count "
        "every agent on duty, blended and outbound-only ones included. A threshold's "
        "`reserve` counts the idle agents able to take inbound, blended ones included.",
        "- **How do shifts work?** A group gives `shifts` instead of `headcount`: `count` "
        "agents log on at `start` and off at `end`, finishing the contact in hand; see "
        "[shifts](#shifts).",
        "- **What does a campaign do by default?** It calls "
        + ("an unlimited list" if c.list_size is None else f"a list of {c.list_size}")
        + (" through the whole opening hours" if c.windows is None else "")
        + f", up to {c.max_attempts} attempts per customer {c.retry_after:g} seconds "
        f"({c.retry_after / 3600:g} h) apart; "
        f"{c.connect_probability:.0%} of attempts connect; a failed attempt costs "
        f"{c.attempt_time.mean:g} s and a connect rings for {c.connect_time.mean:g} s; it "
        f"dials {'progressively' if c.dial_ratio == 1 else 'predictively'} "
        f"(`dial_ratio = {c.dial_ratio:g}`); and a connected customer "
        f"with no agent free hangs up after {c.connected_patience.mean:g} s. See "
        "[`[[outbound]]`](#outbound).",
        "- **Is input that loads always sensible?** Anything out of bounds is an error naming "
        "the key, the value and what is allowed, and every problem of a file is reported at "
        "once. Input that is legal but does nothing loads with a warning: a shift that ends "
        "before opening or starts at closing, a dialling window (of a campaign or a "
        "`time_windows` policy) wholly outside the hours when calls are possible, a "
        "`stop_before_close` as long as the day.",
        "- **What if there is no `[[blending]]`?** Blended agents blend freely: the policy "
        f"is `{fallback.to_dict()['policy']}` with `reserve = {fallback.reserve}`. See "
        "[`[[blending]]`](#blending).", ""]


def scenario_reference() -> str:
    """The scenario-file reference (``scenarios/REFERENCE.md``) as Markdown."""
    out = ["# Scenario files: the reference", "",
           "<!-- Generated by `python -m blendsim.scenario.reference > scenarios/REFERENCE.md`"
           " from the dataclasses of blendsim; edit blendsim/scenario/keys.py (what keys mean) "
           "or blendsim/scenario/reference.py (the layout), not this file. -->", "",
           "A scenario file describes one day of a contact centre in TOML: opening hours, "
           "inbound contact types, agent groups, and optionally a service target, outbound "
           "campaigns and blending policies. `blendsim validate FILE` reports every problem "
           "in a file at once; `blendsim.load_scenario(FILE)` reads it into the same "
           "dataclasses as the Python API, and `blendsim.dump_scenario` writes it back. The "
           "example files in this folder are complete, realistic scenarios.", "",
           "Units: durations are **seconds**, instants are **clock times** (`\"HH:MM\"`), "
           "volumes are calls per interval (or per hour, or per day, as the key says), "
           "probabilities and service levels are fractions between 0 and 1. A key that is "
           "not listed here is an error, never ignored.", "",
           "Contents: [questions](#questions), "
           + ", ".join(f"[{s.heading.split(':')[0]}](#{s.anchor})" for s in SECTIONS)
           + ", [distributions](#distributions), [`[[blending]]`](#blending), "
           "[limits](#limits).", ""]
    out += _questions()
    for s in SECTIONS:
        level = "###" if s.anchor in ("shifts", "segments") else "##"
        out += [f'<a id="{s.anchor}"></a>', "", f"{level} {s.heading}", "", s.intro, "",
                f"In Python: `blendsim.{s.cls.__name__}`.", ""]
        out += _key_table(s.cls, s.required, FILE_ONLY)
        out += [""] + _toml(s.example) + [""]
    out += ['<a id="distributions"></a>', ""] + _distributions() + [""]
    out += ['<a id="blending"></a>', ""] + _blending() + [""]
    out += _limits()
    return "\n".join(out).rstrip("\n") + "\n"


if __name__ == "__main__":
    print(scenario_reference(), end="")
