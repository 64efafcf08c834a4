"""Rendering with the Jinja templates in `reports/`: finding messages and whole reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, meta, select_autoescape

from engine.facts.model import EvidenceItem
from engine.findings import JUDGMENT, EvaluationResult
from engine.knowledge.load import Knowledge

if TYPE_CHECKING:
    from engine.normalize import Case
    from engine.rules.load import LoadedRule

FORMATS = {"text": "report.txt.j2", "markdown": "report.md.j2", "html": "report.html.j2", "json": "report.json.j2"}
MESSAGES = "messages"
STATIC_VARIABLES = frozenset({"rule", "severity", "escalation", "sources", "JUDGMENT"})


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}" if not value.is_integer() else str(int(value))
    return "" if value is None else str(value)


def _evidence_line(e: EvidenceItem) -> str:
    parts = [e.label]
    if e.value is not None and e.value != "":
        parts.append(f"{_fmt(e.value)}{' ' + e.unit if e.unit else ''}")
    if e.date:
        parts.append(f"({e.date.isoformat()})")
    if e.note:
        parts.append(f"[{e.note}]")
    return " ".join(parts)


class Renderer:
    def __init__(self, root: Path, knowledge: Knowledge):
        self.root = Path(root)
        self.knowledge = knowledge
        self.env = Environment(
            loader=FileSystemLoader(str(self.root)),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
            undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        )
        self.env.filters["fmt"] = _fmt
        self.env.filters["evidence"] = _evidence_line
        self.env.filters["tojson_pretty"] = lambda v: json.dumps(v, indent=2, ensure_ascii=False, sort_keys=False)
        self.env.globals["JUDGMENT"] = JUDGMENT
        # Messages that use only the rule and its outcome (not the patient's data) render once per outcome.
        self._static: dict[str, bool] = {}
        self._memo: dict[tuple[str, str, str, str | None], str] = {}

    def message_templates(self) -> set[str]:
        base = self.root / MESSAGES
        return {p.relative_to(base).as_posix() for p in base.rglob("*.j2")} if base.exists() else set()

    def _is_static(self, name: str) -> bool:
        if name not in self._static:
            source = self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]
            used = meta.find_undeclared_variables(self.env.parse(source))
            self._static[name] = used <= STATIC_VARIABLES
        return self._static[name]

    def message(self, lr: LoadedRule, evidence: list[EvidenceItem], case: Case, severity: str,
                escalation: str | None) -> str:
        name = f"{MESSAGES}/{lr.rule.message}"
        key = (lr.id, lr.rule.version, severity, escalation)
        static = self._is_static(name)
        if static and key in self._memo:
            return self._memo[key]
        text = self.env.get_template(name).render(
            rule=lr.rule, evidence=evidence, severity=severity, escalation=escalation, age=case.age,
            sex=case.snapshot.patient.sex, sources=[self.knowledge.sources[s] for s in lr.rule.references]).strip()
        if static:
            self._memo[key] = text
        return text

    def cannot_assess(self, lr: LoadedRule, reasons: list[str], evidence: list[EvidenceItem]) -> str:
        tpl = self.env.get_template(f"{MESSAGES}/_cannot_assess.md.j2")
        return tpl.render(rule=lr.rule, reasons=reasons, evidence=evidence,
                          sources=[self.knowledge.sources[s] for s in lr.rule.references]).strip()

    def report(self, result: EvaluationResult, fmt: str = "text") -> str:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        tpl = self.env.get_template(FORMATS[fmt])
        data = json.loads(result.model_dump_json())
        return tpl.render(r=result, data=data, counts=result.counts())
