"""Findings: what the engine tells the clinician, and how rule outcomes become findings.

`assemble` turns the outcome of every rule into the reported findings (fired, and "cannot assess"
for rules that ask for it), groups findings about the same problem under the most specific one, and
lists every rule's outcome for the coverage section.  Finding models are built only for findings
that are reported.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from .facts.model import EvidenceItem, FactValue, constructor
from .leaves import Phrases
from .matching.tree import eval_leaf, first_false, supporting_evidence, unknown_leaves
from .severity import DESCENDING, Severity, rank

if TYPE_CHECKING:
    from .knowledge.load import Knowledge
    from .leaves import CompiledLeaf
    from .matching.tree import Tri, Values
    from .normalize import Case
    from .render import Renderer
    from .rules.load import LoadedRule

log = logging.getLogger("setpoint")
CANNOT_ASSESS_TOPIC = "required_data_stale_or_missing"
DESIGN_SOURCE = "SRC-DESIGN"

JUDGMENT = (
    "These suggestions support, and do not replace, the judgment of the treating clinician, "
    "who knows the patient and decides."
)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Citation(_Out):
    id: str
    citation: str
    url: str | None = None


class SuggestionOut(_Out):
    kind: str
    label: str
    analyte: str | None = None


class Related(_Out):
    """A finding grouped under a more specific one (kept for audit)."""

    rule_id: str
    rule_version: str
    title: str
    severity: Severity
    outcome: Literal["fired", "cannot_assess"]


class Finding(_Out):
    rule_id: str
    rule_version: str
    title: str
    topic: str
    kind: str
    severity: Severity
    outcome: Literal["fired", "cannot_assess"]
    summary: str = Field(max_length=140)
    detail: str
    evidence: list[EvidenceItem] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    escalation: str | None = None
    suggestions: list[SuggestionOut] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    evidence_grade: Literal["V", "S", "U"]
    unverified: bool
    related: list[Related] = Field(default_factory=list)


class Assessment(_Out):
    """Every active rule's outcome for this patient: the coverage list of the report."""

    rule_id: str
    title: str
    outcome: Literal["fired", "not_fired", "cannot_assess"]
    reason: str | None = None


class RuleBaseStamp(_Out):
    name: str
    version: str
    content_hash: str
    rules: int = 0
    # How many of those rules lack a clinician's sign-off (reviewed.clinical_signoff): said in every report.
    without_clinical_signoff: int = 0


class PatientSummary(_Out):
    id: str | None
    age: int | None
    sex: str


RESULT_SCHEMA_VERSION = "1"


class InputSummary(_Out):
    """What became of the input's records: every one is used, not readable (each named in a data-quality
    finding) or not relevant to the rule base (counted, not read further)."""

    format: Literal["snapshot", "fhir"]
    read: int
    used: int
    not_readable: int
    not_relevant: int
    # Used records whose value could not be used (no unit, implausible, unreadable); each is named in a
    # data-quality finding.  A censored value ("<18") is usable and not counted here.
    values_not_usable: int = 0
    by_type: dict[str, dict[str, int]] = Field(default_factory=dict)

    def line(self) -> str:
        """One sentence for the reports."""
        kind = "resources" if self.format == "fhir" else "records"
        out = (f"{self.read} {kind} read: {self.used} used, {self.not_readable} could not be read"
               f"{' (each named below)' if self.not_readable else ''}, {self.not_relevant} not relevant to the "
               "rules")
        if self.values_not_usable:
            out += f"; {self.values_not_usable} result value(s) could not be used (each named below)"
        return out


def input_summary(case: Case) -> InputSummary:
    """The reader's counts (FHIR), or counts of the snapshot's own sections, with the values normalisation
    could not use."""
    snap = case.snapshot
    unusable = sum(1 for r in case.results if r.problem and r.censored is None)
    if snap.input is not None:
        counts = snap.input.model_dump()
        counts["by_type"] = {t: dict(c) for t, c in counts["by_type"].items()}
        return InputSummary(**counts, values_not_usable=unusable)
    by_type = {section: len(getattr(snap, section))
               for section in ("conditions", "medications", "results", "vitals", "scales", "smoking", "notes")}
    n, issues = sum(by_type.values()), len(snap.data_issues)
    types = {k: {"read": v, "used": v, "not_readable": 0, "not_relevant": 0} for k, v in by_type.items() if v}
    if issues:  # records the snapshot's producer could not read, each named in data_issues
        types["data_issues"] = {"read": issues, "used": 0, "not_readable": issues, "not_relevant": 0}
    return InputSummary(format="snapshot", read=n + issues, used=n, not_readable=issues, not_relevant=0,
                        values_not_usable=unusable, by_type=types)


