"""The clinician's report as a busy clinician reads it (issue 14, item 3): summary first, then the findings,
"Could not assess", presumptions; the judgment statement and the sources once; plain words, no internal ids;
readable evidence; the rules that did not fire only with --all."""

from __future__ import annotations

import html
import re

import pytest

from setpoint import Engine
from setpoint.facts.model import EvidenceItem
from setpoint.findings import JUDGMENT
from setpoint.report_view import evidence_text, markdown_html
from setpoint.service.cards import OrderContext, cards

from .conftest import AS_OF, ROOT
from .test_cli import run

EXAMPLE = ROOT / "examples" / "perimenopause-and-lithium.yaml"
INTERNAL = re.compile(r"\bVS_[A-Z0-9_]+|not met: |\bnot_fired\b|\bcannot_assess\b")


@pytest.fixture(scope="module")
def demo(engine_module: Engine):
    return engine_module.evaluate(EXAMPLE, as_of=AS_OF)


@pytest.fixture(scope="module")
def engine_module() -> Engine:
    return Engine.load()


@pytest.mark.parametrize(("fmt", "headings"), [
    ("text", ["SUMMARY", "FINDINGS", "COULD NOT ASSESS", "REFERENCES"]),
    ("markdown", ["## Summary", "## Findings", "## Could not assess", "## References"]),
    ("html", ['id="h-summary"', 'id="h-findings"', 'id="h-cannot"', 'id="h-refs"']),
])
def test_sections_in_the_order_a_clinician_reads_them(engine_module: Engine, demo, fmt: str,
                                                      headings: list[str]) -> None:
    out = engine_module.renderer.report(demo, fmt)
    at = [out.index(h) for h in headings]
    assert at == sorted(at), (fmt, at)
    # the most severe finding is first in the summary and in the findings
    first = demo.findings[0]
    assert first.severity == "critical" and out.index(first.title) < out.index(demo.findings[-1].title)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_judgment_once_sources_once_no_internal_ids(engine_module: Engine, demo, fmt: str) -> None:
    out = engine_module.renderer.report(demo, fmt)
    assert out.count(JUDGMENT) == 1, fmt
    assert "Sources: SRC-" not in out and "[SRC-" not in out  # numbered references, not ids per finding
    lithium_source = next(c.citation for f in demo.findings if f.rule_id == "NC-LI-019" for c in f.citations)
    assert html.unescape(out).count(lithium_source) == 1  # cited by two findings, listed once
    assert not INTERNAL.search(out), INTERNAL.search(out)
    for a in demo.assessed:  # not fired rules only with --all
        if a.outcome == "not_fired":
            assert a.title not in out


def test_all_lists_the_rules_that_did_not_fire_in_plain_words() -> None:
    p = run("evaluate", str(EXAMPLE), "--as-of", "2026-11-21", "--all")
    assert p.returncode == 0, p.stderr
    assert "NOT FIRED" in p.stdout and "(--all lists them)" not in p.stdout
    line = next(x for x in p.stdout.splitlines() if x.strip().startswith("HR-TST-016"))
    assert "the patient" in line and "VS_" not in line, line
    short = run("evaluate", str(EXAMPLE), "--as-of", "2026-11-21")
    assert "NOT FIRED" not in short.stdout and "HR-TST-016" not in short.stdout
    assert len(short.stdout.splitlines()) < 230  # was about 400 lines


def test_could_not_assess_names_what_is_missing_for_the_toxic_lithium_level(engine_module: Engine, demo) -> None:
    out = engine_module.renderer.report(demo, "text")
    section = out[out.index("COULD NOT ASSESS"):]
    assert "no Estimated glomerular filtration rate (eGFR) result on record" in section
    assert "no Sodium result on record" in section


def test_readable_evidence(engine_module: Engine, demo) -> None:
    out = engine_module.renderer.report(demo, "text")
    assert "lithium carbonate 400 mg twice daily, oral (2021-05-10)" in out
    assert "PHQ-9 item 9: 1 (several days) (2026-11-18)" in out
    assert "400 mg 400 mg" not in out and "item9" not in out
    k = engine_module.knowledge
    levo = EvidenceItem(label="levothyroxine 75 mcg", value="75 ug daily")
    assert evidence_text(levo, k) == "levothyroxine 75 mcg daily"
    assert evidence_text(EvidenceItem(label="PHQ-9 total", value=14), k) == "PHQ-9 total: 14 (moderate)"


def test_html_renders_markdown_safely_and_is_responsive_and_printable(engine_module: Engine, demo) -> None:
    page = engine_module.renderer.report(demo, "html")
    assert '<meta name="viewport"' in page and "@media print" in page and "@media (max-width" in page
    assert "<p>A lithium level of 1.5 mmol/L" in page  # the message is rendered, not shown as raw Markdown
    out = markdown_html("**b** <script>x</script> [x](javascript:alert(1)) [ok](https://example.org)")
    assert "<strong>b</strong>" in out and "<script>" not in out and 'href="javascript' not in out
    assert '<a href="https://example.org">ok</a>' in out


def test_card_detail_says_the_judgment_once_and_cites_once(engine_module: Engine, demo) -> None:
    made, _ = cards(engine_module, demo.findings, OrderContext(), "Patient/p1")
    for c in made:
        assert c["detail"].count(JUDGMENT) == 1 and c["detail"].endswith(JUDGMENT)
        assert c["detail"].count("sources:") <= 1 and "Sources: SRC" not in c["detail"]
    toxic = next(c for c in made if c["source"]["topic"]["code"] == "NC-LI-019")
    assert "twice daily" in toxic["detail"]


def test_patient_free_text_stays_inert_in_the_markdown_and_html_reports(engine_module: Engine) -> None:
    from .test_security_cards import ATTACK, _unescaped

    data = {"patient": {"sex": "female", "age": 50},
            "medications": [{"name": f"lithium carbonate {ATTACK}", "start": "2025-01-01"}],
            "results": [{"code": "14334-7", "value": 1.9, "unit": "mmol/L", "collected": "2026-11-20"}]}
    result = engine_module.evaluate(data, as_of=AS_OF)
    page = engine_module.renderer.report(result, "html")
    assert "evil.example" in page  # shown, as text
    assert "<img" not in page and 'href="http://evil' not in page and 'href="javascript' not in page
    assert "<strong>URGENT" not in page
    md = engine_module.renderer.report(result, "markdown")
    assert "evil.example" in md
    assert not _unescaped(md, re.escape("![")) and not _unescaped(md, re.escape("**URGENT"))
