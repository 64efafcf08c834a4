"""Three-valued (Kleene) disjunctive normal form of a condition tree.

`dnf3(node, mode)` lists the conjunctions under which the condition has outcome `mode`: T (true),
F (false), U (cannot assess), NF (true or cannot assess) or NT (false or cannot assess).  Each
conjunction maps a fact key to a `Constraint`: whether the fact may be unknown, and the tests a
known value must pass.  Negation is pushed into the leaves.  The durable-rules matcher compiles
these conjunctions into rules; the reviewer's logic (`engine.review.logic`) reasons over them.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from ..leaves import Check
from ..rules.tree import Node, Visitor

MAX_CONJUNCTIONS = 64  # per rule and polarity, after conversion to DNF

Conj = dict[str, tuple[Check, ...]]


@dataclass(frozen=True)
class Constraint:
    """What one fact may be in a conjunction: unknown (if `unknown_ok`) and/or known passing `known`.

    `known` None means a known value is not allowed; () means any known value is."""

    unknown_ok: bool
    known: tuple[Check, ...] | None

    def meet(self, other: Constraint) -> Constraint | None:
        u = self.unknown_ok and other.unknown_ok
        k = None if self.known is None or other.known is None else (
            self.known + tuple(t for t in other.known if t not in self.known))
        return None if not u and k is None else Constraint(u, k)

    def accepts(self, known: bool, value: object) -> bool:
        if not known:
            return self.unknown_ok
        return self.known is not None and all(t.apply(value) for t in self.known)


Conj3 = dict[str, Constraint]
_NEG = {"T": "F", "F": "T", "NF": "NT", "NT": "NF", "U": "U"}


def _product(parts: Sequence[list[Conj3]]) -> list[Conj3]:
    out: list[Conj3] = []
    for combo in itertools.product(*parts):
        merged: Conj3 | None = {}
        for conj in combo:
            assert merged is not None
            for key, c in conj.items():
                prev = merged.get(key)
                c2 = c if prev is None else prev.meet(c)
                if c2 is None:
                    merged = None
                    break
                merged[key] = c2
            if merged is None:
                break
        if merged is not None and merged not in out:
            out.append(merged)
        if len(out) > MAX_CONJUNCTIONS:
            break
    return out


class DNF3(Visitor[list[Conj3]]):
    def visit_leaf(self, node: Node, mode: str) -> list[Conj3]:
        assert node.leaf is not None, f"{node.path} did not compile"
        t, key = node.leaf.test, node.leaf.spec.key
        return [{key: {
            "T": Constraint(False, (t,)), "F": Constraint(False, (t.negated(),)), "U": Constraint(True, None),
            "NF": Constraint(True, (t,)), "NT": Constraint(True, (t.negated(),)),
        }[mode]}]

    def visit_not(self, node: Node, mode: str) -> list[Conj3]:
        return self.visit(node.children[0], _NEG[mode])

    def visit_all(self, node: Node, mode: str) -> list[Conj3]:
        return self._junction(node, mode)

    def visit_any(self, node: Node, mode: str) -> list[Conj3]:
        return self._junction(node, mode)

    def _junction(self, node: Node, mode: str) -> list[Conj3]:
        kids = node.children
        if mode == "U":
            # One child cannot be assessed and no other child decides the node
            # (no false child for `all`, no true child for `any`).
            others = "NF" if node.op == "all" else "NT"
            out: list[Conj3] = []
            for i, ch in enumerate(kids):
                parts = [self.visit(ch, "U")] + [self.visit(o, others) for j, o in enumerate(kids) if j != i]
                out.extend(c for c in _product(parts) if c not in out)
                if len(out) > MAX_CONJUNCTIONS:
                    break
            return out
        if (node.op, mode) in {("all", "T"), ("all", "NF"), ("any", "F"), ("any", "NT")}:
            return _product([self.visit(ch, mode) for ch in kids])
        out = []
        for ch in kids:
            out.extend(c for c in self.visit(ch, mode) if c not in out)
        return out


_DNF3 = DNF3()


def dnf3(node: Node, mode: str) -> list[Conj3]:
    """Disjunctive normal form of "node has outcome `mode`" under three-valued (Kleene) logic."""
    return _DNF3.visit(node, mode)


def dnf(node: Node, want: bool) -> list[Conj]:
    """Two-valued DNF over known values (the reviewer's logic): dnf3's T or F mode, tests only."""
    return [{key: c.known or () for key, c in conj.items()} for conj in dnf3(node, "T" if want else "F")]
