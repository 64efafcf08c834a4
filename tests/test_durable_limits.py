"""The durable-rules edges we contain, measured against the real extension."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from setpoint.core import Engine
from setpoint.errors import RuleBaseError
from setpoint.facts.model import FactValue
from setpoint.leaves import Check, CompiledLeaf, FactSpec
from setpoint.matching import durable
from setpoint.rules.tree import Node

dre = pytest.importorskip("durable_rules_engine")


def leaf(key: str, op: str, value: object) -> Node:
    return Node("leaf", leaf=CompiledLeaf(FactSpec(key, "number", "lab", (), key), Check(op, value), None))


def test_fact_ids_used_per_evaluation_do_not_collide() -> None:
    # Ids are matched by a 32-bit hash: the ids we reuse ("0".."n-1") must stay distinct.
    n = 3000
    rs = dre.create_ruleset("idprobe", json.dumps({"r": {"all": [{"m": {"k": "x"}}]}}))
    facts = [{"sid": "0", "id": str(i), "k": "x"} for i in range(n)]
    _, state = dre.assert_facts(rs, json.dumps(facts))
    count = 0
    res = dre.start_action_for_state(rs, state)
    while res:
        count += 1
        nxt = dre.complete_and_start_action(rs, state)
        res = (res[0], nxt) if nxt else None
    assert count == n


def test_same_fact_in_two_tests_of_one_rule_is_merged() -> None:
    # Measured: durable will not bind one fact to two aliases; the compiler merges tests per fact.
    node = Node("all", (leaf("age", ">", 60.0), leaf("age", "<", 80.0)))
    m = durable.DurableMatcher([durable.compile_rule("HR-AAA-001", node, [])])
    fired = m.match({"age": FactValue("age", True, 70.0)})
    assert fired == {"HR-AAA-001": {"T"}}
    assert m.match({"age": FactValue("age", True, 85.0)}) == {}
    # An unknown age matches the rule's "cannot assess" variant, never its firing one.
    assert m.match({"age": FactValue("age", False)}) == {"HR-AAA-001": {"U"}}


def test_cannot_assess_follows_three_valued_logic() -> None:
    # all(a > 1, b > 1): a false child decides "not fired" even when the other is unknown.
    node = Node("all", (leaf("a", ">", 1.0), leaf("b", ">", 1.0)))
    m = durable.DurableMatcher([durable.compile_rule("HR-AAA-003", node, [])])
    assert m.match({"a": FactValue("a", True, 0.0), "b": FactValue("b", False)}) == {}
    assert m.match({"a": FactValue("a", True, 5.0), "b": FactValue("b", False)}) == {"HR-AAA-003": {"U"}}
    # any(a > 1, b > 1): a true child decides "fired" even when the other is unknown.
    node = Node("any", (leaf("a", ">", 1.0), leaf("b", ">", 1.0)))
    m = durable.DurableMatcher([durable.compile_rule("HR-AAA-004", node, [])])
    assert m.match({"a": FactValue("a", True, 5.0), "b": FactValue("b", False)}) == {"HR-AAA-004": {"T"}}
    tags = m.match({"a": FactValue("a", True, 0.0), "b": FactValue("b", False)}).get("HR-AAA-004", set())
    assert m.outcome("HR-AAA-004", tags) is None
    tags = m.match({"a": FactValue("a", True, 0.0), "b": FactValue("b", True, 0.0)}).get("HR-AAA-004", set())
    assert m.outcome("HR-AAA-004", tags) is False


def test_rules_are_packed_within_the_per_ruleset_limit() -> None:
    rules = [durable.compile_rule(f"HR-AAA-{i:03d}", leaf(f"k{i}", ">", 1.0), []) for i in range(150)]
    m = durable.DurableMatcher(rules)
    assert len(m.chunks) >= 2
    assert all(len(c.definition) <= durable.MAX_RULES_PER_RULESET for c in m.chunks)
    facts = {f"k{i}": FactValue(f"k{i}", True, 2.0) for i in range(150)}
    assert len(m.match(facts)) == 150


def test_many_distinct_thresholds_on_one_fact_are_spread_over_rulesets() -> None:
    # More than 64 distinct tests satisfied by one fact raise error 303 inside one ruleset.
    rules = [durable.compile_rule(f"HR-AAA-{i:03d}", leaf("age", ">", float(i)), []) for i in range(80)]
    m = durable.DurableMatcher(rules)
    assert len(m.chunks) >= 2
    fired = m.match({"age": FactValue("age", True, 1000.0)})
    assert len(fired) == 80 and all(t == {"T"} for t in fired.values())


def test_overly_complex_rule_is_rejected_at_load() -> None:
    node = Node("all", tuple(Node("any", (leaf(f"a{i}", ">", 1.0), leaf(f"b{i}", ">", 1.0))) for i in range(8)))
    with pytest.raises(RuleBaseError, match="too complex"):
        durable.compile_rule("HR-AAA-001", node, [])


def test_types_are_kept_apart_number_vs_text() -> None:
    # A number compared with a string compares as text in durable: facts carry typed values only.
    node = leaf("v", ">", 9.0)
    m = durable.DurableMatcher([durable.compile_rule("HR-AAA-002", node, [])])
    assert m.match({"v": FactValue("v", True, 10.0)}) == {"HR-AAA-002": {"T"}}


def test_compound_tests_count_one_each_against_the_per_fact_budget() -> None:
    # Measured: 65 rules each holding the same `$or` test on one fact raise error 303 in one ruleset,
    # because compound tests are not shared.  The packer must spread such rules over rulesets.
    rules = [
        durable.compile_rule(f"HR-AAA-{i:03d}", Node("all", (leaf("x", ">", 1.0), leaf(f"y{i}", ">", 1.0))), [])
        for i in range(70)
    ]
    m = durable.DurableMatcher(rules)
    assert len(m.chunks) >= 2
    facts = {"x": FactValue("x", False), **{f"y{i}": FactValue(f"y{i}", True, 5.0) for i in range(70)}}
    fired = m.match(facts)
    assert len(fired) == 70 and all(m.outcome(r, t) is None for r, t in fired.items())


def test_valuation_short_circuit_matches_full_kleene_evaluation() -> None:
    from itertools import product

    from setpoint.matching.tree import evaluate, valuate

    node = Node("all", (leaf("a", ">", 1.0), Node("any", (leaf("b", ">", 1.0), leaf("c", ">", 1.0))),
                        Node("not", (leaf("d", ">", 1.0),))))
    states = [FactValue("", True, 5.0), FactValue("", True, 0.0), FactValue("", False)]
    for combo in product(states, repeat=4):
        facts = {k: FactValue(k, fv.known, fv.value) for k, fv in zip("abcd", combo, strict=True)}
        expected = evaluate(node, facts)
        assert valuate(node, facts)[id(node)] is expected
        assert valuate(node, facts, short_circuit=False)[id(node)] is expected


def test_facts_of_an_action_are_never_retracted() -> None:
    """durable-rules 2.0.28 corrupts memory when facts that took part in a completed action are retracted
    (valgrind: reads and writes past a frame in deleteMessageFromFrame; the process later segfaulted in the
    garbage collector).  After an action the session state is deleted; with nothing matched, facts are
    retracted; either way the next evaluation starts clean."""
    node = Node("all", (leaf("age", ">", 60.0), leaf("weight", ">", 50.0)))  # two facts in one action frame
    m = durable.DurableMatcher([durable.compile_rule("HR-AAA-001", node, [])])
    assert m.match({"age": FactValue("age", True, 30.0), "weight": FactValue("weight", True, 40.0)}) == {}
    for i in range(50):  # fire, clear, fire again: the same answer every time, no state carried over
        fired = m.match({"age": FactValue("age", True, 61.0 + i), "weight": FactValue("weight", True, 70.0)})
        assert fired == {"HR-AAA-001": {"T"}}
        assert m.match({"age": FactValue("age", True, 30.0), "weight": FactValue("weight", True, 70.0)}) == {}
    assert m.clears["state_deleted"] == 50 and m.clears["rebuilt"] == 0


def test_repeated_evaluations_that_fire_keep_their_answer(engine: Engine) -> None:
    """The case that crashed the suite (a testosterone injection level with hematocrit 51 %, where all 16
    false-variants of NC-SER-002 fire in one ruleset): repeated with full collections in between, the same
    findings every time."""
    import gc
    from datetime import date

    case = json.loads((Path(__file__).parent / "data" / "durable_retraction_case.json").read_text(encoding="utf-8"))
    seen = set()
    for _ in range(30):
        r = engine.evaluate(case, as_of=date(2026, 11, 21))
        seen.add(tuple(sorted((f.rule_id, f.outcome) for f in r.findings)))
        gc.collect()
    assert seen == {(("HR-TST-017", "cannot_assess"), ("HR-TST-026", "fired"))}
