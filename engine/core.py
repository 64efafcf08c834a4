"""The Engine: input -> snapshot -> normalised case -> facts -> matching -> findings."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from engine import paths
from engine.errors import SnapshotError
from engine.facts.derive import derive
from engine.facts.model import FactValue
from engine.facts.spec import FactSpec
from engine.findings import (
    Assessment,
    Citation,
    EvaluationResult,
    Finding,
    PatientSummary,
    Related,
    RuleBaseStamp,
    SuggestionOut,
    sort_key,
    truncate,
)
from engine.knowledge.load import Knowledge, load_knowledge
from engine.matching import durable
from engine.matching.tree import Tri, evaluate, first_false, supporting_evidence, unknown_leaves, valuate
from engine.normalize import Case, normalise
from engine.render import Renderer
from engine.rules.load import LoadedRule, RuleBase, load_rulebase
from engine.rules.schema import SEVERITY_RANK
from engine.snapshot.load import read_document, to_snapshot
from engine.snapshot.models import Snapshot

__version__ = "0.1.0"
log = logging.getLogger("setpoint")
Matcher = Literal["durable", "compiled"]
CANNOT_ASSESS_TOPIC = "required_data_stale_or_missing"
DESIGN_SOURCE = "SRC-DESIGN"


@dataclass(frozen=True)
class RuleOutcome:
    rule: LoadedRule
    outcome: Tri
    severity: str
    escalation: str | None
    vals: dict[int, Tri] | None = None  # every node's value (compiled tree), reused by the explanations


class Engine:
    def __init__(self, knowledge: Knowledge, rulebase: RuleBase, renderer: Renderer, matcher: Matcher = "durable"):
        self.knowledge = knowledge
        self.rulebase = rulebase
        self.renderer = renderer
        specs: dict[str, FactSpec] = {}
        for leaf in rulebase.leaves():
            specs.setdefault(leaf.spec.key, leaf.spec)
        self.specs = tuple(specs[k] for k in sorted(specs))
        self._durable: durable.DurableMatcher | None = None
        self.load_notes: list[str] = []
        if matcher == "durable":
            if durable.available():
                compiled = [durable.compile_rule(r.id, r.tree, r.escalations) for r in rulebase.rules]
                self._durable = durable.DurableMatcher(compiled)
            else:  # pragma: no cover - only on Pythons where durable-rules does not import
                self.load_notes.append("durable-rules is unavailable here: the compiled matcher was used")
        self.matcher: Matcher = "durable" if self._durable else "compiled"

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(
        cls,
        rules: Path | str | None = None,
        knowledge: Path | str | None = None,
        reports: Path | str | None = None,
        matcher: Matcher = "durable",
        verify: bool = False,
        include_drafts: bool = False,
    ) -> Engine:
        rules_dir = Path(rules) if rules else paths.rules_dir()
        if verify:
            from engine.manifest import verify_manifest

            verify_manifest(rules_dir)
        k = load_knowledge(Path(knowledge) if knowledge else paths.knowledge_dir())
        renderer = Renderer(Path(reports) if reports else paths.reports_dir(), k)
        rb = load_rulebase(rules_dir, k, renderer.message_templates(), include_drafts=include_drafts)
        return cls(k, rb, renderer, matcher)

    # ------------------------------------------------------------------ evaluation

    def snapshot(self, data: Any, source: str | None = None) -> Snapshot:
        doc, name = read_document(data, source)
        return to_snapshot(doc, name, self.knowledge)

    def facts(self, case: Case) -> tuple[dict[str, FactValue], list[str]]:
        notes: list[str] = []
        facts: dict[str, FactValue] = {}
        for spec in self.specs:
            try:
                facts.update(derive(self.knowledge, case, [spec]))
            except Exception as e:  # one bad record or deriver never takes down the evaluation
                log.exception("deriving %s failed", spec.key)
                facts[spec.key] = FactValue(spec.key, False, None, (), f"internal error deriving {spec.describe}")
                notes.append(f"engine error while deriving '{spec.describe}' ({e.__class__.__name__}); "
                             "rules using it report 'cannot assess'")
        return facts, notes

    def case(self, data: Any, as_of: date | None = None) -> Case:
        snap = data if isinstance(data, Snapshot) else self.snapshot(data)
        when = as_of or snap.as_of
        if when is None:
            raise SnapshotError("as_of: no evaluation date given (set as_of in the snapshot or pass --as-of)")
        problems = snap.check_dates(when)
        if problems:
            raise SnapshotError("; ".join(problems))
        return normalise(self.knowledge, snap, when)

    def outcomes(
        self, facts: Mapping[str, FactValue], matcher: Matcher | None = None
    ) -> tuple[list[RuleOutcome], list[str], Matcher]:
        notes: list[str] = []
        use: Matcher = matcher or self.matcher
        fired: dict[str, set[str]] | None = None
        if use == "durable":
            if self._durable is None:
                notes.append("durable matcher requested but not loaded: compiled matcher used")
                use = "compiled"
            else:
                try:
                    fired = self._durable.match(facts)
                except durable.MatcherError as e:
                    log.error("durable matcher failed: %s", e)
                    notes.append(f"durable-rules failed ({e}); the compiled matcher was used for this evaluation")
                    use = "compiled"
        out = []
        for r in self.rulebase.rules:
            vals = valuate(r.tree, facts)
            tree_value = vals[id(r.tree)]
            esc_values = [evaluate(e, facts) is True for e in r.escalations]
            if fired is not None:
                tags = fired.get(r.id, set())
                value = self._durable.outcome(r.id, tags)
                esc_durable = [f"E{i}" in tags for i in range(len(r.escalations))]
                if value != tree_value or (value and esc_durable != esc_values):
                    # Never silently drop: report the disagreement and keep the more alarming outcome.
                    notes.append(f"matcher disagreement on {r.id} (durable={value}, compiled={tree_value}); "
                                 "the more cautious outcome is reported")
                    value = True if True in (value, tree_value) else (None if None in (value, tree_value) else False)
                    esc_values = [a or b for a, b in zip(esc_durable, esc_values, strict=True)]
            else:
                value = tree_value
            severity, reason = r.rule.severity, None
            if value:
                for esc, applies in zip(r.rule.escalations, esc_values, strict=True):
                    if applies:
                        severity, reason = esc.severity, esc.reason
                        break
            out.append(RuleOutcome(r, value, severity, reason, vals))
        return out, notes, use

    def evaluate(self, data: Any, as_of: date | None = None, matcher: Matcher | None = None) -> EvaluationResult:
        case = self.case(data, as_of)
        facts, notes = self.facts(case)
        outcomes, match_notes, used = self.outcomes(facts, matcher)
        findings, assessed = self._findings(case, facts, outcomes)
        p = case.snapshot.patient
        return EvaluationResult(
            engine_version=__version__,
            rulebase=RuleBaseStamp(name=self.rulebase.name, version=self.rulebase.version,
                                   content_hash=self.rulebase.content_hash),
            as_of=case.as_of, matcher=used,
            patient=PatientSummary(id=p.id, age=case.age, sex=p.sex),
            findings=findings, assessed=assessed, notes=[*self.load_notes, *notes, *match_notes],
        )

    # ------------------------------------------------------------------ findings

    def _citations(self, lr: LoadedRule) -> list[Citation]:
        out = []
        for sid in lr.rule.references:
            s = self.knowledge.sources[sid]
            out.append(Citation(id=s.id, citation=s.citation, url=s.url))
        return out

    def _base(self, lr: LoadedRule) -> dict[str, Any]:
        r = lr.rule
        return dict(rule_id=r.id, rule_version=r.version, title=r.title, topic=r.topic,
                    evidence_grade=r.evidence.grade, unverified=r.evidence.unverified,
                    citations=self._citations(lr))

    def _findings(
        self, case: Case, facts: Mapping[str, FactValue], outcomes: list[RuleOutcome]
    ) -> tuple[list[Finding], list[Assessment]]:
        fired: list[Finding] = []
        missing: list[tuple[tuple[str, ...], Finding]] = []
        assessed: list[Assessment] = []
        for o in outcomes:
            r, lr = o.rule.rule, o.rule
            if o.outcome is True:
                evidence = supporting_evidence(lr.tree, facts, o.vals)
                detail = self.renderer.message(lr, evidence, case, o.severity, o.escalation)
                fired.append(Finding(
                    **self._base(lr), kind=r.kind, severity=o.severity, outcome="fired",
                    summary=truncate(r.summary), detail=detail, evidence=evidence, escalation=o.escalation,
                    suggestions=[SuggestionOut(**s.model_dump()) for s in r.suggestions],
                ))
                assessed.append(Assessment.model_construct(rule_id=r.id, title=r.title, outcome="fired"))
            elif o.outcome is False:
                leaf = first_false(lr.tree, facts, o.vals)
                assessed.append(Assessment.model_construct(rule_id=r.id, title=r.title, outcome="not_fired",
                                           reason=f"not met: {leaf.describe()}" if leaf else None))
            else:
                gaps = unknown_leaves(lr.tree, facts, o.vals)
                reasons = tuple(sorted({fv.reason or f"{leaf.spec.describe} unknown" for leaf, fv in gaps}))
                assessed.append(Assessment.model_construct(rule_id=r.id, title=r.title, outcome="cannot_assess",
                                           reason="; ".join(reasons)))
                if r.missing_data == "finding":
                    evidence = [e for _, fv in gaps for e in fv.evidence]
                    detail = self.renderer.cannot_assess(lr, list(reasons), evidence)
                    # Catalogue G02 (required data stale or missing): the affected rule stays traceable by id.
                    base = self._base(lr) | {"topic": CANNOT_ASSESS_TOPIC}
                    design = self.knowledge.sources.get(DESIGN_SOURCE)
                    if design is not None:
                        base["citations"] = [*base["citations"],
                                             Citation(id=design.id, citation=design.citation, url=design.url)]
                    missing.append((reasons, Finding(
                        **base, kind="data_quality", severity=r.missing_data_severity,
                        outcome="cannot_assess",
                        summary=truncate(f"Cannot assess {_lower_first(r.title)}: {reasons[0]}"),
                        detail=detail, evidence=evidence, missing=list(reasons),
                        suggestions=[SuggestionOut(kind="order_lab", label=f"Consider obtaining: {x}")
                                     for x in reasons][:3],
                    )))
        findings = _group_superseded(fired, {o.rule.id: o.rule.rule.supersedes for o in outcomes})
        findings.extend(_group_missing(missing))
        findings.sort(key=sort_key)
        return findings, assessed



def _lower_first(title: str) -> str:
    """"TSH overdue" stays "TSH overdue"; "Testosterone ..." becomes "testosterone ..." mid-sentence."""
    return title if title[1:2].isupper() else title[0].lower() + title[1:]

def _related(f: Finding) -> Related:
    return Related(rule_id=f.rule_id, rule_version=f.rule_version, title=f.title, severity=f.severity,
                   outcome=f.outcome)


def _records(f: Finding) -> set[str]:
    return {e.record for e in f.evidence if e.record}


def _group_superseded(fired: list[Finding], supersedes: Mapping[str, list[str]]) -> list[Finding]:
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


def _group_missing(missing: list[tuple[tuple[str, ...], Finding]]) -> list[Finding]:
    """One 'cannot assess' finding per missing data item; the most severe affected rule leads."""
    groups: dict[tuple[str, ...], list[Finding]] = {}
    for reasons, f in missing:
        groups.setdefault(reasons, []).append(f)
    out = []
    for fs in groups.values():
        fs.sort(key=lambda f: (-SEVERITY_RANK[f.severity], f.rule_id))
        lead, rest = fs[0], fs[1:]
        out.append(lead.model_copy(update={"related": [_related(f) for f in rest]}) if rest else lead)
    return out
