"""Findings as CDS Hooks cards: the shape of the specification's responses, indicators, detail, order."""

from __future__ import annotations

import json
from typing import Any

import pytest

from setpoint import Engine
from setpoint.findings import JUDGMENT
from setpoint.service import hooks
from setpoint.service.cards import OrderContext, cards
from setpoint.service.models import OrderSignContext, PatientViewContext
from setpoint.service.prefetch import gather
from setpoint.severity import Severity

from .conftest import AS_OF
from .fhir_data import SPEC, bundle, med, obs, patient, searchset

LEVOTHYROXINE = med("lt4", None, "Levothyroxine Sodium 0.1 MG Oral Tablet", authoredOn="2024-01-05")
LITHIUM = med("li", None, "Lithium Carbonate 300 MG Oral Capsule", authoredOn="2025-02-01")
TOXIC_LEVEL = obs("li-level", "14334-7", "Lithium", valueQuantity={"value": 1.7, "unit": "mmol/L"})
SPEC_CARD_KEYS = {"uuid", "summary", "detail", "indicator", "source", "suggestions", "selectionBehavior",
                  "overrideReasons", "links", "extension"}


def spec_cards() -> list[dict[str, Any]]:
    return [c for name in ("18_response.json", "19_response.json")
            for c in json.loads((SPEC / name).read_text())["cards"]]


def run(engine: Engine, *resources: dict[str, Any], context: PatientViewContext | None = None) -> list[dict]:
    g = gather({"patient": patient(), "everything": searchset(*resources)})
    ctx = context or PatientViewContext(patientId="p1")
    return hooks.run(engine, g, ctx, AS_OF).cards


@pytest.fixture(scope="module")
def sample(engine: Engine) -> list[dict[str, Any]]:
    return run(engine, LEVOTHYROXINE, LITHIUM, TOXIC_LEVEL)


def test_cards_share_the_shape_of_the_specification_examples(sample: list[dict[str, Any]]) -> None:
    assert sample, "the sample patient raises findings"
    examples = spec_cards()
    for card in sample:
        assert set(card) <= SPEC_CARD_KEYS
        for ex in examples:  # every field the specification's cards carry, we carry with the same JSON type
            for key in ex.keys() & card.keys():
                assert type(card[key]) is type(ex[key]), key
        assert set(card["source"]) <= set(examples[0]["source"]) | {"topic"}
        for link in card.get("links", []):
            assert set(link) <= {"label", "url", "type", "appContext", "autolaunchable"} and link["type"] == "absolute"
        spec_reasons = json.loads((SPEC / "16_overrideReasons.json").read_text())["overrideReasons"]
        assert all(set(r) == set(spec_reasons[0]) for r in card["overrideReasons"])


def test_card_content(engine: Engine, sample: list[dict[str, Any]]) -> None:
    toxic = next(c for c in sample if c["source"]["topic"]["code"] == "NC-LI-019")
    assert toxic["indicator"] == "critical" and len(toxic["summary"]) <= 140
    assert toxic["source"]["label"] == "Setpoint"
    version = next(r.rule.version for r in engine.rulebase.rules if r.id == "NC-LI-019")
    assert toxic["source"]["topic"]["display"] == f"NC-LI-019 v{version} · lithium_toxic"
    assert "Lithium 1.7 mmol/L" in toxic["detail"] and toxic["detail"].endswith(JUDGMENT)
    assert any(link["url"].startswith("https://") for link in toxic["links"])
    tsh = next(c for c in sample if c["source"]["topic"]["code"] == "HR-THY-035")
    assert tsh["indicator"] == "warning"
    action = tsh["suggestions"][0]["actions"][0]
    assert action["type"] == "create" and tsh["suggestions"][0]["isRecommended"] is False
    assert action["resource"]["status"] == "draft" and action["resource"]["intent"] == "proposal"
    assert action["resource"]["code"]["coding"][0]["code"] == "3016-3"
    assert action["resource"]["subject"] == {"reference": "Patient/p1"}


def test_every_card_ends_with_the_judgment_statement_and_says_consider(sample: list[dict[str, Any]]) -> None:
    for card in sample:
        assert card["detail"].endswith(JUDGMENT)
        assert "consider" in card["detail"].lower()
        assert not any(w in card["summary"].lower() for w in ("all clear", "no problems", " safe"))


@pytest.mark.parametrize("severity", ["critical", "high", "moderate", "low", "info"])
def test_indicator_follows_severity(engine: Engine, severity: str) -> None:
    base = engine.evaluate({"patient": {"sex": "female", "age": 40},
                            "results": [{"code": "14334-7", "value": 1.7, "unit": "mmol/L",
                                         "collected": "2026-11-20"}]}, as_of=AS_OF).findings
    finding = base[0].model_copy(update={"severity": severity})
    made, _ = cards(engine, [finding], OrderContext(), None)
    assert made[0]["indicator"] == {"critical": "critical", "high": "warning", "moderate": "warning",
                                    "low": "info", "info": "info"}[severity] == Severity(severity).indicator


def test_findings_raised_by_the_draft_order_lead(engine: Engine) -> None:
    draft = med("draft-nsaid", None, "Ibuprofen 400 MG Oral Tablet", status="draft")
    context = OrderSignContext(patientId="p1", draftOrders=bundle(draft, with_patient=False))
    made = run(engine, LEVOTHYROXINE, LITHIUM, TOXIC_LEVEL, context=context)
    lead = made[0]
    assert lead["source"]["topic"]["code"] == "NC-LI-026", [c["source"]["topic"]["code"] for c in made]
    assert lead["extension"]["setpoint"]["raised_by_order"] is True
    assert lead["detail"].startswith("**Raised by the order being placed.**")
    # The critical lithium level is still shown, after the order's own finding.
    assert any(c["source"]["topic"]["code"] == "NC-LI-019" for c in made[1:])
    assert not any(c["extension"]["setpoint"]["raised_by_order"] for c in made[1:])


def test_same_request_gives_the_same_cards_except_uuids(engine: Engine) -> None:
    cache = hooks.ResultCache()
    g = gather({"patient": patient(), "all": searchset(LITHIUM, TOXIC_LEVEL)})
    key = hooks.ResultCache.key("x", g.entries)
    a = hooks.run(engine, g, PatientViewContext(patientId="p1"), AS_OF, cache, key).cards
    b = hooks.run(engine, g, PatientViewContext(patientId="p1"), AS_OF, cache, key).cards
    assert [c["uuid"] for c in a] != [c["uuid"] for c in b]
    strip = [{k: v for k, v in c.items() if k not in ("uuid", "suggestions")} for c in a]
    assert strip == [{k: v for k, v in c.items() if k not in ("uuid", "suggestions")} for c in b]
