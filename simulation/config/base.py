"""The base of every scenario model: frozen, no unknown keys, strict finite numbers.

``FrozenModel`` validates strictly: a number field takes an int or a float, never ``true``
or ``"1"``, and never nan or infinity (``allow_inf_nan=False`` holds for every float field,
so no field can forget it). Dates and pairs are the two exceptions that need a conversion
(a date may come as text from ``--set``; YAML gives a pair as a list); their types say so.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

__all__ = [
    "DATE_MAX",
    "DATE_MIN",
    "Date",
    "FrozenModel",
    "Pair",
    "Provenance",
    "Sourced",
    "check_range",
]

#: Dates a scenario may name (start, shocks, tariff changes, phase-out, transition).
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)


class FrozenModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)


def _date_in_range(value: dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if not DATE_MIN <= value <= DATE_MAX:
        raise ValueError(f"date {value} is out of range; allowed [{DATE_MIN}, {DATE_MAX}]")
    return value


def _not_a_number(value: Any) -> Any:
    if isinstance(value, bool | int | float):
        raise ValueError(f"must be a date such as 2026-07-01, not the number {value!r}")
    return value


#: A calendar date in [2000-01-01, 2100-12-31]; text such as ``2026-07-01`` is parsed (a
#: number is not taken as a timestamp).
Date = Annotated[dt.date, Field(strict=False), BeforeValidator(_not_a_number), AfterValidator(_date_in_range)]


def _as_tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


#: Two finite numbers (a YAML list of two).
Pair = Annotated[tuple[float, float], BeforeValidator(_as_tuple)]


class Provenance(FrozenModel):
    """Every parameter says where it comes from: a source, or an explicit assumption."""

    source: str | None = None
    assumption: str | None = None

    @model_validator(mode="after")
    def _exactly_one_note(self) -> Provenance:
        if bool(self.source) == bool(self.assumption):
            raise ValueError("give exactly one of 'source' (a citation) or 'assumption' (why this value)")
        return self


class Sourced(Provenance):
    """A number with its provenance: ``{value: 1.2, source: "CBS ..."}``."""

    value: float


def check_range(name: str, value: float, low: float, high: float, *, low_open: bool = False) -> None:
    bad = not math.isfinite(value) or value < low or value > high or (low_open and value == low)
    if bad:
        bracket = "(" if low_open else "["
        # "field: message": the error formatter files it under the field (errors.pydantic_problems)
        raise ValueError(f"{name}: {value} is out of range; allowed {bracket}{low}, {high}]")
