"""Exact threshold blending: the continuous-time Markov chain of a blended team.

``agents`` identical agents answer Poisson inbound calls (exponential handle time, mean
``aht``) and, when the inbound queue is empty, work through an unlimited backlog of outbound
calls (exponential handle time, mean ``outbound_aht``).  The *threshold* (Bhulai-Koole) policy
keeps ``reserve`` agents back for inbound work: an idle agent starts an outbound call only when
no inbound call waits and more than ``reserve`` agents are idle (counting itself), so that at
least ``reserve`` stay idle after it starts.  Outbound calls are not pre-empted, which is
exactly why blending costs inbound service.  Inbound callers may hang up after an exponential
patience.

With ``reserve = agents`` nobody ever goes outbound and the model is Erlang C (or Erlang A);
with ``reserve = 0`` nobody is ever idle, every inbound call waits, and the team works
flat out.  :func:`threshold_blend` solves the chain exactly (the infinite inbound queue is
truncated where its probability is below 1e-20) and takes the waiting-time distribution from
the chain of a tagged caller, so the service level is exact also when inbound and outbound
handle times differ.

States are ``(i, o, q)``: agents on inbound calls, agents on outbound calls, calls waiting.
While calls wait every agent is busy (``i + o = agents``); while none wait at most ``reserve``
agents are idle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import special

from blendsim._validate import fmt, number, whole
from blendsim.errors import InfeasibleError, InputError

if TYPE_CHECKING:
    from scipy import sparse

__all__ = ["BlendResult", "best_reserve", "chain_states", "required_blend_agents",
           "threshold_blend"]

# Stop the queue where its probability is below exp(-46) ~ 1e-20.
_TAIL_LOG = 46.0
# Bounds on what the exact model will take on, checked before anything is allocated.  The
# chain has about (agents + 1) x queue-levels states and a sparse LU solve of a million of
# them takes tens of seconds and a few hundred MB; a larger team is a job for simulation.
MAX_AGENTS = 1_000
_MAX_STATES = 1_000_000
# Handle times and patience within this factor of each other: beyond it the chain's rates
# swamp each other in floating point (or overflow) and the answer would be noise.
_MAX_TIME_RATIO = 1e6
# The tagged caller's service level is summed over Poisson-weighted steps: at most this many
# steps, and this many (step x state) updates in all.
_MAX_UNIFORM_STEPS = 100_000
_MAX_UNIFORM_WORK = 300_000_000
_BEYOND = "use simulation (blendsim run) for it"


@dataclass(frozen=True, kw_only=True, slots=True)
class BlendResult:
    """Steady-state figures of a blended team under a threshold policy.

    Inbound figures are per inbound arrival.  Rates are per time unit (the unit of ``aht``).

    Attributes
    ----------
    agents, reserve : the team size and the number of agents kept back for inbound.
    p_wait : P(an inbound call finds no idle agent and waits).
    asa : mean wait of answered inbound calls (answered at once count with wait 0).
    service_level : P(answered with wait <= target) over all inbound arrivals, or ``None``.
    p_abandon : P(an inbound caller hangs up before an answer).
    outbound_rate : outbound calls completed per time unit.
    occupancy : fraction of agent time on calls (inbound + outbound).
    inbound_occupancy, outbound_occupancy : the two parts of ``occupancy``.
    mean_wait : mean time in queue per inbound arrival (abandoned: until hanging up).
    mean_queue : mean number of inbound calls waiting.
    """

    agents: int
    reserve: int
    p_wait: float
    asa: float
    service_level: float | None
    p_abandon: float
    outbound_rate: float
    occupancy: float
    inbound_occupancy: float
    outbound_occupancy: float
    mean_wait: float
    mean_queue: float


def _check(agents, rate, aht, outbound_aht, patience, target, target_name="target"):
    s = whole("agents", agents, low=1)
    if s > MAX_AGENTS:
        raise InputError(
            f"agents = {s:,} is beyond the exact model: the blending chain has (agents + 1) x "
            f"queue levels states and is solved for up to {MAX_AGENTS:,} agents; "
            f"{_BEYOND}")
    lam = number("rate", rate, low=0)
    h_in = number("aht", aht, low=0, low_open=True)
    h_out = number("outbound_aht", outbound_aht, low=0, low_open=True)
    pat = math.inf if patience is None else number(
        "patience", patience, low=0, low_open=True, allow_inf=True)
    t = None if target is None else number(target_name, target, low=0)
    longest, longest_name = max((h_in, "aht"), (h_out, "outbound_aht"))
    for name, value in (("aht", h_in), ("outbound_aht", h_out), ("patience", pat)):
        if value * _MAX_TIME_RATIO < longest:
            raise InputError(
                f"{name} = {fmt(value)} is more than {_MAX_TIME_RATIO:,.0f} times shorter "
                f"than {longest_name} = {fmt(longest)}: the exact chain needs handle times "
                "and patience within that factor of each other (beyond it its rates swamp "
                "each other in floating point)")
    return s, lam, h_in, h_out, pat, t


def chain_states(*, agents, rate, aht, outbound_aht, reserve, patience=None) -> int:
    """States of the chain :func:`threshold_blend` solves (0 when it needs none).

    The cost of one solve grows a little faster than this; a caller planning many solves
    can bound their total before starting.  Raises :class:`InputError` for arguments
    :func:`threshold_blend` would refuse, including a chain beyond the exact model.
    """
    s, lam, h_in, _, pat, _ = _check(agents, rate, aht, outbound_aht, patience, None)
    k = whole("reserve", reserve, low=0, high=s)
    theta = 0.0 if math.isinf(pat) else 1.0 / pat
    if theta == 0.0 and lam * h_in >= s:
        return 0
    levels = _queue_levels(s, lam, 1.0 / h_in, 1.0 / outbound_aht, theta)
    return _chain_size(s, k, levels)


def _chain_size(s: int, k: int, levels: int) -> int:
    """States with no call waiting (s - k <= i + o <= s) plus (s + 1) phases per level."""
    level0 = (k + 1) * (s + 1) - k * (k + 1) // 2
    return level0 + levels * (s + 1)


def _too_many_states(s: int, levels: int, size: int, more: str = "") -> InputError:
    return InputError(
        f"the blending chain would need {more}{size:,} states (agents={s}, {more}{levels:,} "
        f"queue levels); that is beyond the exact model (at most {_MAX_STATES:,} states), "
        f"{_BEYOND}")


def threshold_blend(*, agents, rate, aht, outbound_aht, reserve, patience=None,
                    target=None) -> BlendResult:
    """Solve the threshold-blending Markov chain exactly.

    Parameters
    ----------
    agents : int
        Team size, ``>= 1``.
    rate : float
        Inbound arrival rate per time unit, ``>= 0``.
    aht : float
        Mean inbound handle time, ``> 0``.
    outbound_aht : float
        Mean outbound call time, ``> 0``.
    reserve : int
        Agents kept idle for inbound, ``0 <= reserve <= agents``.
    patience : float, optional
        Mean inbound patience, ``> 0``; ``None``/``inf``: callers never hang up.
    target : float, optional
        Waiting-time threshold for ``service_level``, ``>= 0``.

    Returns
    -------
    BlendResult

    Examples
    --------
    >>> r = threshold_blend(agents=10, rate=1 / 60, aht=300, outbound_aht=300, reserve=2,
    ...                     target=20)
    >>> round(r.outbound_rate * 3600, 1), round(r.service_level, 3)  # calls/hour, 80/20
    (45.5, 0.811)
    """
    s, lam, h_in, h_out, pat, t = _check(agents, rate, aht, outbound_aht, patience, target)
    k = whole("reserve", reserve, low=0, high=s)
    mu_in, mu_out = 1.0 / h_in, 1.0 / h_out
    theta = 0.0 if math.isinf(pat) else 1.0 / pat

    if theta == 0.0 and lam * h_in >= s:
        # No abandonment and more inbound work than agents: the queue grows for ever, every
        # agent ends up on inbound and nobody dials out.
        return BlendResult(agents=s, reserve=k, p_wait=1.0, asa=math.inf,
                           service_level=None if t is None else 0.0, p_abandon=0.0,
                           outbound_rate=0.0, occupancy=1.0, inbound_occupancy=1.0,
                           outbound_occupancy=0.0, mean_wait=math.inf, mean_queue=math.inf)

    levels = _queue_levels(s, lam, mu_in, mu_out, theta)
    for _ in range(4):
        chain = _Chain(s, k, lam, mu_in, mu_out, theta, levels)
        pi = chain.stationary()
        # The level count comes from a bound on the queue's decay; this check only guards the
        # bound (rounding in the solve leaves ~1e-17 everywhere, so a tighter test would chase
        # noise).
        if pi[chain.level_slice(levels)].sum() < 1e-14:
            break
        levels *= 2
    return chain.figures(pi, t)


def _queue_levels(s: int, lam: float, mu_in: float, mu_out: float, theta: float) -> int:
    """How many queue levels to keep so the dropped probability is below ~1e-20."""
    if lam == 0.0:
        return 1
    max_levels = _MAX_STATES // (s + 1) + 1
    bounds = []
    if lam < s * mu_in:
        # Without abandonment, level probabilities decay like r**q, where r is the spectral
        # radius of the (lower-triangular) rate matrix R of this quasi-birth-death process;
        # its diagonal entries are the minimal roots of c r^2 - b r + lam = 0 per phase.
        o = np.arange(s + 1)
        c = (s - o) * mu_in
        b = lam + c + o * mu_out
        r = float((2.0 * lam / (b + np.sqrt(b * b - 4.0 * c * lam))).max())
        bounds.append(int(math.ceil(_TAIL_LOG / -math.log(r))) + 20 if r < 1 else 10**9)
    if theta > 0.0:
        # With abandonment, level q empties at rate >= s*min(mu) + q*theta.  The bound's
        # mass peaks where lam = floor_rate + q*theta; it is only needed below the other
        # bound and the model's limit, so the walk stops there (patience of 1e300 would
        # otherwise walk for ever).
        floor_rate = s * min(mu_in, mu_out)
        stop = min(min(bounds, default=math.inf), max_levels)
        if (lam - floor_rate) / theta <= stop:
            log_mass, q, peak = 0.0, 0, 0.0
            while q <= stop:
                q += 1
                step = math.log(lam / (floor_rate + q * theta))
                log_mass += step
                peak = max(peak, log_mass)
                if step < 0 and log_mass < peak - _TAIL_LOG:
                    bounds.append(q + 10)
                    break
    if not bounds:
        raise _too_many_states(s, max_levels, _chain_size(s, s, max_levels), "more than ")
    return max(10, min(bounds))


class _Chain:
    """The generator of the truncated blending chain and what can be read from it."""

    def __init__(self, s, k, lam, mu_in, mu_out, theta, levels):
        self.s, self.k, self.lam = s, k, lam
        self.mu_in, self.mu_out, self.theta = mu_in, mu_out, theta
        self.levels = levels
        self.size = _chain_size(s, k, levels)
        if self.size > _MAX_STATES:  # checked before anything is allocated
            raise _too_many_states(s, levels, self.size)
        # Level 0: no call waits; (i, o) with s - k <= i + o <= s.
        busy = np.concatenate([np.full(b + 1, b) for b in range(s - k, s + 1)])
        o0 = np.concatenate([np.arange(b + 1) for b in range(s - k, s + 1)])
        self.i0, self.o0 = busy - o0, o0
        self.n0 = len(o0)
        self.index0 = {(int(i), int(o)): n
                       for n, (i, o) in enumerate(zip(self.i0, self.o0, strict=True))}
        assert self.size == self.n0 + levels * (s + 1)

    def level_slice(self, q: int) -> slice:
        start = self.n0 + (q - 1) * (self.s + 1)
        return slice(start, start + self.s + 1)

    def generator(self) -> sparse.csr_matrix:
        # Imported here, not at the top, for import time only (scipy.sparse takes ~0.3 s and
        # only the exact chain needs it); not to dodge an import cycle.
        from scipy import sparse

        s, k, lam = self.s, self.k, self.lam
        mu_in, mu_out, theta = self.mu_in, self.mu_out, self.theta
        rows, cols, vals = [], [], []

        def add(frm, to, rate):
            keep = rate > 0
            rows.append(np.asarray(frm)[keep])
            cols.append(np.asarray(to)[keep])
            vals.append(np.asarray(rate, dtype=float)[keep])

        i, o = self.i0, self.o0
        idle = s - i - o
        here = np.arange(self.n0)
        first = self.n0  # index of level 1, phase 0
        # Arrival: an idle agent answers, or the call waits (level 1, same phase).
        to = np.array([self.index0.get((a + 1, b), -1) for a, b in zip(i, o, strict=True)])
        to = np.where(idle > 0, to, first + o)
        add(here, to, np.full(self.n0, lam))
        # Inbound call ends: the agent goes outbound if more than k would then be idle.
        goes_out = idle + 1 > k
        to = np.array([
            self.index0.get((a - 1, b + 1) if g else (a - 1, b), -1)
            for a, b, g in zip(i, o, goes_out, strict=True)])
        add(here, to, i * mu_in)
        # Outbound call ends: the agent dials again (no change) or becomes idle.
        stay = idle + 1 > k
        to = np.array([self.index0.get((a, b - 1), -1) for a, b in zip(i, o, strict=True)])
        add(here[~stay], to[~stay], (o * mu_out)[~stay])

        # Queue levels q = 1..L: phase = agents on outbound, all agents busy.
        q = np.repeat(np.arange(1, self.levels + 1), s + 1)
        ph = np.tile(np.arange(s + 1), self.levels)
        here = self.n0 + (q - 1) * (s + 1) + ph
        below = np.where(
            q > 1, here - (s + 1),
            np.array([self.index0[(s - b, b)] for b in ph]) if self.levels else here)
        below_out = np.where(
            q > 1, here - (s + 1) - 1,
            np.array([self.index0.get((s - b + 1, b - 1), -1) for b in ph]))
        up = q < self.levels  # arrivals at the top level are dropped (mass < 1e-20)
        add(here[up], here[up] + (s + 1), np.full(up.sum(), lam))
        # An inbound agent finishes (or a caller hangs up): one call fewer, same phase.
        add(here, below, (s - ph) * mu_in + q * theta)
        # An outbound agent finishes and takes the oldest waiting call.
        add(here, below_out, ph * mu_out)

        r = np.concatenate(rows)
        c = np.concatenate(cols)
        v = np.concatenate(vals)
        assert (c >= 0).all(), "transition to a state outside the chain"
        n = self.size
        off = sparse.csr_matrix((v, (r, c)), shape=(n, n))
        out_rate = np.asarray(off.sum(axis=1)).ravel()
        return (off - sparse.diags(out_rate)).tocsr()

    def stationary(self) -> np.ndarray:
        """Solve pi Q = 0 with sum(pi) = 1.

        The balance equation of one reference state is dropped and its probability fixed at
        1 before normalising; this keeps the system as sparse as the chain (replacing a row by
        the normalisation would add a dense row and make the LU factors fill in).  The
        reference must be a likely state, or everything is measured against a number near
        the underflow: start from a typical state and redo the solve from the most likely one
        if the guess was poor.
        """
        # Imported here for import time only (see generator).
        from scipy.sparse.linalg import spsolve

        a = self.generator().T.tocsc()
        i_typ = min(self.s, round(self.lam / self.mu_in))
        ref = self.index0[(i_typ, max(0, self.s - self.k - i_typ))]
        for _ in range(2):
            keep = np.ones(self.size, dtype=bool)
            keep[ref] = False
            rhs = -a[:, [ref]].toarray().ravel()[keep]
            pi = np.empty(self.size)
            pi[keep] = spsolve(a[keep][:, keep].tocsc(), rhs)
            pi[ref] = 1.0
            pi = np.maximum(pi, 0.0)
            likely = int(np.argmax(pi))
            if pi[likely] < 1e3:
                break
            ref = likely
        if self.k == self.s:
            # Nobody ever starts an outbound call: states with agents outbound are transient
            # (probability exactly 0); clear the rounding noise the solver leaves on them.
            pi[self.phases() > 0] = 0.0
        return pi / pi.sum()

    def phases(self) -> np.ndarray:
        """Agents on outbound in every state, in state order."""
        return np.concatenate([self.o0, np.tile(np.arange(self.s + 1), self.levels)])

    def figures(self, pi: np.ndarray, target: float | None) -> BlendResult:
        s, lam = self.s, self.lam
        mu_in, mu_out, theta = self.mu_in, self.mu_out, self.theta
        p0 = pi[: self.n0]
        idle0 = s - self.i0 - self.o0
        p_now = float(p0[idle0 > 0].sum())
        queue = pi[self.n0:].reshape(self.levels, s + 1)
        # Arrivals that wait, by queue position m = 1..L+1 (rows) and phase o (columns).
        waiting = np.zeros((self.levels + 1, s + 1))
        for n in np.flatnonzero(idle0 == 0):
            waiting[0, self.o0[n]] += p0[n]
        waiting[1:] = queue

        served, served_wait = _tagged_answer(s, mu_in, mu_out, theta, self.levels + 1)
        p_late = float((waiting * served).sum())
        p_abandon = float((waiting * (1.0 - served)).sum())
        p_answered = p_now + p_late
        asa = float((waiting * served_wait).sum()) / p_answered if p_answered > 0 else 0.0
        sl = None
        if target is not None:
            within = _tagged_within(s, mu_in, mu_out, theta, self.levels + 1, target)
            sl = min(1.0, p_now + float((waiting * within).sum()))

        e_in = float((p0 * self.i0).sum() + (queue * (s - np.arange(s + 1))).sum())
        e_out = float((p0 * self.o0).sum() + (queue * np.arange(s + 1)).sum())
        e_q = float((queue.sum(axis=1) * np.arange(1, self.levels + 1)).sum())
        return BlendResult(
            agents=s, reserve=self.k,
            p_wait=float(waiting.sum()), asa=asa, service_level=sl, p_abandon=p_abandon,
            outbound_rate=e_out * mu_out,
            occupancy=min(1.0, (e_in + e_out) / s),
            inbound_occupancy=e_in / s, outbound_occupancy=e_out / s,
            mean_wait=e_q / lam if lam > 0 else 0.0, mean_queue=e_q,
        )


def _tagged_rates(s, mu_in, mu_out, theta, positions):
    """Rates seen by a waiting caller at position m (rows, 1-based) with o agents outbound."""
    o = np.arange(s + 1)
    m = np.arange(1, positions + 1)[:, None]
    ahead = (s - o) * mu_in + (m - 1) * theta  # -> position m-1, same phase
    switch = np.broadcast_to(o * mu_out, ahead.shape)  # -> position m-1, phase o-1
    total = ahead + switch + theta  # + the caller's own hang-up
    return ahead, switch, total


def _shift_phase(v: np.ndarray) -> np.ndarray:
    """v[:, o-1] aligned under column o (column 0 gets 0: nobody outbound to switch)."""
    out = np.zeros_like(v)
    out[..., 1:] = v[..., :-1]
    return out


def _tagged_answer(s, mu_in, mu_out, theta, positions):
    """P(answered) and E[wait; answered] for a caller at each (position, phase).

    Every event but the caller's own hang-up moves it one place forward, so both follow by a
    recursion over the position.
    """
    ahead, switch, total = _tagged_rates(s, mu_in, mu_out, theta, positions)
    served = np.empty(ahead.shape)
    wait = np.empty(ahead.shape)
    prev_p = np.ones(s + 1)
    prev_t = np.zeros(s + 1)
    for m in range(positions):
        p = (ahead[m] * prev_p + switch[m] * _shift_phase(prev_p)) / total[m]
        t = p / total[m] + (ahead[m] * prev_t + switch[m] * _shift_phase(prev_t)) / total[m]
        served[m], wait[m] = p, t
        prev_p, prev_t = p, t
    return served, wait


def _tagged_within(s, mu_in, mu_out, theta, positions, target):
    """P(answered within ``target``) for a caller at each (position, phase), by uniformization."""
    if target == 0.0:
        return np.zeros((positions, s + 1))
    ahead, switch, total = _tagged_rates(s, mu_in, mu_out, theta, positions)
    big = float(total.max())
    stay = 1.0 - total / big
    ahead, switch = ahead / big, switch / big
    mean = big * target
    steps = mean + 10.0 * math.sqrt(mean) + 40.0
    if steps > _MAX_UNIFORM_STEPS or steps * ahead.size > _MAX_UNIFORM_WORK:
        raise InputError(
            f"the service level within target = {fmt(target)} would take about "
            f"{steps:,.0f} steps over {ahead.size:,} waiting states (the target times the "
            f"fastest rate a waiting caller sees, {big:.3g} per time unit); the exact model "
            f"allows {_MAX_UNIFORM_STEPS:,} steps and {_MAX_UNIFORM_WORK:,} updates: "
            "shorten the target or lengthen the patience and handle times")
    steps = int(steps)
    # Poisson tail and weights from scipy.special, the functions scipy.stats.poisson
    # evaluates (identical numbers), so that importing blendsim does not load scipy.stats.
    while special.pdtrc(steps, mean) > 1e-18:  # the dropped tail of the Poisson weights
        steps += int(math.sqrt(mean)) + 10
    k = np.arange(steps + 1)
    weights = np.exp(special.xlogy(k, mean) - special.gammaln(k + 1) - mean)
    v = np.zeros((positions, s + 1))  # P(answered within n uniformised steps)
    acc = np.zeros_like(v)
    one = np.ones((1, s + 1))
    for n in range(1, steps + 1):
        prev = np.vstack([one, v[:-1]])  # value one place forward (position 0 = answered)
        v = stay * v + ahead * prev + switch * _shift_phase(prev)
        acc += weights[n] * v
    # acc = sum_n P(N = n) P(answered within n steps), which is P(answered by target).
    return np.minimum(acc, 1.0)


# --------------------------------------------------------------------------------------------
# Decisions: the reserve to keep, the team to hire


def best_reserve(*, agents, rate, aht, outbound_aht, target_sl, target_time, patience=None,
                 max_abandon=None) -> BlendResult:
    """The smallest reserve that meets the inbound target, which maximises outbound work.

    A larger reserve keeps more agents idle for inbound: better inbound service, fewer
    outbound calls.  So the smallest reserve that meets the service level (and the
    abandonment cap, if given) is the best one.

    Raises
    ------
    InfeasibleError
        When even ``reserve = agents`` (no outbound at all) misses the target.
    """
    s, *_ = _check(agents, rate, aht, outbound_aht, patience, target_time, "target_time")
    sl_goal = number("target_sl", target_sl, low=0, low_open=True, high=1, high_open=True)
    ab_goal = None if max_abandon is None else number(
        "max_abandon", max_abandon, low=0, low_open=True, high=1, high_open=True)
    if target_time is None:
        raise InputError("target_time is required with target_sl (e.g. 20 for 80/20)")

    def solve(k):
        return threshold_blend(agents=s, rate=rate, aht=aht, outbound_aht=outbound_aht,
                               reserve=k, patience=patience, target=target_time)

    def ok(r: BlendResult) -> bool:
        return r.service_level >= sl_goal and (ab_goal is None or r.p_abandon <= ab_goal)

    top = solve(s)
    if not ok(top):
        what = f"service level {top.service_level:.4f} < target {fmt(sl_goal)}"
        if ab_goal is not None and top.p_abandon > ab_goal:
            what = f"abandonment {top.p_abandon:.4f} > max_abandon {fmt(ab_goal)}"
        raise InfeasibleError(
            f"even with every agent kept for inbound (reserve = agents = {s}) the {what}; "
            "add agents")
    lo, hi, best = 0, s, top  # service improves with the reserve: bisect
    while lo < hi:
        mid = (lo + hi) // 2
        r = solve(mid)
        if ok(r):
            hi, best = mid, r
        else:
            lo = mid + 1
    return best


def required_blend_agents(*, rate, aht, outbound_aht, outbound_rate, target_sl, target_time,
                          patience=None, max_abandon=None, max_agents=MAX_AGENTS) -> BlendResult:
    """The smallest blended team that meets the inbound target and makes ``outbound_rate``.

    Returns the :class:`BlendResult` of that team at its best reserve.  A larger team does
    at least as well (keep the extra agent in reserve), so the search gallops up from the
    team that just carries both loads and then bisects: a few dozen solves, not one per
    team size.

    Parameters
    ----------
    outbound_rate : float
        Outbound calls per time unit wanted, ``>= 0``.
    max_agents : int
        Give up (``InfeasibleError``) beyond this team size, at most ``MAX_AGENTS`` (1,000,
        the largest team the exact chain is solved for).
    """
    lam = number("rate", rate, low=0)
    h_in = number("aht", aht, low=0, low_open=True)
    h_out = number("outbound_aht", outbound_aht, low=0, low_open=True)
    want = number("outbound_rate", outbound_rate, low=0)
    cap = whole("max_agents", max_agents, low=1, high=MAX_AGENTS)
    gives_up = (f"no team of up to max_agents = {cap} agents meets the target with "
                f"outbound_rate = {fmt(want)} per time unit")
    # Work conservation: the team must at least carry both loads.
    need = lam * h_in + want * h_out
    if not need < cap:
        raise InfeasibleError(f"{gives_up} (the two loads alone need {fmt(need)} agents)")

    def solve(s: int) -> BlendResult | None:
        """Team ``s`` at its best reserve, or None if it misses the targets."""
        try:
            r = best_reserve(agents=s, rate=lam, aht=h_in, outbound_aht=h_out,
                             target_sl=target_sl, target_time=target_time, patience=patience,
                             max_abandon=max_abandon)
        except InfeasibleError:
            return None
        return r if r.outbound_rate >= want else None

    lo = int(math.floor(need))  # the largest team known to miss (0: none)
    s, step = lo + 1, 1
    best = solve(s)
    while best is None:
        if s >= cap:
            raise InfeasibleError(gives_up)
        lo, s, step = s, min(cap, s + step), 2 * step
        best = solve(s)
    hi = s
    while hi - lo > 1:
        mid = (lo + hi) // 2
        r = solve(mid)
        if r is None:
            lo = mid
        else:
            hi, best = mid, r
    return best
