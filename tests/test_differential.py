"""Differential test: durable-rules and the compiled Python trees agree on every rule outcome.

Hypothesis generates snapshots from the vocabulary the rules use (drugs, codes, analytes,
odd units, stale dates, unknown demographics); every Gherkin scenario also checks agreement
in its `When` step.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from setpoint import Engine
from setpoint.matching.tree import evaluate

from .conftest import AS_OF, ROOT

DRUGS = ["estradiol", "progesterone", "progesterone cream", "testosterone cypionate", "levothyroxine",
         "fluoxetine", "sertraline", "citalopram", "phenelzine", "tranylcypromine", "selegiline",
         "lithium carbonate", "ibuprofen", "naproxen", "aspirin", "lorazepam", "diazepam", "oxycodone",
         "tramadol", "conjugated estrogens/bazedoxifene", "St John's wort", "bupropion", "estradiol vaginal"]
ROUTES = [None, "oral", "transdermal", "vaginal", "topical", "intramuscular"]
ICD = ["Z85.3", "C50.911", "J44.9", "F11.20", "F10.20", "E23.0", "E03.9", "I26.99", "Z90.710", "F31.81"]
LABS = [("4544-3", ["%", "L/L", None, "g/dL"], (0.3, 90)), ("3016-3", ["mIU/L", "uIU/mL", None], (0.01, 30)),
        ("14334-7", ["mmol/L", "mEq/L", None, "mg/dL"], (0.1, 3.0)),
        ("2243-4", ["pg/mL", "pmol/L", None], (1, 400))]
SPECIMENS = [None, "serum", "saliva", "urine"]


def days(lo: int, hi: int) -> st.SearchStrategy[str]:
    return st.integers(lo, hi).map(lambda d: (AS_OF - timedelta(days=d)).isoformat())


@st.composite
def medication(draw: st.DrawFn) -> dict[str, Any]:
    med: dict[str, Any] = {"name": draw(st.sampled_from(DRUGS))}
    if draw(st.booleans()):
        med.update(dose=draw(st.sampled_from([5, 10, 20, 40, 50, 400, 1000])),
                   dose_unit=draw(st.sampled_from(["mg", "ug"])),
                   frequency=draw(st.sampled_from(["daily", "bid", "tid", "weekly"])))
    route = draw(st.sampled_from(ROUTES))
    if route:
        med["route"] = route
    if draw(st.booleans()):
        start = draw(st.integers(0, 2000))
        med["start"] = (AS_OF - timedelta(days=start)).isoformat()
        if draw(st.booleans()):
            med["end"] = (AS_OF - timedelta(days=draw(st.integers(-30, start)))).isoformat()
        if draw(st.booleans()) and "end" not in med:
            med["last_dose_change"] = (AS_OF - timedelta(days=draw(st.integers(0, start)))).isoformat()
    return med


@st.composite
def result(draw: st.DrawFn) -> dict[str, Any]:
    code, units, (lo, hi) = draw(st.sampled_from(LABS))
    r: dict[str, Any] = {"code": code, "value": round(draw(st.floats(lo, hi)), 3), "collected": draw(days(-5, 500))}
    unit = draw(st.sampled_from(units))
    if unit:
        r["unit"] = unit
    spec = draw(st.sampled_from(SPECIMENS))
    if spec:
        r["specimen"] = spec
    return r


@st.composite
def snapshot(draw: st.DrawFn) -> dict[str, Any]:
    p: dict[str, Any] = {"sex": draw(st.sampled_from(["female", "male", "unknown"])),
                         "pregnancy": draw(st.sampled_from(["pregnant", "not_pregnant", "unknown"])),
                         "uterus": draw(st.sampled_from(["present", "absent", "unknown"]))}
    if draw(st.booleans()):
        p["age"] = draw(st.integers(14, 95))
    return {
        "patient": p,
        "medications": draw(st.lists(medication(), max_size=5)),
        "conditions": [{"codes": [{"system": "icd10cm", "code": c}]}
                       for c in draw(st.lists(st.sampled_from(ICD), max_size=3))],
        "results": draw(st.lists(result(), max_size=5)),
        "scales": [{"scale": "phq9", "total": t, "item9": i, "date": d}
                   for t, i, d in draw(st.lists(st.tuples(st.integers(0, 27), st.integers(0, 3), days(0, 30)),
                                                max_size=2))],
    }


def assert_agree(eng: Engine, data: Any) -> None:
    case = eng.case(data, AS_OF)
    facts = eng.facts(case)
    assert eng._durable is not None
    fired = eng._durable.match(facts)
    for r in eng.rulebase.rules:
        tags = fired.get(r.id, set())
        assert eng._durable.outcome(r.id, tags) == evaluate(r.tree, facts), r.id
        for i, esc in enumerate(r.escalations):
            expected = evaluate(r.tree, facts) is True and evaluate(esc, facts) is True
            assert (f"E{i}" in tags) == expected, f"{r.id} escalation {i}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snapshot())
def test_matchers_agree_on_generated_snapshots(engine: Engine, data: dict[str, Any]) -> None:
    assert_agree(engine, data)


def test_matchers_agree_on_examples(engine: Engine) -> None:
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        assert_agree(engine, path)


def test_durable_state_does_not_leak_between_evaluations(engine: Engine) -> None:
    a = engine.evaluate(ROOT / "examples" / "perimenopause-and-lithium.yaml", as_of=AS_OF)
    engine.evaluate({"patient": {"sex": "male", "age": 30}}, as_of=AS_OF)
    b = engine.evaluate(ROOT / "examples" / "perimenopause-and-lithium.yaml", as_of=AS_OF)
    assert a.model_dump_json() == b.model_dump_json()
    empty = engine.evaluate({"patient": {"sex": "male", "age": 30}}, as_of=AS_OF)
    assert not [f for f in empty.findings if f.outcome == "fired"]
