"""`setpoint rules lint`: every problem named by file, rule id and field; exit 1 on errors only."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from setpoint import Engine, RuleBaseError
from setpoint.review.lint import lint

from .conftest import ROOT
from .review_util import AS_OF, ESTROGEN, LITHIUM, NSAID, cli, copy_reports, drop_review, edit, write_rule

LI_NSAID = {"all": [{"med_active": "VS_LITHIUM"}, {"any": [{"med_active": "VS_NSAID"},
                                                          {"med_stopped_within": {"set": "VS_NSAID", "days": 14}}]}]}
OLDER = {"patient": {"field": "age", "op": ">=", "value": 65}}


def problems(rules: Path, *extra: str | Path) -> tuple[int, list[dict]]:
    r = cli("rules", "lint", "--rules", rules, "--as-of", AS_OF, "--format", "json", *extra)
    assert r.exit_code in (0, 1), r.output
    return r.exit_code, json.loads(r.stdout)["problems"]


def only(found: list[dict], **match: str) -> list[dict]:
    return [p for p in found if all(p.get(k) == v for k, v in match.items())]


def test_bundled_rule_base_has_no_errors() -> None:
    r = cli("rules", "lint", "--as-of", AS_OF)
    assert r.exit_code == 0, r.stdout
    assert "0 error(s)" in r.stdout


# ------------------------------------------------------------------ what the loader checks


def test_critical_rule_without_references(rules_copy: Path) -> None:
    edit(rules_copy, LITHIUM, r"^references: .*$", "references: []")
    code, found = problems(rules_copy)
    assert code == 1
    hit = only(found, file=LITHIUM, rule_id="NC-LI-019", field="references", level="error")
    assert hit and "critical rules must cite a source" in hit[0]["message"]


def test_unknown_lab_code(rules_copy: Path) -> None:
    edit(rules_copy, LITHIUM, r"analyte: lithium\b", "analyte: lithum")
    r = cli("rules", "lint", "--rules", rules_copy, "--as-of", AS_OF)
    assert r.exit_code == 1
    assert any(line.startswith(f"error: {LITHIUM} (NC-LI-019): ") and ".lab: unknown analyte 'lithum'" in line
               for line in r.stdout.splitlines()), r.stdout


def test_unknown_value_set_names_the_leaf(rules_copy: Path) -> None:
    when = json.loads(json.dumps(LI_NSAID).replace('"set": "VS_NSAID"', '"set": "VS_NSAIDZ"'))
    write_rule(rules_copy, "neuro/review_test/unknown-set.yaml", "NC-TST-001", when)
    code, found = problems(rules_copy)
    assert code == 1
    assert only(found, rule_id="NC-TST-001", field="when.all[1].any[1].med_stopped_within",
                message="unknown value set 'VS_NSAIDZ'", file="neuro/review_test/unknown-set.yaml")


def test_duplicate_id(rules_copy: Path) -> None:
    edit(rules_copy, NSAID, r"^id: NC-LI-026$", "id: NC-LI-019")
    code, found = problems(rules_copy)
    assert code == 1
    hit = only(found, field="id", rule_id="NC-LI-019")
    assert hit and "duplicate id" in hit[0]["message"] and hit[0]["file"] in (NSAID, LITHIUM)


def test_threshold_in_a_unit_the_analyte_does_not_convert_from(rules_copy: Path) -> None:
    when = {"lab": {"analyte": "lithium", "within_days": 14, "op": ">=", "value": 1.5, "unit": "ng/mL"}}
    write_rule(rules_copy, "neuro/review_test/bad-unit.yaml", "NC-TST-001", when)
    code, found = problems(rules_copy)
    assert code == 1
    hit = only(found, rule_id="NC-TST-001", field="when.lab")
    assert hit and "unit 'ng/mL' does not convert to mmol/L for lithium" in hit[0]["message"]


def test_every_problem_is_collected_not_just_the_first(rules_copy: Path) -> None:
    edit(rules_copy, LITHIUM, r"analyte: lithium\b", "analyte: lithum")
    edit(rules_copy, LITHIUM, r"^references: .*$", "references: [SRC-NOPE]")
    edit(rules_copy, NSAID, r"^message: \|$", "message: |\n  {% if %}")
    _, found = problems(rules_copy)
    errors = [(p["rule_id"], p["field"]) for p in found if p["level"] == "error"]
    assert ("NC-LI-019", "references[0]") in errors and ("NC-LI-026", "message") in errors
    assert any(r == "NC-LI-019" and f.endswith(".lab") for r, f in errors)


def test_schema_error_names_the_field(rules_copy: Path) -> None:
    edit(rules_copy, NSAID, r"^severity: \w+$", "severity: urgent")
    code, found = problems(rules_copy)
    assert code == 1 and only(found, file=NSAID, rule_id="NC-LI-026", field="severity")


def test_the_loader_raises_on_the_same_errors(rules_copy: Path) -> None:
    edit(rules_copy, LITHIUM, r"^references: .*$", "references: [SRC-NOPE]")
    with pytest.raises(RuleBaseError) as e:
        Engine.load(rules=rules_copy)
    assert f"{LITHIUM} (NC-LI-019): references[0]: unknown source 'SRC-NOPE'" in e.value.problems


def test_text_output_lines_name_file_rule_and_field(rules_copy: Path) -> None:
    edit(rules_copy, NSAID, r"^references: .*$", "references: [SRC-NOPE]")
    r = cli("rules", "lint", "--rules", rules_copy, "--as-of", AS_OF)
    assert r.exit_code == 1
    assert f"error: {NSAID} (NC-LI-026): references[0]: unknown source 'SRC-NOPE'" in r.stdout.splitlines()


# ------------------------------------------------------------------ review policy


def test_high_rule_needs_a_reviewer(rules_copy: Path) -> None:
    drop_review(rules_copy, NSAID)
    code, found = problems(rules_copy)
    assert code == 1
    hit = only(found, rule_id="NC-LI-026", field="reviewed.by", level="error")
    assert hit and "must name a reviewer" in hit[0]["message"]


def test_draft_high_rule_without_reviewer_is_a_warning(rules_copy: Path) -> None:
    drop_review(rules_copy, NSAID)
    edit(rules_copy, NSAID, r"^status: active$", "status: draft")
    _, found = problems(rules_copy)
    assert only(found, rule_id="NC-LI-026", field="reviewed.by", level="warning")
    assert not only(found, rule_id="NC-LI-026", level="error")


def test_past_due_review_is_an_error_and_due_soon_a_warning(rules_copy: Path) -> None:
    edit(rules_copy, ESTROGEN, r"^  date: .*$", "  date: 2025-11-01")
    edit(rules_copy, ESTROGEN, r"^  next_due: .*$", "  next_due: 2026-11-01")
    edit(rules_copy, NSAID, r"^  next_due: .*$", "  next_due: 2026-12-15")
    code, found = problems(rules_copy)
    assert code == 1
    past = only(found, rule_id="HR-EST-001", field="reviewed.next_due", level="error")
    assert past and "past due" in past[0]["message"] and "2026-11-01" in past[0]["message"]
    soon = only(found, rule_id="NC-LI-026", field="reviewed.next_due", level="warning")
    assert soon and "within 30 days" in soon[0]["message"]


def test_only_warnings_exit_zero(rules_copy: Path) -> None:
    edit(rules_copy, NSAID, r"^  next_due: .*$", "  next_due: 2026-12-15")
    r = cli("rules", "lint", "--rules", rules_copy, "--as-of", AS_OF)
    assert r.exit_code == 0, r.stdout
    assert "warning: " + NSAID in r.stdout and "0 error(s)" in r.stdout


def test_as_of_decides_what_is_due_and_the_loader_does_not_care(rules_copy: Path) -> None:
    due = yaml.safe_load((rules_copy / LITHIUM).read_text(encoding="utf-8"))["reviewed"]["next_due"]
    late = lint(rules_copy, as_of=due + timedelta(days=1))
    assert "NC-LI-019" in {p.rule_id for p in late.errors if p.field == "reviewed.next_due"}
    soon = lint(rules_copy, as_of=due - timedelta(days=10))
    assert "NC-LI-019" in {p.rule_id for p in soon.warnings if p.field == "reviewed.next_due"}
    assert "NC-LI-019" not in {p.rule_id for p in lint(rules_copy, as_of=due - timedelta(days=31)).problems}
    Engine.load(rules=rules_copy, matcher="compiled")  # review dates never stop the engine from loading


# ------------------------------------------------------------------ rules that can never fire


def test_contradictory_conditions_can_never_fire(rules_copy: Path) -> None:
    when = {"all": [{"med_active": "VS_CITALOPRAM"}, {"patient": {"field": "age", "op": ">", "value": 60}},
                    {"patient": {"field": "age", "op": "<", "value": 50}}]}
    write_rule(rules_copy, "neuro/review_test/never.yaml", "NC-TST-001", when)
    code, found = problems(rules_copy)
    assert code == 1
    hit = only(found, rule_id="NC-TST-001", field="when", check="reachability")
    assert hit and "can never fire" in hit[0]["message"] and "patient:age > 60 and < 50" in hit[0]["message"]


def test_a_leaf_and_its_negation_in_one_conjunction(rules_copy: Path) -> None:
    when = {"all": [{"med_active": "VS_LITHIUM"}, {"any": [{"med_active": "VS_NSAID"}]},
                    {"not": {"med_active": "VS_NSAID"}}]}
    write_rule(rules_copy, "neuro/review_test/never.yaml", "NC-TST-001", when)
    _, found = problems(rules_copy)
    assert only(found, rule_id="NC-TST-001", field="when", level="error", check="reachability")


def test_a_satisfiable_alternative_keeps_a_rule_reachable(rules_copy: Path) -> None:
    dose = [{"daily_dose": {"set": "VS_NSAID", "op": ">", "value": 800, "unit": "mg"}},
            {"daily_dose": {"set": "VS_NSAID", "op": "<", "value": 100, "unit": "mg"}}]
    when = {"all": [{"med_active": "VS_LITHIUM"}, {"any": [{"all": dose}, {"med_active": "VS_NSAID"}]}]}
    write_rule(rules_copy, "neuro/review_test/sometimes.yaml", "NC-TST-001", when)
    _, found = problems(rules_copy)
    assert not only(found, rule_id="NC-TST-001", check="reachability")


def test_escalation_that_can_never_apply_is_a_warning(rules_copy: Path) -> None:
    when = {"all": [{"med_active": "VS_CITALOPRAM"}, {"patient": {"field": "age", "op": ">", "value": 60}}]}
    young = {"patient": {"field": "age", "op": "<", "value": 30}}
    esc = [{"severity": "high", "reason": "young patient", "when": young}]
    write_rule(rules_copy, "neuro/review_test/esc.yaml", "NC-TST-001", when, escalations=esc)
    _, found = problems(rules_copy)
    hit = only(found, rule_id="NC-TST-001", field="escalations[0].when", check="reachability")
    assert hit and hit[0]["level"] == "warning" and "never apply" in hit[0]["message"]


# ------------------------------------------------------------------ shadowing


def test_shadowed_by_a_more_general_rule(rules_copy: Path) -> None:
    write_rule(rules_copy, "neuro/review_test/general.yaml", "NC-TST-001", LI_NSAID)
    write_rule(rules_copy, "neuro/review_test/specific.yaml", "NC-TST-002", {"all": [*LI_NSAID["all"], OLDER]})
    _, found = problems(rules_copy)
    hit = only(found, rule_id="NC-TST-002", check="shadowing")
    assert hit and hit[0]["level"] == "warning" and hit[0]["file"] == "neuro/review_test/specific.yaml"
    assert "shadowed by the more general NC-TST-001" in hit[0]["message"]
    assert not only(found, rule_id="NC-TST-001", check="shadowing")  # the general rule is not shadowed


def test_supersedes_declares_the_specific_finding(rules_copy: Path) -> None:
    write_rule(rules_copy, "neuro/review_test/general.yaml", "NC-TST-001", LI_NSAID)
    write_rule(rules_copy, "neuro/review_test/specific.yaml", "NC-TST-002", {"all": [*LI_NSAID["all"], OLDER]},
               supersedes=["NC-TST-001"])
    _, found = problems(rules_copy)
    assert not [p for p in only(found, check="shadowing") if p["rule_id"].startswith("NC-TST")]


def test_a_different_kind_or_folder_does_not_shadow(rules_copy: Path) -> None:
    write_rule(rules_copy, "neuro/review_test/general.yaml", "NC-TST-001", LI_NSAID)
    write_rule(rules_copy, "neuro/review_test/specific.yaml", "NC-TST-002", {"all": [*LI_NSAID["all"], OLDER]},
               kind="monitoring")
    write_rule(rules_copy, "neuro/review_other/specific.yaml", "NC-TST-003", {"all": [*LI_NSAID["all"], OLDER]})
    _, found = problems(rules_copy)
    assert not [p for p in only(found, check="shadowing") if p["rule_id"].startswith("NC-TST")]


def test_identical_conditions_are_reported_once(rules_copy: Path) -> None:
    write_rule(rules_copy, "neuro/review_test/a.yaml", "NC-TST-001", LI_NSAID)
    write_rule(rules_copy, "neuro/review_test/b.yaml", "NC-TST-002", LI_NSAID)
    _, found = problems(rules_copy)
    hits = [p for p in only(found, check="shadowing") if p["rule_id"].startswith("NC-TST")]
    assert len(hits) == 1 and "same condition" in hits[0]["message"]


# ------------------------------------------------------------------ wording


def _message_problems(rules: Path, text: str) -> list[dict]:
    write_rule(rules, "neuro/review_test/msg.yaml", "NC-TST-001", LI_NSAID, message=text)
    _, found = problems(rules)
    return only(found, rule_id="NC-TST-001", field="message", check="wording")


def test_the_judgment_statement_is_appended_to_every_message(engine: Engine) -> None:
    """A rule's message never has to carry it: the renderer adds it, so no rule can forget it."""
    from setpoint.findings import JUDGMENT

    r = engine.evaluate(ROOT / "examples" / "perimenopause-and-lithium.yaml", as_of=date(2026, 11, 21))
    assert r.findings and all(f.detail.rstrip().endswith(JUDGMENT) for f in r.findings)


