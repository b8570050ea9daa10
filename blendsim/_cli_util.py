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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import BlendsimError, InputError

# --------------------------------------------------------------------------------------------
# Parsing helpers: each raises InputError naming the option, the value and the allowed form

_UNITS = {"s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
          "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
          "h": 3600, "hr": 3600, "hour": 3600, "hours": 3600}

# Every duration a user types is between a millisecond and a year: outside that it is a typo
# (1e999s, 1e-300s) that would otherwise give a nonsense answer or overflow the formulas.
MIN_SECONDS = 0.001
MAX_SECONDS = 366 * 86400.0
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


def _reason(e: OSError) -> str:
    """``PermissionError(13, 'Permission denied')`` -> ``"permission denied"``."""
    text = e.strerror or str(e) or type(e).__name__
    return text[:1].lower() + text[1:]


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file, so a failure leaves nothing half done.

    A missing folder, a folder where the file should be, or a write the system refuses
    (permission denied, disk full) is a :class:`BlendsimError` naming the path.
    """
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise InputError(f"--out folder does not exist: {str(path.parent)!r}")
    if path.is_dir():
        raise InputError(f"--out {str(path)!r} is a folder; give a file name inside it, "
                         f"e.g. {str(path / 'staffing.csv')!r}")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as e:
        raise BlendsimError(f"cannot write {str(path)!r}: {_reason(e)}") from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(v):
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v


def csv_text(frame) -> str:
    """``frame`` as CSV text: floats in full precision (reading it back gives the same
    numbers), text cells that a spreadsheet would take for a formula (``=``, ``+``, ``-``,
    ``@``) prefixed with an apostrophe."""
    text_columns = [c for c in frame.columns if frame[c].dtype == object
                    or str(frame[c].dtype) in ("category", "string", "str")]
    if text_columns:
        frame = frame.assign(**{str(c): frame[c].astype(object).map(_safe_cell)
                                for c in text_columns})
    return frame.to_csv(index=False)


def _json_default(x):
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating,)):
        return float(x)
    if type(x).__name__ in ("NAType", "NaTType"):  # pandas' missing values
        return None
    raise TypeError(repr(x))


def dumps(obj) -> str:
    """``obj`` as indented JSON: numpy numbers as plain ones, NaN as null, infinities as
    ``"inf"``/``"-inf"`` (JSON has neither)."""

    def clean(v):
        if isinstance(v, np.generic):
            v = v.item()
        if isinstance(v, tuple):
            v = list(v)
        if isinstance(v, float) and not math.isfinite(v):
            return None if math.isnan(v) else ("inf" if v > 0 else "-inf")
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, list):
            return [clean(x) for x in v]
        return v

    return json.dumps(clean(obj), indent=2, default=_json_default)


# An --out folder keeps a list of the files blendsim wrote there, per command, so that a run
# into a folder used before replaces blendsim's own earlier outputs (a stale contacts.csv from
# another scenario must not sit beside the new files) and never deletes a file it did not
# write.  A non-empty folder without that list is refused.
MANIFEST = ".blendsim-outputs.json"


@dataclass(frozen=True)
class Written:
    """What :func:`write_folder_atomically` did: files written, removed and left alone."""

    files: list[Path]
    removed: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def __iter__(self):  # ``for p in written`` lists the files written, as before
        return iter(self.files)


def _read_manifest(folder: Path) -> dict | None:
    path = folder / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    ok = isinstance(data, dict) and isinstance(data.get("commands"), dict) and all(
        isinstance(v, dict) and isinstance(v.get("files"), list)
        for v in data["commands"].values())
    return data if ok else None


def _plain_name(name) -> bool:
    """A file name blendsim could have written: no folder part, not hidden."""
    return isinstance(name, str) and name == Path(name).name and not name.startswith(".")


def check_out_folder(folder: Path) -> tuple[dict | None, list[str]]:
    """Refuse an ``--out`` folder blendsim cannot write (before any long computation).

    Returns the folder's list of blendsim outputs (None if there is none) and the names of
    the visible files in it.
    """
    folder = Path(folder)
    parent = folder.parent if str(folder.parent) else Path(".")
    if not parent.exists():
        raise InputError(f"--out: the folder {str(parent)!r} does not exist")
    if folder.exists() and not folder.is_dir():
        raise InputError(f"--out: {str(folder)!r} exists and is not a folder")
    try:
        present = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    except OSError as e:
        raise BlendsimError(f"cannot write results to {str(folder)!r}: {_reason(e)}") from None
    manifest = _read_manifest(folder) if present else None
    visible = [n for n in present if not n.startswith(".")]
    if manifest is None and visible:
        shown = ", ".join(visible[:5]) + (", ..." if len(visible) > 5 else "")
        raise InputError(f"--out: {str(folder)!r} holds files blendsim did not write "
                         f"({shown}); give a new or empty folder (blendsim replaces only its "
                         f"own earlier outputs, listed in {MANIFEST} of a folder it wrote)")
    return manifest, visible


def write_folder_atomically(folder: Path, files: dict[str, str | bytes], *,
                            command: str = "run", scenario: str | None = None,
                            seed: int | None = None) -> Written:
    """Write ``files`` (name -> text or bytes) into ``folder``: all of them or none.

    The folder then holds this run's files and nothing else blendsim wrote: the files an
    earlier run of the same ``command`` wrote there and this one does not are removed, and
    so are other commands' files when they came from another ``scenario`` (a digest of it).
    Files blendsim did not write are never touched; a non-empty folder that blendsim did not
    write (no ``.blendsim-outputs.json``) is refused.  The files are written to a hidden
    staging folder inside ``folder`` first and moved in only when every one is complete; a
    write the system refuses (permission denied, disk full) leaves the folder as it was.
    """
    folder = Path(folder)
    manifest, visible = check_out_folder(folder)
    commands = dict(manifest["commands"]) if manifest else {}
    stale: set[str] = set()
    for name, entry in list(commands.items()):
        if name == command or entry.get("scenario") != scenario:
            stale.update(n for n in entry["files"] if _plain_name(n))
            del commands[name]
        else:  # a file this run writes belongs to this run from now on
            commands[name] = {**entry, "files": [n for n in entry["files"] if n not in files]}
    ours = stale | {n for e in commands.values() for n in e["files"]}
    stale -= set(files)
    commands[command] = {"files": list(files), "scenario": scenario, "seed": seed}
    listing = json.dumps({"format": 1, "commands": commands}, indent=2) + "\n"
    created = not folder.exists()
    staging = None
    try:
        folder.mkdir(exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=folder, prefix=".blendsim-staging-"))
        for name, content in [*files.items(), (MANIFEST, listing)]:
            if isinstance(content, bytes):
                (staging / name).write_bytes(content)
            else:
                (staging / name).write_text(content, newline="")
        written = []
        for name in files:
            os.replace(staging / name, folder / name)
            written.append(folder / name)
        os.replace(staging / MANIFEST, folder / MANIFEST)
        removed = []
        for name in sorted(stale):
            if (folder / name).is_file():
                (folder / name).unlink()
                removed.append(name)
    except OSError as e:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
            staging = None
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        raise BlendsimError(f"cannot write results to {str(folder)!r}: {_reason(e)}") from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    foreign = [n for n in visible if n not in ours and n not in files]
    return Written(files=written, removed=removed, foreign=foreign)
