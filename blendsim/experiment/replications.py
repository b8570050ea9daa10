"""Replications and their summary: :func:`simulate` and its :class:`Result`.

``simulate(scenario, replications=R, seed=S)`` runs R independent days.  Replication ``r``
draws every random number from streams spawned from ``(S, r, source name)``, so the same seed
gives identical records, and two scenarios simulated with one seed see the same contacts
(common random numbers: comparisons between them have low variance).

The :class:`Result` keeps every record (``contacts``, ``agents``) and summarises them:
each figure is computed per replication (:mod:`blendsim.metrics.kpi`), then averaged, with a
95% confidence interval from the spread between replications (Student's t,
:mod:`blendsim.metrics.ci`).

>>> from blendsim.scenario import AgentGroup, Day, InboundType, Scenario, Shift
>>> from blendsim.scenario.distributions import Exponential
>>> sc = Scenario(name="demo", day=Day(open_at=9 * 3600, close_at=11 * 3600, interval=3600),
...               inbound=[InboundType(name="calls", volume=[100, 100],
...                                    handle_time=Exponential(mean=240))],
...               groups=[AgentGroup(name="team", skills=["calls"], headcount=[8, 8])])
>>> result = simulate(sc, replications=5, seed=1)
>>> s = result.summary()
>>> bool(s.loc["offered", "ci_low"] < s.loc["offered", "mean"] < s.loc["offered", "ci_high"])
True
"""

from __future__ import annotations

import pickle
from contextlib import closing
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from blendsim._validate import whole
from blendsim.engine.acd import run_day
from blendsim.errors import BlendsimError, InputError
from blendsim.experiment.backends import MAX_REPLICATIONS, Interrupted, TaskError, run_tasks
from blendsim.metrics.ci import mean_ci, summary_ci
from blendsim.metrics.judgement import (
    Judgement,
    interval_counts,
    interval_service,
    intervals_below_per_day,
    judge,
)
from blendsim.metrics.kpi import (
    CONTACT_METRICS,
    COUNTS,
    OUTBOUND_METRICS,
    contact_table,
    group_time_metrics,
    interval_of,
    outbound_table,
)
from blendsim.policies.blending import BlendingPolicy
from blendsim.policies.routing import Routing
from blendsim.scenario.model import Scenario
from blendsim.streams import new_seed

__all__ = ["Result", "day_figures", "interval_figures", "interval_levels", "simulate"]


