"""CDS Hooks request and feedback messages (CDS Hooks 2.0), validated strictly at the boundary.

Types are strict (a patientId given as a number is an error naming `context.patientId`); fields the
specification allows but Setpoint does not use are accepted and ignored.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, StringConstraints, field_validator

HOOKS = ("patient-view", "order-select", "order-sign")
# Identifiers (hookInstance, patientId, card uuids, ...): short, printable, no control characters.
Ident = Annotated[StrictStr, StringConstraints(min_length=1, max_length=256, pattern=r"^[^\x00-\x1f\x7f]+$")]
MAX_COMMENT = 2000
# outcomeTimestamp: an ISO 8601 date-time with a time zone, in a plausible window.
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$")
EARLIEST_YEAR = 2000


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class FhirAuthorization(_Open):
    access_token: Annotated[StrictStr, StringConstraints(min_length=1, max_length=16384, pattern=r"^[!-~]+$")]
    token_type: StrictStr
    expires_in: StrictInt | None = None
    scope: StrictStr
    subject: StrictStr | None = None
    patient: StrictStr | None = None

    @field_validator("token_type")
    @classmethod
    def _bearer(cls, v: str) -> str:
        if v.lower() != "bearer":
            raise ValueError("must be 'Bearer'")
        return "Bearer"


class HookRequest(_Open):
    hook: Annotated[StrictStr, StringConstraints(max_length=64)]
    hookInstance: Ident
    fhirServer: Annotated[StrictStr, StringConstraints(max_length=2048)] | None = None
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
    userId: Ident | None = None
    # Required by the specification; when absent the Patient must come in the prefetch (else 412).
    patientId: Ident | None = None
    encounterId: Ident | None = None


class OrderSignContext(PatientViewContext):
    draftOrders: dict[str, Any]

    @field_validator("draftOrders")
    @classmethod
    def _bundle(cls, v: dict[str, Any]) -> dict[str, Any]:
        if v.get("resourceType") != "Bundle":
            raise ValueError("must be a FHIR Bundle (resourceType 'Bundle')")
        return v


class OrderSelectContext(OrderSignContext):
    selections: list[Ident] = Field(max_length=1000)


CONTEXTS: dict[str, type[PatientViewContext]] = {
    "patient-view": PatientViewContext, "order-select": OrderSelectContext, "order-sign": OrderSignContext,
}


class Coding(_Open):
    code: Ident
    system: Annotated[StrictStr, StringConstraints(max_length=1024)] | None = None
    display: Annotated[StrictStr, StringConstraints(max_length=1024)] | None = None


class OverrideReason(_Open):
    reason: Coding | None = None
    userComment: Annotated[StrictStr, StringConstraints(max_length=MAX_COMMENT)] | None = None


class AcceptedSuggestion(_Open):
    id: Ident


class FeedbackItem(_Open):
    card: Ident
    outcome: Literal["accepted", "overridden"]
    outcomeTimestamp: StrictStr
    acceptedSuggestions: list[AcceptedSuggestion] | None = Field(default=None, max_length=100)
    overrideReason: OverrideReason | None = None

    @field_validator("outcomeTimestamp")
    @classmethod
    def _when(cls, v: str) -> str:
        if len(v) > 40 or not TIMESTAMP.match(v):
            raise ValueError("must be an ISO 8601 date-time with a time zone, e.g. 2026-11-21T10:00:00Z")
        try:
            when = datetime.fromisoformat(v)
        except ValueError as e:
            raise ValueError("is not a valid date-time") from e
        latest = datetime.now(UTC).year + 1
        if not EARLIEST_YEAR <= when.year <= latest:
            raise ValueError(f"year {when.year} is outside {EARLIEST_YEAR}-{latest}")
        return when.astimezone(UTC).isoformat()


class Feedback(_Open):
    feedback: list[FeedbackItem] = Field(min_length=1, max_length=1000)
