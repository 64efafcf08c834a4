"""`setpoint rules diff OLD NEW --population PATH`: per rule, how many patients gain or lose a finding."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench import population
from setpoint.batch import population_diff
from setpoint.batch.popdiff import PopulationDiff, RuleChange
from setpoint.cli import app

from .conftest import ROOT
from .review_util import edit

AS_OF = date(2026, 11, 21)
N = 24
TSH_OVERDUE = "hormone/thyroid/tsh-overdue-stable-levothyroxine.yaml"
FEATURE = """\
Feature: one patient for the scenario diff
  Scenario: nothing
    Given the evaluation date is 2026-11-21
    And a male patient aged 45
    When the engine evaluates the patient
"""


@pytest.fixture(scope="module")
def pop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return population.write(N, tmp_path_factory.mktemp("pop"), "bundles", seed=7, synthea_share=0.0)


@pytest.fixture
def stricter(rules_copy: Path) -> Path:
    """NEW: a TSH counts as missing after 90 days instead of 395 (HR-THY-035 1.1.0 -> 1.2.0)."""
    edit(rules_copy, TSH_OVERDUE, r"within_days: 395\}", "within_days: 90}")
    edit(rules_copy, TSH_OVERDUE, r"^version: .*$", "version: 1.2.0")
    return rules_copy


def test_cli_reports_patients_gaining_a_finding_after_the_rule_diff(pop: Path, stricter: Path,
                                                                    tmp_path: Path) -> None:
    features = tmp_path / "features"
    features.mkdir()
    (features / "one.feature").write_text(FEATURE, encoding="utf-8")
    r = CliRunner().invoke(app, ["rules", "diff", str(ROOT / "rules"), str(stricter), "--features", str(features),
                                 "--population", str(pop), "--as-of", "2026-11-21", "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert [c["rule_id"] for c in data["changed"]] == ["HR-THY-035"]  # the existing diff is still there
    p = data["population"]
    assert (p["patients"], p["errors_old"], p["errors_new"]) == (N, 0, 0)
    [change] = p["rules"]
    assert (change["rule_id"], change["old_version"], change["new_version"]) == ("HR-THY-035", "1.1.0", "1.2.0")
    assert change["gained_fired"] > 0 and change["lost_fired"] == 0
    assert len(change["examples"]) == min(3, change["gained_fired"])


def test_text_names_each_rule_with_gains_and_losses() -> None:
    d = PopulationDiff(population="pop/", as_of=AS_OF, patients=10, errors_old=1, errors_new=0, rules=[
        RuleChange(rule_id="HR-THY-035", title="TSH overdue", old_version="1.1.0", new_version="1.2.0",
                   gained_fired=3, lost_cannot_assess=2, examples=["a.json"])])
    text = d.text()
    assert "Population pop/: 10 patients as of 2026-11-21 (could not be evaluated: 1 with OLD, 0 with NEW)" in text
    assert "HR-THY-035 1.1.0 -> 1.2.0  TSH overdue" in text
    assert "fired: +3 / -0 patients; cannot assess: +0 / -2 patients  (e.g. a.json)" in text


def test_missing_population_is_a_bad_option(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["rules", "diff", str(ROOT / "rules"), str(ROOT / "rules"),
                                 "--population", str(tmp_path / "nowhere")])
    assert r.exit_code == 2 and "does not exist" in r.output


@pytest.mark.slow
def test_reverting_the_change_loses_the_same_patients(pop: Path, stricter: Path) -> None:
    forward = population_diff(ROOT / "rules", stricter, pop, AS_OF, workers=1)
    back = population_diff(stricter, ROOT / "rules", pop, AS_OF, workers=1)
    assert back.rules[0].lost_fired == forward.rules[0].gained_fired > 0
