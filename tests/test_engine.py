"""End-to-end behaviour of Engine.evaluate: findings, grouping, determinism and the safety wording."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from setpoint import Engine
from setpoint.render import FORMATS

from .conftest import AS_OF, ROOT, patient

EXAMPLE = ROOT / "examples" / "perimenopause-and-lithium.yaml"
FORBIDDEN = re.compile(r"\bsafe\b|\bno problems?\b|\ball clear\b|\bnothing (is )?wrong\b", re.IGNORECASE)


def test_example_findings(engine: Engine) -> None:
    r = engine.evaluate(EXAMPLE, as_of=AS_OF)
    fired = {(f.rule_id, f.severity) for f in r.findings if f.outcome == "fired"}
    assert ("HR-EST-001", "critical") in fired
    assert ("NC-LI-019", "critical") in fired
    assert ("NC-LI-026", "high") in fired
    assert ("NC-QT-012", "high") in fired
    assert ("NC-SCL-037", "critical") in fired
    assert ("HR-LAB-013", "moderate") in fired
    assert ("GN-DQ-001", "moderate") in fired
    assert ("HR-THY-035", "moderate") in fired  # the only recent TSH has no unit


def test_findings_sorted_by_severity(engine: Engine) -> None:
    r = engine.evaluate(EXAMPLE, as_of=AS_OF)
    ranks = ["critical", "high", "moderate", "low", "info"]
    order = [ranks.index(f.severity) for f in r.findings]
    assert order == sorted(order)


def test_finding_carries_evidence_with_values_units_dates(engine: Engine) -> None:
    r = engine.evaluate(EXAMPLE, as_of=AS_OF)
    li = next(f for f in r.findings if f.rule_id == "NC-LI-019")
    ev = next(e for e in li.evidence if e.label == "Lithium")
    assert ev.value == 1.6 and ev.unit == "mmol/L" and ev.date == date(2026, 11, 18)
    assert li.citations and li.citations[0].citation
    assert len(li.summary) <= 140
    assert "clinician" in li.detail


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_output_is_byte_identical(engine: Engine, fmt: str) -> None:
    a = engine.renderer.report(engine.evaluate(EXAMPLE, as_of=AS_OF), fmt)
    b = engine.renderer.report(Engine.load().evaluate(EXAMPLE, as_of=AS_OF), fmt)
    assert a == b


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_reports_never_say_safe_and_defer_to_clinician(engine: Engine, fmt: str) -> None:
    for data in (EXAMPLE, patient()):
        out = engine.renderer.report(engine.evaluate(data, as_of=AS_OF), fmt)
        assert not FORBIDDEN.search(out), FORBIDDEN.search(out)
        assert "do not replace" in out and "clinician" in out


def test_empty_result_lists_what_was_and_was_not_assessed(engine: Engine) -> None:
    r = engine.evaluate(patient(scales=[{"scale": "phq9", "total": 5, "item9": 0, "date": "2026-05-01"}]), as_of=AS_OF)
    assert not [f for f in r.findings if f.outcome == "fired"]
    assert len(r.assessed) == len(engine.rulebase.rules)
    text = engine.renderer.report(r, "text")
    assert "This does not clear the patient" in text
    assert "COULD NOT ASSESS" in text  # e.g. PHQ-9 item 9 screened, but not in the last 14 days
    assert "117 rules checked" not in text or "(--all lists them)" in text
    listed = engine.renderer.report(r, "text", show_all=True)
    assert "NOT FIRED" in listed and all(a.rule_id in listed for a in r.assessed if a.outcome == "not_fired")


def test_result_is_stamped_with_rulebase_version_and_hash(engine: Engine) -> None:
    r = engine.evaluate(patient(), as_of=AS_OF)
    assert r.rulebase.version == engine.rulebase.version
    assert re.fullmatch(r"[0-9a-f]{64}", r.rulebase.content_hash)
    assert r.as_of == AS_OF


def test_as_of_moves_every_window(engine: Engine) -> None:
    data = patient(medications=[{"name": "lithium carbonate", "start": "2020-01-01"}],
                   results=[{"code": "14334-7", "value": 1.7, "unit": "mmol/L", "collected": "2026-11-10"}])
    fired = lambda d: {f.rule_id for f in engine.evaluate(data, as_of=d).findings if f.outcome == "fired"}  # noqa: E731
    assert "NC-LI-019" in fired(date(2026, 11, 24))
    assert "NC-LI-019" not in fired(date(2026, 11, 10) + timedelta(days=15))


def test_cannot_assess_findings_are_grouped_by_missing_data(engine: Engine) -> None:
    data = {"patient": {"sex": "female"}, "medications": [
        {"name": "estradiol", "dose": 1, "dose_unit": "mg", "frequency": "daily", "start": "2026-10-01"}]}
    r = engine.evaluate(data, as_of=AS_OF)
    missing = [f for f in r.findings if f.outcome == "cannot_assess"]
    assert missing and all(f.kind == "data_quality" for f in missing)
    assert any("menopause date" in m for f in missing for m in f.missing)
    assert all(f.detail.startswith("Cannot assess") for f in missing)
    # A woman with no hysterectomy on record is presumed to have a uterus (issue 10): the unopposed-estrogen
    # rule fires with the presumption stated, rather than a data-quality finding about the uterus.
    assert any(f.rule_id == "HR-EST-007" and f.outcome == "fired" for f in r.findings)
    assert not any(f.rule_id == "HR-EST-008" for f in r.findings)


def test_accepts_snapshot_dict_path_and_text(engine: Engine) -> None:
    text = EXAMPLE.read_text()
    a = engine.evaluate(EXAMPLE, as_of=AS_OF)
    b = engine.evaluate(text, as_of=AS_OF)
    c = engine.evaluate(engine.snapshot(text), as_of=AS_OF)
    assert a.model_dump_json() == b.model_dump_json() == c.model_dump_json()


def test_json_report_round_trips(engine: Engine) -> None:
    import json

    r = engine.evaluate(EXAMPLE, as_of=AS_OF)
    assert json.loads(engine.renderer.report(r, "json")) == json.loads(r.model_dump_json())


def test_a_failing_deriver_does_not_take_down_the_evaluation(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from setpoint.leaves import REGISTRY

    def boom(*a: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(REGISTRY["scale"], "derive", staticmethod(boom))
    r = engine.evaluate(EXAMPLE, as_of=AS_OF)
    assert any("engine error" in n for n in r.notes)
    assert next(a for a in r.assessed if a.rule_id == "NC-SCL-037").outcome == "cannot_assess"
    assert any(f.rule_id == "NC-LI-019" for f in r.findings)


def test_paths_relative_to_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from setpoint import paths

    monkeypatch.setenv("SETPOINT_HOME", str(tmp_path))
    assert paths.rules_dir() == tmp_path / "rules"


def _finding(rule_id: str, severity: str, records: list[str]) -> Any:
    from setpoint.facts.model import EvidenceItem
    from setpoint.findings import Finding

    return Finding(rule_id=rule_id, rule_version="1.0.0", title=rule_id, topic="t", kind="interaction",
                   severity=severity, outcome="fired", summary="s", detail="d", evidence_grade="S",
                   unverified=False, evidence=[EvidenceItem(label=r, record=r) for r in records])


def test_superseded_findings_are_grouped_only_when_they_share_patient_records() -> None:
    from setpoint.findings import group_superseded as _group_superseded

    lead = _finding("NC-SER-002", "critical", ["maoi", "fluoxetine"])
    same = _finding("NC-SER-010", "critical", ["maoi", "bupropion"])
    other = _finding("NC-SER-011", "moderate", ["sertraline", "tramadol"])
    out = _group_superseded([lead, same, other], {"NC-SER-002": ["NC-SER-010", "NC-SER-011"]})
    by_id = {f.rule_id: f for f in out}
    assert set(by_id) == {"NC-SER-002", "NC-SER-011"}
    assert [g.rule_id for g in by_id["NC-SER-002"].related] == ["NC-SER-010"]


def test_grouping_chains_are_flattened_under_the_top_lead() -> None:
    from setpoint.findings import group_superseded as _group_superseded

    a = _finding("HR-AAA-001", "high", ["m1"])
    b = _finding("HR-AAA-002", "high", ["m1"])
    c = _finding("HR-AAA-003", "moderate", ["m1"])
    out = _group_superseded([c, b, a], {"HR-AAA-002": ["HR-AAA-001"], "HR-AAA-003": ["HR-AAA-002"]})
    assert [f.rule_id for f in out] == ["HR-AAA-003"]
    assert sorted(g.rule_id for g in out[0].related) == ["HR-AAA-001", "HR-AAA-002"]
