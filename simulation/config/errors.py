"""The one error of bad input, and the one formatter of validation problems.

Every problem with a scenario, an experiment or a data file they name is a
:class:`ScenarioError`: the source (a file, ``--set``, ...) and a list of (field, message)
pairs, printed as ``source: N problem(s)`` and one ``  - field: message`` line per problem.
Values echoed in messages are shortened (:func:`shown`), so a foreign file never floods them.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

__all__ = ["MAX_SHOWN", "ScenarioError", "pydantic_problems", "shown"]

#: Longest value (its ``repr``) echoed in a message, in characters.
MAX_SHOWN = 80
#: A field path inside a model: ``name`` or ``name.value``.
_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*")
#: At most this many problems are listed; the rest are counted.
MAX_PROBLEMS = 50


def shown(value: Any, limit: int = MAX_SHOWN) -> str:
    """``repr(value)``, cut to ``limit`` characters (``...`` marks a cut)."""
    try:
        text = repr(value)
    except Exception:  # a repr that fails must not hide the real problem
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ScenarioError(ValueError):
    """A scenario that cannot be used; ``problems`` lists (field path, message) pairs."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        listed = problems[:MAX_PROBLEMS]
        lines = [f"{source}: {len(problems)} problem(s)"]
        lines += [f"  - {field}: {message}" for field, message in listed]
        if len(problems) > len(listed):
            lines.append(f"  ... and {len(problems) - len(listed)} more")
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[Any, ...]:
        # The default pickles ``self.args`` (the message) and calls ``__init__`` with it, which
        # takes two arguments: a worker's error would break the process pool instead.
        return (type(self), (self.source, self.problems))


def _cut(part: Any) -> str:
    text = str(part)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


def _format_loc(loc: tuple[Any, ...], prefix: str = "") -> str:
    return prefix + (".".join(_cut(p) for p in loc) or "(top level)")


def pydantic_problems(exc: ValidationError, prefix: str = "") -> list[tuple[str, str]]:
    """(field, message) pairs of a pydantic error, for scenarios and experiments alike."""
    problems: list[tuple[str, str]] = []
    for err in exc.errors():
        loc_parts = list(err["loc"])
        kind = err["type"]
        value = err.get("input")
        msg = err["msg"].removeprefix("Value error, ")
        if kind == "extra_forbidden":
            what = "a mapping" if isinstance(value, dict) else "a list" if isinstance(value, list) else shown(value)
            msg = f"unknown key (value {what}); check the spelling"
        elif kind == "finite_number":
            msg = "must be a finite number (not nan or infinity)"
        elif isinstance(value, bool) and kind in ("float_type", "int_type"):
            msg = f"must be a number, not {str(value).lower()}"
        elif kind == "value_error":
            # A model-level check names its fields: one "dotted.field: message" a line, the
            # field relative to the model that checks it.
            for line in msg.split("\n"):
                field, sep, text = line.partition(": ")
                if sep and _FIELD.fullmatch(field):
                    problems.append((_format_loc((*loc_parts, field), prefix), text))
                else:
                    problems.append((_format_loc(tuple(loc_parts), prefix), line))
            continue
        elif kind != "missing" and "input" in err and not isinstance(value, dict | list):
            msg = f"{msg} (got {shown(value)})"
        # A union reports each branch; name the field once (``initial_staffing.float`` -> the field).
        if len(loc_parts) > 1 and isinstance(loc_parts[-1], str) and loc_parts[-1] in ("float", "int", "str"):
            loc_parts = loc_parts[:-1]
        if len(loc_parts) > 1 and isinstance(loc_parts[-1], str) and loc_parts[-1].startswith("literal["):
            continue  # the other branch of ``float | "equilibrium"`` says what is wrong
        problems.append((_format_loc(tuple(loc_parts), prefix), msg))
    return problems
