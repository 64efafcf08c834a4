"""pytest-bdd bindings of the Gherkin step vocabulary shared by every feature file.

The steps are implemented once, in `engine.scenarios` (also run by `setpoint rules test`,
`rules audit` and `rules diff`); each function here is a thin wrapper with the step's sentence.
To add a step, implement it in `engine/scenarios.py`, register it in `STEPS` there and add a
wrapper here with the identical sentence (tests/test_review_scenarios.py checks that they agree).

Scenarios build a snapshot from tables, evaluate it with the real engine (the durable-rules
matcher, checked against the compiled matcher) as of an explicit date, and assert findings.
Dates in tables may be ISO (`2026-01-31`), `today`, or relative to the evaluation date
(`30d ago`, `in 5d`, `2y ago`), so a scenario reads like the clinical rule.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when

from setpoint import Engine
from setpoint import scenarios as sc

ROOT = Path(__file__).resolve().parent.parent
resolve_date = sc.resolve_date


@pytest.fixture
def ctx() -> dict[str, Any]:
    return sc.new_context()


# ------------------------------------------------------------------ given


@given(parsers.parse("the evaluation date is {day}"))
def evaluation_date(ctx: dict[str, Any], day: str) -> None:
    sc.evaluation_date(ctx, day)


@given(parsers.re(r"an? (?P<sex>female|male|other|unknown-sex) patient aged (?P<age>\d+)"))
def patient_aged(ctx: dict[str, Any], sex: str, age: str) -> None:
    sc.patient_aged(ctx, sex, age)


@given(parsers.re(r"an? (?P<sex>female|male|other|unknown-sex) patient of unknown age"))
def patient_no_age(ctx: dict[str, Any], sex: str) -> None:
    sc.patient_no_age(ctx, sex)


@given(parsers.parse("the patient's {field} is {value}"))
def patient_field(ctx: dict[str, Any], field: str, value: str) -> None:
    sc.patient_field(ctx, field, value)


@given("the patient takes:")
def takes(ctx: dict[str, Any], datatable: list[list[str]]) -> None:
    sc.takes(ctx, datatable)


@given("the patient has conditions:")
def has_conditions(ctx: dict[str, Any], datatable: list[list[str]]) -> None:
    sc.has_conditions(ctx, datatable)


@given("the patient has results:")
def has_results(ctx: dict[str, Any], datatable: list[list[str]]) -> None:
    sc.has_results(ctx, datatable)


@given("the patient has scores:")
def has_scores(ctx: dict[str, Any], datatable: list[list[str]]) -> None:
    sc.has_scores(ctx, datatable)


@given("the patient has vital signs:")
def has_vitals(ctx: dict[str, Any], datatable: list[list[str]]) -> None:
    sc.has_vitals(ctx, datatable)


@given("the patient has smoking records:")
def has_smoking(ctx: dict[str, Any], datatable: list[list[str]]) -> None:
    sc.has_smoking(ctx, datatable)


@given("the patient has notes:")
def has_notes(ctx: dict[str, Any], datatable: list[list[str]]) -> None:
    sc.has_notes(ctx, datatable)


@given(parsers.parse('the snapshot file "{path}"'))
def snapshot_file(ctx: dict[str, Any], path: str) -> None:
    sc.snapshot_file(ctx, path, ROOT)


# ------------------------------------------------------------------ when


@when("the engine evaluates the patient")
def evaluate(ctx: dict[str, Any], engine: Engine, compiled_engine: Engine) -> None:
    assert engine.matcher == "durable", engine.load_notes
    sc.evaluate(ctx, engine, twin=compiled_engine)


# ------------------------------------------------------------------ then


@then(parsers.parse("rule {rule_id} fires with severity {severity}"))
def fires(ctx: dict[str, Any], rule_id: str, severity: str) -> None:
    sc.fires(ctx, rule_id, severity)


@then(parsers.parse("rule {rule_id} does not fire"))
def silent(ctx: dict[str, Any], rule_id: str) -> None:
    sc.silent(ctx, rule_id)


@then(parsers.parse("rule {rule_id} cannot be assessed"))
def cannot_assess(ctx: dict[str, Any], rule_id: str) -> None:
    sc.cannot_assess(ctx, rule_id)


@then(parsers.parse("rule {rule_id} is reported as cannot assess"))
def cannot_assess_finding(ctx: dict[str, Any], rule_id: str) -> None:
    sc.cannot_assess_finding(ctx, rule_id)


@then(parsers.parse('the cannot-assess reason mentions "{text}"'))
def cannot_assess_reason(ctx: dict[str, Any], text: str) -> None:
    sc.cannot_assess_reason(ctx, text)


@then("the findings are exactly:")
def findings_exactly(ctx: dict[str, Any], datatable: list[list[str]]) -> None:
    sc.findings_exactly(ctx, datatable)


@then(parsers.parse("finding {rule_id} is grouped under {lead}"))
def grouped(ctx: dict[str, Any], rule_id: str, lead: str) -> None:
    sc.grouped(ctx, rule_id, lead)


@then(parsers.parse("no finding is above {severity}"))
def nothing_above(ctx: dict[str, Any], severity: str) -> None:
    sc.nothing_above(ctx, severity)


@then("there are no findings")
def no_findings(ctx: dict[str, Any]) -> None:
    sc.no_findings(ctx)
