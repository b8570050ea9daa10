"""The outbound dialler: contact lists, call attempts, connects and mismatches.

The dialler is two work sources of the ACD (``sources.py``): a free agent is first offered a
connected customer who is on the line (:attr:`Dialler.connected_source`, asked before inbound
contacts), and last asked whether it goes outbound (the :class:`Dialler` itself, its
``offer`` is :meth:`Dialler.take_or_dial`; the blending policy decides for blended agents).
It changes no state of the ACD: it asks the dispatcher to start work, take an idle agent,
hand an agent back, or reconsider idle agents.  An agent that goes outbound becomes *ready*:
the dialler keeps ``dial_ratio`` attempts in progress per ready agent of a campaign.  A
failed attempt (no answer, busy, voicemail) returns the longest-ready agent to the ACD, which
decides afresh (a waiting inbound caller comes first); a connect goes to a ready agent of the
customer's segment, else to any idle agent on the campaign, else the customer waits
``connected_patience`` and hangs up: a mismatch.  Ready agents are not available to inbound
work, and outbound work is never pre-empted.

Chance is drawn per record, not per dial: the k-th attempt of record r of a segment always has
the same outcome and durations (streams ``outbound.<campaign>.segments`` and
``outbound.<campaign>.<segment>.records``), so two staffing plans compared with one seed call
the same customers with the same luck (common random numbers).

No decision looks at every agent group or every ready agent: ready agents are kept per group
and per *segment order* (the segments a group may call, its best first; groups with the same
order ask for the same calls), with :class:`blendsim.policies.routing.GroupOrder` indexes for "the
segment's best group with a ready (or idle) agent", so an event's cost does not grow with the
number of groups.

An attempt is a row (a list, cheap to make at every dial) whose fields are named by
:data:`ROW_FIELDS` and the index constants beside it (``row[GIVE_UP_AT]``).
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from typing import TYPE_CHECKING

import numpy as np

from blendsim.engine.campaign_run import CampaignRun
from blendsim.metrics.records import Outcome
from blendsim.policies.blending import AllOf, Dedicated, Threshold, TimeWindows
from blendsim.policies.routing import GroupOrder

if TYPE_CHECKING:
    from blendsim.engine.sources import Dispatcher

__all__ = ["ROW_FIELDS", "ConnectedCustomers", "Dialler"]

PENDING, SERVED = int(Outcome.PENDING), int(Outcome.SERVED)
FAILED, MISMATCH = int(Outcome.FAILED), int(Outcome.MISMATCH)
_TICK = 60.0  # seconds between looks for policies that watch the clock

#: The fields of an attempt row, in order (instants in seconds after midnight, durations in
#: seconds; ``outcome`` an :class:`~blendsim.metrics.records.Outcome` code, ``agent`` -1
#: until an agent talks to the customer).
ROW_FIELDS = ("campaign", "segment", "record", "attempt", "dial_at", "connect_at",
              "answered_at", "end_at", "talk", "wrap", "give_up_at", "outcome", "agent")
(CAMPAIGN, SEGMENT, RECORD, ATTEMPT, DIAL_AT, CONNECT_AT, ANSWERED_AT, END_AT, TALK, WRAP,
 GIVE_UP_AT, OUTCOME, AGENT) = range(len(ROW_FIELDS))


def _watches_time(policy) -> bool:
    """Whether a policy's answer may change with nothing happening (so: look every minute)."""
    if isinstance(policy, AllOf):
        return any(_watches_time(p) for p in policy.policies)
    return not isinstance(policy, (Threshold, Dedicated, TimeWindows))


class ConnectedCustomers:
    """The work source of customers connected by the dialler and waiting for an agent."""

    __slots__ = ("offer",)

    def __init__(self, dialler: Dialler):
        self.offer = dialler.take_connected

    def work_later(self, agent: int) -> None:
        """No later work: a connected customer is offered at once or hangs up."""
        return None

    def shift_over(self, agent: int) -> None:
        """Nothing is held for an agent (the dialler releases ready agents)."""
        return None

    def finish(self) -> None:
        """Nothing to close (the dialler marks customers left on the line)."""
        return None


