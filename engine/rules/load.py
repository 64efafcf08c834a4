"""Load `rules/`: one rule per YAML file, validated, cross-checked and compiled.

`load_rulebase` is the one way a rule base is read, by the engine, lint, audit and diff alike: it
loads the knowledge and the report templates it refers to, checks every rule file and collects
every problem (errors and warnings) without raising.  `LoadedRuleBase.require()` gives the
compiled rule base, or raises `RuleBaseError` when any problem is an error.  `setpoint rules
lint` (engine.review.lint) runs the same checks and adds the review policy on top.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import ValidationError

from .. import paths
from ..errors import RuleBaseError, UnsafeYamlError, validation_items
from ..knowledge.load import Knowledge, load_knowledge
from ..leaves import CompileContext, CompiledLeaf, reference_problems
from ..yamlsafe import load_yaml
from .schema import DOMAINS, Rule, RuleBaseManifest, signed_off
from .tree import Node, build, gates

if TYPE_CHECKING:
    from ..render import Renderer

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
    # Leaves whose value alone makes the rule "not fired" (engine.rules.tree.gates), cheapest first.
    gates: tuple[tuple[CompiledLeaf, bool], ...] = ()

    @property
    def id(self) -> str:
        return self.rule.id

    def fact_keys(self) -> list[str]:
        """Every fact the rule (with its escalations) can read, in rule order."""
        return list(dict.fromkeys(leaf.spec.key for n in (self.tree, *self.escalations) for leaf in n.leaves()))


@dataclass(frozen=True)
class RuleBase:
    root: Path
    name: str
    version: str
    content_hash: str
    rules: tuple[LoadedRule, ...]
    manifest: RuleBaseManifest | None = None

    @property
    def without_signoff(self) -> int:
        """Active rules whose clinical content no clinician has signed off (stated in every report)."""
        return sum(not signed_off(r.rule, self.manifest) for r in self.rules)

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
    # `when` and each escalation compiled as far as they go (a leaf that failed has no fact spec).
    trees: tuple[Node, ...] = ()


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


# Cheap facts first: a gate on an active drug class or a condition decides most rules for most patients.
_GATE_COST = {"med_active": 0, "condition": 0, "patient": 0, "patient_unknown": 0}


def _ordered_gates(tree: Node) -> tuple[tuple[CompiledLeaf, bool], ...]:
    return tuple(sorted(gates(tree), key=lambda g: _GATE_COST.get(g[0].spec.family, 1)))


def leaf_nodes(lr: LoadedRule) -> Iterator[Node]:
    """Every leaf node of `when` and of each escalation, in rule order, each with its field path."""
    for n in (lr.tree, *lr.escalations):
        yield from n.leaf_nodes()


def check_rule_file(path: Path, root: Path, k: Knowledge, renderer: Renderer | None = None) -> RuleFile:
    """Read, validate and compile one rule file; every problem found is returned, nothing raises.

    The rule's domain is the first folder under the rules root (rules/<domain>/...)."""
    rel = path.relative_to(root)
    file = rel.as_posix()
    try:
        data = load_yaml(path.read_text(encoding="utf-8"), source=file)
    except UnsafeYamlError as e:
        return RuleFile(rel, None, None, (Problem(file, None, "", str(e).removeprefix(f"{file}: ")),))
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        return RuleFile(rel, None, None, (Problem(file, None, "", f"not valid YAML: {e}"),))
    rid = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else None
    try:
        rule = Rule.model_validate(data)
    except ValidationError as e:
        return RuleFile(rel, None, None, tuple(Problem(file, rid, where, msg) for where, msg in validation_items(e)))
    problems: list[tuple[str, str]] = []
    folder = rel.parts[0] if len(rel.parts) > 1 else None
    if folder not in DOMAINS:
        problems.append(("domain", f"a rule file sits under rules/<domain>/ with domain one of {', '.join(DOMAINS)}"))
    elif rule.domain is not None and rule.domain != folder:
        problems.append(("domain", f"{rule.domain!r} does not match the folder {folder!r}"))
    else:
        prefix = {"hormone": "HR-", "neuro": "NC-", "general": "GN-"}[folder]
        if not rule.id.startswith(prefix):
            problems.append(("id", f"{folder} rules have ids starting {prefix}"))
        rule = rule.model_copy(update={"domain": folder})
    ctx = CompileContext(k)
    tree = build(rule.when, ctx, "when", problems)
    escs = [build(e.when, ctx, f"escalations[{i}].when", problems) for i, e in enumerate(rule.escalations)]
    for n in (tree, *escs):
        for ln in n.leaf_nodes():
            if ln.leaf is not None:
                problems.extend((ln.path, m) for m in reference_problems(ln.leaf, k))
    for i, src in enumerate(rule.references):
        if src not in k.sources:
            problems.append((f"references[{i}]", f"unknown source {src!r}"))
        elif k.sources[src].retracted:
            problems.append((f"references[{i}]", f"source {src!r} is retracted"))
    if renderer is not None:
        bad = renderer.check_message(rule.message)
        if bad:
            problems.append(("message", bad))
    for i, sg in enumerate(rule.suggestions):
        if sg.analyte and sg.analyte not in k.analytes:
            problems.append((f"suggestions[{i}].analyte", f"unknown analyte {sg.analyte!r}"))
    if rule.status != "retired" and rule.severity in ("critical", "high") and not rule.references:
        problems.append(("references", f"{rule.severity} rules must cite a source"))
    found = tuple(Problem(file, rule.id, where, msg) for where, msg in problems)
    trees = (tree, *escs)
    if found or not tree.compiled or not all(e.compiled for e in escs):
        return RuleFile(rel, rule, None, found, trees)
    return RuleFile(rel, rule, LoadedRule(rule, rel, tree, tuple(escs), _ordered_gates(tree)), (), trees)


