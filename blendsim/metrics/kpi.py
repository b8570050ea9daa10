"""Contact-centre figures as pure functions of records.

Everything here takes DataFrames of contact records (and agent logs) in the layout of
:mod:`blendsim.metrics.records` and returns numbers or DataFrames; nothing reads engine
internals, so the same functions measure a simulated day or a real call log.

Service level comes in the three usual definitions (``ServiceTarget.definition``):

- ``"offered"``: answered within the target time / all contacts offered;
- ``"answered"``: answered within the target time / answered contacts;
- ``"short_abandons_excluded"``: answered within the target time / (offered minus callers who
  hung up within ``short_abandon`` seconds).

:func:`contact_metrics` gives the figures of one set of contacts, :func:`contact_table` the
same figures per combination of keys (replication, interval, type...); both count with
:func:`contact_flags` and divide by :func:`service_level_base`, so a definition is written
once.  Per-interval figures are by the interval in which the contact *arrived*.  Occupancy (time on
contacts over logged-on time) and utilisation (time on contacts over scheduled time) are by
clock time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from blendsim.scenario.parts import Day, ServiceTarget

__all__ = [
    "CONTACT_METRICS",
    "COUNTS",
    "OUTBOUND_METRICS",
    "busy_time",
    "contact_flags",
    "contact_metrics",
    "contact_table",
    "group_time_metrics",
    "interval_of",
    "outbound_table",
    "overlap_by_interval",
    "service_level",
    "service_level_base",
]

CONTACT_METRICS = ("offered", "answered", "abandoned", "blocked", "balked", "unserved",
                   "service_level", "asa", "aht", "abandon_rate", "longest_wait")


def interval_of(arrival_at, day: Day) -> np.ndarray:
    """Index of the interval each arrival falls in (``0 .. day.n_intervals - 1``)."""
    k = np.floor((np.asarray(arrival_at, dtype=float) - day.open_at) / day.interval)
    return np.clip(k, 0, day.n_intervals - 1).astype(np.int64)


# The contact counts of a day or an interval: 0 where no contact came (ratios stay NaN there).
COUNTS = ["offered", "answered", "abandoned", "blocked", "balked", "unserved"]


def contact_flags(contacts: pd.DataFrame, target: ServiceTarget) -> dict[str, np.ndarray]:
    """Per contact, booleans: ``served``, ``abandoned``, ``within`` (served within the target
    time) and ``short`` (abandoned before ``target.short_abandon`` seconds); and ``wait``."""
    outcome = contacts["outcome"].to_numpy()
    wait = contacts["wait"].to_numpy(dtype=float)
    served = outcome == "served"
    abandoned = outcome == "abandoned"
    return {"served": served, "abandoned": abandoned,
            "within": served & (wait <= target.seconds),
            "short": abandoned & (wait < target.short_abandon), "wait": wait}


def service_level_base(definition: str, offered, answered, short):
    """The service level's denominator under ``definition`` (counts, or Series of counts)."""
    if definition == "answered":
        return answered
    if definition == "short_abandons_excluded":
        return offered - short
    return offered


def service_level(contacts: pd.DataFrame, target: ServiceTarget) -> float:
    """Service level of a set of contacts under ``target`` (NaN if the denominator is 0)."""
    f = contact_flags(contacts, target)
    within = int(np.count_nonzero(f["within"]))
    base = service_level_base(target.definition, len(contacts),
                              int(np.count_nonzero(f["served"])),
                              int(np.count_nonzero(f["short"])))
    return within / base if base else float("nan")


