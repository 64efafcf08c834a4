"""EHR-style variants of a clean FHIR twin, each one way real records differ from the textbook form.

Every transform returns a new Bundle, or None when it has nothing to change for that patient (then no
variant is made).  The table of laboratory names and local codes is written the way laboratory information
systems print them (upper case, "LVL", specimen abbreviations); the alternative LOINC codes are other codes
for the same component, property and system (knowledge/analytes.yaml cites them)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from setpoint import Engine
from setpoint.facts.model import Censored

Bundle = dict[str, Any]
Transform = Callable[[Engine, Bundle, date], Bundle | None]
LOCAL = "urn:oid:2.16.840.1.113883.3.999.5.1"  # a hospital's local test dictionary

ALT_LOINC = {"2951-2": "2947-0", "2823-3": "6298-4", "2160-0": "38483-4", "3016-3": "11579-0",
             "98979-8": "62238-1", "4544-3": "20570-8", "17861-6": "49765-1", "33914-3": "48642-3"}
LAB_NAMES = {
    "14334-7": "LITHIUM LVL", "3016-3": "TSH 3RD GEN SERPL", "3024-7": "FREE T4, SERUM", "2951-2": "SODIUM, SERUM",
    "2823-3": "POTASSIUM SerPl-sCnc", "2160-0": "CREATININE SER/PLAS", "98979-8": "eGFR CKD-EPI 2021",
    "4544-3": "HCT", "2986-8": "TESTOSTERONE, TOTAL, SERUM", "2857-1": "PSA, TOTAL", "17861-6": "CALCIUM LVL",
    "19123-9": "MAGNESIUM, SERUM", "8636-3": "QTc Interval", "4548-4": "HEMOGLOBIN A1C",
    "2106-3": "HCG, URINE, QUALITATIVE", "2243-4": "ESTRADIOL, SERUM", "2143-6": "CORTISOL, RANDOM",
}


def _observations(b: Bundle) -> list[dict[str, Any]]:
    return [e["resource"] for e in b["entry"] if e["resource"]["resourceType"] == "Observation"
            and e["resource"]["id"] != "preg"]


def _loinc(o: dict[str, Any]) -> str | None:
    return next((c["code"] for c in o["code"].get("coding", []) if c.get("system") == "http://loinc.org"), None)


def alternative_loinc(engine: Engine, b: Bundle, as_of: date) -> Bundle | None:
    out, changed = copy.deepcopy(b), False
    for o in _observations(out):
        for c in o["code"].get("coding", []):
            if c["code"] in ALT_LOINC:
                c["code"], changed = ALT_LOINC[c["code"]], True
    return out if changed else None


def local_codes_and_lab_names(engine: Engine, b: Bundle, as_of: date) -> Bundle | None:
    out, changed = copy.deepcopy(b), False
    for i, o in enumerate(_observations(out)):
        code = _loinc(o)
        if code in LAB_NAMES:
            name = LAB_NAMES[code]
            o["code"] = {"coding": [{"system": LOCAL, "code": f"L{1000 + i}", "display": name}], "text": name}
            changed = True
    return out if changed else None


def si_units(engine: Engine, b: Bundle, as_of: date) -> Bundle | None:
    k = engine.knowledge
    out, changed = copy.deepcopy(b), False
    for o in _observations(out):
        q = o.get("valueQuantity")
        analyte = k.loinc_to_analyte.get(_loinc(o) or "")
        if not q or analyte is None or not k.analytes[analyte].conversions or q.get("comparator"):
            continue
        if q.get("unit") and k.unit_factor(analyte, q["unit"]) != 1.0:
            continue
        conv = k.analytes[analyte].conversions[0]  # e.g. umol/L, pmol/L, nmol/L, L/L (hematocrit), s (QTc)
        q.update(value=float(f"{q['value'] / conv.factor:.6g}"), unit=conv.unit, code=conv.unit)
        changed = True
    return out if changed else None


DETECTION_LIMITS = (0.005, 0.01, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0)


def censored_below_detection(engine: Engine, b: Bundle, as_of: date) -> Bundle | None:
    """A low result reported as "<limit" (the assay's detection limit), where no threshold of the rule base
    lies between the value and the limit: a lab writes the interval, the clinical meaning is unchanged."""
    k = engine.knowledge
    out, changed = copy.deepcopy(b), False
    for o in _observations(out):
        q = o.get("valueQuantity")
        analyte = k.loinc_to_analyte.get(_loinc(o) or "")
        if not q or analyte is None or q.get("comparator") or not isinstance(q.get("value"), int | float):
            continue
        factor = k.unit_factor(analyte, q.get("unit") or "") if q.get("unit") else None
        if factor is None:
            continue
        value = q["value"]
        tests = [t for key, ts in engine.tests.items() if key.startswith(f"lab:{analyte}:") for t in ts]
        for limit in DETECTION_LIMITS:
            if limit <= value:
                continue
            interval = Censored(k.analytes[analyte].plausible.min, True, limit * factor, False, "")
            if all(interval.decides(t) for t in tests) and all(t.apply(value * factor) == t.apply(
                    interval.representative()) for t in tests):
                q.update(value=limit, comparator="<")
                changed = True
            break
    return out if changed else None


def east_of_utc(engine: Engine, b: Bundle, as_of: date) -> Bundle | None:
    """Times written with the site's offset (+09:00, wall clock unchanged); a result drawn on the evaluation
    date is stamped early next morning local time (the server evaluates in UTC)."""
    out = copy.deepcopy(b)
    moved = False
    for o in _observations(out):
        when = o.get("effectiveDateTime", "")
        if "T" not in when:
            continue
        day = when[:10]
        if day == as_of.isoformat() and not moved:
            o["effectiveDateTime"] = f"{(as_of + timedelta(days=1)).isoformat()}T01:30:00+09:00"
            moved = True
        else:
            o["effectiveDateTime"] = when.removesuffix("Z") + "+09:00"
    return out if any("+09:00" in o.get("effectiveDateTime", "") for o in _observations(out)) else None


def ecg_named_specimen(engine: Engine, b: Bundle, as_of: date) -> Bundle | None:
    """An ECG measurement whose specimen names the device rather than a body fluid."""
    out, changed = copy.deepcopy(b), False
    for o in _observations(out):
        analyte = engine.knowledge.loinc_to_analyte.get(_loinc(o) or "")
        if analyte and engine.knowledge.analytes[analyte].category == "ecg":
            o["specimen"] = {"display": "12-lead EKG"}
            changed = True
    return out if changed else None


def medication_text_only(engine: Engine, b: Bundle, as_of: date) -> Bundle | None:
    """Products with no code, only the prescriber's text (a local formulary)."""
    out, changed = copy.deepcopy(b), False
    for e in out["entry"]:
        r = e["resource"]
        if r["resourceType"] == "MedicationRequest" and r["medicationCodeableConcept"].get("coding") \
                and r["medicationCodeableConcept"].get("text"):
            del r["medicationCodeableConcept"]["coding"]
            changed = True
    return out if changed else None


def medication_atc_only(engine: Engine, b: Bundle, as_of: date) -> Bundle | None:
    """Products coded with ATC and nothing else (a European prescribing system whose product names are in the
    local language, not exported): a combined pill coded G03AA07 must still be combined hormonal contraception
    (VS_CHC by its ATC group, issue 11), every other product read by its code."""
    out, changed = copy.deepcopy(b), False
    for e in out["entry"]:
        cc = e["resource"].get("medicationCodeableConcept") if e["resource"]["resourceType"] == "MedicationRequest" \
            else None
        if cc and cc.get("text") and any(c.get("system") == "http://www.whocc.no/atc" for c in cc.get("coding", [])):
            cc["coding"] = [c for c in cc["coding"] if c.get("system") == "http://www.whocc.no/atc"]
            del cc["text"]
            changed = True
    return out if changed else None


TIMING_EXTENSION = "http://hospital.example.org/fhir/StructureDefinition/time-since-last-dose"


def _drawn_hours(o: dict[str, Any]) -> float | None:
    """Hours after the last dose, from the clean twin's note ("drawn 12 hours after the last dose")."""
    for n in o.get("note") or []:
        words = n.get("text", "").split()
        if len(words) > 2 and words[0] == "drawn" and words[2] == "hours":
            return float(words[1])
    return None


def dose_timing_as_written(engine: Engine, b: Bundle, as_of: date) -> Bundle | None:
    """The time since the last dose as EHRs and laboratories write it, rotating through the forms: "12h
    post-dose" in a note, the hours in the test's name ("LITHIUM LVL 12H"), a time-since-dose extension
    (Duration), and the clock time of the last dose ("last dose 20:00") beside a timed sample."""
    out, changed = copy.deepcopy(b), False
    for i, o in enumerate(_observations(out)):
        hours = _drawn_hours(o)
        if hours is None:
            continue
        form = i % 4
        when = o.get("effectiveDateTime", "")
        if form == 3 and ("T" not in when or when[11:16] == "00:00" or hours != int(hours)):
            form = 0
        if form == 1 and (_loinc(o) or "") not in LAB_NAMES:
            form = 2
        del o["note"]
        if form == 0:
            o["note"] = [{"text": f"{hours:g}h post-dose"}]
        elif form == 1:
            name = f"{LAB_NAMES[_loinc(o) or '']} {hours:g}H"
            o["code"] = {"coding": [{"system": LOCAL, "code": f"T{100 + i}", "display": name}], "text": name}
        elif form == 2:
            o["extension"] = [{"url": TIMING_EXTENSION, "valueDuration": {
                "value": hours, "unit": "h", "system": "http://unitsofmeasure.org", "code": "h"}}]
        else:
            clock = (int(when[11:13]) - int(hours)) % 24
            o["note"] = [{"text": f"Pt reports last dose {clock:02d}:{when[14:16]}"}]
        changed = True
    return out if changed else None


def _requests(b: Bundle) -> list[dict[str, Any]]:
    return [e["resource"] for e in b["entry"] if e["resource"]["resourceType"] == "MedicationRequest"]


def medication_statements(engine: Engine, b: Bundle, as_of: date) -> Bundle | None:
    """The medication list as MedicationStatements (what the patient reports taking), as many EHRs export it:
    effectivePeriod instead of authoredOn, `dosage` instead of `dosageInstruction`."""
    out = copy.deepcopy(b)
    changed = False
    for e in out["entry"]:
        r = e["resource"]
        if r["resourceType"] != "MedicationRequest":
            continue
        dosage = r.get("dosageInstruction") or []
        bounds = next((d["timing"]["repeat"]["boundsPeriod"] for d in dosage
                       if d.get("timing", {}).get("repeat", {}).get("boundsPeriod")), None)
        stmt: dict[str, Any] = {"resourceType": "MedicationStatement", "id": r["id"],
                                "status": "stopped" if r["status"] == "stopped" else "active",
                                "subject": r["subject"], "medicationCodeableConcept": r["medicationCodeableConcept"],
                                "dosage": dosage}
        if bounds:
            stmt["effectivePeriod"] = bounds
        elif r.get("authoredOn"):
            stmt["effectivePeriod"] = {"start": r["authoredOn"]}
        if r.get("statusReason"):
            stmt["statusReason"] = [r["statusReason"]]
        e["resource"] = stmt
        changed = True
    return out if changed else None


FREQ_WORDS = {1: "once daily", 2: "twice daily", 3: "three times daily", 4: "four times daily"}


def sig_only_doses(engine: Engine, b: Bundle, as_of: date) -> Bundle | None:
    """Structured doses removed: the dose and frequency only in the prescriber's instructions ("Take 40 mg by
    mouth twice daily"), as order entry systems often send them."""
    out, changed = copy.deepcopy(b), False
    for r in _requests(out):
        for d in r.get("dosageInstruction") or []:
            q = (d.get("doseAndRate") or [{}])[0].get("doseQuantity")
            rep = d.get("timing", {}).get("repeat", {})
            per_day = rep.get("frequency") if rep.get("period") == 1 and rep.get("periodUnit") == "d" else None
            if not q or q.get("unit") not in ("mg", "mcg", "ug", "g") or per_day not in FREQ_WORDS or d.get("text"):
                continue
            del d["doseAndRate"]
            for k in ("frequency", "period", "periodUnit"):
                rep.pop(k, None)
            d["text"] = f"Take {q['value']:g} {q['unit']} by mouth {FREQ_WORDS[per_day]}"
            changed = True
    return out if changed else None


def negated_text_and_noise(engine: Engine, b: Bundle, as_of: date) -> Bundle | None:
    """What a real chart carries besides the facts: negated and family-history problem-list text, a result
    entered in error (with an alarming value), and resources the engine does not read.  No finding may change."""
    out = copy.deepcopy(b)
    subject = {"reference": "Patient/p"}
    for i, text in enumerate(["No history of seizures", "Denies h/o DVT or PE", "FHx breast CA (mother)",
                              "r/o MI - ruled out", "No known hx of CVA"]):
        out["entry"].append({"resource": {"resourceType": "Condition", "id": f"neg{i}", "subject": subject,
                                          "clinicalStatus": {"coding": [{"code": "active"}]}, "code": {"text": text}}})
    for o in _observations(out)[:3]:
        bad = copy.deepcopy(o)
        bad.update(id=f"{o['id']}-eie", status="entered-in-error")
        if isinstance(bad.get("valueQuantity", {}).get("value"), int | float):
            bad["valueQuantity"]["value"] = bad["valueQuantity"]["value"] * 50
        out["entry"].append({"resource": bad})
    out["entry"] += [
        {"resource": {"resourceType": "Encounter", "id": "enc1", "status": "finished", "subject": subject,
                      "class": {"code": "AMB"}}},
        {"resource": {"resourceType": "Immunization", "id": "imm1", "status": "completed", "patient": subject,
                      "vaccineCode": {"text": "Influenza"}, "occurrenceDateTime": as_of.isoformat()}},
    ]
    return out


def everything_at_once(engine: Engine, b: Bundle, as_of: date) -> Bundle | None:
    """One EHR doing all of it: SI units, censored low values, its own time zone, local codes and names,
    uncoded products."""
    out, changed = b, False
    for step in (si_units, censored_below_detection, east_of_utc, local_codes_and_lab_names, medication_text_only):
        nxt = step(engine, out, as_of)
        if nxt is not None:
            out, changed = nxt, True
    return out if changed else None


TRANSFORMS: dict[str, Transform] = {
    "alternative-loinc": alternative_loinc,
    "local-codes-lab-names": local_codes_and_lab_names,
    "si-units": si_units,
    "censored-below-detection": censored_below_detection,
    "east-of-utc": east_of_utc,
    "ecg-named-specimen": ecg_named_specimen,
    "medication-text-only": medication_text_only,
    "medication-atc-only": medication_atc_only,
    "everything-at-once": everything_at_once,
    "dose-timing-as-written": dose_timing_as_written,
    "medication-statements": medication_statements,
    "sig-only-doses": sig_only_doses,
    "negated-text-and-noise": negated_text_and_noise,
}
