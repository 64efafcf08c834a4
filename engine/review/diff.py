"""`setpoint rules diff OLD NEW`: two rule bases compared, field by field and by behaviour.

* Rules added, removed and changed (each changed field with its old and new value; condition
  trees are compared leaf by leaf, e.g. `when.all[1].lab.value: 54 -> 52`).
* A change to a rule's conditions (`when`, `escalations`) or `severity` without a higher
  `version` is an error, and so is a version that goes down.  A changed rule base whose
  `rulebase.yaml` version did not go up is a warning.
* Behaviour: every scenario of NEW's features (its Given and When steps only) is evaluated with
  both rule bases; each scenario patient that gains or loses a finding is listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import paths
from ..rules.load import CheckedRuleBase, Problem, load_rulebase
from ..rules.schema import Rule
from ..scenarios import Progress, load_features, run_all

if TYPE_CHECKING:
    from ..core import Engine

BEHAVIOUR_FIELDS = ("when", "escalations", "severity")


def semver(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split("."))


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts and lists as `a.b[0].c -> leaf value`."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.update(flatten(v, f"{prefix}[{i}]"))
        if not value:
            out[prefix] = []
    else:
        out[prefix] = value
    return out


def _dump(rule: Rule) -> dict[str, Any]:
    return rule.model_dump(mode="json", by_alias=True, exclude_defaults=False)


@dataclass
class Change:
    field: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass
class RuleChange:
    rule_id: str
    file: str
    old_version: str
    new_version: str
    changes: list[Change]

    def touches_behaviour(self) -> bool:
        return any(c.field.split(".")[0].split("[")[0] in BEHAVIOUR_FIELDS for c in self.changes)

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "file": self.file, "old_version": self.old_version,
                "new_version": self.new_version, "changes": [c.to_dict() for c in self.changes]}


@dataclass
class ScenarioDelta:
    scenario: str
    name: str
    gained: list[tuple[str, str, str]]  # (rule id, severity, outcome)
    lost: list[tuple[str, str, str]]

    def to_dict(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "name": self.name,
                "gained": [list(x) for x in self.gained], "lost": [list(x) for x in self.lost]}


@dataclass
class RuleBaseDiff:
    old_version: str | None
    new_version: str | None
    added: list[tuple[str, str]] = field(default_factory=list)  # (id, file)
    removed: list[tuple[str, str]] = field(default_factory=list)
    changed: list[RuleChange] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    behaviour: list[ScenarioDelta] = field(default_factory=list)
    scenarios: int = 0
    scenario_errors: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "old_version": self.old_version, "new_version": self.new_version,
            "added": [{"rule_id": i, "file": f} for i, f in self.added],
            "removed": [{"rule_id": i, "file": f} for i, f in self.removed],
            "changed": [c.to_dict() for c in self.changed],
            "problems": [p.to_dict() for p in self.problems],
            "behaviour": {"scenarios": self.scenarios, "changed": [d.to_dict() for d in self.behaviour],
                          "errors": self.scenario_errors},
        }

    def text(self) -> str:
        lines = [f"rule base {self.old_version} -> {self.new_version}"]
        lines += [f"added    {i} ({f})" for i, f in self.added]
        lines += [f"removed  {i} ({f})" for i, f in self.removed]
        for c in self.changed:
            lines.append(f"changed  {c.rule_id} ({c.file}) version {c.old_version} -> {c.new_version}")
            lines += [f"    {ch.field}: {_short(ch.old)} -> {_short(ch.new)}" for ch in c.changes]
        if not (self.added or self.removed or self.changed):
            lines.append("no rule was added, removed or changed")
        lines += [f"{p.level}: {p}" for p in self.problems]
        lines.append(f"behaviour over {self.scenarios} scenario patients: "
                     + (f"{len(self.behaviour)} changed" if self.behaviour else "no finding gained or lost"))
        for d in self.behaviour:
            lines.append(f"  {d.scenario} {d.name}")
            lines += [f"    + {i} {s} {o}" for i, s, o in d.gained]
            lines += [f"    - {i} {s} {o}" for i, s, o in d.lost]
        lines += [f"  scenario not evaluated: {e}" for e in self.scenario_errors]
        return "\n".join(lines)


def _short(v: Any) -> str:
    text = "(absent)" if v is _ABSENT else repr(v)
    return text if len(text) <= 80 else text[:77] + "..."


class _Absent:
    def __repr__(self) -> str:
        return "(absent)"


_ABSENT: Any = _Absent()


def compare_rules(old: CheckedRuleBase, new: CheckedRuleBase) -> RuleBaseDiff:
    """Added, removed and changed rules, and the version-bump errors."""
    out = RuleBaseDiff(old.manifest.version if old.manifest else None, new.manifest.version if new.manifest else None)
    o = {f.rule.id: f for f in old.files if f.rule is not None}
    n = {f.rule.id: f for f in new.files if f.rule is not None}
    out.added = [(i, n[i].path.as_posix()) for i in sorted(set(n) - set(o))]
    out.removed = [(i, o[i].path.as_posix()) for i in sorted(set(o) - set(n))]
    for rid in sorted(set(o) & set(n)):
        a, b = o[rid].rule, n[rid].rule
        assert a is not None and b is not None
        fa, fb = flatten(_dump(a)), flatten(_dump(b))
        changes = [Change(k, fa.get(k, _ABSENT), fb.get(k, _ABSENT))
                   for k in sorted(set(fa) | set(fb)) if fa.get(k, _ABSENT) != fb.get(k, _ABSENT)]
        if not changes:
            continue
        rc = RuleChange(rid, n[rid].path.as_posix(), a.version, b.version, changes)
        out.changed.append(rc)
        file = rc.file
        if semver(b.version) < semver(a.version):
            out.problems.append(Problem(file, rid, "version", f"version went down: {a.version} -> {b.version}",
                                        "error", "diff"))
        elif rc.touches_behaviour() and semver(b.version) <= semver(a.version):
            fields = sorted({c.field.split(".")[0].split("[")[0] for c in changes} & set(BEHAVIOUR_FIELDS))
            out.problems.append(Problem(file, rid, "version", f"{', '.join(fields)} changed but version is still "
                                        f"{b.version}: bump it (a changed condition or severity is a new rule version)",
                                        "error", "diff"))
    changed = bool(out.added or out.removed or out.changed)
    if changed and out.old_version and out.new_version and semver(out.new_version) <= semver(out.old_version):
        out.problems.append(Problem("rulebase.yaml", None, "version", f"rules changed but the rule base version "
                                    f"is still {out.new_version}", "warning", "diff"))
    return out


def behaviour(old: Engine, new: Engine, features: Path,
              progress: Progress | None = None) -> tuple[list[ScenarioDelta], int, list[str]]:
    """Evaluate every scenario of `features` with both engines (no assertions); who gains or loses what."""
    scs = load_features(features)
    root = Path(features).resolve().parent
    n = len(scs)
    a = run_all(scs, old, root=root, assertions=False, progress=progress and (lambda i, _: progress(i, 2 * n)))
    b = run_all(scs, new, root=root, assertions=False, progress=progress and (lambda i, _: progress(n + i, 2 * n)))
    out, errors = [], []
    for ra, rb in zip(a, b, strict=True):
        if ra.result is None or rb.result is None:
            errors.append(f"{ra.scenario.id}: {ra.message or rb.message}")
            continue
        fa, fb = ra.findings(), rb.findings()
        if fa != fb:
            out.append(ScenarioDelta(ra.scenario.id, ra.scenario.name, sorted(fb - fa), sorted(fa - fb)))
    return out, len(scs), errors


def diff(old: Path, new: Path, knowledge: Path | None = None, features: Path | None = None,
         progress: Progress | None = None) -> RuleBaseDiff:
    """Compare the rule bases at `old` and `new` (with the same knowledge and message templates)."""
    from ..core import Engine

    loaded_old = load_rulebase(old, knowledge)
    loaded_new = load_rulebase(new, loaded_old.knowledge)
    checked_old, checked_new = loaded_old.checked, loaded_new.checked
    out = compare_rules(checked_old, checked_new)
    for label, c in (("OLD", checked_old), ("NEW", checked_new)):
        out.problems += [Problem(f"{label}:{p.file}", p.rule_id, p.field, p.message, p.level, p.check)
                         for p in c.errors]
    if checked_old.errors or checked_new.errors:
        return out
    if features is None:
        beside = Path(new).resolve().parent / "features"
        features = beside if beside.is_dir() else paths.features_dir()
    eng_old = Engine.load(rules=old, knowledge=knowledge, matcher="compiled")
    eng_new = Engine.load(rules=new, knowledge=knowledge, matcher="compiled")
    out.behaviour, out.scenarios, out.scenario_errors = behaviour(eng_old, eng_new, Path(features), progress)
    return out
