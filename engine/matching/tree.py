"""The compiled condition trees evaluated with three-valued logic: the second matcher and the explainer.

Outcomes are Kleene truth values: True, False or None ("cannot assess").  The tree is both the
second matcher (`--matcher compiled`) and the explainer of every outcome, whichever matcher
decided it.  Facts are read through a mapping that may derive them on demand (engine.facts.lazy):
with short-circuiting, a rule whose first condition is false needs no other fact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..facts.model import EvidenceItem, FactValue
from ..leaves import CompiledLeaf
from ..rules.tree import Node, Visitor

Tri = bool | None
Values = dict[int, Tri]


def eval_leaf(leaf: CompiledLeaf, facts: Mapping[str, FactValue]) -> Tri:
    fv = facts[leaf.spec.key]
    if not fv.known:
        return None
    return leaf.test.apply(fv.value)


class _Valuate(Visitor[Tri]):
    """Every visited node's value, keyed by node identity.  With `short_circuit`, children after a
    deciding one are not visited (absent from the values), which the explainers allow for."""

    def __init__(self, facts: Mapping[str, FactValue], short_circuit: bool):
        self.facts, self.short, self.out = facts, short_circuit, {}

    def visit_leaf(self, node: Node) -> Tri:
        assert node.leaf is not None
        v = self.out[id(node)] = eval_leaf(node.leaf, self.facts)
        return v

    def visit_not(self, node: Node) -> Tri:
        inner = self.visit(node.children[0])
        v = self.out[id(node)] = None if inner is None else not inner
        return v

    def visit_all(self, node: Node) -> Tri:
        # Kleene: a false child decides `all`, a true child decides `any`.
        decisive = node.op == "any"
        v: Tri = not decisive
        decided = False
        for ch in node.children:
            cv = self.visit(ch)
            if cv is decisive:
                decided = True
                if self.short:
                    break
            elif cv is None:
                v = None
        if decided:
            v = decisive
        self.out[id(node)] = v
        return v

    visit_any = visit_all


def valuate(node: Node, facts: Mapping[str, FactValue], short_circuit: bool = True) -> Values:
    w = _Valuate(facts, short_circuit)
    w.visit(node)
    return w.out


def evaluate(node: Node, facts: Mapping[str, FactValue]) -> Tri:
    return valuate(node, facts)[id(node)]


# ------------------------------------------------------------------ explanation


def outcome_word(v: Tri) -> str:
    return "cannot_assess" if v is None else ("true" if v else "false")


@dataclass(frozen=True)
class Explained:
    op: str
    text: str
    outcome: str
    fact_key: str | None
    fact_value: Any
    fact_unit: str | None
    reason: str | None
    evidence: tuple[EvidenceItem, ...]
    children: tuple[Explained, ...]
    path: str = ""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"op": self.op, "condition": self.text, "outcome": self.outcome, "path": self.path}
        if self.fact_key:
            d["fact"] = {"key": self.fact_key, "value": self.fact_value, "unit": self.fact_unit,
                         "reason": self.reason, "evidence": [e.model_dump(mode="json") for e in self.evidence]}
        if self.children:
            d["children"] = [ch.to_dict() for ch in self.children]
        return d


def explain(node: Node, facts: Mapping[str, FactValue], vals: Values | None = None) -> Explained:
    vals = valuate(node, facts, short_circuit=False) if vals is None else vals
    v = vals[id(node)]
    if node.op == "leaf":
        assert node.leaf is not None
        fv = facts[node.leaf.spec.key]
        return Explained("leaf", node.leaf.describe(), outcome_word(v), fv.key,
                         fv.value if fv.known else None, node.leaf.spec.unit, fv.reason, fv.evidence, (), node.path)
    kids = tuple(explain(ch, facts, vals) for ch in node.children)
    text = {"all": "all of", "any": "any of", "not": "not"}[node.op]
    return Explained(node.op, text, outcome_word(v), None, None, None, None, (), kids, node.path)


def supporting_evidence(node: Node, facts: Mapping[str, FactValue], vals: Values | None = None) -> list[EvidenceItem]:
    """Evidence of the leaves that made a True outcome True, one line per patient record (linear time:
    indexed by record and label, so thousands of copies of one record cost no more than one)."""
    out: list[EvidenceItem] = []
    index: dict[Any, int] = {}
    vals = valuate(node, facts) if vals is None else vals

    def add(e: EvidenceItem) -> None:
        key = ("record", e.record, e.label) if e.record is not None else ("item", e)
        at = index.get(key)
        if at is None:
            index[key] = len(out)
            out.append(e)
        elif out[at].note is None and e.note is not None:
            out[at] = e  # keep the richer item (e.g. the one noting the daily dose)

    def walk(n: Node, want: bool) -> None:
        if vals.get(id(n)) is not want:
            return
        if n.op == "leaf":
            assert n.leaf is not None
            for e in facts[n.leaf.spec.key].evidence:
                add(e)
        elif n.op == "not":
            walk(n.children[0], not want)
        elif (n.op == "all") == want:
            for ch in n.children:
                walk(ch, want)
        else:
            for ch in n.children:
                if vals.get(id(ch)) is want:
                    walk(ch, want)
                    break

    walk(node, True)
    return out


def unknown_leaves(node: Node, facts: Mapping[str, FactValue],
                   vals: Values | None = None) -> list[tuple[CompiledLeaf, FactValue]]:
    """The leaves whose missing data made the outcome 'cannot assess' (only those that matter)."""
    out: list[tuple[CompiledLeaf, FactValue]] = []
    seen: set[str] = set()
    vals = valuate(node, facts) if vals is None else vals

    def walk(n: Node) -> None:
        if id(n) not in vals or vals[id(n)] is not None:
            return
        if n.op == "leaf":
            assert n.leaf is not None
            key = n.leaf.spec.key + "\0" + n.leaf.describe()
            if key not in seen:
                seen.add(key)
                out.append((n.leaf, facts[n.leaf.spec.key]))
            return
        for ch in n.children:
            walk(ch)

    walk(node)
    return out


def first_false(node: Node, facts: Mapping[str, FactValue], vals: Values | None = None) -> CompiledLeaf | None:
    """For a False outcome: one leaf that decided it (the first in rule order)."""
    vals = valuate(node, facts) if vals is None else vals
    if vals.get(id(node)) is not False:
        return None
    if node.op == "leaf":
        return node.leaf
    if node.op == "not":
        return first_true(node.children[0], facts, vals)
    for ch in node.children:
        if vals.get(id(ch)) is False:
            hit = first_false(ch, facts, vals)
            if hit:
                return hit
    return None


def first_true(node: Node, facts: Mapping[str, FactValue], vals: Values | None = None) -> CompiledLeaf | None:
    vals = valuate(node, facts) if vals is None else vals
    if vals.get(id(node)) is not True:
        return None
    if node.op == "leaf":
        return node.leaf
    if node.op == "not":
        return first_false(node.children[0], facts, vals)
    for ch in node.children:
        if vals.get(id(ch)) is True:
            return first_true(ch, facts, vals)
    return None
