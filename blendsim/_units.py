"""Clock times: ``"07:30"`` in a scenario file <-> seconds after midnight of the simulated day."""

from __future__ import annotations

import datetime
import re

from blendsim._validate import is_number
from blendsim.errors import ScenarioError

__all__ = ["format_clock", "parse_clock"]


def parse_clock(text, path: str) -> float:
    """``"07:30"`` (or ``"25:00"``, ``"07:30:15"``, a TOML time) -> seconds after midnight."""
    if is_number(text) and float(text) >= 0:
        return float(text)
    if isinstance(text, datetime.time) and text.tzinfo is None:
        return float(text.hour * 3600 + text.minute * 60 + text.second
                     + text.microsecond / 1e6)
    if isinstance(text, str):
        parts = text.strip().split(":")
        if 2 <= len(parts) <= 3 and all(re.fullmatch(r"[0-9]+", p) for p in parts):
            h, m = int(parts[0]), int(parts[1])
            s = int(parts[2]) if len(parts) == 3 else 0
            if m < 60 and s < 60:
                return float(h * 3600 + m * 60 + s)
    raise ScenarioError([f"{path} must be a clock time like \"07:30\" (got {text!r})"])


def format_clock(seconds: float) -> str | float:
    """Seconds after midnight -> ``"HH:MM"`` (or ``"HH:MM:SS"``); fractions stay numbers."""
    if seconds != int(seconds):
        return float(seconds)
    s = int(seconds)
    h, m, sec = s // 3600, s % 3600 // 60, s % 60
    return f"{h:02d}:{m:02d}" + (f":{sec:02d}" if sec else "")
