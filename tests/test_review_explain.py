"""`setpoint explain`: each condition's outcome for one patient, and the fact behind it (value, unit, date).

The rules explained here are written by the test (a small rule base), so what is asserted does not
change as the bundled rules evolve; the bundled rule base is explained in tests/test_cli.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT
from .review_util import AS_OF, cli, mini_rulebase, rule_doc

EXAMPLE = ROOT / "examples" / "perimenopause-and-lithium.yaml"
LITHIUM_MED = {"name": "lithium carbonate", "dose": 400, "dose_unit": "mg", "frequency": "bid", "start": "2023-01-01"}
CITALOPRAM = {"all": [{"med_active": "VS_CITALOPRAM"},
                      {"daily_dose": {"set": "VS_CITALOPRAM", "op": ">", "value": 20, "unit": "mg"}},
                      {"patient": {"field": "age", "op": ">", "value": 60}}]}
LITHIUM = {"lab": {"analyte": "lithium", "within_days": 14, "op": ">=", "value": 1.5, "unit": "mmol/L"}}
LI_NSAID = {"all": [{"med_active": "VS_LITHIUM"}, {"any": [{"med_active": "VS_NSAID"},
                                                          {"med_stopped_within": {"set": "VS_NSAID", "days": 14}}]}]}
BZD = {"all": [{"med_active": "VS_BENZODIAZEPINE"}, {"med_active": "VS_OPIOID"}]}
COPD = [{"severity": "critical", "reason": "chronic respiratory disease", "when": {"condition": "VS_COPD_RESP"}}]


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mini_rulebase(tmp_path_factory.mktemp("explain"), {
        "neuro/citalopram.yaml": rule_doc("NC-TST-001", CITALOPRAM, kind="titration"),
        "neuro/lithium.yaml": rule_doc("NC-TST-002", LITHIUM, kind="lab_interpretation"),
        "neuro/nsaid.yaml": rule_doc("NC-TST-003", LI_NSAID),
        "neuro/bzd.yaml": rule_doc("NC-TST-004", BZD, escalations=COPD),
    })


def write(tmp_path: Path, data: dict) -> Path:
    p = tmp_path / "case.yaml"
    p.write_text(yaml.safe_dump(data), encoding="utf-8")
    return p


def explain(rules: Path, case: Path, rule: str, *extra: str):
    return cli("explain", case, "--rule", rule, "--as-of", AS_OF, "--rules", rules, *extra)


def test_fired_rule_shows_every_condition_with_value_unit_and_date(rules: Path) -> None:
    r = explain(rules, EXAMPLE, "NC-TST-001")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert "as of 2026-11-21: FIRED" in lines
    # each condition in plain words, with the rule's own wording in brackets for the reviewer
    assert "  [TRUE ] the daily dose of citalopram is above 20 mg  [daily dose of VS_CITALOPRAM > 20 mg]" in lines
    assert "          value: 40 mg" in lines
    assert "  [TRUE ] the patient's age is above 60 years  [patient age > 60 years]" in lines
    assert "          value: 64 years" in lines
    # the evidence as the report writes it
    assert "          from: citalopram 40 mg daily (2024-01-15)" in lines


def test_a_false_condition_is_marked_false_with_its_value(rules: Path, tmp_path: Path) -> None:
    case = write(tmp_path, {"patient": {"sex": "female", "age": 58},
                            "medications": [{"name": "citalopram", "dose": 40, "dose_unit": "mg",
                                             "frequency": "daily", "start": "2024-01-15"}]})
    r = explain(rules, case, "NC-TST-001")
    assert r.exit_code == 0, r.output
    assert "as of 2026-11-21: NOT FIRED" in r.stdout
    assert "  [FALSE] the patient's age is above 60 years  [patient age > 60 years]" in r.stdout.splitlines()
    assert "          value: 58 years" in r.stdout.splitlines()


def test_stale_data_is_cannot_assess_with_the_reason_and_the_old_value(rules: Path, tmp_path: Path) -> None:
    case = write(tmp_path, {"patient": {"sex": "male", "age": 45}, "medications": [LITHIUM_MED],
                            "results": [{"code": "14334-7", "value": 1.8, "unit": "mmol/L",
                                         "collected": "2026-11-01"}]})
    r = explain(rules, case, "NC-TST-002")
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "CANNOT ASSESS" in out
    assert ("[N/A  ] the latest lithium (serum, 12-h trough) result within 14 days is at least 1.5 mmol/L  "
            "[latest lithium within 14 days >= 1.5 mmol/L]") in out
    assert "value: unknown (no Lithium" in out and "20 days old" in out
    assert "from: Lithium (serum, 12-h trough) 1.8 mmol/L (2026-11-01)" in out  # the stale fact is shown, not hidden


def test_json_has_the_tree_with_outcomes_and_facts(rules: Path) -> None:
    r = explain(rules, EXAMPLE, "NC-TST-003", "--format", "json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["outcome"] == "fired"
    tree = report["condition"]
    assert tree["op"] == "all" and tree["outcome"] == "true"
    lithium, nsaid = tree["children"]
    assert lithium["fact"]["value"] is True and lithium["fact"]["evidence"][0]["date"] == "2021-05-10"
    outcomes = [ch["outcome"] for ch in nsaid["children"]]
    assert outcomes == ["true", "false"]


def test_json_lab_fact_carries_unit_and_date(rules: Path) -> None:
    r = explain(rules, EXAMPLE, "NC-TST-002", "--format", "json")
    fact = json.loads(r.stdout)["condition"]["fact"]
    assert fact["value"] == 1.6 and fact["unit"] == "mmol/L"
    assert fact["evidence"][0]["date"] == "2026-11-18" and fact["evidence"][0]["unit"] == "mmol/L"


def test_escalation_outcome_is_explained(rules: Path, tmp_path: Path) -> None:
    case = write(tmp_path, {"patient": {"sex": "male", "age": 70}, "medications": [
        {"name": "diazepam", "dose": 5, "dose_unit": "mg", "frequency": "daily", "start": "2026-01-01"},
        {"name": "oxycodone", "dose": 5, "dose_unit": "mg", "frequency": "bid", "start": "2026-01-01"}],
        "conditions": [{"codes": [{"system": "icd10cm", "code": "J44.9"}], "status": "active"}]})
    r = explain(rules, case, "NC-TST-004")
    assert r.exit_code == 0, r.output
    escalation = r.stdout.split("escalation to critical", 1)[1]
    assert escalation.split("\n", 1)[0].endswith(": true")
    assert "[TRUE ] the patient has a diagnosis of chronic respiratory disease" in escalation
    assert "[condition in VS_COPD_RESP]" in escalation


def test_unknown_rule_exits_two(rules: Path) -> None:
    r = explain(rules, EXAMPLE, "NC-XX-999")
    assert r.exit_code == 2 and "no active rule" in r.stderr
