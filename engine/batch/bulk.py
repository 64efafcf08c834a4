"""FHIR Bulk Data: which patient a resource belongs to, from its subject/patient reference."""

from __future__ import annotations

import re
from typing import Any

# Where resources point at their patient (Observation.subject, AllergyIntolerance.patient, Coverage.beneficiary).
PATIENT_FIELDS = ("subject", "patient", "beneficiary")
_PATIENT_REF = re.compile(r"(?:^|/)Patient/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?$")
_MEDICATION_REF = re.compile(r"(?:^|/)(Medication/[A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?$")


def patient_of(resource: Any) -> tuple[str | None, bool]:
    """(patient id, is this the Patient resource itself); (None, False) when it names no patient."""
    if not isinstance(resource, dict):
        return None, False
    if resource.get("resourceType") == "Patient":
        rid = resource.get("id")
        return (rid, True) if isinstance(rid, str) and rid else (None, False)
    for name in PATIENT_FIELDS:
        ref = resource.get(name)
        if isinstance(ref, dict) and isinstance(ref.get("reference"), str):
            m = _PATIENT_REF.search(ref["reference"].strip())
            if m:
                return m.group(1), False
    return None, False


def medication_of(resource: dict[str, Any]) -> str | None:
    """`Medication/<id>` when a MedicationRequest/Statement/Dispense names its product by reference."""
    ref = resource.get("medicationReference")
    if isinstance(ref, dict) and isinstance(ref.get("reference"), str):
        m = _MEDICATION_REF.search(ref["reference"].strip())
        return m.group(1) if m else None
    return None


def shared_key(resource: dict[str, Any]) -> str | None:
    """`Medication/<id>` of a Medication resource: shared by the patients whose orders reference it."""
    rid = resource.get("id")
    if resource.get("resourceType") == "Medication" and isinstance(rid, str) and rid:
        return f"Medication/{rid}"
    return None
