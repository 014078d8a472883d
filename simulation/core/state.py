"""The state of one run: named columns over children, provider forms, contracts, providers, queues.

Glossary (index names in brackets; every column is indexed by it):

* **child** [``c``]: one episode of care. Referrals come first, in the order of
  :class:`~simulation.core.demand.Referrals` (the initial stock among them); an escalation ends
  its child and opens a new one (``origin`` escalation, ``parent`` the escalated child); a child
  whose ``patience`` runs out on a waiting list leaves it (state withdrawn).
* **care form** [``form``]: a zorgvorm, by its position in ``State.care_forms``.
* **queue** [``q``]: the waiting list of one (contracting unit, care form). Children wait in its
  ``priority`` deque (re-placed after a provider exit) or its ``normal`` deque. In a *bound*
  queue (all its providers have a werkgebied: the GIs) each child is bound to one provider form
  (``bound_pf``) and waits in that provider form's ``bound_priority`` or ``bound_normal`` deque;
  the queue still counts it.
* **provider form** [``pf``]: one provider's places for one care form (a "slot"): nominal
  ``places``, the ``effective_places`` its staff allow, ``free_places`` (effective minus occupied),
  its staff (``fte``, hires in the ``pipeline``) and what accrued this month.
* **contract** [``k``]: the money account of one (queue, provider form) pair through which a child
  was placed: it accrues tariff x time (``rate`` is the sum of its children's day tariffs) and
  pays each month up to its yearly budget ceiling (omzetplafond).
* **provider** [``p``]: an aanbieder: ``status`` (active, notice, exited; dormant: an entrant
  slot that has not entered, see :mod:`.entry`), ``reserves``,
  the children ``in_care`` with it and the share of staff time administration takes.
* **accrual**: a quantity integrated over time up to ``accrued_until`` (place-days, FTE-days,
  euros), booked and reset at each month end.

Child columns are ``array.array`` (8 bytes a value, contiguous): a third of a list of floats in
memory, and no slower to index. The other tables are small and stay Python lists.
"""

from __future__ import annotations

import datetime as dt
import math
from array import array
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from simulation.config import Scenario
from simulation.core import eligibility
from simulation.core.agenda import Agenda
from simulation.core.demand import ORIGIN_ESCALATION, Referrals
from simulation.core.world import Geography, Market, Provider

if TYPE_CHECKING:
    from simulation.core.recorder import Recorder

__all__ = [
    "ACTIVE",
    "DONE",
    "DORMANT",
    "ESCALATED",
    "EXITED",
    "IN_CARE",
    "NOTICE",
    "STATUS_NAMES",
    "WAITING",
    "WITHDRAWN",
    "Children",
    "Contracts",
    "MonthBooks",
    "ProviderForms",
    "Providers",
    "Queues",
    "State",
    "Switch",
    "World",
]

# Child states (WITHDRAWN: left the waiting list without this care).
WAITING, IN_CARE, DONE, ESCALATED, WITHDRAWN = 0, 1, 2, 3, 4
# Provider states (DORMANT: an entrant slot that has not entered yet, see entry.py).
ACTIVE, NOTICE, EXITED, DORMANT = 0, 1, 2, 3
STATUS_NAMES = {ACTIVE: "active", NOTICE: "notice", EXITED: "exited", DORMANT: "dormant"}


@dataclass(frozen=True)
class Switch:
    """At ``day``, ``care_form`` for ``gemeenten`` moves from unit ``old_unit`` to ``new_unit``."""

    day: float
    care_form: str
    old_unit: str
    new_unit: str
    gemeenten: tuple[str, ...]


@dataclass(frozen=True)
class World:
    """Everything static a run needs: the scenario, the map, the providers, the market(s)."""

    scenario: Scenario
    geography: Geography
    care_forms: tuple[str, ...]
    providers: tuple[Provider, ...]
    market: Market
    #: the market after a transition, and when each part of it takes over (empty without one)
    final_market: Market | None = None
    switches: tuple[Switch, ...] = field(default_factory=tuple)


