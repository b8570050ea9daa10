"""Upper bounds on every size a scenario can hold, and the rules for names.

A scenario is data a person types; a slip of the finger (``headcount = 1e6``,
``max_attempts = 1000000``) must be an error naming the bound, not a run that takes an hour
or all the memory.  Each bound is generous for a real contact centre (the largest sites have
a few thousand agents and take well under a million calls a day) and keeps one replication
within seconds to a minute and a few hundred megabytes.  :data:`LIMITS` lists them all, with
the reason, for the scenario-file reference.
"""

from __future__ import annotations

__all__ = [
    "FORMULA_START",
    "LIMITS",
    "MAX_AGENTS",
    "MAX_BREAKS",
    "MAX_BUSYNESS_CV",
    "MAX_CALLS",
    "MAX_CAMPAIGNS",
    "MAX_CV",
    "MAX_DESCRIPTION",
    "MAX_DIAL_RATIO",
    "MAX_DURATION",
    "MAX_EMPIRICAL_VALUES",
    "MAX_FILE_BYTES",
    "MAX_GROUPS",
    "MAX_HEADCOUNT",
    "MAX_LIST_SIZE",
    "MAX_MAX_ATTEMPTS",
    "MAX_NAME",
    "MAX_OUTBOUND_ATTEMPTS",
    "MAX_POLICIES",
    "MAX_PRIORITY",
    "MAX_SEGMENTS",
    "MAX_SHIFTS",
    "MAX_TYPES",
    "MAX_WINDOWS",
    "MIN_ATTEMPT_SECONDS",
    "MIN_CV",
    "name_problem",
    "safe",
]

MAX_NAME = 100  # characters in any name (scenario, type, group, campaign, segment)
MAX_DESCRIPTION = 10_000  # characters in the scenario's description
MAX_TYPES = 100  # inbound types
MAX_GROUPS = 1_000  # agent groups (an event's cost does not grow with them: bench_groups.py)
MAX_CAMPAIGNS = 20  # outbound campaigns
MAX_SEGMENTS = 50  # segments of one campaign
MAX_SHIFTS = 1_000  # shifts of one group
MAX_BREAKS = 8  # breaks of one shift (a lunch and a few short breaks)
MAX_WINDOWS = 50  # dialling windows of one campaign or time_windows policy
MAX_POLICIES = 10  # blending policies
MAX_HEADCOUNT = 5_000  # agents of one group in one interval, or on one shift
MAX_AGENTS = 10_000  # agents in the whole scenario (each group's largest head count + shifts)
MAX_CALLS = 1_000_000  # expected inbound calls in a day, all types together
MAX_LIST_SIZE = 200_000  # records of one campaign's list
MAX_MAX_ATTEMPTS = 10  # attempts per record
MAX_OUTBOUND_ATTEMPTS = 1_000_000  # call attempts a day can make, all campaigns together
MAX_DIAL_RATIO = 10.0  # predictive diallers run at 1.2 to 3 calls per waiting agent
MIN_ATTEMPT_SECONDS = 1.0  # shortest mean time an outbound attempt may take
MAX_DURATION = 7 * 24 * 3600.0  # seconds: the largest mean (or value) of any time distribution
MIN_CV = 1e-3  # coefficient of variation of lognormal/gamma: below, use deterministic
MAX_CV = 5.0  # above, a few huge draws dominate every figure (sampling breaks down)
MAX_BUSYNESS_CV = 1.0  # forecast error of a whole day's volume
MAX_EMPIRICAL_VALUES = 100_000  # observed values of an empirical distribution
MAX_PRIORITY = 1_000_000  # |priority| of an inbound type
MAX_FILE_BYTES = 10_000_000  # size of a scenario file
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # spreadsheets run a cell starting so

LIMITS: dict[str, tuple[float, str]] = {
    "MAX_NAME": (MAX_NAME, "characters in a name: names head tables, charts and file names"),
    "MAX_DESCRIPTION": (MAX_DESCRIPTION, "characters in the description"),
    "MAX_TYPES": (MAX_TYPES, "inbound types"),
    "MAX_GROUPS": (MAX_GROUPS, "agent groups"),
    "MAX_CAMPAIGNS": (MAX_CAMPAIGNS, "outbound campaigns"),
    "MAX_SEGMENTS": (MAX_SEGMENTS, "segments of one campaign"),
    "MAX_SHIFTS": (MAX_SHIFTS, "shifts of one group"),
    "MAX_BREAKS": (MAX_BREAKS, "breaks of one shift (a lunch and a few short breaks)"),
    "MAX_WINDOWS": (MAX_WINDOWS, "dialling windows of a campaign or a time_windows policy"),
    "MAX_POLICIES": (MAX_POLICIES, "blending policies"),
    "MAX_HEADCOUNT": (MAX_HEADCOUNT, "agents of one group in one interval, or on one shift"),
    "MAX_AGENTS": (MAX_AGENTS, "agents in the scenario (the engine keeps state per agent)"),
    "MAX_CALLS": (MAX_CALLS, "expected inbound calls in the day, all types together"),
    "MAX_LIST_SIZE": (MAX_LIST_SIZE, "records in one campaign's list"),
    "MAX_MAX_ATTEMPTS": (MAX_MAX_ATTEMPTS, "attempts per record"),
    "MAX_OUTBOUND_ATTEMPTS": (MAX_OUTBOUND_ATTEMPTS,
                              "call attempts a day can make (one record row each)"),
    "MAX_DIAL_RATIO": (MAX_DIAL_RATIO, "calls in progress per agent waiting for a connect"),
    "MIN_ATTEMPT_SECONDS": (MIN_ATTEMPT_SECONDS,
                            "shortest mean duration of an outbound attempt, in seconds"),
    "MAX_DURATION": (MAX_DURATION, "seconds: the largest mean of a time distribution"),
    "MIN_CV": (MIN_CV, "smallest coefficient of variation of lognormal and gamma"),
    "MAX_CV": (MAX_CV, "largest coefficient of variation of lognormal and gamma"),
    "MAX_BUSYNESS_CV": (MAX_BUSYNESS_CV, "largest busyness_cv (day-level forecast error)"),
    "MAX_EMPIRICAL_VALUES": (MAX_EMPIRICAL_VALUES, "values of an empirical distribution"),
    "MAX_PRIORITY": (MAX_PRIORITY, "largest |priority| of an inbound type"),
    "MAX_FILE_BYTES": (MAX_FILE_BYTES, "bytes in a scenario file"),
}


def safe(value, limit: int = 80) -> str:
    """``repr`` of a value for an error message: control characters escaped, long text cut."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def name_problem(path: str, value) -> str | None:
    """What is wrong with a name, or None: non-empty text, at most :data:`MAX_NAME`
    characters, no control characters, not starting like a spreadsheet formula."""
    if not isinstance(value, str) or not value.strip():
        return f"{path} must be a non-empty text (got {safe(value)})"
    if len(value) > MAX_NAME:
        return (f"{path} must be at most {MAX_NAME} characters (got {len(value):,}: "
                f"{safe(value, 40)}); names head tables, charts and file names")
    if any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in value):
        return (f"{path} must not contain control characters such as newlines or escape "
                f"codes (got {safe(value)})")
    if value.startswith(FORMULA_START):
        return (f"{path} must not start with =, +, -, @, a tab or a carriage return (got "
                f"{safe(value)}): spreadsheets run such a CSV cell as a formula "
                f"(formula injection)")
    return None
