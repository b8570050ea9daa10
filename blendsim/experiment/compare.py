"""Two scenarios side by side: the day's and each interval's figures, and their differences.

``compare(baseline, alternative, replications=R, seed=S)`` simulates both scenarios with one
seed, so that replication ``r`` of each sees the same callers, the same handle times and the
same customer lists (common random numbers, :mod:`blendsim.streams`).  Every figure is then
differenced replication by replication, and the difference's 95% interval comes from the
spread of those paired differences (Student's t on ``R - 1`` degrees of freedom).  What both
days share (a busy morning, a long call) cancels, so the interval is far narrower than the
two scenarios' own intervals side by side.

``paired=False`` simulates the alternative on other days (seed ``S + INDEPENDENT_OFFSET``)
and gives Welch's two-sample interval instead: the same difference, measured the slow way.
The two must agree; the test suite checks that they do, and that the paired one is narrower.

>>> import blendsim
>>> base = blendsim.load_scenario("scenarios/pilot_baseline.toml")      # doctest: +SKIP
>>> pilot = blendsim.load_scenario("scenarios/pilot_blended.toml")      # doctest: +SKIP
>>> c = blendsim.compare(base, pilot, replications=40, seed=1)          # doctest: +SKIP
>>> c.day().loc["service_level", ["difference", "ci_low", "ci_high"]]   # doctest: +SKIP
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from blendsim.errors import InputError
from blendsim.experiment.replications import Result, checked_seed, simulate
from blendsim.metrics.ci import LEVEL
from blendsim.metrics.kpi import outbound_table
from blendsim.scenario.model import Scenario

__all__ = ["DAY_FIGURES", "INDEPENDENT_OFFSET", "INTERVAL_FIGURES", "Comparison", "compare",
           "difference_ci", "paid_hours"]

INDEPENDENT_OFFSET = 1_000_003  # the alternative's seed offset with paired=False

# The day's figures a comparison reports, in the order a page shows them.
DAY_FIGURES = ("service_level", "asa", "abandon_rate", "abandoned", "answered", "offered",
               "intervals_below", "occupancy", "conversations", "paid_hours")
INTERVAL_FIGURES = ("service_level", "asa", "abandon_rate", "occupancy", "conversations",
                    "agents_outbound")

LABELS = {
    "service_level": "Inbound service level",
    "asa": "Average speed of answer (s)",
    "abandon_rate": "Abandonment",
    "abandoned": "Abandoned calls a day",
    "answered": "Answered calls a day",
    "offered": "Offered calls a day",
    "intervals_below": "Intervals below target a day",
    "occupancy": "Occupancy",
    "conversations": "Proactive conversations a day",
    "paid_hours": "Paid agent-hours a day",
}


def paid_hours(scenario: Scenario) -> dict[str, float]:
    """Scheduled (paid) agent-hours of each group over the day, breaks left out."""
    hours = {g.name: 0.0 for g in scenario.groups}
    for _, group, start, end in scenario.agent_periods():
        hours[group] += (end - start) / 3600.0
    return hours


def difference_ci(diff=None, *, a=None, b=None) -> tuple[float, float, float, float, int]:
    """A difference's mean, 95% interval, std and replications.

    Paired: ``diff`` holds the per-replication differences (t on ``n - 1`` degrees of
    freedom).  Independent: ``a`` and ``b`` hold the two samples, and the difference
    ``mean(b) - mean(a)`` gets Welch's interval (Welch-Satterthwaite degrees of freedom).
    NaN values are left out; the interval is NaN with fewer than two values.
    """
    if diff is not None:
        d = np.asarray(diff, dtype=float)
        d = d[~np.isnan(d)]
        n = d.size
        if n == 0:
            return (math.nan,) * 4 + (0,)
        mean = float(d.mean())
        if n < 2:
            return mean, math.nan, math.nan, math.nan, n
        std = float(d.std(ddof=1))
        half = float(special.stdtrit(n - 1, 0.5 + LEVEL / 2)) * std / math.sqrt(n)
        return mean, mean - half, mean + half, std, n
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    n = min(x.size, y.size)
    if x.size == 0 or y.size == 0:
        return (math.nan,) * 4 + (n,)
    mean = float(y.mean() - x.mean())
    if x.size < 2 or y.size < 2:
        return mean, math.nan, math.nan, math.nan, n
    vx, vy = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    se = math.sqrt(vx + vy)
    if se == 0:
        return mean, mean, mean, 0.0, n
    df = (vx + vy) ** 2 / (vx ** 2 / (x.size - 1) + vy ** 2 / (y.size - 1))
    half = float(special.stdtrit(df, 0.5 + LEVEL / 2)) * se
    return mean, mean - half, mean + half, se * math.sqrt(n), n


def _segment_key(segment: str) -> str:
    return f"conversations[{segment}]"


@dataclass(frozen=True, eq=False)
class Comparison:
    """Two scenarios simulated on the same days (or on other days with ``paired=False``).

    Attributes
    ----------
    baseline, alternative : Result
        The two simulations; ``alternative.seed`` equals ``baseline.seed`` when paired.
    paired : bool
        Common random numbers and paired differences (True), or independent days and Welch
        intervals (False).
    """

    baseline: Result
    alternative: Result
    paired: bool = True

    @property
    def seed(self) -> int:
        return self.baseline.seed

    @property
    def replications(self) -> int:
        return self.baseline.replications

    # --- per replication ------------------------------------------------------------------

    def per_replication(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The day's figures of each replication of each scenario: ``(baseline,
        alternative)``, one row per replication (index ``replication``) and one column per
        figure of :data:`DAY_FIGURES`, plus ``conversations[<segment>]`` per outbound segment
        of either scenario and ``paid_hours[<group>]`` per group."""
        segments = self.segments_named()
        groups = list(dict.fromkeys(
            [g.name for g in self.baseline.scenario.groups]
            + [g.name for g in self.alternative.scenario.groups]))
        return (_day_table(self.baseline, segments, groups),
                _day_table(self.alternative, segments, groups))

    def segments_named(self) -> list[str]:
        """Every outbound segment of either scenario, in first-seen order."""
        names = []
        for sc in (self.baseline.scenario, self.alternative.scenario):
            for c in sc.outbound:
                names += [s.name for s in c.segments] if c.segments else [c.name]
        return list(dict.fromkeys(names))

    # --- the differences ------------------------------------------------------------------

    def day(self) -> pd.DataFrame:
        """The day's figures of both scenarios and their difference (alternative minus
        baseline), each with its 95% interval.

        Index: ``figure`` (:data:`DAY_FIGURES`, then ``conversations[<segment>]`` and
        ``paid_hours[<group>]``).  Columns ``label``; ``baseline``, ``baseline_ci_low``,
        ``baseline_ci_high``; the same for ``alternative``; ``difference``, ``ci_low``,
        ``ci_high`` (the difference's interval: paired, or Welch's), ``std`` (of the
        per-replication differences when paired) and ``replications``.
        """
        a, b = self.per_replication()
        rows = []
        for figure in a.columns:
            rows.append(self._row(figure, a[figure].to_numpy(), b[figure].to_numpy()))
        return pd.DataFrame(rows).set_index("figure")

    def _row(self, figure: str, x: np.ndarray, y: np.ndarray) -> dict:
        bm, blo, bhi, _, _ = difference_ci(x)
        am, alo, ahi, _, _ = difference_ci(y)
        if self.paired:
            d, lo, hi, std, n = difference_ci(y - x)
        else:
            d, lo, hi, std, n = difference_ci(a=x, b=y)
        return {"figure": figure, "label": label_of(figure), "baseline": bm,
                "baseline_ci_low": blo, "baseline_ci_high": bhi, "alternative": am,
                "alternative_ci_low": alo, "alternative_ci_high": ahi, "difference": d,
                "ci_low": lo, "ci_high": hi, "std": std, "replications": n}

    def intervals(self, figures=INTERVAL_FIGURES) -> pd.DataFrame:
        """Each interval's figures of both scenarios and their differences.

        One row per interval and figure: ``interval``, ``start``, ``figure``, then the
        columns of :meth:`day`.  A replication whose interval has no contact (no service
        level) is left out of that interval's paired difference.
        """
        ta = self.baseline.interval_table()
        tb = self.alternative.interval_table()
        labels = self.baseline.scenario.day.interval_labels()
        rows = []
        for figure in figures:
            xa = _interval_matrix(ta, figure, self.replications, len(labels))
            xb = _interval_matrix(tb, figure, self.alternative.replications, len(labels))
            for k, start in enumerate(labels):
                row = self._row(figure, xa[:, k], xb[:, k])
                rows.append({"interval": k, "start": start, **row})
        return pd.DataFrame(rows)

    def table(self) -> str:
        """The day's comparison as a printed table."""
        d = self.day()
        how = ("paired differences, common random numbers" if self.paired
               else "independent days, Welch intervals")
        lines = [f"{self.baseline.scenario.name}  vs  {self.alternative.scenario.name}",
                 f"{self.replications} days each, seed {self.seed} ({how}); 95% intervals",
                 "",
                 f"{'figure':<42}{'baseline':>12}{'alternative':>14}{'difference':>14}"
                 f"{'95% interval':>24}"]
        for figure, r in d.iterrows():
            f = _formatter(figure)
            lines.append(f"{label_of(figure)[:41]:<42}{f(r['baseline']):>12}"
                         f"{f(r['alternative']):>14}{f(r['difference'], True):>14}"
                         f"{'[' + f(r['ci_low'], True) + ', ' + f(r['ci_high'], True) + ']':>24}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def label_of(figure: str) -> str:
    """Plain words for a figure of :meth:`Comparison.day`."""
    if figure.startswith("conversations["):
        return f"Conversations a day: {figure[len('conversations['):-1]}"
    if figure.startswith("paid_hours["):
        return f"Paid hours a day: {figure[len('paid_hours['):-1]}"
    return LABELS.get(figure, figure)


def _formatter(figure: str):
    share = figure in ("service_level", "abandon_rate", "occupancy")

    def fmt(v, signed=False):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return "-"
        if share:
            return f"{100 * v:+.2f} pt" if signed else f"{100 * v:.2f}%"
        return f"{v:+,.1f}" if signed else f"{v:,.1f}"
    return fmt


def _interval_matrix(table: pd.DataFrame, figure: str, reps: int, n: int) -> np.ndarray:
    out = np.full((reps, n), np.nan)
    if figure not in table.columns:
        # A scenario without outbound work: no conversations and no outbound agents.
        if figure in ("conversations", "agents_outbound", "attempts", "connects"):
            out[:] = 0.0
        return out
    out[table["replication"].to_numpy(), table["interval"].to_numpy()] = table[figure]
    return out


def _day_table(result: Result, segments: list[str], groups: list[str]) -> pd.DataFrame:
    day = result.replication_summary().set_index("replication")
    out = pd.DataFrame(index=day.index)
    for figure in DAY_FIGURES:
        if figure == "paid_hours":
            continue
        out[figure] = day[figure] if figure in day.columns else 0.0
    hours = paid_hours(result.scenario)
    out["paid_hours"] = sum(hours.values())
    if segments:
        per = pd.DataFrame(0.0, index=day.index, columns=[_segment_key(s) for s in segments])
        if result.scenario.outbound:
            t = outbound_table(result.contacts, ["replication", "type", "segment"])
            if len(t):
                names = t["segment"].astype(str).where(t["segment"].notna(),
                                                       t["type"].astype(str))
                t = t.assign(name=names).groupby(["replication", "name"])[
                    "conversations"].sum()
                for (r, name), v in t.items():
                    per.loc[r, _segment_key(name)] += v
        out = out.join(per)
    for g in groups:
        out[f"paid_hours[{g}]"] = hours.get(g, 0.0)
    return out


def compare(baseline: Scenario, alternative: Scenario, *, replications: int = 40,
            seed: int | None = None, paired: bool = True, backend: str | None = None,
            workers: int | None = None, scheduler: str | None = None,
            quiet: bool = False) -> Comparison:
    """Simulate two scenarios on the same days and difference every figure.

    Parameters
    ----------
    baseline, alternative : Scenario
        The two must share the day (opening hours and intervals) so intervals pair up.
    replications : int
        Days simulated for each (2 to 100,000).
    seed : int, optional
        One seed for both (common random numbers); ``None`` draws fresh entropy.
    paired : bool
        ``False``: simulate the alternative on other days (seed + ``INDEPENDENT_OFFSET``) and
        give Welch's intervals, to see what the pairing buys.
    backend, workers, scheduler, quiet
        As in :func:`blendsim.simulate`.

    Returns
    -------
    Comparison
        ``day()``, ``intervals()``, ``per_replication()`` and a printed ``table()``.
    """
    for name, sc in (("baseline", baseline), ("alternative", alternative)):
        if not isinstance(sc, Scenario):
            raise InputError(f"{name} must be a Scenario (got {type(sc).__name__})")
    if not isinstance(replications, (int, np.integer)) or isinstance(replications, bool) \
            or replications < 2:
        raise InputError(f"replications must be a whole number >= 2 to give a difference an "
                         f"interval (got {replications!r})")
    if not isinstance(paired, bool):
        raise InputError(f"paired must be True or False (got {paired!r})")
    db, da = baseline.day, alternative.day
    if (db.open_at, db.close_at, db.interval) != (da.open_at, da.close_at, da.interval):
        raise InputError(
            f"the two scenarios must share the day to be compared interval by interval: "
            f"baseline {db.interval_labels()[0]}-{_clock(db.close_at)} in "
            f"{db.interval / 60:g}-minute intervals, alternative "
            f"{da.interval_labels()[0]}-{_clock(da.close_at)} in {da.interval / 60:g}-minute "
            f"intervals")
    seed = checked_seed(seed)
    options = dict(replications=int(replications), backend=backend, workers=workers,
                   scheduler=scheduler, quiet=quiet)
    a = simulate(baseline, seed=seed, **options)
    b = simulate(alternative, seed=seed if paired else seed + INDEPENDENT_OFFSET, **options)
    return Comparison(baseline=a, alternative=b, paired=paired)


def _clock(seconds: float) -> str:
    h, m = divmod(int(round(seconds / 60)), 60)
    return f"{h:02d}:{m:02d}"
