"""The day's inbound contacts: everything chance decides about them, drawn before the run.

Arrivals are drawn for the whole day (each type from its own stream), with every contact's
handle time, wrap-up and patience drawn in arrival order from that type's streams, so the
i-th contact of a type gets the same draws whatever the staffing (common random numbers).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np

from blendsim.engine.arrivals import busyness_factor, poisson_arrivals
from blendsim.scenario.model import Scenario
from blendsim.streams import stream

__all__ = ["DrawnContacts", "compact_array", "draw_contacts"]


@dataclass(frozen=True, slots=True)
class DrawnContacts:
    """The day's inbound contacts with everything chance decides about them, in arrival order."""

    arrival_at: np.ndarray
    type: np.ndarray  # index into scenario.inbound
    handle: np.ndarray
    wrap_up: np.ndarray
    give_up_at: np.ndarray  # arrival + patience (inf: never hangs up)
    balks: np.ndarray  # would hang up at once rather than wait


def draw_contacts(scenario: Scenario, seed: int, replication: int) -> DrawnContacts:
    """Draw the inbound contacts of one replication.

    Each type ``T`` draws from its own named streams (``inbound.T.busyness``,
    ``inbound.T.arrivals``, ``inbound.T.handle``, ``inbound.T.wrap_up``,
    ``inbound.T.patience``, ``inbound.T.balk``); the i-th contact of a type always gets the
    i-th draw of each, whatever the staffing.
    """
    day = scenario.day
    parts = []
    for k, t in enumerate(scenario.inbound):
        base = f"inbound.{t.name}"
        if t.arrival_times is not None:  # a fixed trace: no chance in when they arrive
            times = np.sort(np.asarray(t.arrival_times, dtype=float), kind="stable")
        else:
            factor = busyness_factor(t.busyness_cv,
                                     stream(seed, replication, base + ".busyness"))
            expected = t.expected_calls(day.interval) * factor
            times = poisson_arrivals(expected, day.interval_starts, day.interval,
                                     stream(seed, replication, base + ".arrivals"))
        n = times.size
        handle = t.handle_time.sample(stream(seed, replication, base + ".handle"), n)
        wrap = (t.wrap_up.sample(stream(seed, replication, base + ".wrap_up"), n)
                if t.wrap_up is not None else np.zeros(n))
        give_up = (times + t.patience.sample(stream(seed, replication, base + ".patience"), n)
                   if t.patience is not None else np.full(n, np.inf))
        balks = (stream(seed, replication, base + ".balk").random(n) < t.balk_probability
                 if t.balk_probability > 0 else np.zeros(n, dtype=bool))
        parts.append((times, np.full(n, k, dtype=np.int32), handle, wrap, give_up, balks))
    cols = [np.concatenate(c) for c in zip(*parts, strict=True)]
    order = np.argsort(cols[0], kind="stable")  # ties keep scenario type order
    return DrawnContacts(*(c[order] for c in cols))


def compact_array(code: str, values: np.ndarray) -> array:
    """A numpy array as a compact ``array.array`` (one copy, no intermediate bytes)."""
    out = array(code)
    values = np.ascontiguousarray(values, dtype=np.int32 if code == "i" else float)
    out.frombytes(memoryview(values).cast("B"))
    return out