def test_a_shared_template_without_the_judgment_statement(tmp_path: Path, rules_copy: Path) -> None:
    reports = copy_reports(tmp_path)
    (reports / "partials" / "finding_tail.md.j2").write_text("Sources: see the rule.\n", encoding="utf-8")
    _, found = problems(rules_copy, "--reports", reports)
    hit = only(found, file="reports/partials/finding_tail.md.j2", check="wording")
    assert hit and "clinician-judgment statement" in hit[0]["message"]


def test_a_message_that_suggests_passes(rules_copy: Path) -> None:
    assert _message_problems(rules_copy, "Consider paracetamol instead of the NSAID.") == []


def test_a_message_that_orders_instead_of_suggesting(rules_copy: Path) -> None:
    found = _message_problems(rules_copy, "Stop the NSAID and switch to paracetamol.")
    assert len(found) == 1 and 'never says "consider"' in found[0]["message"]


def test_a_message_that_reassures(rules_copy: Path) -> None:
    found = _message_problems(rules_copy, "Consider paracetamol; the combination is otherwise safe.")
    assert len(found) == 1 and "'safe'" in found[0]["message"] and found[0]["level"] == "error"


def test_a_reviewer_not_listed_in_the_rule_base_is_refused(rules_copy: Path) -> None:
    edit(rules_copy, NSAID, r"^  by: setpoint-engineering$", "  by: somebody-else")
    code, found = problems(rules_copy)
    hit = only(found, rule_id="NC-LI-026", field="reviewed.by", level="error")
    assert code == 1 and hit and "'somebody-else' is not a reviewer listed in rulebase.yaml" in hit[0]["message"]


