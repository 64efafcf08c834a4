"""Findings -> CDS Hooks cards.

One card per finding.  The Markdown `detail` is rendered with the report templates (`reports/`): the
evidence, then the finding's own message, which ends with the clinician-judgment statement.
Suggestions are offered, never applied: no systemActions, `isRecommended` false, and a lab
suggestion creates at most a *draft proposal* the clinician may accept.  Patient free text in the
detail is escaped (`markdown.py`); `links` come only from the knowledge base's sources, http(s) only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from ..core import Engine
from ..findings import Finding
from ..render import web_url
from ..report_view import evidence_text, message_body
from ..severity import Severity
from .markdown import escape, neutralise, safe_finding
from .store import IssuedCard

SOURCE_LABEL = "Setpoint"
TOPIC_SYSTEM = "urn:setpoint:rule"
OVERRIDE_SYSTEM = "urn:setpoint:override-reason"
OVERRIDE_REASONS = (
    ("benefit-outweighs-risk", "Benefit outweighs the risk for this patient"),
    ("already-addressed", "Already addressed or monitoring arranged"),
    ("data-incorrect", "The data in the record is wrong or out of date"),
    ("not-applicable", "Does not apply to this patient"),
    ("patient-declined", "Patient declined after discussion"),
)
DETAIL_TEMPLATE = "card_detail.md.j2"


@dataclass(frozen=True)
class OrderContext:
    drafts: frozenset[str] = frozenset()  # snapshot record ids of the draft orders
    selected: frozenset[str] = frozenset()  # ... of the orders just selected (order-select)


def raised_by(f: Finding, records: frozenset[str]) -> bool:
    return bool(records) and any(e.record in records for e in f.evidence)


def order_rank(f: Finding, orders: OrderContext) -> int:
    """0: raised by a selected order, 1: by a draft order, 2: anything else."""
    if raised_by(f, orders.selected):
        return 0
    return 1 if raised_by(f, orders.drafts) else 2


def _suggestion(eng: Engine, s: Any, patient_ref: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"label": s.label, "uuid": str(uuid.uuid4()), "isRecommended": False}
    analyte = eng.knowledge.analytes.get(s.analyte) if s.kind == "order_lab" and s.analyte else None
    if analyte is not None and analyte.loinc:
        resource: dict[str, Any] = {
            "resourceType": "ServiceRequest", "status": "draft", "intent": "proposal",
            "code": {"coding": [{"system": "http://loinc.org", "code": analyte.loinc[0], "display": analyte.name}],
                     "text": analyte.name},
        }
        if patient_ref:
            resource["subject"] = {"reference": patient_ref}
        out["actions"] = [{"type": "create", "description": s.label, "resource": resource}]
    return out


def detail(eng: Engine, f: Finding, from_order: bool = False) -> str:
    """The card's Markdown detail (reports/card_detail.md.j2, from the report's view model): patient free
    text escaped, the judgment statement once, at the end."""
    safe = safe_finding(f)
    return neutralise(eng.renderer.env.get_template(DETAIL_TEMPLATE).render(
        f=safe, from_order=from_order, body=message_body(safe),
        evidence=[escape(evidence_text(e, eng.knowledge)) for e in f.evidence],
        missing=[escape(m) for m in f.missing]).strip())


def card(eng: Engine, f: Finding, orders: OrderContext, patient_ref: str | None) -> tuple[dict[str, Any], IssuedCard]:
    detail_md = detail(eng, f, raised_by(f, orders.drafts))
    suggestions = [_suggestion(eng, s, patient_ref) for s in f.suggestions]
    c: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "summary": f.summary,
        "indicator": Severity(f.severity).indicator,
        "detail": detail_md,
        "source": {
            "label": SOURCE_LABEL,
            "topic": {"system": TOPIC_SYSTEM, "code": f.rule_id,
                      "display": f"{f.rule_id} v{f.rule_version} · {f.topic}"},
        },
        "overrideReasons": [{"system": OVERRIDE_SYSTEM, "code": code, "display": display}
                            for code, display in OVERRIDE_REASONS],
        "extension": {"setpoint": {
            "rule_id": f.rule_id, "rule_version": f.rule_version, "topic": f.topic, "kind": f.kind,
            "severity": f.severity, "outcome": f.outcome, "evidence_grade": f.evidence_grade,
            "unverified": f.unverified, "raised_by_order": raised_by(f, orders.drafts)}},
    }
    if suggestions:
        c["suggestions"] = suggestions
        c["selectionBehavior"] = "any"
    links = [{"label": f"{ct.id}: {ct.citation}"[:200], "url": ct.url, "type": "absolute"}
             for ct in f.citations if ct.url and web_url(ct.url)]
    if links:
        c["links"] = links
    issued = IssuedCard(uuid=c["uuid"], rule_id=f.rule_id, rule_version=f.rule_version, topic=f.topic,
                        indicator=c["indicator"], suggestions=tuple(s["uuid"] for s in suggestions))
    return c, issued


def cards(eng: Engine, findings: list[Finding], orders: OrderContext,
          patient_ref: str | None) -> tuple[list[dict[str, Any]], list[IssuedCard]]:
    """Cards in the engine's order (severity first), except that for order hooks the findings raised by
    the orders being placed lead."""
    ordered = sorted(findings, key=lambda f: order_rank(f, orders))  # stable: keeps severity order within
    pairs = [card(eng, f, orders, patient_ref) for f in ordered]
    return [c for c, _ in pairs], [i for _, i in pairs]
