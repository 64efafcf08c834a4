"""The durable-rules matcher: the whole rule base compiled once into data-defined rulesets.

durable-rules (unmaintained since 2020) has sharp edges that this module, and
only this module, contains.  What we measured and how each is handled:

* `engine.Host` / `durable.lang` run actions on background threads (segfaults and
  wrong results under load): we drive the compiled extension `durable_rules_engine`
  directly, serialised by a lock.  Use processes for parallelism.
* Session and fact ids are matched by a 32-bit hash: one session per ruleset is
  reused, facts carry explicit ids ("0".."n-1", checked collision-free by the tests)
  and every fact is retracted after each evaluation, so no evaluation's facts
  meet another's.  `delete_state` is never called (it can crash the process when no
  rule fired) and no second session is opened (the 1025th live session fails).
* One fact cannot bind two aliases of one rule, durable's `any` fires once per
  *subset* of satisfied branches (2^n - 1 times, measured), and negation inside one
  batch depends on fact order: conditions are compiled to disjunctive normal form,
  each conjunction is its own `all` rule with every test on one fact merged into one
  pattern, and negation is pushed into the leaves (a "false" outcome is its own
  positive rule over known values), so durable's `any` and `$not` are never used.
* A number compared with a string compares as text, and a missing attribute fails
  every test: facts are typed atoms `{k, s, v}` whose value type is fixed per key;
  unknown facts carry `s: 0` and no value.
* More than 64 distinct tests satisfied by one fact raise error 303, and a ruleset
  holds at most 255 rules (error 108): rules are packed into several rulesets
  within measured budgets, and a rule that cannot fit is rejected at load time.
* A fact over ~250 properties silently truncates its batch: atoms have four.

Each Setpoint rule becomes durable rules `<id>|T|<i>` (conjunction i of the
condition is true), `<id>|F|<i>` (it is definitely false) and `<id>|E<n>|<i>`
(escalation n applies).  When
neither T nor F fires the outcome is "cannot assess".
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.errors import RuleBaseError
from engine.facts.model import FactValue
from engine.facts.spec import Check
from engine.matching.tree import Node, Tri

try:  # durable-rules does not import on every Python (3.13+); the engine falls back to the tree.
    import durable_rules_engine as _dre
except ImportError:  # pragma: no cover - exercised only where durable-rules is unavailable
    _dre = None

MAX_RULES_PER_RULESET = 200  # measured hard limit: 255
MAX_PATTERNS_PER_KEY = 48  # measured hard limit: 64 distinct tests satisfied by one fact
MAX_CONJUNCTIONS = 64  # per rule and polarity, after conversion to DNF

Conj = dict[str, tuple[Check, ...]]


class MatcherError(Exception):
    """durable-rules failed during an evaluation; the engine falls back to the compiled matcher."""


def available() -> bool:
    return _dre is not None


# ------------------------------------------------------------------ compilation


def dnf(node: Node, want: bool) -> list[Conj]:
    if node.op == "leaf":
        assert node.leaf is not None
        t = node.leaf.test if want else node.leaf.test.negated()
        return [{node.leaf.spec.key: (t,)}]
    if node.op == "not":
        return dnf(node.children[0], not want)
    parts = [dnf(ch, want) for ch in node.children]
    conjunctive = (node.op == "all") == want
    if not conjunctive:
        return [c for p in parts for c in p]
    out: list[Conj] = []
    for combo in itertools.product(*parts):
        merged: Conj = {}
        for conj in combo:
            for key, tests in conj.items():
                merged[key] = merged.get(key, ()) + tuple(t for t in tests if t not in merged.get(key, ()))
        out.append(merged)
        if len(out) > MAX_CONJUNCTIONS:
            break
    return out


def _value_test(t: Check) -> dict[str, Any]:
    v = t.value
    match t.op:
        case "==":
            return {"v": v}
        case "!=":
            return {"$neq": {"v": v}}
        case ">":
            return {"$gt": {"v": v}}
        case ">=":
            return {"$gte": {"v": v}}
        case "<":
            return {"$lt": {"v": v}}
        case "<=":
            return {"$lte": {"v": v}}
        case "in":
            return {"$or": [{"v": x} for x in v]}
        case "not in":
            return {"$and": [{"$neq": {"v": x}} for x in v]}
    raise ValueError(t.op)


def pattern(key: str, tests: Sequence[Check]) -> dict[str, Any]:
    return {"$and": [{"k": key}, {"s": 1}, *(_value_test(t) for t in tests)]}


def durable_rule(conj: Conj) -> dict[str, Any]:
    """One conjunction = one durable rule over distinct facts, so it fires at most once."""
    return {"all": [{f"m_{i}": pattern(k, conj[k])} for i, k in enumerate(sorted(conj))]}


@dataclass
class CompiledRule:
    rule_id: str
    durable: dict[str, dict[str, Any]]  # durable rule name -> definition
    patterns: dict[str, set[str]]  # fact key -> distinct pattern texts
    keys: set[str]


def compile_rule(rule_id: str, when: Node, escalations: Sequence[Node]) -> CompiledRule:
    defs: dict[str, dict[str, Any]] = {}
    true_conjs = dnf(when, True)
    variants = [("T", true_conjs), ("F", dnf(when, False))]
    for i, esc in enumerate(escalations):
        esc_conjs = dnf(Node("all", (when, esc)), True)
        variants.append((f"E{i}", esc_conjs))
    patterns: dict[str, set[str]] = {}
    for tag, conjs in variants:
        if len(conjs) > MAX_CONJUNCTIONS:
            raise RuleBaseError([f"{rule_id}: condition too complex for the matcher ({tag}: more than "
                                 f"{MAX_CONJUNCTIONS} alternatives after expansion); simplify 'when'"])
        for i, conj in enumerate(conjs):
            defs[f"{rule_id}|{tag}|{i}"] = durable_rule(conj)
            for key, tests in conj.items():
                patterns.setdefault(key, set()).add(json.dumps(pattern(key, tests), sort_keys=True))
    for key, ps in patterns.items():
        if len(ps) > MAX_PATTERNS_PER_KEY:
            raise RuleBaseError([f"{rule_id}: {len(ps)} distinct tests on fact {key!r} exceed the matcher's "
                                 f"budget of {MAX_PATTERNS_PER_KEY}; split the rule"])
    return CompiledRule(rule_id, defs, patterns, set(patterns))


@dataclass
class _Chunk:
    name: str
    definition: dict[str, dict[str, Any]] = field(default_factory=dict)
    patterns: dict[str, set[str]] = field(default_factory=dict)
    keys: set[str] = field(default_factory=set)
    handle: Any = None

    def fits(self, r: CompiledRule) -> bool:
        if len(self.definition) + len(r.durable) > MAX_RULES_PER_RULESET:
            return False
        return all(len(self.patterns.get(k, set()) | ps) <= MAX_PATTERNS_PER_KEY for k, ps in r.patterns.items())

    def add(self, r: CompiledRule) -> None:
        self.definition.update(r.durable)
        for k, ps in r.patterns.items():
            self.patterns.setdefault(k, set()).update(ps)
        self.keys |= r.keys


# The extension keeps rulesets in process-global tables: names must be unique per process.
_counter = itertools.count()
_counter_lock = threading.Lock()


class DurableMatcher:
    """Holds the compiled rulesets; `match` is serialised by a lock (durable is not thread-safe)."""

    def __init__(self, rules: Sequence[CompiledRule]):
        if _dre is None:  # pragma: no cover
            raise MatcherError("durable-rules is not importable on this Python")
        self._lock = threading.Lock()
        self.chunks: list[_Chunk] = []
        with _counter_lock:
            base = f"setpoint{next(_counter)}"
        for r in rules:
            chunk = next((c for c in self.chunks if c.fits(r)), None)
            if chunk is None:
                chunk = _Chunk(f"{base}_{len(self.chunks)}")
                self.chunks.append(chunk)
            chunk.add(r)
        for c in self.chunks:
            c.handle = self._create(c)

    @staticmethod
    def _create(c: _Chunk) -> Any:
        try:
            return _dre.create_ruleset(c.name, json.dumps(c.definition, sort_keys=True))
        except _dre.error as e:  # pragma: no cover - guarded by the load-time budgets
            raise RuleBaseError([f"durable-rules rejected ruleset {c.name}: {e}"]) from e

    def match(self, facts: Mapping[str, FactValue]) -> dict[str, set[str]]:
        """Rule id -> set of tags that fired (T, F, E0, ...)."""
        fired: dict[str, set[str]] = {}
        with self._lock:
            for c in self.chunks:
                self._match_chunk(c, facts, fired)
        return fired

    def _match_chunk(self, c: _Chunk, facts: Mapping[str, FactValue], fired: dict[str, set[str]]) -> None:
        atoms = []
        for i, key in enumerate(sorted(c.keys)):
            fv = facts[key]
            atom: dict[str, Any] = {"sid": "0", "id": str(i), "k": key, "s": 1 if fv.known else 0}
            if fv.known:
                atom["v"] = fv.value
            atoms.append(atom)
        payload = json.dumps(atoms)
        try:
            code, state = _dre.assert_facts(c.handle, payload)
            try:
                # 0: handled; 1: some atoms matched no pattern (e.g. unknown facts, which carry no value).
                # 2 would mean an id was already observed, i.e. state leaked from an earlier evaluation.
                if code not in (0, 1):
                    raise MatcherError(f"durable-rules answered code {code} on assert")
                result = _dre.start_action_for_state(c.handle, state)
                while result:
                    message = json.loads(result[1])
                    for name in message:
                        rule_id, tag, _ = name.split("|")
                        fired.setdefault(rule_id, set()).add(tag)
                    nxt = _dre.complete_and_start_action(c.handle, state)
                    result = (result[0], nxt) if nxt else None
            finally:
                _dre.retract_facts(c.handle, payload)
        except _dre.error as e:
            # Leave no state behind: rebuild this ruleset so the next evaluation starts clean.
            c.handle = self._create(_Chunk(f"{c.name}r{next(_counter)}", c.definition, c.patterns, c.keys))
            raise MatcherError(f"durable-rules failed: {e}") from e


def outcome_from_tags(tags: set[str]) -> Tri:
    if "T" in tags and "F" in tags:
        raise MatcherError("durable-rules reported a condition both true and false")
    if "T" in tags:
        return True
    if "F" in tags:
        return False
    return None
