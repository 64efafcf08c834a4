"""The population summary: per rule, patients fired / cannot assess and their share, as JSON and as a
self-contained HTML page (inline CSS and SVG, no network)."""

from __future__ import annotations

from datetime import date

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from .. import paths
from .models import BatchSummary, InputKind, PartitionCounts, RuleSummary

SEVERITIES = ("critical", "high", "moderate", "low", "info")
COLOURS = {"critical": "#7f1d1d", "high": "#dc2626", "moderate": "#f59e0b", "low": "#3b82f6", "info": "#94a3b8",
           "cannot_assess": "#d1d5db"}
BAR_HEIGHT, BAR_GAP, LABEL_WIDTH, CHART_WIDTH = 18, 6, 110, 520


def build(counts: PartitionCounts, *, input: str, kind: InputKind, as_of: date, rulebase_version: str | None,
          rulebase_hash: str | None, findings: int, unreadable: int = 0, unlinked: int = 0) -> BatchSummary:
    evaluated = counts.patients - counts.errors
    rules = [
        RuleSummary(rule_id=c.rule_id, title=c.title, patients_fired=c.fired, patients_cannot_assess=c.cannot_assess,
                    share_fired=_share(c.fired, evaluated), share_cannot_assess=_share(c.cannot_assess, evaluated),
                    fired_by_severity={s: c.fired_by_severity[s] for s in SEVERITIES if s in c.fired_by_severity})
        for c in counts.rules.values()
    ]
    rules.sort(key=lambda r: (-r.patients_fired, -r.patients_cannot_assess, r.rule_id))
    return BatchSummary(input=input, input_kind=kind, as_of=as_of, rulebase_version=rulebase_version,
                        rulebase_hash=rulebase_hash, patients=counts.patients, evaluated=evaluated,
                        errors=counts.errors, findings=findings, unreadable_lines=unreadable,
                        resources_without_patient=unlinked, rules=rules)


def _share(n: int, total: int) -> float:
    return round(n / total, 6) if total else 0.0


def to_json(summary: BatchSummary) -> str:
    return summary.model_dump_json(indent=2) + "\n"


def _bars(summary: BatchSummary) -> list[dict[str, object]]:
    """One bar per rule: fired patients by severity, then those who could not be assessed."""
    widest = max((r.patients_fired + r.patients_cannot_assess for r in summary.rules), default=0) or 1
    scale = CHART_WIDTH / widest
    bars = []
    for i, r in enumerate(summary.rules):
        x = float(LABEL_WIDTH)
        segments = []
        parts = [(s, r.fired_by_severity.get(s, 0)) for s in SEVERITIES] + [("cannot_assess", r.patients_cannot_assess)]
        for name, n in parts:
            if n:
                w = round(n * scale, 2)
                segments.append({"x": round(x, 2), "width": w, "colour": COLOURS[name], "label": name, "n": n})
                x += w
        bars.append({"y": i * (BAR_HEIGHT + BAR_GAP), "rule": r, "segments": segments, "end": round(x + 4, 2)})
    return bars


def to_html(summary: BatchSummary) -> str:
    env = Environment(loader=FileSystemLoader(paths.reports_dir() / "batch"), autoescape=select_autoescape(["j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    bars = _bars(summary)
    height = max(1, len(bars)) * (BAR_HEIGHT + BAR_GAP)
    return env.get_template("summary.html.j2").render(
        s=summary, bars=bars, bar_height=BAR_HEIGHT, width=LABEL_WIDTH + CHART_WIDTH + 80, height=height,
        legend=[(k, COLOURS[k]) for k in (*SEVERITIES, "cannot_assess")])