def contact_metrics(contacts: pd.DataFrame, target: ServiceTarget) -> dict[str, float]:
    """The contact figures of a set of contacts (one replication, one interval...).

    ``offered`` counts every contact; ``asa`` is the mean wait of answered contacts; ``aht``
    their mean handle plus wrap-up time; ``abandon_rate`` abandoned over offered;
    ``longest_wait`` the longest time any contact waited (answered or not).
    """
    outcome = contacts["outcome"].to_numpy()
    f = contact_flags(contacts, target)
    wait, served = f["wait"], f["served"]
    n = len(contacts)
    counts = {k: int(np.count_nonzero(outcome == k))
              for k in ("abandoned", "blocked", "balked", "unserved")}
    answered = int(np.count_nonzero(served))
    work = (contacts["handle"].to_numpy(dtype=float) + contacts["wrap_up"].to_numpy(dtype=float))
    finite_wait = wait[np.isfinite(wait)]
    return {
        "offered": n,
        "answered": answered,
        **counts,
        "service_level": service_level(contacts, target),
        "asa": float(wait[served].mean()) if answered else float("nan"),
        "aht": float(work[served].mean()) if answered else float("nan"),
        "abandon_rate": counts["abandoned"] / n if n else float("nan"),
        "longest_wait": float(finite_wait.max()) if finite_wait.size else float("nan"),
    }


def contact_table(contacts: pd.DataFrame, target: ServiceTarget,
                  keys: list[str]) -> pd.DataFrame:
    """Contact figures per combination of ``keys`` (e.g. replication and interval).

    Columns: the keys and ``CONTACT_METRICS`` (see :func:`contact_metrics` for their
    meaning); a ratio is NaN where its denominator is 0.
    """
    outcome = contacts["outcome"].to_numpy()
    f = contact_flags(contacts, target)
    frame = pd.DataFrame({k: contacts[k].to_numpy() for k in keys})
    frame["served"] = f["served"]
    frame["abandoned"] = f["abandoned"]
    for k in ("blocked", "balked", "unserved"):
        frame[k] = outcome == k
    frame["within"] = f["within"]
    frame["short"] = f["short"]
    frame["wait_served"] = np.where(f["served"], f["wait"], np.nan)
    frame["work"] = contacts["handle"].to_numpy(dtype=float) + contacts["wrap_up"].to_numpy(
        dtype=float)
    frame["wait_any"] = f["wait"]
    agg = frame.groupby(keys, observed=True, sort=True).agg(
        offered=("served", "size"), answered=("served", "sum"),
        abandoned=("abandoned", "sum"), blocked=("blocked", "sum"), balked=("balked", "sum"),
        unserved=("unserved", "sum"), within=("within", "sum"), short=("short", "sum"),
        asa=("wait_served", "mean"), aht=("work", "mean"), longest_wait=("wait_any", "max"))
    base = service_level_base(target.definition, agg["offered"], agg["answered"], agg["short"])
    agg["service_level"] = (agg["within"] / base).where(base > 0)
    agg["abandon_rate"] = (agg["abandoned"] / agg["offered"]).where(agg["offered"] > 0)
    return agg.reset_index()[[*keys, *CONTACT_METRICS]]


