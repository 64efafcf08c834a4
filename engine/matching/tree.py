"""Rules compiled into plain Python condition trees, evaluated with three-valued logic.

Outcomes are Kleene truth values: True, False or None ("cannot assess").  The
tree is both the second matcher (`--matcher compiled`) and the explainer of every
outcome, whichever matcher decided it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from engine.facts.model import EvidenceItem, FactValue
from engine.facts.spec import CompiledLeaf, compile_leaf
from engine.rules import conditions as c

Tri = bool | None


@dataclass(frozen=True)
class Node:
    op: Literal["all", "any", "not", "leaf"]
    children: tuple[Node, ...] = ()
    leaf: CompiledLeaf | None = None

    def leaves(self) -> list[CompiledLeaf]:
        if self.leaf is not None:
            return [self.leaf]
        return [lf for ch in self.children for lf in ch.leaves()]


def compile_condition(cond: c.Condition, to_canonical: Callable[..., Any]) -> Node:
    root = cond.root
    if isinstance(root, c.AllOf):
        return Node("all", tuple(compile_condition(ch, to_canonical) for ch in root.all))
    if isinstance(root, c.AnyOf):
        return Node("any", tuple(compile_condition(ch, to_canonical) for ch in root.any))
    if isinstance(root, c.NotOf):
        return Node("not", (compile_condition(root.not_, to_canonical),))
    return Node("leaf", leaf=compile_leaf(root, to_canonical))


def eval_leaf(leaf: CompiledLeaf, facts: Mapping[str, FactValue]) -> Tri:
    fv = facts[leaf.spec.key]
    if not fv.known:
        return None
    return leaf.test.apply(fv.value)


def evaluate(node: Node, facts: Mapping[str, FactValue]) -> Tri:
    if node.op == "leaf":
        assert node.leaf is not None
        return eval_leaf(node.leaf, facts)
    if node.op == "not":
        v = evaluate(node.children[0], facts)
        return None if v is None else not v
    values = [evaluate(ch, facts) for ch in node.children]
    if node.op == "all":
        if any(v is False for v in values):
            return False
        return True if all(v is True for v in values) else None
    if any(v is True for v in values):
        return True
    return False if all(v is False for v in values) else None


def valuate(node: Node, facts: Mapping[str, FactValue], short_circuit: bool = True) -> dict[int, Tri]:
    """Node values in one pass (keyed by node identity), so explanations stay linear.  With
    `short_circuit`, children after a deciding one are not visited (and absent from the result)."""
    out: dict[int, Tri] = {}

    def walk(n: Node) -> Tri:
        if n.op == "leaf":
            assert n.leaf is not None
            v = eval_leaf(n.leaf, facts)
        elif n.op == "not":
            inner = walk(n.children[0])
            v = None if inner is None else not inner
        else:
            # Kleene short-circuit: a false child decides `all`, a true child decides `any`; later
            # children are left unvisited (absent from the result), which the explainers allow for.
            decisive = n.op == "any"  # a true child decides `any`, a false child decides `all`
            v = not decisive
            decided = False
            for ch in n.children:
                cv = walk(ch)
                if cv is decisive:
                    decided = True
                    if short_circuit:
                        break
                elif cv is None:
                    v = None
            if decided:
                v = decisive
        out[id(n)] = v
        return v

    walk(node)
    return out


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

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"op": self.op, "condition": self.text, "outcome": self.outcome}
        if self.fact_key:
            d["fact"] = {"key": self.fact_key, "value": self.fact_value, "unit": self.fact_unit,
                         "reason": self.reason, "evidence": [e.model_dump(mode="json") for e in self.evidence]}
        if self.children:
            d["children"] = [ch.to_dict() for ch in self.children]
        return d


def explain(node: Node, facts: Mapping[str, FactValue], vals: dict[int, Tri] | None = None) -> Explained:
    vals = valuate(node, facts, short_circuit=False) if vals is None else vals
    v = vals[id(node)]
    if node.op == "leaf":
        assert node.leaf is not None
        fv = facts[node.leaf.spec.key]
        return Explained("leaf", node.leaf.describe(), outcome_word(v), fv.key,
                         fv.value if fv.known else None, node.leaf.spec.unit, fv.reason, fv.evidence, ())
    kids = tuple(explain(ch, facts, vals) for ch in node.children)
    text = {"all": "all of", "any": "any of", "not": "not"}[node.op]
    return Explained(node.op, text, outcome_word(v), None, None, None, None, (), kids)


def supporting_evidence(node: Node, facts: Mapping[str, FactValue],
                        vals: dict[int, Tri] | None = None) -> list[EvidenceItem]:
    """Evidence of the leaves that made a True outcome True (dedup, in rule order)."""
    out: list[EvidenceItem] = []
    vals = valuate(node, facts) if vals is None else vals

    def add(e: EvidenceItem) -> None:
        # One line per patient record: keep the richer item (e.g. the one noting the daily dose).
        for i, seen in enumerate(out):
            if e == seen or (e.record is not None and e.record == seen.record and e.label == seen.label):
                if seen.note is None and e.note is not None:
                    out[i] = e
                return
        out.append(e)

    def walk(n: Node, want: bool) -> None:
        v = vals.get(id(n))
        if v is not want:
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
                   vals: dict[int, Tri] | None = None) -> list[tuple[CompiledLeaf, FactValue]]:
    """The leaves whose missing data made the outcome 'cannot assess' (only those that matter)."""
    out: list[tuple[CompiledLeaf, FactValue]] = []
    vals = valuate(node, facts) if vals is None else vals

    def walk(n: Node) -> None:
        if id(n) not in vals or vals[id(n)] is not None:
            return
        if n.op == "leaf":
            assert n.leaf is not None
            pair = (n.leaf, facts[n.leaf.spec.key])
            if pair not in out:
                out.append(pair)
            return
        for ch in n.children:
            walk(ch)

    walk(node)
    return out


def first_false(node: Node, facts: Mapping[str, FactValue], vals: dict[int, Tri] | None = None) -> CompiledLeaf | None:
    """For a False outcome: one leaf that decided it (the first in rule order)."""
    vals = valuate(node, facts) if vals is None else vals
    if vals[id(node)] is not False:
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


def first_true(node: Node, facts: Mapping[str, FactValue], vals: dict[int, Tri] | None = None) -> CompiledLeaf | None:
    vals = valuate(node, facts) if vals is None else vals
    if vals[id(node)] is not True:
        return None
    if node.op == "leaf":
        return node.leaf
    if node.op == "not":
        return first_false(node.children[0], facts, vals)
    for ch in node.children:
        if vals.get(id(ch)) is True:
            return first_true(ch, facts, vals)
    return None
