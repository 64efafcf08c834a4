"""The rule file schema: one reviewed YAML rule per file, checked at load time."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from engine.rules.conditions import Condition

Severity = Literal["critical", "high", "moderate", "low", "info"]
SEVERITY_RANK: dict[str, int] = {"critical": 4, "high": 3, "moderate": 2, "low": 1, "info": 0}
Kind = Literal[
    "contraindication", "interaction", "monitoring", "titration", "lab_interpretation", "data_quality",
    "evidence_warning",
]
_ID = re.compile(r"^(HR|NC|GN)-[A-Z0-9]{2,6}-\d{3}$")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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


class Review(_Strict):
    by: str = Field(min_length=2)
    date: dt.date
    next_due: dt.date

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
    domain: Literal["hormone", "neuro", "general"]
    topic: str
    catalogue_id: str | None = None
    kind: Kind
    strength: Literal["absolute", "relative"] | None = None
    severity: Severity
    escalations: list[Escalation] = []
    when: Condition
    summary: str = Field(min_length=10, max_length=140)
    message: str
    suggestions: list[Suggestion] = []
    references: list[str] = []
    evidence: Evidence
    # What to do when the outcome cannot be assessed for lack of data:
    # `finding` reports it as a "cannot assess" finding; `note` lists it in the report's coverage section only.
    missing_data: Literal["finding", "note"] = "finding"
    missing_data_severity: Severity = "moderate"
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
        if self.domain == "hormone" and not self.id.startswith("HR-"):
            raise ValueError("hormone rules have ids starting HR-")
        if self.domain == "neuro" and not self.id.startswith("NC-"):
            raise ValueError("neuro rules have ids starting NC-")
        if self.domain == "general" and not self.id.startswith("GN-"):
            raise ValueError("general rules have ids starting GN-")
        if self.id in self.supersedes:
            raise ValueError("a rule cannot supersede itself")
        return self


class RuleBaseManifest(_Strict):
    """`rules/rulebase.yaml`: the rule base's name and version."""

    name: str
    version: str
    description: str | None = None

    @field_validator("version")
    @classmethod
    def _semver(cls, v: str) -> str:
        if not _SEMVER.match(v):
            raise ValueError("version must be semver (MAJOR.MINOR.PATCH)")
        return v