def test_a_reviewer_must_be_an_id_not_free_text(rules_copy: Path) -> None:
    edit(rules_copy, NSAID, r"^  by: setpoint-engineering$", "  by: Dr Somebody (looked at it)")
    _, found = problems(rules_copy)
    assert only(found, rule_id="NC-LI-026", field="reviewed.by", level="error")


def test_summary_that_reassures(rules_copy: Path) -> None:
    write_rule(rules_copy, "neuro/review_test/msg.yaml", "NC-TST-001", LI_NSAID,
               summary="All clear unless the NSAID is taken daily")
    _, found = problems(rules_copy)
    assert only(found, rule_id="NC-TST-001", field="summary", level="error")


def test_lint_api_matches_the_cli(rules_copy: Path) -> None:
    edit(rules_copy, LITHIUM, r"^references: .*$", "references: []")
    report = lint(rules_copy, as_of=date(2026, 11, 21))
    _, found = problems(rules_copy)
    assert [p.to_dict() for p in report.problems] == found


# ------------------------------------------------------------------ clinical sign-off


def test_require_signoff_fails_every_active_rule_without_one(rules_copy: Path) -> None:
    r = cli("rules", "lint", "--rules", rules_copy, "--as-of", AS_OF, "--require-signoff", "--format", "json")
    report = json.loads(r.stdout)
    active = sum(1 for p in rules_copy.rglob("*.yaml") if "status: active" in p.read_text())
    assert r.exit_code == 1 and report["without_clinical_signoff"] == active
    assert any(p["field"] == "reviewed.clinical_signoff" for p in report["problems"])
    assert cli("rules", "lint", "--rules", rules_copy, "--as-of", AS_OF).exit_code == 0


