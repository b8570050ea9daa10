"""What each key of a scenario file means: its unit, allowed values and meaning.

The table :data:`DOCS` holds, for every field of every dataclass a scenario file holds
(:data:`CLASSES`), what the code cannot say itself: the unit, the allowed values (bounds
rendered from the constants of :mod:`blendsim.limits`) and the meaning.  :data:`SECTIONS`
lists the file's tables with the keys each requires and a short example; every example is a
fragment of :data:`MINIMAL_SCENARIO`.  :mod:`blendsim.scenario.reference` turns all this,
with the types and defaults of the dataclasses, into ``scenarios/REFERENCE.md``.
"""

from __future__ import annotations

from typing import NamedTuple

from blendsim.limits import (
    MAX_AGENTS,
    MAX_BREAKS,
    MAX_BUSYNESS_CV,
    MAX_CALLS,
    MAX_CAMPAIGNS,
    MAX_CV,
    MAX_DESCRIPTION,
    MAX_DIAL_RATIO,
    MAX_DURATION,
    MAX_EMPIRICAL_VALUES,
    MAX_GROUPS,
    MAX_HEADCOUNT,
    MAX_LIST_SIZE,
    MAX_MAX_ATTEMPTS,
    MAX_NAME,
    MAX_POLICIES,
    MAX_PRIORITY,
    MAX_SEGMENTS,
    MAX_SHIFTS,
    MAX_TYPES,
    MAX_WINDOWS,
    MIN_ATTEMPT_SECONDS,
    MIN_CV,
)
from blendsim.policies.blending import AllOf, Dedicated, ServiceLevelGuard, Threshold, TimeWindows
from blendsim.scenario.campaign import OutboundCampaign, Segment
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
    ESTIMATORS,
    INTERVALS,
    MAX_DAY,
    RULES,
    SCHEMA_VERSION,
    SL_DEFINITIONS,
    AgentGroup,
    Day,
    InboundType,
    ServiceTarget,
    Shift,
)

__all__ = ["BLENDING_EXAMPLE", "CLASSES", "CLOCK_FIELDS", "DISTRIBUTIONS",
           "DISTRIBUTION_EXAMPLE", "DOCS", "FILE_FORM", "FILE_KEYS", "FILE_ONLY",
           "FILE_REQUIRED", "MINIMAL_SCENARIO", "POLICIES", "SECTIONS", "Doc", "Section",
           "file_key"]


class Doc(NamedTuple):
    """What the code cannot say about a key: its unit, allowed values and meaning.

    ``unset`` says what leaving out a key whose default is "not set" (``None`` or an empty
    list) means; ``default`` replaces the default column where the rule is conditional.
    """

    unit: str
    allowed: str
    text: str
    unset: str = ""
    default: str = ""


