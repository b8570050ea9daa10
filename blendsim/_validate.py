"""Input checks shared across the layers: formula arguments and scenario fields.

A formula argument's check (:func:`number`, :func:`whole`, :func:`as_array`) returns the
value as a number (a float array from :func:`as_array`) and raises :class:`InputError` naming
the argument, the offending value (and its index for arrays) and the allowed domain, e.g.
``agents must be >= 0 (got -3)``.  :func:`number` is pure Python so that scalar calls stay
fast; :func:`as_array` checks every element of an array.  The scenario's checks
(:func:`check_number`, :func:`check_name`, :func:`check_count`) collect every problem of a
part instead, and :func:`raise_problems` raises them at once as one :class:`ScenarioError`;
:func:`warn_user` warns of legal input that does nothing.
"""

from __future__ import annotations

import math
import sys
import warnings
from pathlib import Path

import numpy as np

from blendsim.errors import InputError, ScenarioError
from blendsim.limits import name_problem, safe

_SCALARS = (int, float, np.integer, np.floating)

# The largest team (and offered load, in Erlangs) any formula or staffing search takes on.
MAX_AGENTS = 10_000_000


def fmt(value) -> str:
    """Format a number the way a person would write it in an error message."""
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isnan(value) or math.isinf(value):
            return repr(value)
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.10g}"
    return repr(value)


def is_scalar(*values) -> bool:
    """True when every value is a plain number (not an array, list, bool or string)."""
    return all(isinstance(v, _SCALARS) and not isinstance(v, (bool, np.bool_))
               for v in values)


def _rules(low, low_open, high, high_open, integer, allow_inf):
    """(rule text, bad-scalar test, bad-array test) in the order the rules are checked."""
    rules = [("a number, not NaN", lambda x: x != x, np.isnan)]
    if allow_inf:
        rules.append(("finite or +inf", lambda x: x == -math.inf, np.isneginf))
    else:
        rules.append(("finite", lambda x: x in (math.inf, -math.inf), np.isinf))
    if low is not None:
        if low_open:
            rules.append((f"> {fmt(low)}", lambda x: x <= low, lambda a: a <= low))
        else:
            rules.append((f">= {fmt(low)}", lambda x: x < low, lambda a: a < low))
    if high is not None:
        if high_open:
            rules.append((f"< {fmt(high)}", lambda x: x >= high, lambda a: a >= high))
        else:
            rules.append((f"<= {fmt(high)}", lambda x: x > high, lambda a: a > high))
    if integer:
        rules.append(("a whole number",
                      lambda x: math.isfinite(x) and x != math.floor(x),
                      lambda a: np.isfinite(a) & (a != np.floor(a))))
    return rules


def number(name: str, value, *, low=None, low_open=False, high=None, high_open=False,
           integer=False, allow_inf=False) -> float:
    """Check a single number and return it as a float."""
    kind = type(value)
    if kind is float or kind is int:
        x = float(value)
    elif isinstance(value, _SCALARS) and not isinstance(value, (bool, np.bool_)):
        x = float(value)
    elif isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        x = float(value)
    else:
        raise InputError(f"{name} must be a single number (got {value!r})")
    if (x - x == 0.0  # finite: NaN and inf give NaN here
            and (low is None or (x > low if low_open else x >= low))
            and (high is None or (x < high if high_open else x <= high))
            and (not integer or x == math.floor(x))):
        return x
    # The rare path: find which rule failed and say so (+inf may be allowed).
    for text, bad, _ in _rules(low, low_open, high, high_open, integer, allow_inf):
        if bad(x):
            raise InputError(f"{name} must be {text} (got {fmt(value)})")
    return x


def whole(name: str, value, *, low=None, high=None) -> int:
    """A single whole number within ``[low, high]``."""
    return int(number(name, value, low=low, high=high, integer=True))


