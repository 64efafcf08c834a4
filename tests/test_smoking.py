"""Smoking status (issue 11): read from FHIR (LOINC 72166-2, 64218-1, 8663-7) and from the snapshot's `smoking`
section, judged by HR-CHC-060 (category 4) and HR-CHC-079 (category 3) for combined hormonal contraception."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from setpoint import Engine
from setpoint.snapshot.models import SmokingRecord

from .fhir_data import ELISEO, HASSAN, LOINC, SNOMED, TWANDA, YAZ, bundle, obs, patient, yaz

AS_OF = date(2026, 11, 21)


def _yaz() -> dict[str, Any]:
    return yaz("2025-06-01T10:00:00+00:00")


def _status(oid: str, code: str | None, display: str, when: str = "2026-10-01T09:30:00+00:00",
            system: str = SNOMED) -> dict[str, Any]:
    """A Synthea-style "Tobacco smoking status" Observation (social-history category)."""
    value: dict[str, Any] = {"text": display}
    if code:
        value["coding"] = [{"system": system, "code": code, "display": display}]
    o = obs(oid, "72166-2", "Tobacco smoking status", when=when, valueCodeableConcept=value)
    o["category"] = [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                  "code": "social-history", "display": "Social History"}]}]
    return o


def _woman_of_38() -> dict[str, Any]:
    return patient(birth="1988-05-01")


def _ids(result: Any) -> dict[str, str]:
    return {f.rule_id: f.severity for f in result.findings if f.outcome == "fired"}


@pytest.mark.parametrize("strict", [False, True])
def test_a_synthea_like_bundle_of_a_smoker_of_38_on_yaz_fires_hr_chc_079(engine: Engine, strict: bool) -> None:
    doc = bundle(_yaz(), _status("smk", "449868002", "Current every day smoker"), patient_res=_woman_of_38())
    snap = engine.snapshot(doc, strict_fhir=strict)
    assert [(s.id, s.status, s.answer, s.date) for s in snap.smoking] == [
        ("Observation/smk", "current", "Current every day smoker", date(2026, 10, 1))]
    assert snap.input is not None and snap.input.by_type["Observation"].used == 1
    result = engine.evaluate(snap, as_of=AS_OF)
    fired = _ids(result)
    assert fired.get("HR-CHC-079") == "high" and "HR-CHC-060" not in fired
    f = next(f for f in result.findings if f.rule_id == "HR-CHC-079")
    assert any(e.record == "Observation/smk" and e.value == "current smoker" for e in f.evidence)
    assert "This patient is 38" in f.detail and "estrogen-free" in f.detail


def test_twenty_a_day_makes_it_category_4_and_packs_are_read_as_20_cigarettes(engine: Engine) -> None:
    per_day = obs("cpd", "64218-1", "How many cigarettes do you smoke per day now",
                  valueQuantity={"value": 20, "unit": "/d", "system": "http://unitsofmeasure.org", "code": "/d"})
    doc = bundle(_yaz(), _status("smk", "449868002", "Current every day smoker"), per_day,
                 patient_res=_woman_of_38())
    fired = _ids(engine.evaluate(doc, as_of=AS_OF))
    assert fired.get("HR-CHC-060") == "critical" and "HR-CHC-079" not in fired

    packs = obs("ppd", "8663-7", "Cigarettes smoked current (pack per day) - Reported",
                valueQuantity={"value": 0.75, "unit": "{pack}/d"})
    doc = bundle(_yaz(), _status("smk", "449868002", "Current every day smoker"), packs, patient_res=_woman_of_38())
    snap = engine.snapshot(doc)
    assert [(s.per_day, s.note) for s in snap.smoking if s.per_day is not None] == [
        (15.0, "presumption: a pack read as 20 cigarettes: 0.75 packs of cigarettes smoked a day read as 15 "
               "cigarettes a day")]
    result = engine.evaluate(doc, as_of=AS_OF)
    assert _ids(result).get("HR-CHC-060") == "critical"
    assert any("a pack read as 20 cigarettes" in p for p in result.presumptions)


def test_loinc_answers_and_text_only_answers_are_read(engine: Engine) -> None:
    doc = bundle(_status("a", "LA15920-4", "Former smoker", system=LOINC, when="2026-01-01"),
                 _status("b", None, "Ex-smoker", when="2026-02-01"),
                 _status("c", None, "Non-smoker", when="2026-03-01"),
                 _status("d", "266927001", "Unknown if ever smoked", when="2026-04-01"),
                 patient_res=_woman_of_38())
    snap = engine.snapshot(doc)
    assert [(s.id, s.status) for s in snap.smoking] == [
        ("Observation/a", "former"), ("Observation/b", "former"), ("Observation/c", "never"),
        ("Observation/d", "unknown")]
    assert snap.data_issues == []


@pytest.mark.parametrize("strict", [False, True])
def test_an_unrecognised_answer_is_a_data_issue_naming_the_record(engine: Engine, strict: bool) -> None:
    odd = _status("odd", "999999999", "Vapes on weekends")
    empty = obs("nothing", "72166-2", "Tobacco smoking status")
    doc = bundle(_yaz(), odd, empty, patient_res=_woman_of_38())
    snap = engine.snapshot(doc, strict_fhir=strict)
    assert snap.smoking == []
    problems = {i.source: i.problem for i in snap.data_issues}
    assert problems["Observation/odd"] == "smoking status answer 'Vapes on weekends' not recognised"
    assert problems["Observation/nothing"].startswith("no value")
    result = engine.evaluate(snap, as_of=AS_OF)
    assert "GN-DQ-010" in {f.rule_id for f in result.findings}
    a = next(a for a in result.assessed if a.rule_id == "HR-CHC-079")
    assert a.outcome == "cannot_assess" and "no smoking status on record" in (a.reason or "")


def test_no_smoking_status_is_not_a_non_smoker_and_raises_no_alert(engine: Engine) -> None:
    result = engine.evaluate(bundle(_yaz(), patient_res=_woman_of_38()), as_of=AS_OF)
    a = next(a for a in result.assessed if a.rule_id == "HR-CHC-079")
    assert a.outcome == "cannot_assess"
    assert not any(f.rule_id in ("HR-CHC-079", "HR-CHC-060") for f in result.findings)


def test_a_stale_status_and_a_future_record(engine: Engine) -> None:
    snap = {"patient": {"sex": "female", "age": 38},
            "medications": [{"name": YAZ, "start": "2025-06-01"}],
            "smoking": [{"id": "old", "status": "current", "date": "2023-10-01"},
                        {"id": "ahead", "status": "current", "date": "2026-12-21"}]}
    result = engine.evaluate(snap, as_of=AS_OF)
    a = next(a for a in result.assessed if a.rule_id == "HR-CHC-079")
    assert a.outcome == "cannot_assess" and "latest 2023-10-01" in (a.reason or "")
    dq = [f for f in result.findings if f.rule_id == "GN-DQ-010"]
    assert dq and any(e.record == "ahead" for f in dq for e in f.evidence)


def test_the_snapshot_record_needs_a_status_or_an_amount() -> None:
    with pytest.raises(ValidationError, match="needs a status or per_day"):
        SmokingRecord.model_validate({"date": "2026-01-01"})
    with pytest.raises(ValidationError):
        SmokingRecord.model_validate({"status": "sometimes", "date": "2026-01-01"})
    assert SmokingRecord.model_validate({"per_day": 10, "date": "2026-01-01"}).status is None


def test_the_synthea_records_carry_their_smoking_status(engine: Engine) -> None:
    expected = {ELISEO: "never", HASSAN: "former", TWANDA: "never"}
    for path, status in expected.items():
        snap = engine.snapshot(path)
        assert snap.smoking and {s.status for s in snap.smoking} == {status}, path.name
        assert snap.data_issues == []
        raw = json.loads(path.read_text())
        n = sum(1 for e in raw["entry"] if e["resource"]["resourceType"] == "Observation"
                and any(c.get("code") == "72166-2" for c in e["resource"]["code"].get("coding", [])))
        assert len(snap.smoking) == n


def test_the_fast_and_strict_paths_read_smoking_the_same(engine: Engine) -> None:
    doc = bundle(_yaz(), _status("smk", "449868002", "Current every day smoker"),
                 _status("txt", None, "Former smoker", when="2025-01-01"),
                 _status("odd", "999999999", "Vapes on weekends"),
                 obs("cpd", "64218-1", "How many cigarettes do you smoke per day now", valueInteger=12),
                 obs("ppd", "8663-7", "Cigarettes smoked current (pack per day) - Reported",
                     valueQuantity={"value": 1, "unit": "{pack}/d"}),
                 obs("str", "64218-1", "How many cigarettes do you smoke per day now", valueString="about ten"),
                 patient_res=_woman_of_38())
    fast, strict = engine.snapshot(doc, strict_fhir=False), engine.snapshot(doc, strict_fhir=True)
    assert fast == strict
    assert [(s.id, s.status, s.per_day) for s in fast.smoking] == [
        ("Observation/smk", "current", None), ("Observation/txt", "former", None), ("Observation/cpd", None, 12),
        ("Observation/ppd", None, 20.0)]
    assert {i.source: i.problem for i in fast.data_issues} == {
        "Observation/odd": "smoking status answer 'Vapes on weekends' not recognised",
        "Observation/str": "cigarettes smoked a day 'about ten' is not a number"}