def _cumulative_overlap(starts: np.ndarray, ends: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """F(x) = total length of the spans [start, end) lying before x, at each edge x."""
    s = np.sort(starts)
    e = np.sort(ends)
    cs = np.concatenate([[0.0], np.cumsum(s)])
    ce = np.concatenate([[0.0], np.cumsum(e)])
    ks = np.searchsorted(s, edges, side="left")
    ke = np.searchsorted(e, edges, side="left")
    return (ks * edges - cs[ks]) - (ke * edges - ce[ke])


def overlap_by_interval(starts, ends, edges) -> np.ndarray:
    """Total time the spans ``[starts, ends)`` spend in each interval between ``edges``."""
    starts = np.asarray(starts, dtype=float)
    ends = np.asarray(ends, dtype=float)
    keep = np.isfinite(starts) & np.isfinite(ends) & (ends > starts)
    f = _cumulative_overlap(starts[keep], ends[keep], np.asarray(edges, dtype=float))
    return np.diff(f)


def busy_time(contacts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The spans agents spend on contacts: ``(answered_at, end_at)`` of served contacts."""
    served = (contacts["outcome"] == "served").to_numpy()
    return (contacts["answered_at"].to_numpy(dtype=float)[served],
            contacts["end_at"].to_numpy(dtype=float)[served])


def group_time_metrics(contacts: pd.DataFrame, agents: pd.DataFrame, edges: np.ndarray,
                       scheduled: pd.DataFrame | None = None,
                       ready: pd.DataFrame | None = None) -> pd.DataFrame:
    """How each group's time is spent, per interval of clock time.

    Parameters
    ----------
    contacts, agents : DataFrame
        Contact records and agent log of one replication.
    edges : array
        Interval boundaries (``n + 1`` instants).
    scheduled : DataFrame, optional
        Scheduled periods (columns ``group``, ``start_at``, ``end_at``) for utilisation.
    ready : DataFrame, optional
        Spans agents waited for an outbound connect (columns ``group``, ``from_at``,
        ``to_at``): outbound work without a conversation.

    Returns
    -------
    DataFrame
        Rows per (group, interval), seconds: ``inbound`` and ``outbound`` (on contacts,
        wrap-up included; outbound includes waiting for connects), ``busy`` (their sum),
        ``logged_on``, ``scheduled``; and ``occupancy`` = busy / logged_on, ``utilisation`` =
        busy / scheduled.
    """
    rows = []
    groups = list(agents["group"].cat.categories) if hasattr(agents["group"], "cat") else \
        sorted(set(agents["group"]))
    kind = contacts["kind"].to_numpy() if "kind" in contacts else np.full(len(contacts),
                                                                           "inbound")
    width = len(edges) - 1
    for g in groups:
        mine = (contacts["group"] == g).to_numpy()
        s, e = busy_time(contacts[mine & (kind == "inbound")])
        inbound = overlap_by_interval(s, e, edges)
        s, e = busy_time(contacts[mine & (kind == "outbound")])
        outbound = overlap_by_interval(s, e, edges)
        if ready is not None and len(ready):
            r = ready[ready["group"] == g]
            outbound = outbound + overlap_by_interval(r["from_at"], r["to_at"], edges)
        busy = inbound + outbound
        log = agents[agents["group"] == g]
        on = overlap_by_interval(log["on_at"], log["off_at"], edges)
        if scheduled is not None:
            sch = scheduled[scheduled["group"] == g]
            planned = overlap_by_interval(sch["start_at"], sch["end_at"], edges)
        else:
            planned = np.full(width, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            occ = np.where(on > 0, busy / on, np.nan)
            util = np.where(planned > 0, busy / planned, np.nan)
        for k in range(width):
            rows.append((g, k, inbound[k], outbound[k], busy[k], on[k], planned[k], occ[k],
                         util[k]))
    return pd.DataFrame(rows, columns=["group", "interval", "inbound", "outbound", "busy",
                                       "logged_on", "scheduled", "occupancy", "utilisation"])


OUTBOUND_METRICS = ("attempts", "connects", "conversations", "mismatches", "connect_rate",
                    "mismatch_rate")


def outbound_table(contacts: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Outbound figures per combination of ``keys`` (outbound rows only).

    ``attempts`` dialled, right-party ``connects``, ``conversations`` (connects an agent
    took), ``mismatches`` (connects no agent came to), ``connect_rate`` = connects /
    attempts and ``mismatch_rate`` = mismatches / connects (the regulators' "abandoned live
    calls").
    """
    out = contacts[contacts["kind"] == "outbound"]
    outcome = out["outcome"].to_numpy()
    frame = pd.DataFrame({k: out[k].to_numpy() for k in keys})
    frame["conversation"] = outcome == "served"
    frame["mismatch"] = outcome == "mismatch"
    agg = frame.groupby(keys, observed=True, sort=True).agg(
        attempts=("conversation", "size"), conversations=("conversation", "sum"),
        mismatches=("mismatch", "sum"))
    agg["connects"] = agg["conversations"] + agg["mismatches"]
    agg["connect_rate"] = (agg["connects"] / agg["attempts"]).where(agg["attempts"] > 0)
    agg["mismatch_rate"] = (agg["mismatches"] / agg["connects"]).where(agg["connects"] > 0)
    return agg.reset_index()[[*keys, *OUTBOUND_METRICS]]
