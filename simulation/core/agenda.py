"""The agenda: what happens next, in an order every engine reproduces.

Events run in the order (time, rank, sequence number). The rank is the event kind itself
(:class:`Event`), so at equal times a discharge frees a place before a referral looks for one.
The sequence number breaks the remaining ties in the order events were scheduled.

Referrals are known in advance and sorted, so they stay out of the heap: the agenda is the merge
of the sorted referral times (referral ``i`` is the event ``(t_i, REFERRAL, i)``) and a heap of
everything else, which keeps the heap a third of the size and its pops cheap.
"""

from __future__ import annotations

import heapq
from array import array
from enum import IntEnum

__all__ = ["Agenda", "Event"]


class Event(IntEnum):
    """Event kinds; the value is the rank at equal times.

    A discharge frees a place before a referral at the same moment looks for one; a month closes
    its books before a provider whose notice ends that day leaves; the month's waiting lists are
    counted after both.
    """

    DISCHARGE = 0
    SWITCH = 1
    TARIFF = 2
    REFERRAL = 3
    ESCALATE = 4
    WITHDRAW = 5
    MONTH_END = 6
    EXIT = 7
    SNAPSHOT = 8


_REFERRAL = Event.REFERRAL  # looked up once: attribute access on an Enum class is slow


class Agenda:
    """The future events: sorted referral times merged with a heap of ``(time, kind, seq, arg)``."""

    def __init__(self, referral_times: array[float]) -> None:
        self.referral_times = referral_times
        #: index of the first referral not yet processed (also its child index)
        self.next_referral = 0
        self.heap: list[tuple[float, int, int, int]] = []
        # Referral i has sequence number i, so every scheduled event's number is above them all.
        self.seq = len(referral_times)

    def schedule(self, t: float, kind: Event, arg: int) -> None:
        """Add event ``kind`` with argument ``arg`` at time ``t``."""
        self.seq += 1
        heapq.heappush(self.heap, (t, kind, self.seq, arg))

    def pop(self, t: float) -> tuple[int, int] | None:
        """Take the next event at time ``t`` as (kind, argument); None when ``t`` has no more."""
        heap, i = self.heap, self.next_referral
        # A pending referral at t goes before heap events of a higher rank; its sequence number
        # (its index) is below every scheduled event's, so it wins ties of rank.
        if (
            i < len(self.referral_times)
            and self.referral_times[i] == t
            and not (heap and heap[0][0] == t and heap[0][1] < _REFERRAL)
        ):
            self.next_referral = i + 1
            return _REFERRAL, i
        if heap and heap[0][0] == t:
            _, kind, _, arg = heapq.heappop(heap)
            return kind, arg
        return None

    def next_time(self) -> float | None:
        """Time of the next event, or None when nothing is left."""
        heap, i = self.heap, self.next_referral
        if i < len(self.referral_times):
            t = self.referral_times[i]
            return min(t, heap[0][0]) if heap else t
        return heap[0][0] if heap else None
