"""The SimPy behaviour the engine relies on (``blendsim/engine/_simpy.py``), pinned.

``_simpy.py`` is the only module that touches SimPy's private attributes; these tests fail
if a SimPy release changes any of them, and check the installed SimPy lies in the bound the
package declares (read from the installed metadata, so the two cannot drift apart).
"""

from __future__ import annotations

import importlib.metadata
import itertools

import pytest
import simpy
from packaging.requirements import Requirement
from simpy.events import NORMAL, URGENT, Timeout

from blendsim.engine._simpy import Call, Clock


def declared_simpy() -> Requirement:
    reqs = [Requirement(r) for r in importlib.metadata.requires("blendsim") or []]
    simpy_reqs = [r for r in reqs if r.name == "simpy" and r.marker is None]
    assert len(simpy_reqs) == 1, reqs
    return simpy_reqs[0]


def test_installed_simpy_is_inside_the_declared_bound():
    req = declared_simpy()
    assert str(req.specifier) in (">=4.1,<4.2", "<4.2,>=4.1")  # the bound this file pins
    installed = importlib.metadata.version("simpy")
    assert req.specifier.contains(installed), (installed, str(req.specifier))
    assert simpy.__version__ == installed


def test_event_queue_is_a_heap_of_time_priority_id_event_tuples():
    env = simpy.Environment()
    first = Timeout(env, 5.0, "a")
    second = Timeout(env, 2.0, "b")
    assert isinstance(env._queue, list)
    assert env._queue[0] == (2.0, NORMAL, 1, second)
    assert sorted(e[:3] for e in env._queue) == [(2.0, NORMAL, 1), (5.0, NORMAL, 0)]
    assert {e[3] for e in env._queue} == {first, second}
    assert isinstance(env._eid, itertools.count)
    assert next(env._eid) == 2  # ids are handed out in scheduling order
    assert NORMAL == 1 and URGENT == 0


def test_now_is_the_private_clock_and_schedule_reads_it():
    env = simpy.Environment(initial_time=3.0)
    assert env._now == 3.0 and env.now == 3.0
    env._now = 10.0  # writable
    assert env.now == 10.0
    Timeout(env, 1.5)
    assert env._queue[0][0] == 11.5  # schedule() adds the delay to _now


def test_a_timeout_carries_its_value_and_step_runs_callbacks_in_order():
    env = simpy.Environment()
    seen = []
    t = Timeout(env, 1.0, ("agent", 4))
    assert t._value == ("agent", 4) and t._ok
    t.callbacks.append(lambda e: seen.append(("first", e._value)))
    t.callbacks.append(lambda e: seen.append(("second", e.callbacks)))
    env.step()
    # callbacks run in order, each with the event, after callbacks was set to None
    assert seen == [("first", ("agent", 4)), ("second", None)]
    assert env._now == 1.0


def test_step_runs_a_duck_typed_event_and_equal_instants_first_scheduled_first():
    # Clock.later puts a Call (only callbacks, value, _ok) on SimPy's own queue
    env = simpy.Environment()
    seen = []
    env._queue.append((2.0, NORMAL, next(env._eid), Call(lambda c: seen.append(c.value), 1)))
    Timeout(env, 2.0).callbacks.append(lambda e: seen.append(2))
    env.run()
    assert seen == [1, 2]


def test_a_failed_event_that_nobody_defused_raises():
    env = simpy.Environment()
    ev = env.event()
    ev.fail(RuntimeError("boom"))
    with pytest.raises(RuntimeError, match="boom"):
        env.run()
    clock = Clock()
    ev = clock.event()
    ev.fail(RuntimeError("bang"))
    with pytest.raises(RuntimeError, match="bang"):
        clock.run_with_arrivals([], lambda i: None)


# --- the Clock built on them ------------------------------------------------------------------


def test_clock_runs_callbacks_and_arrivals_in_time_order_events_first_at_ties():
    clock = Clock()
    log = []

    def note(call):
        log.append((clock.now, clock._now, call.value))

    clock.later(2.0, note, "x")
    clock.later(1.0, note, "y")
    clock.later(2.0, note, "z")  # same instant as x: after it
    clock.run_with_arrivals([0.5, 2.0, 3.0],
                            lambda i: log.append((clock.now, clock._now, f"arrival {i}")))
    assert log == [(0.5, 0.5, "arrival 0"), (1.0, 1.0, "y"), (2.0, 2.0, "x"),
                   (2.0, 2.0, "z"), (2.0, 2.0, "arrival 1"), (3.0, 3.0, "arrival 2")]
    assert clock.now == clock._now == 3.0


def test_clock_later_is_relative_to_now_and_refuses_negative_delays():
    clock = Clock(initial_time=1.0)
    times = []
    clock.later(1.0, lambda c: clock.later(0.5, lambda c2: times.append(clock.now)))
    clock.run_with_arrivals([], lambda i: None)
    assert times == [2.5]
    with pytest.raises(ValueError, match="Negative delay"):
        clock.later(-1.0, print)


def test_a_simpy_timeout_on_a_clock_runs_with_its_callbacks():
    clock = Clock()
    seen = []
    clock.timeout(4.0, "v").callbacks.append(lambda e: seen.append((clock.now, e.value)))
    clock.later(4.0, lambda c: seen.append((clock.now, "later")))
    clock.run_with_arrivals([], lambda i: None)
    assert seen == [(4.0, "v"), (4.0, "later")]