def test_a_signoff_by_a_clinician_counts_and_an_engineer_cannot_sign(rules_copy: Path) -> None:
    (rules_copy / "rulebase.yaml").write_text((rules_copy / "rulebase.yaml").read_text() + (
        "  - {id: dr-lee, name: Dr A Lee, role: clinical}\n"))
    edit(rules_copy, NSAID, r"^  next_due: (.*)$",
         "  next_due: \\1\n  clinical_signoff: {by: dr-lee, role: clinical, date: 2026-11-30}")
    edit(rules_copy, LITHIUM, r"^  next_due: (.*)$",
         "  next_due: \\1\n  clinical_signoff: {by: setpoint-engineering, role: clinical, date: 2026-11-30}")
    report = lint(rules_copy, as_of=date(2026, 11, 21), require_signoff=True)
    fields = {(p.rule_id, p.field) for p in report.errors}
    assert ("NC-LI-026", "reviewed.clinical_signoff") not in fields
    assert ("NC-LI-019", "reviewed.clinical_signoff.by") in fields
    active = sum(1 for p in rules_copy.rglob("*.yaml") if "status: active" in p.read_text())
    assert report.without_signoff == active - 1, "only the clinician's sign-off counts"


def test_every_report_says_how_many_rules_lack_signoff(engine: Engine) -> None:
    r = engine.evaluate(ROOT / "examples" / "perimenopause-and-lithium.yaml", as_of=date(2026, 11, 21))
    assert r.rulebase.without_clinical_signoff == r.rulebase.rules == len(engine.rulebase.rules)
    for fmt in ("text", "markdown", "html"):
        assert f"{r.rulebase.rules} of {r.rulebase.rules} rules lack a clinician" in engine.renderer.report(r, fmt)


def test_a_source_on_a_study_notes_or_test_host_is_an_error(tmp_path: Path, rules_copy: Path) -> None:
    import shutil

    knowledge = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge)
    f = knowledge / "sources.yaml"
    f.write_text(f.read_text().replace("https://www.sps.nhs.uk/monitorings/levothyroxine-monitoring/",
                                       "https://uat.sps.nhs.uk/?p=62809"))
    r = cli("rules", "lint", "--rules", rules_copy, "--knowledge", knowledge, "--as-of", AS_OF)
    assert r.exit_code == 1 and "uat.sps.nhs.uk is not a primary or publisher page" in r.stdout