def _minutes() -> str:
    return ", ".join(str(int(s // 60)) for s in INTERVALS)


def _quoted(values) -> str:
    return ", ".join(f'`"{v}"`' for v in values)


def _name(extra: str = "") -> str:
    return (f"non-empty text of at most {MAX_NAME:,} characters, without control characters, "
            f"not starting like a spreadsheet formula (=, +, -, @){extra}")


def _duration(low: str = "> 0") -> str:
    return f"{low}, at most {MAX_DURATION:,.0f} ({MAX_DURATION / 86400:g} days)"


_ONE_VOLUME = "one of the four volume forms"
_ONE_STAFFING = "one of `headcount` and `shifts`"

# (class name, field name) -> Doc.  Field names are the dataclasses'; FILE_KEYS gives the
# few that a file spells otherwise.
DOCS: dict[tuple[str, str], Doc] = {
    # --- the top level ---
    ("Scenario", "name"): Doc("text", _name, "The scenario's name, shown in results "
                              "and reports."),
    ("Scenario", "description"): Doc("text", lambda: f"at most {MAX_DESCRIPTION:,} characters",
                                     "Free text: what the day is and "
                                     "where its figures come from."),
    ("Scenario", "day"): Doc("", "see [`[day]`](#day)", "Opening hours and the planning "
                             "interval."),
    ("Scenario", "service_target"): Doc("", "see [`[service_target]`](#service_target)",
                                        "The service-level target results are judged "
                                        "against.", default="every key at its default"),
    ("Scenario", "inbound"): Doc("", lambda: f"1 to {MAX_TYPES:,}; names distinct",
                                 "The inbound contact "
                                 "types (see [`[[inbound]]`](#inbound))."),
    ("Scenario", "groups"): Doc("", lambda: f"1 to {MAX_GROUPS:,}; names distinct",
                                "The agent groups (see "
                                "[`[[groups]]`](#groups))."),
    ("Scenario", "outbound"): Doc("", lambda: f"at most {MAX_CAMPAIGNS:,}; names distinct",
                                  "Outbound campaigns (see "
                                  "[`[[outbound]]`](#outbound)).", unset="no outbound work"),
    ("Scenario", "blending"): Doc("", lambda: f"at most {MAX_POLICIES:,} policies",
                                  "Blending policies; "
                                  "several must all agree.",
                                  unset="`threshold` with `reserve = 0`: a blended agent "
                                  "dials whenever it is idle and no contact waits for it"),
    # --- [day] ---
    ("Day", "open_at"): Doc("clock time", '"HH:MM" or "HH:MM:SS", before "24:00"',
                            "When contacts start arriving."),
    ("Day", "close_at"): Doc("clock time",
                             lambda: "after `open`, a whole number of intervals later (may pass "
                             f"\"24:00\"), at most {MAX_DAY // 3600:,} hours after it",
                             "When contacts stop arriving. Those already waiting are still "
                             "answered, by the agents on duty at closing, who stay while a "
                             "contact waits for them."),
    ("Day", "interval"): Doc("minutes", _minutes, "The planning interval. Every per-interval "
                             "list (`volume`, `headcount`, ...) has one value per interval "
                             "from `open` to `close`, and results are given per interval."),
    # --- [service_target] ---
    ("ServiceTarget", "level"): Doc("fraction", "> 0 and < 1", "Share of contacts to answer "
                                    "within `seconds`."),
    ("ServiceTarget", "seconds"): Doc("seconds", ">= 0", "The answer-time threshold of the "
                                      "target."),
    ("ServiceTarget", "definition"): Doc("text", lambda: _quoted(SL_DEFINITIONS),
                                         "What the share is of: `offered` (answered within "
                                         "`seconds` / all contacts offered), `answered` (/ "
                                         "answered contacts) or `short_abandons_excluded` "
                                         "(/ offered minus callers who hung up after waiting "
                                         "less than `short_abandon_seconds`)."),
    ("ServiceTarget", "short_abandon"): Doc("seconds", ">= 0", "The short-abandon limit of "
                                            "`short_abandons_excluded` (unused by the other "
                                            "definitions)."),
    ("ServiceTarget", "rule"): Doc("text", lambda: _quoted(RULES), "What must reach `level`: "
                                   "`day` (the day's service level), `every_interval` (each "
                                   "interval's) or `share_of_intervals` (at least `share` of "
                                   "the intervals). Verdicts, the trade-off's best point and "
                                   "staffing by simulation follow it."),
    ("ServiceTarget", "share"): Doc("fraction", "> 0 and <= 1", "For `share_of_intervals`: the "
                                    "share of intervals (with contacts) that must reach "
                                    "`level`."),
    ("ServiceTarget", "estimator"): Doc("text", lambda: _quoted(ESTIMATORS), "How an "
                                        "interval's service level is estimated over simulated "
                                        "days: `daily` (the mean of the interval's daily "
                                        "ratios: what a planner lives with day to day) or "
                                        "`pooled` (the ratio of all days' counts pooled)."),
    # --- [[inbound]] ---
    ("InboundType", "name"): Doc("text", lambda: _name("; distinct"), "The type's name, which "
                                 "agent groups list in `skills`."),
    ("InboundType", "handle_time"): Doc("seconds", "a [distribution](#distributions)",
                                        "Talk time of an answered contact."),
    ("InboundType", "volume"): Doc("calls per interval", lambda: f">= 0, at most {MAX_CALLS:,}; "
                                   "one per interval",
                                   "Expected calls in each interval.",
                                   default=_ONE_VOLUME),
    ("InboundType", "rate_per_hour"): Doc("calls per hour", lambda: f">= 0, at most "
                                          f"{MAX_CALLS:,}; one per interval",
                                          "The arrival rate in each interval.",
                                          default=_ONE_VOLUME),
    ("InboundType", "daily_volume"): Doc("calls per day", lambda: f">= 0, at most "
                                         f"{MAX_CALLS:,}; with `shape`",
                                         "Expected calls in the whole day, spread over the "
                                         "intervals by `shape`.", default=_ONE_VOLUME),
    ("InboundType", "shape"): Doc("weights", ">= 0, one per interval, positive sum",
                                  "Intraday pattern: interval i gets `daily_volume` x "
                                  "shape[i] / sum(shape) calls.", default=_ONE_VOLUME),
    ("InboundType", "arrival_times"): Doc("clock times", lambda: "within opening hours; at most "
                                          f"{MAX_CALLS:,}",
                                          "Exact arrival instants to replay instead of "
                                          "drawing arrivals (a real trace, or a tiny test).",
                                          default=_ONE_VOLUME),
    ("InboundType", "busyness_cv"): Doc("coefficient of variation",
                                        lambda: f">= 0, at most {MAX_BUSYNESS_CV:g}", "Forecast "
                                        "error: each simulated day multiplies the type's "
                                        "whole-day rate by a gamma factor with mean 1 and "
                                        "this coefficient of variation. 0: no error."),
    ("InboundType", "wrap_up"): Doc("seconds", "a [distribution](#distributions)",
                                    "After-call work: the agent stays busy this long after "
                                    "the conversation.", unset="no wrap-up"),
    ("InboundType", "patience"): Doc("seconds", "a [distribution](#distributions)",
                                     "How long a waiting caller holds before hanging up "
                                     "(`abandoned`), drawn per caller.",
                                     unset="nobody hangs up: callers wait as long as it "
                                     "takes (agents on duty at closing stay until no one "
                                     "waits; a caller left waiting when no agent is on duty "
                                     "any more is counted `unserved`)"),
    ("InboundType", "balk_probability"): Doc("probability", "0 to 1", "Chance that a caller "
                                             "who finds no free agent hangs up at once "
                                             "(`balked`) instead of waiting."),
    ("InboundType", "queue_capacity"): Doc("callers", lambda: "whole number >= 0, at most "
                                           f"{MAX_CALLS:,}", "At most this "
                                           "many callers of the type wait; one more is "
                                           "`blocked` (a busy tone). 0: nobody waits (a loss "
                                           "system).", unset="unlimited"),
    ("InboundType", "priority"): Doc("rank", lambda: f"whole number from -{MAX_PRIORITY:,} to "
                                     f"{MAX_PRIORITY:,}", "A free agent takes the "
                                     "waiting contact of highest priority among its skills, "
                                     "then the one that has waited longest (ties go to the "
                                     "agent's first skill)."),
    ("InboundType", "groups"): Doc("group names", lambda: f"groups with this skill; at most "
                                   f"{MAX_GROUPS:,}", "The groups "
                                   "that may answer, in order of preference: an arriving "
                                   "contact goes to the longest-idle agent of the first "
                                   "listed group (without an overflow delay) that has one "
                                   "idle.",
                                   unset="every group with this skill, in file order"),
    ("InboundType", "overflow_after"): Doc("seconds", lambda: f">= 0, at most {MAX_DAY:,}; one "
                                           "per entry of `groups`",
                                           "How long a contact must have waited before each "
                                           "group of `groups` may take it.",
                                           unset="0 for every group (needs `groups`)"),
    # --- [[groups]] ---
    ("AgentGroup", "name"): Doc("text", lambda: _name("; distinct"), "The group's name."),
    ("AgentGroup", "skills"): Doc("inbound type names",
                                  lambda: f"no repeats; at most {MAX_TYPES:,}",
                                  "The inbound types its agents answer, in order of preference.",
                                  default="required unless the group only calls outbound"),
    ("AgentGroup", "headcount"): Doc("agents",
                                     lambda: f"whole numbers from 0 to {MAX_HEADCOUNT:,}; "
                                     "one per interval",
                                     "Agents on duty in each interval: agent k of the group "
                                     "works in every interval whose head count exceeds k.",
                                     default=_ONE_STAFFING),
    ("AgentGroup", "shifts"): Doc("", lambda: f"at most {MAX_SHIFTS:,}; see [shifts](#shifts)",
                                  "Agents on shifts instead of "
                                  "a head count per interval.", default=_ONE_STAFFING),
    ("AgentGroup", "outbound"): Doc("campaign names", lambda: "campaigns of `[[outbound]]`; at "
                                    f"most {MAX_CAMPAIGNS:,}",
                                    "The campaigns its agents call for. With `skills` the "
                                    "group is blended; without, outbound-only.",
                                    unset="the group never dials"),
    # --- shifts ---
    ("Shift", "start_at"): Doc("clock time", "at most 12 hours before `open`, not after "
                               "`close`", "When the shift's agents log on."),
    ("Shift", "end_at"): Doc("clock time", "after `start`; may pass `close`", "When they "
                             "log off: an agent finishes the contact in hand first."),
    ("Shift", "count"): Doc("agents", lambda: f"whole number from 0 to {MAX_HEADCOUNT:,}",
                            "Agents on this shift (each "
                            "shift's agents are different people)."),
    ("Shift", "breaks"): Doc("clock times", lambda: f"at most {MAX_BREAKS}; in order, not "
                             "overlapping, each after `start` and before `end`",
                             "Off-duty spans `[\"start\", \"end\"]` (lunch, short breaks): "
                             "an agent finishes the contact in hand, leaves, and comes back "
                             "at the break's end. Breaks are paid but not worked.",
                             unset="on duty from `start` to `end` without a break"),
    # --- [[outbound]] ---
    ("OutboundCampaign", "name"): Doc("text", lambda: _name("; distinct; called by a group"),
                                      "The campaign's name, which agent groups list in "
                                      "`outbound`."),
    ("OutboundCampaign", "talk_time"): Doc("seconds", "a [distribution](#distributions) with "
                                           "mean > 0", "Conversation with a connected "
                                           "customer."),
    ("OutboundCampaign", "list_size"): Doc("records", lambda: "whole number from 0 to "
                                           f"{MAX_LIST_SIZE:,}", "Customers to call "
                                           "in the day, split at random among the segments "
                                           "in proportion to `share`.",
                                           unset="unlimited: the list never runs out"),
    ("OutboundCampaign", "segments"): Doc("", lambda: f"at most {MAX_SEGMENTS:,}; names distinct",
                                          "Parts of the list, each optionally called only "
                                          "by some groups.",
                                          unset="one segment, `all`, of every record"),
    ("OutboundCampaign", "windows"): Doc("clock-time pairs", lambda: "start before end; at most "
                                         f"{MAX_WINDOWS:,}",
                                         "Dialling is allowed only inside these [start, end) "
                                         "windows.", unset="the whole opening hours"),
    ("OutboundCampaign", "stop_before_close"): Doc("seconds", ">= 0", "No new attempt in "
                                                   "this last part of the day."),
    ("OutboundCampaign", "connect_probability"): Doc("probability", "0 to 1; one value, or "
                                                     "one per interval", "Chance that an "
                                                     "attempt reaches the right party (per "
                                                     "interval: by the interval of "
                                                     "dialling)."),
    ("OutboundCampaign", "attempt_time"): Doc("seconds", lambda: "a [distribution]"
                                              f"(#distributions) with mean >= "
                                              f"{MIN_ATTEMPT_SECONDS:g} unless every attempt "
                                              "connects",
                                              "Agent time lost on a failed attempt (no "
                                              "answer, busy, voicemail)."),
    ("OutboundCampaign", "connect_time"): Doc("seconds", "a [distribution](#distributions)",
                                              "Ringing before a connected call's "
                                              "conversation."),
    ("OutboundCampaign", "wrap_up"): Doc("seconds", "a [distribution](#distributions)",
                                         "After-call work after a conversation.",
                                         unset="no wrap-up"),
    ("OutboundCampaign", "max_attempts"): Doc("attempts", lambda: "whole number from 1 to "
                                              f"{MAX_MAX_ATTEMPTS:,}", "Attempts per "
                                              "record at most."),
    ("OutboundCampaign", "retry_after"): Doc("seconds", lambda: _duration(">= 0"),
                                             "Wait after a failed "
                                             "attempt before the record is tried again."),
    ("OutboundCampaign", "dial_ratio"): Doc("calls per ready agent",
                                            lambda: f">= 1, at most {MAX_DIAL_RATIO:g}",
                                            "Attempts kept "
                                            "in progress per agent waiting for a connect: 1 "
                                            "is progressive dialling, more is predictive."),
    ("OutboundCampaign", "connected_patience"): Doc("seconds", "a "
                                                    "[distribution](#distributions)",
                                                    "How long a connected customer who finds "
                                                    "no agent free waits before hanging up "
                                                    "(a `mismatch`)."),
    ("OutboundCampaign", "abandon_cap"): Doc("fraction", "0 to 1", "The limit on mismatches "
                                             "per live connect that results are checked "
                                             "against (3% is a common regulatory limit). It "
                                             "is reported, not enforced: dialling does not "
                                             "change."),
    # --- segments ---
    ("Segment", "name"): Doc("text", lambda: _name("; distinct within the campaign"),
                             "The segment's name."),
    ("Segment", "share"): Doc("weight", "> 0, at most 1,000,000",
                              "The segment's share of `list_size` (shares "
                              "are relative: 0.7 and 0.3 split like 7 and 3)."),
    ("Segment", "groups"): Doc("group names", "groups calling for the campaign", "The groups "
                               "that may talk to these customers, best first.",
                               unset="every group on the campaign"),
    # --- distributions ---
    ("Exponential", "mean"): Doc("seconds", _duration, "The mean (memoryless: CV 1)."),
    ("Deterministic", "value"): Doc("seconds", lambda: _duration(">= 0"), "Always this long."),
    ("Lognormal", "mean"): Doc("seconds", _duration, "The mean."),
    ("Lognormal", "cv"): Doc("ratio", lambda: f"{MIN_CV:g} to {MAX_CV:g}",
                             "Coefficient of variation: standard deviation "
                             "/ mean."),
    ("Gamma", "mean"): Doc("seconds", _duration, "The mean."),
    ("Gamma", "cv"): Doc("ratio", lambda: f"{MIN_CV:g} to {MAX_CV:g}",
                         "Coefficient of variation (1 is exponential)."),
    ("Uniform", "low"): Doc("seconds", lambda: _duration(">= 0"), "The shortest value."),
    ("Uniform", "high"): Doc("seconds", lambda: _duration("> `low`"), "The longest value."),
    ("Empirical", "values"): Doc("seconds", lambda: f"1 to {MAX_EMPIRICAL_VALUES:,} values, "
                                 + _duration("each >= 0"), "Observed values (e.g. "
                                 "from a call log), drawn from uniformly."),
    # --- blending policies ---
    ("Threshold", "reserve"): Doc("agents", lambda: f"whole number >= 0, at most {MAX_AGENTS:,}; "
                                  "or a list of them, one per interval",
                                  "Idle agents kept for inbound: an agent dials only while more "
                                  "than `reserve` agents able to take inbound are idle, counting "
                                  "itself and counting blended agents, so at least `reserve` "
                                  "stay idle. A list (e.g. `[3, 3, 2, 2]`) gives each interval "
                                  "its own reserve; where it drops, idle agents are asked again "
                                  "at the interval's start."),
    ("Threshold", "min_idle_blended"): Doc("agents", lambda: "whole number >= 1, at most "
                                           f"{MAX_AGENTS:,}", "And only while at "
                                           "least this many blended agents are idle, counting "
                                           "itself."),
    ("ServiceLevelGuard", "level"): Doc("fraction", "> 0 and < 1", "Outbound pauses while the "
                                        "recent service level is under this."),
    ("ServiceLevelGuard", "seconds"): Doc("seconds", ">= 0", "The answer-time threshold of "
                                          "that service level."),
    ("ServiceLevelGuard", "window"): Doc("seconds", ">= 0", "How far back \"recent\" reaches: "
                                         "the inbound contacts whose wait ended (answered or "
                                         "hung up) in the last `window` seconds."),
    ("TimeWindows", "windows"): Doc("clock-time pairs", lambda: "start before end; at most "
                                    f"{MAX_WINDOWS:,}", "Outbound only "
                                    "inside these [start, end) windows."),
    ("AllOf", "policies"): Doc("", "", "Several `[[blending]]` tables mean that outbound "
                               "work starts only when every one of them agrees (`AllOf` in "
                               "Python)."),
}

# Every dataclass a scenario file holds: DOCS has an entry for each of their fields.
CLASSES: tuple[type, ...] = (
    Scenario, Day, ServiceTarget, InboundType, AgentGroup, Shift, OutboundCampaign, Segment,
    Exponential, Deterministic, Lognormal, Gamma, Uniform, Empirical,
    Dedicated, Threshold, ServiceLevelGuard, TimeWindows, AllOf,
)

# Dataclass fields that a file calls by another name.
FILE_KEYS: dict[tuple[str, str], str] = {
    ("Day", "open_at"): "open",
    ("Day", "close_at"): "close",
    ("Day", "interval"): "interval_minutes",
    ("ServiceTarget", "short_abandon"): "short_abandon_seconds",
    ("Shift", "start_at"): "start",
    ("Shift", "end_at"): "end",
}

# Keys a file must give although the dataclass has a default.
FILE_REQUIRED: set[tuple[str, str]] = {("Threshold", "reserve")}

# Keys of a file that no dataclass field holds.
FILE_ONLY: dict[tuple[str, str], Doc] = {
    ("Scenario", "schema_version"): Doc("", lambda: f"{SCHEMA_VERSION}", "The version of "
                                        "the file format."),
}

# Fields a file writes as clock times ("HH:MM").
CLOCK_FIELDS = {("Day", "open_at"), ("Day", "close_at"), ("Shift", "start_at"),
                ("Shift", "end_at"), ("Shift", "breaks"), ("InboundType", "arrival_times"),
                ("OutboundCampaign", "windows"), ("TimeWindows", "windows")}

# The file form of a default that differs from the dataclass value (seconds -> minutes).
FILE_FORM = {("Day", "interval"): lambda seconds: int(seconds // 60)}


def file_key(cls_name: str, field_name: str) -> str:
    """The key a scenario file uses for a dataclass field."""
    return FILE_KEYS.get((cls_name, field_name), field_name)


class Section(NamedTuple):
    """One table of the file: its heading, its dataclass and which keys it requires."""

    anchor: str
    heading: str
    cls: type
    required: tuple[str, ...]  # file keys
    intro: str
    example: str


MINIMAL_SCENARIO = """\
schema_version = 1

[day]
open = "08:00"
close = "10:00"

[[inbound]]
name = "calls"
volume = [20, 30, 30, 20]
handle_time = { dist = "exponential", mean = 240 }

[[groups]]
name = "team"
skills = ["calls"]
headcount = [4, 5, 5, 4]
"""

SECTIONS: tuple[Section, ...] = (
    Section("top", "The top level", Scenario, ("schema_version", "day", "inbound", "groups"),
            "A scenario file is TOML. Its top level holds a few keys and the tables below. "
            "The smallest complete file: two hours of one call type answered by one team "
            "(30-minute intervals, so every per-interval list has four values). Every "
            "example further down is a fragment that fits into this file: its tables replace "
            "the tables of the same name here.", MINIMAL_SCENARIO),
    Section("day", "`[day]`: opening hours", Day, ("open", "close"),
            "Clock times are text, `\"HH:MM\"` or `\"HH:MM:SS\"`, and may pass `\"24:00\"` "
            "for a centre open after midnight; inside blendsim they are seconds after "
            "midnight.",
            '[day]\nopen = "08:00"\nclose = "10:00"\ninterval_minutes = 30\n'),
    Section("service_target", "`[service_target]`: the service-level target", ServiceTarget,
            (), "Optional: left out, every key takes its default (80% within 20 seconds of "
            "the calls offered). Results report the service level per interval and the "
            "intervals under target.",
            '[service_target]\nlevel = 0.9\nseconds = 30\ndefinition = "answered"\n'),
    Section("inbound", "`[[inbound]]`: inbound contact types", InboundType,
            ("name", "handle_time"),
            "One table per type of contact. Give its volume exactly one way: `volume`, "
            "`rate_per_hour`, `daily_volume` with `shape`, or `arrival_times`. Arrivals are "
            "a Poisson process whose rate is constant within each interval (except "
            "`arrival_times`, which are replayed as given). Each contact's handle time, "
            "wrap-up and patience are drawn when it arrives, from its type's own random "
            "streams. Leaving out `patience` means that **nobody hangs up**.",
            '[[inbound]]\nname = "calls"\nrate_per_hour = [40, 60, 60, 40]\n'
            'handle_time = { dist = "lognormal", mean = 240, cv = 0.8 }\n'
            'wrap_up = { dist = "deterministic", value = 30 }\n'
            'patience = { dist = "exponential", mean = 300 }\n'
            'queue_capacity = 20\n'),
    Section("groups", "`[[groups]]`: agent groups", AgentGroup, ("name",),
            "One table per group of agents with the same skills. Give `headcount` (agents "
            "per interval) or `shifts`, not both. A group with `skills` only answers "
            "inbound; with `skills` and `outbound` it is **blended** (its agents answer "
            "inbound and, when the blending policy agrees, dial); with `outbound` only it "
            "dials whenever its campaign may. Head counts count people, blended agents once, "
            "in their own group (see the [questions](#questions) above).",
            '[[groups]]\nname = "team"\nskills = ["calls"]\nshifts = [\n'
            '    { start = "07:30", end = "09:30", count = 3 },\n'
            '    { start = "08:30", end = "11:00", count = 2 },\n]\n'),
    Section("shifts", "`shifts`: a group's working hours", Shift, ("start", "end"),
            "A list of inline tables in a group: `count` agents work from `start` to `end`. "
            "An agent may log on before opening (to answer from the first minute) and "
            "finishes the contact in hand before logging off. At closing, agents on duty "
            "stay while a contact waits for them. `breaks` take agents off duty in the "
            "middle of a shift the same way: callers wait for them or for other agents.",
            '[[groups]]\nname = "team"\nskills = ["calls"]\n'
            'shifts = [\n    { start = "08:00", end = "10:00", count = 5 },\n'
            '    { start = "08:00", end = "10:00", count = 2, breaks = [["09:00", '
            '"09:15"]] },\n]\n'),
    Section("outbound", "`[[outbound]]`: outbound campaigns", OutboundCampaign,
            ("name", "talk_time"),
            "One table per calling campaign; an agent group calls for it by listing it in "
            "`outbound`. A record is tried up to `max_attempts` times, `retry_after` seconds "
            "apart, while dialling is allowed. An attempt fails (taking `attempt_time`) or "
            "connects (`connect_time` of ringing, then `talk_time` and `wrap_up`). A "
            "connected customer is given to an agent before any waiting inbound caller. "
            "Outbound work is never interrupted for inbound.",
            '[[groups]]\nname = "team"\nskills = ["calls"]\noutbound = ["renewals"]\n'
            'headcount = [4, 5, 5, 4]\n\n'
            '[[outbound]]\nname = "renewals"\nlist_size = 200\n'
            'windows = [["08:30", "09:30"]]\nconnect_probability = 0.35\n'
            'talk_time = { dist = "lognormal", mean = 300, cv = 0.6 }\n'
            'wrap_up = { dist = "deterministic", value = 60 }\n'
            'segments = [{ name = "cards", share = 0.7 }, { name = "loans", share = 0.3 }]\n'),
    Section("segments", "`segments`: parts of a campaign's list", Segment, ("name",),
            "A list of inline tables in a campaign. Each segment gets its share of the "
            "records and may be reserved for some groups (matching customers to the agents "
            "best able to serve them).",
            '[[groups]]\nname = "team"\nskills = ["calls"]\noutbound = ["renewals"]\n'
            'headcount = [4, 5, 5, 4]\n\n'
            '[[groups]]\nname = "specialists"\noutbound = ["renewals"]\n'
            'headcount = [0, 1, 1, 0]\n\n'
            '[[outbound]]\nname = "renewals"\n'
            'talk_time = { dist = "exponential", mean = 300 }\nsegments = [\n'
            '    { name = "cards", share = 0.7 },\n'
            '    { name = "loans", share = 0.3, groups = ["specialists"] },\n]\n'),
)

# The distributions of a scenario file, each with an example value.
DISTRIBUTIONS = (
    (Exponential(mean=240), "Memoryless; the textbook model of patience."),
    (Deterministic(value=30), "A fixed time; 0 allowed."),
    (Lognormal(mean=240, cv=0.8), "Right-skewed, the usual shape of handle times."),
    (Gamma(mean=240, cv=0.8), "Right-skewed; CV 1 is exponential."),
    (Uniform(low=60, high=300), "Equally likely anywhere between `low` and `high`."),
    (Empirical(values=(120, 180, 240, 600)), "Replays observed durations."),
)

# The blending policies of a scenario file, each with an example value.
POLICIES = (
    (Dedicated(), "Blended agents never dial (outbound-only agents still do)."),
    (Threshold(reserve=2), "The Bhulai-Koole threshold policy: dial only while enough agents "
     "stay idle for inbound."),
    (ServiceLevelGuard(), "Pause outbound while inbound service suffers: no new outbound "
     "while an inbound caller waits that the agent could answer, or while the recent service "
     "level is under `level`."),
    (TimeWindows(windows=((10 * 3600.0, 16 * 3600.0),)), "Outbound only in the given hours."),
)

BLENDING_EXAMPLE = """\
[[groups]]
name = "team"
skills = ["calls"]
outbound = ["renewals"]
headcount = [4, 5, 5, 4]

[[outbound]]
name = "renewals"
talk_time = { dist = "exponential", mean = 300 }

[[blending]]
policy = "time_windows"
windows = [["08:30", "09:30"]]

[[blending]]
policy = "threshold"
reserve = 2
"""

DISTRIBUTION_EXAMPLE = """\
[[inbound]]
name = "calls"
volume = [20, 30, 30, 20]
handle_time = { dist = "lognormal", mean = 240, cv = 0.8 }
wrap_up = { dist = "uniform", low = 10, high = 50 }
patience = { dist = "empirical", values = [30, 90, 300, 900] }
"""
