"""What a clinician's report shows, as plain data: one view model for the text, Markdown and HTML reports,
the CDS Hooks card detail and the web page.

A busy clinician reads, in this order: a summary table (severity, title, one line per finding), the
findings (the rule's message without its repeated tail, readable evidence, suggestions, numbered
sources), "Could not assess" (every rule that applies to this patient but whose data is missing, stale
or unusable), the presumptions made and what became of the input's records; the rules that did not fire
only when asked (`--all`).  The clinician-judgment statement is said once per report (once per card),
the sources once per report (numbered references).  The JSON result stays machine-complete: this
module only chooses what to show and words it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .facts.model import PRESUMPTION, EvidenceItem
from .findings import DESIGN_SOURCE, JUDGMENT, EvaluationResult, Finding

if TYPE_CHECKING:
    from .knowledge.load import Knowledge

# Dose frequencies as prescribers abbreviate them, in words.
FREQUENCY_WORDS = {
    "qd": "once daily", "od": "once daily", "bid": "twice daily", "bd": "twice daily", "tid": "three times daily",
    "tds": "three times daily", "qid": "four times daily", "qds": "four times daily", "qhs": "at bedtime",
    "nocte": "at night", "prn": "as needed", "qam": "every morning", "qpm": "every evening", "qw": "weekly",
}
_QH = re.compile(r"\bq(\d+)h\b")
_WORD = re.compile(r"\b(" + "|".join(FREQUENCY_WORDS) + r")\b", re.IGNORECASE)
_MICRO = re.compile(r"(?<=\d )(ug|µg|μg)\b")
_SOURCES_LINE = re.compile(r"^Sources: [A-Za-z0-9_.\-; ]+\.$")
_SCALE_ITEM = re.compile(r"^(PHQ-9|GAD-7) (item 9|total)$")
SCALE_IDS = {"PHQ-9": "phq9", "GAD-7": "gad7"}


def _num(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else f"{v:.4g}"
    return "" if v is None else str(v)


def _dose_words(text: str) -> str:
    text = _MICRO.sub("mcg", text)
    text = _QH.sub(lambda m: f"every {m.group(1)} hours", text)
    return _WORD.sub(lambda m: FREQUENCY_WORDS[m.group(1).lower()], text)


def _scale_answer(k: Knowledge | None, label: str, value: Any) -> str | None:
    """"1" of PHQ-9 item 9 -> "several days"; a PHQ-9 total of 14 -> "moderate" (from knowledge/scales.yaml)."""
    m = _SCALE_ITEM.match(label)
    if k is None or m is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    scale = k.scales.get(SCALE_IDS[m.group(1)])
    if scale is None or not float(value).is_integer():
        return None
    score = int(value)
    if m.group(2) == "total":
        return next((b.label for b in scale.bands if b.min <= score <= b.max), None)
    item = next((i for i in scale.items if i.id == "item9"), None)
    if item is None or not item.answers or not item.min <= score <= item.max:
        return None
    return item.answers[score - item.min]


def evidence_text(e: EvidenceItem, k: Knowledge | None = None) -> str:
    """One piece of evidence as a clinician writes it: "lithium carbonate 400 mg twice daily, oral (2021-05-10)",
    "Lithium 1.6 mmol/L (2026-11-18)", "PHQ-9 item 9: 1 (several days) (2026-11-18)"."""
    label = " ".join(e.label.split())
    text = label
    answer = _scale_answer(k, label, e.value)
    if e.value is not None and e.value != "" and e.value is not True:
        value = f"{_num(e.value)}{' ' + e.unit if e.unit else ''}"
        if answer is not None or _SCALE_ITEM.match(label):
            text = f"{label}: {value}" + (f" ({answer})" if answer else "")
        elif isinstance(e.value, str):
            value = _dose_words(value)
            # "lithium carbonate 400 mg" + "400 mg twice daily, oral": the strength is said once.
            dose = re.match(r"^(\d+(?:\.\d+)?\s*\w+)\b\s*(.*)$", value)
            if dose and re.search(rf"(?<![\d.]){re.escape(_dose_words(dose.group(1)))}\b", _dose_words(label),
                                  re.IGNORECASE):
                value = dose.group(2)
            text = f"{_dose_words(label)} {value}".strip().replace(" ,", ",")
        else:
            text = f"{label} {value}"
    if e.date:
        text += f" ({e.date.isoformat()})"
    if e.note:
        notes = [n.strip() for n in e.note.split("; ") if n.strip()]
        words = [("presumed: " + n.removeprefix(PRESUMPTION)) if n.startswith(PRESUMPTION) else n for n in notes]
        text += " — " + "; ".join(words)
    return text


def message_body(f: Finding) -> str:
    """The rule's message without the tail every finding carries (its "Sources:" line and the judgment
    statement): a report says those once."""
    paragraphs = [p for p in f.detail.strip().split("\n\n")]
    kept = [p for p in paragraphs if p.strip() != JUDGMENT and not _SOURCES_LINE.match(p.strip())]
    return "\n\n".join(kept).strip()


@dataclass
class Reference:
    number: int
    id: str
    citation: str
    url: str | None


@dataclass
class FindingView:
    anchor: str
    rule_id: str
    rule_version: str
    title: str
    severity: str
    outcome: str
    summary: str
    kind: str
    evidence_grade: str
    unverified: bool
    body: str  # the rule's message as written (the text report)
    evidence: list[str]
    suggestions: list[str]
    related: list[str]
    refs: list[int]
    missing: list[str] = field(default_factory=list)
    # The message as Markdown with the patient's free text it echoes escaped (the Markdown and HTML reports).
    body_md: str = ""

    @property
    def meta(self) -> str:
        bits = [f"{self.rule_id} v{self.rule_version}", f"evidence grade {self.evidence_grade}"]
        if self.unverified:
            bits.append("unverified source")
        return " · ".join(bits)


@dataclass
class Unassessed:
    """A rule that applies to this patient but could not be assessed, and why (plain language)."""

    rule_id: str
    title: str
    reasons: list[str]
    severity: str | None = None  # set when the rule reported it as a finding
    anchor: str | None = None


@dataclass
class NotFired:
    rule_id: str
    title: str
    reason: str


@dataclass
class ReportView:
    r: EvaluationResult
    summary: list[FindingView]  # every reported finding, most severe first
    findings: list[FindingView]  # fired
    could_not_assess: list[Unassessed]
    presumptions: list[str]
    input_line: str | None
    references: list[Reference]
    not_fired: list[NotFired] | None  # None unless asked for (--all)
    counts: dict[str, int]
    checked: str  # "117 rules checked: ..."
    judgment: str = JUDGMENT
    notes: list[str] = field(default_factory=list)

    @property
    def patient_line(self) -> str:
        p = self.r.patient
        age = f"age {p.age}" if p.age is not None else "age unknown"
        return f"Patient {p.id or '(no id)'}, {age}, sex {p.sex}"

    @property
    def rulebase_line(self) -> str:
        rb = self.r.rulebase
        return (f"Rule base {rb.name} {rb.version} (sha256 {rb.content_hash[:12]}), matcher {self.r.matcher}; "
                f"{rb.without_clinical_signoff} of {rb.rules} rules lack a clinician's sign-off")


def _anchor(f: Finding) -> str:
    return f"{f.rule_id.lower()}-{f.outcome.replace('_', '-')}"


def finding_view(f: Finding, refs: list[int], k: Knowledge | None = None) -> FindingView:
    related = [f"{g.title} ({g.severity}{', could not assess' if g.outcome == 'cannot_assess' else ''}; {g.rule_id})"
               for g in f.related]
    suggestions = [s.label for s in f.suggestions]
    if f.outcome == "cannot_assess":  # "Consider obtaining: no Magnesium result on record" says nothing new
        suggestions = [s for s in suggestions if not s.startswith("Consider obtaining: ")]
    return FindingView(
        anchor=_anchor(f), rule_id=f.rule_id, rule_version=f.rule_version, title=f.title, severity=str(f.severity),
        outcome=f.outcome, summary=f.summary, kind=f.kind.replace("_", " "), evidence_grade=f.evidence_grade,
        unverified=f.unverified, body=message_body(f) if f.outcome == "fired" else "",
        evidence=[evidence_text(e, k) for e in f.evidence], suggestions=suggestions, related=related, refs=refs,
        missing=list(f.missing), body_md=message_body(_safe(f)) if f.outcome == "fired" else "")


def _safe(f: Finding) -> Finding:
    from .service.markdown import safe_finding

    return safe_finding(f)


def build(result: EvaluationResult, knowledge: Knowledge | None = None, show_all: bool = False) -> ReportView:
    """The report's view model (every format renders this)."""
    references: dict[str, Reference] = {}

    def numbers(f: Finding) -> list[int]:
        out = []
        for c in f.citations:
            if f.outcome == "cannot_assess" and c.id == DESIGN_SOURCE:
                continue
            ref = references.get(c.id)
            if ref is None:
                ref = references[c.id] = Reference(len(references) + 1, c.id, c.citation, c.url)
            out.append(ref.number)
        return out

    fired = [f for f in result.findings if f.outcome == "fired"]
    missing = [f for f in result.findings if f.outcome == "cannot_assess"]
    views = {id(f): finding_view(f, numbers(f), knowledge) for f in [*fired, *missing]}
    summary = [views[id(f)] for f in result.findings]

    unassessed: list[Unassessed] = []
    seen: set[str] = set()
    for f in missing:
        v = views[id(f)]
        unassessed.append(Unassessed(f.rule_id, f.title, list(f.missing), str(f.severity), v.anchor))
        seen.add(f.rule_id)
        seen.update(g.rule_id for g in f.related)
    for a in result.assessed:
        if a.outcome == "cannot_assess" and a.rule_id not in seen:
            unassessed.append(Unassessed(a.rule_id, a.title, (a.reason or "data missing").split("; ")))
            seen.add(a.rule_id)

    fired_n = sum(a.outcome == "fired" for a in result.assessed)
    unknown_n = sum(a.outcome == "cannot_assess" for a in result.assessed)
    quiet = [a for a in result.assessed if a.outcome == "not_fired"]
    checked = (f"{len(result.assessed)} rules checked: {fired_n} fired, {unknown_n} could not be assessed, "
               f"{len(quiet)} did not fire")
    not_fired = [NotFired(a.rule_id, a.title, a.reason or "") for a in quiet] if show_all else None
    return ReportView(
        r=result, summary=summary, findings=[views[id(f)] for f in fired], could_not_assess=unassessed,
        presumptions=list(result.presumptions), input_line=result.input.line() if result.input else None,
        references=list(references.values()), not_fired=not_fired, counts=result.counts(), checked=checked,
        notes=list(result.notes))


# ------------------------------------------------------------------ Markdown in HTML

_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_MD: list[Any] = []  # the parser, made on first use (the text report does not pay for importing it)


def _safe_link(url: str) -> bool:
    u = url.strip().lower()
    return u.startswith(_SAFE_SCHEMES) or u.startswith("#")


def _parser() -> Any:
    if not _MD:
        from markdown_it import MarkdownIt

        md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")
        md.validateLink = _safe_link  # type: ignore[method-assign]
        _MD.append(md)
    return _MD[0]


def markdown_html(text: str) -> str:
    """Markdown (a rule's message) as HTML: raw HTML is shown as text, images are not rendered and only
    http(s), mailto and in-page links are kept.  The result is safe to insert unescaped."""
    return str(_parser().render(text or ""))
