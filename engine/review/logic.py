"""Reasoning over conditions: contradictions (a rule that can never fire) and shadowing.

Conditions are expanded to disjunctive normal form with the matcher's own `dnf`
(engine.matching.logic3): a list of conjunctions, each mapping a derived fact (its key, e.g.
`patient:age`) to the tests it must pass.  Negation is already pushed into the tests.

* A conjunction is *satisfiable* when, for every fact, some value of the fact's type passes all
  of its tests.  The tests compare with finitely many constants, so it suffices to try each
  constant, a point between each pair of neighbouring constants and one beyond either end
  (numbers are treated as real numbers); `true`/`false` for booleans; each constant and one
  other string for text.  Small and exact, so no solver library is needed.
* A rule *can never fire* when no conjunction of its `when` is satisfiable.
* Conjunction A *implies* conjunction B when every fact B tests is tested by A too and A's tests
  on it leave no value that fails one of B's.  Rule A *is shadowed by* rule B when every
  satisfiable conjunction of A implies some conjunction of B: whenever A fires, B fires.

The reasoning is per fact: two facts are never related (a value set that contains another, a
120-day window that contains a 90-day one, or `sex == male` with `pregnant == true` are not
known to it).  Contradictions and shadowing it reports are real; it can miss subtler ones.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from ..leaves import Check
from ..matching.logic3 import MAX_CONJUNCTIONS, Conj, dnf
from ..rules.tree import Node

_OTHER = "\x00another value"
_FLIP = {"==": "!=", "!=": "==", ">": "<=", ">=": "<", "<": ">=", "<=": ">", "in": "not in", "not in": "in"}


def _passes(t: Check, x: Any) -> bool:
    return t.apply(x)


def negate(t: Check) -> Check:
    return Check(_FLIP[t.op], t.value)


def _constants(tests: Sequence[Check]) -> list[Any]:
    out: list[Any] = []
    for t in tests:
        out.extend(t.value if isinstance(t.value, tuple) else (t.value,))
    return out


def _candidates(tests: Sequence[Check], ftype: str) -> list[Any]:
    if ftype == "bool":
        return [True, False]
    consts = _constants(tests)
    if ftype == "string" or any(isinstance(c, str) for c in consts):
        return [*dict.fromkeys(consts), _OTHER]
    nums = sorted({float(c) for c in consts if not isinstance(c, bool)})
    if not nums:
        return [0.0]
    out = [nums[0] - 1.0, *nums, nums[-1] + 1.0]
    out += [(a + b) / 2 for a, b in itertools.pairwise(nums)]
    return out


def satisfiable(tests: Sequence[Check], ftype: str) -> bool:
    """Whether some value of type `ftype` passes every test."""
    return any(all(_passes(t, x) for t in tests) for x in _candidates(tests, ftype))


def conj_satisfiable(conj: Conj, types: Mapping[str, str]) -> bool:
    return all(satisfiable(tests, types[key]) for key, tests in conj.items())


def contradiction(conj: Conj, types: Mapping[str, str]) -> tuple[str, tuple[Check, ...]] | None:
    """The first fact whose tests no value can pass, with those tests."""
    for key, tests in conj.items():
        if not satisfiable(tests, types[key]):
            return key, tests
    return None


def implies(a: Conj, b: Conj, types: Mapping[str, str]) -> bool:
    """Every value assignment that passes `a` passes `b`."""
    for key, tests in b.items():
        if key not in a:
            return False
        for t in tests:
            if satisfiable((*a[key], negate(t)), types[key]):
                return False
    return True


def fact_types(*nodes: Node) -> dict[str, str]:
    return {leaf.spec.key: leaf.spec.type for n in nodes for leaf in n.leaves()}


def alternatives(node: Node, want: bool = True) -> list[Conj] | None:
    """The DNF of `node` (or of its negation), or None when it is too large to reason about."""
    conjs = dnf(node, want)
    return None if len(conjs) > MAX_CONJUNCTIONS else conjs


def never(node: Node, want: bool = True) -> list[tuple[str, tuple[Check, ...]]] | None:
    """When `node` can never be `want`: one contradiction per alternative; None when it can (or is too large)."""
    conjs = alternatives(node, want)
    if conjs is None:
        return None
    types = fact_types(node)
    found = [contradiction(c, types) for c in conjs]
    if any(f is None for f in found):
        return None
    return [f for f in found if f is not None]


def shadowed_by(a: Node, b: Node) -> bool:
    """Whenever `a` is true, `b` is true (and `a` can be true at all)."""
    ca, cb = alternatives(a), alternatives(b)
    if ca is None or cb is None:
        return False
    types = fact_types(a, b)
    live = [c for c in ca if conj_satisfiable(c, types)]
    return bool(live) and all(any(implies(x, y, types) for y in cb) for x in live)


def describe_tests(key: str, tests: Sequence[Check]) -> str:
    return f"{key} " + " and ".join(t.text() for t in tests)
