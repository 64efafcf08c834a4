"""`setpoint rules audit`: the reviewer's report, checked as text and as a reviewer sees it in Chromium."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from setpoint import Engine

from .review_util import AS_OF, ESTROGEN, LITHIUM, cli, edit

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync")


@pytest.fixture(scope="module")
def html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("audit") / "audit.html"
    # Scenarios (slow to run over the whole rule base) are checked in the Markdown report.
    r = cli("rules", "audit", "--as-of", AS_OF, "-o", out, "--no-scenarios")
    assert r.exit_code == 0, r.output
    return out


@pytest.fixture(scope="module")
def markdown() -> str:
    r = cli("rules", "audit", "--format", "markdown", "--as-of", AS_OF)
    assert r.exit_code == 0, r.output
    return r.stdout


def section(md: str, rule_id: str) -> str:
    m = re.search(rf"^## {re.escape(rule_id)}\n(.*?)(?=^## |\Z)", md, re.MULTILINE | re.DOTALL)
    assert m, f"no section for {rule_id}"
    return m.group(1)


def test_markdown_has_every_rule_in_plain_language(markdown: str, engine: Engine) -> None:
    for lr in engine.rulebase.rules:
        body = section(markdown, lr.id)
        assert lr.rule.title in body and "**Fires when:**" in body
    plain = [ln for ln in markdown.splitlines() if ln.startswith(("**Fires when:**", "  ", "- gap:", "Severity"))]
    assert plain and not [ln for ln in plain if re.search(r"\bVS_|med_active|when\.all", ln)]  # not a YAML dump
    est = section(markdown, "HR-EST-001")
    fires = next(line for line in est.splitlines() if line.startswith("**Fires when:**"))
    assert "the patient is taking systemic estrogen" in fires and " AND " in fires
    assert "diagnosis of breast cancer" in fires


def test_markdown_has_sources_grades_reviews_and_coverage(markdown: str, engine: Engine) -> None:
    lr = engine.rulebase.by_id("HR-EST-001")
    body = section(markdown, "HR-EST-001")
    for sid in lr.rule.references:
        assert f"**{sid}**: {engine.knowledge.sources[sid].citation}" in body
    assert f"grade {lr.rule.evidence.grade}:" in body
    assert lr.rule.reviewed is not None
    assert f"by {lr.rule.reviewed.by} on {lr.rule.reviewed.date}; next review due {lr.rule.reviewed.next_due}" in body
    assert re.search(r"Coverage \d+(\.\d)?%: fires in \d+, silent in \d+", body)
    assert re.search(r"^- fires: .+ \(`hormone/.+\.feature:\d+`\)$", body, re.MULTILINE)
    unverified = [r.id for r in engine.rulebase.rules if r.rule.evidence.unverified]
    for rid in unverified:
        assert "**unverified evidence**" in section(markdown, rid)


def test_html_is_one_self_contained_page(html: Path) -> None:
    text = html.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<style>" in text and "<script>" in text
    assert not re.search(r"<(link|img|iframe)\b|<script[^>]+src=|@import|url\(", text)
    assert "default-src 'none'" in text  # the page may not fetch anything
    assert 'id="filter-domain"' in text and 'id="filter-kind"' in text and 'id="filter-severity"' in text


def test_broken_copy_shows_the_problems_to_the_reviewer(rules_copy: Path) -> None:
    edit(rules_copy, LITHIUM, r"^references: .*$", "references: []")
    edit(rules_copy, ESTROGEN, r"^  date: .*$", "  date: 2025-11-01")
    edit(rules_copy, ESTROGEN, r"^  next_due: .*$", "  next_due: 2026-11-01")
    r = cli("rules", "audit", "--rules", rules_copy, "--format", "markdown", "--as-of", AS_OF)
    assert r.exit_code == 0, r.output
    li = section(r.stdout, "NC-LI-019")
    assert "- **none cited**" in li and "error: references: critical rules must cite a source" in li
    est = section(r.stdout, "HR-EST-001")
    assert "next review due 2026-11-01 **(OVERDUE)**" in est and "error: reviewed.next_due" in est


def test_output_file_and_unknown_format(tmp_path: Path) -> None:
    out = tmp_path / "a.md"
    r = cli("rules", "audit", "-f", "markdown", "-o", out, "--no-scenarios", "--as-of", AS_OF)
    assert r.exit_code == 0 and out.read_text(encoding="utf-8").startswith("# Rule base audit")
    assert "Scenarios were not run." in out.read_text(encoding="utf-8")
    assert cli("rules", "audit", "-f", "pdf").exit_code == 2


# ------------------------------------------------------------------ in a browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        webdriver = None  # type: ignore[assignment]
    if not (chromium and driver and webdriver):
        why = "needs Debian's chromium and chromium-driver and the selenium dev extra (.ci/run installs them)"
        if os.environ.get("SETPOINT_REQUIRE_BROWSER"):
            pytest.fail(why)
        pytest.skip(why)
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager download a browser or driver
    profile = tempfile.mkdtemp(prefix="setpoint-chromium-")
    options = Options()
    options.binary_location = chromium
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    drv = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    try:
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _visible(drv: Any, css: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return [e for e in drv.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()]


def _choose(drv: Any, which: str, value: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(drv.find_element(By.ID, f"filter-{which}")).select_by_value(value)


def test_reviewer_filters_the_report_in_chromium(browser: Any, html: Path, engine: Engine) -> None:
    from selenium.webdriver.common.by import By

    rules = {lr.id: lr.rule for lr in engine.rulebase.rules}
    browser.get(html.as_uri())
    assert browser.title.startswith("Rule base audit:")
    total = len(browser.find_elements(By.CSS_SELECTOR, "section.rule[data-domain]"))
    assert total >= len(rules)
    # Table of contents: one entry per rule, each linking to its section.
    links = browser.find_elements(By.CSS_SELECTOR, "#toc a")
    assert len(links) == total
    assert all(browser.find_elements(By.ID, a.get_attribute("href").split("#", 1)[1]) for a in links)
    assert browser.find_element(By.ID, "shown-count").text == f"{total} of {total} rules shown"

    _choose(browser, "severity", "critical")
    shown = _visible(browser, "section.rule[data-domain]")
    critical = [s for s in shown if s.get_attribute("data-severity") == "critical"]
    assert shown and critical == shown
    assert {s.get_attribute("id")[5:] for s in shown} >= {i for i, r in rules.items() if r.severity == "critical"}
    assert browser.find_element(By.ID, "shown-count").text == f"{len(shown)} of {total} rules shown"
    assert len(_visible(browser, "#toc li")) == len(shown)

    _choose(browser, "domain", "neuro")
    shown = _visible(browser, "section.rule[data-domain]")
    assert shown and all(s.get_attribute("data-domain") == "neuro" and s.get_attribute("data-severity") == "critical"
                         for s in shown)
    hidden = browser.find_element(By.ID, "rule-HR-EST-001")
    assert not hidden.is_displayed()

    _choose(browser, "domain", "")
    _choose(browser, "severity", "")
    _choose(browser, "kind", "contraindication")
    shown = _visible(browser, "section.rule[data-domain]")
    assert shown and all(s.get_attribute("data-kind") == "contraindication" for s in shown)

    _choose(browser, "kind", "")
    assert len(_visible(browser, "section.rule[data-domain]")) == total
    est = browser.find_element(By.ID, "rule-HR-EST-001")
    fires = est.find_element(By.CSS_SELECTOR, ".fires-when")
    assert fires.is_displayed() and "the patient is taking systemic estrogen" in fires.text
    assert "Sources" in est.text and "next review due" in est.text
    # Nothing was fetched: no stylesheet, script, font or image from anywhere.
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
