"""FHIR R4 Bundles in: detection, mapping into the snapshot, import issues, and the Synthea records."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from datetime import date, timedelta
from typing import Any

import pytest

from setpoint import Engine, SnapshotError
from setpoint.fhir import bundle_to_snapshot
from setpoint.leaves import REGISTRY, FactSpec
from setpoint.normalize import membership

from .conftest import AS_OF, ROOT
from .fhir_data import DAY, ELISEO, HASSAN, LOINC, RXNORM, SNOMED, TWANDA, bundle, med, obs


@pytest.fixture(scope="module")
def synthea(engine: Engine) -> dict[str, Any]:
    return {p.name.split("_")[0]: (engine.snapshot(p), engine.evaluate(p, as_of=AS_OF))
            for p in (ELISEO, HASSAN, TWANDA)}


def _records(snap: Any) -> set[str]:
    return {x.id for section in (snap.conditions, snap.medications, snap.results, snap.vitals, snap.scales,
                                 snap.smoking)
            for x in section} | {i.source for i in snap.data_issues}


# ------------------------------------------------------------------ Synthea records


@pytest.mark.parametrize("who", ["Eliseo", "Hassan", "Twanda"])
def test_synthea_bundle_evaluates_cleanly(synthea: dict[str, Any], who: str) -> None:
    snap, result = synthea[who]
    assert snap.patient.birth_date and snap.patient.sex in ("male", "female")
    assert snap.data_issues == [], "a Synthea record maps without import problems"
    assert snap.results and snap.vitals and snap.conditions and snap.medications
    ids = {f.rule_id for f in result.findings}
    assert "GN-DQ-010" not in ids and "GN-DQ-001" not in ids
    # Every finding rests on data from this record, never on something invented.
    records = _records(snap)
    for f in result.findings:
        if f.outcome == "fired":
            cited = {e.record for e in f.evidence if e.record}
            assert cited <= records, f"{f.rule_id} cites {cited - records}"


def test_claims_and_encounters_are_skipped_not_mapped(synthea: dict[str, Any]) -> None:
    snap, _ = synthea["Eliseo"]
    everything = _records(snap)
    assert not any(r.startswith(("Claim/", "Encounter/", "ExplanationOfBenefit/", "Immunization/")) for r in everything)
    # Pain scores are not used: skipped (smoking status is read: tests/test_smoking.py); blood pressure comes from
    # its components.
    assert {v.kind for v in snap.vitals} == {"systolic_bp", "diastolic_bp", "weight"}
    assert all("#8480-6" in v.id or "#8462-4" in v.id for v in snap.vitals if v.kind != "weight")


def test_eliseo_is_on_sertraline_100_mg_a_day(engine: Engine, synthea: dict[str, Any]) -> None:
    snap, result = synthea["Eliseo"]
    case = engine.case(snap, AS_OF)
    sertraline = next(m for m in case.meds if "sertraline" in m.concepts)
    assert sertraline.active(AS_OF) and sertraline.daily_mg == 100.0  # 1 tablet of "Sertraline 100MG" daily
    assert membership(engine.knowledge, case, "VS_SSRI").get(case.meds.index(sertraline)) is True
    ibuprofen = next(m for m in case.meds if "ibuprofen" in m.concepts)
    assert ibuprofen.source.stopped and ibuprofen.end is None and not ibuprofen.active(AS_OF)
    # Taken for years: no "new antidepressant, no outcome measure" reminder (NC-AD-039 speaks only in weeks
    # 7-12 after a start or dose change; issue 11: no reminder for a drug started long ago).
    assert (sertraline.course_start or sertraline.start) < AS_OF - timedelta(days=84)
    assert "NC-AD-039" not in {f.rule_id for f in result.findings}


def test_hydrocortisone_cream_is_not_adrenal_replacement(engine: Engine, synthea: dict[str, Any]) -> None:
    snap, result = synthea["Hassan"]
    case = engine.case(snap, AS_OF)
    i, cream = next((i, m) for i, m in enumerate(case.meds) if "hydrocortisone" in m.concepts)
    assert cream.route == "topical" and cream.active(AS_OF)
    in_sets = [s for s in engine.knowledge.med_sets if membership(engine.knowledge, case, s).get(i) is not None]
    assert in_sets == [], f"topical hydrocortisone counted in {in_sets}"
    assert not any(e.record == cream.record_id for f in result.findings for e in f.evidence)


def test_contraceptive_patch_is_not_menopausal_hormone_therapy(engine: Engine) -> None:
    doc = json.loads(TWANDA.read_text())
    # Make the latest ethinyl estradiol/norelgestromin patch current: it must still not count as MHT.
    patches = [e["resource"] for e in doc["entry"] if e["resource"]["resourceType"] == "MedicationRequest"
               and "norelgestromin" in e["resource"]["medicationCodeableConcept"]["text"]]
    assert len(patches) == 2
    patches[-1]["status"] = "active"
    snap = engine.snapshot(doc)
    case = engine.case(snap, AS_OF)
    i, patch = next((i, m) for i, m in enumerate(case.meds) if m.record_id.endswith(patches[-1]["id"]))
    assert patch.active(AS_OF) and patch.route == "transdermal"
    assert set(patch.concepts) == {"ethinylestradiol", "norelgestromin"}
    k = engine.knowledge
    assert not [s for s in k.med_sets if "estradiol" in k.med_sets[s].ingredients
                and membership(k, case, s).get(i) is not None]
    result = engine.evaluate(snap, as_of=AS_OF)
    assert not any(e.record == patch.record_id for f in result.findings for e in f.evidence
                   if f.topic.startswith(("estrogen", "unopposed", "mht")))


def test_synthea_bundle_from_the_command_line() -> None:
    p = subprocess.run([sys.executable, "-m", "setpoint.cli", "evaluate", str(HASSAN), "--as-of", DAY, "--format",
                        "json"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["patient"]["id"] == "b16cc087-d48a-4292-a78c-aba3e85e516e" and out["patient"]["sex"] == "male"


# ------------------------------------------------------------------ detection and bundle shapes


@pytest.mark.parametrize("btype", ["collection", "searchset", "transaction"])
def test_bundle_types_are_detected(engine: Engine, btype: str) -> None:
    snap = engine.snapshot(bundle(obs("tsh", "3016-3", "TSH", valueQuantity={"value": 2.1, "unit": "mIU/L"}),
                                  btype=btype))
    assert snap.patient.sex == "female" and snap.results[0].code == "3016-3"


def test_bundle_as_json_text_and_nested_search_results(engine: Engine) -> None:
    inner = {"resourceType": "Bundle", "type": "searchset",
             "entry": [{"resource": obs("li", "14334-7", "Lithium", valueQuantity={"value": 0.8, "unit": "mmol/L"})}]}
    snap = engine.snapshot(json.dumps(bundle(inner)))
    assert [r.id for r in snap.results] == ["Observation/li"]


def test_bad_bundle_type_names_the_field(engine: Engine) -> None:
    with pytest.raises(SnapshotError, match=r"Bundle\.type: 'bag' is not a FHIR Bundle type"):
        engine.snapshot(bundle(btype="bag"))


def test_two_patients_in_one_bundle_is_an_error(engine: Engine) -> None:
    other = {"resourceType": "Patient", "id": "p2", "gender": "male"}
    with pytest.raises(SnapshotError, match="2 patients"):
        engine.snapshot(bundle(other))


# ------------------------------------------------------------------ observations


def test_censored_value_keeps_its_comparator(engine: Engine) -> None:
    snap = engine.snapshot(bundle(obs("li", "14334-7", "Lithium",
                                      valueQuantity={"value": 0.1, "comparator": "<", "unit": "mmol/L",
                                                     "system": "http://unitsofmeasure.org", "code": "mmol/L"})))
    r = snap.results[0]
    assert (r.comparator, r.value, r.unit) == ("<", 0.1, "mmol/L")
    case = engine.case(snap, AS_OF)
    assert case.results[0].value is None and "censored" in (case.results[0].problem or "")


def test_value_string_with_comparator(engine: Engine) -> None:
    snap = engine.snapshot(bundle(obs("e2", "2243-4", "Estradiol", valueString="<0.01")))
    assert (snap.results[0].comparator, snap.results[0].value) == ("<", 0.01)


def test_local_clock_time_is_kept(engine: Engine) -> None:
    snap = engine.snapshot(bundle(obs("cort", "2143-6", "Cortisol", when=f"{DAY}T08:30:00-05:00",
                                      valueQuantity={"value": 14, "unit": "ug/dL"})))
    assert snap.results[0].collected.hour == 8 and snap.results[0].collected.minute == 30


def test_coded_integer_specimen_range_and_interpretation(engine: Engine) -> None:
    specimen = {"resourceType": "Specimen", "id": "s1",
                "type": {"coding": [{"system": SNOMED, "code": "119342007", "display": "Saliva specimen"}]}}
    hcg = obs("hcg", "2106-3", "hCG urine", valueCodeableConcept={"text": "positive"})
    e2 = obs("e2", "2243-4", "Estradiol", valueQuantity={"value": 90, "unit": "pg/mL"},
             specimen={"reference": "Specimen/s1"}, referenceRange=[{"low": {"value": 30}, "high": {"value": 400}}],
             interpretation=[{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                                          "code": "N"}]}])
    hct = obs("hct", "4544-3", "Hematocrit", valueInteger=55)
    snap = engine.snapshot(bundle(specimen, hcg, e2, hct))
    by_id = {r.id: r for r in snap.results}
    assert by_id["Observation/hcg"].value_text == "positive"
    assert by_id["Observation/e2"].specimen == "saliva"
    assert by_id["Observation/e2"].reference_range is not None and by_id["Observation/e2"].reference_range.high == 400
    assert by_id["Observation/e2"].flag == "N"
    assert by_id["Observation/hct"].value == 55


def test_blood_pressure_components_and_phq9_item9(engine: Engine) -> None:
    bp = obs("bp", "85354-9", "Blood pressure panel", component=[
        {"code": {"coding": [{"system": LOINC, "code": "8480-6"}]},
         "valueQuantity": {"value": 150, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}},
        {"code": {"coding": [{"system": LOINC, "code": "8462-4"}]},
         "valueQuantity": {"value": 95, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}}])
    phq = obs("phq", "44249-1", "PHQ-9 panel", when="2026-11-18T10:00:00Z", component=[
        {"code": {"coding": [{"system": LOINC, "code": "44261-6"}]}, "valueInteger": 14},
        {"code": {"coding": [{"system": LOINC, "code": "44260-8"}]},
         "valueCodeableConcept": {"coding": [{"system": LOINC, "code": "LA6570-1",
                                              "display": "More than half the days"}]}}])
    snap = engine.snapshot(bundle(bp, phq))
    assert sorted((v.kind, v.value) for v in snap.vitals) == [("diastolic_bp", 95), ("systolic_bp", 150)]
    assert [(s.scale, s.total, s.item9) for s in snap.scales] == [("phq9", 14, 2)]
    result = engine.evaluate(snap, as_of=AS_OF)
    assert any(f.rule_id == "NC-SCL-037" and f.severity == "critical" for f in result.findings)


@pytest.mark.parametrize(("answer", "days_ago", "expected"), [
    ("77386006", 10, "pregnant"), ("77386006", 300, "unknown"),
    ("60001007", 10, "not_pregnant"), ("60001007", 40, "unknown"), ("LA4489-6", 1, "unknown")])
def test_pregnancy_status_is_used_only_while_recent(engine: Engine, answer: str, days_ago: int,
                                                    expected: str) -> None:
    """The window is measured from the evaluation date in normalisation, the same for every input path."""
    when = (AS_OF - timedelta(days=days_ago)).isoformat()
    status = obs("preg", "82810-3", "Pregnancy status", when=when,
                 valueCodeableConcept={"coding": [{"system": SNOMED if answer[0].isdigit() else LOINC,
                                                   "code": answer}]})
    assert engine.case(bundle(status), AS_OF).pregnancy == expected
    later = AS_OF + timedelta(days=400)
    assert engine.case(bundle(status), later).pregnancy == "unknown", "an old answer is never current"


# ------------------------------------------------------------------ medications


def test_dosage_route_frequency_and_as_needed(engine: Engine) -> None:
    lith = med("li", None, "Lithium carbonate 300 mg capsule", authoredOn="2026-01-10", dosageInstruction=[{
        "route": {"coding": [{"system": SNOMED, "code": "26643006", "display": "Oral route"}]},
        "timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}},
        "doseAndRate": [{"doseQuantity": {"value": 300, "unit": "mg"}}]}])
    prn = med("lor", None, "Lorazepam 1 MG Oral Tablet", authoredOn="2026-01-10", dosageInstruction=[{
        "asNeededBoolean": True, "timing": {"code": {"coding": [{"code": "TID"}]}},
        "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "{tablet}"}}]}])
    snap = engine.snapshot(bundle(lith, prn))
    case = engine.case(snap, AS_OF)
    by = {m.record_id: m for m in case.meds}
    assert by["MedicationRequest/li"].route == "oral" and by["MedicationRequest/li"].daily_mg == 600
    lor = by["MedicationRequest/lor"]
    assert lor.prn and lor.daily_mg == 3.0 and lor.route == "oral"  # 1 tablet of 1 mg, three times a day
    assert lor.start == date(2026, 1, 10)


def test_combination_and_rate_products_get_no_guessed_dose(engine: Engine) -> None:
    combo = med("c", None, "Acetaminophen 325 MG / Hydrocodone Bitartrate 7.5 MG Oral Tablet",
                dosageInstruction=[{"timing": {"repeat": {"frequency": 4, "period": 1, "periodUnit": "d"}},
                                    "doseAndRate": [{"doseQuantity": {"value": 1}}]}])
    snap = engine.snapshot(bundle(combo))
    assert snap.medications[0].dose is None


def test_medication_reference_statement_and_dispense(engine: Engine) -> None:
    product = {"resourceType": "Medication", "id": "m1", "code": {
        "coding": [{"system": RXNORM, "code": "1", "display": "Phenelzine 15 MG Oral Tablet"}]}}
    request = {"resourceType": "MedicationRequest", "id": "r1", "status": "active", "intent": "order",
               "subject": {"reference": "Patient/p1"}, "medicationReference": {"reference": "Medication/m1"},
               "authoredOn": "2026-10-01"}
    statement = {"resourceType": "MedicationStatement", "id": "s1", "status": "active",
                 "subject": {"reference": "Patient/p1"}, "basedOn": [{"reference": "MedicationRequest/r1"}],
                 "medicationReference": {"reference": "Medication/m1"}}
    dispense = {"resourceType": "MedicationDispense", "id": "d1", "status": "completed",
                "subject": {"reference": "Patient/p1"},
                "medicationCodeableConcept": {"text": "Sertraline 50 MG Oral Tablet"},
                "whenHandedOver": "2026-09-01T10:00:00Z", "daysSupply": {"value": 30, "unit": "d"}}
    contained = {"resourceType": "MedicationStatement", "id": "s2", "status": "completed",
                 "subject": {"reference": "Patient/p1"}, "contained": [{"resourceType": "Medication", "id": "x",
                                                                        "code": {"text": "Fluoxetine 20 MG"}}],
                 "medicationReference": {"reference": "#x"},
                 "effectivePeriod": {"start": "2026-01-01", "end": "2026-10-20"}}
    snap = engine.snapshot(bundle(product, request, statement, dispense, contained))
    meds = {m.id: m for m in snap.medications}
    assert set(meds) == {"MedicationRequest/r1", "MedicationDispense/d1", "MedicationStatement/s2"}
    assert meds["MedicationRequest/r1"].name == "Phenelzine 15 MG Oral Tablet"
    assert meds["MedicationDispense/d1"].end == date(2026, 10, 1)
    assert meds["MedicationStatement/s2"].end == date(2026, 10, 20) and meds["MedicationStatement/s2"].stopped


def test_partial_start_date_keeps_the_medication_with_an_unknown_start(engine: Engine) -> None:
    snap = engine.snapshot(bundle(med("p", None, "Phenelzine 15 MG Oral Tablet", authoredOn="2026-10")))
    assert snap.data_issues == [] and snap.medications[0].start is None
    assert engine.case(snap, AS_OF).meds[0].active(AS_OF)


def test_draft_orders_start_on_the_given_day() -> None:
    draft = med("d", None, "Ibuprofen 400 MG Oral Tablet", status="draft", authoredOn="2020-01-01")
    doc = bundle_to_snapshot(bundle(draft), drafts_start=AS_OF)
    m = doc["medications"][0]
    assert m.start == AS_OF and not m.stopped


def test_stopped_on_an_unknown_date_is_unknown_for_washouts(engine: Engine) -> None:
    spec = FactSpec("med_stopped_within:VS_SSRI:14d", "bool", "med_stopped_within",
                    (("set", "VS_SSRI"), ("days", 14)), "")
    for started, expected in ((AS_OF - timedelta(days=100), None), (AS_OF - timedelta(days=5), True)):
        doc = bundle(med("s", None, "Sertraline 50 MG Oral Tablet", status="stopped",
                         authoredOn=started.isoformat()))
        case = engine.case(engine.snapshot(doc), AS_OF)
        fv = REGISTRY["med_stopped_within"].derive(engine.knowledge, case, spec)
        assert (fv.value if fv.known else None) == expected, fv


# ------------------------------------------------------------------ import issues


def test_relevant_entry_that_cannot_be_mapped_becomes_a_finding(engine: Engine) -> None:
    no_value = obs("tsh-1", "3016-3", "TSH", dataAbsentReason={"text": "sample haemolysed"})
    bad_cond = {"resourceType": "Condition", "id": "c-bad", "subject": {"reference": "Patient/p1"},
                "code": {"coding": [{"system": SNOMED, "code": 12345}]}, "clinicalStatus": "active"}
    partial = obs("li-1", "14334-7", "Lithium", when="2026-10", valueQuantity={"value": 1.9, "unit": "mmol/L"})
    claim = {"resourceType": "Claim", "id": "cl", "status": "active", "bogus": True}
    snap = engine.snapshot(bundle(no_value, bad_cond, partial, claim))
    issues = {i.source: i.problem for i in snap.data_issues}
    assert set(issues) == {"Observation/tsh-1", "Condition/c-bad", "Observation/li-1"}
    assert "haemolysed" in issues["Observation/tsh-1"] and "partial" in issues["Observation/li-1"]
    assert "clinicalStatus" in issues["Condition/c-bad"]
    result = engine.evaluate(snap, as_of=AS_OF)
    f = next(f for f in result.findings if f.rule_id == "GN-DQ-010")
    assert f.severity == "moderate" and {e.record for e in f.evidence} == set(issues)
    assert f.detail.endswith("who knows the patient and decides.")


def test_entries_of_another_patient_are_reported_not_used(engine: Engine) -> None:
    stray = obs("x", "3016-3", "TSH", valueQuantity={"value": 9, "unit": "mIU/L"})
    stray["subject"] = {"reference": "Patient/someone-else"}
    snap = engine.snapshot(bundle(stray))
    assert snap.results == [] and "another patient" in snap.data_issues[0].problem


def test_lenient_about_ids_and_unknown_elements(engine: Engine) -> None:
    odd = obs("tsh\u20111", "3016-3", "TSH", valueQuantity={"value": 2.0, "unit": "mIU/L"})
    odd["..."] = "<snipped for brevity>"
    patient = {"resourceType": "Patient", "id": "p1", "gender": "male", "birthDate": "1974-12-25",
               "...": "<snipped for brevity>"}
    snap = engine.snapshot(bundle(odd, patient_res=patient))
    assert snap.data_issues == [] and snap.patient.sex == "male" and snap.results[0].value == 2.0


def test_the_mapping_is_deterministic(engine: Engine) -> None:
    doc = json.loads(ELISEO.read_text())
    a = engine.evaluate(copy.deepcopy(doc), as_of=AS_OF).model_dump_json()
    b = engine.evaluate(copy.deepcopy(doc), as_of=AS_OF).model_dump_json()
    assert a == b
