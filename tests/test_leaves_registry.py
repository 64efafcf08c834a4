"""The leaf registry: every condition type is one class with its four parts, and the engine only does
the work a patient needs (gates first, other facts on demand)."""

from __future__ import annotations

import inspect

import pytest
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel

from setpoint import Engine
from setpoint.facts.model import EvidenceItem, FactValue
from setpoint.leaves import REGISTRY, Leaf, Phrases, compile_leaf
from setpoint.leaves.base import Leaf as BaseLeaf
from setpoint.matching.tree import supporting_evidence
from setpoint.rules.conditions import Condition
from setpoint.rules.tree import Node

from .conftest import AS_OF

GROUPS = {"medications", "course", "results", "scales_vitals", "patient", "notes_issues"}


def test_every_leaf_has_its_four_parts() -> None:
    assert len(REGISTRY) >= 45
    for key, cls in REGISTRY.items():
        assert issubclass(cls, Leaf) and cls.key == key
        assert issubclass(cls.args_model(), BaseModel), f"{key}: no argument model"
        for part in ("compile", "derive", "phrase"):
            assert getattr(cls, part) is not getattr(BaseLeaf, part), f"{key}: no {part}"
        assert cls.group in GROUPS, f"{key}: group {cls.group!r}"
        assert inspect.getdoc(cls), f"{key}: no docstring saying what it is"


def test_every_leaf_used_by_the_rule_base_speaks_plain_language(engine: Engine) -> None:
    p = Phrases(engine.knowledge)
    seen = set()
    for lr in engine.rulebase.rules:
        for node in (lr.tree, *lr.escalations):
            for n in node.leaf_nodes():
                assert n.source is not None and n.path.startswith(("when", "escalations["))
                yes, no = n.source.phrase(False, p), n.source.phrase(True, p)
                assert yes and no and yes != no, f"{lr.id} {n.path}: {yes!r} / {no!r}"
                assert "VS_" not in yes, f"{lr.id} {n.path}: internal id in {yes!r}"
                seen.add(n.source.key)
    assert len(seen) >= 40


def test_a_second_registration_of_a_key_is_refused() -> None:
    from setpoint.leaves.base import Args

    class DupArgs(Args):
        x: int

    with pytest.raises(TypeError, match="already registered"):
        type("Dup", (Leaf,), {"__annotations__": {"lab": DupArgs}, "group": "results"})


def test_compiled_leaves_keep_their_path(engine: Engine) -> None:
    lr = engine.rulebase.by_id("NC-LI-026")
    paths = [n.path for n in lr.tree.leaf_nodes()]
    assert paths[0] == "when.all[0].med_active" and all(p.startswith("when.") for p in paths)


def test_a_rule_whose_gate_fails_derives_nothing_else(engine: Engine) -> None:
    case = engine.case({"patient": {"sex": "male", "age": 40}}, AS_OF)
    facts = engine.facts(case)
    outcomes, _, _ = engine.outcomes(facts, "compiled")
    lithium = [o for o in outcomes if o.rule.id.startswith("NC-LI-")]
    assert lithium and all(o.outcome is False for o in lithium)
    derived = facts.derived()
    assert "med_active:VS_LITHIUM" in derived
    lithium_only = [k for k in engine.specs if k.startswith("lab_since_med_change:lithium:")]
    assert lithium_only and not any(k in derived for k in lithium_only), "nothing lithium-only looked up"
    assert len(derived) < len(engine.specs) / 2


@pytest.mark.parametrize("matcher", ["durable", "compiled"])
def test_gated_rules_report_the_gate_as_the_reason(engine: Engine, compiled_engine: Engine, matcher: str) -> None:
    eng = engine if matcher == "durable" else compiled_engine
    r = eng.evaluate({"patient": {"sex": "male", "age": 40}}, as_of=AS_OF)
    a = next(a for a in r.assessed if a.rule_id == "NC-LI-026")
    assert a.outcome == "not_fired" and a.reason == "the patient is not taking lithium"  # plain words, no ids


def test_evidence_deduplication_is_linear() -> None:
    """20,000 copies of one record (a 5 MB request) must not take quadratic time."""
    items = tuple(EvidenceItem(label="sertraline", value="50 mg", record=f"MedicationRequest/{i % 3}")
                  for i in range(20_000))
    leaf = compile_leaf(Condition.model_validate({"med_active": "VS_SSRI"}).root,
                        Engine.load(matcher="compiled").knowledge)
    node = Node("leaf", leaf=leaf)
    facts = {leaf.spec.key: FactValue(leaf.spec.key, True, True, items)}
    import time

    t0 = time.perf_counter()
    out = supporting_evidence(node, facts)
    assert len(out) == 3
    assert time.perf_counter() - t0 < 2.0


def test_templates_render_in_a_sandbox(engine: Engine) -> None:
    env = engine.renderer.env
    assert isinstance(env, SandboxedEnvironment)
    with pytest.raises(SecurityError):
        env.from_string("{{ ''.__class__.__mro__[1].__subclasses__() }}").render()


def test_a_rule_message_cannot_use_python_internals(rules_copy) -> None:  # type: ignore[no-untyped-def]
    from setpoint import RuleBaseError

    f = rules_copy / "neuro" / "lithium" / "lithium-with-nsaid.yaml"
    f.write_text(f.read_text().replace("message: |\n", "message: |\n  {{ rule.__class__.__init__ }}\n", 1))
    with pytest.raises(RuleBaseError, match=r"NC-LI-026.*message: uses Python internals"):
        Engine.load(rules=rules_copy, matcher="compiled", cache=False)
