"""Censored values are intervals (issue 10 §5): "<18" satisfies "< 50" and fails "> 50"; only a threshold
inside the interval makes a rule "cannot assess"; the evidence shows the value as written."""

from __future__ import annotations

from datetime import date
from typing import Any

from setpoint import Engine
from setpoint.facts.model import Censored
from setpoint.leaves.base import Check
from tests.fhir_data import bundle, med, obs

AS_OF = date(2026, 11, 21)


def _lithium(value: Any, comparator: str | None = None, unit: str = "mmol/L") -> dict[str, Any]:
    res: dict[str, Any] = {"id": "li", "code": "14334-7", "name": "Lithium", "value": value, "unit": unit,
                           "collected": "2026-11-20T08:00:00", "hours_since_dose": 12}
    if comparator:
        res["comparator"] = comparator
    return {"patient": {"sex": "female", "age": 45},
            "medications": [{"id": "m1", "name": "lithium carbonate", "dose": 400, "dose_unit": "mg",
                             "frequency": "twice daily", "start": "2024-01-01"}],
            "results": [res]}


def _outcome(result: Any, rule_id: str) -> str:
    return next(a.outcome for a in result.assessed if a.rule_id == rule_id)


def test_interval_decides_thresholds_outside_it_only() -> None:
    below_18 = Censored(0.0, True, 18.0, False, "<18 pmol/L")
    assert below_18.decides(Check("<", 50.0)) and below_18.decides(Check(">", 50.0))
    assert below_18.decides(Check("<", 18.0)) and below_18.decides(Check(">=", 18.0))
    assert not below_18.decides(Check("<", 10.0))
    at_most_18 = Censored(0.0, True, 18.0, True, "<=18 pmol/L")
    assert not at_most_18.decides(Check("<", 18.0))


def test_censored_low_lithium_is_a_usable_fact(engine: Engine) -> None:
    result = engine.evaluate(_lithium(0.2, "<"), as_of=AS_OF)
    assert _outcome(result, "NC-LI-019") == "not_fired"  # "<0.2" fails ">= 1.5"
    assert _outcome(result, "NC-LI-021") == "fired"  # "<0.2" satisfies "< 0.6"
    assert "GN-DQ-001" not in {f.rule_id for f in result.findings}
    low = next(f for f in result.findings if f.rule_id == "NC-LI-021")
    assert any(e.value == "<0.2" and e.unit == "mmol/L" for e in low.evidence)


def test_censored_high_lithium_fires_the_critical_rule(engine: Engine) -> None:
    result = engine.evaluate(_lithium(3.0, ">"), as_of=AS_OF)
    toxic = next(f for f in result.findings if f.rule_id == "NC-LI-019")
    assert toxic.outcome == "fired" and toxic.severity == "critical"
    assert any(e.value == ">3" for e in toxic.evidence)


def test_threshold_inside_the_interval_cannot_be_assessed_and_says_why(engine: Engine) -> None:
    result = engine.evaluate(_lithium(2.0, "<"), as_of=AS_OF)
    assert _outcome(result, "NC-LI-019") == "cannot_assess"
    reason = next(a.reason for a in result.assessed if a.rule_id == "NC-LI-019") or ""
    assert "censored value <2 mmol/L cannot be compared with 1.5 mmol/L" in reason


def test_censored_result_is_a_result_not_missing(engine: Engine) -> None:
    facts = engine.facts(engine.case(_lithium(0.2, "<"), AS_OF))
    assert facts["lab_missing:lithium:213d"].value is False


def test_matchers_agree_on_censored_values(engine: Engine, compiled_engine: Engine) -> None:
    for value, comparator in ((0.2, "<"), (3.0, ">"), (2.0, "<"), (1.2, "<=")):
        snap = _lithium(value, comparator)
        a = engine.evaluate(snap, as_of=AS_OF)
        b = compiled_engine.evaluate(snap, as_of=AS_OF)
        assert [(x.rule_id, x.outcome) for x in a.assessed] == [(x.rule_id, x.outcome) for x in b.assessed]
        assert not any("disagreement" in n for n in a.notes)


def test_censored_tsh_from_fhir_quantity_comparator(engine: Engine) -> None:
    tsh = obs("t", "3016-3", "TSH", valueQuantity={"value": 0.01, "comparator": "<", "unit": "mIU/L"})
    b = bundle(med("m1", "10582", "levothyroxine sodium 0.1 MG Oral Tablet", authoredOn="2020-01-01"), tsh)
    case = engine.case(b, AS_OF)
    r = next(x for x in case.results if x.record_id == "Observation/t")
    assert r.censored is not None and r.censored.high == 0.01
    result = engine.evaluate(b, as_of=AS_OF)
    assert "GN-DQ-001" not in {f.rule_id for f in result.findings}
