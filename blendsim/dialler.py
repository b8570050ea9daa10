"""The outbound dialler: contact lists, call attempts, connects and mismatches.

The ACD (``engine.py``) asks the dialler three things: whether a free agent should go
outbound (:meth:`Dialler.take_or_dial`), and to hand a free agent a connected customer who is
on the line (:meth:`Dialler.take_connected`).  An agent that goes outbound becomes *ready*:
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
"""

from __future__ import annotations

import heapq
import math
from collections import deque

import numpy as np
from simpy.events import Timeout

from .streams import stream

__all__ = ["CampaignRun", "Dialler", "OUTBOUND_FAILED", "OUTBOUND_MISMATCH"]

OUTBOUND_SERVED, OUTBOUND_FAILED, OUTBOUND_MISMATCH = 1, 6, 7
_CHUNK = 256  # records drawn at a time


class CampaignRun:
    """One campaign's contact list and its random draws within one simulated day."""

    def __init__(self, campaign, scenario, seed: int, replication: int):
        self.campaign = campaign
        self.segments = campaign.segment_list
        base = f"outbound.{campaign.name}"
        shares = np.array([s.share for s in self.segments], dtype=float)
        if campaign.list_size is None:
            self.size = [None] * len(self.segments)
        else:
            rng = stream(seed, replication, base + ".segments")
            self.size = rng.multinomial(int(campaign.list_size), shares / shares.sum()).tolist()
        self.fresh = [0] * len(self.segments)  # next record never called, per segment
        self.retries: list[list[tuple[float, int]]] = [[] for _ in self.segments]
        self.attempts: list[dict[int, int]] = [{} for _ in self.segments]
        self._streams = [stream(seed, replication, f"{base}.{s.name}.records")
                         for s in self.segments]
        self._draws: list[list[dict]] = [[] for _ in self.segments]
        day = scenario.day
        self.open_at, self.interval = day.open_at, day.interval
        self.stop_at = day.close_at - campaign.stop_before_close
        self.windows = campaign.windows or ((day.open_at, day.close_at),)
        p = campaign.connect_probability
        self.connect = list(p) if isinstance(p, tuple) else [float(p)] * day.n_intervals

    # --- when and whom ------------------------------------------------------------------------

    def dialling_allowed(self, now: float) -> bool:
        return now < self.stop_at and any(a <= now < b for a, b in self.windows)

    def boundaries(self) -> list[float]:
        """Instants at which dialling may start."""
        return [a for a, _ in self.windows if a < self.stop_at]

    def connect_probability(self, now: float) -> float:
        k = int((now - self.open_at) // self.interval)
        return self.connect[min(max(k, 0), len(self.connect) - 1)]

    def has_record(self, s: int, now: float) -> bool:
        retry = self.retries[s]
        return bool(retry and retry[0][0] <= now) or (
            self.size[s] is None or self.fresh[s] < self.size[s])

    def next_record(self, s: int, now: float) -> int | None:
        """The record of segment ``s`` to call now: a retry that is due, else a fresh one."""
        retry = self.retries[s]
        if retry and retry[0][0] <= now:
            return heapq.heappop(retry)[1]
        if self.size[s] is None or self.fresh[s] < self.size[s]:
            self.fresh[s] += 1
            return self.fresh[s] - 1
        return None

    def draws(self, s: int, record: int) -> dict:
        """The record's luck: per attempt connect draw and durations, and its conversation."""
        chunks = self._draws[s]
        while record >= len(chunks) * _CHUNK:
            rng = self._streams[s]
            c, k = self.campaign, self.campaign.max_attempts
            n = _CHUNK * k
            chunks.append({
                "u": rng.random(n).reshape(_CHUNK, k).tolist(),
                "attempt": c.attempt_time.sample(rng, n).reshape(_CHUNK, k).tolist(),
                "connect": c.connect_time.sample(rng, n).reshape(_CHUNK, k).tolist(),
                "talk": c.talk_time.sample(rng, _CHUNK).tolist(),
                "wrap": (c.wrap_up.sample(rng, _CHUNK) if c.wrap_up is not None
                         else np.zeros(_CHUNK)).tolist(),
                "patience": c.connected_patience.sample(rng, _CHUNK).tolist(),
            })
        chunk, i = chunks[record // _CHUNK], record % _CHUNK
        return {key: values[i] for key, values in chunk.items()}


class Dialler:
    """The outbound side of one ACD (one simulated day)."""

    def __init__(self, acd, seed: int, replication: int):
        self.acd = acd
        sc = acd.scenario
        self.runs = [CampaignRun(c, sc, seed, replication) for c in sc.outbound]
        names = [c.name for c in sc.outbound]
        groups = [g.name for g in sc.groups]
        self.agent_campaigns = [tuple(names.index(c) for c in sc.groups[g].outbound)
                                for g in acd.agent_group]
        # For each campaign and segment: the groups that may talk to it, best first.
        self.segment_groups = []
        for c, run in zip(sc.outbound, self.runs, strict=True):
            callers = [groups.index(g.name) for g in sc.groups if c.name in g.outbound]
            self.segment_groups.append([
                [groups.index(g) for g in seg.groups] if seg.groups else callers
                for seg in run.segments])
        self.ready = [deque() for _ in self.runs]  # agents waiting for a connect
        self.ready_since = [math.nan] * len(acd.agent_group)
        self.ready_for = [-1] * len(acd.agent_group)
        self.in_flight = [0] * len(self.runs)
        self.in_flight_segment = [[0] * len(run.segments) for run in self.runs]
        self.connected = [deque() for _ in self.runs]  # attempts on the line, no agent yet
        self.ready_log: list[tuple[int, float, float]] = []
        # Attempt rows: campaign, segment, record, attempt, dial_at, connect_at, answered_at,
        # end_at, talk, wrap, give_up_at, outcome, agent.
        self.rows: list[list] = []

    # --- the ACD's questions ------------------------------------------------------------------

    def take_connected(self, a: int) -> bool:
        """Give free agent ``a`` a connected customer who waits for it; True if it took one."""
        for k in self.agent_campaigns[a]:
            q = self.connected[k]
            if not q:
                continue
            g = self.acd.agent_group[a]
            now = self.acd.env._now
            for row_id in list(q):
                row = self.rows[row_id]
                if row[10] <= now:  # hung up: a mismatch at give_up_at
                    q.remove(row_id)
                    row[11], row[7] = OUTBOUND_MISMATCH, row[10]
                elif g in self.segment_groups[k][row[1]]:
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
        now = acd.env._now
        for k in campaigns:
            run = self.runs[k]
            if not run.dialling_allowed(now) or not self._segments_for(k, a, now):
                continue
            if acd.inbound_capable[a] and not acd.may_start_outbound(a):
                return False
            self.ready[k].append(a)
            self.ready_for[a] = k
            self.ready_since[a] = now
            self._pace(k)
            return True
        return False

    def leave_ready(self, a: int) -> None:
        """Agent ``a`` stops waiting for a connect (shift over, or sent back to the ACD)."""
        k = self.ready_for[a]
        if k < 0:
            return
        if a in self.ready[k]:
            self.ready[k].remove(a)
        self.ready_log.append((a, self.ready_since[a], self.acd.env._now))
        self.ready_for[a] = -1
        self.ready_since[a] = math.nan

    def wake(self) -> None:
        """Dialling may have become possible: idle agents on a campaign reconsider.

        Those that stay idle keep their places, so the longest idle is still first.
        """
        acd = self.acd
        for group_idle in acd.idle:
            i = 0
            while i < len(group_idle):
                a = group_idle[i]
                if self.agent_campaigns[a]:
                    del group_idle[i]
                    if self.take_or_dial(a):
                        continue  # gone outbound: the next agent is now at i
                    group_idle.insert(i, a)
                i += 1

    # --- mechanics ----------------------------------------------------------------------------

    def _segments_for(self, k: int, a: int, now: float) -> list[int]:
        """Segments of campaign ``k`` agent ``a`` may call now, its own groups' first."""
        g = self.acd.agent_group[a]
        run = self.runs[k]
        mine = [s for s, gs in enumerate(self.segment_groups[k]) if g in gs and
                run.has_record(s, now)]
        mine.sort(key=lambda s: self.segment_groups[k][s].index(g))
        return mine

    def _pace(self, k: int) -> None:
        """Keep ``dial_ratio`` attempts in progress per ready agent of campaign ``k``.

        Each ready agent asks for calls from its own best segment; the next call goes to the
        segment furthest behind what its ready agents ask for (so with two agents of two
        segments ready, progressive dialling calls one customer of each).
        """
        run = self.runs[k]
        ready = self.ready[k]
        ratio = run.campaign.dial_ratio
        now = self.acd.env._now
        flying = self.in_flight_segment[k]
        while ready and run.dialling_allowed(now):
            wanted: dict[int, float] = {}
            for a in ready:
                segments = self._segments_for(k, a, now)
                if segments:
                    wanted[segments[0]] = wanted.get(segments[0], 0.0) + ratio
            if not wanted:
                break
            target = math.ceil(ratio * len(ready) - 1e-9)
            if self.in_flight[k] >= target:
                break
            s = max(wanted, key=lambda seg: (wanted[seg] - flying[seg], -seg))
            self._dial(k, s, run.next_record(s, now))

    def _dial(self, k: int, s: int, record: int) -> None:
        run = self.runs[k]
        now = self.acd.env._now
        n = run.attempts[s].get(record, 0)
        run.attempts[s][record] = n + 1
        luck = run.draws(s, record)
        connects = luck["u"][n] < run.connect_probability(now)
        row_id = len(self.rows)
        self.rows.append([k, s, record, n + 1, now, math.nan, math.nan, math.nan,
                          luck["talk"], luck["wrap"], math.inf, 0, -1])
        self.in_flight[k] += 1
        self.in_flight_segment[k][s] += 1
        if connects:
            Timeout(self.acd.env, luck["connect"][n], row_id).callbacks.append(self._on_connect)
        else:
            Timeout(self.acd.env, luck["attempt"][n], row_id).callbacks.append(self._on_fail)

    def _on_fail(self, event) -> None:
        row_id = event._value
        row = self.rows[row_id]
        k, s, record = row[0], row[1], row[2]
        now = self.acd.env._now
        row[7], row[11] = now, OUTBOUND_FAILED
        self.in_flight[k] -= 1
        self.in_flight_segment[k][s] -= 1
        run = self.runs[k]
        if run.attempts[s][record] < run.campaign.max_attempts:
            due = now + run.campaign.retry_after
            heapq.heappush(run.retries[s], (due, record))
            if due < run.stop_at:
                Timeout(self.acd.env, due - now).callbacks.append(lambda _e: self.wake())
        if self.ready[k]:
            # The call was made for a ready agent of its segment: the longest ready of those
            # (else the longest ready) decides afresh.
            a = next((b for b in self.ready[k] if self._segments_for(k, b, now)[:1] == [s]),
                     self.ready[k][0])
            self.leave_ready(a)
            self.acd.agent_free(a)
        self._pace(k)

    def _on_connect(self, event) -> None:
        row_id = event._value
        row = self.rows[row_id]
        k, s = row[0], row[1]
        acd = self.acd
        now = acd.env._now
        row[5] = now
        self.in_flight[k] -= 1
        self.in_flight_segment[k][s] -= 1
        groups = self.segment_groups[k][s]
        agent = None
        for g in groups:  # a ready agent of the segment's best group...
            for a in self.ready[k]:
                if acd.agent_group[a] == g:
                    agent = a
                    break
            if agent is not None:
                break
        if agent is not None:
            self.leave_ready(agent)
        else:  # ...else an idle agent on the campaign: the customer is on the line
            for g in groups:
                if acd.idle[g] and any(k in self.agent_campaigns[b] for b in acd.idle[g]):
                    agent = next(b for b in acd.idle[g] if k in self.agent_campaigns[b])
                    acd.idle[g].remove(agent)
                    break
        if agent is not None:
            self._talk(row_id, agent)
        else:
            row[10] = now + self.runs[k].draws(s, row[2])["patience"]
            self.connected[k].append(row_id)
        self._pace(k)

    def _talk(self, row_id: int, a: int) -> None:
        acd = self.acd
        row = self.rows[row_id]
        now = acd.env._now
        row[6], row[11], row[12] = now, OUTBOUND_SERVED, a
        row[7] = now + row[8] + row[9]
        acd.busy[a] = True
        Timeout(acd.env, row[8] + row[9], a).callbacks.append(acd._on_free)

    def finish(self) -> None:
        """End of the day: customers still on the line with nobody to talk to hung up."""
        for q in self.connected:
            for row_id in q:
                row = self.rows[row_id]
                row[11], row[7] = OUTBOUND_MISMATCH, row[10]
            q.clear()
        for ready in self.ready:
            for a in list(ready):
                self.leave_ready(a)
