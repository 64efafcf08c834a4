"""Conditions in free text as EHRs write them: abbreviations read, negation and family history not
taken for the patient's own diagnosis, and a text-only match labelled in the evidence."""

from __future__ import annotations

import pytest

from engine import Engine
from engine.clinical_text import affirmed, expand

from .conftest import AS_OF


@pytest.mark.parametrize(("text", "expected"), [
    ("h/o DVT 2019", "history of deep vein thrombosis 2019"),
    ("Hx of CVA", "history of stroke"),
    ("s/p hysterectomy", "status post hysterectomy"),
    ("Breast CA", "Breast cancer"),
])
def test_abbreviations_are_spelled_out(text: str, expected: str) -> None:
    assert expand(text) == expected


@pytest.mark.parametrize("text", [
    "No history of seizures", "Denies seizures", "Mother had breast CA", "FHx of breast cancer",
    "PE ruled out", "r/o PE", "negative for DVT", "Family history of stroke",
])
def test_negated_or_family_text_asserts_nothing_about_the_patient(text: str) -> None:
    assert affirmed(text) == ""


@pytest.mark.parametrize(("text", "kept"), [
    ("Breast cancer, not on treatment", "Breast cancer"),
    ("Seizure disorder; no seizures since 2010", "Seizure disorder"),
    ("Denies chest pain, h/o MI", "history of myocardial infarction"),
    ("Absent uterus", "Absent uterus"),
])
def test_the_affirmed_part_survives_a_negation_elsewhere(text: str, kept: str) -> None:
    assert affirmed(text) == kept


def _patient(condition: str, drug: str) -> dict:
    return {"patient": {"sex": "female", "age": 52},
            "medications": [{"name": drug, "dose": 150, "dose_unit": "mg", "frequency": "daily", "route": "oral",
                             "start": "2026-06-01"}],
            "conditions": [{"id": "c1", "text": condition}]}


def test_no_history_of_seizures_raises_no_seizure_contraindication(engine: Engine) -> None:
    r = engine.evaluate(_patient("No history of seizures", "bupropion"), as_of=AS_OF)
    assert "NC-BUP-043" not in {f.rule_id for f in r.findings}
    r = engine.evaluate(_patient("h/o sz", "bupropion"), as_of=AS_OF)
    hit = next(f for f in r.findings if f.rule_id == "NC-BUP-043")
    assert any("read from free text" in (e.note or "") for e in hit.evidence)


def test_history_of_dvt_in_shorthand_is_not_missed(engine: Engine) -> None:
    snap = _patient("h/o DVT", "estradiol")
    snap["medications"][0].update(dose=1, dose_unit="mg")
    r = engine.evaluate(snap, as_of=AS_OF)
    assert any(f.rule_id == "HR-EST-003" and f.severity == "critical" for f in r.findings)
    snap["conditions"][0]["text"] = "Mother had DVT"
    r = engine.evaluate(snap, as_of=AS_OF)
    assert "HR-EST-003" not in {f.rule_id for f in r.findings}
