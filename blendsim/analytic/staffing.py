"""How many agents a forecast needs: one interval, or a whole day of intervals.

:func:`required_agents` finds the fewest agents that meet every target given (service level,
ASA, abandonment, occupancy) under Erlang C or Erlang A, and what the planner must schedule
once shrinkage (breaks, training, absence) is allowed for.  :func:`staffing_table` does the
same for each interval of a forecast and returns a DataFrame.

All times in one unit (seconds in the examples): ``rate`` is calls per second, ``aht`` and
``target_time`` are seconds.

>>> r = required_agents(rate=120 / 1800, aht=240, target_sl=0.8, target_time=20)
>>> r.agents, round(r.service_level, 3)
(20, 0.817)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from blendsim._validate import MAX_AGENTS, as_array, fmt, is_scalar, number
from blendsim.analytic._special import log_erlang_b1
from blendsim.analytic.erlang import QueueTooLongError, erlang_a
from blendsim.errors import BlendsimError, InfeasibleError, InputError

__all__ = ["StaffingResult", "required_agents", "scheduled_agents", "staffing_table"]

MODELS = ("erlang_c", "erlang_a")
_MAX_AGENTS = MAX_AGENTS
_SQRT_PI_2 = math.sqrt(math.pi / 2.0)
_SQRT_HALF = math.sqrt(0.5)


@dataclass(frozen=True, kw_only=True, slots=True)
class StaffingResult:
    """The requirement for one interval and what it achieves.

    Attributes
    ----------
    agents : agents needed on the phones.
    scheduled : agents to schedule, ``ceil(agents / (1 - shrinkage))``.
    load : offered load in Erlangs.
    service_level : achieved P(answered within ``target_time``), or ``None`` without a target.
    asa : achieved mean wait of answered calls.
    p_wait : probability a call waits.
    p_abandon : probability a caller hangs up (0 under Erlang C).
    occupancy : fraction of on-phone agent time spent on calls.
    model : ``"erlang_c"`` or ``"erlang_a"``.
    """

    agents: int
    scheduled: int
    load: float
    service_level: float | None
    asa: float
    p_wait: float
    p_abandon: float
    occupancy: float
    model: str


class _Targets(NamedTuple):
    """The checked targets of a staffing question (internal)."""

    sl: float | None
    time: float | None
    asa: float | None
    abandon: float | None
    occupancy: float | None
    model: str
    patience: float | None


def _targets(target_sl, target_time, model, patience, target_asa, max_abandon,
             max_occupancy) -> _Targets:
    if model not in MODELS:
        raise InputError(f"model must be one of {', '.join(MODELS)} (got {model!r})")
    sl = None if target_sl is None else number(
        "target_sl", target_sl, low=0, low_open=True, high=1, high_open=True)
    t = None if target_time is None else number("target_time", target_time, low=0)
    if (sl is None) != (t is None):
        raise InputError("target_sl and target_time go together (e.g. target_sl=0.8, "
                         f"target_time=20 for 80/20); got target_sl={target_sl!r}, "
                         f"target_time={target_time!r}")
    asa_goal = None if target_asa is None else number(
        "target_asa", target_asa, low=0, low_open=True)
    ab = None if max_abandon is None else number(
        "max_abandon", max_abandon, low=0, low_open=True, high=1, high_open=True)
    occ = None if max_occupancy is None else number(
        "max_occupancy", max_occupancy, low=0, low_open=True, high=1)
    if model == "erlang_a":
        if patience is None:
            raise InputError("model='erlang_a' needs patience (mean time a caller waits "
                             "before hanging up)")
        pat = number("patience", patience, low=0, low_open=True, allow_inf=True)
    else:
        if patience is not None:
            raise InputError("patience is only used with model='erlang_a' (got "
                             f"patience={patience!r} with model='erlang_c')")
        if ab is not None:
            raise InputError("max_abandon needs model='erlang_a': Erlang C has no abandonment")
        pat = None
    if sl is None and asa_goal is None and ab is None and occ is None:
        raise InputError("give at least one target: target_sl with target_time, target_asa, "
                         "max_abandon or max_occupancy")
    return _Targets(sl, t, asa_goal, ab, occ, model, pat)


def _shrinkage(shrinkage) -> float:
    return number("shrinkage", shrinkage, low=0, high=1, high_open=True)


def scheduled_agents(agents, shrinkage):
    """Agents to schedule so that ``agents`` are on the phones after ``shrinkage``.

    ``ceil(agents / (1 - shrinkage))``, guarded against rounding (7 / 0.7 is 10, not 11).

    >>> scheduled_agents(7, 0.3)
    10
    """
    sh = _shrinkage(shrinkage)
    if is_scalar(agents):
        return _scheduled1(number("agents", agents, low=0, high=_MAX_AGENTS), sh)
    n = as_array("agents", agents, low=0, high=_MAX_AGENTS)
    return np.ceil(n / (1.0 - sh) - 1e-9).astype(int)


def _scheduled1(agents: float, shrinkage: float) -> int:
    return math.ceil(agents / (1.0 - shrinkage) - 1e-9)


# --------------------------------------------------------------------------------------------
# Erlang C: a square-root-staffing guess, then exact steps along Erlang B's recurrence


def _qed_beta(kappa: float, goal: float, asa_form: bool, tol: float) -> float:
    """Solve Halfin-Whitt's square-root-staffing equation for beta by Newton's method.

    With ``n = a + beta sqrt(a)``, P(wait) ~ alpha(beta) = 1 / (1 + beta Phi(beta)/phi(beta)).
    The service-level target reads ``log alpha - kappa beta = log(1 - SL)`` and the ASA target
    ``log alpha - log beta = log(ASA sqrt(a) / aht)``; both sides fall with beta.
    """
    beta = 1.0
    for _ in range(12):
        ratio = _SQRT_PI_2 * math.erfc(-beta * _SQRT_HALF) * math.exp(0.5 * beta * beta)
        br = beta * ratio
        g = -math.log1p(br) - goal
        slope = -(ratio + beta + beta * br) / (1.0 + br)
        if asa_form:
            g -= math.log(beta)
            slope -= 1.0 / beta
        else:
            g -= kappa * beta
            slope -= kappa
        step = g / slope
        beta = min(8.0, max(1e-6, beta - step))
        if step * step < tol:  # Newton converges quadratically: the next step is ~step**2
            break
    return beta


def _qed_guess(a: float, h: float, tg: _Targets) -> int:
    """Agents the Halfin-Whitt (square-root staffing) approximation suggests.

    The guess only saves exact evaluations: the answer is always checked with the exact
    formula, so beta is only needed to a fraction of an agent.
    """
    root_a = math.sqrt(a)
    tol = 0.25 / root_a
    beta = 0.0
    if tg.sl is not None:
        beta = _qed_beta(root_a * tg.time / h, math.log1p(-tg.sl), False, tol)
    if tg.asa is not None:
        beta = max(beta, _qed_beta(0.0, math.log(tg.asa * root_a / h), True, tol))
    return math.ceil(a + beta * root_a)


def _erlang_c_figures1(n: float, a: float, h: float, t: float | None, b: float):
    """(P(wait), service level or None, ASA) of M/M/n given Erlang B ``b`` (n > a)."""
    denom = n - a + a * b
    c = n * b / denom
    sl = None
    if t is not None:
        sl = min(1.0, max(0.0, (n - a) * (1.0 - b) / denom - c * math.expm1(-(n - a) * t / h)))
    return c, sl, c * h / (n - a)


def _erlang_c_requirement(a: float, h: float, tg: _Targets):
    """Fewest agents meeting the Erlang C targets, with (agents, P(wait), SL, ASA).

    Erlang B is evaluated once, at the square-root-staffing guess; neighbouring agent counts
    follow from its recurrence ``B(n+1) = a B / (n + 1 + a B)`` and its inverse
    ``B(n-1) = n B / (a (1 - B))``, a step or two each way in practice.
    """
    _check_load(a)
    lowest = math.floor(a) + 1
    if tg.occupancy is not None:
        lowest = max(lowest, math.ceil(a / tg.occupancy - 1e-12))
    if lowest > _MAX_AGENTS:
        raise InfeasibleError(f"no staffing up to {_MAX_AGENTS:,} agents meets the targets "
                              f"(the load of {a:g} Erlangs alone needs {lowest:,})")
    sl_goal, t, asa_goal = tg.sl, tg.time, tg.asa

    def check(n, b):
        """(meets the targets?, (n, P(wait), SL, ASA)) for n agents with Erlang B = b."""
        denom = n - a + a * b
        c = n * b / denom
        w = c * h / (n - a)
        sl = None
        if t is not None:
            sl = (n - a) * (1.0 - b) / denom - c * math.expm1(-(n - a) * t / h)
            sl = 1.0 if sl > 1.0 else (0.0 if sl < 0.0 else sl)
        good = (sl_goal is None or sl >= sl_goal) and (asa_goal is None or w <= asa_goal)
        return good, (n, c, sl, w)

    n = max(lowest, _qed_guess(a, h, tg))
    b = math.exp(log_erlang_b1(float(n), a))
    good, figures = check(n, b)
    if good:
        while n > lowest:
            b_down = n * b / (a * (1.0 - b))
            good_down, figures_down = check(n - 1, b_down)
            if not good_down:
                break
            n, b, figures = n - 1, b_down, figures_down
        return figures
    while not good:
        b = a * b / (n + 1 + a * b)
        n += 1
        good, figures = check(n, b)
        if n > _MAX_AGENTS:  # pragma: no cover - valid targets are met far below this
            raise InfeasibleError(f"no staffing up to {_MAX_AGENTS:,} agents meets the targets")
    return figures


def _check_load(load: float) -> None:
    """Refuse a load no staffing up to ``_MAX_AGENTS`` could carry (or an overflowed one)."""
    if not load <= _MAX_AGENTS:
        raise InfeasibleError(f"no staffing up to {_MAX_AGENTS:,} agents meets the targets: "
                              f"the offered load rate * aht = {fmt(load)} Erlangs is more "
                              f"than {_MAX_AGENTS:,} agents can carry")


def _erlang_a_requirement(rate: float, aht: float, tg: _Targets) -> int:
    """Fewest agents meeting the targets under Erlang A (monotone in agents: bisection).

    A team whose queue would need more positions than Erlang A sums over (callers piling
    up far beyond what the agents serve) is taken as missing the targets.
    """
    _check_load(rate * aht)

    def ok(n: int) -> bool:
        try:
            r = erlang_a(n, rate, aht, tg.patience, target=tg.time)
        except QueueTooLongError:
            return False
        return ((tg.sl is None or r.service_level >= tg.sl)
                and (tg.asa is None or r.asa <= tg.asa)
                and (tg.abandon is None or r.p_abandon <= tg.abandon)
                and (tg.occupancy is None or r.occupancy <= tg.occupancy))

    load = rate * aht
    lo = 1
    hi = max(1, int(load + 3.0 * math.sqrt(load)) + 1)
    while not ok(hi):
        lo = hi + 1
        hi *= 2
        if hi > _MAX_AGENTS:
            raise InfeasibleError(f"no staffing up to {_MAX_AGENTS:,} agents meets the targets")
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return hi


def _requirement(rate: float, aht: float, tg: _Targets, shrinkage: float,
                 min_agents: int) -> StaffingResult:
    """The staffing result for one interval with calls (``rate > 0``)."""
    load = rate * aht
    if tg.model == "erlang_c":
        n, c, sl, w = _erlang_c_requirement(load, aht, tg)
        if n < min_agents:
            n = min_agents
            c, sl, w = _erlang_c_figures1(n, load, aht, tg.time,
                                          math.exp(log_erlang_b1(float(n), load)))
        return StaffingResult(agents=n, scheduled=_scheduled1(n, shrinkage), load=load,
                              service_level=sl, asa=w, p_wait=c, p_abandon=0.0,
                              occupancy=load / n, model=tg.model)
    n = max(_erlang_a_requirement(rate, aht, tg), min_agents)
    r = erlang_a(n, rate, aht, tg.patience, target=tg.time)
    return StaffingResult(agents=n, scheduled=_scheduled1(n, shrinkage), load=load,
                          service_level=r.service_level, asa=r.asa, p_wait=r.p_wait,
                          p_abandon=r.p_abandon, occupancy=r.occupancy, model=tg.model)


def _no_calls(min_agents: int, tg: _Targets, shrinkage: float) -> StaffingResult:
    return StaffingResult(agents=min_agents, scheduled=_scheduled1(min_agents, shrinkage),
                          load=0.0, service_level=None if tg.time is None else 1.0, asa=0.0,
                          p_wait=0.0, p_abandon=0.0, occupancy=0.0, model=tg.model)


def required_agents(rate, aht, *, target_sl=None, target_time=None, model="erlang_c",
                    patience=None, target_asa=None, max_abandon=None, max_occupancy=None,
                    shrinkage=0.0, min_agents=0) -> StaffingResult:
    """The fewest agents that meet every target given, and what they achieve.

    Parameters
    ----------
    rate : float
        Calls per time unit, ``>= 0``.
    aht : float
        Mean handle time (talk + wrap-up), ``> 0``.
    target_sl, target_time : float, optional
        Service-level target: at least ``target_sl`` (in (0, 1)) of calls answered within
        ``target_time``; "80/20" is ``target_sl=0.8, target_time=20``.
    model : {"erlang_c", "erlang_a"}
        Erlang C (callers never hang up) or Erlang A (exponential ``patience``).
    patience : float, optional
        Mean patience, required by Erlang A.
    target_asa : float, optional
        Largest acceptable mean wait of answered calls.
    max_abandon : float, optional
        Largest acceptable abandonment probability (Erlang A).
    max_occupancy : float, optional
        Largest acceptable occupancy, in (0, 1].
    shrinkage : float
        Fraction of scheduled time not on the phones, in [0, 1).
    min_agents : int
        Never fewer than this many on the phones (e.g. 1 to keep a line open).

    Returns
    -------
    StaffingResult
        With ``rate = 0`` the requirement is ``min_agents`` and nothing waits.

    Raises
    ------
    InputError
        For an argument outside its domain or a missing/contradictory target.
    InfeasibleError
        If no staffing up to 10 million agents meets the targets.
    """
    lam = number("rate", rate, low=0)
    h = number("aht", aht, low=0, low_open=True)
    tg = _targets(target_sl, target_time, model, patience, target_asa, max_abandon,
                  max_occupancy)
    sh = _shrinkage(shrinkage)
    floor_n = int(number("min_agents", min_agents, low=0, integer=True, high=_MAX_AGENTS))
    if lam == 0.0:
        return _no_calls(floor_n, tg, sh)
    return _requirement(lam, h, tg, sh, floor_n)


def _numbers(df: pd.DataFrame, col: str, *, allow_missing: bool) -> np.ndarray:
    """A forecast column as floats; a cell that is not a number is named as written."""
    values = pd.to_numeric(df[col], errors="coerce")
    for i, (raw, x) in enumerate(zip(df[col], values, strict=True)):
        if pd.isna(raw) or (isinstance(raw, str) and not raw.strip()):
            if not allow_missing:
                raise InputError(f"forecast column {col!r} is empty at row {i} "
                                 "(give 0 for an interval without calls)")
        elif pd.isna(x):
            raise InputError(f"forecast column {col!r} must hold numbers (got {raw!r} at "
                             f"row {i})")
    return values.to_numpy(float)


TABLE_COLUMNS = ("interval_start", "calls", "aht", "load", "agents", "scheduled",
                 "service_level", "asa", "p_wait", "p_abandon", "occupancy")


def staffing_table(forecast, *, interval, target_sl=None, target_time=None, model="erlang_c",
                   patience=None, target_asa=None, max_abandon=None, max_occupancy=None,
                   shrinkage=0.0, min_agents=0) -> pd.DataFrame:
    """Required agents for each interval of a forecast.

    Parameters
    ----------
    forecast : DataFrame or mapping of columns
        ``interval_start`` (any label: "08:00", a timestamp...), ``calls`` (calls offered in
        the interval, ``>= 0``) and ``aht`` (mean handle time, ``> 0``; may be missing/NaN
        where ``calls`` is 0).
    interval : float
        Interval length in the time unit of ``aht`` (1800 for 30 minutes in seconds).
    target_sl, target_time, model, patience, target_asa, max_abandon, max_occupancy, \
