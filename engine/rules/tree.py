"""Compiled condition trees and the one walker over them.

`build` turns a rule's `when:` (the pydantic `Condition`) into a `Node` tree once, at load time;
every node keeps its field path (`when.all[1].lab`) and every leaf its compiled fact spec and test.
Everything else that walks a condition — the three-valued matcher and explainer, the disjunctive
normal form used by durable-rules and by lint, coverage pairing and the plain-language rendering —
is a `Visitor` over these nodes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from ..leaves import CompileContext, CompiledLeaf, Leaf
from . import conditions as c

T = TypeVar("T")
Op = Literal["all", "any", "not", "leaf"]


@dataclass(frozen=True, eq=False)
class Node:
    """One node of a compiled condition.  Leaves carry `leaf` (None when the leaf failed to compile,
    e.g. an unknown analyte: then only `source` is known) and the leaf as written (`source`)."""

    op: Op
    children: tuple[Node, ...] = ()
    leaf: CompiledLeaf | None = None
    path: str = ""
    source: Leaf | None = None

    def leaves(self) -> list[CompiledLeaf]:
        return [n.leaf for n in self.leaf_nodes() if n.leaf is not None]

    def leaf_nodes(self) -> list[Node]:
        return LeafNodes().visit(self)

    @property
    def compiled(self) -> bool:
        return all(n.leaf is not None for n in self.leaf_nodes())


class Visitor(Generic[T]):
    """Dispatches on the node's operator to `visit_all`, `visit_any`, `visit_not` or `visit_leaf`.

    Extra positional arguments travel down with the visit (the three-valued mode of the DNF, the
    negation of the plain-language rendering, ...); each method decides how to recurse."""

    def visit(self, node: Node, *args: Any) -> T:
        table = self.__dict__.get("_table")
        if table is None:  # bound methods looked up once per visitor, not once per node
            table = self.__dict__["_table"] = {op: getattr(self, name) for op, name in _METHOD.items()}
        return table[node.op](node, *args)

    def visit_all(self, node: Node, *args: Any) -> T:
        raise NotImplementedError

    def visit_any(self, node: Node, *args: Any) -> T:
        raise NotImplementedError

    def visit_not(self, node: Node, *args: Any) -> T:
        raise NotImplementedError

    def visit_leaf(self, node: Node, *args: Any) -> T:
        raise NotImplementedError


_METHOD = {"all": "visit_all", "any": "visit_any", "not": "visit_not", "leaf": "visit_leaf"}


class LeafNodes(Visitor[list[Node]]):
    """Every leaf node in rule order."""

    def visit_all(self, node: Node) -> list[Node]:
        return [x for ch in node.children for x in self.visit(ch)]

    visit_any = visit_all
    visit_not = visit_all

    def visit_leaf(self, node: Node) -> list[Node]:
        return [node]


def build(cond: c.Condition, ctx: CompileContext, path: str = "when",
          errors: list[tuple[str, str]] | None = None) -> Node:
    """Compile a condition; every leaf that fails to compile is recorded in `errors` with its path
    (the node is kept, with `leaf=None`, so that reviewers still see the rule in plain language)."""
    errs = errors if errors is not None else []
    root = cond.root
    if isinstance(root, c.AllOf | c.AnyOf):
        op: Op = "all" if isinstance(root, c.AllOf) else "any"
        kids = tuple(build(ch, ctx, f"{path}.{op}[{i}]", errs) for i, ch in enumerate(getattr(root, op)))
        return Node(op, kids, path=path)
    if isinstance(root, c.NotOf):
        return Node("not", (build(root.not_, ctx, f"{path}.not", errs),), path=path)
    assert isinstance(root, Leaf)
    where = f"{path}.{root.key}"
    try:
        leaf = root.compile(ctx)
    except ValueError as e:
        errs.append((where, str(e)))
        return Node("leaf", path=where, source=root)
    return Node("leaf", leaf=leaf, path=where, source=root)


def gates(node: Node) -> tuple[tuple[CompiledLeaf, bool], ...]:
    """Leaves whose value alone can make the whole condition false: (leaf, the value that does).

    The root leaf, or the leaf children (and negated leaf children) of a root `all`.  When such a
    leaf's fact has that value, the rule is "not fired" without any other fact being needed."""
    if node.op == "leaf":
        return ((node.leaf, False),) if node.leaf else ()
    if node.op == "not" and node.children[0].op == "leaf" and node.children[0].leaf:
        return ((node.children[0].leaf, True),)
    if node.op != "all":
        return ()
    out: list[tuple[CompiledLeaf, bool]] = []
    for ch in node.children:
        if ch.op == "leaf" and ch.leaf is not None:
            out.append((ch.leaf, False))
        elif ch.op == "not" and ch.children[0].op == "leaf" and ch.children[0].leaf is not None:
            out.append((ch.children[0].leaf, True))
    return tuple(out)
