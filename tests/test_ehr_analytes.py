"""Analytes by meaning (issue 10 §1): other LOINC codes for the same test, names as laboratories write
them, the specimen written in the name, ECG sources, and results that resemble a test but cannot be read."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from setpoint import Engine
from setpoint.knowledge.names import name_key
from setpoint.normalize import resolve_analyte
from tests.fhir_data import LOINC, bundle, med, obs

AS_OF = date(2026, 11, 21)


def _fired(result: Any) -> set[str]:
    return {f.rule_id for f in result.findings if f.outcome == "fired"}


def _local_obs(oid: str, text: str, value: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """An Observation with only a local code and the laboratory's own name for the test."""
    return {"resourceType": "Observation", "id": oid, "status": "final", "subject": {"reference": "Patient/p1"},
            "code": {"coding": [{"system": "urn:oid:1.2.3.4.5", "code": "LAB-77", "display": text}], "text": text},
            "effectiveDateTime": "2026-11-20T08:00:00Z", **(value or {}), **extra}


def _lithium_patient(*observations: dict[str, Any]) -> dict[str, Any]:
    return bundle(med("m1", "6448", "lithium carbonate 300 MG Oral Capsule", authoredOn="2024-01-01"), *observations)


@pytest.mark.parametrize("name, analyte", [
    ("Lithium LVL", "lithium"), ("LITHIUM, SERUM", "lithium"), ("Lithium level (random)", "lithium"),
    ("TSH (3rd gen) SerPl", "tsh"), ("Thyrotropin [Units/volume] in Serum or Plasma", "tsh"),
    ("Free T4, Ser/Plas", "free_t4"), ("T4 free", "free_t4"), ("Testosterone, Free (LC/MS/MS)", "testosterone_free"),
    ("Sodium Lvl", "sodium"), ("CREATININE, SERUM", "creatinine"), ("eGFR CKD-EPI 2021", "egfr"),
    ("QTc Fridericia", "qtc"), ("Estradiol, saliva", "estradiol"), ("Cortisol urine", "cortisol"),
    ("Cortisol, saliva", "cortisol_saliva"), ("Cortisol AM", "cortisol"),
    ("TSH W/REFLEX TO FT4", "tsh"), ("TESTOSTERONE,TOTAL,MS", "testosterone_total"), ("T4,FREE(DIRECT)", "free_t4"),
])
def test_laboratory_names_resolve_to_the_analyte(engine: Engine, name: str, analyte: str) -> None:
    assert resolve_analyte(engine.knowledge, None, name) == analyte


def test_specimen_written_in_the_name_is_read_as_the_specimen() -> None:
    assert name_key("Estradiol, saliva").specimen == "saliva"
    assert name_key("Cortisol urine").specimen == "urine"
    assert name_key("QTc (12-lead ECG)").specimen == "ecg"
    assert name_key("Lithium, serum").specimen is None  # serum is what serum cut-offs assume


@pytest.mark.parametrize("code", ["11579-0", "2947-0", "39791-9", "38483-4", "48642-3", "88294-4", "71833-8"])
def test_other_loinc_codes_for_the_same_test_are_known(engine: Engine, code: str) -> None:
    assert code in engine.knowledge.loinc_to_analyte


def test_toxic_lithium_under_a_local_code_and_lab_name_fires_the_critical_rule(engine: Engine) -> None:
    b = _lithium_patient(_local_obs("li", "LITHIUM LVL", {"valueQuantity": {"value": 2.1, "unit": "mmol/L"}}))
    result = engine.evaluate(b, as_of=AS_OF)
    assert "NC-LI-019" in _fired(result)
    toxic = next(f for f in result.findings if f.rule_id == "NC-LI-019")
    assert toxic.severity == "critical"


def test_salivary_estradiol_named_in_the_test_name_is_not_compared_with_serum_cutoffs(engine: Engine) -> None:
    snap = {"patient": {"sex": "female", "age": 50},
            "results": [{"id": "e2", "name": "Estradiol, saliva", "value": 900, "unit": "pg/mL",
                         "collected": "2026-11-20"}]}
    case = engine.case(snap, AS_OF)
    assert case.results[0].specimen == "saliva"
    assert case.results[0].value is None and "serum cut-offs do not apply" in (case.results[0].problem or "")


