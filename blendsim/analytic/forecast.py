"""Reading a forecast file: a CSV of ``interval_start, calls, aht`` checked and in time order.

:func:`read_forecast` reads the CSV a planner exports from a spreadsheet or a workforce tool,
refuses what cannot be a forecast (one line naming the file, the row, the column and the
rule), sorts rows given out of time order and finds the interval length from the spacing of
``interval_start``.  Its :class:`Forecast` feeds :func:`blendsim.analytic.staffing_table`.
The messages name ``--interval`` and ``--aht``, the options of ``blendsim staff`` that give
the same facts as the ``interval`` and ``aht`` arguments.

Every size has an upper bound, checked before anything large is read:
``MAX_FORECAST_BYTES`` and ``MAX_FORECAST_ROWS``; a cell holds at most ``MAX_CALLS`` calls
and an AHT between ``MIN_SECONDS`` and ``MAX_SECONDS``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from blendsim.errors import InputError

__all__ = ["MAX_CALLS", "MAX_FORECAST_BYTES", "MAX_FORECAST_ROWS", "MAX_SECONDS",
           "MIN_SECONDS", "Forecast", "read_forecast"]

# Every duration a user gives (an option, a forecast's AHT) is between a millisecond and a
# year: outside that it is a typo (1e999s, 1e-300s) that would otherwise give a nonsense
# answer or overflow the formulas.
MIN_SECONDS = 0.001
MAX_SECONDS = 366 * 86400.0
MAX_CALLS = 1e9  # calls offered in one interval
# A forecast file of at most this many intervals and bytes (a year of 5-minute intervals over
# a 14-hour day is 61,000; Erlang A takes about 2 ms an interval).
MAX_FORECAST_ROWS = 100_000
MAX_FORECAST_BYTES = 64 * 2**20

# Each forecast column's domain: (low, high, unit) with low exclusive for aht.
_CELL_BOUNDS = {"calls": (0.0, MAX_CALLS, ""), "aht": (MIN_SECONDS, MAX_SECONDS, " seconds")}


@dataclass(frozen=True)
class Forecast:
    """A forecast read from a file.

    Attributes
    ----------
    table : DataFrame
        The file's rows in time order, with at least ``interval_start``, ``calls`` and
        ``aht`` (as written in the file, or the AHT given for every row).
    interval : float
        Interval length, seconds.
    reordered : bool
        Whether the file listed its intervals out of time order (they are sorted).
    """

    table: pd.DataFrame
    interval: float
    reordered: bool


def read_forecast(path, *, aht: float | None = None, interval: float | None = None,
                  interval_text: str | None = None) -> Forecast:
    """Read and check the forecast CSV at ``path``.

    Parameters
    ----------
    path : str or Path
        A comma-separated file with a header naming ``interval_start``, ``calls`` and
        ``aht`` (seconds; may be empty where ``calls`` is 0).
    aht : float, optional
        Seconds: the AHT of every interval (replaces the file's ``aht`` column, or stands in
        for a missing one).
    interval : float, optional
        Interval length in seconds; default: the spacing of ``interval_start``.  When given,
        starts that are times must be that far apart.
    interval_text : str, optional
        ``interval`` as the user wrote it, for the message when the file disagrees.

    Raises
    ------
    InputError
        Naming the file, and the row and column of a bad cell.
    """
    path = str(path)
    df = _read_csv(path, aht)
    text = interval_text if interval_text is not None else f"{interval:g}s" if interval else ""
    table, length, reordered = _order_forecast(path, df, interval, text)
    return Forecast(table=table, interval=length, reordered=reordered)


def _cell(value) -> str:
    """A CSV cell as the user wrote it (numpy scalars shown as plain numbers)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and abs(value) < 1e15 and value == int(value):
        value = int(value)
    return repr(value) if isinstance(value, str) else str(value)