class Children:
    """One row per child (episode); see the glossary. Times are days since the start."""

    def __init__(self, referrals: Referrals, queue_of: dict[tuple[int, int], int]) -> None:
        n = referrals.t.size
        # Drawn at referral (demand.py): the same for every regime.
        self.referred_at = array("d", referrals.t.tobytes())
        self.gemeente = array("q", referrals.gemeente.tobytes())
        self.form = array("q", referrals.form.tobytes())
        self.duration = array("d", referrals.duration.tobytes())
        self.escalates = array("b", referrals.escalates.astype("int8").tobytes())
        self.escalated_duration = array("d", referrals.escalated_duration.tobytes())
        self.divert_u = array("d", referrals.divert_u.tobytes())
        self.diverted_duration = array("d", referrals.diverted_duration.tobytes())
        self.origin = array("b", referrals.origin.astype("int8").tobytes())
        patience = referrals.patience if referrals.patience is not None else np.full(n, np.inf)
        self.patience = array("d", patience.astype(float).tobytes())
        bind_u = referrals.bind_u if referrals.bind_u is not None else np.zeros(n)
        self.bind_u = array("d", bind_u.astype(float).tobytes())
        # What happens to them.
        self.parent = array("q", [-1]) * n
        self.queue = array("q", [queue_of[(g, f)] for g, f in zip(self.gemeente, self.form, strict=True)])
        self.state = array("b", [WAITING]) * n
        self.intake_at = array("d", [math.nan]) * n  # first intake only
        self.ended_at = array("d", [math.nan]) * n  # discharge or escalation
        self.provider_form = array("q", [-1]) * n  # the latest placement
        self.contract = array("q", [-1]) * n
        self.billed_until = array("d", [0.0]) * n  # care delivered is settled up to here
        self.due_at = array("d", [0.0]) * n  # discharge time of the current placement
        self.waiting_since = array("d", [0.0]) * n
        self.replacements = array("q", [0]) * n  # times moved because the provider left
        self.extra_wait_days = array("d", [0.0]) * n  # waited again after such moves
        self.tariff = array("d", [0.0]) * n  # euros per day of the current placement
        self.delivered_eur = array("d", [0.0]) * n  # settled care, all placements
        self.diverted = array("b", [False]) * n  # referred to a phase-out's alternative
        self.bound_pf = array("q", [-1]) * n  # the provider form a child of a bound queue waits for

    def __len__(self) -> int:
        return len(self.referred_at)

    def add_escalation(self, parent: int, form: int, queue: int, now: float) -> int:
        """Open the episode of an escalated child in ``form``; return its index."""
        self.referred_at.append(now)
        self.gemeente.append(self.gemeente[parent])
        self.form.append(form)
        self.duration.append(self.escalated_duration[parent])
        self.escalates.append(False)
        self.escalated_duration.append(0.0)
        self.divert_u.append(self.divert_u[parent])
        self.diverted_duration.append(self.diverted_duration[parent])
        self.origin.append(ORIGIN_ESCALATION)
        self.patience.append(self.patience[parent])  # the family's patience goes with the child
        self.bind_u.append(self.bind_u[parent])
        self.bound_pf.append(-1)
        self.parent.append(parent)
        self.queue.append(queue)
        self.state.append(WAITING)
        self.intake_at.append(math.nan)
        self.ended_at.append(math.nan)
        self.provider_form.append(-1)
        self.contract.append(-1)
        self.replacements.append(0)
        self.diverted.append(False)
        for floats in (self.billed_until, self.due_at, self.waiting_since, self.extra_wait_days, self.tariff):
            floats.append(0.0)
        self.delivered_eur.append(0.0)
        return len(self.referred_at) - 1


class Queues:
    """One waiting list per (contracting unit, care form) of any market in the run."""

    def __init__(self, world: World, markets: list[Market], form_index: dict[str, int]) -> None:
        self.keys: list[tuple[str, str]] = sorted({k for m in markets for k in m.eligible})
        self.index = {k: i for i, k in enumerate(self.keys)}
        n = len(self.keys)
        #: (gemeente, care form) -> the queue its children join now
        self.of = {
            (gi, fi): self.index[(world.market.unit_for[(g.code, f)], f)]
            for gi, g in enumerate(world.geography.gemeenten)
            for fi, f in enumerate(world.care_forms)
        }
        self.normal: list[deque[int]] = [deque() for _ in range(n)]
        self.priority: list[deque[int]] = [deque() for _ in range(n)]  # re-placed children
        self.tariff = [0.0] * n  # contract tariff, euros per day
        for m in markets:
            for k, v in m.tariff.items():
                self.tariff[self.index[k]] = v
        #: provider forms that take children from the queue, in the order they are tried
        self.eligible: list[list[int]] = [[] for _ in range(n)]
        self.bound = [False] * n  # set by State once eligibility is known
        #: where the tiers of ``eligible`` end (State sorts it by tier): providers inside the unit,
        #: then its other contracted ones, then the pooled neighbours' (bovenregionale afstemming)
        #: and entrants; a tier is tried only when none of the one before has room
        self.tier_ends: list[tuple[int, int]] = [(0, 0)] * n
        # Time-weighted length monitor.
        self.length = [0] * n
        self.length_days = [0.0] * n  # area under the length this month
        self.changed_at = [0.0] * n


