"""Step definitions shared by every feature file.

Scenarios build a snapshot from tables, evaluate it with the real engine (the
durable-rules matcher) as of an explicit date, and assert findings.  Dates in
tables may be ISO (`2026-01-31`), `today`, or relative to the evaluation date
(`30d ago`, `in 5d`, `2y ago`), so a scenario reads like the clinical rule.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest_bdd import given, parsers, then, when

from engine import Engine
from engine.findings import EvaluationResult
from engine.rules.schema import SEVERITY_RANK

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.load()


@pytest.fixture
def ctx() -> dict[str, Any]:
    return {"as_of": None, "snapshot": {"patient": {}}, "result": None}


_REL = re.compile(r"^(?:(?P<ago>\d+)\s*(?P<u1>[dwmy])\s*ago|in\s*(?P<ahead>\d+)\s*(?P<u2>[dwmy]))$")
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


def resolve_date(text: str, as_of: date | None) -> str:
    text = text.strip()
    if text in ("", "-"):
        return ""
    if text == "today":
        assert as_of, "set the evaluation date before using relative dates"
        return as_of.isoformat()
    m = _REL.match(text)
    if m:
        assert as_of, "set the evaluation date before using relative dates"
        if m.group("ago"):
            delta = -int(m.group("ago")) * _UNIT_DAYS[m.group("u1")]
        else:
            delta = int(m.group("ahead")) * _UNIT_DAYS[m.group("u2")]
        return (as_of + timedelta(days=delta)).isoformat()
    return text


def _rows(datatable: list[list[str]]) -> list[dict[str, str]]:
    header = [h.strip() for h in datatable[0]]
    return [{h: c.strip() for h, c in zip(header, row, strict=True) if c.strip() not in ("", "-")}
            for row in datatable[1:]]


def _num(v: str) -> int | float:
    f = float(v)
    return int(f) if f.is_integer() and "." not in v else f


def _bool(v: str) -> bool:
    return v.lower() in ("yes", "true", "y", "1")


# ------------------------------------------------------------------ given


@given(parsers.parse("the evaluation date is {day}"))
def evaluation_date(ctx: dict[str, Any], day: str) -> None:
    ctx["as_of"] = date.fromisoformat(day)


@given(parsers.re(r"an? (?P<sex>female|male|other|unknown-sex) patient aged (?P<age>\d+)"))
def patient_aged(ctx: dict[str, Any], sex: str, age: str) -> None:
    ctx["snapshot"]["patient"].update(sex=sex.replace("unknown-sex", "unknown"), age=int(age))


@given(parsers.re(r"an? (?P<sex>female|male|other|unknown-sex) patient of unknown age"))
def patient_no_age(ctx: dict[str, Any], sex: str) -> None:
    ctx["snapshot"]["patient"].update(sex=sex.replace("unknown-sex", "unknown"))


@given(parsers.parse("the patient's {field} is {value}"))
def patient_field(ctx: dict[str, Any], field: str, value: str) -> None:
    p = ctx["snapshot"]["patient"]
    match field:
        case "pregnancy status":
            p["pregnancy"] = value.replace(" ", "_")
        case "uterus":
            p["uterus"] = value
        case "menopause date":
            p["menopause_date"] = resolve_date(value, ctx["as_of"])
        case "fertility goal":
            p["fertility_goal"] = _bool(value)
        case "birth date":
            p["birth_date"] = resolve_date(value, ctx["as_of"])
            p.pop("age", None)
        case _:
            raise AssertionError(f"unknown patient field {field!r}")


@given("the patient takes:")
def takes(ctx: dict[str, Any], datatable: list[list[str]]) -> None:
    for row in _rows(datatable):
        med: dict[str, Any] = {}
        for k, v in row.items():
            if k in ("name", "route", "frequency", "dose_unit", "indication"):
                med[k] = v
            elif k in ("rxnorm", "atc"):
                med.setdefault("codes", []).append({"system": k, "code": v})
            elif k in ("dose", "times_per_day"):
                med[k] = _num(v)
            elif k in ("start", "end", "last_dose_change"):
                med[k] = resolve_date(v, ctx["as_of"])
            elif k in ("compounded", "prn", "stopped_without_taper"):
                med[k] = _bool(v)
            else:
                raise AssertionError(f"unknown medication column {k!r}")
        ctx["snapshot"].setdefault("medications", []).append(med)


@given("the patient has conditions:")
def has_conditions(ctx: dict[str, Any], datatable: list[list[str]]) -> None:
    for row in _rows(datatable):
        cond: dict[str, Any] = {}
        for k, v in row.items():
            if k in ("icd10cm", "snomed"):
                cond.setdefault("codes", []).append({"system": k, "code": v})
            elif k in ("text", "status"):
                cond[k] = v
            elif k == "onset":
                cond[k] = resolve_date(v, ctx["as_of"])
            else:
                raise AssertionError(f"unknown condition column {k!r}")
        ctx["snapshot"].setdefault("conditions", []).append(cond)


@given("the patient has results:")
def has_results(ctx: dict[str, Any], datatable: list[list[str]]) -> None:
    for row in _rows(datatable):
        res: dict[str, Any] = {}
        for k, v in row.items():
            if k == "loinc":
                res["code"] = v
            elif k in ("name", "unit", "specimen", "value_text", "comparator", "flag"):
                res[k] = v
            elif k == "value":
                m = re.match(r"^(<=|>=|<|>)(.*)$", v)
                if m:
                    res["comparator"], res["value"] = m.group(1), _num(m.group(2))
                else:
                    res["value"] = _num(v)
            elif k == "hours_since_dose":
                res[k] = _num(v)
            elif k == "collected":
                day, _, clock = v.partition(" at ")
                res[k] = resolve_date(day, ctx["as_of"]) + (f"T{clock.strip()}:00" if clock else "")
            else:
                raise AssertionError(f"unknown result column {k!r}")
        ctx["snapshot"].setdefault("results", []).append(res)


@given("the patient has scores:")
def has_scores(ctx: dict[str, Any], datatable: list[list[str]]) -> None:
    for row in _rows(datatable):
        s: dict[str, Any] = {"scale": row["scale"], "date": resolve_date(row["date"], ctx["as_of"])}
        for k in ("total", "item9"):
            if k in row:
                s[k] = int(row[k])
        ctx["snapshot"].setdefault("scales", []).append(s)


@given("the patient has vital signs:")
def has_vitals(ctx: dict[str, Any], datatable: list[list[str]]) -> None:
    for row in _rows(datatable):
        v: dict[str, Any] = {"kind": row["kind"], "value": _num(row["value"]),
                             "taken": resolve_date(row["taken"], ctx["as_of"])}
        if "unit" in row:
            v["unit"] = row["unit"]
        ctx["snapshot"].setdefault("vitals", []).append(v)


@given("the patient has notes:")
def has_notes(ctx: dict[str, Any], datatable: list[list[str]]) -> None:
    for row in _rows(datatable):
        n: dict[str, Any] = {"kind": row["kind"], "date": resolve_date(row["date"], ctx["as_of"])}
        if "value" in row:
            n["value"] = _bool(row["value"]) if row["value"].lower() in ("yes", "no", "true", "false") else row["value"]
        ctx["snapshot"].setdefault("notes", []).append(n)


@given(parsers.parse('the snapshot file "{path}"'))
def snapshot_file(ctx: dict[str, Any], path: str) -> None:
    ctx["snapshot"] = yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


# ------------------------------------------------------------------ when


@pytest.fixture(scope="session")
def compiled_engine() -> Engine:
    return Engine.load(matcher="compiled")


@when("the engine evaluates the patient")
def evaluate(ctx: dict[str, Any], engine: Engine, compiled_engine: Engine) -> None:
    result = engine.evaluate(ctx["snapshot"], as_of=ctx["as_of"])
    # Every scenario is also a differential test: both matchers must give the same findings.
    twin = compiled_engine.evaluate(ctx["snapshot"], as_of=ctx["as_of"])
    assert result.matcher == "durable" and not [n for n in result.notes if "disagreement" in n]
    assert result.model_dump(exclude={"matcher"}) == twin.model_dump(exclude={"matcher"})
    ctx["result"] = result


# ------------------------------------------------------------------ then


def _result(ctx: dict[str, Any]) -> EvaluationResult:
    assert ctx["result"] is not None, "the patient was not evaluated"
    return ctx["result"]


def _all_findings(r: EvaluationResult) -> list[tuple[str, str, str, str]]:
    """(rule id, severity, outcome, lead rule id) for every finding, grouped ones included."""
    out = []
    for f in r.findings:
        out.append((f.rule_id, f.severity, f.outcome, f.rule_id))
        out.extend((g.rule_id, g.severity, g.outcome, f.rule_id) for g in f.related)
    return out


def _describe(r: EvaluationResult) -> str:
    return ", ".join(f"{i} {s} {o}" for i, s, o, _ in _all_findings(r)) or "no findings"


@then(parsers.parse("rule {rule_id} fires with severity {severity}"))
def fires(ctx: dict[str, Any], rule_id: str, severity: str) -> None:
    r = _result(ctx)
    hits = [(s, o) for i, s, o, _ in _all_findings(r) if i == rule_id and o == "fired"]
    assert hits, f"{rule_id} did not fire; findings: {_describe(r)}"
    assert hits[0][0] == severity, f"{rule_id} fired at {hits[0][0]}, expected {severity}"


@then(parsers.parse("rule {rule_id} does not fire"))
def silent(ctx: dict[str, Any], rule_id: str) -> None:
    r = _result(ctx)
    outcome = next(a.outcome for a in r.assessed if a.rule_id == rule_id)
    assert outcome == "not_fired", f"{rule_id} outcome was {outcome}; findings: {_describe(r)}"


@then(parsers.parse("rule {rule_id} cannot be assessed"))
def cannot_assess(ctx: dict[str, Any], rule_id: str) -> None:
    r = _result(ctx)
    outcome = next(a.outcome for a in r.assessed if a.rule_id == rule_id)
    assert outcome == "cannot_assess", f"{rule_id} outcome was {outcome}"


@then(parsers.parse("rule {rule_id} is reported as cannot assess"))
def cannot_assess_finding(ctx: dict[str, Any], rule_id: str) -> None:
    r = _result(ctx)
    assert any(i == rule_id and o == "cannot_assess" for i, _, o, _ in _all_findings(r)), (
        f"no cannot-assess finding for {rule_id}; findings: {_describe(r)}")


@then(parsers.parse('the cannot-assess reason mentions "{text}"'))
def cannot_assess_reason(ctx: dict[str, Any], text: str) -> None:
    r = _result(ctx)
    reasons = " | ".join(a.reason or "" for a in r.assessed if a.outcome == "cannot_assess")
    assert text.lower() in reasons.lower(), f"{text!r} not in cannot-assess reasons: {reasons}"


@then("the findings are exactly:")
def findings_exactly(ctx: dict[str, Any], datatable: list[list[str]]) -> None:
    r = _result(ctx)
    expected = sorted((row["rule"], row["severity"], row.get("outcome", "fired")) for row in _rows(datatable))
    actual = sorted((i, s, o) for i, s, o, _ in _all_findings(r))
    assert actual == expected, f"expected {expected}\n actual {actual}"


@then(parsers.parse("finding {rule_id} is grouped under {lead}"))
def grouped(ctx: dict[str, Any], rule_id: str, lead: str) -> None:
    r = _result(ctx)
    assert any(i == rule_id and ld == lead and i != ld for i, _, _, ld in _all_findings(r)), _describe(r)


@then(parsers.parse("no finding is above {severity}"))
def nothing_above(ctx: dict[str, Any], severity: str) -> None:
    r = _result(ctx)
    over = [f"{i} {s}" for i, s, _, _ in _all_findings(r) if SEVERITY_RANK[s] > SEVERITY_RANK[severity]]
    assert not over, f"findings above {severity}: {over}"


@then("there are no findings")
def no_findings(ctx: dict[str, Any]) -> None:
    r = _result(ctx)
    assert not r.findings, _describe(r)
