"""Parameter paths a run does not read: setting one with ``--set`` cannot change the run, so a
sweep over it would print the same numbers for every value. They are refused with the reason.

The rule is two tables: :data:`_NEVER`, parts no run reads (with :data:`_DOCUMENTATION`, the
text beside a value), and :data:`_RULES`, a path prefix and, for the scenario at hand, why that
part is not read (None when it is). A path is refused when no scenario of the run reads it. A
variant's ``set:`` in an experiment file is not checked: it may carry a value's new source.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from simulation.config import Scenario

__all__ = ["unread_anywhere", "unread_paths", "unread_reason"]

#: leaves that document a value (provenance and notes): text, never read by the model
_DOCUMENTATION = ("source", "assumption", "note")


#: prefixes no run reads, whatever the scenario says (``providers.file`` is required, so a run
#: always reads the landscape from files)
_NEVER = {
    ("providers", "generator"): "a run reads its providers from providers.file and providers.places_file; "
    "providers.generator is read only by `jeugdzorg-sim landscape`, which writes those files. To vary the "
    "landscape, write one per value (landscape FILE --providers CSV --places CSV) and run them as variants that "
    "set providers.file and providers.places_file",
    ("replications",): "the number of replications is the run's (--replications or the experiment's), not a scenario's",
    ("description",): "the description is text for the reader; the model never reads it",
}


def _care_form(parts: list[str], s: Scenario) -> str | None:
    if len(parts) < 2 or parts[1] in s.active_care_forms():
        return None
    return f"care form {parts[1]!r} is not modelled in this run (only_care_forms: {s.only_care_forms})"


def _split(parts: list[str], s: Scenario) -> str | None:
    if s.regime.kind == "fragmented":
        return None
    return f"only the fragmented regime splits jeugdregio's into sub-regional units; this regime is {s.regime.kind}"


def _linear_admin(parts: list[str], s: Scenario) -> str | None:
    if s.finance.admin is None:
        return None
    return "finance.admin (the administration curve) is set, and it replaces the linear per-contract rule"


_RULES: tuple[tuple[tuple[str, ...], Callable[[list[str], Scenario], str | None]], ...] = (
    (("care_forms",), _care_form),
    (("regime", "split"), _split),
    (("finance", "provider_admin_share_per_contract"), _linear_admin),
    (("finance", "provider_admin_share_per_term_set"), _linear_admin),
)


def unread_anywhere(path: str) -> str | None:
    """Why no run, of any scenario, reads ``path``, or None."""
    parts = path.split(".")
    if parts[-1] in _DOCUMENTATION:
        return f"{parts[-1]} documents a value; the model reads the value, never its {parts[-1]}"
    for prefix, why in _NEVER.items():
        if tuple(parts[: len(prefix)]) == prefix:
            return why
    return None


def unread_reason(path: str, scenario: Scenario | None) -> str | None:
    """Why a run of ``scenario`` does not read ``path`` (a valid dotted parameter path), or None;
    with no scenario, only what no run reads (:func:`unread_anywhere`)."""
    never = unread_anywhere(path)
    if never is not None or scenario is None:
        return never
    parts = path.split(".")
    for prefix, rule in _RULES:
        if tuple(parts[: len(prefix)]) == prefix:
            why = rule(parts, scenario)
            if why is not None:
                return why
    return None


def unread_paths(paths: Sequence[str], scenarios: Sequence[Scenario | None], field: str) -> list[tuple[str, str]]:
    """(``field`` + path, why) for each path that no scenario of the run reads (``[None]``: that
    no run reads, checked before the scenarios are built)."""
    problems = []
    for path in paths:
        reasons = [unread_reason(path, s) for s in scenarios]
        if reasons and all(reasons):
            problems.append((f"{field}{path}", f"cannot change the run: {reasons[0]}"))
    return problems