class ProviderForms:
    """One row per (provider, care form) the run's providers offer."""

    def __init__(
        self, providers: tuple[Provider, ...], provider_index: dict[str, int], form_index: dict[str, int]
    ) -> None:
        self.index: dict[tuple[str, str], int] = {}
        self.provider: list[int] = []
        self.form: list[int] = []
        self.places: list[int] = []  # nominal places (shrink and phase-out lower them)
        self.cost_factor: list[float] = []
        #: binding weight (``gewicht``) of a provider with a werkgebied; 0 for any other
        self.weight: list[float] = []
        #: an entrant slot's places once it enters (entry.py); it has none before
        self.entry_places: dict[int, int] = {}
        for p in providers:
            for o in p.forms:
                if o.care_form not in form_index:
                    continue
                if p.entrant:
                    self.entry_places[len(self.provider)] = o.places
                self.index[(p.provider_id, o.care_form)] = len(self.provider)
                self.provider.append(provider_index[p.provider_id])
                self.form.append(form_index[o.care_form])
                self.places.append(0 if p.entrant else o.places)
                self.cost_factor.append(o.cost_factor)
                self.weight.append(p.weight if p.serves is not None else 0.0)
        n = len(self.provider)
        self.initial_places = list(self.places)
        self.occupied = [0] * n
        self.effective_places = [0] * n  # what staff allow, at most the nominal places
        self.free_places = [0] * n  # effective places not occupied
        self.fte = [0.0] * n
        self.pipeline: list[deque[tuple[int, float]]] = [deque() for _ in range(n)]  # (arrival month, FTE)
        self.losing_months = [0] * n  # consecutive months revenue < cost
        self.long_wait_months = [0] * n  # consecutive months of long waits at covered cost (capacity.py)
        self.serves: list[list[int]] = [[] for _ in range(n)]  # queues it takes children from
        self.xy: list[tuple[float, float]] = []  # where its provider is (State fills it in)
        #: matching.fill's deques to look at, with the number of queues served when built
        self.fill_lists: dict[int, tuple[int, list[tuple[Any, Any, Any, int]]]] = {}
        # Children of bound queues waiting for this provider form (re-placed ones first).
        self.bound_normal: list[deque[int]] = [deque() for _ in range(n)]
        self.bound_priority: list[deque[int]] = [deque() for _ in range(n)]
        # This month's accruals.
        self.accrued_until = [0.0] * n
        self.occupied_days = [0.0] * n
        self.fte_days = [0.0] * n
        self.nominal_place_days = [0.0] * n
        self.place_days = [0.0] * n  # effective place-days
        self.revenue = [0.0] * n  # paid by contracts at this month end

    def __len__(self) -> int:
        return len(self.provider)


class Contracts:
    """One money account per (queue, provider form), opened at the first placement through it."""

    def __init__(self) -> None:
        self.of: dict[tuple[int, int], int] = {}
        self.keys: list[tuple[int, int]] = []  # (queue, provider form)
        self.rate: list[float] = []  # euros per day accruing now
        self.accrued: list[float] = []  # delivered this month, not yet paid
        self.accrued_until: list[float] = []
        self.paid_this_year: list[float] = []
        self.ceiling: list[float] = []  # yearly budget ceiling (inf without one)


class Providers:
    """One row per provider in the run's market."""

    def __init__(self, providers: tuple[Provider, ...], provider_forms: ProviderForms) -> None:
        n = len(providers)
        self.ids = [p.provider_id for p in providers]
        self.index = {pid: i for i, pid in enumerate(self.ids)}
        self.status = [DORMANT if p.entrant else ACTIVE for p in providers]
        self.reserves = [p.reserves_eur for p in providers]
        self.insolvent_months = [0] * n  # consecutive months below the solvency threshold
        self.in_care: list[set[int]] = [set() for _ in range(n)]
        self.provider_forms: list[list[int]] = [[] for _ in range(n)]
        for pf, p in enumerate(provider_forms.provider):
            self.provider_forms[p].append(pf)
        self.admin_share = [0.0] * n  # share of productive staff time spent on administration
        self.n_contracts = [0] * n
        self.n_term_sets = [0] * n
        self.crucial = [False] * n  # eligible for liquidity support
        self.notice_day: dict[int, float] = {}


class MonthBooks:
    """Per-provider figures of the month being closed, from the steps that compute them."""

    def __init__(self, n_providers: int, n_forms: int) -> None:
        n = n_providers
        self.status = [ACTIVE] * n  # at the start of the month end
        self.revenue = [0.0] * n
        self.staff = [0.0] * n
        self.housing = [0.0] * n
        self.overhead = [0.0] * n
        self.variable = [0.0] * n
        self.admin = [0.0] * n
        self.occupied_days = [0.0] * n
        self.place_days = [0.0] * n
        self.nominal_place_days = [0.0] * n
        self.fte = [0.0] * n
        self.leavers = [0.0] * n
        self.hires = [0.0] * n
        self.margin = [0.0] * n
        self.solvency = [0.0] * n
        self.support = [0.0] * n
        self.form_cost: list[float] = []  # per provider form
        #: per care form: occupied, effective and nominal place-days
        self.by_form = [[0.0, 0.0, 0.0] for _ in range(n_forms)]


