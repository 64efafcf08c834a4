"""Rendering with Jinja: finding messages (written in each rule file) and the reports in `reports/`.

One environment serves everything: a `SandboxedEnvironment` (a template, or a rule's message, cannot
reach Python internals or run commands) with HTML autoescaping for `*.html.j2`.  A rule's message is
rendered from its `message:` text; the renderer appends the tail every finding carries
(`partials/finding_tail.md.j2`: an escalation note, the sources and the clinician-judgment statement),
so no rule can forget it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import FileSystemLoader, StrictUndefined, Template, TemplateError, meta, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from .facts.model import EvidenceItem
from .findings import JUDGMENT, EvaluationResult
from .knowledge.load import Knowledge
from .severity import DESCENDING, rank

if TYPE_CHECKING:
    from .normalize import Case
    from .rules.load import LoadedRule

FORMATS = {"text": "report.txt.j2", "markdown": "report.md.j2", "html": "report.html.j2", "json": "report.json.j2"}
MESSAGES = "messages"
TAIL = "partials/finding_tail.md.j2"
CANNOT_ASSESS = f"{MESSAGES}/_cannot_assess.md.j2"
STATIC_VARIABLES = frozenset({"rule", "severity", "escalation", "sources", "JUDGMENT"})
MESSAGE_VARIABLES = frozenset({"rule", "evidence", "severity", "escalation", "age", "sex", "sources", "JUDGMENT"})


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


def _markdown(text: str) -> Markup:
    from .report_view import markdown_html

    return Markup(markdown_html(str(text)))


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>!|~#&^$])")
_MD_SCHEME = re.compile(r"(?i)\b(javascript|data|vbscript|file|https?|ftp|mailto):")
_MD_WWW = re.compile(r"(?i)\bwww\.")


def _md_escape(text: str) -> str:
    """Patient free text as literal Markdown inside a line (no links, autolinks, images, HTML or emphasis),
    lighter than a card's escaping so the report's source stays readable: "(", "-" and ":" mean nothing
    once "[", "]", "<" and the URL schemes are escaped."""
    out = _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
    out = _MD_SCHEME.sub(lambda m: m.group(1) + "\\:", out)
    return _MD_WWW.sub(lambda m: m.group(0)[:3] + "\\.", out)


def web_url(url: str) -> bool:
    """A link a report or a card may show: http(s) with a host and no userinfo (knowledge sources only)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and "@" not in parts.netloc


def environment(root: Path) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(root)),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters["fmt"] = _fmt
    env.filters["evidence"] = _evidence_line
    env.filters["severity_rank"] = rank
    env.filters["markdown"] = _markdown
    env.filters["md_escape"] = _md_escape
    env.tests["safe_url"] = web_url
    env.filters["tojson_pretty"] = lambda v: json.dumps(v, indent=2, ensure_ascii=False, sort_keys=False)
    env.globals["JUDGMENT"] = JUDGMENT
    env.globals["SEVERITIES"] = [str(s) for s in DESCENDING]
    return env


class Renderer:
    def __init__(self, root: Path, knowledge: Knowledge):
        self.root = Path(root)
        self.knowledge = knowledge
        self.env = environment(self.root)
        # Compiled rule messages, and messages that use only the rule and its outcome (rendered once).
        self._templates: dict[tuple[str, str], tuple[Template, bool]] = {}
        self._memo: dict[tuple[str, str, str, str | None], str] = {}

    def check_message(self, text: str) -> str | None:
        """Why a rule's message cannot be used (a Jinja syntax error or an unknown variable), or None."""
        if "__" in text:
            return "uses Python internals (a double underscore): messages may only use their variables"
        try:
            used = meta.find_undeclared_variables(self.env.parse(text))
        except TemplateError as e:
            return f"not a valid Jinja template: {e}"
        unknown = sorted(used - MESSAGE_VARIABLES)
        if unknown:
            return f"uses unknown variable(s) {', '.join(unknown)}; available: {', '.join(sorted(MESSAGE_VARIABLES))}"
        return None

    def _message(self, lr: LoadedRule) -> tuple[Template, bool]:
        key = (lr.id, lr.rule.version)
        hit = self._templates.get(key)
        if hit is None:
            text = lr.rule.message.rstrip("\n") + '\n{% include "' + TAIL + '" %}\n'
            used = meta.find_undeclared_variables(self.env.parse(lr.rule.message))
            hit = self._templates[key] = (self.env.from_string(text), used <= STATIC_VARIABLES)
        return hit

    def message(self, lr: LoadedRule, evidence: list[EvidenceItem], case: Case, severity: str,
                escalation: str | None) -> str:
        template, static = self._message(lr)
        key = (lr.id, lr.rule.version, severity, escalation)
        if static and key in self._memo:
            return self._memo[key]
        text = template.render(
            rule=lr.rule, evidence=evidence, severity=severity, escalation=escalation, age=case.age,
            sex=case.snapshot.patient.sex, sources=[self.knowledge.sources[s] for s in lr.rule.references]).strip()
        if static:
            self._memo[key] = text
        return text

    def cannot_assess(self, lr: LoadedRule, reasons: list[str], evidence: list[EvidenceItem]) -> str:
        tpl = self.env.get_template(CANNOT_ASSESS)
        return tpl.render(rule=lr.rule, reasons=reasons, evidence=evidence,
                          sources=[self.knowledge.sources[s] for s in lr.rule.references]).strip()

    def report(self, result: EvaluationResult, fmt: str = "text", show_all: bool = False) -> str:
        """The report in one format; `show_all` adds every rule that did not fire, with why (`--all`).
        JSON is the whole result whatever `show_all` says."""
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        tpl = self.env.get_template(FORMATS[fmt])
        if fmt == "json":
            return tpl.render(data=json.loads(result.model_dump_json()))
        return tpl.render(r=result, v=self.view(result, show_all), counts=result.counts(), tools=None)

    def view(self, result: EvaluationResult, show_all: bool = False) -> Any:
        """The report's view model (engine.report_view), shared by every format and the web page."""
        from .report_view import build

        return build(result, self.knowledge, show_all)

    def render(self, name: str, **data: Any) -> str:
        """Any template under reports/ (the audit pages use this)."""
        return self.env.get_template(name).render(**data)
