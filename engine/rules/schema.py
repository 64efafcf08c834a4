"""The rule file schema: one reviewed YAML rule per file, checked at load time."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..severity import Severity
from .conditions import Condition

DOMAINS = ("hormone", "neuro", "general")
Kind = Literal[
    "contraindication", "interaction", "monitoring", "titration", "lab_interpretation", "data_quality",
    "evidence_warning",
]
_ID = re.compile(r"^(HR|NC|GN)-[A-Z0-9]{2,6}-\d{3}$")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Escalation(_Strict):
    """A severity change that applies when the rule fires and `when` also holds.

    The first matching escalation wins; a lower severity is allowed (e.g. MAO-B inhibitors)."""

    severity: Severity
    when: Condition
    reason: str = Field(min_length=3)


class Suggestion(_Strict):
    kind: Literal["order_lab", "review_medication", "review_dose", "refer", "counsel", "document", "assess"]
    label: str = Field(min_length=3, max_length=140)
    analyte: str | None = None


class Evidence(_Strict):
    grade: Literal["V", "S", "U"]
    unverified: bool
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Evidence:
        if self.grade == "U" and not self.unverified:
            raise ValueError("grade U (unverified) requires unverified: true")
        return self


class ClinicalSignoff(_Strict):
    """A clinician's sign-off of the rule's clinical content (issue 11): who, in what role, when."""

    by: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="a reviewer id listed in rulebase.yaml")
    role: Literal["clinical", "pharmacy"]
    date: dt.date


class Review(_Strict):
    by: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="a reviewer id listed in rulebase.yaml")
    note: str | None = None
    date: dt.date
    next_due: dt.date
    clinical_signoff: ClinicalSignoff | None = None

    @model_validator(mode="after")
    def _order(self) -> Review:
        if self.next_due <= self.date:
            raise ValueError("next_due must be after the review date")
        return self


class Rule(_Strict):
    id: str
    version: str
    status: Literal["draft", "active", "retired"]
    title: str = Field(min_length=5, max_length=120)
    # The folder the rule file sits in (rules/<domain>/...); written in the file only by older rule bases.
    domain: Literal["hormone", "neuro", "general"] | None = None
    topic: str
    catalogue_id: str | None = None
    kind: Kind
    strength: Literal["absolute", "relative"] | None = None
    severity: Severity
    escalations: list[Escalation] = []
    when: Condition
    summary: str = Field(min_length=10, max_length=140)
    # The finding's explanation: Markdown with Jinja (variables: rule, evidence, severity, escalation, age,
    # sex, sources).  The renderer appends the escalation note, the sources and the clinician-judgment
    # statement, so the message itself never has to.
    message: str = Field(min_length=20)
    suggestions: list[Suggestion] = []
    references: list[str] = []
    evidence: Evidence
    # What to do when the outcome cannot be assessed for lack of data:
    # `finding` reports it as a "cannot assess" finding; `note` lists it in the report's coverage section only.
    missing_data: Literal["finding", "note"] = "finding"
    missing_data_severity: Severity = Severity.MODERATE
    # Alert fatigue: when this rule fires, findings of these rules on the same problem are grouped under it.
    supersedes: list[str] = []
    false_positives: list[str] = []
    authors: list[str] = Field(min_length=1)
    created: dt.date
    reviewed: Review | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError("id must look like HR-EST-001, NC-LI-002 or GN-DQ-001")
        return v

    @field_validator("version")
    @classmethod
    def _semver(cls, v: str) -> str:
        if not _SEMVER.match(v):
            raise ValueError("version must be semver (MAJOR.MINOR.PATCH)")
        return v

    @field_validator("topic")
    @classmethod
    def _topic(cls, v: str) -> str:
        if not re.match(r"^[a-z0-9_]+$", v):
            raise ValueError("topic must be a lower_snake_case catalogue topic key")
        return v

    @model_validator(mode="after")
    def _coherent(self) -> Rule:
        if self.kind == "contraindication" and self.strength is None:
            raise ValueError("a contraindication needs strength: absolute or relative")
        if self.kind != "contraindication" and self.strength is not None:
            raise ValueError("strength applies only to contraindications")
        if self.id in self.supersedes:
            raise ValueError("a rule cannot supersede itself")
        return self


class Reviewer(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=2)
    role: Literal["engineering", "clinical", "pharmacy"]


class RuleBaseManifest(_Strict):
    """`rules/rulebase.yaml`: the rule base's name and version, and who may review its rules."""

    name: str
    version: str
    description: str | None = None
    reviewers: list[Reviewer] = []

    @property
    def clinicians(self) -> frozenset[str]:
        """Reviewers who may sign off a rule's clinical content (role clinical or pharmacy)."""
        return frozenset(r.id for r in self.reviewers if r.role in ("clinical", "pharmacy"))


def signed_off(rule: Rule, manifest: RuleBaseManifest | None) -> bool:
    """A clinician listed in the rule base's manifest has signed off the rule's clinical content."""
    signoff = rule.reviewed.clinical_signoff if rule.reviewed is not None else None
    return signoff is not None and manifest is not None and signoff.by in manifest.clinicians

    @field_validator("version")
    @classmethod
    def _semver(cls, v: str) -> str:
        if not _SEMVER.match(v):
            raise ValueError("version must be semver (MAJOR.MINOR.PATCH)")
        return v
