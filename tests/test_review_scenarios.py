"""engine.scenarios: one implementation of the Gherkin steps for pytest-bdd and `setpoint rules test`."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from setpoint import Engine
from setpoint import scenarios as sc

from .conftest import ROOT
from .review_util import mini_rulebase, rule_doc

LITHIUM = {"lab": {"analyte": "lithium", "within_days": 14, "op": ">=", "value": 1.5, "unit": "mmol/L"}}


def conftest_steps() -> set[tuple[str, str, str]]:
    """(keyword, style, sentence) of every step bound in features/conftest.py."""
    tree = ast.parse((ROOT / "features" / "conftest.py").read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        for dec in node.decorator_list:
            if not (isinstance(dec, ast.Call) and isinstance(dec.func, ast.Name)
                    and dec.func.id in ("given", "when", "then")):
                continue
            arg = dec.args[0]
            if isinstance(arg, ast.Constant):
                out.add((dec.func.id, "string", arg.value))
            else:
                assert isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute), ast.dump(arg)
                out.add((dec.func.id, arg.func.attr, arg.args[0].value))  # parsers.parse / parsers.re
    return out


def test_pytest_bdd_and_the_runner_share_one_vocabulary() -> None:
    library = {(s.keyword, s.style, s.sentence) for s in sc.STEPS}
    bound = conftest_steps()
    assert bound - library == set(), "steps in features/conftest.py missing from engine.scenarios.STEPS"
    assert library - bound == set(), "steps in engine.scenarios.STEPS without a wrapper in features/conftest.py"


def test_relative_dates() -> None:
    today = date(2026, 11, 21)
    assert sc.resolve_date("today", today) == "2026-11-21"
    assert sc.resolve_date("30d ago", today) == "2026-10-22"
    assert sc.resolve_date("in 5d", today) == "2026-11-26"
    assert sc.resolve_date("2y ago", today) == "2024-11-21"
    assert sc.resolve_date("2026-01-31", today) == "2026-01-31"
    assert sc.resolve_date("-", today) == ""


def test_parse_style_steps_match_like_pytest_bdd() -> None:
    step, args = sc.find_step("then", "rule NC-LI-019 fires with severity critical")  # type: ignore[misc]
    assert step.func is sc.fires and args == {"rule_id": "NC-LI-019", "severity": "critical"}
    assert sc.find_step("given", "rule NC-LI-019 fires with severity critical") is None  # keyword matters
    assert sc.find_step("then", "rule NC-LI-019 fires with severity critical now") is not None  # {} takes the rest
    assert sc.find_step("given", "a female patient aged 58")[1] == {"sex": "female", "age": "58"}  # type: ignore[index]
    assert sc.find_step("given", "a female patient aged fifty") is None


FEATURE = """\
Feature: NC-TST-002 lithium level
  Background:
    Given the evaluation date is 2026-11-21
    And a male patient aged 45

  Scenario Outline: Lithium <value> mmol/L
    Given the patient has results:
      | loinc   | value   | unit   | collected |
      | 14334-7 | <value> | mmol/L | 2d ago    |
    When the engine evaluates the patient
    Then rule NC-TST-002 <outcome>

    Examples:
      | value | outcome                           |
      | 1.6   | fires with severity moderate      |
      | 1.4   | does not fire                     |

  Scenario: A wrong expectation fails
    Given the patient has results:
      | loinc   | value | unit   | collected |
      | 14334-7 | 1.6   | mmol/L | 2d ago    |
    When the engine evaluates the patient
    Then rule NC-TST-002 fires with severity critical

  Scenario: An unknown step is an error, not a pass
    Given the patient drinks coffee
    When the engine evaluates the patient
"""


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, Path]:
    tmp = tmp_path_factory.mktemp("scenarios")
    rules = mini_rulebase(tmp, {"neuro/lithium.yaml": rule_doc("NC-TST-002", LITHIUM, kind="lab_interpretation")})
    features = tmp / "features"
    features.mkdir()
    (features / "lithium.feature").write_text(FEATURE, encoding="utf-8")
    return Engine.load(rules=rules), features


def test_outlines_and_backgrounds_expand(setup: tuple[Engine, Path]) -> None:
    _, features = setup
    scs = sc.load_features(features)
    assert [s.name for s in scs] == ["Lithium 1.6 mmol/L", "Lithium 1.4 mmol/L", "A wrong expectation fails",
                                     "An unknown step is an error, not a pass"]
    first = scs[0]
    assert first.steps[0].text == "the evaluation date is 2026-11-21" and first.steps[0].keyword == "given"
    assert first.steps[2].datatable == [["loinc", "value", "unit", "collected"], ["14334-7", "1.6", "mmol/L", "2d ago"]]
    assert first.id == "lithium.feature:15" and scs[1].id == "lithium.feature:16"  # the Examples rows
    assert first.rule_ids() == {"NC-TST-002"}


def test_runner_passes_fails_and_errors(setup: tuple[Engine, Path]) -> None:
    eng, features = setup
    twin = Engine.load(rules=eng.rulebase.root, matcher="compiled")
    runs = sc.run_all(sc.load_features(features), eng, twin, root=features.parent)
    assert [r.status for r in runs] == ["passed", "passed", "failed", "error"]
    assert runs[2].message.startswith("line 23: rule NC-TST-002 fires with severity critical")  # type: ignore[union-attr]
    assert "fired at moderate, expected critical" in runs[2].message  # type: ignore[operator]
    assert "no step definition matches 'the patient drinks coffee'" in runs[3].message  # type: ignore[operator]
    assert runs[0].outcome("NC-TST-002") == "fired" and runs[1].outcome("NC-TST-002") == "not_fired"


def test_bad_table_column_fails_naming_it(setup: tuple[Engine, Path], tmp_path: Path) -> None:
    eng, _ = setup
    (tmp_path / "bad.feature").write_text(
        "Feature: x\n  Scenario: y\n    Given the evaluation date is 2026-11-21\n    And the patient takes:\n"
        "      | name    | colour |\n      | lithium | pink   |\n", encoding="utf-8")
    (run,) = sc.run_all(sc.load_features(tmp_path), eng, root=tmp_path)
    assert run.status == "failed" and "unknown medication column 'colour'" in run.message  # type: ignore[operator]


def test_given_and_when_only_for_comparisons(setup: tuple[Engine, Path]) -> None:
    eng, features = setup
    runs = sc.run_all(sc.load_features(features), eng, root=features.parent, assertions=False)
    assert [r.status for r in runs] == ["passed", "passed", "passed", "error"]
    assert runs[2].findings() == {("NC-TST-002", "moderate", "fired")}
