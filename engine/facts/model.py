"""Derived facts: typed values with the evidence behind them, or an explicit 'unknown' and why."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

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


class FactValue(NamedTuple):
    """A derived fact: its value when `known`, the evidence it rests on, and why it is unknown.
    (A named tuple: immutable and cheap to build, on the hottest path of an evaluation.)"""

    key: str
    known: bool
    value: Any = None  # bool | float | str when known
    evidence: tuple[EvidenceItem, ...] = ()
    # Why the value is unknown ("no TSH result within 180 days"), or a short description when known.
    reason: str | None = None


# Evidence whose note starts with this records a presumption the engine made (listed in the result).
PRESUMPTION = "presumption: "


class Censored(NamedTuple):
    """A censored result ("<18 pmol/L") as the interval of values it allows, in the canonical unit.

    A fact whose value is `Censored` is resolved by the fact mapping (engine.facts.lazy): into a number
    inside the interval when every threshold the rule base applies to that fact gives one answer over the
    whole interval, else into "unknown" naming the threshold it cannot be compared with."""

    low: float
    low_inclusive: bool
    high: float
    high_inclusive: bool
    text: str  # as written, e.g. "<18 pmol/L"

    def contains(self, x: float) -> bool:
        above = x > self.low or (self.low_inclusive and x == self.low)
        below = x < self.high or (self.high_inclusive and x == self.high)
        return above and below

    def samples(self) -> list[float]:
        """Points that show every way a comparison can go inside the interval: its ends (when included)
        and points just inside them."""
        span = self.high - self.low
        eps = max(span * 1e-9, 1e-12)
        pts = [self.low + eps, self.high - eps, (self.low + self.high) / 2]
        if self.low_inclusive:
            pts.append(self.low)
        if self.high_inclusive:
            pts.append(self.high)
        return [p for p in pts if self.contains(p)]

    def decides(self, test: Any) -> bool:
        """True when `test` (an engine.leaves.base.Check) gives one answer for every value in the interval."""
        pts = self.samples()
        v = getattr(test, "value", None)
        if isinstance(v, int | float) and not isinstance(v, bool):
            v = float(v)
            eps = max(abs(v) * 1e-9, 1e-12)
            pts += [p for p in (v, v - eps, v + eps) if self.contains(p)]
        return len({bool(test.apply(p)) for p in pts}) <= 1

    def representative(self) -> float:
        """A value inside the interval (its midpoint)."""
        return (self.low + self.high) / 2


def constructor(cls: type[BaseModel]) -> Any:
    """A constructor that skips validation, for models built on a hot path from values that were
    already validated (hundreds per evaluation).  Like `model_construct` (defaults filled, no checks),
    about ten times cheaper."""
    defaults = {name: f.default for name, f in cls.model_fields.items()}
    new = cls.__new__
    set_attr = object.__setattr__

    def make(**kw: Any) -> Any:
        m = new(cls)
        set_attr(m, "__dict__", {**defaults, **kw})
        set_attr(m, "__pydantic_fields_set__", set(kw))
        set_attr(m, "__pydantic_extra__", None)
        set_attr(m, "__pydantic_private__", None)
        return m

    return make


evidence_item = constructor(EvidenceItem)
