"""The pilot's business case: value, cost, scaling and how long a live pilot must run.

Everything here stands on :func:`blendsim.compare`'s paired replications:

- :func:`business_case` prices each replication's differences with the business
  assumptions (:mod:`blendsim.scenario.assumptions`) and gives each line of value with its 95%
  interval, per day and per year:

  - outreach value: the extra conversations of each segment times its value;
  - contacts prevented: conversations times the inbound contacts one prevents net of those it
    causes, times the cost of an inbound contact;
  - abandonment: the extra abandoned calls times their cost (a loss);
  - staff: the change in paid hours of each group times its hourly cost.

- :func:`tornado` moves one assumption at a time to its low and high value (the rest at their
  values) and gives the net value per year at each: the sensitivity an executive asks for.
- :func:`scaling` grows the blended team from the pilot's size (agents move from the inbound
  team, the total stays the same: :func:`blendsim.scenario.variants.with_blended_agents`),
  every size against the same baseline days, judged interval by interval.
- :func:`pilot_design` says how many days a live pilot must run to detect the simulated
  change, from the simulated day-to-day spread with the assumed busyness (the day-to-day swing
  of volume a real centre sees, which a plain Poisson day lacks): with independent days
  (pilot days against other, baseline days) and with paired days (the pilot and a control
  team on the same days, so what a day brings cancels).
- :func:`pilot_case` does all of it and writes the verdict sentence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import special

from blendsim.errors import InputError
from blendsim.experiment.compare import Comparison, compare, difference_ci
from blendsim.experiment.replications import checked_seed, simulate
from blendsim.metrics.judgement import Judgement
from blendsim.scenario.assumptions import Assumptions, default_assumptions
from blendsim.scenario.model import Scenario
from blendsim.scenario.variants import with_blended_agents

__all__ = ["MAX_DESIGN_DAYS", "MAX_SCALE", "PilotCase", "blended_size", "business_case",
           "pilot_case", "pilot_design", "scaling", "tornado", "value_per_replication"]

MAX_SCALE = 200        # the largest blended team :func:`scaling` tries
MAX_DESIGN_DAYS = 10_000  # more days than this: "not detectable" in a live pilot

LINES = (("outreach", "Value of proactive conversations"),
         ("prevented", "Inbound contacts prevented (net of those caused)"),
         ("abandonment", "Extra abandoned calls"),
         ("staff", "Paid agent-hours"),
         ("net", "Net value"))


def value_per_replication(comparison: Comparison, assumptions: Assumptions) -> pd.DataFrame:
    """Each replication's value lines (alternative minus baseline, in the assumptions'
    currency per day): ``outreach``, ``prevented``, ``abandonment``, ``staff`` and ``net``.

    Paired: replication ``r`` of the alternative less replication ``r`` of the baseline
    (the same callers).  Independent days have no such pairs: use :func:`business_case`.
    """
    a, b = comparison.per_replication()
    return _lines(b - a, comparison.segments_named(), assumptions)


def _lines(table: pd.DataFrame, segments: list[str], assumptions: Assumptions) -> pd.DataFrame:
    """The value lines of each row of a table of day figures (linear in the figures, so a
    table of differences gives the differences' value)."""
    zero = pd.Series(0.0, index=table.index)
    outreach = sum((table[f"conversations[{s}]"] * assumptions.conversation_value(s)
                    for s in segments), start=zero)
    prevented = (table["conversations"] * assumptions.net_contacts_prevented
                 * assumptions["inbound_call_cost"].value)
    abandonment = -table["abandoned"] * assumptions["abandoned_call_cost"].value
    groups = [c[len("paid_hours["):-1] for c in table.columns if c.startswith("paid_hours[")]
    staff = -sum((table[f"paid_hours[{g}]"] * assumptions.hour_cost(g) for g in groups),
                 start=zero)
    out = pd.DataFrame({"outreach": outreach, "prevented": prevented,
                        "abandonment": abandonment, "staff": staff})
    out["net"] = out.sum(axis=1)
    return out


def business_case(comparison: Comparison, assumptions: Assumptions | None = None
                  ) -> pd.DataFrame:
    """The value lines with their 95% intervals, per day and per year.

    Index ``line`` (outreach, prevented, abandonment, staff, net); columns ``label``,
    ``per_day``, ``ci_low``, ``ci_high`` and ``per_year``, ``per_year_ci_low``,
    ``per_year_ci_high`` (times ``working_days_per_year``).  Paired comparisons give paired
    intervals; independent ones Welch's.
    """
    assumptions = default_assumptions() if assumptions is None else assumptions
    _check(comparison, assumptions)
    days = assumptions["working_days_per_year"].value
    a, b = comparison.per_replication()
    segments = comparison.segments_named()
    if comparison.paired:
        per = _lines(b - a, segments, assumptions)
        stats = {k: difference_ci(per[k]) for k, _ in LINES}
    else:
        la, lb = _lines(a, segments, assumptions), _lines(b, segments, assumptions)
        stats = {k: difference_ci(a=la[k], b=lb[k]) for k, _ in LINES}
    rows = []
    for key, label in LINES:
        m, lo, hi, _, _ = stats[key]
        rows.append({"line": key, "label": label, "per_day": m, "ci_low": lo, "ci_high": hi,
                     "per_year": m * days, "per_year_ci_low": lo * days,
                     "per_year_ci_high": hi * days})
    return pd.DataFrame(rows).set_index("line")


def _check(comparison: Comparison, assumptions: Assumptions) -> None:
    if not isinstance(comparison, Comparison):
        raise InputError(f"comparison must be a Comparison from blendsim.compare "
                         f"(got {type(comparison).__name__})")
    if not isinstance(assumptions, Assumptions):
        raise InputError(f"assumptions must be Assumptions (blendsim.load_assumptions or "
                         f"default_assumptions; got {type(assumptions).__name__})")
    groups = {g.name for s in (comparison.baseline, comparison.alternative)
              for g in s.scenario.groups}
    assumptions.check(groups=groups, segments=set(comparison.segments_named()))


def tornado(comparison: Comparison, assumptions: Assumptions | None = None) -> pd.DataFrame:
    """Net value per year with each assumption at its low and at its high value.

    One row per assumption that moves the net value (sorted by the swing, largest first):
    ``key``, ``label``, ``unit``, ``low``, ``value``, ``high`` (the assumption), ``net_low``
    and ``net_high`` (net value per year with it at low and at high), ``swing``
    (``|net_high - net_low|``); ``attrs["net"]``: the net value per year at the values.
    """
    assumptions = default_assumptions() if assumptions is None else assumptions
    _check(comparison, assumptions)
    a, b = comparison.per_replication()
    segments = comparison.segments_named()

    def net(x: Assumptions) -> float:
        lines = (_lines(b, segments, x)["net"].mean() - _lines(a, segments, x)["net"].mean())
        return float(lines * x["working_days_per_year"].value)

    centre = net(assumptions)
    rows = []
    for item in assumptions:
        lo = net(assumptions.replace(item.key, item.low))
        hi = net(assumptions.replace(item.key, item.high))
        if math.isclose(lo, hi, rel_tol=0, abs_tol=1e-9) and math.isclose(lo, centre,
                                                                          abs_tol=1e-9):
            continue
        rows.append({"key": item.key, "label": item.label, "unit": item.unit,
                     "low": item.low, "value": item.value, "high": item.high,
                     "net_low": lo, "net_high": hi, "swing": abs(hi - lo)})
    out = pd.DataFrame(rows, columns=["key", "label", "unit", "low", "value", "high",
                                      "net_low", "net_high", "swing"])
    out = out.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
    out.attrs["net"] = centre
    return out


def blended_size(scenario: Scenario) -> int:
    """The blended team's size: its largest head count, or its agents on shifts."""
    blended = [g for g in scenario.groups if g.skills and g.outbound]
    if len(blended) != 1:
        raise InputError(f"the pilot needs exactly one blended group (inbound skills and "
                         f"outbound campaigns) to be scaled; it has {len(blended)}")
    g = blended[0]
    if g.headcount is not None:
        return int(max(g.headcount, default=0))
    return int(sum(s.count for s in g.shifts))


def scaling(baseline: Scenario, pilot: Scenario, sizes, *,
            assumptions: Assumptions | None = None, replications: int = 40,
            seed: int | None = None, backend=None, workers=None, scheduler=None,
            quiet: bool = False) -> pd.DataFrame:
    """The pilot's figures as its blended team grows, each size against the same baseline.

    ``sizes``: blended team sizes (whole numbers >= 0, at most ``MAX_SCALE``); each size is
    the pilot with that many blended agents taken from its inbound team.  One row per size:
    ``blended_agents``; the paired differences (``service_level``, ``abandon_rate``, ``asa``,
    ``conversations``, each with ``_ci_low``/``_ci_high``); the size's own
    ``service_level_day`` and interval judgement (``intervals_below``: intervals whose
    service level is under target; ``intervals_missed``: under for sure); ``day_meets``
    (the day's level above target for sure or unclear rather than missed), ``every_interval``
    (the every-interval judgement: meets / unclear / misses); and ``net_per_day``,
    ``net_per_year`` with their intervals.  Sizes beyond the agents the pilot's hours have
    to blend give the same day and are left out: ``attrs["largest"]`` is then the largest
    size possible (None when every size was possible).
    """
    sizes = _sizes(sizes)
    assumptions = default_assumptions() if assumptions is None else assumptions
    seed = checked_seed(seed)
    options = dict(replications=replications, backend=backend, workers=workers,
                   scheduler=scheduler, quiet=quiet)
    base = simulate(baseline, seed=seed, **options)
    days = assumptions["working_days_per_year"].value
    rows = []
    previous, largest = None, None
    for n in sizes:
        variant = with_blended_agents(pilot, n)
        if previous is not None and variant == previous:
            largest = rows[-1]["blended_agents"]  # no more agents to blend: the same day
            break
        previous = variant
        result = simulate(variant, seed=seed, **options)
        c = Comparison(baseline=base, alternative=result)
        d = c.day()
        j = result.judgement(rule="every_interval")
        jd = result.judgement(rule="day")
        row = {"blended_agents": n}
        for figure in ("service_level", "abandon_rate", "asa", "conversations"):
            row[figure] = d.loc[figure, "difference"]
            row[f"{figure}_ci_low"] = d.loc[figure, "ci_low"]
            row[f"{figure}_ci_high"] = d.loc[figure, "ci_high"]
        row["service_level_day"] = d.loc["service_level", "alternative"]
        row["intervals_below"] = j.below
        row["intervals_missed"] = j.missed
        row["day_verdict"] = jd.verdict
        row["every_interval"] = j.verdict
        v = business_case(c, assumptions).loc["net"]
        row["net_per_day"], row["net_ci_low"], row["net_ci_high"] = (
            v["per_day"], v["ci_low"], v["ci_high"])
        row["net_per_year"] = v["per_day"] * days
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs["largest"] = largest
    out.attrs["baseline_intervals_below"] = base.judgement(rule="every_interval").below
    out.attrs["baseline_intervals_missed"] = base.judgement(rule="every_interval").missed
    return out


def _sizes(sizes) -> list[int]:
    if isinstance(sizes, range):
        sizes = list(sizes)
    if not isinstance(sizes, (list, tuple)) or not sizes:
        raise InputError(f"sizes must be a non-empty list of blended team sizes "
                         f"(got {sizes!r})")
    out = []
    for s in sizes:
        if isinstance(s, np.integer):
            s = int(s)
        if not isinstance(s, int) or isinstance(s, bool) or not 0 <= s <= MAX_SCALE:
            raise InputError(f"sizes must be whole numbers from 0 to {MAX_SCALE} "
                             f"(got {s!r})")
        out.append(s)
    if len(set(out)) != len(out):
        raise InputError(f"sizes must be distinct (got {out})")
    return sorted(out)


DESIGN_FIGURES = ("service_level", "abandon_rate", "asa", "conversations")


def days_needed(difference: float, sd: float, *, paired: bool, alpha: float = 0.05,
                power: float = 0.8) -> float:
    """Days to detect ``difference`` with a two-sided test at ``alpha`` and ``power``.

    Paired: the smallest ``n`` with ``n >= ((t(1-alpha/2, n-1) + t(power, n-1)) sd / d)^2``
    (``sd`` of the daily differences).  Independent: days per arm, the smallest ``n`` with
    ``n >= 2 ((t(1-alpha/2, 2n-2) + t(power, 2n-2)) sd / d)^2`` (``sd`` the days' common
    spread).  ``inf`` when the difference is 0 or more than ``MAX_DESIGN_DAYS`` are needed.
    """
    if not (difference == difference) or not (sd == sd):
        return math.nan
    if abs(difference) < 1e-12:
        return math.inf
    if sd <= 0:
        return 2.0
    ratio = (sd / abs(difference)) ** 2
    for n in range(2, MAX_DESIGN_DAYS + 1):
        df = n - 1 if paired else 2 * n - 2
        t = special.stdtrit(df, 1 - alpha / 2) + special.stdtrit(df, power)
        need = t * t * ratio * (1 if paired else 2)
        if n >= need:
            return float(n)
    return math.inf


def with_busyness(scenario: Scenario, cv: float) -> Scenario:
    """The scenario with every inbound type's day-to-day busyness at least ``cv``."""
    inbound = tuple(replace(t, busyness_cv=max(t.busyness_cv, cv)) for t in scenario.inbound)
    return replace(scenario, inbound=inbound)


def pilot_design(baseline: Scenario, pilot: Scenario, *, busyness_cv: float | None = None,
                 assumptions: Assumptions | None = None, replications: int = 40,
                 seed: int | None = None, alpha: float = 0.05, power: float = 0.8,
                 backend=None, workers=None, scheduler=None, quiet: bool = False
                 ) -> pd.DataFrame:
    """How many days a live pilot must run to detect the simulated change.

    Both scenarios are simulated with the day-to-day busyness ``busyness_cv`` (default the
    assumptions' ``busyness_cv``; a type's own larger busyness is kept), paired.  One row per
    figure of ``DESIGN_FIGURES``: ``figure``, ``difference`` (the simulated change),
    ``sd_paired`` (spread of the daily differences), ``sd_days`` (the days' own spread, both
    scenarios pooled), ``days_paired`` (days with a control on the same days) and
    ``days_parallel`` (days of pilot and as many baseline days), at ``alpha`` two-sided and
    ``power``.
    """
    assumptions = default_assumptions() if assumptions is None else assumptions
    cv = assumptions["busyness_cv"].value if busyness_cv is None else busyness_cv
    if isinstance(cv, bool) or not isinstance(cv, (int, float)) or not 0 <= cv <= 1:
        raise InputError(f"busyness_cv must be a number from 0 to 1 (got {cv!r})")
    for name, value, low, high in (("alpha", alpha, 0.0, 0.5), ("power", power, 0.5, 1.0)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not low < value < high:
            raise InputError(f"{name} must be a number between {low:g} and {high:g} "
                             f"(got {value!r})")
    c = compare(with_busyness(baseline, cv), with_busyness(pilot, cv),
                replications=replications, seed=seed, backend=backend, workers=workers,
                scheduler=scheduler, quiet=quiet)
    a, b = c.per_replication()
    rows = []
    for f in DESIGN_FIGURES:
        d = (b[f] - a[f]).to_numpy()
        d = d[~np.isnan(d)]
        diff = float(d.mean())
        sd_pair = float(d.std(ddof=1))
        sd_days = math.sqrt((float(a[f].var(ddof=1)) + float(b[f].var(ddof=1))) / 2)
        rows.append({"figure": f, "difference": diff, "sd_paired": sd_pair,
                     "sd_days": sd_days,
                     "days_paired": days_needed(diff, sd_pair, paired=True, alpha=alpha,
                                                power=power),
                     "days_parallel": days_needed(diff, sd_days, paired=False, alpha=alpha,
                                                  power=power)})
    out = pd.DataFrame(rows)
    out.attrs.update(busyness_cv=cv, alpha=alpha, power=power, seed=c.seed,
                     replications=c.replications)
    return out


@dataclass(frozen=True, eq=False)
class PilotCase:
    """Everything the executive's page shows (:func:`pilot_case`).

    Attributes
    ----------
    comparison : Comparison
        Baseline vs pilot, paired.
    assumptions : Assumptions
    value : DataFrame
        :func:`business_case`.
    sensitivity : DataFrame
        :func:`tornado`.
    scale : DataFrame or None
        :func:`scaling` (None when not asked).
    design : DataFrame
        :func:`pilot_design`.
    baseline_judgement, pilot_judgement : Judgement
        Each day judged interval by interval (rule ``every_interval``).
    """

    comparison: Comparison
    assumptions: Assumptions
    value: pd.DataFrame
    sensitivity: pd.DataFrame
    scale: pd.DataFrame | None
    design: pd.DataFrame
    baseline_judgement: Judgement
    pilot_judgement: Judgement

    @property
    def pilot_size(self) -> int:
        return blended_size(self.comparison.alternative.scenario)

    def break_even(self) -> float | None:
        """The value of one proactive conversation at which the pilot's net value is 0 (the
        other assumptions as they are); None when the pilot adds no conversations."""
        conv = self.comparison.day().loc["conversations", "difference"]
        if not conv > 0:
            return None
        other = self.value.loc["net", "per_day"] - self.value.loc["outreach", "per_day"]
        return float(max(-other / conv, 0.0))

    def period_word(self) -> str:
        """What the day's intervals are called: half hours, quarter hours, hours."""
        return {1800: "half hours", 900: "quarter hours", 3600: "hours"}.get(
            int(self.comparison.baseline.scenario.day.interval), "intervals")

    def verdict(self) -> str:
        """The page's verdict: what the pilot buys, what it costs inbound service, whether
        every interval keeps its target, and the net value per day and per year."""
        d = self.comparison.day()
        cur = self.assumptions.currency
        conv = d.loc["conversations"]
        sl = d.loc["service_level"]
        net = self.value.loc["net"]
        j = self.pilot_judgement
        level = f"{j.level:.0%}"
        words = self.period_word()
        if j.below == 0:
            kept = f"every one of the {j.judged} {words} keeps the {level} target"
        else:
            kept = (f"{j.below} of {j.judged} {words} fall below the {level} target, "
                    f"{j.missed} for sure")
        if net["per_day"] >= 0:
            money = (f"the centre gains {_money(net['per_day'], cur)} a day "
                     f"[{_money(net['ci_low'], cur)} to {_money(net['ci_high'], cur)}], "
                     f"{_money(net['per_year'], cur)} a year")
        else:
            money = (f"the centre loses {_money(-net['per_day'], cur)} a day "
                     f"[{_money(-net['ci_high'], cur)} to {_money(-net['ci_low'], cur)}], "
                     f"{_money(-net['per_year'], cur)} a year")
        text = (f"Blending {self.pilot_size} agents buys {conv['difference']:,.0f} proactive "
                f"conversations a day [{conv['ci_low']:,.0f} to {conv['ci_high']:,.0f}] for "
                f"{-100 * sl['difference']:.1f} points of inbound service level "
                f"({sl['baseline']:.1%} to {sl['alternative']:.1%}); {kept}. At the assumed "
                f"values {money}")
        even = self.break_even()
        if even is not None:
            text += (f"; it breaks even when a conversation is worth "
                     f"{_money(even, cur, cents=True)}")
        text += "."
        best = self.best_size()
        if best is not None:
            text += f" Scaling: {best}"
        return text

    def best_size(self) -> str | None:
        """A sentence on scaling: the largest team whose day keeps its target, and from which
        size some intervals miss it for sure."""
        s = self.scale
        if s is None or not len(s):
            return None
        level = f"{self.pilot_judgement.level:.0%}"
        ok = s[s["day_verdict"] != "misses"]
        first_miss = s[s["intervals_missed"] > self.baseline_judgement.missed]
        parts = []
        largest = s.attrs.get("largest")
        if len(ok):
            top = int(ok.iloc[-1]["blended_agents"])
            everyone = (" (every agent on duty in the blended hours)"
                        if largest is not None and top == largest else "")
            parts.append(f"the day's {level} target holds up to {top} blended agents{everyone}")
        else:
            parts.append(f"the day's {level} breaks at every size tried")
        if len(first_miss):
            n = int(first_miss.iloc[0]["blended_agents"])
            if n == self.pilot_size:
                parts.append(f"some {self.period_word()} miss it for sure already at the "
                             f"pilot's {n}")
            else:
                parts.append(f"some {self.period_word()} miss it for sure from {n}")
        else:
            parts.append(f"no {self.period_word()[:-1]} misses it for sure at any size tried")
        return ", ".join(parts) + "."


def _money(v: float, currency: str, *, cents: bool = False) -> str:
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency)
    if v != v:
        return "-"
    sign = "−" if v < 0 else ""
    v = abs(v)
    body = f"{v:,.2f}" if cents else f"{v:,.0f}"
    return f"{sign}{symbol}{body}" if symbol else f"{sign}{body} {currency}"


def pilot_case(baseline: Scenario, pilot: Scenario, *,
               assumptions: Assumptions | None = None, scale: tuple[int, int] | None = None,
               replications: int = 40, seed: int | None = None, backend=None, workers=None,
               scheduler=None, quiet: bool = False) -> PilotCase:
    """Baseline vs pilot, priced, scaled and with the live pilot's length: the page's data.

    ``scale``: ``(smallest, largest)`` blended team sizes to try (default: none); every size
    from the smallest to the largest is simulated.
    """
    assumptions = default_assumptions() if assumptions is None else assumptions
    seed = checked_seed(seed)
    options = dict(replications=replications, seed=seed, backend=backend, workers=workers,
                   scheduler=scheduler, quiet=quiet)
    c = compare(baseline, pilot, **options)
    value = business_case(c, assumptions)
    sens = tornado(c, assumptions)
    table = None
    if scale is not None:
        lo, hi = scale
        table = scaling(baseline, pilot, list(range(lo, hi + 1)), assumptions=assumptions,
                        **options)
    design = pilot_design(baseline, pilot, assumptions=assumptions, **options)
    return PilotCase(comparison=c, assumptions=assumptions, value=value, sensitivity=sens,
                     scale=table, design=design,
                     baseline_judgement=c.baseline.judgement(rule="every_interval"),
                     pilot_judgement=c.alternative.judgement(rule="every_interval"))
