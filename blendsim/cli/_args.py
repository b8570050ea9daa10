"""Parsing the command line's options: durations, targets, ranges, numbers and seeds.

Parsing helpers raise :class:`InputError` naming the option, the value and the allowed form,
so that every command reports bad input the same way: one line, exit status 1.
"""

from __future__ import annotations

import math
import re

from blendsim.analytic.forecast import MAX_SECONDS, MIN_SECONDS
from blendsim.errors import InputError

# --------------------------------------------------------------------------------------------
# Parsing helpers: each raises InputError naming the option, the value and the allowed form

_UNITS = {"s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
          "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
          "h": 3600, "hr": 3600, "hour": 3600, "hours": 3600}

# Every duration a user types is between MIN_SECONDS (a millisecond) and MAX_SECONDS (a year),
# the bounds of a forecast's AHT: outside that it is a typo (1e999s, 1e-300s).
# A --reserve/--blended range or list holds at most this many values, none above MAX_INT.
MAX_RANGE_VALUES = 10_000
MAX_INT = 1_000_000_000
_NUMBER = r"[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?"


def _duration_bounds(option: str, seconds: float, text: str, positive: bool) -> None:
    if not math.isfinite(seconds) or seconds > MAX_SECONDS:
        raise InputError(f"{option} must be at most a year ({MAX_SECONDS:,.0f} seconds) "
                         f"(got {text!r})")
    if positive and seconds <= 0:
        raise InputError(f"{option} must be longer than 0 seconds (got {text!r})")
    if seconds and seconds < MIN_SECONDS:
        raise InputError(f"{option} must be at least {MIN_SECONDS:g} seconds"
                         f"{'' if positive else ' (or 0)'} (got {text!r})")


def parse_duration(option: str, text: str, *, default_unit: str | None = "s",
                   positive: bool = True) -> float:
    """``"30m"`` -> 1800.0; a bare number takes ``default_unit`` (or is refused if None).

    Durations are refused outside a millisecond to a year (and 0 unless not ``positive``).
    """
    m = re.fullmatch(rf"\s*({_NUMBER})\s*([a-zA-Z]*)\s*", str(text))
    unit = m.group(2).lower() if m else None
    if not m or (unit and unit not in _UNITS) or (not unit and default_unit is None):
        forms = "30m, 1h or 900s" if default_unit is None else "240, 240s, 4m or 1h"
        raise InputError(f"{option} must be a duration such as {forms} (got {text!r})")
    seconds = float(m.group(1)) * _UNITS[unit or default_unit]
    _duration_bounds(option, seconds, text, positive)
    return seconds


def parse_target(text: str) -> tuple[float, float]:
    """``"80/20"`` -> (0.8, 20.0): 80% of calls answered within 20 seconds."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*%?\s*/\s*([0-9]*\.?[0-9]+)\s*s?\s*", str(text))
    if not m:
        raise InputError(f"--target must look like 80/20 (80% answered within 20 s) "
                         f"(got {text!r})")
    pct, secs = float(m.group(1)), float(m.group(2))
    if not 0 < pct < 100:
        raise InputError(f"--target percentage must be between 0 and 100, exclusive "
                         f"(got {m.group(1)} in {text!r})")
    if pct < 1:
        raise InputError(f"--target percentage {m.group(1)} looks like a fraction: write "
                         f"{100 * pct:g}/{secs:g} for {100 * pct:g}% (got {text!r})")
    _duration_bounds("--target seconds", secs, text, positive=False)
    return pct / 100.0, secs


def parse_int_range(option: str, text: str) -> list[int]:
    """``"0..5"`` -> [0, 1, 2, 3, 4, 5]; ``"0,2,4"`` -> [0, 2, 4].

    At most ``MAX_RANGE_VALUES`` values, each at most ``MAX_INT``.
    """
    text = str(text).strip()
    m = re.fullmatch(r"([0-9]+)\s*\.\.\s*([0-9]+)", text)
    if m:
        lo, hi = (int(g) if len(g) <= 12 else MAX_INT + 1 for g in m.groups())
        values = None
    elif re.fullmatch(r"[0-9]+(\s*,\s*[0-9]+)*", text):
        values = sorted({int(x) if len(x.strip()) <= 12 else MAX_INT + 1
                         for x in text.split(",")})
        lo, hi = values[0], values[-1]
    else:
        raise InputError(f"{option} must be a range like 0..5 or a list like 0,2,4 "
                         f"(got {text!r})")
    if hi > MAX_INT:
        raise InputError(f"{option} values must be at most {MAX_INT:,} (got {text!r})")
    if values is None:
        if lo > hi:
            raise InputError(f"{option} range must run upwards, like 0..5 (got {text!r})")
        if hi - lo + 1 > MAX_RANGE_VALUES:
            raise InputError(f"{option} range holds {hi - lo + 1:,} values; at most "
                             f"{MAX_RANGE_VALUES:,} (got {text!r})")
        values = list(range(lo, hi + 1))
    elif len(values) > MAX_RANGE_VALUES:  # pragma: no cover - a 60 kB command line
        raise InputError(f"{option} lists {len(values):,} values; at most "
                         f"{MAX_RANGE_VALUES:,}")
    return values


def number_option(option: str, text: str, *, low: float | None = 0.0, low_open=False,
                  high: float | None = None, high_open=False, integer=False,
                  fraction=False, why: str = "") -> float:
    """A number option checked against its domain, the message naming option and value.

    ``fraction``: the value is a fraction (shrinkage, occupancy...); a value between 1 and
    100 is refused with the fraction it probably meant (30 -> "did you mean 0.3?").
    ``why`` is added to the message when the value is above ``high``.
    """
    try:
        x = float(text)
    except ValueError:
        raise InputError(f"{option} must be a number (got {text!r})") from None
    if not math.isfinite(x):
        raise InputError(f"{option} must be a finite number (got {text!r})")
    bad = ((low is not None and (x <= low if low_open else x < low))
           or (high is not None and (x >= high if high_open else x > high))
           or (integer and x != int(x)))
    if bad:
        rule = []
        if integer:
            rule.append("a whole number")
        if low is not None:
            rule.append(f"{'>' if low_open else '>='} {low:g}")
        if high is not None:
            rule.append(f"{'<' if high_open else '<='} {high:g}" if high < 1e6
                        else f"{'<' if high_open else '<='} {high:,.0f}")
        hint = ""
        if why and high is not None and (x >= high if high_open else x > high):
            hint = f": {why}"
        if fraction and 1 < x < 100:
            hint = f": it is a fraction, not a percentage; did you mean {x / 100:g}?"
        raise InputError(f"{option} must be {' and '.join(rule)} (got {text!r}){hint}")
    return x


def seed_option(text: str) -> int:
    """``--seed``: a whole number read exactly (a printed 128-bit seed replays the same run).

    Read as a float it would lose every digit past the 16th, and the run it names with it.
    """
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit()):
        raise InputError(f"--seed must be a whole number >= 0 written in digits "
                         f"(got {text!r})")
    if len(digits) > 40:  # 2**128 has 39 digits: the longest seed blendsim prints
        raise InputError(f"--seed must have at most 40 digits (got {len(digits)})")
    return int(digits)