class State:
    """Everything that changes during a run, and the static lookups the mechanisms share."""

    def __init__(self, world: World, referrals: Referrals, recorder: Recorder, log: bool) -> None:
        self.world = world
        self.scenario = scenario = world.scenario
        self.horizon = scenario.horizon_days
        self.care_forms = world.care_forms
        self.form_index = {f: i for i, f in enumerate(self.care_forms)}
        self.form_params = [scenario.care_forms[f] for f in self.care_forms]
        #: care FTE per occupied place, given or implied by the tariff (Scenario.staff_per_place)
        self.staff_per_place = [scenario.staff_per_place(f) for f in self.care_forms]
        self.gemeente_index = {g.code: i for i, g in enumerate(world.geography.gemeenten)}
        self.markets = [world.market] + ([world.final_market] if world.final_market else [])
        #: calendar months as (start day, end day, first date); schedule.plan fills them in
        self.months: list[tuple[float, float, dt.date]] = []
        self.now = 0.0
        self.log: list[tuple[float, str, int]] | None = [] if log else None
        self.recorder = recorder

        self.queues = Queues(world, self.markets, self.form_index)
        self.provider_forms = ProviderForms(
            world.providers, {p.provider_id: i for i, p in enumerate(world.providers)}, self.form_index
        )
        pfs = self.provider_forms
        #: where each gemeente lies, to rank providers by distance (eligibility.prepare)
        self.gemeente_xy = eligibility.prepare(
            self.queues, pfs, world, self.markets, scenario.providers.bind_to_werkgebied
        )
        self.providers = Providers(world.providers, pfs)
        self.contracts = Contracts()
        #: (unit, provider, care form) contracts in force (they drive administration)
        administered = world.market.term_contracts
        if administered is None:
            administered = world.market.contracts
        self.contracted = {(c.unit_id, c.provider_id, c.care_form) for c in administered}
        self.children = Children(referrals, self.queues.of)
        # The initial waiting list was referred before the start (negative times): it joins at 0.
        self.agenda = Agenda(array("d", (max(0.0, t) for t in self.children.referred_at)))
        self.books = MonthBooks(len(world.providers), len(self.care_forms))

        self.tariff_factor = [1.0] * len(self.care_forms)  # indexation and tariff changes so far
        self.escalate_after = [f.escalation.after_days if f.escalation else math.inf for f in self.form_params]
        self.withdrawal_per_day = [f.withdrawal_per_day for f in self.form_params]
        self.escalate_to = [self.form_index.get(f.escalation.to, -1) if f.escalation else -1 for f in self.form_params]
        #: provider forms whose places grew at a month end: filled once the month is closed
        self.grown: list[int] = []
        #: places ordered and not yet open: (month they open, provider form, places), by month
        self.expansions: list[tuple[int, int, int]] = []
        #: entrants founded and not yet open: (month they open, provider form), by month (entry.py)
        self.entries: list[tuple[int, int]] = []
        #: (region, care form) -> consecutive months of long waits the terms would pay entry for
        self.entry_wait_months: dict[tuple[str, int], int] = {}
        #: the map as entry sees it: gemeente -> region, region -> gemeenten, (region, form) -> slots
        self.entry_region_of = [g.region for g in world.geography.gemeenten]
        self.entry_gemeenten: dict[str, list[int]] = {}
        for gi, region in enumerate(self.entry_region_of):
            self.entry_gemeenten.setdefault(region, []).append(gi)
        region_of = {g.code: g.region for g in world.geography.gemeenten}
        self.entry_slot_region = {pf: region_of[world.providers[pfs.provider[pf]].gemeente] for pf in pfs.entry_places}
        self.entry_slots: dict[tuple[str, int], list[int]] = {}
        for pf, region in self.entry_slot_region.items():
            self.entry_slots.setdefault((region, pfs.form[pf]), []).append(pf)
        support = scenario.finance.support
        self.support_left = support.budget_eur if support else 0.0
        self.month_support = 0.0  # support paid this month
        # Filled in by the mechanisms that own them (schedule.py, finance.py).
        self.phase_out: dict[int, tuple[float, float, int]] = {}
        self.tariff_events: list[tuple[float, list[int]]] = []
        self.ceilings: dict[tuple[str, str, str], float] = {}

    def phase_share(self, form: int, t: float) -> float:
        """How far the phase-out of ``form`` has gone at ``t``: 0 before its start, 1 at its end."""
        start, end, _ = self.phase_out[form]
        return min(1.0, max(0.0, (t - start) / (end - start)))