class EvaluationResult(_Out):
    """The result of one evaluation (`setpoint schema result` prints its JSON Schema)."""

    schema_version: Literal["1"] = RESULT_SCHEMA_VERSION
    engine_version: str
    rulebase: RuleBaseStamp
    as_of: date
    matcher: Literal["durable", "compiled"]
    patient: PatientSummary
    findings: list[Finding]
    assessed: list[Assessment]
    notes: list[str] = Field(default_factory=list)
    # Every presumption the engine made for this patient ("uterus presumed present: no hysterectomy or
    # absent uterus on record"), also stated in the evidence of the facts resting on it.
    presumptions: list[str] = Field(default_factory=list)
    # What became of the input's records (read, used, not readable, not relevant).
    input: InputSummary | None = None
    disclaimer: str = JUDGMENT

    def counts(self) -> dict[str, int]:
        out = {str(s): 0 for s in DESCENDING}
        for f in self.findings:
            out[str(f.severity)] += 1
        return out

    def max_severity(self) -> str | None:
        if not self.findings:
            return None
        return str(max((f.severity for f in self.findings), key=rank))

    def at_or_above(self, severity: str) -> list[Finding]:
        """Findings at or above a severity (what `--fail-on` checks)."""
        return [f for f in self.findings if rank(f.severity) >= rank(severity)]


def sort_key(f: Finding) -> tuple[int, int, str]:
    return (-rank(f.severity), 0 if f.outcome == "fired" else 1, f.rule_id)


