"""Kinds of work: the :class:`WorkSource` interface and the :class:`Dispatcher` it talks to.

The ACD is a dispatcher: when an agent becomes free it offers the agent to its work sources
in order, and the first that gives it work keeps it until that work ends.  Inbound queues and
the outbound dialler are work sources; a new kind of work (deferred e-mail, chat sessions,
call-backs) is a new source registered with :meth:`Dispatcher.add_source`, with no edit of
the dispatcher.  The built-in order, asked at every free agent, is:

1. connected outbound customers waiting for an agent (the dialler);
2. inbound contacts, chosen by the routing policy (:class:`~blendsim.engine.inbound.Inbound`);
3. going outbound, if the blending policy agrees (the dialler).

A source never edits the dispatcher's state; it uses the narrow API below.  Work may also
start without an agent becoming free (a contact arrives, a customer connects): the source
then takes an idle agent with :meth:`Dispatcher.take_idle` and gives it work with
:meth:`Dispatcher.start_work`.  When the work ends the dispatcher frees the agent and offers
it to the sources again.  A source that gives an agent back without work (a failed outbound
call) calls :meth:`Dispatcher.release`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections import deque

    from blendsim.engine._simpy import Clock
    from blendsim.policies.routing import GroupOrder

__all__ = ["Dispatcher", "WorkSource"]


class WorkSource(Protocol):
    """A kind of work that free agents may take."""

    def offer(self, agent: int) -> bool:
        """Agent ``agent`` is free: give it work now (True), or leave it to the next source.

        A source that gives work calls :meth:`Dispatcher.start_work` (or keeps the agent
        itself, as the dialler keeps agents waiting for a connect) before returning True.
        """
        ...

    def work_later(self, agent: int) -> float | None:
        """When work this agent could take becomes available, if none may be given now.

        Asked only of an agent whose shift is over after closing: it stays (idle) until
        then, and leaves if every source answers None.
        """
        ...

    def shift_over(self, agent: int) -> None:
        """``agent``'s shift has ended: stop holding it for work not yet begun (work in
        progress is finished; the agent is then offered only work it may take off duty)."""
        ...

    def finish(self) -> None:
        """The day is over (every agent has gone): close whatever work is left."""
        ...


class Dispatcher(Protocol):
    """What a work source may ask of the ACD (nothing here edits a source's work)."""

    clock: Clock  # ``clock.now``: the current instant (seconds after midnight)
    agent_group: Sequence[int]  # agent -> group
    idle: Sequence[deque]  # idle[g]: group g's idle agents, longest idle first (read-only)
    off_duty: Sequence[bool]  # agent -> shift over (it finishes its work, takes no new)
    inbound_capable: Sequence[bool]  # agent -> its group answers inbound contacts
    policy: Any  # the blending policy (a source may look at its ``boundaries()``)

    def schedule(self, delay: float, callback: Callable[[Any], None], value=None) -> None:
        """Call ``callback(call)`` in ``delay`` seconds, with ``call.value`` = ``value``."""
        ...

    def start_work(self, agent: int, seconds: float) -> None:
        """``agent`` (not idle) works ``seconds``; then it is free and offered work again."""
        ...

    def release(self, agent: int) -> None:
        """``agent`` (not idle, not working) is free now: offer it to the sources again."""
        ...

    def take_idle(self, agent: int) -> None:
        """Take idle ``agent`` off its group's idle agents (to give it work)."""
        ...

    def reconsider(self, group: int, offer: Callable[[int], bool]) -> None:
        """Offer each idle agent of ``group`` to ``offer``, longest idle first; those it does
        not take stay idle in their places."""
        ...

    def idle_index(self, order) -> GroupOrder:
        """A :class:`GroupOrder` of ``order`` kept up to date as agents become idle."""
        ...

    def idle_groups(self, group_class: Sequence[int]) -> list[set[int]]:
        """Per class ``k``: a set to which every group ``g`` with ``group_class[g] == k``
        is added when one of its agents becomes idle (the source removes groups itself)."""
        ...

    def may_start_outbound(self, agent: int) -> bool:
        """The blending policy's answer for free ``agent`` (counted among the idle)."""
        ...

    def add_source(self, source: WorkSource, before: WorkSource | None = None) -> None:
        """Offer free agents to ``source`` too: last, or just before ``before``."""
        ...
