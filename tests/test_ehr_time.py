"""Time and course (issue 10 §7): results dated up to one day after `as_of` are used and that is stated;
later ones are reported; a dose change is not a new start."""

from __future__ import annotations

from datetime import date

from setpoint import Engine
from tests.fhir_data import bundle, med, obs

AS_OF = date(2026, 11, 21)


def _lithium_bundle(when: str) -> dict:
    return bundle(med("m1", "6448", "lithium carbonate 300 MG Oral Capsule", authoredOn="2024-01-01"),
                  obs("li", "14334-7", "Lithium", when=when, valueQuantity={"value": 2.1, "unit": "mmol/L"}))


def test_result_a_few_hours_after_as_of_is_used_and_stated(engine: Engine) -> None:
    # Collected at 02:00 local time on the 22nd at a site east of UTC; the server evaluates on the 21st.
    result = engine.evaluate(_lithium_bundle("2026-11-22T02:00:00+05:00"), as_of=AS_OF)
    toxic = next(f for f in result.findings if f.rule_id == "NC-LI-019")
    assert toxic.outcome == "fired" and toxic.severity == "critical"
    assert any("used as current (clock skew or time zone)" in p for p in result.presumptions)


def test_result_days_after_as_of_is_reported_not_dropped(engine: Engine) -> None:
    result = engine.evaluate(_lithium_bundle("2026-11-25T09:00:00Z"), as_of=AS_OF)
    dq = next(f for f in result.findings if f.rule_id == "GN-DQ-010")
    assert any(e.record == "Observation/li" and "after the evaluation date" in (e.note or "") for e in dq.evidence)
    assert "NC-LI-019" not in {f.rule_id for f in result.findings if f.outcome == "fired"}


def _levothyroxine(records: list[dict]) -> dict:
    return {"patient": {"sex": "female", "age": 72}, "medications": records}


def test_dose_change_is_not_a_new_start(engine: Engine) -> None:
    # A 20-year user whose dose went from 75 to 100 ug ten days ago: the EHR closes one order, opens another.
    snap = _levothyroxine([
        {"id": "old", "name": "levothyroxine", "dose": 75, "dose_unit": "ug", "frequency": "daily",
         "start": "2006-03-01", "end": "2026-11-11"},
        {"id": "new", "name": "levothyroxine", "dose": 100, "dose_unit": "ug", "frequency": "daily",
         "start": "2026-11-11"},
    ])
    result = engine.evaluate(snap, as_of=AS_OF)
    assert "HR-THY-039" not in {f.rule_id for f in result.findings}
    facts = engine.facts(engine.case(snap, AS_OF))
    assert facts["med_started_within:VS_THYROID_HORMONE:30d"].value is False
    # ... but it is a dose change: rules about recent changes still see it.
    assert facts["med_changed_within:VS_THYROID_HORMONE:84d"].value is True


def test_real_new_start_still_fires(engine: Engine) -> None:
    snap = _levothyroxine([{"id": "new", "name": "levothyroxine", "dose": 100, "dose_unit": "ug",
                            "frequency": "daily", "start": "2026-11-11"}])
    assert "HR-THY-039" in {f.rule_id for f in engine.evaluate(snap, as_of=AS_OF).findings}


def test_restart_after_a_gap_is_a_new_start(engine: Engine) -> None:
    snap = _levothyroxine([
        {"id": "old", "name": "levothyroxine", "dose": 75, "dose_unit": "ug", "frequency": "daily",
         "start": "2006-03-01", "end": "2026-06-01"},
        {"id": "new", "name": "levothyroxine", "dose": 100, "dose_unit": "ug", "frequency": "daily",
         "start": "2026-11-11"},
    ])
    assert "HR-THY-039" in {f.rule_id for f in engine.evaluate(snap, as_of=AS_OF).findings}


def test_dose_change_from_fhir_orders_is_not_a_new_start(engine: Engine) -> None:
    """The new order names the one it replaces (MedicationRequest.priorPrescription)."""
    old = med("o", "10582", "levothyroxine sodium 0.075 MG Oral Tablet", status="stopped", authoredOn="2006-03-01")
    new = med("n", "10582", "levothyroxine sodium 0.1 MG Oral Tablet", authoredOn="2026-11-11",
              priorPrescription={"reference": "MedicationRequest/o"},
              dosageInstruction=[{"timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
                                  "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "TAB"}}]}])
    b = bundle(old, new, patient_res={"resourceType": "Patient", "id": "p1", "gender": "female",
                                      "birthDate": "1953-01-01"})
    current = next(m for m in engine.snapshot(b).medications if m.id == "MedicationRequest/n")
    assert (str(current.start), str(current.last_dose_change)) == ("2006-03-01", "2026-11-11")
    result = engine.evaluate(b, as_of=AS_OF)
    assert "HR-THY-039" not in {f.rule_id for f in result.findings}


def test_a_second_product_running_alongside_is_not_the_same_course(engine: Engine) -> None:
    snap = _levothyroxine([
        {"id": "old", "name": "levothyroxine", "dose": 75, "dose_unit": "ug", "frequency": "daily",
         "start": "2006-03-01", "end": "2027-06-01"},
        {"id": "new", "name": "levothyroxine", "dose": 100, "dose_unit": "ug", "frequency": "daily",
         "start": "2026-11-11"},
    ])
    case = engine.case(snap, AS_OF)
    assert [m.continues for m in case.meds] == [None, None]
