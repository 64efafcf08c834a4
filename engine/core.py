"""The Engine runs the pipeline: input -> snapshot -> normalised case -> facts -> matching -> findings.

Only the work a patient needs is done.  Every rule is indexed by its *gates*: leaves whose value
alone makes the rule "not fired" (an active drug class, a condition, the patient's sex).  Facts are
derived lazily (engine.facts.lazy): the gates first, then, for the rules whose gates the patient
meets, the facts those rules read.  Only those facts are asserted to durable-rules.  A rule whose
gate fails is "not fired" without deriving anything else.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

from . import paths
from .facts.lazy import Facts
from .facts.model import FactValue
from .findings import (
    Assembler,
    EvaluationResult,
    PatientSummary,
    RuleBaseStamp,
    RuleOutcome,
    closed_assessment,
    input_summary,
    not_met,
)
from .inputs import evaluation_date, to_snapshot
from .knowledge.load import Knowledge
from .leaves import FactSpec, Phrases
from .leaves.base import Check
from .matching import durable
from .matching.tree import valuate
from .normalize import Case, normalise
from .render import Renderer
from .rules.load import LoadedRule, RuleBase, load_rulebase
from .snapshot.models import Snapshot

__version__ = "0.3.0"
log = logging.getLogger("setpoint")
Matcher = Literal["durable", "compiled"]


def strict_fhir_default() -> bool:
    """SETPOINT_STRICT_FHIR=1 (or true/yes/on): read FHIR input with full fhir.resources validation."""
    return os.environ.get("SETPOINT_STRICT_FHIR", "").strip().lower() in ("1", "true", "yes", "on")


class Engine:
    def __init__(self, knowledge: Knowledge, rulebase: RuleBase, renderer: Renderer, matcher: Matcher = "durable",
                 compiled: list[durable.CompiledRule] | None = None):
        self.knowledge = knowledge
        self.rulebase = rulebase
        self.renderer = renderer
        self.specs: dict[str, FactSpec] = {}
        # Every test applied to each fact key: a censored value is usable when none lies inside its interval.
        self.tests: dict[str, list[Check]] = {}
        for r in rulebase.rules:
            for n in (r.tree, *r.escalations):
                for leaf in n.leaves():
                    self.specs.setdefault(leaf.spec.key, leaf.spec)
                    known = self.tests.setdefault(leaf.spec.key, [])
                    if leaf.test not in known:
                        known.append(leaf.test)
        self.assembler = Assembler(knowledge, renderer)
        self._stamp = RuleBaseStamp(name=rulebase.name, version=rulebase.version, content_hash=rulebase.content_hash,
                                    rules=len(rulebase.rules), without_clinical_signoff=rulebase.without_signoff)
        # Each rule's gates as (fact key, test, the value that closes the rule, the closed rule's outcome).
        phrases = Phrases(knowledge)
        self._gates = [(lr, lr.id, tuple(
            (g.spec.key, g.test, fails, RuleOutcome(lr, False, lr.rule.severity, None, None, closed_assessment(
                lr.id, lr.rule.title, not_met(g, fails, phrases)))) for g, fails in lr.gates))
            for lr in rulebase.rules]
        self._durable: durable.DurableMatcher | None = None
        self.load_notes: list[str] = []
        if matcher == "durable":
            if durable.available():
                rules = compiled if compiled is not None else compile_durable(rulebase)
                pack = {lr.id: lr.gates[0][0].spec.key for lr in rulebase.rules if lr.gates}
                self._durable = durable.DurableMatcher(rules, pack)
            else:  # pragma: no cover - only on Pythons where durable-rules does not import
                self.load_notes.append("durable-rules is unavailable here: the compiled matcher was used")
        self.matcher: Matcher = "durable" if self._durable else "compiled"
        # FHIR input read by the fast path (engine.fhir.light) unless strict validation is asked for:
        # `--strict-fhir`, SETPOINT_STRICT_FHIR=1, or `snapshot(..., strict_fhir=True)` for one call.
        self.strict_fhir: bool = strict_fhir_default()

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
        cache: bool = True,
        freeze: bool = False,
    ) -> Engine:
        """Load, validate and compile the rule base (default: the bundled one).

        The compiled rule base is cached on disk keyed by the content of every rule, knowledge and
        template file (engine.cache), so a second load skips parsing and compiling; `cache=False` or
        SETPOINT_CACHE=0 turns that off.  `freeze=True` (the CLI, the service and batch workers: processes
        that keep one engine for their lifetime) moves everything loaded so far out of the garbage
        collector's way (`gc.freeze`), which keeps full collections short; not for processes that load
        many engines, since frozen objects are never collected."""
        from . import cache as rb_cache

        rules_dir = Path(rules) if rules else paths.rules_dir()
        if verify:
            from .manifest import verify_manifest

            verify_manifest(rules_dir)
        knowledge_dir = Path(knowledge) if knowledge else paths.knowledge_dir()
        reports_dir = Path(reports) if reports else paths.reports_dir()
        key = rb_cache.key(rules_dir, knowledge_dir, reports_dir, include_drafts) if cache else None
        hit = rb_cache.read(key) if key else None
        if hit is not None:
            k, rb, compiled = hit
            renderer = Renderer(reports_dir, k)
        else:
            loaded = load_rulebase(rules_dir, knowledge_dir, reports_dir, include_drafts=include_drafts)
            k, renderer, rb = loaded.knowledge, loaded.renderer, loaded.require()
            compiled = compile_durable(rb) if durable.available() else []
            if key:
                rb_cache.write(key, (k, rb, compiled))
        eng = cls(k, rb, renderer, matcher, compiled if matcher == "durable" else None)
        if freeze:
            gc.collect()
            gc.freeze()
        return eng

    # ------------------------------------------------------------------ input

    def snapshot(self, data: Any, *, as_of: date | None = None, source: str | None = None,
                 strict_fhir: bool | None = None) -> Snapshot:
        """Any supported input as a snapshot: a `Snapshot`, a mapping, JSON/YAML content (`str` or
        `bytes`) or a `pathlib.Path`; a snapshot document or a FHIR Bundle (engine.inputs).  `as_of` is
        the date orders being placed start on (CDS Hooks draft orders).  `strict_fhir` (default: the
        engine's `strict_fhir`) validates every FHIR resource the engine uses whole with fhir.resources
        instead of reading only the elements it uses; both give the same snapshot for valid FHIR."""
        strict = self.strict_fhir if strict_fhir is None else strict_fhir
        return to_snapshot(data, self.knowledge, source=source, drafts_start=as_of, strict_fhir=strict)

    def case(self, data: Any, as_of: date | None = None, default_as_of: date | None = None) -> Case:
        snap = data if isinstance(data, Snapshot) else self.snapshot(data)
        when = evaluation_date(as_of, snap, default_as_of)
        problems = snap.check_dates(when)
        if problems:
            from .errors import SnapshotError

            raise SnapshotError("; ".join(problems))
        return normalise(self.knowledge, snap, when)

    def facts(self, case: Case) -> Facts:
        """The patient's facts, each derived the first time a rule reads it."""
        return Facts(self.knowledge, case, self.specs, self.tests)

    # ------------------------------------------------------------------ matching

    def closed(self, facts: Mapping[str, FactValue]) -> dict[str, RuleOutcome]:
        """Rules that cannot fire for this patient, with their outcome: a gate leaf has the deciding
        value.  Gate facts are derived (cheapest first, each once); nothing else is."""
        out: dict[str, RuleOutcome] = {}
        for _, rid, gates in self._gates:
            for key, test, fails, outcome in gates:
                fv = facts[key]
                try:
                    closes = fv.known and test.apply(fv.value) is fails
                except Exception:  # a value the test cannot compare: the rule stays live and says why
                    closes = False
                if closes:
                    out[rid] = outcome
                    break
        return out

    def outcomes(self, facts: Mapping[str, FactValue], matcher: Matcher | None = None
                 ) -> tuple[list[RuleOutcome], list[str], Matcher]:
        notes: list[str] = []
        use: Matcher = matcher or self.matcher
        closed = self.closed(facts)
        live = [lr for lr, rid, _ in self._gates if rid not in closed]
        fired: dict[str, set[str]] | None = None
        if use == "durable":
            if self._durable is None:
                notes.append("durable matcher requested but not loaded: compiled matcher used")
                use = "compiled"
            else:
                try:
                    fired = self._durable.match(facts, {lr.rule.id for lr in live})
                except Exception as e:  # MatcherError or anything else: the compiled trees still answer
                    log.error("durable matcher failed: %s", e)
                    notes.append(f"durable-rules failed ({e}); the compiled matcher was used for this evaluation")
                    use = "compiled"
        out = []
        for r, rid, _ in self._gates:
            if rid in closed:
                out.append(closed[rid])
                continue
            try:
                out.append(self._outcome(r, facts, fired, notes))
            except Exception as e:  # one rule never takes down the evaluation (issue 10 §8)
                log.exception("evaluating %s failed", rid)
                out.append(RuleOutcome(r, None, r.rule.severity, None, None,
                                       error=f"engine error ({e.__class__.__name__}: {e})"))
        return out, notes, use

    def _outcome(self, r: LoadedRule, facts: Mapping[str, FactValue], fired: dict[str, set[str]] | None,
                 notes: list[str]) -> RuleOutcome:
        vals = valuate(r.tree, facts)
        tree_value = vals[id(r.tree)]
        value: bool | None = tree_value
        if fired is not None and self._durable is not None:
            tags = fired.get(r.id, set())
            value = self._durable.outcome(r.id, tags)
            if value != tree_value:
                # Never silently drop: report the disagreement and keep the more alarming outcome.
                notes.append(f"matcher disagreement on {r.id} (durable={value}, compiled={tree_value}); "
                             "the more cautious outcome is reported")
                value = True if True in (value, tree_value) else (None if None in (value, tree_value) else False)
        severity, reason = r.rule.severity, None
        if value:
            esc_values = [valuate(e, facts)[id(e)] is True for e in r.escalations]
            if fired is not None:
                tags = fired.get(r.id, set())
                esc_durable = [f"E{i}" in tags for i in range(len(r.escalations))]
                if esc_durable != esc_values:
                    notes.append(f"matcher disagreement on {r.id} escalations (durable={esc_durable}, "
                                 f"compiled={esc_values}); the more cautious outcome is reported")
                    esc_values = [a or b for a, b in zip(esc_durable, esc_values, strict=True)]
            for esc, applies in zip(r.rule.escalations, esc_values, strict=True):
                if applies:
                    severity, reason = esc.severity, esc.reason
                    break
        return RuleOutcome(r, value, severity, reason, vals)

    def evaluate(self, data: Any, as_of: date | None = None, matcher: Matcher | None = None, *,
                 default_as_of: date | None = None) -> EvaluationResult:
        """Evaluate one patient.  `data`: a `Snapshot`, a mapping (snapshot or FHIR Bundle), JSON/YAML
        content as `str` or `bytes`, or a `pathlib.Path`.  The evaluation date is `as_of`, else the
        snapshot's own, else `default_as_of`; without any, SnapshotError."""
        case = self.case(data, as_of, default_as_of)
        facts = self.facts(case)
        outcomes, match_notes, used = self.outcomes(facts, matcher)
        findings, assessed = self.assembler.assemble(case, facts, outcomes)
        p = case.snapshot.patient
        return EvaluationResult(
            engine_version=__version__,
            rulebase=self._stamp,
            as_of=case.as_of, matcher=used,
            patient=PatientSummary(id=p.id, age=case.age, sex=p.sex),
            findings=findings, assessed=assessed, notes=[*self.load_notes, *facts.notes(), *match_notes],
            presumptions=facts.presumptions(), input=input_summary(case),
        )


def compile_durable(rb: RuleBase) -> list[durable.CompiledRule]:
    return [durable.compile_rule(r.id, r.tree, r.escalations) for r in rb.rules]
