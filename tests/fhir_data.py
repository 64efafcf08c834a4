"""FHIR test data: the shared fixtures (never edited) and small builders for Bundles and resources."""

from __future__ import annotations

from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
SYNTHEA = FIXTURES / "synthea"
SPEC = FIXTURES / "cds-hooks-spec"
ELISEO = next(SYNTHEA.glob("Eliseo_*.json"))
HASSAN = next(SYNTHEA.glob("Hassan_*.json"))
TWANDA = next(SYNTHEA.glob("Twanda_*.json"))
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
DAY = "2026-11-21"


def patient(pid: str = "p1", gender: str = "female", birth: str = "1970-03-01") -> dict[str, Any]:
    return {"resourceType": "Patient", "id": pid, "gender": gender, "birthDate": birth}


def bundle(*resources: dict[str, Any], btype: str = "collection", patient_res: dict[str, Any] | None = None,
           with_patient: bool = True) -> dict[str, Any]:
    pat = patient_res if patient_res is not None else patient()
    items = [pat, *resources] if with_patient else list(resources)
    return {"resourceType": "Bundle", "type": btype,
            "entry": [{"fullUrl": f"urn:uuid:{r.get('id', i)}", "resource": r} for i, r in enumerate(items)]}


def searchset(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in resources]}


def obs(oid: str, code: str, display: str, when: str = f"{DAY}T09:00:00Z", pid: str = "p1",
        **value: Any) -> dict[str, Any]:
    return {"resourceType": "Observation", "id": oid, "status": "final", "subject": {"reference": f"Patient/{pid}"},
            "code": {"coding": [{"system": LOINC, "code": code, "display": display}]},
            "effectiveDateTime": when, **value}


def med(mid: str, rxcode: str | None, text: str, status: str = "active", pid: str = "p1",
        **extra: Any) -> dict[str, Any]:
    cc: dict[str, Any] = {"text": text}
    if rxcode:
        cc["coding"] = [{"system": RXNORM, "code": rxcode, "display": text}]
    return {"resourceType": "MedicationRequest", "id": mid, "status": status, "intent": "order",
            "subject": {"reference": f"Patient/{pid}"}, "medicationCodeableConcept": cc, **extra}


YAZ = "drospirenone 3 MG / ethinyl estradiol 0.02 MG Oral Tablet [Yaz]"


def yaz(authored: str) -> dict[str, Any]:
    """A Synthea-like active MedicationRequest for Yaz, a combined oral contraceptive (RxNorm SBD 748856 [U];
    the text alone maps it)."""
    return {"resourceType": "MedicationRequest", "id": "yaz", "status": "active", "intent": "order",
            "subject": {"reference": "Patient/p1"}, "authoredOn": authored,
            "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": "748856", "display": YAZ}],
                                          "text": YAZ}}