def _check_delimiter(path: str, df: pd.DataFrame) -> None:
    """A file written with another delimiter reads as one column named ``a;b;c``."""
    if len(df.columns) == 1:
        header = str(df.columns[0])
        for sep, name in ((";", "semicolon"), ("\t", "tab")):
            if sep in header:
                raise InputError(f"{path}: looks {name}-separated (header {header!r}); "
                                 "blendsim reads comma-separated CSV: save the file with "
                                 "commas between the columns")


def _read_csv(path: str, aht: float | None) -> pd.DataFrame:
    """The file's rows, every cell of ``calls`` and ``aht`` checked (in file order)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"forecast file not found: {path!r}")
    if p.stat().st_size > MAX_FORECAST_BYTES:
        raise InputError(f"{path}: {p.stat().st_size / 2**20:,.0f} MB is more than a forecast "
                         f"holds (at most {MAX_FORECAST_BYTES // 2**20} MB and "
                         f"{MAX_FORECAST_ROWS:,} intervals): split it")
    try:
        # index_col=False: a trailing comma on every row (spreadsheet exports) must not turn
        # the first column into the index and shift the others.  Rows longer than that
        # would lose their extra cells with only a warning: refuse them.
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            df = pd.read_csv(p, index_col=False, skipinitialspace=True)
    except pd.errors.ParserWarning:
        raise InputError(f"{path}: not a readable CSV file (a row has more cells than the "
                         "header names)") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: not a readable CSV file ({str(e).splitlines()[0]})") from None
    df.columns = [str(c).strip() for c in df.columns]
    _check_delimiter(path, df)
    if aht is not None:
        df["aht"] = aht
    missing = [c for c in ("interval_start", "calls", "aht") if c not in df.columns]
    if missing:
        hint = " (or give --aht)" if missing == ["aht"] else ""
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}{hint}; the file has "
                         f"{', '.join(df.columns) or 'no columns'}")
    if df.empty:
        raise InputError(f"{path}: no intervals (the file has a header but no rows)")
    if len(df) > MAX_FORECAST_ROWS:
        raise InputError(f"{path}: {len(df):,} intervals; blendsim staffs at most "
                         f"{MAX_FORECAST_ROWS:,} from one file (a year of 5-minute intervals "
                         "over a 14-hour day is 61,000): split it")
    values = {col: _check_cells(path, df, col) for col in ("calls", "aht")}
    bad = (values["calls"] > 0) & ~(values["aht"] > 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        where = f"{path}: row {i + 2}, column aht"
        n = _cell(df["calls"].iloc[i])
        if pd.isna(df["aht"].iloc[i]):
            raise InputError(f"{where} is empty but the interval has {n} calls: give its "
                             "average handle time in seconds (or --aht for every interval)")
        raise InputError(f"{where} must be > 0 seconds where there are calls "
                         f"(got {_cell(df['aht'].iloc[i])})")
    short = (values["aht"] > 0) & (values["aht"] < MIN_SECONDS)
    if short.any():
        i = int(np.flatnonzero(short.to_numpy())[0])
        raise InputError(f"{path}: row {i + 2}, column aht must be at least {MIN_SECONDS:g} "
                         f"seconds (got {_cell(df['aht'].iloc[i])})")
    return df


def _check_cells(path: str, df: pd.DataFrame, col: str) -> pd.Series:
    """Column ``col`` as numbers, each cell within its domain (row numbers as in the file)."""
    values = pd.to_numeric(df[col], errors="coerce")
    _low, high, unit = _CELL_BOUNDS[col]
    for i, (raw, x) in enumerate(zip(df[col], values, strict=True)):
        where = f"{path}: row {i + 2}, column {col}"
        if pd.isna(raw):
            if col == "calls":
                raise InputError(f"{where} is empty (give 0 for an interval without calls)")
            continue
        if pd.isna(x):
            raise InputError(f"{where} must be a number (got {_cell(raw)})")
        if not math.isfinite(x):
            raise InputError(f"{where} must be a finite number (got {_cell(raw)})")
        if x < 0:
            raise InputError(f"{where} must be >= 0 (got {_cell(raw)})")
        if x > high:
            raise InputError(f"{where} must be at most {high:,.0f}{unit} (got {_cell(raw)})")
    return values


def _start_seconds(labels: pd.Series) -> tuple[np.ndarray | None, bool]:
    """Each ``interval_start`` in seconds, and whether they are clock times of one day.

    Clock times (``"08:30"``) give seconds since midnight, dates with times seconds since
    the earliest; labels that are neither (``"morning"``) give None.
    """
    clock = labels.str.fullmatch(r"([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?")
    if clock.all():
        parts = labels.str.split(":", expand=True).fillna("0").astype(int)
        secs = parts[0] * 3600 + parts[1] * 60 + (parts[2] if parts.shape[1] > 2 else 0)
        return secs.to_numpy(float), True
    parsed = pd.to_datetime(labels, errors="coerce", format="mixed")
    if parsed.isna().any():
        return None, False
    return (parsed - parsed.min()).dt.total_seconds().to_numpy(float), False


def _time_order(secs: np.ndarray, clock: bool) -> np.ndarray:
    """Row order by interval start: the file's own if it is already in time order.

    Clock times may run past midnight: the day starts after the longest gap between
    consecutive times (round the clock), so 23:00, 23:30, 00:00 stay in that order.
    """
    n = len(secs)
    order = np.argsort(secs, kind="stable")
    if not clock or n < 2:
        return order
    ordered = secs[order]
    gaps = np.diff(np.append(ordered, ordered[0] + 86400))  # the gap after each time
    if gaps[-1] < gaps.max():  # the longest gap is not overnight: start after it
        order = np.roll(order, -(int(np.argmax(gaps)) + 1))
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(n)
    # The file's order is this one started at another longest gap (a whole day, evenly
    # spaced, may start anywhere): keep it.
    rotated = (np.diff(rank) % n == 1).all()
    if rotated and (secs[0] - secs[-1]) % 86400 >= (np.diff(secs) % 86400).max():
        return np.arange(n)
    return order


def _order_forecast(path: str, df: pd.DataFrame, interval: float | None,
                    interval_text: str) -> tuple[pd.DataFrame, float, bool]:
    """The forecast in time order, its interval length, and whether rows were reordered.

    A repeated ``interval_start`` is refused.  Without ``interval`` the length comes from
    evenly spaced starts; with it, the starts (if they are times) must be that far apart.
    """
    labels = df["interval_start"].astype(str).str.strip()
    secs, clock = _start_seconds(labels)
    keys = labels.to_numpy() if secs is None else secs
    seen: dict = {}
    for label, key in zip(labels, keys, strict=True):
        if key in seen:
            same = "" if seen[key] == label else f" (the same time as {seen[key]!r})"
            raise InputError(f"{path}: interval_start {label!r} appears twice{same}; each "
                             "interval must have one row")
        seen[key] = label
    if secs is None or len(secs) < 2:
        if interval is None:
            raise InputError(f"{path}: cannot tell the interval length from interval_start; "
                             "give --interval (e.g. --interval 30m)")
        return df, interval, False
    order = _time_order(secs, clock)
    reordered = bool((order != np.arange(len(order))).any())
    if reordered:
        df = df.iloc[order].reset_index(drop=True)
        secs = secs[order]
    steps = np.diff(secs) % 86400 if clock else np.diff(secs)
    distinct = np.unique(steps)
    if interval is not None:
        if distinct[0] != interval:
            raise InputError(f"{path}: --interval {interval_text} ({interval / 60:g} min) "
                             f"disagrees with the file, whose interval_start values are "
                             f"{distinct[0] / 60:g} min apart; drop --interval or correct it")
        return df, interval, reordered
    if len(distinct) != 1:
        shown = " and ".join(f"{x / 60:g}" for x in distinct[:3])
        raise InputError(f"{path}: interval_start values are not evenly spaced (steps of "
                         f"{shown}{' ...' if len(distinct) > 3 else ''} min); "
                         "give --interval (e.g. --interval 30m)")
    return df, float(distinct[0]), reordered