shrinkage, min_agents
        As in :func:`required_agents`.

    Returns
    -------
    DataFrame
        One row per interval with the columns of ``TABLE_COLUMNS``.  Intervals without calls
        get ``min_agents`` agents, service level 1 and occupancy 0.

    Examples
    --------
    >>> day = {"interval_start": ["08:00", "08:30"], "calls": [120, 0], "aht": [240, None]}
    >>> staffing_table(day, interval=1800, target_sl=0.8, target_time=20)["agents"].tolist()
    [20, 0]
    """
    df = pd.DataFrame(forecast)
    for col in ("interval_start", "calls", "aht"):
        if col not in df.columns:
            raise InputError(f"forecast is missing the column {col!r} (it has: "
                             f"{', '.join(map(str, df.columns)) or 'no columns'}); "
                             "need interval_start, calls, aht")
    length = number("interval", interval, low=0, low_open=True)
    tg = _targets(target_sl, target_time, model, patience, target_asa, max_abandon,
                  max_occupancy)
    sh = _shrinkage(shrinkage)
    floor_n = int(number("min_agents", min_agents, low=0, integer=True, high=_MAX_AGENTS))
    calls = _numbers(df, "calls", allow_missing=False)
    aht_raw = _numbers(df, "aht", allow_missing=True)
    for i, (n_calls, h) in enumerate(zip(calls, aht_raw, strict=True)):
        for col, v in (("calls", n_calls), ("aht", h)):
            if math.isinf(v):
                raise InputError(f"forecast column {col!r} must hold finite numbers (got "
                                 f"{fmt(v)} at row {i})")
        if n_calls < 0:
            raise InputError(f"forecast column 'calls' must be >= 0 (got {fmt(n_calls)} at "
                             f"row {i})")
        if n_calls > 0 and not h > 0:
            raise InputError(f"forecast column 'aht' must be > 0 where there are calls (got "
                             f"{fmt(h)} at row {i}, which has {fmt(n_calls)} calls)")
    busy = calls > 0
    aht = np.where(busy, aht_raw, 1.0)

    rows = []
    for i, (start, n_calls, h, h_raw, has_calls) in enumerate(
            zip(df["interval_start"], calls, aht, aht_raw, busy, strict=True)):
        if has_calls:
            try:
                r = _requirement(float(n_calls) / length, float(h), tg, sh, floor_n)
            except BlendsimError as e:  # say which interval
                raise type(e)(f"forecast row {i} (interval_start {start!r}): {e}") from None
        else:
            r = _no_calls(floor_n, tg, sh)
        rows.append((start, n_calls, h_raw, r.load, r.agents, r.scheduled,
                     np.nan if r.service_level is None else r.service_level,
                     r.asa, r.p_wait, r.p_abandon, r.occupancy))
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
