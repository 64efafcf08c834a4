"""`setpoint replay LOG --rules OTHER`: the logged hook calls evaluated again with another rule base.

Only records written with `--decision-log-inputs` hold what was evaluated; the others are counted
as not replayable (the log holds no patient data without that option, by design).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from ..core import Engine
from ..errors import SetpointError, SnapshotError
from ..snapshot.models import DataIssue
from . import hooks
from .cards import cards
from .decisions import read
from .models import CONTEXTS
from .prefetch import Gathered


def replay_record(eng: Engine, rec: dict[str, Any]) -> list[str]:
    """The rule ids `eng` answers for one logged input, in card order."""
    inp = rec["input"]
    context = CONTEXTS[inp["hook"]].model_validate(inp["context"])
    g = Gathered(entries=[(r, f) for r, f in inp["entries"]],
                 issues=[DataIssue.model_validate(i) for i in inp["issues"]])
    drafts, orders = hooks.draft_orders(context)
    result, patient_ref = hooks.evaluate(eng, g, drafts, date.fromisoformat(rec["as_of"]))
    made, _ = cards(eng, result.findings, orders, patient_ref)
    return [c["source"]["topic"]["code"] for c in made]


def replay_log(eng: Engine, path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise SetpointError("no such decision log")
    out: dict[str, Any] = {"rulebase": {"name": eng.rulebase.name, "version": eng.rulebase.version,
                                        "hash": eng.rulebase.content_hash},
                           "records": 0, "replayed": 0, "refused": 0, "not_replayable": 0, "changed": [], "same": 0}
    for line, rec in read(path):
        out["records"] += 1
        if rec.get("status", 200) != 200:  # a refused call (401, 4xx, 503): nothing was evaluated
            out["refused"] += 1
            continue
        if not isinstance(rec.get("input"), dict):
            out["not_replayable"] += 1
            continue
        before = [c.get("rule_id") for c in rec.get("cards") or []]
        try:
            after = replay_record(eng, rec)
        except (KeyError, TypeError, ValueError, SnapshotError) as e:
            out["changed"].append({"line": line, "hookInstance": rec.get("hookInstance"),
                                   "error": f"cannot replay ({e.__class__.__name__})"})
            continue
        out["replayed"] += 1
        if after == before:
            out["same"] += 1
        else:
            out["changed"].append({"line": line, "hookInstance": rec.get("hookInstance"),
                                   "logged_rulebase": rec.get("rulebase"),
                                   "before": before, "after": after,
                                   "gained": [r for r in after if r not in before],
                                   "lost": [r for r in before if r not in after]})
    return out


def render_replay(report: dict[str, Any]) -> str:
    rb = report["rulebase"]
    lines = [f"replayed {report['replayed']} of {report['records']} logged calls against {rb['name']} "
             f"{rb['version']}: {report['same']} the same, {len(report['changed'])} different"]
    if report["refused"]:
        lines.append(f"{report['refused']} records are refused calls (no cards were given): skipped")
    if report["not_replayable"]:
        lines.append(f"{report['not_replayable']} records have no inputs (the service ran without "
                     "--decision-log-inputs): not replayable")
    for c in report["changed"]:
        if "error" in c:
            lines.append(f"  line {c['line']} {c['hookInstance']}: {c['error']}")
            continue
        parts = [f"+{r}" for r in c["gained"]] + [f"-{r}" for r in c["lost"]]
        if not parts:
            parts = ["order changed: " + " ".join(c["after"])]
        lines.append(f"  line {c['line']} {c['hookInstance']}: " + " ".join(parts))
    return "\n".join(lines)
