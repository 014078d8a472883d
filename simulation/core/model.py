"""The model: which mechanism handles each event, and the month end as an ordered list of steps.

The core owns every decision, the order of events and all randomness. An engine only keeps the
clock: it asks :meth:`Model.next_time` and calls :meth:`Model.advance_to` with that time. Events
at the same time run in the order (time, rank, sequence number) of :mod:`.agenda`, so any engine
that does this produces the same event log.

The mechanisms live in their own modules and share one :class:`~.state.State` (its docstring is
the glossary of the state's names):

* :mod:`.matching`: referral, placement, discharge, filling freed places, escalation;
* :mod:`.finance`: contract accounts, payments under budget ceilings, costs and margins;
* :mod:`.workforce`: staff turnover, hiring, the places staff allow;
* :mod:`.capacity`: providers expand where waiting lists persist and the tariff covers costs;
* :mod:`.entry`: new providers enter where waiting lists persist and the terms cover their costs;
* :mod:`.continuity`: solvency, liquidity support, notice and exit;
* :mod:`.schedule`: months, tariff changes, shocks, phase-out and transition switches;
* :mod:`.recorder`: the result tables (full, or lean for calibration).

A new mechanism is a handler in :data:`HANDLERS` or a step in :data:`MONTH_END`.
"""

from __future__ import annotations

from collections.abc import Callable

from simulation.core import capacity, continuity, entry, finance, matching, reasonable_price, schedule, workforce
from simulation.core.agenda import Event
from simulation.core.demand import Referrals
from simulation.core.recorder import (
    FullRecorder,
    ModelOutput,
    Recorder,
    record_care_forms,
    record_provider_books,
    record_waiting_lists,
)
from simulation.core.schedule import month_boundaries
from simulation.core.state import State, Switch, World

__all__ = ["HANDLERS", "MONTH_END", "SNAPSHOT", "Model", "ModelOutput", "Switch", "World", "month_boundaries"]

#: A step of the month end or of the snapshot that follows it: (state, month index) -> None.
Step = Callable[[State, int], None]

#: What closing a month does, in this order. Every step runs over all providers (in their order)
#: before the next starts; a step reads only what the steps above it wrote.
MONTH_END: tuple[tuple[str, Step], ...] = (
    ("contracts pay what was delivered, up to their ceilings", finance.pay_contracts),
    ("providers book revenue and costs", finance.book_costs),
    ("loss-making care forms shrink", finance.shrink_losing_forms),
    ("providers expand where waiting lists persist", capacity.expand_where_waits_persist),
    ("new providers enter where waiting lists persist and the terms pay", entry.enter_where_waits_persist),
    ("staff leave, arrive and are hired", workforce.turnover_and_hiring),
    ("phased-out care forms lose places", schedule.phase_out_places),
    ("places follow staff", workforce.update_capacity),
    ("margins go to the reserves", finance.book_margins),
    ("insolvent providers get support or give notice", continuity.review_solvency),
    ("ledger rows", record_provider_books),
    ("municipal administration", finance.municipal_costs),
    ("care-form rows", record_care_forms),
    ("accruals start again", finance.start_next_month),
)

#: After the month's books and any exits that day: what new staff allow is filled, then the
#: waiting lists are counted.
SNAPSHOT: tuple[tuple[str, Step], ...] = (
    ("places that opened are filled", matching.fill_grown),
    ("waiting-list rows", record_waiting_lists),
)


def close_month(state: State, month: int) -> None:
    for _, step in MONTH_END:
        step(state, month)


def snapshot(state: State, month: int) -> None:
    for _, step in SNAPSHOT:
        step(state, month)


#: The handler of each event kind: (state, argument) -> None.
HANDLERS: dict[Event, Callable[[State, int], None]] = {
    Event.DISCHARGE: matching.on_discharge,
    Event.SWITCH: schedule.on_switch,
    Event.TARIFF: schedule.on_tariff,
    Event.REFERRAL: matching.on_referral,
    Event.ESCALATE: matching.on_escalate,
    Event.WITHDRAW: matching.on_withdraw,
    Event.MONTH_END: close_month,
    Event.EXIT: continuity.on_exit,
    Event.SNAPSHOT: snapshot,
}


class Model:
    """One replication of one scenario under one regime.

    ``recorder`` chooses the result tables: :class:`~.recorder.FullRecorder` (the default) or
    :class:`~.recorder.LeanRecorder` (no episodes table; per-child arrays for the KPIs).
    """

    def __init__(
        self, world: World, referrals: Referrals, record_log: bool = False, recorder: Recorder | None = None
    ) -> None:
        state = State(world, referrals, recorder if recorder is not None else FullRecorder(), record_log)
        self.state = state
        state.ceilings = finance.budget_ceilings(state)
        finance.update_admin(state)
        # Terms are set when contracting: tariffs may pay for the contracted providers' administration.
        reasonable_price.apply_reasonable_tariffs(state)
        state.providers.crucial = continuity.crucial_providers(state)
        workforce.hire_initial_staff(state)
        schedule.plan(state)
        self.events = 0
        self._handlers = [HANDLERS[kind] for kind in Event]

    @property
    def now(self) -> float:
        return self.state.now

    def next_time(self) -> float | None:
        """Time of the next event, or None when nothing is left."""
        return self.state.agenda.next_time()

    def advance_to(self, t: float) -> float | None:
        """Process every event at time ``t`` (in rank, sequence order); return the next time.

        ``t`` is the engine's clock when it woke the model; the event log records it.
        """
        state = self.state
        due = state.agenda.next_time()
        if due is not None and due < t:
            raise RuntimeError(f"the engine woke the model at day {t!r}, after an event due at day {due!r}")
        state.now = t
        pop = state.agenda.pop
        handlers = self._handlers
        log = state.log
        referral = Event.REFERRAL
        processed = 0
        while (event := pop(t)) is not None:
            kind, arg = event
            processed += 1
            if log is not None and kind == referral:
                log.append((t, "referral", arg))
            handlers[kind](state, arg)
        self.events += processed
        if log is not None:
            # When the engine woke the model and what that woke: an engine that wakes the model
            # at a time with nothing due, or late, shows here even if the events come out right.
            log.append((t, "wake", processed))
        return state.agenda.next_time()

    def finish(self) -> ModelOutput:
        """Close the books at the horizon and return the result columns."""
        state = self.state
        state.now = state.horizon
        return state.recorder.finish(state, state.log)
