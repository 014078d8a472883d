"""What a KPI function sees: one replication's tables cut to the measurement window.

The window runs from the warm-up to the horizon. Episode KPIs count children referred in the
window (the initial stock never counts as a referral); monthly tables count the months that
start at or after the warm-up. A window covers all care forms, or one (``care_form``): then its
episodes are that form's only, and the per-form utilisation comes from the monthly ``forms``
table.

Episodes are held as aligned numpy arrays (:class:`Episodes`), so the same KPI functions serve
the full episode table and any recorder that keeps only these columns.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from simulation.core.demand import ORIGIN_INITIAL
from simulation.core.state import ESCALATED, WAITING
from simulation.metrics.survival import KaplanMeier, kaplan_meier

__all__ = ["Episodes", "Window"]


@dataclass(frozen=True)
class Episodes:
    """One row per child-episode, aligned arrays (glossary of the episodes table)."""

    t_referral: np.ndarray  # day of referral
    t_intake: np.ndarray  # day of first intake, NaN if never placed
    t_end: np.ndarray  # day of discharge or escalation, NaN if neither
    initial: np.ndarray  # bool: part of the initial stock, not a referral
    waiting: np.ndarray  # bool: on a waiting list at the horizon
    escalated: np.ndarray  # bool: left the list for a heavier form
    form: np.ndarray  # care form code (index into ``form_names``)
    form_names: tuple[str, ...]
    norm: np.ndarray  # waiting-time norm of the child's care form, days
    replacements: np.ndarray  # times moved because the provider left
    extra_wait_days: np.ndarray  # waiting after re-placements, days
    waiting_since: np.ndarray  # day the current wait began (waiting children), else NaN
    gemeente: np.ndarray  # the child's gemeente (index into ``gemeente_names``)
    gemeente_names: tuple[str, ...]  # gemeentecodes, in the geography's order

    @classmethod
    def from_table(cls, ep: pd.DataFrame, norms: Mapping[str, float]) -> Episodes:
        forms = ep["care_form"]
        names = tuple(str(c) for c in forms.cat.categories)
        norm_of = np.asarray([norms.get(n, math.nan) for n in names], dtype=float)
        codes = forms.cat.codes.to_numpy(dtype=np.int64)
        state = ep["state"]
        return cls(
            t_referral=ep["t_referral"].to_numpy(dtype=float),
            t_intake=ep["t_intake"].to_numpy(dtype=float),
            t_end=ep["t_end"].to_numpy(dtype=float),
            initial=(ep["origin"] == "initial").to_numpy(dtype=bool),
            waiting=(state == "waiting").to_numpy(dtype=bool),
            escalated=(state == "escalated").to_numpy(dtype=bool),
            form=codes,
            form_names=names,
            norm=norm_of[codes] if codes.size else np.zeros(0),
            replacements=ep["replacements"].to_numpy(),
            extra_wait_days=ep["extra_wait_days"].to_numpy(dtype=float),
            waiting_since=ep["waiting_since"].to_numpy(dtype=float),
            gemeente=ep["gemeente"].cat.codes.to_numpy(dtype=np.int64),
            gemeente_names=tuple(str(c) for c in ep["gemeente"].cat.categories),
        )

    @classmethod
    def from_children(
        cls,
        children: Mapping[str, np.ndarray],
        form_names: Sequence[str],
        norms: Mapping[str, float],
        gemeente_names: Sequence[str],
    ) -> Episodes:
        """From the per-child arrays of the lean recorder (no episodes table is built)."""
        codes = np.asarray(children["care_form"], dtype=np.int64)
        norm_of = np.asarray([norms.get(n, math.nan) for n in form_names], dtype=float)
        state = children["state"]
        waiting = state == WAITING
        return cls(
            t_referral=children["t_referral"],
            t_intake=children["t_intake"],
            t_end=children["t_end"],
            initial=children["origin"] == ORIGIN_INITIAL,
            waiting=waiting,
            escalated=state == ESCALATED,
            form=codes,
            form_names=tuple(form_names),
            norm=norm_of[codes] if codes.size else np.zeros(0),
            replacements=children["replacements"],
            extra_wait_days=children["extra_wait_days"],
            # as the episodes table has it: the day the current wait began, for waiting children
            waiting_since=np.where(waiting, children["waiting_since"], np.nan),
            gemeente=np.asarray(children["gemeente"], dtype=np.int64),
            gemeente_names=tuple(gemeente_names),
        )

    def of_form(self, code: int) -> Episodes:
        keep = self.form == code
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return Episodes(**{k: v[keep] if isinstance(v, np.ndarray) else v for k, v in fields.items()})

    def forms_present(self) -> list[int]:
        return [int(c) for c in np.unique(self.form)]


@dataclass
class Window:
    """The tables of one replication within the measurement window (see the module docstring)."""

    episodes: Episodes
    #: monthly tables, months starting at or after the warm-up
    ledger: pd.DataFrame
    municipal: pd.DataFrame
    payments: pd.DataFrame
    #: provider exits on or after the warm-up
    exits: pd.DataFrame
    #: every early-warning signal of the run (a signal before the window can lead to an exit in it)
    signals: pd.DataFrame
    #: occupied and staffed place-days per care form in the window
    form_days: pd.DataFrame
    warmup: float
    horizon: float
    youth: float
    care_form: str | None = None

    # -- episode views shared by several KPIs -----------------------------------------------
    @cached_property
    def referred(self) -> np.ndarray:
        """Mask of children referred in the window."""
        ep = self.episodes
        return ~ep.initial & (ep.t_referral >= self.warmup)

    @cached_property
    def tau(self) -> float:
        """The longest follow-up any referral in the window can have: horizon minus warm-up."""
        return self.horizon - self.warmup

    @cached_property
    def waits(self) -> np.ndarray:
        """Referral to first intake of the children referred in the window and placed."""
        ep = self.episodes
        placed = self.referred & ~np.isnan(ep.t_intake)
        return ep.t_intake[placed] - ep.t_referral[placed]

    @cached_property
    def wait_followed(self) -> tuple[np.ndarray, np.ndarray]:
        """(days followed, placed) per child referred in the window: to the first intake (placed),
        else to the day it left the list without a place (escalated, withdrawn), else to the
        horizon (still waiting). Not placed: censored at that day."""
        ep = self.episodes
        ref = self.referred
        intake, end = ep.t_intake[ref], ep.t_end[ref]
        placed = ~np.isnan(intake)
        left = np.where(placed, intake, np.where(~np.isnan(end), end, self.horizon))
        return left - ep.t_referral[ref], placed

    @cached_property
    def wait_curve(self) -> KaplanMeier:
        """Kaplan-Meier estimate of the wait to first intake (see :mod:`survival`)."""
        return kaplan_meier(*self.wait_followed)

    @cached_property
    def over_norm(self) -> tuple[np.ndarray, np.ndarray]:
        """(waited longer than the norm, could have by the horizon) per referred child.

        A child could have waited longer than its norm by the horizon if it was referred at
        least the norm before the horizon; its wait is followed to its first intake, to the day
        it left the list without a place, or to the horizon, whichever came first.
        """
        ep = self.episodes
        followed, _ = self.wait_followed
        ref = self.referred
        norm = ep.norm[ref]
        return followed > norm, ep.t_referral[ref] <= self.horizon - norm

    @cached_property
    def window_ledger_active(self) -> pd.DataFrame:
        return self.ledger[self.ledger["status"] != "exited"]

    @cached_property
    def signal_leads(self) -> list[float]:
        """Days from each exiting provider's first signal to its exit (exits a signal preceded)."""
        signals = self.signals
        first = {str(k): float(v) for k, v in signals.groupby("provider_id", observed=True)["t_seen"].min().items()}
        return [
            float(day) - first[str(pid)]
            for pid, day in zip(self.exits["provider_id"], self.exits["exit_day"], strict=True)
            if str(pid) in first and first[str(pid)] <= float(day)
        ]
