"""The clean FHIR twin of a bundled snapshot case: the same patient written as a plain FHIR R4 Bundle
(LOINC-coded Observations in canonical units, MedicationRequests with structured doses, coded Conditions).

Only what FHIR carries is converted: patient-level snapshot fields with no FHIR resource (uterus status,
menopause date, notes, scales, vital signs) are left out, as an EHR export would leave them out; the
variants in `variants.py` are compared with this twin, not with the snapshot."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from setpoint.snapshot.models import Snapshot, frequency_per_day

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ATC = "http://www.whocc.no/atc"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SYSTEMS = {"icd10cm": ICD10CM, "snomed": SNOMED, "atc": ATC, "rxnorm": RXNORM}
CONDITION_STATUS = {"active": "active", "history": "inactive", "resolved": "resolved"}
PREGNANCY = {"pregnant": "77386006", "not_pregnant": "60001007"}


def _when(value: date | datetime) -> str:
    """FHIR wants a time zone with a time of day: the clean twin writes the wall clock in UTC."""
    if isinstance(value, datetime):
        return value.isoformat() + ("Z" if value.tzinfo is None else "")
    return value.isoformat()


def _ref() -> dict[str, str]:
    return {"reference": "Patient/p"}


def twin(snap: Snapshot) -> dict[str, Any]:
    p = snap.patient
    patient: dict[str, Any] = {"resourceType": "Patient", "id": "p", "gender": p.sex}
    if p.birth_date:
        patient["birthDate"] = p.birth_date.isoformat()
    entries: list[dict[str, Any]] = [patient]
    for i, c in enumerate(snap.conditions):
        cc: dict[str, Any] = {"coding": [{"system": SYSTEMS[x.system], "code": x.code}
                                         for x in c.codes if x.system in SYSTEMS]}
        if c.text:
            cc["text"] = c.text
        res: dict[str, Any] = {"resourceType": "Condition", "id": f"c{i}", "subject": _ref(), "code": cc,
                               "clinicalStatus": {"coding": [{"code": CONDITION_STATUS[c.status]}]}}
        if c.onset:
            res["onsetDateTime"] = c.onset.isoformat()
        entries.append(res)
    for i, m in enumerate(snap.medications):
        cc = {"text": m.name} if m.name else {}
        codes = [{"system": SYSTEMS[x.system], "code": x.code} for x in m.codes if x.system in SYSTEMS]
        if codes:
            cc["coding"] = codes
        dosage: dict[str, Any] = {}
        if m.dose is not None and m.dose_unit:
            dosage["doseAndRate"] = [{"doseQuantity": {"value": m.dose, "unit": m.dose_unit}}]
        per_day = frequency_per_day(m.frequency) if m.frequency else None
        if per_day and float(per_day).is_integer():
            dosage["timing"] = {"repeat": {"frequency": int(per_day), "period": 1, "periodUnit": "d"}}
        elif m.frequency:
            dosage["text"] = m.frequency
        if m.prn:
            dosage["asNeededBoolean"] = True
        if m.route:
            dosage["route"] = {"text": m.route}
        if m.start or m.end:
            bounds = {k: v.isoformat() for k, v in (("start", m.start), ("end", m.end)) if v}
            dosage.setdefault("timing", {}).setdefault("repeat", {})["boundsPeriod"] = bounds
        status = "stopped" if m.stopped or (m.end and snap.as_of and m.end < snap.as_of) else "active"
        res = {"resourceType": "MedicationRequest", "id": f"m{i}", "status": status, "intent": "order",
               "subject": _ref(), "medicationCodeableConcept": cc, "dosageInstruction": [dosage] if dosage else []}
        if m.start:
            res["authoredOn"] = m.start.isoformat()
        if m.stopped_without_taper is not None:
            res["statusReason"] = {"text": "stopped abruptly" if m.stopped_without_taper else "tapered off"}
        entries.append(res)
    for i, r in enumerate(snap.results):
        code: dict[str, Any] = {"text": r.name} if r.name else {}
        if r.code:
            code["coding"] = [{"system": LOINC, "code": r.code, "display": r.name or r.code}]
        obs: dict[str, Any] = {"resourceType": "Observation", "id": f"r{i}", "status": "final", "subject": _ref(),
                               "code": code, "effectiveDateTime": _when(r.collected)}
        if r.value is not None:
            q: dict[str, Any] = {"value": r.value}
            if r.unit:
                q.update(unit=r.unit, system="http://unitsofmeasure.org", code=r.unit)
            if r.comparator:
                q["comparator"] = r.comparator
            obs["valueQuantity"] = q
        else:
            obs["valueString"] = r.value_text
        if r.specimen:
            obs["specimen"] = {"display": r.specimen.replace("_", " ")}
        if r.hours_since_dose is not None:
            obs["note"] = [{"text": f"drawn {r.hours_since_dose:g} hours after the last dose"}]
        entries.append(obs)
    if p.pregnancy in PREGNANCY and p.pregnancy_recorded:
        entries.append({"resourceType": "Observation", "id": "preg", "status": "final", "subject": _ref(),
                        "code": {"coding": [{"system": LOINC, "code": "82810-3"}]},
                        "effectiveDateTime": p.pregnancy_recorded.isoformat(),
                        "valueCodeableConcept": {"coding": [{"system": SNOMED, "code": PREGNANCY[p.pregnancy]}]}})
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"fullUrl": f"urn:uuid:{e['resourceType']}-{e['id']}", "resource": e} for e in entries]}
