"""One campaign's day: its contact list, which record to call next, and each record's luck.

Chance is drawn per record, not per dial: the k-th attempt of record r of a segment always has
the same outcome and durations (streams ``outbound.<campaign>.segments`` and
``outbound.<campaign>.<segment>.records``), so two staffing plans compared with one seed call
the same customers with the same luck (common random numbers).
"""

from __future__ import annotations

import heapq

import numpy as np

from blendsim.streams import stream

__all__ = ["CampaignRun"]

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
