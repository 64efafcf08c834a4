"""The durable-rules matcher: the whole rule base compiled once into data-defined rulesets.

durable-rules (unmaintained since 2020) has sharp edges that this module, and
only this module, contains.  What we measured and how each is handled:

* `engine.Host` / `durable.lang` run actions on background threads (segfaults and
  wrong results under load): we drive the compiled extension `durable_rules_engine`
  directly, serialised by a lock.  Use processes for parallelism.
* Session and fact ids are matched by a 32-bit hash: one session per ruleset is
  reused, facts carry explicit ids ("0".."n-1", checked collision-free by the tests)
  and every fact is retracted after each evaluation, so no evaluation's facts
  meet another's.  Facts are retracted only when no action ran: after an action, retraction
  corrupts memory and the session state is deleted instead (see `_clear`; `delete_state` itself
  crashes when no action ever ran).  No second session is opened (the 1025th live session fails).
* One fact cannot bind two aliases of one rule, durable's `any` fires once per
  *subset* of satisfied branches (2^n - 1 times, measured), and negation inside one
  batch depends on fact order: conditions are compiled to disjunctive normal form,
  each conjunction is its own `all` rule with every test on one fact merged into one
  pattern, and negation is pushed into the leaves (a "false" outcome is its own
  positive rule over known values), so durable's `any` and `$not` are never used.
* A number compared with a string compares as text, and a missing attribute fails
  every test: each derived fact is its own durable fact `{<key>: value}` whose value
  type is fixed per key (the key as property name also lets durable index the test,
  measured 5x cheaper than testing a `k` field); an unknown fact is `{<key>~unknown: 1}`.
* More than 64 distinct tests satisfied by one fact raise error 303, and a ruleset
  holds at most 255 rules (error 108): rules are packed into several rulesets
  within measured budgets, and a rule that cannot fit is rejected at load time.
* A fact over ~250 properties silently truncates its batch: atoms have three.

Each Setpoint rule becomes durable rules `<id>|T|<i>` (conjunction i of the
condition is true), `<id>|U|<i>` (it cannot be assessed, by three-valued logic over
facts that are unknown) and `<id>|E<n>|<i>` (escalation n applies).  When neither T
nor U fires, the outcome is "not fired".
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from ..errors import MatcherError, RuleBaseError
from ..facts.model import FactValue
from ..leaves import Check
from ..rules.tree import Node
from .logic3 import MAX_CONJUNCTIONS, Conj3, Constraint, dnf3
from .tree import Tri

try:  # durable-rules does not import on every Python (3.13+); the engine falls back to the tree.
    import durable_rules_engine as _dre
except ImportError:  # pragma: no cover - exercised only where durable-rules is unavailable
    _dre = None

MAX_RULES_PER_RULESET = 80  # hard limit 255; 80 measured fastest once rules are packed by gate
MAX_PATTERNS_PER_KEY = 48  # measured hard limit: 64 tests satisfied by one fact (see compile_rule)
MAX_U_CONJUNCTIONS = 24  # above this, a rule's non-firing variant is compiled as F instead of U

__all__ = ["MAX_CONJUNCTIONS", "DurableMatcher", "MatcherError", "available", "compile_rule"]


def available() -> bool:
    return _dre is not None


# ------------------------------------------------------------------ compilation


def prop(key: str) -> str:
    """A fact key as a durable property name.  Facts carry their key as the property name because
    durable indexes alpha tests by property name: measured 5x cheaper than a `{k: key, v: value}`
    atom tested on `k`.  Dots would be read as nested paths, so they are replaced."""
    return key.replace(".", "_")


def unknown_prop(key: str) -> str:
    return prop(key) + "~unknown"


def _value_test(name: str, t: Check) -> dict[str, Any]:
    v = t.value
    match t.op:
        case "==":
            return {name: v}
        case "!=":
            return {"$neq": {name: v}}
        case ">":
            return {"$gt": {name: v}}
        case ">=":
            return {"$gte": {name: v}}
        case "<":
            return {"$lt": {name: v}}
        case "<=":
            return {"$lte": {name: v}}
        case "in":
            return {"$or": [{name: x} for x in v]}
        case "not in":
            return {"$and": [{"$neq": {name: x}} for x in v]}
    raise ValueError(t.op)


def pattern3(key: str, c: Constraint) -> dict[str, Any]:
    name = prop(key)
    if c.known is None:
        known = None
    elif c.known:
        tests = [_value_test(name, t) for t in c.known]
        known = tests[0] if len(tests) == 1 else {"$and": tests}
    else:
        known = {"$ex": {name: 1}}
    unknown = {unknown_prop(key): 1}
    if not c.unknown_ok:
        assert known is not None
        return known
    return unknown if known is None else {"$or": [unknown, known]}


_BARE_EXPONENT = re.compile(r"(?<=[:\[,\s])(-?\d+)([eE][+-]?\d+)(?=[,}\]\s])")


def _payload(atoms: list[dict[str, Any]]) -> str:
    """The atoms as durable's JSON: orjson (about 5x json's speed here), json for what orjson refuses (an
    integer past 64 bits); exponents given a decimal point only when some value is a float written with one."""
    try:
        text = orjson.dumps(atoms).decode()
    except orjson.JSONEncodeError:
        text = json.dumps(atoms)
    if any(type(v) is float and "e" in repr(v) for a in atoms for v in a.values()):
        return _float_exponents(text)
    return text


def _float_exponents(payload: str) -> str:
    """`1e-05` -> `1.0e-05`: durable-rules' JSON parser reads a number with an exponent but no decimal point
    as an integer (measured: a TSH of 1e-05 compared as 1), so every such float gets a decimal point."""
    return _BARE_EXPONENT.sub(r"\1.0\2", payload) if "e" in payload else payload


def atom(key: str, fv: FactValue, i: int) -> dict[str, Any]:
    """One derived fact as a durable fact: `{<key>: value}`, or `{<key>~unknown: 1}` when unknown."""
    if fv.known:
        return {"sid": "0", "id": str(i), prop(key): fv.value}
    return {"sid": "0", "id": str(i), unknown_prop(key): 1}


def durable_rule(conj: Conj3) -> dict[str, Any]:
    """One conjunction = one durable rule over distinct facts, so it fires at most once."""
    return {"all": [{f"m_{i}": pattern3(k, conj[k])} for i, k in enumerate(sorted(conj))]}


@dataclass
class CompiledRule:
    rule_id: str
    durable: dict[str, dict[str, Any]]  # durable rule name -> definition
    patterns: dict[str, set[str]]  # fact key -> distinct pattern texts
    keys: set[str]
    second: str = "U"  # the matched non-firing outcome: U (cannot assess) or F (not fired)
    constraints: dict[str, set[Constraint]] = field(default_factory=dict)
    # Facts present in every conjunction of every variant, with the rule's constraints on them: when such a
    # fact meets none of them, no durable rule of this rule can fire (exact, not a heuristic).
    gates: tuple[tuple[str, frozenset[Constraint]], ...] = ()

    def live(self, facts: Mapping[str, FactValue]) -> bool:
        return all(any(_accepts(c, facts[k]) for c in cs) for k, cs in self.gates)


def compile_rule(rule_id: str, when: Node, escalations: Sequence[Node]) -> CompiledRule:
    """T (fires) is matched, plus either U (cannot assess) or F (not fired); the third outcome is neither.

    U is preferred: most rules are definitely false for most patients, so U keeps activations rare.
    F is used when U expands to too many alternatives or exceeds the per-fact test budget."""
    unknown = dnf3(when, "U")
    if len(unknown) <= MAX_U_CONJUNCTIONS:
        try:
            return _compile_variants(rule_id, when, escalations, "U", unknown)
        except RuleBaseError:
            pass
    return _compile_variants(rule_id, when, escalations, "F", dnf3(when, "F"))


def _compile_variants(rule_id: str, when: Node, escalations: Sequence[Node], second: str,
                      second_conjs: list[Conj3]) -> CompiledRule:
    defs: dict[str, dict[str, Any]] = {}
    variants = [("T", dnf3(when, "T")), (second, second_conjs)]
    for i, esc in enumerate(escalations):
        variants.append((f"E{i}", dnf3(Node("all", (when, esc)), "T")))
    patterns: dict[str, set[str]] = {}
    constraints: dict[str, set[Constraint]] = {}
    required: set[str] | None = None
    for tag, conjs in variants:
        if len(conjs) > MAX_CONJUNCTIONS:
            raise RuleBaseError([f"{rule_id}: condition too complex for the matcher ({tag}: more than "
                                 f"{MAX_CONJUNCTIONS} alternatives after expansion); simplify 'when'"])
        for i, conj in enumerate(conjs):
            defs[f"{rule_id}|{tag}|{i}"] = durable_rule(conj)
            required = set(conj) if required is None else required & set(conj)
            for key, c in conj.items():
                p = pattern3(key, c)
                # Measured: identical simple tests are shared between rules, but every compound test
                # ($or / $and) is a node of its own, so each counts against the per-fact budget.
                text = json.dumps(p, sort_keys=True)
                compound = "$or" in p or "$and" in p
                patterns.setdefault(key, set()).add(f"{rule_id}|{tag}|{i}:{text}" if compound else text)
                constraints.setdefault(key, set()).add(c)
    for key, ps in patterns.items():
        if len(ps) > MAX_PATTERNS_PER_KEY:
            raise RuleBaseError([f"{rule_id}: {len(ps)} distinct tests on fact {key!r} exceed the matcher's "
                                 f"budget of {MAX_PATTERNS_PER_KEY}; split the rule"])
    gates = tuple((k, frozenset(constraints[k])) for k in sorted(required or ()))
    return CompiledRule(rule_id, defs, patterns, set(patterns), second, constraints, gates)


@dataclass
class _Chunk:
    name: str
    definition: dict[str, dict[str, Any]] = field(default_factory=dict)
    patterns: dict[str, set[str]] = field(default_factory=dict)
    keys: set[str] = field(default_factory=set)
    constraints: dict[str, set[Constraint]] = field(default_factory=dict)
    handle: Any = None
    order: list[str] = field(default_factory=list)
    rules: list[CompiledRule] = field(default_factory=list)
    _admit: dict[str, tuple[bool, frozenset[bool] | None]] = field(default_factory=dict)

    def fits(self, r: CompiledRule) -> bool:
        if len(self.definition) + len(r.durable) > MAX_RULES_PER_RULESET:
            return False
        return all(len(self.patterns.get(k, set()) | ps) <= MAX_PATTERNS_PER_KEY for k, ps in r.patterns.items())

    def add(self, r: CompiledRule) -> None:
        self.rules.append(r)
        self.definition.update(r.durable)
        for k, ps in r.patterns.items():
            self.patterns.setdefault(k, set()).update(ps)
        for k, cs in r.constraints.items():
            self.constraints.setdefault(k, set()).update(cs)
        self.keys |= r.keys
        self.order = []  # computed by `seal` once every rule is in

    def seal(self) -> None:
        self.order = sorted(self.keys)
        self._admit = {k: _admission(cs) for k, cs in self.constraints.items()}

    def admits(self, key: str, fv: FactValue) -> bool:
        """Alpha pre-filter: can this fact satisfy any pattern of this ruleset?  A fact that satisfies none
        can never join an activation, so leaving it out changes no outcome and saves the C engine's work."""
        unknown_ok, bools = self._admit[key]
        if not fv.known:
            return unknown_ok
        return fv.value in bools if bools is not None and isinstance(fv.value, bool) else True


