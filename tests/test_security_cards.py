"""Card output: patient free text (medication names, observation values and notes) is inert in the
Markdown `detail` -- no images, links, raw HTML or bold "instructions" -- and `links` are http(s) only."""

from __future__ import annotations

import re
from typing import Any

import pytest

from setpoint import Engine
from setpoint.service.cards import OrderContext, cards, web_url
from setpoint.service.markdown import escape, neutralise

from .conftest import AS_OF
from .fhir_data import bundle, med, obs

ATTACK = ("![x](http://evil.example/x.png) <img src=x onerror=alert(1)> **URGENT: double the dose** "
          "[click](javascript:alert(1)) <https://evil.example> __bold__ `code`\n# Heading")


def _cards(engine: Engine, *resources: dict[str, Any]) -> list[dict[str, Any]]:
    result = engine.evaluate(bundle(*resources), as_of=AS_OF)
    made, _ = cards(engine, result.findings, OrderContext(), "Patient/p1")
    return made


def _unescaped(detail: str, pattern: str) -> bool:
    """True when `pattern` occurs in `detail` with its first character not backslash-escaped."""
    return any(m.start() == 0 or detail[m.start() - 1] != "\\" for m in re.finditer(pattern, detail))


def test_free_text_from_a_medication_and_an_observation_is_escaped(engine: Engine) -> None:
    made = _cards(engine, med("li", None, f"Lithium Carbonate 300 MG Oral Capsule {ATTACK}", authoredOn="2025-06-01"),
                  obs("li-x", "14334-7", "Lithium", valueString=f"pending {ATTACK}"))
    details = [c["detail"] for c in made if "evil" in c["detail"]]
    assert details, [c["detail"] for c in made]
    for d in details:
        assert not _unescaped(d, re.escape("![")), d  # no image
        assert not _unescaped(d, re.escape("](")), d  # no inline link
        assert not _unescaped(d, "<"), d  # no raw HTML, no autolink
        assert not _unescaped(d, re.escape("**URGENT")), d  # no bold in the rule base's voice
        assert "javascript:" not in d and "http://evil" not in d and "\n# Heading" not in d
        assert d.endswith("who knows the patient and decides.")  # the rule's own Markdown is untouched
    assert "Lithium Carbonate 300 MG Oral Capsule" in details[0]  # still readable


def test_the_rule_bases_own_markdown_is_kept(engine: Engine) -> None:
    made = _cards(engine, med("li", None, "Lithium Carbonate 300 MG Oral Capsule", authoredOn="2025-06-01"),
                  obs("li-level", "14334-7", "Lithium", valueQuantity={"value": 1.9, "unit": "mmol/L"}))
    assert made and all("**Based on:**" in c["detail"] for c in made if "Based on" in c["detail"])
    assert all(link["url"].startswith(("https://", "http://")) for c in made for link in c.get("links", []))


@pytest.mark.parametrize(("url", "ok"), [
    ("https://www.nice.org.uk/guidance/cg185", True), ("http://example.org/x", True),
    ("javascript:alert(1)", False), ("data:text/html,<script>", False), ("file:///etc/passwd", False),
    ("https://user@evil.example/", False), ("//evil.example/x", False), ("", False),
])
def test_card_links_are_http_or_https_only(url: str, ok: bool) -> None:
    assert web_url(url) is ok


def test_escape_and_neutralise() -> None:
    assert escape("a*b_c\nd") == "a\\*b\\_c d"
    assert neutralise("see ![i](x) and [l](javascript:x) <b>") == "see \\![i]\\(x) and [l]\\(javascript\\:x) \\<b>"
