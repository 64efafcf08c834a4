"""Presumptions stated (issue 10 §6): a woman with no hysterectomy on record is presumed to have a uterus,
so the unopposed-estrogen rule fires from an EHR record; the presumption is in the evidence, in the
result's `presumptions` and in every report format."""

from __future__ import annotations

from datetime import date

from setpoint import Engine
from tests.fhir_data import SNOMED, bundle, med

AS_OF = date(2026, 11, 21)
PRESUMED = "uterus presumed present: no hysterectomy or absent uterus on record"


def _estradiol_only(*extra: dict) -> dict:
    return bundle(med("m1", None, "Estradiol 1 MG Oral Tablet", authoredOn="2026-06-01"), *extra)


def test_unopposed_estrogen_fires_from_fhir_with_the_presumption_stated(engine: Engine) -> None:
    result = engine.evaluate(_estradiol_only(), as_of=AS_OF)
    f = next(f for f in result.findings if f.rule_id == "HR-EST-007")
    assert f.outcome == "fired" and f.severity == "high"
    assert any(e.label == "uterus" and e.value == "presumed present" and PRESUMED in (e.note or "")
               for e in f.evidence)
    assert result.presumptions == [PRESUMED]


def test_recorded_hysterectomy_overrides_the_presumption(engine: Engine) -> None:
    hyst = {"resourceType": "Procedure", "id": "h", "status": "completed", "subject": {"reference": "Patient/p1"},
            "code": {"coding": [{"system": SNOMED, "code": "236886002", "display": "Hysterectomy"}],
                     "text": "Hysterectomy"}, "performedDateTime": "2010-05-01"}
    result = engine.evaluate(_estradiol_only(hyst), as_of=AS_OF)
    assert "HR-EST-007" not in {f.rule_id for f in result.findings}
    assert PRESUMED not in result.presumptions


def test_no_presumption_for_a_man(engine: Engine) -> None:
    result = engine.evaluate({"patient": {"sex": "male", "age": 60}}, as_of=AS_OF)
    assert result.presumptions == []


def test_reports_list_the_presumptions(engine: Engine) -> None:
    result = engine.evaluate(_estradiol_only(), as_of=AS_OF)
    for fmt in ("text", "markdown", "html"):
        out = engine.renderer.report(result, fmt)
        assert PRESUMED in out and "resumptions made" in out.replace("PRESUMPTIONS MADE", "Presumptions made"), fmt
    assert PRESUMED in engine.renderer.report(result, "json")