# The extension keeps rulesets in process-global tables: names must be unique per process.
_counter = itertools.count()
_counter_lock = threading.Lock()


class DurableMatcher:
    """Holds the compiled rulesets; `match` is serialised by a lock (durable is not thread-safe)."""

    def __init__(self, rules: Sequence[CompiledRule], pack: Mapping[str, str] | None = None):
        """`pack`: rule id -> the fact its liveness depends on (the engine's first gate); rules sharing it
        go into the same rulesets, so a patient without (say) lithium skips whole rulesets."""
        if _dre is None:  # pragma: no cover
            raise MatcherError("durable-rules is not importable on this Python")
        self._lock = threading.Lock()
        self.clears: Counter[str] = Counter()  # how each ruleset was left clean after a match (see _clear)
        self.second = {r.rule_id: r.second for r in rules}
        self.chunks: list[_Chunk] = []
        with _counter_lock:
            base = f"setpoint{next(_counter)}"
        def key(r: CompiledRule) -> str:
            if pack is not None:
                return pack.get(r.rule_id, "\uffff")
            return r.gates[0][0] if r.gates else "\uffff"

        for r in sorted(rules, key=lambda r: (key(r), r.rule_id)):
            chunk = next((c for c in self.chunks if c.fits(r)), None)
            if chunk is None:
                chunk = _Chunk(f"{base}_{len(self.chunks)}")
                self.chunks.append(chunk)
            chunk.add(r)
        names: dict[str, str] = {}
        for key in {k for r in rules for k in r.keys}:
            other = names.setdefault(prop(key), key)
            if other != key:
                raise RuleBaseError([f"fact keys {key!r} and {other!r} map to the same durable property"])
        for c in self.chunks:
            c.seal()
            c.handle = self._create(c)

    @staticmethod
    def _create(c: _Chunk) -> Any:
        try:
            return _dre.create_ruleset(c.name, _float_exponents(json.dumps(c.definition, sort_keys=True)))
        except _dre.error as e:  # pragma: no cover - guarded by the load-time budgets
            raise RuleBaseError([f"durable-rules rejected ruleset {c.name}: {e}"]) from e

    def outcome(self, rule_id: str, tags: set[str]) -> Tri:
        return outcome_from_tags(tags, self.second[rule_id])

    def match(self, facts: Mapping[str, FactValue], live: Collection[str] | None = None) -> dict[str, set[str]]:
        """Rule id -> set of tags that fired (T, F, E0, ...), for the rules in `live` (default: all).

        Only the facts the live rules of a ruleset use are read (so a lazy mapping derives nothing else)
        and asserted; a ruleset without a live rule is skipped.  Tags of rules outside `live` are dropped."""
        fired: dict[str, set[str]] = {}
        with self._lock:
            for c in self.chunks:
                rules = c.rules if live is None else [r for r in c.rules if r.rule_id in live]
                if rules:
                    self._match_chunk(c, facts, rules, fired)
        if live is not None:
            fired = {rid: tags for rid, tags in fired.items() if rid in live}
        return fired

    def _match_chunk(self, c: _Chunk, facts: Mapping[str, FactValue], rules: list[CompiledRule],
                     fired: dict[str, set[str]]) -> None:
        live = [r for r in rules if r.live(facts)]
        if not live:
            return
        keys = sorted(set().union(*(r.keys for r in live))) if len(live) < len(c.rules) else c.order
        atoms = [atom(key, fv, i) for i, (key, fv) in enumerate((k, facts[k]) for k in keys) if c.admits(key, fv)]
        if not atoms:
            return
        payload = _payload(atoms)
        acted = failed = False
        try:
            try:
                code, state = _dre.assert_facts(c.handle, payload)
                # 0: handled; 1: some atoms matched no pattern (e.g. unknown facts, which carry no value).
                # 2 would mean an id was already observed, i.e. state leaked from an earlier evaluation.
                if code not in (0, 1):
                    raise MatcherError(f"durable-rules answered code {code} on assert")
                result = _dre.start_action_for_state(c.handle, state)
                acted = bool(result)
                while result:
                    message = json.loads(result[1])
                    for name in message:
                        rule_id, tag, _ = name.split("|")
                        fired.setdefault(rule_id, set()).add(tag)
                    nxt = _dre.complete_and_start_action(c.handle, state)
                    result = (result[0], nxt) if nxt else None
            except BaseException:
                failed = True
                raise
            finally:
                self._clear(c, payload, acted=acted, failed=failed)
        except _dre.error as e:
            raise MatcherError(f"durable-rules failed: {e}") from e

    def _clear(self, c: _Chunk, payload: str, *, acted: bool, failed: bool) -> None:
        """Leave the ruleset with no facts for the next evaluation.

        Retracting facts that took part in a completed action corrupts memory in durable-rules 2.0.28
        (measured with valgrind: `deleteMessageFromFrame` reads, and can write, past a frame's message slots,
        because a completed action's frame stays referenced, marked dispatching, while its message count is
        never decremented; the suite then segfaulted in the garbage collector).  So once an action ran, the
        session's whole state is deleted instead (`delete_state` frees every frame and message; the next
        assert starts a new one).  `delete_state` is only safe after an action ran: before, the state's
        action context is uninitialised and freeing it crashes.  With nothing matched, facts are retracted as
        before; after a failure, the ruleset is rebuilt."""
        if failed:
            c.handle = self._create(_Chunk(f"{c.name}r{next(_counter)}", c.definition))
            self.clears["rebuilt"] += 1
        elif acted:
            _dre.delete_state(c.handle, "0")
            self.clears["state_deleted"] += 1
        else:
            _dre.retract_facts(c.handle, payload)
            self.clears["retracted"] += 1


def _admission(cs: set[Constraint]) -> tuple[bool, frozenset[bool] | None]:
    """(unknown facts can match, the boolean values that can match — None for non-boolean facts)."""
    unknown_ok = any(c.unknown_ok for c in cs)
    values = [t.value for c in cs for t in (c.known or ())]
    if not values or not all(isinstance(v, bool) for v in values):
        return unknown_ok, None
    probe = [FactValue("", True, b) for b in (True, False)]
    return unknown_ok, frozenset(p.value for p in probe if any(_accepts(c, p) for c in cs))


def _accepts(c: Constraint, fv: FactValue) -> bool:
    return c.accepts(fv.known, fv.value)


def outcome_from_tags(tags: set[str], second: str = "U") -> Tri:
    """The rule's outcome from the variants that fired; `second` says whether U or F was compiled."""
    if "T" in tags and second in tags:
        raise MatcherError(f"durable-rules reported a condition both true and {second}")
    if "T" in tags:
        return True
    if second in tags:
        return None if second == "U" else False
    return False if second == "U" else None