class Dialler:
    """The outbound side of one ACD (one simulated day): a work source and its connects.

    ``acd`` is the :class:`~blendsim.engine.sources.Dispatcher` (the ACD).
    """

    def __init__(self, acd: Dispatcher, seed: int, replication: int):
        self.acd = acd
        self.clock = acd.clock
        sc = acd.scenario
        self.runs = [CampaignRun(c, sc, seed, replication) for c in sc.outbound]
        campaign_index = {c.name: k for k, c in enumerate(sc.outbound)}
        group_index = {g.name: i for i, g in reversed(list(enumerate(sc.groups)))}
        n_groups = len(sc.groups)
        group_campaigns = [tuple(campaign_index[c] for c in g.outbound) for g in sc.groups]
        self.agent_campaigns = [group_campaigns[g] for g in acd.agent_group]
        self._group_campaigns = group_campaigns
        # For each campaign and segment: the groups that may talk to it, best first.
        self.segment_groups = []
        for c, run in zip(sc.outbound, self.runs, strict=True):
            callers = [i for i, g in enumerate(sc.groups) if c.name in g.outbound]
            self.segment_groups.append([
                [group_index[g] for g in seg.groups] if seg.groups else callers
                for seg in run.segments])
        self._segment_group_set = [[frozenset(gs) for gs in per_campaign]
                                   for per_campaign in self.segment_groups]
        # Per campaign and group: the segments the group may call, its own best first (ties
        # in segment order), and that order's number among the campaign's distinct orders.
        self._order = []
        self._orders = []
        self._order_of = []
        for gs_of in self.segment_groups:
            rank = [{} for _ in gs_of]
            for s, gs in enumerate(gs_of):
                for i, g in enumerate(gs):
                    rank[s].setdefault(g, i)
            per_group = [tuple(sorted((s for s in range(len(gs_of)) if g in rank[s]),
                                      key=lambda s, g=g: rank[s][g]))
                         for g in range(n_groups)]
            distinct = list(dict.fromkeys(o for o in per_group if o))
            number = {o: i for i, o in enumerate(distinct)}
            self._order.append(per_group)
            self._orders.append(distinct)
            self._order_of.append([number.get(o, -1) for o in per_group])
        # Groups on the same campaigns with the same segment orders dial alike: a class each
        # (-1: on no campaign), with one group of each class to ask whether it may dial.
        signature = [tuple((k, self._order[k][g]) for k in group_campaigns[g])
                     if group_campaigns[g] else None for g in range(n_groups)]
        classes = {sig: i for i, sig in enumerate(dict.fromkeys(
            sig for sig in signature if sig is not None))}
        self.caller_class = [classes[sig] if sig is not None else -1 for sig in signature]
        self._class_example = [0] * len(classes)
        for g in reversed(range(n_groups)):
            if signature[g] is not None:
                self._class_example[classes[signature[g]]] = g
        # Ready agents (waiting for a connect), in the order they became ready: each has a
        # ticket; per campaign a count, per group and per segment order a queue of (ticket,
        # agent) from which agents who left are dropped lazily.
        n_agents = len(acd.agent_group)
        self.ready_since = [math.nan] * n_agents
        self.ready_for = [-1] * n_agents
        self._ticket = [-1] * n_agents
        self._next_ticket = 0
        self.ready_count = [0] * len(self.runs)
        self._group_ready = [[0] * n_groups for _ in self.runs]
        self._group_queue = [[deque() for _ in range(n_groups)] for _ in self.runs]
        self._order_ready = [[0] * len(o) for o in self._orders]
        self._order_queue = [[deque() for _ in o] for o in self._orders]
        # The best group of a segment with a ready agent, and with an idle agent.
        self._ready_index = [[GroupOrder(gs) for gs in gs_of] for gs_of in self.segment_groups]
        self._idle_index = [[acd.idle_index(gs) for gs in gs_of]
                            for gs_of in self.segment_groups]
        self._sums: dict[float, list[float]] = {}  # dial ratio added up n times, by n
        self.in_flight = [0] * len(self.runs)
        self.in_flight_segment = [[0] * len(run.segments) for run in self.runs]
        self.connected = [deque() for _ in self.runs]  # attempts on the line, no agent yet
        self.ready_log: list[tuple[int, float, float]] = []
        self.rows: list[list] = []  # attempt rows (fields: ROW_FIELDS)
        # Groups on a campaign that may have idle agents, by class of group (groups in one
        # class dial alike: the dialler asks once per class whether to wake).
        self.idle_callers = acd.idle_groups(self.caller_class)
        self.connected_source = ConnectedCustomers(self)
        # The work source's offer: a free agent with no other work goes outbound if it may.
        self.offer = self.take_or_dial
        self._bind_wakes(acd.policy)

    def _bind_wakes(self, policy) -> None:
        """Dialling may become possible without any agent becoming free: when a calling
        window opens, when a policy's window opens, when an interval starts at which the
        policy's answer may change (``interval_changes()``, e.g. a reserve schedule's drops),
        and (for policies that watch the service level) as time passes.  The dialler looks
        again at those instants."""
        wake = {t for run in self.runs for t in run.boundaries()}
        wake.update(getattr(policy, "boundaries", list)())
        day = self.acd.scenario.day
        wake.update(day.open_at + k * day.interval
                    for k in getattr(policy, "interval_changes", list)()
                    if 0 < k < day.n_intervals)
        if _watches_time(policy):
            first = min(w for run in self.runs for w, _ in run.windows)
            last = max(run.stop_at for run in self.runs)
            wake.update(np.arange(first, last, _TICK).tolist())
        for t in sorted(wake):
            self.acd.schedule(t, self._on_wake)

    def _on_wake(self, call) -> None:
        self.wake()

    # --- the work source ----------------------------------------------------------------------

    def work_later(self, a: int) -> None:
        """No later outbound work for an agent whose shift is over."""
        return None

    def shift_over(self, a: int) -> None:
        """An agent whose shift ends stops waiting for a connect."""
        self.leave_ready(a)

    # --- the ACD's questions ------------------------------------------------------------------

    def take_connected(self, a: int) -> bool:
        """Give free agent ``a`` a connected customer who waits for it; True if it took one."""
        for k in self.agent_campaigns[a]:
            q = self.connected[k]
            if not q:
                continue
            g = self.acd.agent_group[a]
            now = self.clock.now
            for row_id in list(q):
                row = self.rows[row_id]
                if row[GIVE_UP_AT] <= now:  # hung up: a mismatch at give_up_at
                    q.remove(row_id)
                    row[OUTCOME], row[END_AT] = MISMATCH, row[GIVE_UP_AT]
                elif g in self._segment_group_set[k][row[SEGMENT]]:
                    q.remove(row_id)
                    self._talk(row_id, a)
                    return True
        return False

    def take_or_dial(self, a: int) -> bool:
        """Agent ``a`` is free and no contact waits for it: go outbound now? (True: it did.)"""
        acd = self.acd
        campaigns = self.agent_campaigns[a]
        if not campaigns or acd.off_duty[a]:
            return False
        now = self.clock.now
        g = acd.agent_group[a]
        for k in campaigns:
            run = self.runs[k]
            if not run.dialling_allowed(now) or not any(
                    run.has_record(s, now) for s in self._order[k][g]):
                continue
            if acd.inbound_capable[a] and not acd.may_start_outbound(a):
                return False
            self._enter_ready(k, a, g)
            self.ready_since[a] = now
            self._pace(k)
            return True
        return False

    def leave_ready(self, a: int) -> None:
        """Agent ``a`` stops waiting for a connect (shift over, or sent back to the ACD)."""
        k = self.ready_for[a]
        if k < 0:
            return
        g = self.acd.agent_group[a]
        self.ready_count[k] -= 1
        self._group_ready[k][g] -= 1
        self._order_ready[k][self._order_of[k][g]] -= 1
        self._ticket[a] = -1  # its places in the queues are dropped when reached
        self.ready_log.append((a, self.ready_since[a], self.clock.now))
        self.ready_for[a] = -1
        self.ready_since[a] = math.nan

    def wake(self) -> None:
        """Dialling may have become possible: idle agents on a campaign reconsider.

        Those that stay idle keep their places, so the longest idle is still first.  Groups are
        visited in scenario order, but only those on a campaign that have idle agents and may
        dial now (of the others none would go, nor would the blending policy be asked); whether
        they may is asked once per class of groups that dial alike.
        """
        acd = self.acd
        now = self.clock.now
        waking = []
        for c, groups in enumerate(self.idle_callers):
            if groups and self._may_dial(self._class_example[c], now):
                waking.extend(groups)
        waking.sort()
        for g in waking:
            acd.reconsider(g, self.take_or_dial)
            if not acd.idle[g]:
                self.idle_callers[self.caller_class[g]].discard(g)

    # --- mechanics ----------------------------------------------------------------------------

    def _may_dial(self, g: int, now: float) -> bool:
        """Whether a campaign of group ``g`` may dial now with a record ``g`` may call."""
        for k in self._group_campaigns[g]:
            run = self.runs[k]
            if run.dialling_allowed(now) and any(
                    run.has_record(s, now) for s in self._order[k][g]):
                return True
        return False

    def _enter_ready(self, k: int, a: int, g: int) -> None:
        """Agent ``a`` (of group ``g``) waits for a connect of campaign ``k``."""
        ticket = self._next_ticket
        self._next_ticket += 1
        self._ticket[a] = ticket
        self.ready_for[a] = k
        self.ready_count[k] += 1
        o = self._order_of[k][g]
        self._order_ready[k][o] += 1
        self._queue_up(self._order_queue[k], o, (ticket, a), self._order_ready[k][o])
        self._group_ready[k][g] += 1
        self._queue_up(self._group_queue[k], g, (ticket, a), self._group_ready[k][g])
        ready_index = self._ready_index[k]
        for s in self._order[k][g]:
            ready_index[s].add(g)

    def _queue_up(self, queues: list[deque], i: int, entry: tuple[int, int], live: int) -> None:
        """Append ``entry`` to ``queues[i]`` (``live`` of whose agents are still ready)."""
        queue = queues[i]
        if len(queue) > 2 * live + 64:  # mostly agents who left since: drop them now
            ticket = self._ticket
            queue = queues[i] = deque(e for e in queue if ticket[e[1]] == e[0])
        queue.append(entry)

    def _head(self, queue: deque) -> tuple[int, int]:
        """The longest-ready agent still ready in ``queue``: ``(ticket, agent)``."""
        ticket = self._ticket
        while ticket[queue[0][1]] != queue[0][0]:
            queue.popleft()
        return queue[0]

    def _best_segment(self, k: int, order: tuple[int, ...], now: float) -> int | None:
        """The first segment of ``order`` with a record to call now."""
        run = self.runs[k]
        for s in order:
            if run.has_record(s, now):
                return s
        return None

    def _wanted(self, k: int, now: float) -> dict[int, float]:
        """Calls each segment's ready agents ask for: ``dial_ratio`` per ready agent whose
        best segment (with a record to call now) it is."""
        count: dict[int, int] = {}
        for o, n in enumerate(self._order_ready[k]):
            if n:
                s = self._best_segment(k, self._orders[k][o], now)
                if s is not None:
                    count[s] = count.get(s, 0) + n
        ratio = self.runs[k].campaign.dial_ratio
        sums = self._sums.get(ratio)
        if sums is None:
            sums = self._sums[ratio] = [0.0]
        wanted = {}
        for s, n in count.items():
            while len(sums) <= n:  # added one agent at a time, as a sum over agents would be
                sums.append(sums[-1] + ratio)
            wanted[s] = sums[n]
        return wanted

    def _pace(self, k: int) -> None:
        """Keep ``dial_ratio`` attempts in progress per ready agent of campaign ``k``.

        Each ready agent asks for calls from its own best segment; the next call goes to the
        segment furthest behind what its ready agents ask for (so with two agents of two
        segments ready, progressive dialling calls one customer of each).
        """
        run = self.runs[k]
        ratio = run.campaign.dial_ratio
        now = self.clock.now
        flying = self.in_flight_segment[k]
        while self.ready_count[k] and run.dialling_allowed(now):
            wanted = self._wanted(k, now)
            if not wanted:
                break
            target = math.ceil(ratio * self.ready_count[k] - 1e-9)
            if self.in_flight[k] >= target:
                break
            s = max(wanted, key=lambda seg: (wanted[seg] - flying[seg], -seg))
            self._dial(k, s, run.next_record(s, now))

    def _dial(self, k: int, s: int, record: int) -> None:
        run = self.runs[k]
        now = self.clock.now
        n = run.attempts[s].get(record, 0)
        run.attempts[s][record] = n + 1
        luck = run.draws(s, record)
        connects = luck["u"][n] < run.connect_probability(now)
        row_id = len(self.rows)
        self.rows.append([k, s, record, n + 1, now, math.nan, math.nan, math.nan,
                          luck["talk"], luck["wrap"], math.inf, PENDING, -1])
        self.in_flight[k] += 1
        self.in_flight_segment[k][s] += 1
        if connects:
            self.clock.later(luck["connect"][n], self._on_connect, row_id)
        else:
            self.clock.later(luck["attempt"][n], self._on_fail, row_id)

    def _on_fail(self, call) -> None:
        row_id = call.value
        row = self.rows[row_id]
        k, s, record = row[CAMPAIGN], row[SEGMENT], row[RECORD]
        now = self.clock.now
        row[END_AT], row[OUTCOME] = now, FAILED
        self.in_flight[k] -= 1
        self.in_flight_segment[k][s] -= 1
        run = self.runs[k]
        if run.attempts[s][record] < run.campaign.max_attempts:
            due = now + run.campaign.retry_after
            heapq.heappush(run.retries[s], (due, record))
            if due < run.stop_at:
                self.clock.later(due - now, self._on_wake)
        if self.ready_count[k]:
            a = self._agent_after_failure(k, s, now)
            self.leave_ready(a)
            self.acd.release(a)
        self._pace(k)

    def _agent_after_failure(self, k: int, s: int, now: float) -> int:
        """The ready agent who decides afresh after a failed call of segment ``s``.

        The call was made for a ready agent of its segment: the longest ready of those whose
        best segment it is, else the longest ready of the campaign.
        """
        mine = anyone = None
        for o, n in enumerate(self._order_ready[k]):
            if n:
                head = self._head(self._order_queue[k][o])
                if anyone is None or head < anyone:
                    anyone = head
                if (mine is None or head < mine) and self._best_segment(
                        k, self._orders[k][o], now) == s:
                    mine = head
        return (mine or anyone)[1]

    def _on_connect(self, call) -> None:
        row_id = call.value
        row = self.rows[row_id]
        k, s = row[CAMPAIGN], row[SEGMENT]
        now = self.clock.now
        row[CONNECT_AT] = now
        self.in_flight[k] -= 1
        self.in_flight_segment[k][s] -= 1
        agent, ready = self._agent_for_connect(k, s)
        if ready:
            self.leave_ready(agent)
        elif agent is not None:
            self.acd.take_idle(agent)
        if agent is not None:
            self._talk(row_id, agent)
        else:
            row[GIVE_UP_AT] = now + self.runs[k].draws(s, row[RECORD])["patience"]
            self.connected[k].append(row_id)
        self._pace(k)

    def _agent_for_connect(self, k: int, s: int) -> tuple[int | None, bool]:
        """Who takes a connected customer of segment ``s``: ``(agent, whether ready)``.

        The longest-ready agent of the segment's best group that has a ready agent; else the
        longest-idle agent of its best group that has an idle agent (every agent of these
        groups is on the campaign); else nobody (``(None, False)``).
        """
        g = self._ready_index[k][s].first(self._group_ready[k])
        if g is not None:
            return self._head(self._group_queue[k][g])[1], True
        g = self._idle_index[k][s].first(self.acd.idle)
        return (None, False) if g is None else (self.acd.idle[g][0], False)

    def _talk(self, row_id: int, a: int) -> None:
        row = self.rows[row_id]
        now = self.clock.now
        row[ANSWERED_AT], row[OUTCOME], row[AGENT] = now, SERVED, a
        row[END_AT] = now + row[TALK] + row[WRAP]
        self.acd.start_work(a, row[TALK] + row[WRAP])

    def finish(self) -> None:
        """End of the day: customers still on the line with nobody to talk to hung up."""
        for q in self.connected:
            for row_id in q:
                row = self.rows[row_id]
                row[OUTCOME], row[END_AT] = MISMATCH, row[GIVE_UP_AT]
            q.clear()
        for k, queues in enumerate(self._order_queue):
            waiting = sorted((t, a) for q in queues for t, a in q
                             if self._ticket[a] == t and self.ready_for[a] == k)
            for _, a in waiting:  # in the order they became ready
                self.leave_ready(a)
