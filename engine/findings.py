"""Findings: what the engine tells the clinician, and how outcomes become findings."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.facts.model import EvidenceItem
from engine.rules.schema import SEVERITY_RANK, Severity

JUDGMENT = (
    "These suggestions support, and do not replace, the judgment of the treating clinician, "
    "who knows the patient and decides."
)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Citation(_Out):
    id: str
    citation: str
    url: str | None = None


class SuggestionOut(_Out):
    kind: str
    label: str
    analyte: str | None = None


class Related(_Out):
    """A finding grouped under a more specific one (kept for audit)."""

    rule_id: str
    rule_version: str
    title: str
    severity: Severity
    outcome: Literal["fired", "cannot_assess"]


class Finding(_Out):
    rule_id: str
    rule_version: str
    title: str
    topic: str
    kind: str
    severity: Severity
    outcome: Literal["fired", "cannot_assess"]
    summary: str = Field(max_length=140)
    detail: str
    evidence: list[EvidenceItem] = []
    missing: list[str] = []
    escalation: str | None = None
    suggestions: list[SuggestionOut] = []
    citations: list[Citation] = []
    evidence_grade: Literal["V", "S", "U"]
    unverified: bool
    related: list[Related] = []


class Assessment(_Out):
    """Every active rule's outcome for this patient: the coverage list of the report."""

    rule_id: str
    title: str
    outcome: Literal["fired", "not_fired", "cannot_assess"]
    reason: str | None = None


class RuleBaseStamp(_Out):
    name: str
    version: str
    content_hash: str


class PatientSummary(_Out):
    id: str | None
    age: int | None
    sex: str


class EvaluationResult(_Out):
    engine_version: str
    rulebase: RuleBaseStamp
    as_of: date
    matcher: Literal["durable", "compiled"]
    patient: PatientSummary
    findings: list[Finding]
    assessed: list[Assessment]
    notes: list[str] = []
    disclaimer: str = JUDGMENT

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in SEVERITY_RANK}
        for f in self.findings:
            out[f.severity] += 1
        return out

    def max_severity(self) -> str | None:
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=lambda s: SEVERITY_RANK[s])


def sort_key(f: Finding) -> tuple[int, int, str]:
    return (-SEVERITY_RANK[f.severity], 0 if f.outcome == "fired" else 1, f.rule_id)


def truncate(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
