"""A new kind of work is a new work source, with no edit of the dispatcher.

The source here is test-only: a back-office queue of deferred tasks (e-mails) that idle
agents of one group pick up, oldest first, when no inbound contact waits for them.  It talks
to the ACD only through the dispatcher API of ``blendsim/engine/sources.py``.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest

from blendsim import AgentGroup, Day, Exponential, InboundType, Scenario, Shift
from blendsim.engine import ACD, draw_contacts
from blendsim.metrics.records import Outcome

H = 3600.0


class BackOffice:
    """Deferred tasks, due at given instants, done by the agents of one group."""

    def __init__(self, acd: ACD, group: int, due_at, seconds):
        self.acd = acd
        self.group = group
        self.due_at = list(due_at)
        self.seconds = list(seconds)
        self.waiting: deque[int] = deque()
        self.done: list[tuple[int, int, float, float]] = []  # task, agent, start_at, end_at
        self.left: list[int] = []
        for task, at in enumerate(self.due_at):
            acd.schedule(at, self._on_due, task)

    def offer(self, agent: int) -> bool:
        if (not self.waiting or self.acd.agent_group[agent] != self.group
                or self.acd.off_duty[agent]):
            return False
        self._start(self.waiting.popleft(), agent)
        return True

    def work_later(self, agent: int) -> float | None:
        return None

    def shift_over(self, agent: int) -> None:
        return None  # (tasks wait in the queue, none is held for an agent)

    def finish(self) -> None:
        self.left = list(self.waiting)

    def _on_due(self, call) -> None:
        self.waiting.append(call.value)
        for agent in self.acd.idle[self.group]:
            if not self.acd.off_duty[agent]:
                self.acd.take_idle(agent)
                self._start(self.waiting.popleft(), agent)
                return

    def _start(self, task: int, agent: int) -> None:
        now = self.acd.clock.now
        self.done.append((task, agent, now, now + self.seconds[task]))
        self.acd.start_work(agent, self.seconds[task])


def centre() -> Scenario:
    # "front" answers calls only; "back" answers calls too, and does the back-office work.
    return Scenario(
        name="back office", day=Day(open_at=8 * H, close_at=12 * H, interval=H),
        inbound=[InboundType(name="calls", volume=[70, 110, 90, 60],
                             handle_time=Exponential(mean=240),
                             patience=Exponential(mean=300))],
        groups=[AgentGroup(name="front", skills=["calls"], headcount=[2, 2, 2, 2]),
                AgentGroup(name="back", skills=["calls"],
                           shifts=[Shift(start_at=8 * H, end_at=11 * H, count=3)])])


def run(seed: int, *, before_inbound: bool = False, n_tasks: int = 120):
    sc = centre()
    acd = ACD(sc, draw_contacts(sc, seed, 0), seed=seed)
    rng = np.random.default_rng(seed)
    due = np.sort(rng.uniform(8 * H, 12 * H, n_tasks))
    office = BackOffice(acd, 1, due, rng.exponential(300, n_tasks))
    acd.add_source(office, before=acd.inbound if before_inbound else None)
    acd.run()
    return acd.records(0), office


def waiting_at(rec, t: float) -> int:
    """Inbound contacts waiting at instant ``t`` (arrived before, not answered nor gone)."""
    ended = np.where(np.isnan(rec.answered_at), rec.end_at, rec.answered_at)
    inbound = rec.kind == 0
    return int(((rec.arrival_at < t) & (ended > t) & inbound).sum())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tasks_are_done_only_by_idle_agents_of_their_group_on_shift(seed):
    rec, office = run(seed)
    assert len(office.done) > 20  # the back office did real work...
    served = rec.outcome == Outcome.SERVED
    assert (rec.group[served] == 1).sum() > 30  # ...and its agents answered calls too
    log = rec.agents()
    for task, agent, start, end in office.done:
        assert rec.agent_names[agent].startswith("back")
        assert start >= office.due_at[task]
        assert end == pytest.approx(start + office.seconds[task])
        on = log[log.agent == rec.agent_names[agent]]
        assert ((on.on_at <= start) & (start < 11 * H) & (end <= on.off_at)).any()
    # an agent is never on a call and a task at once, nor on two tasks
    for agent in {a for _, a, _, _ in office.done}:
        spans = [(s, e) for _, a, s, e in office.done if a == agent]
        mine = served & (rec.agent == agent)
        spans += list(zip(rec.answered_at[mine], rec.end_at[mine], strict=True))
        spans.sort()
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert start >= end - 1e-9


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_inbound_calls_come_before_back_office_tasks(seed):
    rec, office = run(seed)
    # no task starts while a caller waits (every "back" agent answers calls)
    assert [t for _, _, t, _ in office.done if waiting_at(rec, t)] == []
    # tasks are taken oldest first, and a due task waits only while every back agent works
    assert [task for task, *_ in office.done] == sorted(task for task, *_ in office.done)
    starts = {task: start for task, _, start, _ in office.done}
    late = [task for task, start in starts.items() if start > office.due_at[task]]
    assert late  # (the day is busy enough for tasks to wait)
    busy_back = 0
    for task in late:
        t = office.due_at[task]
        calls = ((rec.group == 1) & (rec.answered_at <= t) & (rec.end_at > t)).sum()
        tasks = sum(1 for _, _, s, e in office.done if s <= t < e)
        busy_back += calls + tasks >= 3
    assert busy_back == len(late)


def test_the_same_source_asked_before_inbound_does_start_tasks_while_callers_wait():
    # the order of sources is the dispatcher's rule: the check above can fail
    rec, office = run(1, before_inbound=True)
    assert sum(1 for _, _, t, _ in office.done if waiting_at(rec, t)) > 0


def test_every_contact_and_task_is_accounted_for():
    rec, office = run(2)
    inbound = rec.kind == 0
    assert (rec.outcome[inbound] != Outcome.PENDING).all()
    n = len(office.due_at)
    done = [task for task, *_ in office.done]
    # left undone: the youngest tasks, still queued when the back office went home
    assert done + office.left == list(range(n))
    assert office.left and all(start < 11 * H for *_, start, _ in office.done)
