"""Every neurochemistry and cross-cutting rule message advises ("consider"), cites, defers, and never reassures."""

from __future__ import annotations

import re

import pytest

from setpoint import Engine
from setpoint.findings import JUDGMENT

from .conftest import AS_OF

FORBIDDEN = re.compile(r"\bsafe\b|\bsafer\b|\bno problems?\b|\ball clear\b|\bnothing (is )?wrong\b", re.IGNORECASE)
ORDERS = re.compile(r"(^|\. )(Stop|Start|Withhold|Give|Prescribe|Reduce|Switch|Check|Obtain|Repeat)\b")


def _rules(engine: Engine) -> list[str]:
    return [r.id for r in engine.rulebase.rules
            if (r.rule.catalogue_id or "").startswith("N") or r.rule.catalogue_id in ("G01", "G03", "G04")]


def test_every_neuro_catalogue_rule_is_present(engine: Engine) -> None:
    ids = {r.rule.catalogue_id for r in engine.rulebase.rules if r.rule.catalogue_id}
    wanted = {f"N{n:02d}" for n in range(1, 57) if n not in (50, 51, 52)} | {"N06b", "N26b", "N26c", "N26d",
                                                                            "G01", "G03", "G04"}
    assert wanted <= ids, sorted(wanted - ids)


@pytest.mark.parametrize("severity", ["critical", "info"])
def test_messages_advise_cite_and_defer(engine: Engine, severity: str) -> None:
    case = engine.case({"patient": {"sex": "female", "age": 50}}, AS_OF)
    for rid in _rules(engine):
        lr = engine.rulebase.by_id(rid)
        text = engine.renderer.message(lr, [], case, severity, "an escalation reason")
        assert "onsider" in text, rid
        assert text.rstrip().endswith(JUDGMENT), rid
        assert not FORBIDDEN.search(text), rid
        assert not ORDERS.search(text), f"{rid} reads as an order: {ORDERS.search(text)}"
        if lr.rule.references:
            assert all(s in text for s in lr.rule.references), rid
        if severity == "info" and lr.rule.severity != "info":
            assert "Severity lowered to info" in text, rid


def test_summaries_advise(engine: Engine) -> None:
    for rid in _rules(engine):
        rule = engine.rulebase.by_id(rid).rule
        assert len(rule.summary) <= 140
        assert "onsider" in rule.summary or rule.kind == "data_quality", rid
        assert not FORBIDDEN.search(rule.summary), rid
        assert all(s.label.startswith("Consider") for s in rule.suggestions), rid
