"""Load `rules/`: one rule per YAML file, validated, cross-checked and compiled.

`check_rulebase` reads every file and collects every problem (errors and warnings) without
raising; `load_rulebase` raises `RuleBaseError` when any of them is an error.  `setpoint rules
lint` (engine.review.lint) runs the same checks and adds the review policy on top.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ValidationError

from engine.errors import RuleBaseError, validation_items
from engine.facts.spec import CompiledLeaf, compile_leaf
from engine.knowledge.load import Knowledge
from engine.knowledge.models import Specimen
from engine.matching.tree import Node
from engine.rules import conditions as c
from engine.rules.schema import Rule, RuleBaseManifest

MANIFEST = "rulebase.yaml"
SIGNATURE = "MANIFEST.sha256.json"  # written by `setpoint rules manifest`; never read as a rule file
Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One problem in the rule base: the file (relative to the rules root), rule id and field it concerns."""

    file: str
    rule_id: str | None
    field: str
    message: str
    level: Level = "error"
    check: str = "load"  # which check found it (load, review, template, reachability, shadowing, ...)

    def __str__(self) -> str:
        who = f" ({self.rule_id})" if self.rule_id else ""
        where = f" {self.field}:" if self.field else ""
        return f"{self.file}{who}:{where} {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "file": self.file, "rule_id": self.rule_id, "field": self.field,
                "message": self.message, "check": self.check}


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


@dataclass(frozen=True)
class RuleFile:
    """One rule file as read: the rule when it validates, its compiled form when everything resolves."""

    path: Path  # relative to the rules root
    rule: Rule | None
    loaded: LoadedRule | None
    problems: tuple[Problem, ...]


@dataclass
class CheckedRuleBase:
    """Everything `check_rulebase` found: the files, the manifest and every problem."""

    root: Path
    manifest: RuleBaseManifest | None
    files: list[RuleFile]
    problems: list[Problem] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)  # absolute paths of the rule files, sorted

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    def loaded(self) -> list[LoadedRule]:
        """Rules that loaded cleanly, first file wins for a duplicated id."""
        seen: set[str] = set()
        out = []
        for f in self.files:
            if f.loaded is not None and f.loaded.id not in seen:
                seen.add(f.loaded.id)
                out.append(f.loaded)
        return out


def rule_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.yaml")
                  if p.name not in (MANIFEST, SIGNATURE) and not p.name.startswith("."))


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


def leaf_name(leaf: BaseModel) -> str:
    """The key a leaf is written with in YAML (`lab`, `med_active`, ...)."""
    return next(iter(type(leaf).model_fields))


def iter_leaves(cond: c.Condition, path: str = "when") -> Iterator[tuple[str, BaseModel]]:
    """Every leaf of a condition tree with its field path (`when.all[1].lab`), in rule order.

    The order is the order of `Node.leaves()` of the compiled tree."""
    root = cond.root
    if isinstance(root, c.AllOf):
        for i, ch in enumerate(root.all):
            yield from iter_leaves(ch, f"{path}.all[{i}]")
    elif isinstance(root, c.AnyOf):
        for i, ch in enumerate(root.any):
            yield from iter_leaves(ch, f"{path}.any[{i}]")
    elif isinstance(root, c.NotOf):
        yield from iter_leaves(root.not_, f"{path}.not")
    else:
        yield f"{path}.{leaf_name(root)}", root


def _compile(cond: c.Condition, path: str, to_canonical: Callable[..., Any],
             errors: list[tuple[str, str]], leaves: list[tuple[str, CompiledLeaf]]) -> Node | None:
    """`compile_condition` that carries on past a bad leaf, so every bad leaf is reported with its path."""
    root = cond.root
    if isinstance(root, c.AllOf | c.AnyOf):
        op = "all" if isinstance(root, c.AllOf) else "any"
        kids = [_compile(ch, f"{path}.{op}[{i}]", to_canonical, errors, leaves)
                for i, ch in enumerate(getattr(root, op))]
        return None if any(k is None for k in kids) else Node(op, tuple(k for k in kids if k is not None))
    if isinstance(root, c.NotOf):
        kid = _compile(root.not_, f"{path}.not", to_canonical, errors, leaves)
        return None if kid is None else Node("not", (kid,))
    where = f"{path}.{leaf_name(root)}"
    try:
        leaf = compile_leaf(root, to_canonical)
    except ValueError as e:
        errors.append((where, str(e)))
        return None
    leaves.append((where, leaf))
    return Node("leaf", leaf=leaf)


_MED_FAMILIES = ("daily_dose", "days_since_med_change", "lab_since_med_change")
_SPECIMENS = frozenset(get_args(Specimen))


def _leaf_problems(where: str, leaf: CompiledLeaf, k: Knowledge) -> list[tuple[str, str]]:
    out = []
    sets: list[str] = []  # every parameter naming a value set (set, sets, after, ...)
    for _, value in leaf.spec.params:
        for v in value if isinstance(value, tuple) else (value,):
            if isinstance(v, str) and v.startswith("VS_") and v not in sets:
                sets.append(v)
    for sid in sets:
        if sid not in k.med_sets and sid not in k.condition_sets:
            out.append(f"unknown value set {sid!r}")
    fam = leaf.spec.family
    sid = leaf.spec.param("set")
    if fam == "condition" and sid in k.med_sets:
        out.append(f"{sid} is a medication set, used as a condition")
    if (fam.startswith("med") or fam in _MED_FAMILIES) and sid in k.condition_sets:
        out.append(f"{sid} is a condition set, used as a medication")
    if fam == "count_active":
        out.extend(f"{s} is a condition set, used as a medication" for s in sets if s in k.condition_sets)
    if fam == "lab_specimen":
        out.extend(f"unknown specimen {s!r}; expected one of {', '.join(sorted(_SPECIMENS))}"
                   for s in leaf.spec.param("specimens") if s not in _SPECIMENS)
    return [(where, m) for m in out]