@dataclass(frozen=True, eq=False)
class Result:
    """Everything :func:`simulate` produced, with summaries.

    Attributes
    ----------
    scenario : Scenario
    seed : int
        The seed used (replay with ``simulate(scenario, seed=result.seed)``).
    replications : int
    contacts : DataFrame
        One row per inbound contact and per outbound call attempt of every replication (see
        :mod:`blendsim.metrics.records`); ``kind`` tells them apart.
    agents : DataFrame
        The agents' logged-on periods of every replication.
    ready : DataFrame
        Spans agents waited for the dialler to connect an outbound call.
    """

    scenario: Scenario
    seed: int
    replications: int
    contacts: pd.DataFrame
    agents: pd.DataFrame
    ready: pd.DataFrame

    # --- per replication ----------------------------------------------------------------------

    @cached_property
    def inbound(self) -> pd.DataFrame:
        """The inbound contacts only."""
        c = self.contacts
        return c if not self.scenario.outbound else c[c["kind"] == "inbound"]

    @cached_property
    def _time(self) -> pd.DataFrame:
        """Seconds per replication, group and interval of clock time: on inbound, on
        outbound, busy, logged on, scheduled (interval -1 is before opening, n after closing).
        """
        day = self.scenario.day
        edges = np.concatenate([day.interval_starts, [day.close_at]])
        last = np.nanmax([self.agents["off_at"].max(), self.contacts["end_at"].max(),
                          day.close_at])
        first = min(float(self.agents["on_at"].min()) if len(self.agents) else day.open_at,
                    day.open_at)
        edges = np.concatenate([[first], edges, [max(last, day.close_at) + 1.0]])
        scheduled = pd.DataFrame(self.scenario.agent_periods(),
                                 columns=["agent", "group", "start_at", "end_at"])
        ready = self.ready
        if len(ready):
            group_of = {a: g for a, g, _, _ in self.scenario.agent_periods()}
            ready = ready.assign(group=ready["agent"].astype(str).map(group_of))
        parts = []
        for r in range(self.replications):
            t = group_time_metrics(
                self.contacts[self.contacts["replication"] == r],
                self.agents[self.agents["replication"] == r], edges, scheduled,
                ready[ready["replication"] == r] if len(ready) else None)
            t["replication"] = r
            parts.append(t)
        out = pd.concat(parts, ignore_index=True)
        out["interval"] -= 1  # the first edge is "before opening": intervals start at 0
        return out

    def replication_summary(self) -> pd.DataFrame:
        """The day's figures of each replication (one row each)."""
        target = self.scenario.service_target
        day = contact_table(self.inbound, target, ["replication"]).set_index("replication")
        day = day.reindex(range(self.replications))
        day[COUNTS] = day[COUNTS].fillna(0)  # a replication without inbound contacts: zeros
        total = self._time.groupby("replication")[
            ["inbound", "outbound", "busy", "logged_on", "scheduled"]].sum()
        day["occupancy"] = total["busy"] / total["logged_on"]
        day["utilisation"] = total["busy"] / total["scheduled"]
        sc = self.scenario
        day["intervals_below"] = intervals_below_per_day(self.inbound, target, sc.day,
                                                         self.replications)
        if self.scenario.outbound:
            out = outbound_table(self.contacts, ["replication"]).set_index("replication")
            out = out.reindex(range(self.replications))
            out[["attempts", "connects", "conversations", "mismatches"]] = out[
                ["attempts", "connects", "conversations", "mismatches"]].fillna(0)
            for col in OUTBOUND_METRICS:
                day[col] = out[col]
            dialling = [g.name for g in self.scenario.groups if g.outbound]
            t = self._time[self._time["group"].isin(dialling)].groupby("replication")[
                "logged_on"].sum()
            day["conversations_per_agent_hour"] = out["conversations"] / (t / 3600.0)
            day["outbound_share"] = total["outbound"] / total["logged_on"]
        return day.rename_axis("replication").reset_index()

    # --- summaries ----------------------------------------------------------------------------

    def summary(self) -> pd.DataFrame:
        """The day's figures: mean and 95% confidence interval over replications.

        Index: the inbound figures (``offered``, ``answered``, ..., ``service_level``,
        ``asa``...), ``occupancy`` and ``utilisation``, and with outbound campaigns the
        outbound figures (``attempts``, ``connects``, ``conversations``, ``mismatches``,
        ``connect_rate``, ``mismatch_rate``, ``conversations_per_agent_hour``,
        ``outbound_share`` of logged-on time); columns ``mean``, ``ci_low``, ``ci_high``,
        ``std``, ``replications``.
        """
        return summary_ci(self.replication_summary().drop(columns="replication"))

    def by_interval(self) -> pd.DataFrame:
        """Figures per interval, with 95% intervals.

        Inbound figures are by the interval of arrival, outbound ones (``attempts``,
        ``conversations``...) by the interval of dialling; agents (``agents`` logged on,
        ``agents_inbound``, ``agents_outbound`` and ``agents_idle``: average numbers) and
        ``occupancy`` by clock time.  One row per interval; for each figure ``m`` the columns
        ``m``, ``m_ci_low`` and ``m_ci_high``.  Intervals without contacts in a replication
        count as 0 offered, and have no service level or ASA in it.
        """
        table = self.interval_table()
        columns = [c for c in table.columns if c not in ("replication", "interval")]
        out = mean_ci(table, ["interval"], columns).reset_index()
        out.insert(1, "start", self.scenario.day.interval_labels())
        return out

    def interval_table(self) -> pd.DataFrame:
        """The figures of :meth:`by_interval` for each replication and interval (one row
        each: ``replication``, ``interval``, then the figures), before averaging."""
        day = self.scenario.day
        target = self.scenario.service_target
        full = pd.MultiIndex.from_product([range(self.replications), range(day.n_intervals)],
                                          names=["replication", "interval"])
        inbound = self.inbound.assign(interval=interval_of(self.inbound["arrival_at"], day))
        table = contact_table(inbound, target, ["replication", "interval"])
        table = table.set_index(["replication", "interval"]).reindex(full)
        table[COUNTS] = table[COUNTS].fillna(0)
        columns = [*CONTACT_METRICS]
        if self.scenario.outbound:
            c = self.contacts
            out = outbound_table(c.assign(interval=interval_of(c["arrival_at"], day)),
                                 ["replication", "interval"])
            out = out.set_index(["replication", "interval"]).reindex(full)
            tallies = ["attempts", "connects", "conversations", "mismatches"]
            out[tallies] = out[tallies].fillna(0)
            table = table.join(out)
            columns += list(OUTBOUND_METRICS)
        gt = self._time
        gt = gt[(gt["interval"] >= 0) & (gt["interval"] < day.n_intervals)]
        t = gt.groupby(["replication", "interval"])[
            ["inbound", "outbound", "busy", "logged_on"]].sum()
        table["occupancy"] = (t["busy"] / t["logged_on"]).where(t["logged_on"] > 0)
        table["agents"] = t["logged_on"] / day.interval
        table["agents_inbound"] = t["inbound"] / day.interval
        table["agents_outbound"] = t["outbound"] / day.interval
        table["agents_idle"] = (t["logged_on"] - t["busy"]) / day.interval
        columns += ["occupancy", "agents", "agents_inbound", "agents_outbound", "agents_idle"]
        return table[columns].reset_index()

    def interval_service(self, estimator: str | None = None) -> pd.DataFrame:
        """Each interval's inbound service level with its 95% interval and verdict.

        ``estimator``: ``"daily"`` (the mean over days of the interval's daily ratio) or
        ``"pooled"`` (the ratio of all days' counts); default the scenario's
        ``service_target.estimator``.  See :func:`blendsim.metrics.judgement.interval_service`.
        """
        sc = self.scenario
        return interval_service(self.inbound, sc.service_target, sc.day, self.replications,
                                estimator)

    def judgement(self, rule: str | None = None, share: float | None = None,
                  estimator: str | None = None) -> Judgement:
        """The day judged under the target's rule (or ``rule``/``share`` given): the
        intervals below target, the worst one, and whether the rule is met for sure.

        See :mod:`blendsim.metrics.judgement`.
        """
        s = self.summary().loc["service_level"]
        return judge(self.interval_service(estimator), self.scenario.service_target,
                     day_service_level=s["mean"], day_ci_low=s["ci_low"],
                     day_ci_high=s["ci_high"], rule=rule, share=share)

    def by_type(self) -> pd.DataFrame:
        """Contact figures per inbound type over the day, with 95% intervals."""
        table = contact_table(self.inbound, self.scenario.service_target,
                              ["replication", "type"])
        # Every type in every replication: a day on which a type had no contact counts 0
        # offered (left out, the mean count would be taken over busy days only).
        full = pd.MultiIndex.from_product(
            [range(self.replications), [t.name for t in self.scenario.inbound]],
            names=["replication", "type"])
        table["type"] = table["type"].astype(str)
        table = table.set_index(["replication", "type"]).reindex(full)
        table[COUNTS] = table[COUNTS].fillna(0)
        return mean_ci(table.reset_index(), ["type"], list(CONTACT_METRICS)).reset_index()

    def by_segment(self) -> pd.DataFrame:
        """Outbound figures per campaign and segment over the day, with 95% intervals."""
        table = outbound_table(self.contacts, ["replication", "type", "segment"])
        table = table.rename(columns={"type": "campaign"})
        return mean_ci(table, ["campaign", "segment"], list(OUTBOUND_METRICS)).reset_index()

    def by_group(self) -> pd.DataFrame:
        """Per agent group over the day: what it handled and how its time was spent.

        ``answered`` inbound contacts, ``conversations`` outbound, ``aht``; hours logged on
        (``agent_hours``) split into ``inbound_hours``, ``outbound_hours`` (conversations and
        waiting for connects, wrap-up included) and ``idle_hours``; ``occupancy`` and
        ``utilisation``.
        """
        served = self.contacts[self.contacts["outcome"] == "served"]
        kind = served["kind"] if "kind" in served else "inbound"
        frame = pd.DataFrame({
            "replication": served["replication"].to_numpy(),
            "group": served["group"].astype(str).to_numpy(),
            "answered": (kind == "inbound").to_numpy(),
            "conversations": (kind == "outbound").to_numpy(),
            "work": (served["handle"] + served["wrap_up"]).to_numpy()})
        per = frame.groupby(["replication", "group"]).agg(
            answered=("answered", "sum"), conversations=("conversations", "sum"),
            aht=("work", "mean")).reset_index()
        gt = self._time.assign(group=self._time["group"].astype(str)).groupby(
            ["replication", "group"])[["inbound", "outbound", "busy", "logged_on",
                                       "scheduled"]].sum().reset_index()
        gt["occupancy"] = gt["busy"] / gt["logged_on"]
        gt["utilisation"] = gt["busy"] / gt["scheduled"]
        gt["agent_hours"] = gt["logged_on"] / 3600.0
        gt["inbound_hours"] = gt["inbound"] / 3600.0
        gt["outbound_hours"] = gt["outbound"] / 3600.0
        gt["idle_hours"] = (gt["logged_on"] - gt["busy"]) / 3600.0
        merged = gt.merge(per, on=["replication", "group"], how="left").fillna(
            {"answered": 0, "conversations": 0})
        cols = ["answered", "conversations", "aht", "agent_hours", "inbound_hours",
                "outbound_hours", "idle_hours", "occupancy", "utilisation"]
        return mean_ci(merged, ["group"], cols).reset_index()


