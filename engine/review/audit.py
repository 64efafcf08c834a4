"""`setpoint rules audit`: the reviewer-facing report of the whole rule base.

Each rule in plain language (engine.review.plain), its sources with full citations and evidence
grade, unverified flags, status, reviewers and review due dates, its scenarios and coverage, and
its lint problems.  HTML (one self-contained page: inline CSS and JS, no network; a table of
contents and filters by domain, kind and severity) or Markdown, from the Jinja templates in
`reports/audit/`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .. import paths
from ..errors import IntegrityError
from ..rules.load import Problem, load_rulebase
from ..rules.schema import Rule, signed_off
from ..scenarios import Progress
from ..severity import DESCENDING, rank
from .coverage import CoverageReport, run_coverage
from .lint import DUE_SOON_DAYS, lint_checked
from .plain import Phrases, outline, outline_lines, sentence

FORMATS = {"html": "audit/audit.html.j2", "markdown": "audit/audit.md.j2"}
GRADES = {
    "V": "checked against published text (label, guideline or official page)",
    "S": "checked against a secondary summary of the named guideline",
    "U": "UNVERIFIED: could not be checked against a published source; check before production use",
}


@dataclass
class AuditRule:
    rule: Rule
    file: str
    fires_when: str
    outline: Any
    outline_md: list[str]
    escalations: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    review_state: str  # ok, due_soon, overdue, missing
    coverage: dict[str, Any] | None
    scenarios: list[dict[str, str]]
    problems: list[Problem] = field(default_factory=list)


def _review_state(rule: Rule, as_of: date) -> str:
    if rule.reviewed is None:
        return "missing"
    days = (rule.reviewed.next_due - as_of).days
    return "overdue" if days < 0 else ("due_soon" if days <= DUE_SOON_DAYS else "ok")


def _manifest_state(root: Path) -> str:
    from ..manifest import compare

    try:
        mismatch = compare(root)
    except IntegrityError as e:
        return f"not verified: {e}"
    if mismatch:
        return "DOES NOT MATCH the manifest: " + "; ".join(mismatch.lines())
    return "matches MANIFEST.sha256.json (every file's SHA-256)"


def build(rules: Path | None = None, knowledge: Path | None = None, features: Path | None = None,
          as_of: date | None = None, scenarios: bool = True, progress: Progress | None = None) -> dict[str, Any]:
    """Everything the audit templates show, as plain data."""
    from ..core import Engine

    when = as_of or date.today()
    rules_dir = Path(rules) if rules else paths.rules_dir()
    loaded = load_rulebase(rules_dir, knowledge)
    k, renderer, checked = loaded.knowledge, loaded.renderer, loaded.checked
    problems = lint_checked(checked, k, renderer, when)
    coverage: CoverageReport | None = None
    if scenarios and not checked.errors:
        eng = Engine.load(rules=rules_dir, knowledge=knowledge, matcher="compiled")
        coverage = run_coverage(eng, Path(features) if features else paths.features_dir(), progress=progress)
    phrases = Phrases(k)
    out: list[AuditRule] = []
    for f in checked.files:
        r = f.rule
        if r is None:
            continue
        cov = None
        scns: list[dict[str, str]] = []
        if coverage is not None and r.status == "active" and any(c.rule_id == r.id for c in coverage.rules):
            rc = coverage.by_id(r.id)
            cov = rc.to_dict()
            names = {run.scenario.id: run.scenario for run in coverage.runs}
            for sid in rc.scenarios:
                outcome = ("fires" if sid in rc.fired else "silent" if sid in rc.silent else "cannot assess")
                scns.append({"id": sid, "name": names[sid].name, "outcome": outcome})
        sources = []
        for sid in r.references:
            s = k.sources.get(sid)
            sources.append({"id": sid, "citation": s.citation if s else "(unknown source)",
                            "url": s.url if s else None, "checked_via": s.checked_via if s else None,
                            "retracted": bool(s and s.retracted)})
        when_tree, *esc_trees = f.trees
        o = outline(when_tree, phrases)
        out.append(AuditRule(
            rule=r, file=f.path.as_posix(), fires_when=sentence(when_tree, phrases), outline=o,
            outline_md=outline_lines(o),
            escalations=[{"severity": e.severity, "reason": e.reason, "when": sentence(t, phrases)}
                         for e, t in zip(r.escalations, esc_trees, strict=True)],
            sources=sources, review_state=_review_state(r, when), coverage=cov, scenarios=scns,
            problems=[p for p in problems if p.rule_id == r.id and p.file == f.path.as_posix()],
        ))
    out.sort(key=lambda a: (a.rule.domain, -rank(a.rule.severity), a.rule.id))
    return {
        "name": checked.manifest.name if checked.manifest else "(no rulebase.yaml)",
        "version": checked.manifest.version if checked.manifest else "?",
        "as_of": when.isoformat(),
        "manifest": _manifest_state(rules_dir),
        "scenarios_note": None if coverage is not None else (
            "Scenarios were not run: the rule base has errors (listed with each rule)." if scenarios and checked.errors
            else "Scenarios were not run."),
        "rules": out,
        "domains": sorted({a.rule.domain for a in out}),
        "kinds": sorted({a.rule.kind for a in out}),
        "severities": [str(s) for s in DESCENDING if any(a.rule.severity == s for a in out)],
        "statuses": sorted({a.rule.status for a in out}),
        "grades": GRADES,
        "other_problems": [p for p in problems if p.rule_id is None or not any(
            a.rule.id == p.rule_id and a.file == p.file for a in out)],
        "coverage": None if coverage is None else {
            "percent": round(coverage.percent, 1), "scenarios": len(coverage.runs),
            "failed": [{"id": r.scenario.id, "name": r.scenario.name, "message": r.message}
                       for r in coverage.failures],
            "lacking": [r.rule_id for r in coverage.lacking()]},
        "counts": {"rules": len(out), "active": sum(a.rule.status == "active" for a in out),
                   "unverified": sum(a.rule.evidence.unverified for a in out),
                   "without_signoff": sum(a.rule.status == "active" and not signed_off(a.rule, checked.manifest)
                                          for a in out),
                   "errors": sum(p.level == "error" for p in problems),
                   "warnings": sum(p.level == "warning" for p in problems)},
    }


def render(data: dict[str, Any], fmt: str = "html", reports: Path | None = None) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    from ..render import environment

    return environment(Path(reports) if reports else paths.reports_dir()).get_template(FORMATS[fmt]).render(**data)
