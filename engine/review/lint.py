"""`setpoint rules lint`: every problem of a rule base, each naming file, rule id and field.

Errors (exit 1) and warnings (exit 0).  The checks, in order:

1. *load* — everything the loader checks (engine.rules.load.check_rulebase): YAML and schema;
   duplicate ids; value sets, analytes, specimens, sources, templates and superseded rules
   resolve; thresholds in a unit the analyte converts from; critical and high rules cite a
   source.  The loader refuses a rule base with any of these errors.
2. *matcher* — the rule fits the durable-rules matcher's budgets (engine.matching.durable).
3. *review* — review policy, which depends on the date (`as_of`) and so is not a load error:
   critical and high rules name a reviewer (`reviewed.by`; an error for active rules, a warning
   for drafts); the reviewer is one listed under `reviewers:` in rulebase.yaml; an active rule has
   a review whose `next_due` is not past (a warning when it is due within 30 days).
4. *wording* — each rule's message says "consider" and never says "safe"/"safely", "no problems"
   or "all clear"; summaries, suggestion labels and escalation reasons never say those either.
   The renderer appends the clinician-judgment statement to every message; the shared templates
   that carry it (`partials/finding_tail.md.j2`, the cannot-assess message) are checked to do so.
5. *reachability* — a rule that can never fire (every alternative of its condition contradicts
   itself, e.g. age > 60 and age < 50) is an error; an escalation that can never apply, or a rule
   whose condition can never be false, is a warning.  See engine.review.logic.
6. *shadowing* — a warning when rule A is shadowed by rule B: both are not retired, have the same
   `kind` and the same topic family (the folder holding the rule file, e.g. `hormone/estrogen`),
   and whenever A fires B fires too (engine.review.logic.shadowed_by), unless A lists B in
   `supersedes` (the intended "more specific finding first" grouping).  Two rules with equivalent
   conditions are reported once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import TemplateError, nodes

from .. import paths
from ..errors import KnowledgeError, RuleBaseError
from ..knowledge.load import Knowledge
from ..matching import durable
from ..render import CANNOT_ASSESS, TAIL, Renderer
from ..rules.load import CheckedRuleBase, Level, LoadedRule, Problem, RuleFile, load_rulebase
from ..rules.schema import Rule, signed_off
from ..rules.tree import Node
from . import logic

JUDGMENT_PARTIALS = ("partials/judgment.md.j2",)
FORBIDDEN = re.compile(r"\b(safe|safely|no problems?|all clear)\b", re.IGNORECASE)
DUE_SOON_DAYS = 30


@dataclass
class LintReport:
    problems: list[Problem]
    files: int
    as_of: date
    without_signoff: int = 0  # active rules no clinician has signed off

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    def to_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "files": self.files, "without_clinical_signoff": self.without_signoff,
                "errors": len(self.errors),
                "warnings": len(self.warnings), "problems": [p.to_dict() for p in self.problems]}

    def text(self) -> str:
        lines = [f"{p.level}: {p}" for p in self.problems]
        lines.append(f"{len(self.errors)} error(s), {len(self.warnings)} warning(s) in {self.files} rule file(s) "
                     f"(review dates as of {self.as_of.isoformat()}); {self.without_signoff} active rule(s) without "
                     "clinical sign-off")
        return "\n".join(lines)


# ------------------------------------------------------------------ review policy


def review_problems(f: RuleFile, as_of: date, reviewers: frozenset[str] | None = None,
                    clinicians: frozenset[str] | None = None, require_signoff: bool = False) -> list[Problem]:
    r = f.rule
    if r is None or r.status == "retired":
        return []
    file = f.path.as_posix()
    out = []

    def add(fld: str, msg: str, level: Level = "error") -> None:
        out.append(Problem(file, r.id, fld, msg, level, "review"))

    if r.severity in ("critical", "high") and r.reviewed is None:
        add("reviewed.by", f"{r.severity} rules must name a reviewer",
            "error" if r.status == "active" else "warning")
    if r.reviewed is not None and reviewers is not None and r.reviewed.by not in reviewers:
        known = ", ".join(sorted(reviewers)) or "none"
        add("reviewed.by", f"{r.reviewed.by!r} is not a reviewer listed in rulebase.yaml (reviewers: {known})")
    signoff = r.reviewed.clinical_signoff if r.reviewed is not None else None
    if signoff is not None and clinicians is not None and signoff.by not in clinicians:
        add("reviewed.clinical_signoff.by", f"{signoff.by!r} is not a clinical or pharmacy reviewer listed in "
            "rulebase.yaml")
    if signoff is None and require_signoff and r.status == "active":
        add("reviewed.clinical_signoff", "no clinical sign-off (required by --require-signoff)")
    if r.status == "active":
        if r.reviewed is None:
            if r.severity not in ("critical", "high"):
                add("reviewed", "an active rule needs a review (reviewed.by, reviewed.date, reviewed.next_due)")
        elif r.reviewed.next_due < as_of:
            add("reviewed.next_due", f"review was due on {r.reviewed.next_due.isoformat()} (past due as of "
                f"{as_of.isoformat()}); review the rule or set status: draft")
        elif (r.reviewed.next_due - as_of).days <= DUE_SOON_DAYS:
            add("reviewed.next_due", f"review due on {r.reviewed.next_due.isoformat()}, within {DUE_SOON_DAYS} days",
                "warning")
    return out


# ------------------------------------------------------------------ wording


@dataclass
class TemplateFacts:
    includes: set[str] = field(default_factory=set)  # transitively
    text: str = ""  # the template's own literal text
    error: str | None = None


class TemplateChecker:
    def __init__(self, renderer: Renderer):
        self.env = renderer.env
        self._cache: dict[str, TemplateFacts] = {}

    def _parse(self, source: str, name: str) -> TemplateFacts:
        out = TemplateFacts()
        try:
            ast = self.env.parse(source)
        except TemplateError as e:
            out.error = f"{name}: {e}"
            return out
        out.text = " ".join(n.data for n in ast.find_all(nodes.TemplateData))
        out.text += " " + " ".join(n.value for n in ast.find_all(nodes.Const) if isinstance(n.value, str))
        for inc in ast.find_all(nodes.Include):
            if isinstance(inc.template, nodes.Const) and isinstance(inc.template.value, str):
                child = inc.template.value
                out.includes.add(child)
                out.includes |= self.facts(child).includes
        return out

    def facts(self, name: str) -> TemplateFacts:
        if name not in self._cache:
            self._cache[name] = TemplateFacts()  # guards against include cycles
            try:
                source = self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]
            except TemplateError as e:
                self._cache[name] = TemplateFacts(error=f"template {name}: {e}")
            else:
                self._cache[name] = self._parse(source, f"template {name}")
        return self._cache[name]

    def judgment_problems(self, name: str) -> list[Problem]:
        """A shared template that must carry the clinician-judgment statement."""
        f = self.facts(name)
        if f.error:
            return [Problem(f"reports/{name}", None, "", f.error, "error", "wording")]
        if not f.includes & set(JUDGMENT_PARTIALS):
            return [Problem(f"reports/{name}", None, "", f"template {name} does not carry the clinician-judgment "
                            'statement: include "partials/judgment.md.j2"', "error", "wording")]
        return []

    def message_problems(self, rule: Rule, file: str) -> list[Problem]:
        def p(msg: str) -> Problem:
            return Problem(file, rule.id, "message", msg, "error", "wording")

        f = self._parse(rule.message, "message")
        if f.error:
            return [p(f"not a valid Jinja template: {f.error}")]
        out = []
        if "consider" not in f.text.lower():
            out.append(p("never says \"consider\": advice must be a suggestion, not an order"))
        for m in sorted({m.group(0).lower() for m in FORBIDDEN.finditer(f.text)}):
            out.append(p(f"says {m!r}: output must never read as reassurance"))
        return out


def wording_problems(rule: Rule, file: str) -> list[Problem]:
    texts = [("summary", rule.summary)]
    texts += [(f"suggestions[{i}].label", s.label) for i, s in enumerate(rule.suggestions)]
    texts += [(f"escalations[{i}].reason", e.reason) for i, e in enumerate(rule.escalations)]
    out = []
    for fld, text in texts:
        for m in sorted({m.group(0).lower() for m in FORBIDDEN.finditer(text)}):
            out.append(Problem(file, rule.id, fld, f"says {m!r}: output must never read as reassurance",
                               "error", "wording"))
    return out


# ------------------------------------------------------------------ sources


# Hosts that are not primary or publisher pages: study notes, code hosts, aggregators, test sites (issue 11).
NON_PRIMARY_HOSTS = ("github.com", "gitlab.com", "medscape.com", "guidelinecentral.com", "jesse.tg", "quizlet.com",
                     "coursehero.com", "scribd.com", "studocu.com", "droracle.ai", "globalrph.com", "gpnotebook.com",
                     "5y1.org", "obgproject.com", "researcher.life", "wikipedia.org")
TEST_HOST_PREFIXES = ("uat.", "test.", "staging.", "dev.", "localhost")
_YEAR = re.compile(r"\b(19|20)\d{2}\b")


def source_problems(k: Knowledge, used: set[str]) -> list[Problem]:
    """Each source a rule cites has a URL or a full citation (with its year), and no URL on a non-primary host."""
    out = []
    for sid in sorted(used & set(k.sources)):
        s = k.sources[sid]
        where = f"sources[{sid}]"
        if not s.url and not _YEAR.search(s.citation):
            out.append(Problem("knowledge/sources.yaml", None, where, "neither a URL nor a full citation (authors, "
                               "title, journal or publisher, year)", "error", "sources"))
        if s.url:
            host = (urlsplit(s.url).hostname or "").lower()
            if host.startswith(TEST_HOST_PREFIXES) or any(host == h or host.endswith("." + h)
                                                          for h in NON_PRIMARY_HOSTS):
                out.append(Problem("knowledge/sources.yaml", None, f"{where}.url", f"{host} is not a primary or "
                                   "publisher page (study notes, aggregators and test sites are not sources)",
                                   "error", "sources"))
    return out


# ------------------------------------------------------------------ reachability and shadowing


def reachability_problems(lr: LoadedRule) -> list[Problem]:
    file, out = lr.path.as_posix(), []
    found = logic.never(lr.tree, True)
    if found:
        why = "; ".join(sorted({logic.describe_tests(k, t) for k, t in found}))
        out.append(Problem(file, lr.id, "when", f"can never fire: every alternative is contradictory ({why})",
                           "error", "reachability"))
    elif logic.never(lr.tree, False):
        out.append(Problem(file, lr.id, "when", "can never be false: whenever its data is known it fires",
                           "warning", "reachability"))
    for i, esc in enumerate(lr.escalations):
        if not found and logic.never(Node("all", (lr.tree, esc)), True):
            out.append(Problem(file, lr.id, f"escalations[{i}].when",
                               "can never apply together with the rule's condition", "warning", "reachability"))
    return out


def family(lr: LoadedRule) -> str:
    return lr.path.parent.as_posix()


def shadowing_problems(rules: Iterable[LoadedRule]) -> list[Problem]:
    live = [r for r in rules if r.rule.status != "retired"]
    groups: dict[tuple[str, str], list[LoadedRule]] = {}
    for r in live:
        groups.setdefault((r.rule.kind, family(r)), []).append(r)
    out = []
    for (kind, fam), members in sorted(groups.items()):
        reported: set[frozenset[str]] = set()
        for a in members:
            for b in members:
                if a.id == b.id or b.id in a.rule.supersedes or not logic.shadowed_by(a.tree, b.tree):
                    continue
                pair = frozenset((a.id, b.id))
                if pair in reported:
                    continue
                reported.add(pair)
                same = logic.shadowed_by(b.tree, a.tree) and a.id not in b.rule.supersedes
                msg = (f"has the same condition as {b.id} ({b.path.as_posix()}), same kind {kind} in {fam}: "
                       "merge them or make one more specific" if same else
                       f"is shadowed by the more general {b.id} ({b.path.as_posix()}), same kind {kind} in {fam}: "
                       f"whenever {a.id} fires, {b.id} fires too; list {b.id} under supersedes if {a.id} is "
                       "the more specific finding, or merge them")
                out.append(Problem(a.path.as_posix(), a.id, "when", msg, "warning", "shadowing"))
    return out


# ------------------------------------------------------------------ the whole lint


def _order(p: Problem) -> tuple[int, str, str, str]:
    return (0 if p.level == "error" else 1, p.file, p.rule_id or "", p.field)


def lint_checked(checked: CheckedRuleBase, k: Knowledge, renderer: Renderer, as_of: date,
                 require_signoff: bool = False) -> list[Problem]:
    """Every problem of an already checked rule base: load problems plus the review checks."""
    problems = list(checked.problems)
    tc = TemplateChecker(renderer)
    reviewers = frozenset(r.id for r in checked.manifest.reviewers) if checked.manifest else None
    clinicians = checked.manifest.clinicians if checked.manifest else None
    for f in checked.files:
        if f.rule is None:
            continue
        file = f.path.as_posix()
        problems += review_problems(f, as_of, reviewers, clinicians, require_signoff)
        problems += wording_problems(f.rule, file)
        problems += tc.message_problems(f.rule, file)
    problems += source_problems(k, {s for f in checked.files if f.rule is not None for s in f.rule.references})
    problems += tc.judgment_problems(TAIL)
    problems += tc.judgment_problems(CANNOT_ASSESS)
    loaded = checked.loaded()
    for lr in loaded:
        try:
            durable.compile_rule(lr.id, lr.tree, lr.escalations)
        except RuleBaseError as e:
            problems += [Problem(lr.path.as_posix(), lr.id, "when", m.split(": ", 1)[-1], "error", "matcher")
                         for m in e.problems]
        problems += reachability_problems(lr)
    problems += shadowing_problems(loaded)
    return sorted(problems, key=_order)


def lint(rules: Path | None = None, knowledge: Path | None = None, reports: Path | None = None,
         as_of: date | None = None, require_signoff: bool = False) -> LintReport:
    """Lint the rule base at `rules` (default: the bundled one) as of `as_of` (default: today)."""
    when = as_of or date.today()
    try:
        loaded = load_rulebase(rules, knowledge, reports)
    except KnowledgeError as e:
        where = str(knowledge or paths.knowledge_dir())
        return LintReport([Problem(where, None, "", str(e), "error", "knowledge")], 0, when)
    checked = loaded.checked
    unsigned = sum(1 for f in checked.files if f.rule is not None and f.rule.status == "active"
                   and not signed_off(f.rule, checked.manifest))
    return LintReport(lint_checked(checked, loaded.knowledge, loaded.renderer, when, require_signoff),
                      len(checked.files), when, unsigned)