def as_array(name: str, value, *, low=None, low_open=False, high=None, high_open=False,
             integer=False, allow_inf=False) -> np.ndarray:
    """Return ``value`` as a float64 array after checking every element."""
    if isinstance(value, (str, bytes, bool, np.bool_)) or value is None:
        raise InputError(f"{name} must be a number (got {value!r})")
    if isinstance(value, np.ndarray) and value.dtype.kind not in "iuf":
        raise InputError(f"{name} must be numeric (got an array of {value.dtype})")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputError(
            f"{name} must be a number or an array of numbers (got {value!r})") from None
    with np.errstate(invalid="ignore"):
        for text, _, bad in _rules(low, low_open, high, high_open, integer, allow_inf):
            mask = bad(arr)
            if mask.any():
                idx = int(np.flatnonzero(mask.ravel())[0])
                if arr.ndim == 0:
                    where = ""
                elif arr.ndim == 1:
                    where = f" at index {idx}"
                else:
                    pos = np.unravel_index(idx, arr.shape)
                    where = f" at index {tuple(int(i) for i in pos)}"
                raise InputError(f"{name} must be {text} (got {fmt(arr.ravel()[idx])}{where})")
    return arr


def scalar_or_array(x):
    """Return a 0-d array as a numpy float scalar, other arrays unchanged."""
    x = np.asarray(x)
    return x[()] if x.ndim == 0 else x


# --- scenario checks: each appends its problem to a list, so that all are reported at once ---


def is_number(x) -> bool:
    if not isinstance(x, (int, float, np.integer, np.floating)) or isinstance(
            x, (bool, np.bool_)):
        return False
    try:
        return math.isfinite(float(x))
    except OverflowError:  # an integer too large for a float
        return False


def got(x) -> str:
    """A number as an error message shows it: a 300-digit integer is not spelled out."""
    digits = len(str(abs(x))) if isinstance(x, int) else 0
    return fmt(x) if digits <= 20 else f"a whole number of {digits} digits"


def check_number(problems, path, x, *, low=None, low_open=False, high=None, high_open=False,
                  integer=False, unit="", why=""):
    # Whole numbers stay exact (10**300 is whole, though no float equals it).
    exact = isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))
    if not (exact or is_number(x)) or (integer and not exact and not float(x).is_integer()):
        what = "a whole number" if integer else "a number"
        problems.append(f"{path} must be {what} (got {safe(x)})")
        return
    x = int(x) if exact else float(x)
    unit = f" {unit}" if unit else ""
    if low is not None and (x <= low if low_open else x < low):
        problems.append(f"{path} must be {'>' if low_open else '>='} {fmt(low)}{unit} "
                        f"(got {got(x)})")
    elif high is not None and (x >= high if high_open else x > high):
        problems.append(f"{path} must be {'<' if high_open else '<='} {fmt(high)}{unit} "
                        f"(got {got(x)}){'; ' + why if why else ''}")


def check_name(problems, path, x):
    problem = name_problem(path, x)
    if problem:
        problems.append(problem)


def check_count(problems, path, items, limit, what):
    """A list may hold at most ``limit`` items (a bound on the run's size)."""
    if isinstance(items, tuple) and len(items) > limit:
        problems.append(f"{path} must list at most {limit:,} {what} (got {len(items):,})")


def as_tuple(obj, name):
    value = getattr(obj, name)
    if isinstance(value, (list, np.ndarray)):
        object.__setattr__(obj, name, tuple(value.tolist() if isinstance(value, np.ndarray)
                                            else value))


def raise_problems(problems):
    if problems:
        raise ScenarioError(problems)


_PACKAGE = str(Path(__file__).resolve().parent)  # the blendsim package


def warn_user(message: str) -> None:
    """Input that is legal but surely a mistake (it does nothing): a warning, not an error,
    attributed to the first caller outside blendsim (the line that built the scenario)."""
    level, frame = 2, sys._getframe(1)  # stacklevel 2 is the caller of warn_user
    while frame is not None and (frame.f_code.co_filename.startswith(_PACKAGE)
                                 or frame.f_code.co_filename == "<string>"):  # dataclass init
        frame, level = frame.f_back, level + 1
    warnings.warn(message, UserWarning, stacklevel=level)
