"""HR-CHC-060 from an EHR record (issue 11): a delivery Procedure becomes a VS_CHILDBIRTH condition whose onset is
the performed date, so combined hormonal contraception fewer than 21 days after the birth is CDC MEC category 4
(critical); 21 days or more is silent, and a delivery with no date is listed as not assessed (no alert)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from setpoint import Engine
from tests.fhir_data import SNOMED, bundle, patient, yaz

AS_OF = date(2026, 11, 21)


def _yaz() -> dict[str, Any]:
    return yaz("2026-11-14T10:00:00+00:00")


RULE = "HR-CHC-060"


def _caesarean(when: str | None) -> dict[str, Any]:
    proc: dict[str, Any] = {"resourceType": "Procedure", "id": "cs", "status": "completed",
                            "subject": {"reference": "Patient/p1"},
                            "code": {"coding": [{"system": SNOMED, "code": "11466000", "display": "Cesarean section"}],
                                     "text": "Cesarean section"}}
    if when:
        proc["performedDateTime"] = when
    return proc


def _assessment(engine: Engine, doc: dict[str, Any], strict: bool = False) -> tuple[str, Any]:
    result = engine.evaluate(engine.snapshot(doc, strict_fhir=strict), as_of=AS_OF)
    a = next(a for a in result.assessed if a.rule_id == RULE)
    return a.outcome, result


@pytest.mark.parametrize("strict", [False, True])
def test_a_caesarean_7_days_ago_on_yaz_fires_critical(engine: Engine, strict: bool) -> None:
    doc = bundle(_yaz(), _caesarean("2026-11-14T08:00:00+00:00"), patient_res=patient(birth="1995-04-01"))
    outcome, result = _assessment(engine, doc, strict)
    assert outcome == "fired"
    f = next(f for f in result.findings if f.rule_id == RULE)
    assert f.severity == "critical"
    assert any(e.record == "Procedure/cs" for e in f.evidence)


@pytest.mark.parametrize(("when", "expected"), [("2026-11-01", "fired"), ("2026-10-31", "not_fired"),
                                                ("2026-10-22", "not_fired")])
def test_day_20_fires_and_day_21_does_not(engine: Engine, when: str, expected: str) -> None:
    doc = bundle(_yaz(), _caesarean(when), patient_res=patient(birth="1995-04-01"))
    assert _assessment(engine, doc)[0] == expected


def test_an_undated_caesarean_is_not_an_alert_but_not_assessed(engine: Engine) -> None:
    outcome, result = _assessment(engine, bundle(_yaz(), _caesarean(None), patient_res=patient(birth="1995-04-01")))
    assert outcome == "cannot_assess"
    assert not [f for f in result.findings if f.rule_id == RULE and f.outcome == "fired"]
    reason = next(a.reason for a in result.assessed if a.rule_id == RULE)
    assert "onset date" in (reason or "")
