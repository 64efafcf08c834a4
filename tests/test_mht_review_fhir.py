"""HR-EST-078 from an EHR record (issue 11): a completed FHIR Procedure coded as a medication review within
the last year silences the lowest-effective-dose review reminder; one older than a year, a review only
planned, or an uncoded procedure about something else does not."""

from __future__ import annotations

from datetime import date

from setpoint import Engine
from tests.fhir_data import SNOMED, bundle, med, patient

AS_OF = date(2026, 11, 21)
RULE = "HR-EST-078"


def _review(rid: str, when: str, status: str = "completed", code: str | None = "314530002",
            text: str = "Medication review done") -> dict:
    cc: dict = {"text": text}
    if code:
        cc["coding"] = [{"system": SNOMED, "code": code, "display": text}]
    return {"resourceType": "Procedure", "id": rid, "status": status, "subject": {"reference": "Patient/p1"},
            "code": cc, "performedDateTime": when}


def _woman_66_on_oral_estradiol(*extra: dict) -> dict:
    return bundle(med("m1", None, "Estradiol 1 MG Oral Tablet", authoredOn="2023-06-01"), *extra,
                  patient_res=patient(birth="1960-03-01"))


def _outcome(engine: Engine, doc: dict) -> str | None:
    result = engine.evaluate(doc, as_of=AS_OF)
    return next((f.outcome for f in result.findings if f.rule_id == RULE), None)


def test_fires_without_a_recorded_review(engine: Engine) -> None:
    assert _outcome(engine, _woman_66_on_oral_estradiol()) == "fired"


def test_a_medication_review_procedure_100_days_ago_silences_it(engine: Engine) -> None:
    assert _outcome(engine, _woman_66_on_oral_estradiol(_review("r1", "2026-08-13"))) is None


def test_review_of_medication_code_counts_too(engine: Engine) -> None:
    doc = _woman_66_on_oral_estradiol(_review("r1", "2026-08-13", code="182836005", text="Review of medication"))
    assert _outcome(engine, doc) is None


def test_an_uncoded_hrt_review_procedure_counts(engine: Engine) -> None:
    doc = _woman_66_on_oral_estradiol(_review("r1", "2026-08-13", code=None, text="HRT review"))
    assert _outcome(engine, doc) is None


def test_a_review_more_than_a_year_ago_does_not_silence_it(engine: Engine) -> None:
    assert _outcome(engine, _woman_66_on_oral_estradiol(_review("r1", "2025-11-20"))) == "fired"


def test_a_review_not_done_does_not_silence_it(engine: Engine) -> None:
    doc = _woman_66_on_oral_estradiol(_review("r1", "2026-08-13", status="not-done"))
    assert _outcome(engine, doc) == "fired"


def test_medication_review_due_is_not_a_review_done(engine: Engine) -> None:
    doc = _woman_66_on_oral_estradiol(_review("r1", "2026-08-13", code="314529007", text="Medication review due"))
    assert _outcome(engine, doc) == "fired"
