"""The model: state, event handlers and the agenda, with no simulation engine.

The core owns every decision, the order of events and all randomness. An engine only keeps the
clock: it asks :meth:`Model.next_time` and calls :meth:`Model.advance_to` with that time. Events
at the same time run in the order (time, rank, sequence number), so any engine that does this
produces the same event log.

Mechanisms (ARCHITECTURE.md, DOMAIN.md section 4):

* a referred child joins the waiting list of the unit that buys its care form for its
  gemeente, unless an eligible provider (contracted, nearest first; then the bovenregionale
  pool) has a free place;
* a provider whose place frees takes the longest-waiting child among the waiting lists it
  serves; children re-placed after a provider exit go first;
* a child still waiting at its form's escalation threshold may escalate (drawn at referral):
  it leaves the list and is referred to the heavier form;
* monthly, each provider books revenue (occupied days x contract tariff), fixed, variable and
  administration costs; reserves that stay negative for ``months_negative_before_notice``
  months lead to notice, and after ``notice_months`` to exit. A provider under notice takes no
  new children; at exit its children return to the waiting lists with priority and keep the
  rest of their treatment. No child is lost.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulation.config import Scenario
from simulation.core.demand import ORIGIN_ESCALATION, ORIGIN_INITIAL, Referrals
from simulation.core.world import Geography, Market, Provider

__all__ = ["EVENT_NAMES", "Model", "ModelOutput", "World", "month_boundaries"]

# Event kinds, which are also their rank at equal times: a discharge frees a place before a
# referral at the same moment looks for one; a month closes its books before a provider whose
# notice ends that day leaves.
DISCHARGE, REFERRAL, ESCALATE, MONTH_END, EXIT = 0, 1, 2, 3, 4
EVENT_NAMES = {DISCHARGE: "discharge", EXIT: "exit", REFERRAL: "referral", ESCALATE: "escalate", MONTH_END: "month_end"}

WAITING, IN_CARE, DONE, ESCALATED = 0, 1, 2, 3
ACTIVE, NOTICE, EXITED = 0, 1, 2
STATUS_NAMES = {ACTIVE: "active", NOTICE: "notice", EXITED: "exited"}


@dataclass(frozen=True)
class World:
    """Everything static a run needs: the scenario, the map, the providers, the market."""

    scenario: Scenario
    geography: Geography
    care_forms: tuple[str, ...]
    providers: tuple[Provider, ...]
    market: Market


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


class Model:
    """One replication of one scenario under one regime."""

    def __init__(self, world: World, referrals: Referrals, record_log: bool = False) -> None:
        self.world = world
        sc = world.scenario
        self.horizon = sc.horizon_days
        forms = world.care_forms
        self.form_keys = forms
        cf = [sc.care_forms[f] for f in forms]
        gem = world.geography.gemeenten
        market = world.market

        # Waiting lists: one per (unit, care form).
        self.queue_keys = sorted(market.eligible)
        qindex = {k: i for i, k in enumerate(self.queue_keys)}
        self.queue_of = {
            (gi, fi): qindex[(market.unit_for[(g.code, f)], f)]
            for gi, g in enumerate(gem)
            for fi, f in enumerate(forms)
        }
        nq = len(self.queue_keys)
        self.normal: list[deque[int]] = [deque() for _ in range(nq)]
        self.priority: list[deque[int]] = [deque() for _ in range(nq)]
        self.q_tariff = [market.tariff[k] for k in self.queue_keys]

        # Provider x care form slots.
        self.providers = world.providers
        pindex = {p.provider_id: i for i, p in enumerate(self.providers)}
        self.pf_keys: list[tuple[int, int]] = []
        pf_index: dict[tuple[str, str], int] = {}
        fidx = {f: i for i, f in enumerate(forms)}
        self.places: list[int] = []
        self.fixed_per_day: list[float] = []
        self.var_per_day: list[float] = []
        for p in self.providers:
            for o in p.forms:
                if o.care_form not in fidx:
                    continue
                pf_index[(p.provider_id, o.care_form)] = len(self.pf_keys)
                self.pf_keys.append((pindex[p.provider_id], fidx[o.care_form]))
                self.places.append(o.places)
                self.fixed_per_day.append(o.fixed_cost_eur_per_year / 365.0)
                self.var_per_day.append(o.variable_cost_eur_per_day)
        npf = len(self.pf_keys)
        self.free = list(self.places)
        self.pf_provider = [k[0] for k in self.pf_keys]
        self.eligible: list[list[int]] = [
            [pf_index[(pid, key[1])] for pid in market.eligible[key] if (pid, key[1]) in pf_index]
            for key in self.queue_keys
        ]
        serves: list[list[int]] = [[] for _ in range(npf)]
        for q, pfs in enumerate(self.eligible):
            for pf in pfs:
                serves[pf].append(q)
        self.serves = serves

        # Provider finance and contracts.
        npr = len(self.providers)
        self.status = [ACTIVE] * npr
        self.reserves = [p.reserves_eur for p in self.providers]
        self.neg_months = [0] * npr
        self.rev_rate = [0.0] * npr
        self.var_rate = [0.0] * npr
        self.occ = [0] * npr
        self.last = [0.0] * npr
        self.acc_rev = [0.0] * npr
        self.acc_var = [0.0] * npr
        self.acc_occ = [0.0] * npr
        self.place_days = [0.0] * npr
        self.provider_pfs: list[list[int]] = [[] for _ in range(npr)]
        self.in_care_at: list[set[int]] = [set() for _ in range(npr)]
        for pf, (pi, _) in enumerate(self.pf_keys):
            self.provider_pfs[pi].append(pf)
        n_contracts = [0] * npr
        term_sets: list[set[str]] = [set() for _ in range(npr)]
        for c in market.contracts:
            if c.provider_id in pindex:
                n_contracts[pindex[c.provider_id]] += 1
                term_sets[pindex[c.provider_id]].add(c.term_set)
        self.n_contracts = n_contracts
        self.n_term_sets = [len(s) for s in term_sets]
        fin = sc.finance
        self.admin_share = [
            min(
                fin.provider_admin_share_max.value,
                n_contracts[i] * fin.provider_admin_share_per_contract.value
                + self.n_term_sets[i] * fin.provider_admin_share_per_term_set.value,
            )
            for i in range(npr)
        ]
        unit_contracts: dict[str, int] = {}
        for c in market.contracts:
            unit_contracts[c.unit_id] = unit_contracts.get(c.unit_id, 0) + 1
        self.municipal_admin_per_day = sum(
            (
                fin.municipal_admin_eur_per_unit_month.value
                + unit_contracts.get(u.unit_id, 0) * fin.municipal_admin_eur_per_contract_month.value
            )
            * 12.0
            / 365.0
            for u in market.units
        )

        # Gemeente payments (accrued separately from provider revenue, for the money check).
        ng = len(gem)
        self.g_rate = [0.0] * ng
        self.g_last = [0.0] * ng
        self.g_acc = [0.0] * ng

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
        self.c_origin: list[int] = referrals.origin.tolist()
        self.c_parent = [-1] * n
        self.c_queue = [self.queue_of[(g, f)] for g, f in zip(self.c_gem, self.c_form, strict=True)]
        self.c_state = [WAITING] * n
        self.c_intake = [float("nan")] * n
        self.c_end = [float("nan")] * n
        self.c_pf = [-1] * n
        self.c_due = [0.0] * n  # planned discharge time while in care
        self.c_seg_start = [0.0] * n  # start of the current stay (a re-placed child has several)
        self.c_wait_start = [0.0] * n
        self.c_replaced = [0] * n
        self.c_extra_wait = [0.0] * n
        self.c_tariff = [0.0] * n
        self.c_paid = [0.0] * n

        esc_after = [f.escalation.after_days if f.escalation else float("inf") for f in cf]
        esc_to = [fidx.get(f.escalation.to, -1) if f.escalation else -1 for f in cf]
        self.esc_after, self.esc_to = esc_after, esc_to

        # Agenda.
        self.now = 0.0
        self.events = 0
        self._seq = 0
        agenda: list[tuple[float, int, int, int]] = []
        agenda += [(self.c_t_ref[i], REFERRAL, i, i) for i in range(n)]
        self._seq = n
        self.months = month_boundaries(sc.start_date, self.horizon)
        for m, (_, end, _) in enumerate(self.months):
            agenda.append((end, MONTH_END, self._next_seq(), m))
        heapq.heapify(agenda)
        self.agenda = agenda

        self.log: list[tuple[float, str, int]] | None = [] if record_log else None
        self.ledger: dict[str, list[Any]] = {
            k: []
            for k in (
                "month",
                "t_start",
                "provider_id",
                "days",
                "revenue_eur",
                "fixed_cost_eur",
                "variable_cost_eur",
                "admin_cost_eur",
                "margin_eur",
                "reserves_eur",
                "occupied_days",
                "place_days",
                "status",
            )
        }
        self.payments: dict[str, list[Any]] = {k: [] for k in ("month", "t_start", "gemeente", "paid_eur")}
        self.municipal: dict[str, list[Any]] = {k: [] for k in ("month", "t_start", "days", "admin_cost_eur")}
        self.waiting: dict[str, list[Any]] = {
            k: [] for k in ("month", "t_start", "unit_id", "care_form", "days", "waiting_mean", "waiting_end")
        }
        self.exits: dict[str, list[Any]] = {
            k: [] for k in ("provider_id", "notice_day", "exit_day", "children_replaced")
        }
        self._exit_notice: dict[int, float] = {}

    # -- agenda ------------------------------------------------------------------------------
    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _schedule(self, t: float, kind: int, arg: int) -> None:
        heapq.heappush(self.agenda, (t, kind, self._next_seq(), arg))

    def next_time(self) -> float | None:
        """Time of the next event, or None when nothing is left."""
        return self.agenda[0][0] if self.agenda else None

    def advance_to(self, t: float) -> float | None:
        """Process every event at time ``t`` (in rank, sequence order); return the next time."""
        agenda = self.agenda
        self.now = t
        log = self.log
        processed = 0
        while agenda and agenda[0][0] == t:
            _, kind, _, arg = heapq.heappop(agenda)
            processed += 1
            if kind == DISCHARGE:
                self._discharge(arg, agenda)
            elif kind == REFERRAL:
                if log is not None:
                    log.append((t, "referral", arg))
                self._refer(arg)
            elif kind == ESCALATE:
                self._escalate(arg)
            elif kind == MONTH_END:
                self._month_end(arg)
            elif kind == EXIT:
                self._exit(arg)
        self.events += processed
        return agenda[0][0] if agenda else None

    # -- money accrual -----------------------------------------------------------------------
    def _accrue_provider(self, p: int, t: float) -> None:
        dt_ = t - self.last[p]
        if dt_ > 0:
            self.acc_rev[p] += self.rev_rate[p] * dt_
            self.acc_var[p] += self.var_rate[p] * dt_
            self.acc_occ[p] += self.occ[p] * dt_
            self.last[p] = t

    def _accrue_gemeente(self, g: int, t: float) -> None:
        dt_ = t - self.g_last[g]
        if dt_ > 0:
            self.g_acc[g] += self.g_rate[g] * dt_
            self.g_last[g] = t

    def _queue_change(self, q: int, delta: int) -> None:
        t = self.now
        self.q_area[q] += self.q_len[q] * (t - self.q_last[q])
        self.q_last[q] = t
        self.q_len[q] += delta

    # -- handlers ----------------------------------------------------------------------------
    def _refer(self, c: int) -> None:
        q = self.c_queue[c]
        self.c_wait_start[c] = self.now
        free, status, pf_provider = self.free, self.status, self.pf_provider
        for pf in self.eligible[q]:
            if free[pf] > 0 and status[pf_provider[pf]] == ACTIVE:
                self._intake(c, pf)
                return
        self.normal[q].append(c)
        self._queue_change(q, +1)
        if self.c_escalates[c] and self.c_origin[c] != ORIGIN_INITIAL:
            self._schedule(self.now + self.esc_after[self.c_form[c]], ESCALATE, c)

    def _intake(self, c: int, pf: int) -> None:
        t = self.now
        p = self.pf_provider[pf]
        self._accrue_provider(p, t)
        g = self.c_gem[c]
        self._accrue_gemeente(g, t)
        tariff = self.q_tariff[self.c_queue[c]]
        self.free[pf] -= 1
        self.occ[p] += 1
        self.in_care_at[p].add(c)
        self.rev_rate[p] += tariff
        self.var_rate[p] += self.var_per_day[pf]
        self.g_rate[g] += tariff
        if self.c_pf[c] == -1 and self.c_replaced[c] == 0:
            self.c_intake[c] = t
        else:
            self.c_extra_wait[c] += t - self.c_wait_start[c]
        self.c_state[c] = IN_CARE
        self.c_pf[c] = pf
        self.c_tariff[c] = tariff
        self.c_due[c] = t + self.c_dur[c]
        self.c_seg_start[c] = t
        if self.log is not None:
            self.log.append((t, "intake", c))
        heapq.heappush(self.agenda, (self.c_due[c], DISCHARGE, self._next_seq(), c))

    def _release(self, c: int) -> tuple[int, int]:
        """Take child ``c`` out of its place; return (slot, provider)."""
        t = self.now
        pf = self.c_pf[c]
        p = self.pf_provider[pf]
        self._accrue_provider(p, t)
        g = self.c_gem[c]
        self._accrue_gemeente(g, t)
        tariff = self.c_tariff[c]
        self.free[pf] += 1
        self.occ[p] -= 1
        self.in_care_at[p].discard(c)
        self.rev_rate[p] -= tariff
        self.var_rate[p] -= self.var_per_day[pf]
        self.g_rate[g] -= tariff
        self.c_paid[c] += tariff * (t - self.c_seg_start[c])
        return pf, p

    def _discharge(self, c: int, agenda: list[tuple[float, int, int, int]]) -> None:
        if self.c_state[c] != IN_CARE or self.c_due[c] != self.now:
            return  # stale: the child was moved when its provider exited
        pf, _ = self._release(c)
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
                    while dq and self.c_state[dq[0]] != WAITING:
                        dq.popleft()  # escalated children leave lazily
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
            self._intake(c, pf)

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
        new = self._new_child(c, target)
        self._refer(new)

    def _new_child(self, parent: int, form: int) -> int:
        g = self.c_gem[parent]
        self.c_t_ref.append(self.now)
        self.c_gem.append(g)
        self.c_form.append(form)
        self.c_dur.append(self.c_esc_dur[parent])
        self.c_escalates.append(False)
        self.c_esc_dur.append(0.0)
        self.c_origin.append(ORIGIN_ESCALATION)
        self.c_parent.append(parent)
        self.c_queue.append(self.queue_of[(g, form)])
        self.c_state.append(WAITING)
        self.c_intake.append(float("nan"))
        self.c_end.append(float("nan"))
        self.c_pf.append(-1)
        self.c_replaced.append(0)
        for floats in (self.c_seg_start, self.c_due, self.c_wait_start, self.c_extra_wait, self.c_tariff, self.c_paid):
            floats.append(0.0)
        return len(self.c_t_ref) - 1

    def _month_end(self, m: int) -> None:
        t = self.now
        start, end, first = self.months[m]
        days = end - start
        fin = self.world.scenario.finance
        for p, prov in enumerate(self.providers):
            self._accrue_provider(p, t)
            st = self.status[p]
            places = sum(self.places[pf] for pf in self.provider_pfs[p]) if st != EXITED else 0
            fixed = sum(self.fixed_per_day[pf] for pf in self.provider_pfs[p]) * days if st != EXITED else 0.0
            admin = fixed * self.admin_share[p]
            rev, var = self.acc_rev[p], self.acc_var[p]
            margin = rev - fixed - var - admin
            self.reserves[p] += margin
            led = self.ledger
            led["month"].append(first)
            led["t_start"].append(start)
            led["provider_id"].append(prov.provider_id)
            led["days"].append(days)
            led["revenue_eur"].append(rev)
            led["fixed_cost_eur"].append(fixed)
            led["variable_cost_eur"].append(var)
            led["admin_cost_eur"].append(admin)
            led["margin_eur"].append(margin)
            led["reserves_eur"].append(self.reserves[p])
            led["occupied_days"].append(self.acc_occ[p])
            led["place_days"].append(places * days)
            led["status"].append(STATUS_NAMES[st])
            self.acc_rev[p] = self.acc_var[p] = self.acc_occ[p] = 0.0
            if st == ACTIVE:
                self.neg_months[p] = self.neg_months[p] + 1 if self.reserves[p] < 0 else 0
                if self.neg_months[p] >= fin.months_negative_before_notice:
                    self.status[p] = NOTICE
                    self._exit_notice[p] = t
                    if self.log is not None:
                        self.log.append((t, "notice", p))
                    last = m + fin.notice_months
                    exit_at = self.months[last][1] if last < len(self.months) else None
                    if exit_at is not None:
                        self._schedule(exit_at, EXIT, p)
        for g in range(len(self.g_acc)):
            self._accrue_gemeente(g, t)
            self.payments["month"].append(first)
            self.payments["t_start"].append(start)
            self.payments["gemeente"].append(self.world.geography.gemeenten[g].code)
            self.payments["paid_eur"].append(self.g_acc[g])
            self.g_acc[g] = 0.0
        self.municipal["month"].append(first)
        self.municipal["t_start"].append(start)
        self.municipal["days"].append(days)
        self.municipal["admin_cost_eur"].append(self.municipal_admin_per_day * days)
        for q, (unit, form) in enumerate(self.queue_keys):
            self._queue_change(q, 0)
            self.waiting["month"].append(first)
            self.waiting["t_start"].append(start)
            self.waiting["unit_id"].append(unit)
            self.waiting["care_form"].append(form)
            self.waiting["days"].append(days)
            self.waiting["waiting_mean"].append(self.q_area[q] / days if days > 0 else 0.0)
            self.waiting["waiting_end"].append(self.q_len[q])
            self.q_area[q] = 0.0

    def _exit(self, p: int) -> None:
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
            self.free[pf] = 0
            self.places[pf] = 0
        for c in in_care:
            q = self.c_queue[c]
            for pf in self.eligible[q]:
                if self.free[pf] > 0 and self.status[self.pf_provider[pf]] == ACTIVE:
                    self._intake(c, pf)
                    break
            else:
                self.priority[q].append(c)
                self._queue_change(q, +1)
        self.exits["provider_id"].append(self.providers[p].provider_id)
        self.exits["notice_day"].append(self._exit_notice.get(p, t))
        self.exits["exit_day"].append(t)
        self.exits["children_replaced"].append(len(in_care))

    # -- results -----------------------------------------------------------------------------
    def finish(self) -> ModelOutput:
        """Close the books at the horizon and return the result columns."""
        t = self.horizon
        self.now = t
        gem = self.world.geography.gemeenten
        unit_ids = sorted({u for u, _ in self.queue_keys})
        unit_of_queue = np.asarray([unit_ids.index(u) for u, _ in self.queue_keys], dtype=np.int64)
        prov_ids = [p.provider_id for p in self.providers]
        # Care delivered up to the horizon by children still in care is paid up to then.
        paid = list(self.c_paid)
        for c, st in enumerate(self.c_state):
            if st == IN_CARE:
                paid[c] += self.c_tariff[c] * (t - self.c_seg_start[c])
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
            "paid_eur": np.asarray(paid),
            "replacements": np.asarray(self.c_replaced, dtype=np.int64),
            "extra_wait_days": np.asarray(self.c_extra_wait),
            "waiting_since": np.where(state == WAITING, np.asarray(self.c_wait_start), np.nan),
        }
        tables = {
            "episodes": episodes,
            "ledger": self.ledger,
            "payments": self.payments,
            "municipal": self.municipal,
            "waiting": self.waiting,
            "exits": self.exits,
        }
        return ModelOutput(tables, self.log)
