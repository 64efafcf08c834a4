"""The CDS services Setpoint offers and the FHIR data each asks the EHR to prefetch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Prefetch key -> (FHIR query template, resource type, category).  Categories: `patient` is required
# (412 when it cannot be had); conditions, medications and observations are expected (their absence is
# reported as a data-quality finding, never read as "none"); procedures are optional (a hysterectomy).
PREFETCH: dict[str, tuple[str, str, str]] = {
    "patient": ("Patient/{{context.patientId}}", "Patient", "patient"),
    "conditions": ("Condition?patient={{context.patientId}}", "Condition", "conditions"),
    "medications": ("MedicationRequest?patient={{context.patientId}}", "MedicationRequest", "medications"),
    "medicationStatements": ("MedicationStatement?patient={{context.patientId}}", "MedicationStatement",
                             "medications"),
    "observations": ("Observation?patient={{context.patientId}}", "Observation", "observations"),
    "procedures": ("Procedure?patient={{context.patientId}}", "Procedure", "procedures"),
}
REQUIRED = ("patient",)
EXPECTED = ("conditions", "medications", "observations")
# Resource type -> the category it covers.
CATEGORY = {"Patient": "patient", "Condition": "conditions", "MedicationRequest": "medications",
            "MedicationStatement": "medications", "MedicationDispense": "medications",
            "Observation": "observations", "Procedure": "procedures"}
CATEGORY_WORDS = {"patient": "the Patient (demographics)", "conditions": "conditions", "medications": "medications",
                  "observations": "observations (results, vital signs, scales)", "procedures": "procedures"}


@dataclass(frozen=True)
class Service:
    id: str
    hook: str
    title: str
    description: str

    def discovery(self) -> dict[str, Any]:
        return {
            "hook": self.hook, "id": self.id, "title": self.title, "description": self.description,
            "prefetch": {key: template for key, (template, _, _) in PREFETCH.items()},
            "usageRequirements": (
                "Prefetch (any keys: resources are read by content), or a fhirServer with fhirAuthorization "
                "for what is not prefetched. Advice only: every card defers to the clinician's judgment."),
        }


SERVICES: dict[str, Service] = {s.id: s for s in (
    Service("setpoint-patient-view", "patient-view", "Setpoint: hormone and neurochemistry review",
            "Reviews the open chart against the Setpoint rule base (hormone rebalancing and neurochemistry "
            "recalibration): contraindications, interactions, monitoring due, and data that cannot be assessed."),
    Service("setpoint-order-select", "order-select", "Setpoint: check the selected orders",
            "Checks medication orders as they are selected; findings raised by the selected orders come first."),
    Service("setpoint-order-sign", "order-sign", "Setpoint: check orders before signing",
            "Checks draft medication orders before they are signed; findings raised by the draft orders come "
            "first."),
)}


def discovery() -> dict[str, Any]:
    return {"services": [s.discovery() for s in SERVICES.values()]}
