"""Severity: one ordered type for sorting findings, `--fail-on`, card indicators and the templates."""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    """Finding severity, lowest first.  Compares with plain strings (`Severity.HIGH == "high"`)."""

    INFO = "info"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def of(cls, value: str) -> Severity:
        return cls(value)

    def at_least(self, other: str) -> bool:
        return self.rank >= _RANK[Severity(other)]

    @property
    def indicator(self) -> str:
        """The CDS Hooks card indicator: critical, warning (high, moderate) or info (low, info)."""
        return "critical" if self is Severity.CRITICAL else ("warning" if self.rank >= 2 else "info")


_RANK = {s: i for i, s in enumerate(Severity)}
# Most severe first: the order of reports and of sorting.
DESCENDING: tuple[Severity, ...] = tuple(reversed(Severity))


def rank(value: str) -> int:
    """0 (info) .. 4 (critical); raises ValueError for an unknown severity."""
    return _RANK[Severity(value)]
