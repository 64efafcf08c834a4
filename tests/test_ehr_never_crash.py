"""Never crash, never lose the rest (issue 10 §8): no input value raises out of an evaluation; a rule whose
evaluation raises becomes a "cannot assess" finding naming the rule and the reason, every other rule's
result is still returned, and a "cannot assess" on a critical rule stays at least high."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import setpoint.core as core
from setpoint import Engine
from setpoint.errors import SnapshotError
from setpoint.findings import cannot_assess_severity

AS_OF = date(2026, 11, 21)
EXTREMES = [1e-300, 5e-324, 1e-5, 1e-7, 1e300, 1.7e308, -1.0, -1e300, 0.0, 1e5, 123456789.0]


def _snapshot(value: float, text: str | None = None, comparator: str | None = None) -> dict[str, Any]:
    res: list[dict[str, Any]] = []
    for name, unit in (("TSH", "mIU/L"), ("lithium", "mmol/L"), ("QTc", "ms"), ("sodium", "mmol/L"),
                       ("free T4", "pmol/L"), ("hematocrit", "%"), ("estradiol", "pg/mL")):
        r: dict[str, Any] = {"name": name, "value": value, "unit": unit, "collected": "2026-11-20"}
        if comparator:
            r["comparator"] = comparator
        res.append(r)
    if text is not None:
        res.append({"name": "lithium", "value_text": text, "collected": "2026-11-21"})
    return {"patient": {"sex": "female", "age": 70},
            "medications": [
                {"name": "levothyroxine", "dose": 100, "dose_unit": "ug", "frequency": "daily", "start": "2020-01-01"},
                {"name": "lithium carbonate", "dose": 400, "dose_unit": "mg", "frequency": "twice daily",
                 "start": "2020-01-01"},
                {"name": "citalopram", "dose": 40, "dose_unit": "mg", "frequency": "daily", "start": "2020-01-01"}],
            "results": res}


@pytest.mark.parametrize("value", EXTREMES)
def test_extreme_values_evaluate_and_the_matchers_agree(engine: Engine, value: float) -> None:
    result = engine.evaluate(_snapshot(value), as_of=AS_OF)
    assert not [n for n in result.notes if "disagreement" in n]
    assert all(a.outcome != "cannot_assess" or a.reason for a in result.assessed)


def test_tsh_of_1e_minus_5_is_read_as_a_number_by_durable_rules(engine: Engine, compiled_engine: Engine) -> None:
    snap = _snapshot(1e-5)
    a = engine.evaluate(snap, as_of=AS_OF)
    b = compiled_engine.evaluate(snap, as_of=AS_OF)
    assert [(x.rule_id, x.outcome) for x in a.assessed] == [(x.rule_id, x.outcome) for x in b.assessed]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.one_of(st.sampled_from(EXTREMES), st.floats(allow_nan=False, allow_infinity=False)),
       text=st.one_of(st.none(), st.sampled_from(["NaN", "nan", "Infinity", "-", "pending", "<>", "1e999", "∞"])),
       comparator=st.sampled_from([None, "<", ">", "<=", ">="]))
def test_no_value_raises_out_of_an_evaluation(engine: Engine, value: float, text: str | None,
                                             comparator: str | None) -> None:
    try:
        result = engine.evaluate(_snapshot(value, text, comparator), as_of=AS_OF)
    except SnapshotError:
        return  # rejected at the boundary with a message naming the field: not a crash
    assert result.assessed
    assert not [n for n in result.notes if "disagreement" in n]


def test_a_rule_that_raises_is_reported_and_the_rest_still_returned(engine: Engine,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    target = next(r for r in engine.rulebase.rules if r.id == "NC-LI-019")
    real = core.valuate

    def broken(node: Any, facts: Any) -> Any:
        if node is target.tree:
            raise IndexError("tuple index out of range")
        return real(node, facts)

    monkeypatch.setattr(core, "valuate", broken)
    snap = _snapshot(2.0)
    result = engine.evaluate(snap, as_of=AS_OF)
    failed = next(f for f in result.findings if f.rule_id == "NC-LI-019")
    assert failed.outcome == "cannot_assess"
    assert "NC-LI-019 could not be evaluated" in failed.missing[0] and "IndexError" in failed.missing[0]
    assert failed.severity in ("high", "critical")
    assert len(result.assessed) == len(engine.rulebase.rules)
    assert any(f.outcome == "fired" for f in result.findings)


def test_cannot_assess_on_a_critical_rule_is_at_least_high() -> None:
    assert cannot_assess_severity("critical", "moderate") == "high"
    assert cannot_assess_severity("critical", "critical") == "critical"
    assert cannot_assess_severity("high", "moderate") == "moderate"