def check_rule_file(path: Path, root: Path, k: Knowledge, templates: set[str]) -> RuleFile:
    """Read, validate and compile one rule file; every problem found is returned, nothing raises."""
    rel = path.relative_to(root)
    file = rel.as_posix()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        return RuleFile(rel, None, None, (Problem(file, None, "", f"not valid YAML: {e}"),))
    rid = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else None
    try:
        rule = Rule.model_validate(data)
    except ValidationError as e:
        return RuleFile(rel, None, None, tuple(Problem(file, rid, where, msg) for where, msg in validation_items(e)))
    problems: list[tuple[str, str]] = []
    to_canonical = canonicaliser(k)
    leaves: list[tuple[str, CompiledLeaf]] = []
    tree = _compile(rule.when, "when", to_canonical, problems, leaves)
    escs = [_compile(e.when, f"escalations[{i}].when", to_canonical, problems, leaves)
            for i, e in enumerate(rule.escalations)]
    for where, leaf in leaves:
        problems.extend(_leaf_problems(where, leaf, k))
    for i, src in enumerate(rule.references):
        if src not in k.sources:
            problems.append((f"references[{i}]", f"unknown source {src!r}"))
        elif k.sources[src].retracted:
            problems.append((f"references[{i}]", f"source {src!r} is retracted"))
    if rule.message not in templates:
        problems.append(("message", f"template {rule.message!r} not found under reports/messages/"))
    for i, s in enumerate(rule.suggestions):
        if s.analyte and s.analyte not in k.analytes:
            problems.append((f"suggestions[{i}].analyte", f"unknown analyte {s.analyte!r}"))
    if rule.status != "retired" and rule.severity in ("critical", "high") and not rule.references:
        problems.append(("references", f"{rule.severity} rules must cite a source"))
    found = tuple(Problem(file, rule.id, where, msg) for where, msg in problems)
    if found or tree is None or any(e is None for e in escs):
        return RuleFile(rel, rule, None, found)
    return RuleFile(rel, rule, LoadedRule(rule, rel, tree, tuple(e for e in escs if e is not None)), ())


def load_rule_file(path: Path, root: Path, k: Knowledge, templates: set[str]) -> tuple[LoadedRule | None, list[str]]:
    """One file: the loaded rule, or None and its problems as text."""
    rf = check_rule_file(path, root, k, templates)
    return rf.loaded, [str(p) for p in rf.problems if p.level == "error"]


def read_manifest(root: Path) -> tuple[RuleBaseManifest | None, list[Problem]]:
    try:
        data = yaml.safe_load((root / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, [Problem(MANIFEST, None, "", f"missing in {root} (gives the rule base name and version)")]
    except yaml.YAMLError as e:
        return None, [Problem(MANIFEST, None, "", f"not valid YAML: {e}")]
    try:
        return RuleBaseManifest.model_validate(data), []
    except ValidationError as e:
        return None, [Problem(MANIFEST, None, where, msg) for where, msg in validation_items(e)]


def check_rulebase(root: Path, k: Knowledge, templates: set[str]) -> CheckedRuleBase:
    """Every rule file checked; every problem collected (nothing raises for a bad rule base)."""
    root = Path(root)
    manifest, problems = read_manifest(root)
    paths = rule_files(root) if root.is_dir() else []
    files = [check_rule_file(p, root, k, templates) for p in paths]
    out = CheckedRuleBase(root, manifest, files, problems, paths)
    seen: dict[str, str] = {}
    for f in files:
        out.problems.extend(f.problems)
        if f.rule is None:
            continue
        if f.rule.id in seen:
            out.problems.append(Problem(f.path.as_posix(), f.rule.id, "id",
                                        f"duplicate id, also used by {seen[f.rule.id]}"))
            continue
        seen[f.rule.id] = f.path.as_posix()
    for f in files:
        if f.rule is None:
            continue
        for i, sup in enumerate(f.rule.supersedes):
            if sup not in seen:
                out.problems.append(Problem(f.path.as_posix(), f.rule.id, f"supersedes[{i}]", f"unknown rule {sup!r}"))
    if not paths:
        out.problems.append(Problem(str(root), None, "", "no rule files found"))
    return out


def load_rulebase(root: Path, k: Knowledge, templates: set[str], include_drafts: bool = False) -> RuleBase:
    checked = check_rulebase(root, k, templates)
    if checked.errors or checked.manifest is None:
        raise RuleBaseError([str(p) for p in checked.errors])
    loaded = checked.loaded()
    active = [r for r in loaded if r.rule.status == "active" or (include_drafts and r.rule.status == "draft")]
    return RuleBase(root=checked.root, name=checked.manifest.name, version=checked.manifest.version,
                    content_hash=content_hash(checked.root, checked.paths, k.content_hash),
                    rules=tuple(sorted(active, key=lambda r: r.id)))
