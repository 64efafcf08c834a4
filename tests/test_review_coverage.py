"""`setpoint rules test`: the scenarios with per-rule coverage (fired, silent, each condition both ways)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from setpoint.scenarios import load_features

from .review_util import cli, mini_rulebase, rule_doc

CITALOPRAM = {"all": [{"med_active": "VS_CITALOPRAM"},
                      {"daily_dose": {"set": "VS_CITALOPRAM", "op": ">", "value": 20, "unit": "mg"}},
                      {"patient": {"field": "age", "op": ">", "value": 60}}]}

HEAD = """\
Feature: NC-TST-012 citalopram dose by age
  Background:
    Given the evaluation date is 2026-11-21
"""
FIRES = """
  Scenario: 40 mg at 64 fires
    Given a female patient aged 64
    And the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | citalopram | 40   | mg        | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule NC-TST-012 fires with severity high
"""
SILENT_YOUNG = """
  Scenario: 40 mg at 50 is silent
    Given a female patient aged 50
    And the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | citalopram | 40   | mg        | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule NC-TST-012 does not fire
"""
LOW_DOSE = """
  Scenario: 10 mg at 64 is silent
    Given a female patient aged 64
    And the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | citalopram | 10   | mg        | daily     | 1y ago |
    When the engine evaluates the patient
    Then rule NC-TST-012 does not fire
"""
NOT_TAKING = """
  Scenario: Not taking citalopram at 64 is silent
    Given a female patient aged 64
    When the engine evaluates the patient
    Then rule NC-TST-012 does not fire
"""
UNNAMED = """
  Scenario: A scenario that names no rule does not count
    Given a female patient aged 30
    When the engine evaluates the patient
    Then there are no findings
"""
UNKNOWN_AGE = """
  Scenario: Age unknown, named in the findings table only
    Given a male patient of unknown age
    And the patient takes:
      | name       | dose | dose_unit | frequency | start  |
      | citalopram | 40   | mg        | daily     | 1y ago |
    When the engine evaluates the patient
    Then the findings are exactly:
      | rule       | severity | outcome       |
      | NC-TST-012 | moderate | cannot_assess |
"""
WRONG = """
  Scenario: A wrong expectation
    Given a female patient aged 64
    When the engine evaluates the patient
    Then rule NC-TST-012 fires with severity high
"""


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    doc = rule_doc("NC-TST-012", CITALOPRAM, kind="titration", severity="high")
    return mini_rulebase(tmp_path_factory.mktemp("coverage"), {"neuro/citalopram.yaml": doc})


def features(tmp_path: Path, *scenarios: str) -> Path:
    folder = tmp_path / "features"
    folder.mkdir()
    (folder / "citalopram.feature").write_text(HEAD + "".join(scenarios), encoding="utf-8")
    return folder


def run(rules: Path, folder: Path, *extra: str):
    r = cli("rules", "test", "--rules", rules, "--features", folder, "--format", "json", *extra)
    return r.exit_code, json.loads(r.stdout)


def ids(folder: Path) -> dict[str, str]:
    return {s.name: s.id for s in load_features(folder)}


def test_full_coverage(rules: Path, tmp_path: Path) -> None:
    folder = features(tmp_path, FIRES, SILENT_YOUNG, LOW_DOSE, NOT_TAKING, UNNAMED)
    code, report = run(rules, folder, "--min-coverage", "100")
    assert code == 0, report
    (rc,) = report["rules"]
    assert rc["rule_id"] == "NC-TST-012" and rc["percent"] == 100.0 and rc["gaps"] == []
    assert len(rc["fired"]) == 1 and len(rc["silent"]) == 3
    assert ids(folder)["A scenario that names no rule does not count"] not in rc["scenarios"]
    assert len(rc["scenarios"]) == 4


def test_conditions_taken_both_ways_and_cannot_assess_counted_apart(rules: Path, tmp_path: Path) -> None:
    folder = features(tmp_path, FIRES, SILENT_YOUNG, UNKNOWN_AGE)
    code, report = run(rules, folder)
    (rc,) = report["rules"]
    assert code == 0, report
    assert rc["cannot_assess"] == [ids(folder)["Age unknown, named in the findings table only"]]
    active, dose, age = rc["conditions"]
    assert (dose["true"], dose["false"]) == (3, 0)
    assert (active["true"], active["false"], active["cannot_assess"]) == (3, 0, 0)
    assert (age["true"], age["false"], age["cannot_assess"]) == (1, 1, 1)
    assert "when.all[1].daily_dose (daily dose of VS_CITALOPRAM > 20 mg) never false" in rc["gaps"]
    assert rc["percent"] == 75.0  # fired, silent, active true, dose true, age both ways: 6 of 8


def test_missing_silent_scenario_and_minimum(rules: Path, tmp_path: Path) -> None:
    folder = features(tmp_path, FIRES)
    code, report = run(rules, folder)
    assert code == 0  # gaps alone do not fail without --min-coverage or --strict
    assert report["lacking_fire_or_silent"] == ["NC-TST-012"]
    assert "no scenario in which it is silent" in report["rules"][0]["gaps"]
    assert run(rules, folder, "--min-coverage", "75")[0] == 1
    assert run(rules, folder, "--strict")[0] == 1


def test_a_failing_scenario_fails_the_run_and_does_not_count(rules: Path, tmp_path: Path) -> None:
    folder = features(tmp_path, FIRES, WRONG)
    r = cli("rules", "test", "--rules", rules, "--features", folder)
    assert r.exit_code == 1
    assert f"FAILED {ids(folder)['A wrong expectation']} A wrong expectation" in r.stdout
    assert "NC-TST-012 did not fire" in r.stdout
    report = json.loads(cli("rules", "test", "--rules", rules, "--features", folder, "-f", "json").stdout)
    assert report["rules"][0]["scenarios"] == [ids(folder)["40 mg at 64 fires"]]


def test_text_report_lists_each_rule(rules: Path, tmp_path: Path) -> None:
    r = cli("rules", "test", "--rules", rules, "--features", features(tmp_path, FIRES, SILENT_YOUNG))
    assert r.exit_code == 0, r.stdout
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith("NC-TST-012"))
    assert line.split()[1:4] == ["1", "1", "0"]
    assert "rule base coverage:" in r.stdout


def test_bundled_rule_base_scenarios_pass() -> None:
    r = cli("rules", "test", "--format", "json", "--matcher", "compiled")
    report = json.loads(r.stdout)
    assert report["failures"] == [] and r.exit_code == 0
    assert report["scenarios"] > 0 and all(0 <= rc["percent"] <= 100 for rc in report["rules"])
