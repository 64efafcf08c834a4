"""Rule files are validated at load time; every problem names file, rule id and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from setpoint import Engine, RuleBaseError
from setpoint.rules.schema import Rule

NSAID = "neuro/lithium/lithium-with-nsaid.yaml"


def problems(rules: Path) -> str:
    with pytest.raises(RuleBaseError) as e:
        Engine.load(rules=rules)
    return "\n".join(e.value.problems)


def edit(rules: Path, rel: str, old: str, new: str) -> None:
    f = rules / rel
    text = f.read_text()
    assert old in text
    f.write_text(text.replace(old, new, 1))


def test_bundled_rule_base_loads(engine: Engine) -> None:
    assert len(engine.rulebase.rules) >= 12
    kinds = {r.rule.kind for r in engine.rulebase.rules}
    assert kinds == {"contraindication", "interaction", "monitoring", "titration", "lab_interpretation",
                     "data_quality", "evidence_warning"}
    assert {r.rule.domain for r in engine.rulebase.rules} == {"hormone", "neuro", "general"}


def test_bad_severity_names_file_rule_and_field(rules_copy: Path) -> None:
    edit(rules_copy, NSAID, "severity: high", "severity: urgent")
    msg = problems(rules_copy)
    assert NSAID in msg and "NC-LI-026" in msg and "severity" in msg


def test_duplicate_id(rules_copy: Path) -> None:
    edit(rules_copy, NSAID, "id: NC-LI-026", "id: NC-LI-019")
    assert "duplicate id" in problems(rules_copy)


def test_unknown_value_set(rules_copy: Path) -> None:
    edit(rules_copy, NSAID, "med_active: VS_NSAID", "med_active: VS_NSAIDZ")
    assert "unknown value set 'VS_NSAIDZ'" in problems(rules_copy)


def test_unknown_analyte(rules_copy: Path) -> None:
    edit(rules_copy, "neuro/lithium/lithium-toxic-level.yaml", "analyte: lithium", "analyte: lithum")
    assert "unknown analyte 'lithum'" in problems(rules_copy)


def test_threshold_unit_must_convert(rules_copy: Path) -> None:
    edit(rules_copy, "neuro/lithium/lithium-toxic-level.yaml", "unit: mmol/L", "unit: mg")
    assert "does not convert" in problems(rules_copy)


def test_unknown_source(rules_copy: Path) -> None:
    edit(rules_copy, NSAID, "references: [SRC-LI-INTERACT]", "references: [SRC-NOPE]")
    assert "unknown source 'SRC-NOPE'" in problems(rules_copy)


def test_critical_rule_needs_references(rules_copy: Path) -> None:
    edit(rules_copy, "neuro/lithium/lithium-toxic-level.yaml", "references: [SRC-SPS-LI]", "references: []")
    assert "critical rules must cite a source" in problems(rules_copy)


def test_a_message_that_is_not_valid_jinja_is_refused(rules_copy: Path) -> None:
    edit(rules_copy, NSAID, "message: |\n", "message: |\n  {% if %}\n")
    assert "message: not a valid Jinja template" in problems(rules_copy)


def test_a_message_with_an_unknown_variable_is_refused(rules_copy: Path) -> None:
    edit(rules_copy, NSAID, "message: |\n", "message: |\n  {{ patient_name }}\n")
    assert "uses unknown variable(s) patient_name" in problems(rules_copy)


def test_the_domain_comes_from_the_folder(rules_copy: Path) -> None:
    engine = Engine.load(rules=rules_copy, cache=False)
    assert engine.rulebase.by_id("NC-LI-026").rule.domain == "neuro"
    edit(rules_copy, NSAID, "topic: lithium_nsaid", "domain: hormone\ntopic: lithium_nsaid")
    assert "'hormone' does not match the folder 'neuro'" in problems(rules_copy)


def test_a_rule_file_in_the_wrong_folder_names_the_prefix(rules_copy: Path) -> None:
    target = rules_copy / "hormone" / "moved.yaml"
    target.write_text((rules_copy / NSAID).read_text())
    (rules_copy / NSAID).unlink()
    assert "hormone rules have ids starting HR-" in problems(rules_copy)


def test_yaml_aliases_in_a_rule_file_are_refused(rules_copy: Path) -> None:
    edit(rules_copy, NSAID, "    - med_active: VS_LITHIUM", "    - &a {med_active: VS_LITHIUM}\n    - *a")
    assert "YAML anchors (&a) are not accepted" in problems(rules_copy)


def test_unknown_condition_leaf(rules_copy: Path) -> None:
    edit(rules_copy, NSAID, "med_active: VS_LITHIUM", "drug_on: VS_LITHIUM")
    msg = problems(rules_copy)
    assert "unknown condition 'drug_on'" in msg and NSAID in msg


def test_type_mismatch_in_comparison(rules_copy: Path) -> None:
    rel = "neuro/qt/citalopram-dose-over-20mg-age-over-60.yaml"
    edit(rules_copy, rel, 'op: ">", value: 60', 'op: ">", value: "old"')
    assert "age is a number" in problems(rules_copy)


def test_one_bad_file_reports_all_problems(rules_copy: Path) -> None:
    edit(rules_copy, NSAID, "severity: high", "severity: urgent")
    edit(rules_copy, "neuro/lithium/lithium-toxic-level.yaml", "analyte: lithium", "analyte: lithum")
    msg = problems(rules_copy)
    assert "NC-LI-026" in msg and "lithum" in msg


def test_unverified_grade_requires_flag() -> None:
    with pytest.raises(ValueError, match="unverified"):
        from setpoint.rules.schema import Evidence

        Evidence(grade="U", unverified=False)


def test_rule_schema_exports() -> None:
    schema = Rule.model_json_schema()
    assert "when" in schema["properties"] and schema["additionalProperties"] is False
