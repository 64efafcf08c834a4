"""What the engine can use, from the knowledge base: which codes make a FHIR entry relevant."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from ..knowledge.load import Knowledge
from ..normalize import resembled_analyte, resolve_analyte

# Snapshot vital-sign kinds and the analyte ids that carry their LOINC codes.
VITAL_ANALYTES = {"temperature_c": "temperature", "systolic_bp": "systolic_bp", "diastolic_bp": "diastolic_bp",
                  "heart_rate": "heart_rate", "weight": "weight"}
PREGNANCY_STATUS = "82810-3"


@dataclass(frozen=True)
class Vocabulary:
    knowledge: Knowledge
    vitals: dict[str, str]  # LOINC -> snapshot vital kind
    scales: dict[str, tuple[str, str]]  # LOINC -> (scale id, "total" | item id)
    analytes: dict[str, str]  # LOINC -> analyte id
    condition_snomed: frozenset[str]  # SNOMED codes named by any condition set (procedures count too)
    smoking: dict[str, str]  # LOINC -> "status" | "per_day" (knowledge/smoking.yaml)
    # name -> analyte id (or None): test names repeat across a record, and matching one costs a regex.
    _by_name: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)
    _resembles: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)
    _name_relevant: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    def loinc_relevant(self, code: str) -> bool:
        return code in self._relevant_loinc

    @property
    def _relevant_loinc(self) -> frozenset[str]:
        found: frozenset[str] | None = self.__dict__.get("_loinc_set")
        if found is None:
            found = frozenset((PREGNANCY_STATUS, *self.smoking, *self.vitals, *self.scales, *self.analytes))
            object.__setattr__(self, "_loinc_set", found)
        return found

    def analyte(self, loinc: str | None, name: str | None) -> str | None:
        if loinc and loinc in self.analytes:
            return self.analytes[loinc]
        if not name:
            return None
        if name not in self._by_name:
            if len(self._by_name) > 50_000:
                self._by_name.clear()
            self._by_name[name] = resolve_analyte(self.knowledge, None, name)
        return self._by_name[name]


    def name_relevant(self, name: str) -> bool:
        """A test name the engine maps to an analyte or that resembles one (so it is reported if unread)."""
        try:
            return self._name_relevant[name]
        except KeyError:
            if len(self._name_relevant) > 50_000:
                self._name_relevant.clear()
            self._name_relevant[name] = found = bool(self.analyte(None, name) or self.resembles(name))
            return found

    def resembles(self, name: str) -> str | None:
        """The analyte an unmapped test name resembles (engine.normalize.resembled_analyte)."""
        try:
            return self._resembles[name]
        except KeyError:
            if len(self._resembles) > 50_000:
                self._resembles.clear()
            self._resembles[name] = found = resembled_analyte(self.knowledge, name)
            return found


@lru_cache(maxsize=8)
def vocabulary(k: Knowledge) -> Vocabulary:
    vitals = {code: kind for aid, kind in VITAL_ANALYTES.items() if aid in k.analytes for code in k.analytes[aid].loinc}
    return Vocabulary(
        knowledge=k, vitals=vitals, scales=dict(k.scale_loinc), analytes=dict(k.loinc_to_analyte),
        condition_snomed=frozenset(code for s in k.condition_sets.values() for code in s.snomed),
        smoking={**{code: "per_day" for code in k.smoking_per_day}, **dict.fromkeys(k.smoking.status_loinc, "status")},
    )
