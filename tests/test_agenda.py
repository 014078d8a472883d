"""The agenda's order: (time, rank, sequence), with the sorted referrals merged in.

Hand-made traces in the style of SimPy's tests: the expected order is written out, not computed.
"""

from __future__ import annotations

from array import array

from simulation.core.agenda import Agenda, Event


def drain(agenda: Agenda) -> list[tuple[float, str, int]]:
    out = []
    while (t := agenda.next_time()) is not None:
        while (event := agenda.pop(t)) is not None:
            kind, arg = event
            out.append((t, Event(kind).name, arg))
    return out


def test_equal_times_run_by_rank_then_by_scheduling_order() -> None:
    agenda = Agenda(array("d", [0.0, 1.0, 1.0, 2.0]))
    agenda.schedule(1.0, Event.SNAPSHOT, 0)
    agenda.schedule(1.0, Event.MONTH_END, 0)
    agenda.schedule(1.0, Event.ESCALATE, 7)
    agenda.schedule(1.0, Event.DISCHARGE, 5)
    agenda.schedule(1.0, Event.DISCHARGE, 4)
    agenda.schedule(1.5, Event.EXIT, 2)
    assert drain(agenda) == [
        (0.0, "REFERRAL", 0),
        (1.0, "DISCHARGE", 5),  # a discharge frees a place before a referral looks for one
        (1.0, "DISCHARGE", 4),
        (1.0, "REFERRAL", 1),  # referrals in their sorted order, before higher ranks
        (1.0, "REFERRAL", 2),
        (1.0, "ESCALATE", 7),
        (1.0, "MONTH_END", 0),
        (1.0, "SNAPSHOT", 0),
        (1.5, "EXIT", 2),
        (2.0, "REFERRAL", 3),
    ]


def test_an_event_scheduled_while_processing_a_time_runs_at_that_time_in_rank_order() -> None:
    agenda = Agenda(array("d", [3.0, 3.0]))
    assert agenda.next_time() == 3.0
    assert agenda.pop(3.0) == (Event.REFERRAL, 0)
    agenda.schedule(3.0, Event.DISCHARGE, 9)  # e.g. a placement of zero duration
    assert agenda.pop(3.0) == (Event.DISCHARGE, 9)
    assert agenda.pop(3.0) == (Event.REFERRAL, 1)
    assert agenda.pop(3.0) is None
    assert agenda.next_time() is None
