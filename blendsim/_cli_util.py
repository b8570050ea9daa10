"""Shared pieces of the command line: parsing options, formatting tables, writing files.

Parsing helpers raise :class:`InputError` naming the option, the value and the allowed form,
so that every command reports bad input the same way: one line, exit status 1.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np

from .errors import InputError

# --------------------------------------------------------------------------------------------
# Parsing helpers: each raises InputError naming the option, the value and the allowed form

_UNITS = {"s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
          "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
          "h": 3600, "hr": 3600, "hour": 3600, "hours": 3600}


def parse_duration(option: str, text: str, *, default_unit: str | None = "s",
                   positive: bool = True) -> float:
    """``"30m"`` -> 1800.0; a bare number takes ``default_unit`` (or is refused if None)."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-zA-Z]*)\s*", str(text))
    unit = m.group(2).lower() if m else None
    if not m or (unit and unit not in _UNITS) or (not unit and default_unit is None):
        forms = "30m, 1h or 900s" if default_unit is None else "240, 240s, 4m or 1h"
        raise InputError(f"{option} must be a duration such as {forms} (got {text!r})")
    seconds = float(m.group(1)) * _UNITS[unit or default_unit]
    if positive and seconds <= 0:
        raise InputError(f"{option} must be longer than 0 seconds (got {text!r})")
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
    return pct / 100.0, secs


def parse_int_range(option: str, text: str) -> list[int]:
    """``"0..5"`` -> [0, 1, 2, 3, 4, 5]; ``"0,2,4"`` -> [0, 2, 4]."""
    text = str(text).strip()
    m = re.fullmatch(r"(\d+)\s*\.\.\s*(\d+)", text)
    if m:
        lo, hi = int(m.group(1)), int(m.group(2))
        if lo > hi:
            raise InputError(f"{option} range must run upwards, like 0..5 (got {text!r})")
        return list(range(lo, hi + 1))
    if re.fullmatch(r"\d+(\s*,\s*\d+)*", text):
        return sorted({int(x) for x in text.split(",")})
    raise InputError(f"{option} must be a range like 0..5 or a list like 0,2,4 (got {text!r})")


def number_option(option: str, text: str, *, low: float | None = 0.0, low_open=False,
            high: float | None = None, high_open=False, integer=False) -> float:
    try:
        x = float(text)
    except ValueError:
        raise InputError(f"{option} must be a number (got {text!r})") from None
    bad = (not math.isfinite(x)
           or (low is not None and (x <= low if low_open else x < low))
           or (high is not None and (x >= high if high_open else x > high))
           or (integer and x != int(x)))
    if bad:
        rule = []
        if integer:
            rule.append("a whole number")
        if low is not None:
            rule.append(f"{'>' if low_open else '>='} {low:g}")
        if high is not None:
            rule.append(f"{'<' if high_open else '<='} {high:g}")
        raise InputError(f"{option} must be {' and '.join(rule) or 'finite'} (got {text!r})")
    return x


# --------------------------------------------------------------------------------------------
# Output helpers


def format_table(headers: list[str], rows: list[list[str]],
                 marks: dict[int, str] | None = None) -> str:
    """Right-aligned columns under their headers; ``marks`` adds a note after some rows."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))]
    for n, r in enumerate(rows):
        line = "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True))
        if marks and n in marks:
            line += "  " + marks[n]
        lines.append(line)
    return "\n".join(lines)


def pct(x: float | None, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{100.0 * x:.{digits}f}%"


def secs(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return "inf" if math.isinf(x) else f"{x:.1f}"


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file, so a failure leaves nothing half done."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise InputError(f"--out folder does not exist: {str(path.parent)!r}")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _json_default(x):
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating,)):
        return float(x)
    raise TypeError(repr(x))


def dumps(obj) -> str:
    def clean(v):
        if isinstance(v, float) and not math.isfinite(v):
            return None if math.isnan(v) else ("inf" if v > 0 else "-inf")
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, list):
            return [clean(x) for x in v]
        return v

    return json.dumps(clean(obj), indent=2, default=_json_default)




def write_folder_atomically(folder: Path, files: dict[str, str | bytes]) -> list[Path]:
    """Write ``files`` (name -> text or bytes) into ``folder``: all of them or none.

    The files are written to a temporary folder beside ``folder`` first and moved in only
    when every one of them is complete.
    """
    folder = Path(folder)
    parent = folder.parent if str(folder.parent) else Path(".")
    if not parent.exists():
        raise InputError(f"--out: the folder {str(parent)!r} does not exist")
    if folder.exists() and not folder.is_dir():
        raise InputError(f"--out: {str(folder)!r} exists and is not a folder")
    staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{folder.name}.", suffix=".tmp"))
    try:
        for name, content in files.items():
            if isinstance(content, bytes):
                (staging / name).write_bytes(content)
            else:
                (staging / name).write_text(content, newline="")
        folder.mkdir(exist_ok=True)
        written = []
        for name in files:
            os.replace(staging / name, folder / name)
            written.append(folder / name)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
