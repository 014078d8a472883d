"""The model: state, event handlers and the agenda, with no simulation engine.

The core owns every decision, the order of events and all randomness. An engine only keeps the
clock: it asks :meth:`Model.next_time` and calls :meth:`Model.advance_to` with that time. Events
at the same time run in the order (time, rank, sequence number), so any engine that does this
produces the same event log.

Mechanisms (ARCHITECTURE.md, DOMAIN.md section 4):

* a referred child joins the waiting list of the unit that buys its care form for its
  gemeente, unless an eligible provider (contracted, nearest first; then the bovenregionale
  pool) has a free place; a freed place goes to the longest-waiting child among the lists the
  provider serves; children re-placed after a provider exit go first;
* a child still waiting at its form's escalation threshold may escalate (drawn at referral);
* money accrues exactly (rate x time) per contract; each month a contract pays what was
  delivered up to its budget ceiling (omzetplafond); providers book staff, housing, overhead
  and variable costs; administration takes a share of staff time that grows with the contracts
  and term sets a provider serves;
* staff leave (more when the workload is above its norm) and are hired with a delay; a provider
  in deficit hires less; the places a provider can fill are what its staff allow;
* a provider whose solvency stays below the threshold gives notice (unless a crucial provider
  gets liquidity support), takes no new children and exits; its children return to the waiting
  lists with priority and keep the rest of their treatment. No child is lost.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulation.config import Scenario
from simulation.core.demand import ORIGIN_INITIAL, Referrals
from simulation.core.world import Geography, Market, Provider

__all__ = ["Model", "ModelOutput", "Switch", "World", "month_boundaries"]

# Event kinds, which are also their rank at equal times: a discharge frees a place before a
# referral at the same moment looks for one; a month closes its books before a provider whose
# notice ends that day leaves; the month's waiting lists are counted after both.
DISCHARGE, SWITCH, TARIFF, REFERRAL, ESCALATE, MONTH_END, EXIT, SNAPSHOT = 0, 1, 2, 3, 4, 5, 6, 7
WAITING, IN_CARE, DONE, ESCALATED = 0, 1, 2, 3
ACTIVE, NOTICE, EXITED = 0, 1, 2
STATUS_NAMES = {ACTIVE: "active", NOTICE: "notice", EXITED: "exited"}


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


def month_boundaries(start: dt.date, horizon: float) -> list[tuple[float, float, dt.date]]:
    """Calendar months as (start day, end day, first date), the last one cut at the horizon."""
    months = []
    first = dt.date(start.year, start.month, 1)
    offset = float((start - first).days)
    day = 0.0
    while day < horizon:
        nxt = dt.date(first.year + (first.month // 12), first.month % 12 + 1, 1)
        end = min(horizon, float((nxt - first).days) - offset + day)
        months.append((day, end, first if offset == 0 else start))
        day, first, offset = end, nxt, 0.0
    return months


@dataclass
class ModelOutput:
    """Column mappings for the result tables of one replication, by table name."""

    tables: dict[str, dict[str, Any]]
    log: list[tuple[float, str, int]] | None


def _columns(*names: str) -> dict[str, list[Any]]:
    return {n: [] for n in names}


class Model:
    """One replication of one scenario under one regime."""

    def __init__(self, world: World, referrals: Referrals, record_log: bool = False) -> None:
        self.world = world
        sc = world.scenario
        self.sc = sc
        self.horizon = sc.horizon_days
        forms = world.care_forms
        self.form_keys = forms
        fidx = {f: i for i, f in enumerate(forms)}
        self.fidx = fidx
        cf = [sc.care_forms[f] for f in forms]
        self.cf = cf
        gem = world.geography.gemeenten
        self.gem_index = {g.code: i for i, g in enumerate(gem)}
        markets = [world.market] + ([world.final_market] if world.final_market else [])

        # Waiting lists: one per (unit, care form) of any market in the run.
        keys = sorted({k for m in markets for k in m.eligible})
        self.queue_keys = keys
        self.qindex = {k: i for i, k in enumerate(keys)}
        market = world.market
        self.queue_of = {
            (gi, fi): self.qindex[(market.unit_for[(g.code, f)], f)]
            for gi, g in enumerate(gem)
            for fi, f in enumerate(forms)
        }
        nq = len(keys)
        self.normal: list[deque[int]] = [deque() for _ in range(nq)]
        self.priority: list[deque[int]] = [deque() for _ in range(nq)]
        self.q_tariff = [0.0] * nq
        for m in markets:
            for k, v in m.tariff.items():
                self.q_tariff[self.qindex[k]] = v
        self.tariff_factor = [1.0] * len(forms)

        # Provider x care form slots.
        self.providers = world.providers
        pindex = {p.provider_id: i for i, p in enumerate(self.providers)}
        self.pindex = pindex
        self.pf_keys: list[tuple[int, int]] = []
        self.pf_index: dict[tuple[str, str], int] = {}
        self.places: list[int] = []
        self.cost_factor: list[float] = []
        for p in self.providers:
            for o in p.forms:
                if o.care_form not in fidx:
                    continue
                self.pf_index[(p.provider_id, o.care_form)] = len(self.pf_keys)
                self.pf_keys.append((pindex[p.provider_id], fidx[o.care_form]))
                self.places.append(o.places)
                self.cost_factor.append(o.cost_factor)
        npf = len(self.pf_keys)
        self.places0 = list(self.places)
        self.pf_provider = [k[0] for k in self.pf_keys]
        self.pf_form = [k[1] for k in self.pf_keys]
        self.pf_occ = [0] * npf
        self.pf_last = [0.0] * npf
        self.pf_acc_occ = [0.0] * npf  # occupied place-days this month
        self.pf_acc_fte = [0.0] * npf  # FTE-days
        self.pf_acc_places = [0.0] * npf  # nominal place-days
        self.pf_acc_eff = [0.0] * npf  # place-days staff allowed
        self.pf_rev = [0.0] * npf  # paid revenue this month
        self.pf_neg_months = [0] * npf
        self.eligible: list[list[int]] = [[] for _ in range(nq)]
        for m in markets:
            for key, pids in m.eligible.items():
                self.eligible[self.qindex[key]] = [
                    self.pf_index[(pid, key[1])] for pid in pids if (pid, key[1]) in self.pf_index
                ]
        self._rebuild_serves()

        # Contracts (money): one account per (waiting list, slot) pair a child can be placed through.
        self.k_of: dict[tuple[int, int], int] = {}
        self.k_keys: list[tuple[int, int]] = []
        self.k_rate: list[float] = []
        self.k_acc: list[float] = []
        self.k_last: list[float] = []
        self.k_ytd: list[float] = []
        self.k_ceiling: list[float] = []
        self.contracted: set[tuple[str, str, str]] = {(c.unit_id, c.provider_id, c.care_form) for c in market.contracts}
        self._ceilings = self._budget_ceilings(markets)

        # Providers.
        npr = len(self.providers)
        self.status = [ACTIVE] * npr
        self.reserves = [p.reserves_eur for p in self.providers]
        self.neg_months = [0] * npr
        self.in_care_at: list[set[int]] = [set() for _ in range(npr)]
        self.provider_pfs: list[list[int]] = [[] for _ in range(npr)]
        for pf, (pi, _) in enumerate(self.pf_keys):
            self.provider_pfs[pi].append(pf)
        self.admin_share = [0.0] * npr
        self.n_contracts = [0] * npr
        self.n_term_sets = [0] * npr
        self._update_admin()
        self.crucial = self._crucial_providers()
        support = sc.finance.support
        self.support_left = support.budget_eur if support else 0.0

        # Workforce: FTE per slot, hires in the pipeline, effective places.
        self.fte = [0.0] * npf
        self.pipeline: list[deque[tuple[int, float]]] = [deque() for _ in range(npf)]
        self.eff = [0] * npf
        for pf in range(npf):
            self._initial_staff(pf)
            self.eff[pf] = self._effective_places(pf)
        self.free = [self.eff[pf] for pf in range(npf)]

        # Waiting-list monitor per queue (time-weighted length).
        self.q_len = [0] * nq
        self.q_area = [0.0] * nq
        self.q_last = [0.0] * nq

        # Children.
        n = referrals.t.size
        self.c_t_ref: list[float] = referrals.t.tolist()
        self.c_gem: list[int] = referrals.gemeente.tolist()
        self.c_form: list[int] = referrals.form.tolist()
        self.c_dur: list[float] = referrals.duration.tolist()
        self.c_escalates: list[bool] = referrals.escalates.tolist()
        self.c_esc_dur: list[float] = referrals.escalated_duration.tolist()
        self.c_divert_u: list[float] = referrals.divert_u.tolist()
        self.c_divert_dur: list[float] = referrals.diverted_duration.tolist()
        self.c_origin: list[int] = referrals.origin.tolist()
        self.c_parent = [-1] * n
        self.c_queue = [self.queue_of[(g, f)] for g, f in zip(self.c_gem, self.c_form, strict=True)]
        self.c_state = [WAITING] * n
        self.c_intake = [math.nan] * n
        self.c_end = [math.nan] * n
        self.c_pf = [-1] * n
        self.c_k = [-1] * n
        self.c_seg_start = [0.0] * n
        self.c_due = [0.0] * n
        self.c_wait_start = [0.0] * n
        self.c_replaced = [0] * n
        self.c_extra_wait = [0.0] * n
        self.c_tariff = [0.0] * n
        self.c_delivered = [0.0] * n
        self.c_diverted = [False] * n

        self.esc_after = [f.escalation.after_days if f.escalation else math.inf for f in cf]
        self.esc_to = [fidx.get(f.escalation.to, -1) if f.escalation else -1 for f in cf]
        self.phase = self._phase_out_plan()

        # Agenda.
        self.now = 0.0
        self.events = 0
        # Referrals are known in advance and sorted, so they stay out of the heap: the agenda is
        # the merge of this list (as events (t, REFERRAL, i, i)) and a heap of everything else,
        # which keeps the heap a third of the size and its pops cheap.
        self._ref_t: list[float] = list(self.c_t_ref)
        self._ref_next = 0
        agenda: list[tuple[float, int, int, int]] = []
        self._seq = n
        self.months = month_boundaries(sc.start_date, self.horizon)
        for month, (_, end, _) in enumerate(self.months):
            agenda.append((end, MONTH_END, self._next_seq(), month))
            agenda.append((end, SNAPSHOT, self._next_seq(), month))
        self.tariff_events: list[tuple[float, list[int]]] = []
        for day, factor, affected in self._tariff_plan():
            self.tariff_events.append((factor, affected))
            agenda.append((day, TARIFF, self._next_seq(), len(self.tariff_events) - 1))
        for i, sw in enumerate(world.switches):
            agenda.append((sw.day, SWITCH, self._next_seq(), i))
        for day, victim in self._shock_plan():
            agenda.append((day, EXIT, self._next_seq(), victim))
        heapq.heapify(agenda)
        self.agenda = agenda

        self.log: list[tuple[float, str, int]] | None = [] if record_log else None
        self.ledger = _columns(
            "month", "t_start", "provider_id", "days", "revenue_eur", "staff_cost_eur", "housing_cost_eur",
            "overhead_cost_eur", "variable_cost_eur", "admin_cost_eur", "margin_eur", "support_eur", "reserves_eur",
            "solvency", "occupied_days", "place_days", "nominal_place_days", "fte", "leavers_fte", "hires_fte",
            "n_contracts", "n_term_sets", "admin_share", "status",
        )  # fmt: skip
        self.payments = _columns("month", "t_start", "unit_id", "provider_id", "care_form", "delivered_eur", "paid_eur")
        self.municipal = _columns("month", "t_start", "days", "admin_cost_eur", "units", "contracts", "support_eur")
        self.waiting = _columns("month", "t_start", "unit_id", "care_form", "days", "waiting_mean", "waiting_end")
        self.exits = _columns("provider_id", "notice_day", "exit_day", "children_replaced", "cause")
        self.support_rows = _columns("provider_id", "day", "amount_eur")
        self.forms = _columns(
            "month", "t_start", "care_form", "days", "occupied_days", "place_days", "nominal_place_days"
        )
        self._grown: list[int] = []
        self._exit_notice: dict[int, float] = {}
        self._month_support = 0.0

    # -- set-up helpers ------------------------------------------------------------------------
    def _rebuild_serves(self) -> None:
        serves: list[list[int]] = [[] for _ in range(len(self.pf_keys))]
        for q, pfs in enumerate(self.eligible):
            for pf in pfs:
                serves[pf].append(q)
        self.serves = serves

    def _budget_ceilings(self, markets: list[Market]) -> dict[tuple[str, str, str], float]:
        """Yearly ceiling per contract: factor x the unit's expected spend on the form / its providers."""
        factor = self.sc.finance.budget_ceiling_factor
        if factor is None:
            return {}
        youth = {g.code: g.youth for g in self.world.geography.gemeenten}
        out: dict[tuple[str, str, str], float] = {}
        for m in markets:
            per_unit: dict[tuple[str, str], list[str]] = {}
            for c in m.contracts:
                per_unit.setdefault((c.unit_id, c.care_form), []).append(c.provider_id)
            units = {u.unit_id: u for u in m.units}
            for (uid, f), pids in per_unit.items():
                form = self.sc.care_forms[f]
                kids = sum(youth.get(g, 0.0) for g in units[uid].gemeenten)
                in_care = kids * form.referral_rate_per_1000.value / 1000.0 / 365.0 * form.duration.mean_days
                spend = in_care * m.tariff[(uid, f)] * 365.0
                for pid in pids:
                    out[(uid, pid, f)] = factor.value * spend / len(pids)
        return out

    def _account(self, q: int, pf: int) -> int:
        k = self.k_of.get((q, pf))
        if k is None:
            k = len(self.k_keys)
            self.k_of[(q, pf)] = k
            self.k_keys.append((q, pf))
            self.k_rate.append(0.0)
            self.k_acc.append(0.0)
            self.k_last.append(self.now)
            self.k_ytd.append(0.0)
            unit, form = self.queue_keys[q]
            pid = self.providers[self.pf_provider[pf]].provider_id
            self.k_ceiling.append(self._ceilings.get((unit, pid, form), math.inf))
        return k

    def _update_admin(self) -> None:
        fin = self.sc.finance
        n_contracts = [0] * len(self.providers)
        terms: list[set[str]] = [set() for _ in self.providers]
        for unit, pid, _ in self.contracted:
            i = self.pindex.get(pid)
            if i is not None:
                n_contracts[i] += 1
                terms[i].add(unit)
        for i in range(len(self.providers)):
            self.n_contracts[i] = n_contracts[i]
            self.n_term_sets[i] = len(terms[i])
            self.admin_share[i] = min(
                fin.provider_admin_share_max.value,
                n_contracts[i] * fin.provider_admin_share_per_contract.value
                + len(terms[i]) * fin.provider_admin_share_per_term_set.value,
            )

    def _crucial_providers(self) -> list[bool]:
        support = self.sc.finance.support
        out = [False] * len(self.providers)
        if support is None:
            return out
        region = {g.code: g.region for g in self.world.geography.gemeenten}
        totals: dict[tuple[str, int], int] = {}
        for pf, (pi, f) in enumerate(self.pf_keys):
            key = (region[self.providers[pi].gemeente], f)
            totals[key] = totals.get(key, 0) + self.places[pf]
        for pf, (pi, f) in enumerate(self.pf_keys):
            total = totals[(region[self.providers[pi].gemeente], f)]
            if total and self.places[pf] / total >= support.crucial_share:
                out[pi] = True
        return out

    def _day_of(self, date: dt.date) -> float:
        return float((date - self.sc.start_date).days)

    def _tariff_plan(self) -> list[tuple[float, float, list[int]]]:
        plan = []
        every = list(range(len(self.form_keys)))
        idx = self.sc.finance.tariff_indexation_per_year
        if idx is not None and idx.value != 0:
            year = self.sc.start_date.year + 1
            while (day := self._day_of(dt.date(year, 1, 1))) < self.horizon:
                plan.append((day, 1.0 + idx.value, every))
                year += 1
        for change in self.sc.tariff_changes:
            day = self._day_of(change.date)
            if 0 <= day < self.horizon:
                forms = (
                    every if change.care_forms is None else [self.fidx[f] for f in change.care_forms if f in self.fidx]
                )
                plan.append((day, change.factor, forms))
        return sorted(plan, key=lambda x: x[0])

    def _shock_plan(self) -> list[tuple[float, int]]:
        out = []
        region = {g.code: g.region for g in self.world.geography.gemeenten}
        for shock in self.sc.shocks:
            day = self._day_of(shock.date)
            if not 0 <= day < self.horizon:
                continue
            if shock.which == "largest":
                candidates = [
                    (sum(o.places for o in p.forms), p.provider_id, i)
                    for i, p in enumerate(self.providers)
                    if shock.region is None or region[p.gemeente] == shock.region
                ]
                if candidates:
                    out.append((day, max(candidates)[2]))
            elif shock.which in self.pindex:
                out.append((day, self.pindex[shock.which]))
        return out

    def _phase_out_plan(self) -> dict[int, tuple[float, float, int]]:
        plan = {}
        for po in self.sc.phase_out:
            if po.care_form in self.fidx and po.divert_to in self.fidx:
                plan[self.fidx[po.care_form]] = (self._day_of(po.start), self._day_of(po.end), self.fidx[po.divert_to])
        return plan

    def _phase_share(self, f: int, t: float) -> float:
        start, end, _ = self.phase[f]
        return min(1.0, max(0.0, (t - start) / (end - start)))

    # -- workforce -----------------------------------------------------------------------------
    def _care_fte_factor(self, pf: int) -> float:
        cp = self.cf[self.pf_form[pf]].cost_price
        return (1.0 - cp.non_productive_share.value) * (1.0 - self.admin_share[self.pf_provider[pf]])

    def _monthly_turnover(self, pf: int) -> float:
        cp = self.cf[self.pf_form[pf]].cost_price
        return cp.annual_staff_turnover.value * self.sc.workforce.turnover_factor / 12.0

    def _initial_staff(self, pf: int) -> None:
        """Staff at the start: a share of the target, or the steady state of turnover and hiring.

        In the steady state leavers (tau f) equal hires (phi (T - f - P)) with a pipeline of
        P = delay x hires, so f = phi T / (tau + phi + phi tau delay).
        """
        wf = self.sc.workforce
        target = self._target_fte(pf)
        if wf.initial_staffing != "equilibrium":
            self.fte[pf] = float(wf.initial_staffing) * target
            return
        tau, phi, delay = self._monthly_turnover(pf), wf.vacancy_fill_per_month.value, wf.hiring_delay_months
        if phi <= 0:
            self.fte[pf] = target
            return
        self.fte[pf] = phi * target / (tau + phi + phi * tau * delay)
        hires = tau * self.fte[pf]
        for month in range(delay):
            if hires > 0:
                self.pipeline[pf].append((month, hires))

    def _target_fte(self, pf: int) -> float:
        cp = self.cf[self.pf_form[pf]].cost_price
        return self.places[pf] * cp.staff_per_place.value / self._care_fte_factor(pf)

    def _effective_places(self, pf: int) -> int:
        cp = self.cf[self.pf_form[pf]].cost_price
        by_staff = math.floor(self.fte[pf] * self._care_fte_factor(pf) / cp.staff_per_place.value + 1e-9)
        return max(0, min(self.places[pf], by_staff))

    # -- agenda --------------------------------------------------------------------------------
    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _schedule(self, t: float, kind: int, arg: int) -> None:
        heapq.heappush(self.agenda, (t, kind, self._next_seq(), arg))

    def next_time(self) -> float | None:
        """Time of the next event, or None when nothing is left."""
        agenda, i = self.agenda, self._ref_next
        if i < len(self._ref_t):
            t = self._ref_t[i]
            return min(t, agenda[0][0]) if agenda else t
        return agenda[0][0] if agenda else None

    def advance_to(self, t: float) -> float | None:
        """Process every event at time ``t`` (in rank, sequence order); return the next time."""
        agenda = self.agenda
        ref_t = self._ref_t
        n_ref = len(ref_t)
        self.now = t
        log = self.log
        processed = 0
        while True:
            i = self._ref_next
            # A pending referral at t goes before heap events of a higher rank; its sequence
            # number (its index) is below every scheduled event's, so it wins ties of rank.
            if i < n_ref and ref_t[i] == t and not (agenda and agenda[0][0] == t and agenda[0][1] < REFERRAL):
                self._ref_next = i + 1
                processed += 1
                if log is not None:
                    log.append((t, "referral", i))
                self._refer(i)
                continue
            if not agenda or agenda[0][0] != t:
                break
            _, kind, _, arg = heapq.heappop(agenda)
            processed += 1
            if kind == DISCHARGE:
                self._discharge(arg)
            elif kind == ESCALATE:
                self._escalate(arg)
            elif kind == MONTH_END:
                self._month_end(arg)
            elif kind == EXIT:
                self._exit(arg, "shock" if self.status[arg] == ACTIVE else "finance")
            elif kind == TARIFF:
                self._tariff(arg)
            elif kind == SWITCH:
                self._switch(arg)
            elif kind == SNAPSHOT:
                self._snapshot(arg)
        self.events += processed
        return self.next_time()

    # -- accrual -------------------------------------------------------------------------------
    def _accrue_pf(self, pf: int, t: float) -> None:
        d = t - self.pf_last[pf]
        if d > 0:
            self.pf_acc_occ[pf] += self.pf_occ[pf] * d
            self.pf_acc_fte[pf] += self.fte[pf] * d
            self.pf_acc_places[pf] += self.places[pf] * d
            self.pf_acc_eff[pf] += self.eff[pf] * d
            self.pf_last[pf] = t

    def _accrue_k(self, k: int, t: float) -> None:
        d = t - self.k_last[k]
        if d > 0:
            self.k_acc[k] += self.k_rate[k] * d
            self.k_last[k] = t

    def _queue_change(self, q: int, delta: int) -> None:
        t = self.now
        self.q_area[q] += self.q_len[q] * (t - self.q_last[q])
        self.q_last[q] = t
        self.q_len[q] += delta

    # -- handlers ------------------------------------------------------------------------------
    def _refer(self, c: int) -> None:
        f = self.c_form[c]
        if (
            f in self.phase
            and self.c_origin[c] != ORIGIN_INITIAL
            and self.c_divert_u[c] < self._phase_share(f, self.now)
        ):
            # The phased-out form is no longer offered to this child: it is referred to the alternative.
            target = self.phase[f][2]
            self.c_form[c] = target
            self.c_dur[c] = self.c_divert_dur[c]
            self.c_queue[c] = self.queue_of[(self.c_gem[c], target)]
            self.c_diverted[c] = True
        q = self.c_queue[c]
        self.c_wait_start[c] = self.now
        pf = self._free_slot(q)
        if pf >= 0:
            self._intake(c, pf, q)
            return
        self.normal[q].append(c)
        self._queue_change(q, +1)
        if self.c_escalates[c] and self.c_origin[c] != ORIGIN_INITIAL:
            self._schedule(self.now + self.esc_after[self.c_form[c]], ESCALATE, c)

    def _free_slot(self, q: int) -> int:
        """The first eligible slot of waiting list ``q`` with a free place at an active provider, or -1."""
        free, status, pf_provider = self.free, self.status, self.pf_provider
        for pf in self.eligible[q]:
            if free[pf] > 0 and status[pf_provider[pf]] == ACTIVE:
                return pf
        return -1

    def _intake(self, c: int, pf: int, q: int) -> None:
        t = self.now
        p = self.pf_provider[pf]
        self._accrue_pf(pf, t)
        k = self._account(q, pf)
        self._accrue_k(k, t)
        tariff = self.q_tariff[q] * self.tariff_factor[self.c_form[c]]
        self.free[pf] -= 1
        self.pf_occ[pf] += 1
        self.in_care_at[p].add(c)
        self.k_rate[k] += tariff
        if self.c_pf[c] == -1 and self.c_replaced[c] == 0:
            self.c_intake[c] = t
        else:
            self.c_extra_wait[c] += t - self.c_wait_start[c]
        self.c_state[c] = IN_CARE
        self.c_pf[c] = pf
        self.c_k[c] = k
        self.c_tariff[c] = tariff
        self.c_seg_start[c] = t
        self.c_due[c] = t + self.c_dur[c]
        if self.log is not None:
            self.log.append((t, "intake", c))
        heapq.heappush(self.agenda, (self.c_due[c], DISCHARGE, self._next_seq(), c))

    def _settle(self, c: int) -> None:
        """Book the care delivered to child ``c`` since its last settlement."""
        t = self.now
        self._accrue_k(self.c_k[c], t)
        self.c_delivered[c] += self.c_tariff[c] * (t - self.c_seg_start[c])
        self.c_seg_start[c] = t

    def _release(self, c: int) -> int:
        """Take child ``c`` out of its place; return its slot."""
        t = self.now
        pf = self.c_pf[c]
        self._accrue_pf(pf, t)
        self._settle(c)
        self.k_rate[self.c_k[c]] -= self.c_tariff[c]
        self.free[pf] += 1
        self.pf_occ[pf] -= 1
        self.in_care_at[self.pf_provider[pf]].discard(c)
        return pf

    def _discharge(self, c: int) -> None:
        if self.c_state[c] != IN_CARE or self.c_due[c] != self.now:
            return  # stale: the child was moved when its provider exited
        pf = self._release(c)
        self.c_state[c] = DONE
        self.c_end[c] = self.now
        if self.log is not None:
            self.log.append((self.now, "discharge", c))
        self._fill(pf)

    def _fill(self, pf: int) -> None:
        """Give free places of slot ``pf`` to the longest-waiting children it may take."""
        if self.status[self.pf_provider[pf]] != ACTIVE:
            return
        while self.free[pf] > 0:
            best = -1
            best_key: tuple[int, float, int] | None = None
            for q in self.serves[pf]:
                for prio, dq in ((0, self.priority[q]), (1, self.normal[q])):
                    while dq and (self.c_state[dq[0]] != WAITING or self.c_queue[dq[0]] != q):
                        dq.popleft()  # escalated or moved children leave lazily
                    if dq:
                        head = dq[0]
                        key = (prio, self.c_wait_start[head], head)
                        if best_key is None or key < best_key:
                            best_key, best = key, q
                        break
            if best_key is None:
                return
            dq = self.priority[best] if best_key[0] == 0 else self.normal[best]
            c = dq.popleft()
            self._queue_change(best, -1)
            self._intake(c, pf, best)

    def _escalate(self, c: int) -> None:
        if self.c_state[c] != WAITING or self.c_replaced[c]:
            return
        target = self.esc_to[self.c_form[c]]
        if target < 0:
            return
        self.c_state[c] = ESCALATED
        self.c_end[c] = self.now
        self._queue_change(self.c_queue[c], -1)
        if self.log is not None:
            self.log.append((self.now, "escalate", c))
        self._refer(self._new_child(c, target))

    def _new_child(self, parent: int, form: int) -> int:
        g = self.c_gem[parent]
        self.c_t_ref.append(self.now)
        self.c_gem.append(g)
        self.c_form.append(form)
        self.c_dur.append(self.c_esc_dur[parent])
        self.c_escalates.append(False)
        self.c_esc_dur.append(0.0)
        self.c_divert_u.append(self.c_divert_u[parent])
        self.c_divert_dur.append(self.c_divert_dur[parent])
        self.c_origin.append(2)
        self.c_parent.append(parent)
        self.c_queue.append(self.queue_of[(g, form)])
        self.c_state.append(WAITING)
        self.c_intake.append(math.nan)
        self.c_end.append(math.nan)
        self.c_pf.append(-1)
        self.c_k.append(-1)
        self.c_replaced.append(0)
        self.c_diverted.append(False)
        for floats in (self.c_seg_start, self.c_due, self.c_wait_start, self.c_extra_wait, self.c_tariff):
            floats.append(0.0)
        self.c_delivered.append(0.0)
        return len(self.c_t_ref) - 1

    def _tariff(self, i: int) -> None:
        factor, forms = self.tariff_events[i]
        affected = set(forms)
        for f in forms:
            self.tariff_factor[f] *= factor
        for p in range(len(self.providers)):
            for c in sorted(self.in_care_at[p]):
                if self.c_form[c] in affected:
                    self._settle(c)
                    new = self.c_tariff[c] * factor
                    self.k_rate[self.c_k[c]] += new - self.c_tariff[c]
                    self.c_tariff[c] = new
        if self.log is not None:
            self.log.append((self.now, "tariff", i))

    def _switch(self, i: int) -> None:
        """Part of a transition: a care form of some gemeenten moves to its new contracting unit."""
        sw = self.world.switches[i]
        f = self.fidx.get(sw.care_form)
        if f is None:
            return
        new_q = self.qindex[(sw.new_unit, sw.care_form)]
        old_q = self.qindex[(sw.old_unit, sw.care_form)]
        gems = {self.gem_index[g] for g in sw.gemeenten if g in self.gem_index}
        for gi in gems:
            self.queue_of[(gi, f)] = new_q
        moved = [c for dq in (self.priority[old_q], self.normal[old_q]) for c in dq
                 if self.c_state[c] == WAITING and self.c_queue[c] == old_q and self.c_gem[c] in gems]  # fmt: skip
        for c in sorted(moved, key=lambda c: (self.c_replaced[c] == 0, self.c_wait_start[c], c)):
            self._queue_change(old_q, -1)
            self.c_queue[c] = new_q
            (self.priority if self.c_replaced[c] else self.normal)[new_q].append(c)
            self._queue_change(new_q, +1)
        old_left = any(q == old_q for q in self.queue_of.values())
        final = self.world.final_market
        assert final is not None
        self.contracted |= {(c.unit_id, c.provider_id, c.care_form) for c in final.contracts
                            if c.unit_id == sw.new_unit and c.care_form == sw.care_form}  # fmt: skip
        if not old_left:
            self.contracted = {k for k in self.contracted if not (k[0] == sw.old_unit and k[2] == sw.care_form)}
        self._update_admin()
        if self.log is not None:
            self.log.append((self.now, "switch", i))
        # The new unit's providers may have room for the children who just moved.
        for pf in sorted(self.eligible[new_q]):
            self._fill(pf)

    def _exit(self, p: int, cause: str) -> None:
        if self.status[p] == EXITED:
            return
        t = self.now
        self.status[p] = EXITED
        in_care = sorted(self.in_care_at[p])
        if self.log is not None:
            self.log.append((t, "exit", p))
        for c in in_care:
            self._release(c)
            self.c_dur[c] = self.c_due[c] - t  # the rest of the treatment goes with the child
            self.c_state[c] = WAITING
            self.c_replaced[c] += 1
            self.c_wait_start[c] = t
        for pf in self.provider_pfs[p]:
            self._accrue_pf(pf, t)  # staff and places count up to the exit, not after
            self.free[pf] = 0
            self.places[pf] = 0
            self.eff[pf] = 0
            self.fte[pf] = 0.0
            self.pipeline[pf].clear()
        for c in in_care:
            q = self.c_queue[c]
            pf = self._free_slot(q)
            if pf >= 0:
                self._intake(c, pf, q)
            else:
                self.priority[q].append(c)
                self._queue_change(q, +1)
        self.exits["provider_id"].append(self.providers[p].provider_id)
        self.exits["notice_day"].append(self._exit_notice.get(p, t))
        self.exits["exit_day"].append(t)
        self.exits["children_replaced"].append(len(in_care))
        self.exits["cause"].append(cause)

    # -- the month's books ---------------------------------------------------------------------
    def _month_end(self, m: int) -> None:
        t = self.now
        start, end, first = self.months[m]
        days = end - start
        sc = self.sc
        fin = sc.finance
        wf = sc.workforce
        years = first.year - sc.start_date.year
        cost_index = (1.0 + fin.cost_indexation_per_year.value) ** years if fin.cost_indexation_per_year else 1.0
        new_year = m + 1 < len(self.months) and self.months[m + 1][2].month == 1

        # Contracts pay what was delivered, up to their yearly ceiling.
        for k, (q, pf) in enumerate(self.k_keys):
            self._accrue_k(k, t)
            delivered = self.k_acc[k]
            if delivered == 0.0 and not new_year:
                continue
            paid = min(delivered, max(0.0, self.k_ceiling[k] - self.k_ytd[k]))
            self.k_ytd[k] = 0.0 if new_year else self.k_ytd[k] + paid
            self.k_acc[k] = 0.0
            self.pf_rev[pf] += paid
            if delivered > 0.0:
                unit, form = self.queue_keys[q]
                pay = self.payments
                pay["month"].append(first)
                pay["t_start"].append(start)
                pay["unit_id"].append(unit)
                pay["provider_id"].append(self.providers[self.pf_provider[pf]].provider_id)
                pay["care_form"].append(form)
                pay["delivered_eur"].append(delivered)
                pay["paid_eur"].append(paid)

        by_form = [[0.0, 0.0, 0.0] for _ in self.form_keys]
        for p, prov in enumerate(self.providers):
            st = self.status[p]
            revenue = staff = housing = overhead = variable = admin = occ_days = eff_days = nominal_days = 0.0
            fte_sum = leavers_sum = hires_sum = 0.0
            for pf in self.provider_pfs[p]:
                self._accrue_pf(pf, t)
                cp = self.cf[self.pf_form[pf]].cost_price
                scale = self.cost_factor[pf] * cost_index / 365.0
                pf_staff = self.pf_acc_fte[pf] * cp.salary_eur_per_fte_year.value * scale
                pf_housing = self.pf_acc_places[pf] * cp.housing_eur_per_place_year.value * scale
                pf_var = self.pf_acc_occ[pf] * cp.variable_eur_per_day.value * cost_index
                pf_cost = (pf_staff + pf_housing) * (1.0 + cp.overhead_share.value) + pf_var
                pf_rev = self.pf_rev[pf]
                revenue += pf_rev
                staff += pf_staff
                housing += pf_housing
                overhead += (pf_staff + pf_housing) * cp.overhead_share.value
                variable += pf_var
                admin += pf_staff * (1.0 - cp.non_productive_share.value) * self.admin_share[p]
                occ_days += self.pf_acc_occ[pf]
                eff_days += self.pf_acc_eff[pf]
                nominal_days += self.pf_acc_places[pf]
                fte_sum += self.pf_acc_fte[pf] / days if days > 0 else 0.0
                f = self.pf_form[pf]
                by_form[f][0] += self.pf_acc_occ[pf]
                by_form[f][1] += self.pf_acc_eff[pf]
                by_form[f][2] += self.pf_acc_places[pf]
                # Shrink a care form that keeps losing money.
                if st == ACTIVE and fin.shrink is not None:
                    self.pf_neg_months[pf] = self.pf_neg_months[pf] + 1 if pf_rev < pf_cost else 0
                    if self.pf_neg_months[pf] >= fin.shrink.after_months and self.places[pf] > 0:
                        self.places[pf] = math.floor(self.places[pf] * (1.0 - fin.shrink.step))
                        self.pf_neg_months[pf] = 0
                        if self.log is not None:
                            self.log.append((t, "shrink", pf))
                # Workforce: leavers, arrivals from the pipeline, new hires.
                if st != EXITED:
                    occupied = self.pf_acc_occ[pf] / days if days > 0 else 0.0
                    capacity = self.fte[pf] * self._care_fte_factor(pf) / cp.staff_per_place.value
                    workload = occupied / capacity if capacity > 0 else 0.0
                    monthly = self._monthly_turnover(pf) * days / (365.0 / 12.0)
                    monthly *= 1.0 + wf.workload_turnover_elasticity.value * max(0.0, workload - 1.0)
                    leavers = self.fte[pf] * min(1.0, monthly)
                    arrived = 0.0
                    pipe = self.pipeline[pf]
                    while pipe and pipe[0][0] <= m:
                        arrived += pipe.popleft()[1]
                    self.fte[pf] += arrived - leavers
                    waiting_hires = sum(h for _, h in pipe)
                    vacancies = max(0.0, self._target_fte(pf) - self.fte[pf] - waiting_hires)
                    rate = wf.vacancy_fill_per_month.value
                    if self.reserves[p] < 0:
                        rate *= wf.deficit_hiring_factor.value
                    # A sliver of a vacancy (under 0.05 FTE) is filled at once: otherwise staff
                    # approach the target without reaching it and the last place never opens.
                    hires = vacancies if vacancies < 0.05 and rate > 0 else vacancies * rate
                    if wf.hiring_delay_months == 0:
                        self.fte[pf] += hires
                    elif hires > 0:
                        pipe.append((m + wf.hiring_delay_months, hires))
                    leavers_sum += leavers
                    hires_sum += arrived
                else:
                    self.fte[pf] = 0.0
                    pipe = self.pipeline[pf]
                    pipe.clear()
                # Phase-out: places fall linearly to zero at the end date.
                if f in self.phase:
                    self.places[pf] = min(
                        self.places[pf], math.floor(self.places0[pf] * (1.0 - self._phase_share(f, end)) + 1e-9)
                    )
                before = self.eff[pf]
                self.eff[pf] = self._effective_places(pf) if st != EXITED else 0
                self.free[pf] += self.eff[pf] - before
                if self.free[pf] > 0 and self.eff[pf] > before:
                    self._grown.append(pf)
                self.pf_acc_occ[pf] = self.pf_acc_fte[pf] = self.pf_acc_places[pf] = self.pf_acc_eff[pf] = 0.0
                self.pf_rev[pf] = 0.0
            margin = revenue - staff - housing - overhead - variable
            self.reserves[p] += margin
            support = 0.0
            annual_revenue = revenue * 365.0 / days if days > 0 else 0.0
            if annual_revenue > 0:
                solvency = self.reserves[p] / annual_revenue
            else:
                solvency = math.inf if self.reserves[p] >= 0 else -math.inf
            if st == ACTIVE:
                bad = solvency < fin.continuity_solvency_threshold
                self.neg_months[p] = self.neg_months[p] + 1 if bad else 0
                if self.neg_months[p] >= fin.months_negative_before_notice:
                    support = self._support(p, staff + housing + overhead + variable, days)
                    if support == 0.0:
                        self._give_notice(p, m)
            self.reserves[p] += support
            led = self.ledger
            for name, value in (
                ("month", first), ("t_start", start), ("provider_id", prov.provider_id), ("days", days),
                ("revenue_eur", revenue), ("staff_cost_eur", staff), ("housing_cost_eur", housing),
                ("overhead_cost_eur", overhead), ("variable_cost_eur", variable), ("admin_cost_eur", admin),
                ("margin_eur", margin), ("support_eur", support), ("reserves_eur", self.reserves[p]),
                ("solvency", solvency), ("occupied_days", occ_days), ("place_days", eff_days),
                ("nominal_place_days", nominal_days), ("fte", fte_sum), ("leavers_fte", leavers_sum),
                ("hires_fte", hires_sum), ("n_contracts", self.n_contracts[p]), ("n_term_sets", self.n_term_sets[p]),
                ("admin_share", self.admin_share[p]), ("status", STATUS_NAMES[st]),
            ):  # fmt: skip
                led[name].append(value)

        units = {u for u, _, _ in self.contracted}
        mun = self.municipal
        mun["month"].append(first)
        mun["t_start"].append(start)
        mun["days"].append(days)
        per_month = (
            len(units) * fin.municipal_admin_eur_per_unit_month.value
            + len(self.contracted) * fin.municipal_admin_eur_per_contract_month.value
        )
        mun["admin_cost_eur"].append(per_month * days / (365.0 / 12.0) * cost_index)
        mun["units"].append(len(units))
        mun["contracts"].append(len(self.contracted))
        mun["support_eur"].append(self._month_support)
        self._month_support = 0.0

        fo = self.forms
        for f, (occupied, eff, nominal) in enumerate(by_form):
            for name, value in (
                ("month", first), ("t_start", start), ("care_form", self.form_keys[f]), ("days", days),
                ("occupied_days", occupied), ("place_days", eff), ("nominal_place_days", nominal),
            ):  # fmt: skip
                fo[name].append(value)

    def _snapshot(self, m: int) -> None:
        """After the books and any exits: give places new staff allow, then count the waiting lists."""
        grown, self._grown = self._grown, []
        for pf in grown:
            self._fill(pf)
        start, end, first = self.months[m]
        days = end - start
        for q, (unit, form) in enumerate(self.queue_keys):
            self._queue_change(q, 0)
            w = self.waiting
            w["month"].append(first)
            w["t_start"].append(start)
            w["unit_id"].append(unit)
            w["care_form"].append(form)
            w["days"].append(days)
            w["waiting_mean"].append(self.q_area[q] / days if days > 0 else 0.0)
            w["waiting_end"].append(self.q_len[q])
            self.q_area[q] = 0.0

    def _support(self, p: int, month_cost: float, days: float) -> float:
        """Liquidity support for a crucial provider about to give notice; 0 when none is given."""
        support = self.sc.finance.support
        if support is None or not self.crucial[p] or self.support_left <= 0:
            return 0.0
        monthly = month_cost * (365.0 / 12.0) / days if days > 0 else month_cost
        need = support.restore_months * monthly - self.reserves[p]
        amount = min(self.support_left, max(0.0, need))
        if amount <= 0.0 or self.reserves[p] + amount < 0.0:
            return 0.0
        self.support_left -= amount
        self._month_support += amount
        self.neg_months[p] = 0
        rows = self.support_rows
        rows["provider_id"].append(self.providers[p].provider_id)
        rows["day"].append(self.now)
        rows["amount_eur"].append(amount)
        if self.log is not None:
            self.log.append((self.now, "support", p))
        return amount

    def _give_notice(self, p: int, m: int) -> None:
        self.status[p] = NOTICE
        self._exit_notice[p] = self.now
        if self.log is not None:
            self.log.append((self.now, "notice", p))
        last = m + self.sc.finance.notice_months
        if last < len(self.months):
            self._schedule(self.months[last][1], EXIT, p)

    # -- results -------------------------------------------------------------------------------
    def finish(self) -> ModelOutput:
        """Close the books at the horizon and return the result columns."""
        t = self.horizon
        self.now = t
        gem = self.world.geography.gemeenten
        unit_ids = sorted({u for u, _ in self.queue_keys})
        unit_of_queue = np.asarray([unit_ids.index(u) for u, _ in self.queue_keys], dtype=np.int64)
        prov_ids = [p.provider_id for p in self.providers]
        delivered = list(self.c_delivered)
        for c, st in enumerate(self.c_state):
            if st == IN_CARE:  # care delivered up to the horizon
                delivered[c] += self.c_tariff[c] * (t - self.c_seg_start[c])
        n = len(self.c_t_ref)
        state = np.asarray(self.c_state, dtype=np.int8)
        pf = np.asarray(self.c_pf, dtype=np.int64)
        pf_prov = np.asarray([*self.pf_provider, -1], dtype=np.int64)  # slot -1 -> provider -1
        gem_idx = np.asarray(self.c_gem, dtype=np.int64)
        region_codes = sorted({g.region for g in gem})
        region_of = np.asarray([region_codes.index(g.region) for g in gem], dtype=np.int64)

        def cat(codes: np.ndarray, labels: list[str]) -> Any:
            return pd.Categorical.from_codes(codes.astype(np.int64), categories=pd.Index(labels))

        episodes = {
            "child": np.arange(n),
            "parent": np.asarray(self.c_parent, dtype=np.int64),
            "origin": cat(np.asarray(self.c_origin), ["referral", "initial", "escalation"]),
            "gemeente": cat(gem_idx, [g.code for g in gem]),
            "region": cat(region_of[gem_idx], region_codes),
            "unit_id": cat(unit_of_queue[np.asarray(self.c_queue, dtype=np.int64)], unit_ids),
            "care_form": cat(np.asarray(self.c_form), list(self.form_keys)),
            "t_referral": np.asarray(self.c_t_ref),
            "t_intake": np.asarray(self.c_intake),
            "t_end": np.asarray(self.c_end),
            "state": cat(state, ["waiting", "in_care", "done", "escalated"]),
            "provider_id": cat(pf_prov[pf], prov_ids),
            "tariff_eur_per_day": np.asarray(self.c_tariff),
            "delivered_eur": np.asarray(delivered),
            "replacements": np.asarray(self.c_replaced, dtype=np.int64),
            "extra_wait_days": np.asarray(self.c_extra_wait),
            "waiting_since": np.where(state == WAITING, np.asarray(self.c_wait_start), np.nan),
            "diverted": np.asarray(self.c_diverted, dtype=bool),
        }
        tables = {
            "episodes": episodes,
            "ledger": self.ledger,
            "payments": self.payments,
            "municipal": self.municipal,
            "waiting": self.waiting,
            "exits": self.exits,
            "support": self.support_rows,
            "forms": self.forms,
        }
        return ModelOutput(tables, self.log)
