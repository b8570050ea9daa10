"""The engine's clock: SimPy's environment, and the one place that touches SimPy's internals.

The engine needs two things SimPy's public API makes slow: feeding the day's arrivals (known
in advance) without an event object each, and scheduling a plain callback ``f(call)`` at a
delay, tens of millions of times a day.  :class:`Clock` does both, on SimPy's own event queue
(so a SimPy process could still share it), and relies on these internals of SimPy 4.1, pinned
by ``tests/engine/test_simpy_internals.py`` (the package bounds SimPy to ``>=4.1,<4.2``):

- ``Environment._queue`` is a heap of ``(time, priority, event id, event)`` tuples, ordered
  by time, then priority (``simpy.events.NORMAL`` for timeouts), then the id, which
  ``Environment._eid`` (an ``itertools.count``) hands out in scheduling order: at equal
  instants, first scheduled, first run;
- ``Environment._now`` is the current time, read by ``Environment.schedule`` (and so by
  every SimPy event) and writable;
- to run an event is to set its ``callbacks`` to ``None`` and call each with the event, then
  raise if its ``_ok`` is false (a failed event).

No other engine module reads a private SimPy name; only ``blendsim.engine`` imports SimPy.
"""

from __future__ import annotations

import math
from heapq import heappop, heappush
from itertools import chain

import simpy
from simpy.events import NORMAL

__all__ = ["Call", "Clock"]


class Call:
    """A callback due at an instant: ``callback(call)`` runs then, ``call.value`` is its datum.

    A minimal SimPy event (``callbacks`` and ``_ok`` are what SimPy's event loop uses), without
    a Timeout's construction cost.
    """

    __slots__ = ("callbacks", "value", "_ok")

    def __init__(self, callback, value):
        self.callbacks = [callback]
        self.value = value
        self._ok = True


class Clock(simpy.Environment):
    """SimPy's environment with the day's arrivals merged in and cheap callbacks.

    ``now`` is a plain attribute here (SimPy's is a property: this one is read at every
    decision), kept equal to SimPy's clock by :meth:`run_with_arrivals`, the only way a
    :class:`Clock` is run.
    """

    now = 0.0  # (shadows SimPy's property; set per instance)

    def __init__(self, initial_time: float = 0.0):
        super().__init__(initial_time)
        self.now = float(initial_time)

    def later(self, delay: float, callback, value=None) -> None:
        """Run ``callback(call)`` in ``delay`` seconds (``call.value`` is ``value``).

        At equal instants callbacks run in the order they were scheduled.
        """
        if delay < 0:
            raise ValueError(f"Negative delay {delay}")
        heappush(self._queue, (self._now + delay, NORMAL, next(self._eid), Call(callback, value)))

    def run_with_arrivals(self, times, on_arrival) -> None:
        """Run the day: ``on_arrival(i)`` at instant ``times[i]`` (sorted), events between.

        Creating and heap-sorting an event per arrival is a third of a plain simulation's
        work; the arrivals are merged with the event queue instead.  At equal instants,
        scheduled events come before an arrival.
        """
        queue = self._queue
        fire = self._fire
        last = len(times)
        for i, t in enumerate(chain(times, (math.inf,))):  # (inf: then every event left)
            while queue and queue[0][0] <= t:  # scheduled events at the same instant go first
                when, _, _, event = heappop(queue)
                self._now = self.now = when
                callbacks, event.callbacks = event.callbacks, None
                for callback in callbacks:
                    callback(event)
                if not event._ok:
                    fire(event)
            if i == last:
                return
            self._now = self.now = t
            on_arrival(i)

    @staticmethod
    def _fire(event) -> None:
        """A failed event that nobody defused stops the run, as in ``Environment.step``."""
        if not hasattr(event, "_defused"):
            exc = type(event._value)(*event._value.args)
            exc.__cause__ = event._value
            raise exc
