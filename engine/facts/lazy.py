"""Facts derived on demand: a mapping from fact key to value that computes each fact the first time it
is read and remembers it.  Only the facts some rule actually needs for this patient are derived.

A deriver that raises never takes down the evaluation: the fact becomes unknown with the reason, and
the problem is added to the evaluation's notes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..knowledge.load import Knowledge
from ..leaves import REGISTRY, FactSpec
from ..normalize import Case
from .model import PRESUMPTION, Censored, FactValue

log = logging.getLogger("setpoint")


class Facts(Mapping[str, FactValue]):
    """`tests`: every test the rule base applies to each fact key (engine.core.Engine collects them), used
    to resolve a censored value ("<18") into a number when no threshold lies inside its interval."""

    def __init__(self, k: Knowledge, case: Case, specs: Mapping[str, FactSpec],
                 tests: Mapping[str, Sequence[Any]] | None = None):
        self.k, self.case, self.specs = k, case, specs
        self.tests = tests or {}
        self._values: dict[str, FactValue] = {}
        self._errors: dict[str, str] = {}

    def __getitem__(self, key: str) -> FactValue:
        fv = self._values.get(key)
        if fv is None:
            fv = self._derive(self.specs[key])
            if fv.known and isinstance(fv.value, Censored):
                fv = resolve_censored(fv, self.tests.get(key, ()), self.specs[key].unit)
            self._values[key] = fv
        return fv

    def _derive(self, spec: FactSpec) -> FactValue:
        try:
            return REGISTRY[spec.family].derive(self.k, self.case, spec)
        except Exception as e:  # one bad record or deriver never takes down the evaluation
            log.exception("deriving %s failed", spec.key)
            self._errors[spec.key] = (f"engine error while deriving '{spec.describe}' ({e.__class__.__name__}); "
                                      "rules using it report 'cannot assess'")
            return FactValue(spec.key, False, None, (), f"internal error deriving {spec.describe}")

    def __iter__(self) -> Iterator[str]:
        return iter(self.specs)

    def __len__(self) -> int:
        return len(self.specs)

    def derived(self) -> dict[str, FactValue]:
        """The facts derived so far."""
        return dict(self._values)

    def presumptions(self) -> list[str]:
        """Every presumption stated in the evidence of the facts derived so far, once each, sorted."""
        found = {e.note.split(PRESUMPTION, 1)[1] for fv in self._values.values() for e in fv.evidence
                 if e.note and PRESUMPTION in e.note}
        return sorted(found)

    def notes(self) -> list[str]:
        return [self._errors[k] for k in sorted(self._errors)]


def resolve_censored(fv: FactValue, tests: Sequence[Any], unit: str | None) -> FactValue:
    """A censored fact as a number inside its interval when every test on it gives one answer over the
    whole interval ("<18" against "< 50" and "> 50"); else unknown, naming the threshold inside it.  The
    evidence keeps the value as written."""
    c: Censored = fv.value
    for t in tests:
        if not c.decides(t):
            limit = t.value
            shown = f"{limit:g}" if isinstance(limit, float) else str(limit)
            return FactValue(fv.key, False, None, fv.evidence,
                             f"censored value {c.text} cannot be compared with {shown}"
                             + (f" {unit}" if unit and unit not in ("1", "") else ""))
    return FactValue(fv.key, True, c.representative(), fv.evidence,
                     f"censored value {c.text}: every threshold applied to it lies outside that range, so any "
                     "value in it gives the same answer")