def test_qtc_whose_specimen_names_the_ecg_is_used(engine: Engine) -> None:
    qtc = obs("q", "8636-3", "QTc interval", valueQuantity={"value": 520, "unit": "ms"},
              specimen={"display": "12-lead EKG"})
    b = bundle(med("m1", "2556", "citalopram 20 MG Oral Tablet", authoredOn="2025-01-01"), qtc)
    result = engine.evaluate(b, as_of=AS_OF)
    assert "NC-QT-014" in _fired(result)


def test_qtc_whose_specimen_text_is_the_test_itself_is_used(engine: Engine) -> None:
    qtc = obs("q", "8636-3", "QTc interval", valueQuantity={"value": 520, "unit": "ms"},
              specimen={"display": "QTc measurement"})
    b = bundle(med("m1", "2556", "citalopram 20 MG Oral Tablet", authoredOn="2025-01-01"), qtc)
    assert "NC-QT-014" in _fired(engine.evaluate(b, as_of=AS_OF))


def test_pure_volume_fraction_hematocrit_without_unit_reaches_the_threshold(engine: Engine) -> None:
    snap = {"patient": {"sex": "male", "age": 50},
            "medications": [{"name": "testosterone cypionate 200 mg/mL injection", "start": "2025-01-01",
                             "route": "intramuscular"}],
            "results": [{"id": "hct", "code": "71833-8", "name": "HCT VFr Bld Auto", "value": 0.56,
                         "collected": "2026-11-10"}]}
    case = engine.case(snap, AS_OF)
    assert case.results[0].value == pytest.approx(56.0)
    assert "pure fraction" in (case.results[0].note or "")
    assert "HR-TST-018" in _fired(engine.evaluate(snap, as_of=AS_OF))


def test_result_resembling_lithium_that_cannot_be_mapped_is_reported_not_dropped(engine: Engine) -> None:
    odd = _local_obs("li", "Lithium, RBC", {"valueQuantity": {"value": 0.4, "unit": "{ratio}"}})
    b = _lithium_patient(odd)
    snap = engine.snapshot(b)
    assert any(r.id == "Observation/li" for r in snap.results)
    result = engine.evaluate(b, as_of=AS_OF)
    dq = next(f for f in result.findings if f.rule_id == "GN-DQ-001")
    assert any(e.record == "Observation/li" and "resembles Lithium" in (e.note or "") for e in dq.evidence)
    # A rule asking for a usable lithium level names that record as the reason, never "none on record".
    fv = engine.facts(engine.case(b, AS_OF))["lab_missing:lithium:213d"]
    assert "resembles Lithium" in (fv.reason or "")
    assert [e.record for e in fv.evidence] == ["Observation/li"]


def test_unrelated_urine_dipstick_is_not_relevant(engine: Engine) -> None:
    dip = obs("g", "5792-7", "Glucose [Mass/volume] in Urine by Test strip",
              valueQuantity={"value": 0, "unit": "mg/dL"})
    dip["code"]["coding"][0]["system"] = LOINC
    snap = engine.snapshot(bundle(dip))
    assert not snap.results and not snap.data_issues


def test_an_unreadable_lookalike_never_hides_a_readable_result(engine: Engine) -> None:
    serum = obs("li", "14334-7", "Lithium", when="2026-11-19T08:00:00Z", valueQuantity={"value": 2.1, "unit": "mmol/L"})
    rbc = _local_obs("rbc", "Lithium, RBC", {"valueQuantity": {"value": 0.4, "unit": "{ratio}"}})
    result = engine.evaluate(_lithium_patient(serum, rbc), as_of=AS_OF)
    assert "NC-LI-019" in _fired(result)
    assert "GN-DQ-001" in _fired(result)


@pytest.mark.parametrize("name", ["TSH receptor antibody", "Free T4 index", "PSA free/total ratio"])
def test_another_test_about_the_same_substance_is_not_relevant(engine: Engine, name: str) -> None:
    snap = engine.snapshot(bundle(_local_obs("x", name, {"valueQuantity": {"value": 1.2, "unit": "IU/L"}})))
    assert not snap.results and not snap.data_issues