def truncate(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ------------------------------------------------------------------ assembly

_assessment = constructor(Assessment)


def closed_assessment(rule_id: str, title: str, reason: str) -> Assessment:
    """The assessment of a rule closed by a gate (shared across evaluations: never mutated)."""
    return _assessment(rule_id=rule_id, title=title, outcome="not_fired", reason=reason)


def not_met(leaf: CompiledLeaf, value: bool, p: Phrases) -> str:
    """Why a rule did not fire, in the plain words of the audit page (each leaf's `phrase`): the deciding
    condition as it stands for this patient ("the patient is not taking lithium"), never internal ids."""
    try:
        return leaf.source.phrase(not value, p)
    except Exception:  # a phrase that cannot be written never takes down the evaluation
        log.exception("phrasing %s failed", leaf.describe())
        return f"not met: {leaf.describe()}"


class RuleOutcome(NamedTuple):
    rule: LoadedRule
    outcome: Tri
    severity: str
    escalation: str | None
    vals: Values | None = None  # the compiled tree's node values, reused by the explanations
    # A rule closed by a gate: its assessment, made once at load time (nothing about it is patient-specific).
    assessment: Assessment | None = None
    # The rule's evaluation raised: why (it is reported as "cannot assess", naming the rule and the reason).
    error: str | None = None


class Assembler:
    """Builds findings from rule outcomes with one knowledge base and renderer."""

    def __init__(self, k: Knowledge, renderer: Renderer):
        self.k, self.renderer = k, renderer
        design = k.sources.get(DESIGN_SOURCE)
        self._design = Citation(id=design.id, citation=design.citation, url=design.url) if design else None
        self._citations: dict[str, list[Citation]] = {}
        self._phrases = Phrases(k)
        self._not_met: dict[tuple[int, bool], str] = {}

    def citations(self, lr: LoadedRule) -> list[Citation]:
        hit = self._citations.get(lr.id)
        if hit is None:
            hit = self._citations[lr.id] = [
                Citation(id=s.id, citation=s.citation, url=s.url)
                for s in (self.k.sources[sid] for sid in lr.rule.references)]
        return hit

    def _base(self, lr: LoadedRule) -> dict[str, Any]:
        r = lr.rule
        return dict(rule_id=r.id, rule_version=r.version, title=r.title, topic=r.topic,
                    evidence_grade=r.evidence.grade, unverified=r.evidence.unverified,
                    citations=list(self.citations(lr)))

    def assemble(self, case: Case, facts: Mapping[str, FactValue],
                 outcomes: list[RuleOutcome]) -> tuple[list[Finding], list[Assessment]]:

        fired: list[Finding] = []
        missing: list[tuple[tuple[str, ...], Finding]] = []
        assessed: list[Assessment] = []
        for o in outcomes:
            try:
                self._one(case, facts, o, fired, missing, assessed)
            except Exception as e:  # one rule never takes down the evaluation (issue 10 §8)
                log.exception("assembling the finding of %s failed", o.rule.id)
                self._failed(o, f"engine error while reporting this rule ({e.__class__.__name__}: {e})",
                             missing, assessed)
        findings = group_superseded(fired, {o.rule.id: o.rule.rule.supersedes for o in outcomes if o.outcome})
        findings.extend(group_missing(missing))
        findings.sort(key=sort_key)
        return findings, assessed

    def _failed(self, o: RuleOutcome, why: str, missing: list[tuple[tuple[str, ...], Finding]],
                assessed: list[Assessment]) -> None:
        """A rule whose evaluation raised: "cannot assess", naming the rule and the reason, as a finding."""
        r = o.rule.rule
        reason = f"rule {r.id} could not be evaluated: {why}"
        assessed[:] = [a for a in assessed if a.rule_id != r.id]
        assessed.append(_assessment(rule_id=r.id, title=r.title, outcome="cannot_assess", reason=reason))
        missing[:] = [m for m in missing if m[1].rule_id != r.id]
        try:
            finding = self._cannot_assess(o.rule, (reason,), [])
        except Exception:  # the renderer itself failed: a plain finding, still naming the rule and reason
            log.exception("rendering the cannot-assess finding of %s failed", r.id)
            finding = Finding(
                **self._base(o.rule), kind="data_quality", outcome="cannot_assess",
                severity=cannot_assess_severity(r.severity, r.missing_data_severity),
                summary=truncate(f"Cannot assess {r.id}: {why}"), detail=f"{reason}. {JUDGMENT}",
                missing=[reason])
        missing.append(((reason,), finding))

    def _one(self, case: Case, facts: Mapping[str, FactValue], o: RuleOutcome, fired: list[Finding],
             missing: list[tuple[tuple[str, ...], Finding]], assessed: list[Assessment]) -> None:
        r, lr = o.rule.rule, o.rule
        if o.error is not None:
            self._failed(o, o.error, missing, assessed)
            return
        if o.outcome is True:
            evidence = supporting_evidence(lr.tree, facts, o.vals)
            detail = self.renderer.message(lr, evidence, case, o.severity, o.escalation)
            fired.append(Finding(
                **self._base(lr), kind=r.kind, severity=o.severity, outcome="fired",
                summary=truncate(r.summary), detail=detail, evidence=evidence, escalation=o.escalation,
                suggestions=[SuggestionOut(kind=s.kind, label=s.label, analyte=s.analyte) for s in r.suggestions],
            ))
            assessed.append(_assessment(rule_id=r.id, title=r.title, outcome="fired", reason=None))
        elif o.assessment is not None:
            assessed.append(o.assessment)
        elif o.outcome is False:
            leaf = first_false(lr.tree, facts, o.vals)
            assessed.append(_assessment(rule_id=r.id, title=r.title, outcome="not_fired",
                                        reason=self._reason(leaf, facts) if leaf else None))
        else:
            gaps = unknown_leaves(lr.tree, facts, o.vals)
            reasons = tuple(sorted({fv.reason or f"{leaf.spec.describe} unknown" for leaf, fv in gaps})) or (
                "the outcome could not be determined (the two matchers disagreed; see the notes)",)
            assessed.append(_assessment(rule_id=r.id, title=r.title, outcome="cannot_assess",
                                                       reason="; ".join(reasons)))
            if r.missing_data == "finding":
                missing.append((reasons, self._cannot_assess(lr, reasons, [e for _, fv in gaps
                                                                           for e in fv.evidence])))

    def _reason(self, leaf: CompiledLeaf, facts: Mapping[str, FactValue]) -> str:
        value = eval_leaf(leaf, facts) is True
        key = (id(leaf), value)
        hit = self._not_met.get(key)
        if hit is None:
            hit = self._not_met[key] = not_met(leaf, value, self._phrases)
        return hit

    def _cannot_assess(self, lr: LoadedRule, reasons: tuple[str, ...], evidence: list[EvidenceItem]) -> Finding:
        r = lr.rule
        detail = self.renderer.cannot_assess(lr, list(reasons), evidence)
        # Catalogue G02 (required data stale or missing): the affected rule stays traceable by id.
        base = self._base(lr) | {"topic": CANNOT_ASSESS_TOPIC}
        if self._design is not None:
            base["citations"] = [*base["citations"], self._design]
        return Finding(
            **base, kind="data_quality", severity=cannot_assess_severity(r.severity, r.missing_data_severity),
            outcome="cannot_assess",
            summary=truncate(f"Cannot assess {_lower_first(r.title)}: {reasons[0]}"),
            detail=detail, evidence=evidence, missing=list(reasons),
            suggestions=[SuggestionOut(kind="order_lab", label=f"Consider obtaining: {x}") for x in reasons][:3],
        )


def cannot_assess_severity(rule_severity: str, missing_data_severity: str) -> str:
    """A "cannot assess" on a critical rule stays where it is seen: at least high (issue 10 §8)."""
    if rule_severity == "critical" and rank(missing_data_severity) < rank("high"):
        return "high"
    return missing_data_severity


def _lower_first(title: str) -> str:
    """"TSH overdue" stays "TSH overdue"; "Testosterone ..." becomes "testosterone ..." mid-sentence."""
    return title if title[1:2].isupper() else title[0].lower() + title[1:]


def _related(f: Finding) -> Related:
    return Related(rule_id=f.rule_id, rule_version=f.rule_version, title=f.title, severity=f.severity,
                   outcome=f.outcome)


def _records(f: Finding) -> set[str]:
    return {e.record for e in f.evidence if e.record}


def group_superseded(fired: list[Finding], supersedes: Mapping[str, list[str]]) -> list[Finding]:
    """Alert fatigue: a fired rule that supersedes others carries them as `related`.

    Only findings about the same problem are grouped: the superseded finding must rest on at least one
    of the lead's patient records (medication, result, condition), so a lead never absorbs a finding
    about unrelated data; a grouped finding stays listed under its lead.  Chains are flattened."""
    by_id = {f.rule_id: f for f in fired}
    parent: dict[str, str] = {}
    for f in sorted(fired, key=sort_key):
        for sid in supersedes.get(f.rule_id, []):
            sub = by_id.get(sid)
            if sub is None or sid == f.rule_id or sid in parent or not (_records(sub) & _records(f)):
                continue
            root = f.rule_id
            while root in parent:
                root = parent[root]
            if root != sid:
                parent[sid] = f.rule_id

    def root_of(rid: str) -> str:
        while rid in parent:
            rid = parent[rid]
        return rid

    grouped: dict[str, list[Finding]] = {}
    for f in sorted(fired, key=sort_key):
        if f.rule_id in parent:
            grouped.setdefault(root_of(f.rule_id), []).append(f)
    return [
        f.model_copy(update={"related": [*f.related, *(_related(g) for g in grouped[f.rule_id])]})
        if f.rule_id in grouped else f
        for f in fired if f.rule_id not in parent
    ]


def group_missing(missing: list[tuple[tuple[str, ...], Finding]]) -> list[Finding]:
    """One 'cannot assess' finding per missing data item; the most severe affected rule leads."""
    groups: dict[tuple[str, ...], list[Finding]] = {}
    for reasons, f in missing:
        groups.setdefault(reasons, []).append(f)
    out = []
    for fs in groups.values():
        fs.sort(key=lambda f: (-rank(f.severity), f.rule_id))
        lead, rest = fs[0], fs[1:]
        out.append(lead.model_copy(update={"related": [_related(f) for f in rest]}) if rest else lead)
    return out