def interval_figures(scenario: Scenario) -> list[str]:
    """Names of the per-interval service levels a sweep keeps for each replication
    (``service_level_interval_0`` ...): each day's ratio, so their means over replications
    are the ``"daily"`` estimator of :mod:`blendsim.metrics.judgement`."""
    return [f"service_level_interval_{k}" for k in range(scenario.day.n_intervals)]


def interval_levels(result: Result) -> dict[str, float]:
    """A one-replication result's service level in each interval (NaN without contacts),
    under the names of :func:`interval_figures`."""
    sc = result.scenario
    _, within, base = interval_counts(result.inbound, sc.service_target, sc.day, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        levels = np.where(base[0] > 0, within[0] / np.where(base[0] > 0, base[0], 1), np.nan)
    return {name: float(v) for name, v in zip(interval_figures(sc), levels, strict=True)}


def day_figures(scenario: Scenario) -> list[str]:
    """The names of the day's figures :meth:`Result.summary` gives for ``scenario``."""
    names = [*CONTACT_METRICS, "occupancy", "utilisation", "intervals_below"]
    if scenario.outbound:
        names += [*OUTBOUND_METRICS, "conversations_per_agent_hour", "outbound_share"]
    return names


def replication_records(scenario: Scenario, seed: int, replication: int,
                        routing: Routing | None = None,
                        blending: BlendingPolicy | None = None):
    """One replication's records as DataFrames: ``(contacts, agents, ready)``.

    A pure function of its arguments, so any backend may compute it.
    """
    rec = run_day(scenario, seed=seed, replication=replication, routing=routing,
                  blending=blending)
    return rec.contacts(), rec.agents(), rec.ready()


def simulate(scenario: Scenario, *, replications: int = 20, seed: int | None = None,
             routing: Routing | None = None, blending: BlendingPolicy | None = None,
             backend: str | None = None, workers: int | None = None,
             scheduler: str | None = None, quiet: bool = False) -> Result:
    """Simulate ``replications`` independent days of ``scenario``.

    Parameters
    ----------
    scenario : Scenario
    replications : int
        Number of simulated days, from 1 to ``MAX_REPLICATIONS`` (100,000).
    seed : int, optional
        The run's seed (``>= 0``); ``None`` draws fresh entropy, recorded in ``Result.seed``.
    routing : Routing, optional
        A routing policy object (default :class:`blendsim.policies.routing.LongestIdle`).
    blending : BlendingPolicy, optional
        A blending policy object overriding the scenario's (e.g. one written in Python).
    backend : {"pool", "serial", "dask"}, optional
        Where the replications run (see :mod:`blendsim.experiment.backends`); default a local
        process pool, or this process when ``routing``/``blending`` (or the scenario's
        policies) are objects of a class the workers cannot import (defined in a notebook, a
        script or a function).  Every backend gives identical numbers for the same seed.
    workers : int, optional
        Processes for the pool (default: one per core) or a local Dask cluster.
    scheduler : str, optional
        A Dask scheduler address (``"tcp://host:8786"``), with ``backend="dask"``.
    quiet : bool
        No progress: no bar on a terminal, and elsewhere no lines with the time left.

    Raises
    ------
    KeyboardInterrupt
        On Ctrl-C, after the queued replications are cancelled and the workers stopped: an
        :class:`blendsim.experiment.backends.Interrupted` saying how many replications had
        finished.
    """
    if not isinstance(scenario, Scenario):
        raise InputError(f"scenario must be a Scenario (got {type(scenario).__name__})")
    reps = whole("replications", replications, low=1, high=MAX_REPLICATIONS)
    seed = checked_seed(seed)
    if blending is not None and not isinstance(blending, BlendingPolicy):
        raise InputError(f"blending must be a blending policy with a may_start_outbound "
                         f"method (got {blending!r})")
    backend = default_backend(backend, routing, blending, *scenario.blending)
    tasks = [(scenario, seed, r, routing, blending) for r in range(reps)]
    parts: list = [None] * reps
    done = 0
    try:
        with closing(run_tasks(replication_records, tasks, backend=backend, workers=workers,
                               scheduler=scheduler, quiet=quiet)) as finished:
            for r, value in finished:
                if isinstance(value, TaskError):
                    raise BlendsimError(f"replication {r} failed: {value}")
                parts[r] = value
                done += 1
    except KeyboardInterrupt as e:  # the workers are stopped by now; say what was lost
        if isinstance(e, Interrupted):
            raise
        raise Interrupted(f"{done} of {reps} replications finished; nothing written") from None
    contacts, agents, ready = zip(*parts, strict=True)
    return Result(scenario=scenario, seed=seed, replications=reps,
                  contacts=_stack(list(contacts)), agents=_stack(list(agents)),
                  ready=_stack(list(ready)))


def checked_seed(seed) -> int:
    """The run's seed: the one given (a whole number >= 0), or fresh entropy."""
    if seed is None:
        return new_seed()
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise InputError(f"seed must be a whole number >= 0 (got {seed!r})")
    return int(seed)


def default_backend(backend: str | None, *objects) -> str:
    """The backend to use: as asked, or the pool unless some object cannot travel.

    An object travels to a worker process by reference to its class, so a class that only
    this process knows (defined inside a function, or in ``__main__``: a notebook, a script,
    ``python -c``) keeps the work in this process.
    """
    if backend is not None:
        return backend
    for obj in objects:
        if obj is None:
            continue
        try:
            data = pickle.dumps(obj)
        except Exception:  # noqa: BLE001 - any failure to pickle means: stay in-process
            return "serial"
        if b"__main__" in data:  # some class in it (perhaps nested) lives in __main__
            return "serial"
    return "pool"


def _stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Replications one under another (a single one as it is: no copy of a large day)."""
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
