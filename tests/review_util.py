"""Helpers for the safety reviewer's toolkit tests (tests/test_review_*.py).

Broken copies of the bundled rule base are made with line-level edits (`edit`) that do not
depend on a rule's condition tree, and with small rules written here (`write_rule`), so the
tests keep meaning the same thing while the bundled rules grow."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from setpoint.cli import app

from .conftest import ROOT

AS_OF = "2026-11-21"
NSAID = "neuro/lithium/lithium-with-nsaid.yaml"  # NC-LI-026, high
LITHIUM = "neuro/lithium/lithium-toxic-level.yaml"  # NC-LI-019, critical, lab: lithium in mmol/L
ESTROGEN = "hormone/estrogen/estrogen-with-breast-cancer.yaml"  # HR-EST-001, critical


def cli(*args: str | Path):
    """Run `setpoint ARGS` in-process; the result has exit_code, stdout and stderr."""
    return CliRunner().invoke(app, [str(a) for a in args])


def edit(rules: Path, rel: str, pattern: str, new: str) -> None:
    """Replace the first match of a regular expression (multi-line mode) in one rule file."""
    f = rules / rel
    text = f.read_text(encoding="utf-8")
    out, n = re.subn(pattern, new, text, count=1, flags=re.MULTILINE)
    assert n == 1, f"{pattern!r} not found in {rel}"
    f.write_text(out, encoding="utf-8")


def drop_review(rules: Path, rel: str) -> None:
    edit(rules, rel, r"^reviewed:\n(?:[ \t]+.*\n?)+", "")


def rule_doc(rule_id: str, when: Any, **fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": rule_id, "version": "1.0.0", "status": "active", "title": f"Test rule {rule_id}",
        "topic": "review_test", "kind": "interaction", "severity": "moderate", "when": when,
        "summary": "Consider reviewing this test combination",
        "message": "Consider reviewing this test combination with the patient.",
        "references": ["SRC-SPS-LI"], "evidence": {"grade": "S", "unverified": False},
        "authors": ["Setpoint tests"], "created": "2026-11-21",
        "reviewed": {"by": "setpoint-tests", "date": "2026-11-21", "next_due": "2027-11-21"},
    }
    doc.update(fields)
    return doc


def write_rule(rules: Path, rel: str, rule_id: str, when: Any, **fields: Any) -> Path:
    """Write a small valid rule (fields override the defaults) to `rules/rel`."""
    path = rules / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(rule_doc(rule_id, when, **fields), sort_keys=False), encoding="utf-8")
    return path


def mini_rulebase(tmp: Path, rules: dict[str, dict[str, Any]], version: str = "1.0.0") -> Path:
    """A rule base of only the given rules (file -> rule document)."""
    root = tmp / "mini-rules"
    root.mkdir(parents=True, exist_ok=True)
    (root / "rulebase.yaml").write_text(
        f"name: review-test\nversion: {version}\nreviewers:\n  - {{id: setpoint-tests, name: Setpoint tests, "
        "role: engineering}\n", encoding="utf-8")
    for rel, doc in rules.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return root


def copy_reports(tmp: Path) -> Path:
    dst = tmp / "reports"
    shutil.copytree(ROOT / "reports", dst)
    return dst
