"""`setpoint rules diff OLD NEW`: field-by-field changes, version-bump errors and the behavioural diff."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from .conftest import ROOT
from .review_util import LITHIUM, NSAID, cli, edit, write_rule

FEATURE = """\
Feature: patients for the behavioural diff
  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 45

  Scenario: Lithium 1.3 mmol/L two days ago
    Given the patient has results:
      | loinc   | value | unit   | collected |
      | 14334-7 | 1.3   | mmol/L | 2d ago    |
    When the engine evaluates the patient

  Scenario: Lithium with ibuprofen
    Given the patient takes:
      | name              | dose | dose_unit | frequency | start  |
      | lithium carbonate | 400  | mg        | bid       | 3y ago |
      | ibuprofen         | 400  | mg        | tid       | 5d ago |
    When the engine evaluates the patient
"""


@pytest.fixture
def old(tmp_path: Path) -> Path:
    dst = tmp_path / "old" / "rules"
    shutil.copytree(ROOT / "rules", dst)
    return dst


@pytest.fixture
def new(tmp_path: Path) -> Path:
    dst = tmp_path / "new" / "rules"
    shutil.copytree(ROOT / "rules", dst)
    return dst


@pytest.fixture
def features(tmp_path: Path) -> Path:
    folder = tmp_path / "features"
    folder.mkdir()
    (folder / "diff.feature").write_text(FEATURE, encoding="utf-8")
    return folder


def diff(old: Path, new: Path, features: Path, *extra: str):
    return cli("rules", "diff", old, new, "--features", features, *extra)


def bump(rules: Path, rel: str) -> None:
    edit(rules, rel, r"^version: .*$", "version: 9.0.0")


def test_identical_rule_bases(old: Path, new: Path, features: Path) -> None:
    r = diff(old, new, features)
    assert r.exit_code == 0, r.output
    assert "no rule was added, removed or changed" in r.stdout
    assert "behaviour over 2 scenario patients: no finding gained or lost" in r.stdout


def test_condition_change_without_version_bump_is_an_error(old: Path, new: Path, features: Path) -> None:
    edit(new, LITHIUM, r"value: 1\.5\b", "value: 1.2")
    r = diff(old, new, features)
    assert r.exit_code == 1, r.output
    assert re.search(r"^changed  NC-LI-019 \(neuro/lithium/lithium-toxic-level\.yaml\) version (\S+) -> \1$",
                     r.stdout, re.MULTILINE)
    assert re.search(r"^    when\S*\.value: 1\.5 -> 1\.2$", r.stdout, re.MULTILINE)
    assert re.search(rf"^error: {LITHIUM} \(NC-LI-019\): version: when changed but version is still", r.stdout,
                     re.MULTILINE)


def test_bumped_condition_change_shows_who_gains_a_finding(old: Path, new: Path, features: Path) -> None:
    edit(new, LITHIUM, r"value: 1\.5\b", "value: 1.2")
    bump(new, LITHIUM)
    r = diff(old, new, features, "--format", "json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    (change,) = report["changed"]
    fields = {c["field"]: (c["old"], c["new"]) for c in change["changes"]}
    assert fields["version"][1] == "9.0.0" and (1.5, 1.2) in fields.values()
    (delta,) = report["behaviour"]["changed"]
    assert delta["name"] == "Lithium 1.3 mmol/L two days ago"
    assert delta["gained"] == [["NC-LI-019", "critical", "fired"]] and delta["lost"] == []
    assert any(p["level"] == "warning" and p["file"] == "rulebase.yaml" for p in report["problems"])


def test_severity_change_without_bump_and_its_behaviour(old: Path, new: Path, features: Path) -> None:
    edit(new, NSAID, r"^severity: high$", "severity: critical")
    r = diff(old, new, features)
    assert r.exit_code == 1
    assert "    severity: 'high' -> 'critical'" in r.stdout
    assert "version: severity changed but version is still" in r.stdout
    block = r.stdout.split("Lithium with ibuprofen", 1)[1]
    assert "    + NC-LI-026 critical fired" in block and "    - NC-LI-026 high fired" in block


def test_removed_and_added_rules(old: Path, new: Path, features: Path) -> None:
    when = {"all": [{"med_active": "VS_LITHIUM"}, {"med_active": "VS_NSAID"}]}
    write_rule(old, "neuro/review_test/removed.yaml", "NC-TST-001", when)
    write_rule(new, "neuro/review_test/added.yaml", "NC-TST-002", when, severity="low")
    r = diff(old, new, features)
    assert r.exit_code == 0, r.output  # adding or removing a rule is not a version error of a rule
    assert "removed  NC-TST-001 (neuro/review_test/removed.yaml)" in r.stdout
    assert "added    NC-TST-002 (neuro/review_test/added.yaml)" in r.stdout
    assert "warning: rulebase.yaml: version: rules changed but the rule base version is still" in r.stdout
    block = r.stdout.split("Lithium with ibuprofen", 1)[1]
    assert "    - NC-TST-001 moderate fired" in block and "    + NC-TST-002 low fired" in block


def test_wording_change_needs_no_version_bump(old: Path, new: Path, features: Path) -> None:
    edit(new, NSAID, r"^title: .*$", "title: Lithium together with an NSAID")
    r = diff(old, new, features)
    assert r.exit_code == 0, r.output
    assert "    title: 'Lithium with an NSAID' -> 'Lithium together with an NSAID'" in r.stdout


def test_a_rule_base_that_does_not_load(old: Path, new: Path, features: Path) -> None:
    edit(new, LITHIUM, r"analyte: lithium\b", "analyte: lithum")
    r = diff(old, new, features)
    assert r.exit_code == 2
    assert "error: NEW:neuro/lithium/lithium-toxic-level.yaml (NC-LI-019)" in r.stdout


def test_missing_folder(new: Path, features: Path, tmp_path: Path) -> None:
    r = diff(tmp_path / "nope", new, features)
    assert r.exit_code == 2 and "OLD:" in r.stderr
