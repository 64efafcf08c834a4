"""A rule's conditions in plain language, for reviewers who do not read YAML.

Rendered from the compiled condition tree (engine.rules.tree) with each leaf's own phrase (every
leaf class in engine.leaves writes itself and its negation) and the titles of value sets and
analytes from the knowledge base, e.g. "the patient is taking systemic estrogen (MHT) AND the patient
has a diagnosis of breast cancer (any status)".  `sentence` gives one line; `outline` a nested list.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..leaves import Leaf
from ..leaves import Phrases as _Phrases
from ..rules.tree import Node, Visitor


class Phrases(_Phrases):
    def leaf(self, leaf: Leaf, negated: bool = False) -> str:
        """One leaf, or its negation, as a sentence fragment."""
        return leaf.phrase(negated, self)


@dataclass(frozen=True)
class Outline:
    """A plain-language tree: `text` is the connective ("all of", "any of", "none of") or the leaf."""

    text: str
    children: tuple[Outline, ...] = ()


def _source(node: Node) -> Leaf:
    assert node.source is not None
    return node.source


class _Sentence(Visitor[str]):
    """The whole condition on one line: AND / OR, parenthesised where nested; NOT pushed into the leaves
    by De Morgan (NOT (a AND b) = (NOT a) OR (NOT b))."""

    def __init__(self, p: Phrases):
        self.p = p

    def visit_leaf(self, node: Node, negated: bool, top: bool) -> str:
        return self.p.leaf(_source(node), negated)

    def visit_not(self, node: Node, negated: bool, top: bool) -> str:
        return self.visit(node.children[0], not negated, top)

    def visit_all(self, node: Node, negated: bool, top: bool) -> str:
        joiner = " AND " if (node.op == "all") != negated else " OR "
        text = joiner.join(self.visit(ch, negated, False) for ch in node.children)
        return text if top or len(node.children) == 1 else f"({text})"

    visit_any = visit_all


class _Outline(Visitor[Outline]):
    def __init__(self, p: Phrases):
        self.p = p

    def visit_leaf(self, node: Node) -> Outline:
        return Outline(self.p.leaf(_source(node)))

    def visit_all(self, node: Node) -> Outline:
        return Outline(f"{node.op} of:", tuple(self.visit(ch) for ch in node.children))

    visit_any = visit_all

    def visit_not(self, node: Node) -> Outline:
        inner = node.children[0]
        if inner.op == "any":
            return Outline("none of:", tuple(self.visit(ch) for ch in inner.children))
        if inner.op == "all":
            return Outline("not all of:", tuple(self.visit(ch) for ch in inner.children))
        if inner.op == "not":
            return self.visit(inner.children[0])
        return Outline(self.p.leaf(_source(inner), True))


def sentence(node: Node, p: Phrases, negated: bool = False) -> str:
    return _Sentence(p).visit(node, negated, True)


def outline(node: Node, p: Phrases) -> Outline:
    return _Outline(p).visit(node)


def outline_lines(o: Outline, depth: int = 0) -> list[str]:
    """The outline as indented Markdown bullets."""
    out = [f"{'  ' * depth}- {o.text}"]
    for ch in o.children:
        out.extend(outline_lines(ch, depth + 1))
    return out
