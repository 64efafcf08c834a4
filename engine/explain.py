"""`setpoint explain`: a rule's condition tree with each condition's outcome for one patient."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from .facts.model import EvidenceItem
from .leaves import Phrases
from .matching.tree import evaluate, explain, outcome_word
from .report_view import evidence_text
from .snapshot.models import Snapshot

if TYPE_CHECKING:
    from .core import Engine
    from .normalize import Case
    from .rules.load import LoadedRule


def explain_rule(eng: Engine, snap: Snapshot, rule_id: str, as_of: date | None,
                 default_as_of: date | None = None) -> dict[str, Any]:
    case = eng.case(snap, as_of, default_as_of)
    return _explain(eng, eng.rulebase.by_id(rule_id), case, eng.facts(case))  # facts derived on demand


def explain_rules(eng: Engine, snap: Snapshot, rule_ids: list[str], as_of: date | None,
                  default_as_of: date | None = None) -> dict[str, dict[str, Any]]:
    """Several rules' explanations for one patient, sharing one normalised case and its facts (the web
    page explains every finding of a report)."""
    case = eng.case(snap, as_of, default_as_of)
    facts = eng.facts(case)
    out: dict[str, dict[str, Any]] = {}
    for rid in dict.fromkeys(rule_ids):
        try:
            out[rid] = _explain(eng, eng.rulebase.by_id(rid), case, facts)
        except KeyError:
            continue
    return out


def _explain(eng: Engine, lr: LoadedRule, case: Case, facts: Any) -> dict[str, Any]:
    value = evaluate(lr.tree, facts)
    notes = facts.notes()
    phrases = Phrases(eng.knowledge)
    condition = explain(lr.tree, facts).to_dict()
    _plain(lr.tree, condition, phrases, eng.knowledge)
    escalations = []
    for e, n in zip(lr.rule.escalations, lr.escalations, strict=True):
        tree = explain(n, facts).to_dict()
        _plain(n, tree, phrases, eng.knowledge)
        escalations.append({"severity": e.severity, "reason": e.reason, "outcome": outcome_word(evaluate(n, facts)),
                            "condition": tree})
    return {
        "rule_id": lr.id, "version": lr.rule.version, "title": lr.rule.title, "as_of": case.as_of.isoformat(),
        "outcome": {True: "fired", False: "not_fired", None: "cannot_assess"}[value],
        "condition": condition, "escalations": escalations, "notes": notes,
    }


def _plain(node: Any, d: dict[str, Any], phrases: Phrases, k: Any) -> None:
    """Each leaf also in the audit page's words (`plain`), and its evidence as the report writes it (`lines`),
    beside the internal description (`condition`) and the raw evidence."""
    if node.op == "leaf" and node.leaf is not None:
        try:
            d["plain"] = node.leaf.source.phrase(False, phrases)
        except Exception:  # the internal description is still there
            d["plain"] = d.get("condition", "")
        fact = d.get("fact")
        if fact:
            fact["lines"] = [evidence_text(EvidenceItem.model_validate(e), k) for e in fact.get("evidence", [])]
    for ch, dd in zip(node.children, d.get("children", []), strict=False):
        _plain(ch, dd, phrases, k)


def _num(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else f"{v:.4g}"
    return str(v)


def _fmt_value(fact: dict[str, Any]) -> str:
    v = fact["value"]
    if v is None:
        return "unknown"
    return f"{_num(v)}{' ' + fact['unit'] if fact.get('unit') and not isinstance(v, bool) else ''}"


def _lines(node: dict[str, Any], depth: int) -> list[str]:
    mark = {"true": "TRUE ", "false": "FALSE", "cannot_assess": "N/A  "}[node["outcome"]]
    pad = "  " * depth
    plain = node.get("plain")
    text = node["condition"] if not plain or plain == node["condition"] else f"{plain}  [{node['condition']}]"
    out = [f"{pad}[{mark}] {text}"]
    fact = node.get("fact")
    if fact:
        out.append(f"{pad}        value: {_fmt_value(fact)}" + (f" ({fact['reason']})" if fact.get("reason") else ""))
        for line in fact.get("lines") or []:
            out.append(f"{pad}        from: {line}")
    for ch in node.get("children", []):
        out.extend(_lines(ch, depth + 1))
    return out


def render_explanation(report: dict[str, Any]) -> str:
    lines = [f"{report['rule_id']} v{report['version']}: {report['title']}",
             f"as of {report['as_of']}: {report['outcome'].replace('_', ' ').upper()}", ""]
    lines.extend(_lines(report["condition"], 0))
    for e in report["escalations"]:
        lines += ["", f"escalation to {e['severity']} ({e['reason']}): {e['outcome']}"]
        lines.extend(_lines(e["condition"], 1))
    lines += ["", "TRUE/FALSE: condition met or not; N/A: cannot assess (data missing, stale or unusable)."]
    return "\n".join(lines)
