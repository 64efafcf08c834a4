"""Conditions in free text as EHRs write them: abbreviations read, negation and family history not
taken for the patient's own diagnosis, and a text-only match labelled in the evidence."""

from __future__ import annotations

import pytest

from setpoint import Engine
from setpoint.clinical_text import affirmed, expand

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


@pytest.mark.parametrize(("text", "adrenal", "central_hypothyroid"), [
    ("Hypopituitarism", True, True),  # a broad code is read at its broadest
    ("Hypopituitarism, ACTH axis intact", False, True),
    ("Hypopituitarism (GH and gonadotropin deficiency); adrenal function normal", False, True),
    ("Panhypopituitarism, no ACTH deficiency", False, True),
    ("hypopit - TSH axis intact", True, False),
    ("ACTH deficient and TSH axis intact", True, False),  # never narrowed past what the text affirms
    ("Hypopituitarism: ACTH deficiency; TSH axis normal", True, False),
])
def test_a_broad_code_is_narrowed_by_its_own_text(engine: Engine, text: str, adrenal: bool,
                                                  central_hypothyroid: bool) -> None:
    """E23.0 (hypopituitarism) stands in for adrenal insufficiency and central hypothyroidism unless the
    condition's text says that axis is intact."""
    from setpoint.normalize import _condition_sets
    sets = _condition_sets(engine.knowledge, ("E230",), (), (text,))
    assert ("VS_ADRENAL_INSUFF" in sets) is adrenal
    assert ("VS_CENTRAL_HYPOTHYROID" in sets) is central_hypothyroid


def test_a_specific_code_is_never_narrowed(engine: Engine) -> None:
    from setpoint.normalize import _condition_sets
    sets = _condition_sets(engine.knowledge, ("E271",), (), ("Addison disease, ACTH axis intact",))
    assert "VS_ADRENAL_INSUFF" in sets
