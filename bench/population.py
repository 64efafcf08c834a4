"""A synthetic population for the batch bench and tests: N patients as FHIR R4, no external data.

    python bench/population.py 10000 /tmp/pop --format bundles|ndjson|bulk [--seed 1] [--synthea-share 0.05]

Each patient is derived from a template: a bundled example case (`examples/**/*.yaml`, turned into
FHIR Patient, Condition, MedicationRequest and Observation resources) or, for `--synthea-share` of
them, one of the Synthea records in ../shared/fixtures/synthea (whole-life records of 140-540
entries, 0.5-2 MB). Every patient gets fresh ids, its clinical dates moved (so that data is recent
for some and stale for others), doses and lab values scaled, and codings varied (a code and text,
the code alone, or the text alone). Patient i depends only on (seed, i): the same arguments write
byte-identical files, one patient at a time (bounded memory).

Formats: `bundles` (a folder of `patient-0000001.json`), `ndjson` (`population.ndjson`, one Bundle
per line) or `bulk` (a FHIR Bulk Data export: `Patient.ndjson`, `Observation.ndjson`, ...).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

ROOT = Path(__file__).resolve().parent.parent
SYNTHEA = ROOT.parent / "shared" / "fixtures" / "synthea"
AS_OF = date(2026, 11, 21)
Format = Literal["bundles", "ndjson", "bulk"]

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
SYSTEMS = {"icd10cm": "http://hl7.org/fhir/sid/icd-10-cm", "snomed": SNOMED, "atc": "http://www.whocc.no/atc",
           "rxnorm": "http://www.nlm.nih.gov/research/umls/rxnorm", "loinc": LOINC}
PER_DAY = {"daily": 1, "once daily": 1, "qd": 1, "od": 1, "qam": 1, "qhs": 1, "nightly": 1, "bid": 2, "twice daily": 2,
           "tid": 3, "qid": 4}
VITALS = {"temperature": "8310-5", "systolic_bp": "8480-6", "diastolic_bp": "8462-4", "heart_rate": "8867-4",
          "weight": "29463-7"}
SCALES = {"phq9": "44261-6", "gad7": "70274-6"}
PREGNANCY = {"pregnant": "77386006", "not_pregnant": "60001007"}
CONDITION_STATUS = {"active": "active", "resolved": "resolved", "history": "inactive"}
DOSE_FACTORS = (0.5, 0.75, 1, 1, 1, 1.25, 1.5, 2)
_DATE = re.compile(r'"(\d{4}-\d{2}-\d{2})')
_URN = re.compile(r"urn:uuid:([0-9a-fA-F-]{36})")


# ------------------------------------------------------------------ templates


def cds_prefetch(res: list[dict[str, Any]], observations: list[dict[str, Any]],
                 entries: int = 200) -> tuple[dict[str, Any], str]:
    """A CDS Hooks patient-view prefetch of `entries` resources as an EHR sends it (searchset Bundles per
    key): the record's Patient, Conditions, MedicationRequests and Procedures, topped up with the first
    of `observations` (in the order given), each copied and pointed at the patient.  Shared by
    bench_service (fresh and repeated patients) and bench_fhir (the mapping cost of one request)."""
    import copy

    patient = next(r for r in res if r["resourceType"] == "Patient")
    pid = patient["id"]
    pick = {t: [r for r in res if r["resourceType"] == t] for t in ("Condition", "MedicationRequest", "Procedure")}
    room = entries - 1 - sum(len(v) for v in pick.values())
    chosen = []
    for o in observations[:room]:
        o = copy.deepcopy(o)
        o["subject"] = {"reference": f"Patient/{pid}"}
        chosen.append(o)

    def searchset(rs: list[dict[str, Any]], rtype: str) -> dict[str, Any]:
        return {"resourceType": "Bundle", "type": "searchset", "total": len(rs),
                "link": [{"relation": "self", "url": f"https://ehr.example.org/fhir/{rtype}?patient={pid}"}],
                "entry": [{"fullUrl": f"https://ehr.example.org/fhir/{rtype}/{r['id']}", "resource": r} for r in rs]}

    pre = {"patient": patient, "conditions": searchset(pick["Condition"], "Condition"),
           "medications": searchset(pick["MedicationRequest"], "MedicationRequest"),
           "procedures": searchset(pick["Procedure"], "Procedure"), "observations": searchset(chosen, "Observation")}
    n = 1 + sum(len(b["entry"]) for k, b in pre.items() if k != "patient")
    assert n == entries, n
    return pre, pid


@cache
def example_templates() -> tuple[dict[str, Any], ...]:
    """The bundled example cases (snapshot YAML), in path order."""
    return tuple(yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "examples").rglob("*.yaml")))


@cache
def synthea_templates() -> tuple[str, ...]:
    """The Synthea records as JSON text (each patient is rewritten from the text)."""
    return tuple(p.read_text(encoding="utf-8") for p in sorted(SYNTHEA.glob("*.json")))


# ------------------------------------------------------------------ one patient


def patient_bundle(i: int, seed: int = 1, as_of: date = AS_OF, synthea_share: float = 0.05) -> dict[str, Any]:
    """Patient number i (from 0) of the population: a FHIR `collection` Bundle."""
    rng = random.Random(f"setpoint-population:{seed}:{i}")
    pid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    if synthea_templates() and rng.random() < synthea_share:
        resources = _from_synthea(rng, pid, as_of)
    else:
        resources = _from_example(rng, pid, as_of)
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources]}


def _ref(pid: str) -> dict[str, str]:
    return {"reference": f"Patient/{pid}"}


def _vary_codes(rng: random.Random, codes: list[dict[str, str]], text: str | None) -> dict[str, Any]:
    """A CodeableConcept: code and text, the code alone, or the text alone (never neither)."""
    coding = [{"system": SYSTEMS[c["system"]], "code": str(c["code"])} for c in codes if c["system"] in SYSTEMS]
    choice = rng.random()
    cc: dict[str, Any] = {}
    if coding and (choice < 0.8 or not text):
        cc["coding"] = coding
    if text and (choice >= 0.6 or not coding):
        cc["text"] = text
    return cc


def _shift_day(value: Any, delta: timedelta) -> str | None:
    if value is None:
        return None
    return (date.fromisoformat(str(value)[:10]) + delta).isoformat()


def _shift_time(value: Any, delta: timedelta) -> str:
    text = str(value).replace(" ", "T")
    if "T" not in text:
        return (date.fromisoformat(text[:10]) + delta).isoformat()
    moved = datetime.fromisoformat(text) + delta
    return moved.isoformat() if moved.tzinfo else moved.isoformat() + "+00:00"  # FHIR: a time has a zone


def _scaled(rng: random.Random, value: float, spread: float = 0.15) -> float | int:
    out = value * rng.lognormvariate(0, spread)
    if isinstance(value, int) and value >= 10:
        return max(1, round(out))
    return round(out, 2) if abs(value) < 100 else round(out, 1)


def _from_example(rng: random.Random, pid: str, as_of: date) -> list[dict[str, Any]]:
    snap = rng.choice(example_templates())
    own = date.fromisoformat(str(snap.get("as_of") or AS_OF))
    delta = (as_of - own) - timedelta(days=rng.choice((0, 0, 0, 7, 30, 90, 200, 400)))
    p = snap["patient"]
    birth = _shift_day(p.get("birth_date"), delta) if p.get("birth_date") else f"{as_of.year - p.get('age', 50)}-06-15"
    birth = _shift_day(birth, timedelta(days=rng.randint(-5 * 365, 5 * 365)))
    gender = p.get("sex", "unknown")
    out: list[dict[str, Any]] = [{"resourceType": "Patient", "id": pid, "gender": gender, "birthDate": birth}]
    n = 0

    def rid() -> str:
        nonlocal n
        n += 1
        return f"{pid[:28]}-{n:04d}"

    for c in snap.get("conditions") or []:
        res: dict[str, Any] = {"resourceType": "Condition", "id": rid(), "subject": _ref(pid),
                               "code": _vary_codes(rng, c.get("codes") or [], c.get("text")),
                               "clinicalStatus": {"coding": [{"code": CONDITION_STATUS[c.get("status", "active")]}]}}
        if c.get("onset"):
            res["onsetDateTime"] = _shift_day(c["onset"], delta)
        out.append(res)
    for m in snap.get("medications") or []:
        out.append(_medication(rng, m, rid(), pid, delta))
    for r in snap.get("results") or []:
        if rng.random() < 0.05:
            continue  # a missing result: some rules cannot assess
        out.append(_result(rng, r, rid(), pid, delta))
    for v in snap.get("vitals") or []:
        out.append(_observation(rid(), pid, VITALS[v["kind"]], v["kind"], _shift_time(v["taken"], delta),
                                {"valueQuantity": _quantity(_scaled(rng, v["value"], 0.05), v.get("unit"))},
                                category="vital-signs"))
    for s in snap.get("scales") or []:
        if s.get("total") is None:
            continue
        total = max(0, min(27, s["total"] + rng.randint(-3, 3)))
        out.append(_observation(rid(), pid, SCALES[s["scale"]], s["scale"].upper(), _shift_day(s["date"], delta),
                                {"valueInteger": total}, category="survey"))
    if p.get("pregnancy") in PREGNANCY:
        out.append(_observation(rid(), pid, "82810-3", "Pregnancy status", (as_of - timedelta(days=3)).isoformat(),
                                {"valueCodeableConcept": {"coding": [{"system": SNOMED,
                                                                      "code": PREGNANCY[p["pregnancy"]]}]}}))
    return out


def _medication(rng: random.Random, m: dict[str, Any], rid: str, pid: str, delta: timedelta) -> dict[str, Any]:
    dosage: dict[str, Any] = {}
    freq = str(m.get("frequency") or "").lower()
    if freq in PER_DAY:
        dosage["timing"] = {"repeat": {"frequency": PER_DAY[freq], "period": 1, "periodUnit": "d"}}
    elif freq:
        dosage["timing"] = {"code": {"text": freq}}
    if m.get("route"):
        dosage["route"] = {"text": m["route"]}
    if m.get("dose") and m.get("dose_unit"):
        dose = m["dose"] * rng.choice(DOSE_FACTORS)
        dosage["doseAndRate"] = [{"doseQuantity": {"value": round(dose, 3), "unit": m["dose_unit"]}}]
    if m.get("prn"):
        dosage["asNeededBoolean"] = True
    stopped = bool(m.get("stopped")) or bool(m.get("end"))
    res: dict[str, Any] = {"resourceType": "MedicationRequest", "id": rid, "intent": "order",
                           "status": "stopped" if stopped else "active", "subject": _ref(pid),
                           "medicationCodeableConcept": _vary_codes(rng, m.get("codes") or [], m.get("name"))}
    if m.get("start"):
        res["authoredOn"] = _shift_day(m["start"], delta)
        if m.get("end"):
            dosage.setdefault("timing", {}).setdefault("repeat", {})["boundsPeriod"] = {
                "start": _shift_day(m["start"], delta), "end": _shift_day(m["end"], delta)}
    if dosage:
        res["dosageInstruction"] = [dosage]
    return res


def _quantity(value: float | int, unit: str | None) -> dict[str, Any]:
    q: dict[str, Any] = {"value": value}
    if unit:
        q |= {"unit": unit, "system": UCUM, "code": unit}
    return q


def _observation(rid: str, pid: str, loinc: str, name: str, when: str | None, value: dict[str, Any],
                 category: str = "laboratory") -> dict[str, Any]:
    return {"resourceType": "Observation", "id": rid, "status": "final", "subject": _ref(pid),
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                      "code": category}]}],
            "code": {"coding": [{"system": LOINC, "code": loinc}], "text": name},
            "effectiveDateTime": when, **value}


def _result(rng: random.Random, r: dict[str, Any], rid: str, pid: str, delta: timedelta) -> dict[str, Any]:
    if r.get("value") is not None:
        q = _quantity(_scaled(rng, r["value"]), r.get("unit"))
        if r.get("comparator"):
            q["comparator"] = r["comparator"]
        value: dict[str, Any] = {"valueQuantity": q}
    else:
        value = {"valueString": str(r.get("value_text") or "see report")}
    obs = _observation(rid, pid, str(r.get("code") or ""), r.get("name") or "", _shift_time(r["collected"], delta),
                       value)
    if not r.get("code"):
        obs["code"] = {"text": r.get("name") or "unnamed test"}
    elif rng.random() < 0.2 and r.get("name"):
        obs["code"] = {"coding": [{"system": LOINC, "code": str(r["code"])}]}  # code only, no name
    rr = r.get("reference_range") or {}
    if rr.get("low") is not None or rr.get("high") is not None:
        obs["referenceRange"] = [{k: {"value": rr[k], "unit": r.get("unit")} for k in ("low", "high")
                                  if rr.get(k) is not None}]
    return obs


def _from_synthea(rng: random.Random, pid: str, as_of: date) -> list[dict[str, Any]]:
    """A Synthea record with new ids, references as `Type/id`, dates moved so that its latest one falls
    0-500 days before `as_of`, and its measured values scaled."""
    text = rng.choice(synthea_templates())
    bundle = json.loads(text)
    latest = max(date.fromisoformat(d) for d in _DATE.findall(text))
    delta = (as_of - timedelta(days=rng.randint(0, 500))) - latest
    new_ids: dict[str, tuple[str, str]] = {}
    for k, e in enumerate(bundle["entry"]):
        r = e["resource"]
        new = pid if r["resourceType"] == "Patient" else f"{pid[:28]}-s{k:04d}"
        new_ids[r["id"]] = (r["resourceType"], new)
    # references by urn:uuid become Type/id; ids are renamed; every date moves by delta
    text = _URN.sub(lambda m: "/".join(new_ids[m.group(1)]) if m.group(1) in new_ids else m.group(0), text)
    text = _DATE.sub(lambda m: '"' + (date.fromisoformat(m.group(1)) + delta).isoformat(), text)
    bundle = json.loads(text)
    factor = rng.lognormvariate(0, 0.1)
    out = []
    for e in bundle["entry"]:
        r = e["resource"]
        r["id"] = new_ids[r["id"]][1]
        q = r.get("valueQuantity")
        if r["resourceType"] == "Observation" and isinstance(q, dict) and isinstance(q.get("value"), int | float):
            q["value"] = round(q["value"] * factor, 3)
        out.append(r)
    return out


# ------------------------------------------------------------------ writing


def patients(n: int, seed: int = 1, as_of: date = AS_OF, synthea_share: float = 0.05) -> Iterator[dict[str, Any]]:
    for i in range(n):
        yield patient_bundle(i, seed, as_of, synthea_share)


def _dumps(doc: Any) -> str:
    return json.dumps(doc, separators=(",", ":"))


def write(n: int, out: Path, fmt: Format = "bundles", seed: int = 1, as_of: date = AS_OF,
          synthea_share: float = 0.05, start: int = 0) -> Path:
    """Write patients start..start+n-1; returns the batch input (a folder or the NDJSON file)."""
    out.mkdir(parents=True, exist_ok=True)
    gen = (patient_bundle(i, seed, as_of, synthea_share) for i in range(start, start + n))
    if fmt == "bundles":
        for i, b in enumerate(gen, start=start):
            (out / f"patient-{i:07d}.json").write_text(_dumps(b) + "\n", encoding="utf-8")
        return out
    if fmt == "ndjson":
        target = out / "population.ndjson"
        with target.open("w", encoding="utf-8") as fh:
            for b in gen:
                fh.write(_dumps(b) + "\n")
        return target
    handles: dict[str, Any] = {}
    try:
        for b in gen:
            for e in b["entry"]:
                r = e["resource"]
                fh = handles.get(r["resourceType"])
                if fh is None:
                    fh = handles[r["resourceType"]] = (out / f"{r['resourceType']}.ndjson").open("w", encoding="utf-8")
                fh.write(_dumps(r) + "\n")
    finally:
        for fh in handles.values():
            fh.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int, help="number of patients")
    ap.add_argument("out", type=Path, help="output folder")
    ap.add_argument("--format", choices=("bundles", "ndjson", "bulk"), default="bundles")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--as-of", type=date.fromisoformat, default=AS_OF, help="the evaluation date the data is around")
    ap.add_argument("--synthea-share", type=float, default=0.05, help="share of patients made from Synthea records")
    a = ap.parse_args()
    path = write(a.n, a.out, a.format, a.seed, a.as_of, a.synthea_share)
    print(f"wrote {a.n} patients to {path}")


if __name__ == "__main__":
    main()