def read_manifest(root: Path) -> tuple[RuleBaseManifest | None, list[Problem]]:
    try:
        data = load_yaml((root / MANIFEST).read_text(encoding="utf-8"), source=MANIFEST)
    except FileNotFoundError:
        return None, [Problem(MANIFEST, None, "", f"missing in {root} (gives the rule base name and version)")]
    except (yaml.YAMLError, UnsafeYamlError) as e:
        return None, [Problem(MANIFEST, None, "", f"not valid YAML: {e}")]
    try:
        return RuleBaseManifest.model_validate(data), []
    except ValidationError as e:
        return None, [Problem(MANIFEST, None, where, msg) for where, msg in validation_items(e)]


def check_rulebase(root: Path, k: Knowledge, renderer: Renderer | None = None) -> CheckedRuleBase:
    """Every rule file checked; every problem collected (nothing raises for a bad rule base)."""
    root = Path(root)
    manifest, problems = read_manifest(root)
    files_ = rule_files(root) if root.is_dir() else []
    files = [check_rule_file(p, root, k, renderer) for p in files_]
    out = CheckedRuleBase(root, manifest, files, problems, files_)
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
    if not files_:
        out.problems.append(Problem(str(root), None, "", "no rule files found"))
    return out


@dataclass
class LoadedRuleBase:
    """A rule base as read by `load_rulebase`: its knowledge, templates, every file checked, and (when
    it has no errors) the compiled rule base."""

    knowledge: Knowledge
    renderer: Renderer
    checked: CheckedRuleBase
    include_drafts: bool = False

    @property
    def errors(self) -> list[Problem]:
        return self.checked.errors

    def require(self) -> RuleBase:
        """The compiled rule base of active (and, if asked, draft) rules; RuleBaseError naming every error."""
        checked = self.checked
        if checked.errors or checked.manifest is None:
            raise RuleBaseError([str(p) for p in checked.errors])
        active = [r for r in checked.loaded()
                  if r.rule.status == "active" or (self.include_drafts and r.rule.status == "draft")]
        return RuleBase(root=checked.root, name=checked.manifest.name, version=checked.manifest.version,
                        content_hash=content_hash(checked.root, checked.paths, self.knowledge.content_hash),
                        rules=tuple(sorted(active, key=lambda r: r.id)), manifest=checked.manifest)


def load_rulebase(rules: Path | str | None = None, knowledge: Path | str | Knowledge | None = None,
                  reports: Path | str | None = None, include_drafts: bool = False) -> LoadedRuleBase:
    """The one loader: knowledge (a folder, or already loaded), report templates, and every rule file
    checked.  Raises KnowledgeError for bad knowledge; rule problems are collected, not raised."""
    from ..render import Renderer

    k = knowledge if isinstance(knowledge, Knowledge) else load_knowledge(
        Path(knowledge) if knowledge else paths.knowledge_dir())
    renderer = Renderer(Path(reports) if reports else paths.reports_dir(), k)
    checked = check_rulebase(Path(rules) if rules else paths.rules_dir(), k, renderer)
    return LoadedRuleBase(k, renderer, checked, include_drafts)

