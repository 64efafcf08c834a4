"""CDS Hooks request and feedback messages (CDS Hooks 2.0), validated strictly at the boundary.

Types are strict (a patientId given as a number is an error naming `context.patientId`); fields the
specification allows but Setpoint does not use are accepted and ignored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator

HOOKS = ("patient-view", "order-select", "order-sign")


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class FhirAuthorization(_Open):
    access_token: StrictStr = Field(min_length=1)
    token_type: StrictStr
    expires_in: StrictInt | None = None
    scope: StrictStr
    subject: StrictStr | None = None
    patient: StrictStr | None = None


class HookRequest(_Open):
    hook: StrictStr
    hookInstance: StrictStr = Field(min_length=1)
    fhirServer: StrictStr | None = None
    fhirAuthorization: FhirAuthorization | None = None
    context: dict[str, Any]
    prefetch: dict[str, dict[str, Any] | None] | None = None
    extension: dict[str, Any] | None = None

    @field_validator("fhirServer")
    @classmethod
    def _http(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) base URL")
        return v.rstrip("/") if v else v


class PatientViewContext(_Open):
    userId: StrictStr | None = None
    # Required by the specification; when absent the Patient must come in the prefetch (else 412).
    patientId: StrictStr | None = None
    encounterId: StrictStr | None = None


class OrderSignContext(PatientViewContext):
    draftOrders: dict[str, Any]

    @field_validator("draftOrders")
    @classmethod
    def _bundle(cls, v: dict[str, Any]) -> dict[str, Any]:
        if v.get("resourceType") != "Bundle":
            raise ValueError("must be a FHIR Bundle (resourceType 'Bundle')")
        return v


class OrderSelectContext(OrderSignContext):
    selections: list[StrictStr]


CONTEXTS: dict[str, type[PatientViewContext]] = {
    "patient-view": PatientViewContext, "order-select": OrderSelectContext, "order-sign": OrderSignContext,
}


class Coding(_Open):
    code: StrictStr
    system: StrictStr | None = None
    display: StrictStr | None = None


class OverrideReason(_Open):
    reason: Coding | None = None
    userComment: StrictStr | None = None


class AcceptedSuggestion(_Open):
    id: StrictStr


class FeedbackItem(_Open):
    card: StrictStr = Field(min_length=1)
    outcome: Literal["accepted", "overridden"]
    outcomeTimestamp: datetime = Field(strict=False)
    acceptedSuggestions: list[AcceptedSuggestion] | None = None
    overrideReason: OverrideReason | None = None


class Feedback(_Open):
    feedback: list[FeedbackItem] = Field(min_length=1, max_length=1000)
