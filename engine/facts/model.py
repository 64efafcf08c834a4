"""Derived facts: typed values with the evidence behind them, or an explicit 'unknown' and why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict


class EvidenceItem(BaseModel):
    """One piece of patient data a fact rests on, with value, unit and date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    value: str | bool | int | float | None = None
    unit: str | None = None
    date: dt.date | None = None
    record: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class FactValue:
    key: str
    known: bool
    value: Any = None  # bool | float | str when known
    evidence: tuple[EvidenceItem, ...] = field(default_factory=tuple)
    # Why the value is unknown ("no TSH result within 180 days"), or a short description when known.
    reason: str | None = None
