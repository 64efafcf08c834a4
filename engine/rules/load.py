"""Load `rules/`: one rule per YAML file, validated, cross-checked and compiled."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from engine.errors import RuleBaseError, format_validation_error
from engine.facts.spec import CompiledLeaf
from engine.knowledge.load import Knowledge
from engine.matching.tree import Node, compile_condition
from engine.rules.schema import Rule, RuleBaseManifest

MANIFEST = "rulebase.yaml"
SIGNATURE = "MANIFEST.sha256.json"


@dataclass(frozen=True)
class LoadedRule:
    rule: Rule
    path: Path  # relative to the rules root
    tree: Node
    escalations: tuple[Node, ...]

    @property
    def id(self) -> str:
        return self.rule.id


@dataclass(frozen=True)
class RuleBase:
    root: Path
    name: str
    version: str
    content_hash: str
    rules: tuple[LoadedRule, ...]

    def by_id(self, rule_id: str) -> LoadedRule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def leaves(self) -> list[CompiledLeaf]:
        out = []
        for r in self.rules:
            out.extend(r.tree.leaves())
            for e in r.escalations:
                out.extend(e.leaves())
        return out


def rule_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.yaml") if p.name != MANIFEST and not p.name.startswith("."))


def content_hash(root: Path, files: list[Path], extra: str = "") -> str:
    h = hashlib.sha256()
    for p in [root / MANIFEST, *files]:
        h.update(p.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(p.read_bytes())
    h.update(extra.encode())
    return h.hexdigest()


def canonicaliser(k: Knowledge) -> Callable[[str, str | None], tuple[float, str]]:
    def to_canonical(analyte: str, unit: str | None) -> tuple[float, str]:
        if analyte not in k.analytes:
            raise ValueError(f"unknown analyte {analyte!r}")
        a = k.analytes[analyte]
        if unit is None:
            return 1.0, a.canonical_unit
        f = k.unit_factor(analyte, unit)
        if f is None:
            raise ValueError(f"unit {unit!r} does not convert to {a.canonical_unit} for {analyte}")
        return f, a.canonical_unit

    return to_canonical


def _refs(node: Node) -> list[tuple[str, Any]]:
    out = []
    for leaf in node.leaves():
        for name, value in leaf.spec.params:
            if name == "set" and value:
                out.append(("set", value))
            elif name == "sets":
                out.extend(("set", v) for v in value)
    return out


def load_rule_file(path: Path, root: Path, k: Knowledge, templates: set[str]) -> tuple[LoadedRule | None, list[str]]:
    rel = path.relative_to(root)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        return None, [f"{rel}: not valid YAML: {e}"]
    rid = data.get("id", "?") if isinstance(data, dict) else "?"
    try:
        rule = Rule.model_validate(data)
    except ValidationError as e:
        return None, [f"{rel} ({rid}): {format_validation_error(e)}"]
    problems: list[str] = []
    to_canonical = canonicaliser(k)
    try:
        tree = compile_condition(rule.when, to_canonical)
        escs = tuple(compile_condition(e.when, to_canonical) for e in rule.escalations)
    except ValueError as e:
        return None, [f"{rel} ({rule.id}): when: {e}"]
    for i, node in enumerate((tree, *escs)):
        field = "when" if i == 0 else f"escalations[{i - 1}].when"
        for kind, ref in _refs(node):
            if kind == "set" and ref not in k.med_sets and ref not in k.condition_sets:
                problems.append(f"{rel} ({rule.id}): {field}: unknown value set {ref!r}")
        for leaf in node.leaves():
            fam = leaf.spec.family
            sid = leaf.spec.param("set")
            if fam == "condition" and sid in k.med_sets:
                problems.append(f"{rel} ({rule.id}): {field}: {sid} is a medication set, used as a condition")
            med_family = fam.startswith("med") or fam in ("daily_dose", "days_since_med_change", "lab_since_med_change")
            if med_family and sid in k.condition_sets:
                    problems.append(f"{rel} ({rule.id}): {field}: {sid} is a condition set, used as a medication")
    for src in rule.references:
        if src not in k.sources:
            problems.append(f"{rel} ({rule.id}): references: unknown source {src!r}")
        elif k.sources[src].retracted:
            problems.append(f"{rel} ({rule.id}): references: source {src!r} is retracted")
    if rule.message not in templates:
        problems.append(f"{rel} ({rule.id}): message: template {rule.message!r} not found under reports/messages/")
    for s in rule.suggestions:
        if s.analyte and s.analyte not in k.analytes:
            problems.append(f"{rel} ({rule.id}): suggestions: unknown analyte {s.analyte!r}")
    if rule.status != "retired" and rule.severity in ("critical", "high") and not rule.references:
        problems.append(f"{rel} ({rule.id}): references: {rule.severity} rules must cite a source")
    if problems:
        return None, problems
    return LoadedRule(rule, rel, tree, escs), []


def load_rulebase(root: Path, k: Knowledge, templates: set[str], include_drafts: bool = False) -> RuleBase:
    root = Path(root)
    problems: list[str] = []
    try:
        manifest = RuleBaseManifest.model_validate(yaml.safe_load((root / MANIFEST).read_text(encoding="utf-8")))
    except FileNotFoundError as e:
        raise RuleBaseError([f"{root / MANIFEST}: missing (gives the rule base name and version)"]) from e
    except (ValidationError, yaml.YAMLError) as e:
        detail = format_validation_error(e) if isinstance(e, ValidationError) else str(e)
        raise RuleBaseError([f"{MANIFEST}: {detail}"]) from e
    files = rule_files(root)
    loaded: list[LoadedRule] = []
    seen: dict[str, Path] = {}
    for path in files:
        lr, errs = load_rule_file(path, root, k, templates)
        problems.extend(errs)
        if lr is None:
            continue
        if lr.id in seen:
            problems.append(f"{lr.path} ({lr.id}): id: duplicate id, also used by {seen[lr.id]}")
            continue
        seen[lr.id] = lr.path
        loaded.append(lr)
    ids = {r.id for r in loaded}
    for r in loaded:
        for sup in r.rule.supersedes:
            if sup not in ids and sup not in seen:
                problems.append(f"{r.path} ({r.id}): supersedes: unknown rule {sup!r}")
    if not files:
        problems.append(f"{root}: no rule files found")
    if problems:
        raise RuleBaseError(problems)
    active = [r for r in loaded if r.rule.status == "active" or (include_drafts and r.rule.status == "draft")]
    return RuleBase(root=root, name=manifest.name, version=manifest.version,
                    content_hash=content_hash(root, files, k.content_hash),
                    rules=tuple(sorted(active, key=lambda r: r.id)))
