"""Alert fatigue across the whole-patient corpus (examples/patients, one fictional patient per file).

When several rules fire on one problem the most specific leads and the others are grouped under it
(`supersedes`); one drug pair yields one interaction finding; severities stay calibrated (criticals are
few) and every patient's findings are sorted by severity.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations
from pathlib import Path

import pytest
import yaml

from setpoint import Engine
from setpoint.findings import EvaluationResult
from setpoint.severity import rank

ROOT = Path(__file__).resolve().parent.parent
PATIENTS = sorted((ROOT / "examples" / "patients").glob("*.yaml"))


def _snapshot(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def corpus(engine: Engine) -> dict[str, tuple[dict, EvaluationResult]]:
    """Every example patient evaluated as of the date in its file."""
    return {p.name: (snap := _snapshot(p), engine.evaluate(snap)) for p in PATIENTS}


def interaction_pairs(snapshot: dict, result: EvaluationResult) -> Iterator[tuple[str, str, frozenset[str]]]:
    """(rule, rule, shared medication records) for two top-level interaction findings sharing a drug pair."""
    meds = {m["id"] for m in snapshot.get("medications", [])}
    drugs = [(f.rule_id, frozenset(e.record for e in f.evidence if e.record in meds))
             for f in result.findings if f.kind == "interaction" and f.outcome == "fired"]
    for (a, da), (b, db) in combinations(drugs, 2):
        if len(da & db) >= 2:
            yield a, b, da & db


def test_the_corpus_has_at_least_20_patients() -> None:
    assert len(PATIENTS) >= 20, [p.name for p in PATIENTS]


@pytest.mark.parametrize("name", [p.name for p in PATIENTS])
def test_one_drug_pair_yields_one_interaction_finding(name: str, corpus: dict) -> None:
    snapshot, result = corpus[name]
    assert all(m.get("id") for m in snapshot.get("medications", [])), "give every medication an id"
    duplicates = list(interaction_pairs(snapshot, result))
    assert not duplicates, f"top-level interaction findings on the same drug pair: {duplicates}"


@pytest.mark.parametrize("name", [p.name for p in PATIENTS])
def test_findings_are_sorted_by_severity(name: str, corpus: dict) -> None:
    _, result = corpus[name]
    ranks = [rank(f.severity) for f in result.findings]
    assert ranks == sorted(ranks, reverse=True), [(f.rule_id, f.severity) for f in result.findings]


@pytest.mark.parametrize("name", [p.name for p in PATIENTS])
def test_a_grouped_finding_never_outranks_its_lead(name: str, corpus: dict) -> None:
    _, result = corpus[name]
    for f in result.findings:
        for g in f.related:
            assert rank(g.severity) <= rank(f.severity), (
                f"{g.rule_id} ({g.severity}) is grouped under the less severe {f.rule_id} ({f.severity})")


def test_critical_findings_are_a_minority(corpus: dict) -> None:
    severities = [s for _, r in corpus.values()
                  for f in r.findings for s in (f.severity, *(g.severity for g in f.related))]
    critical = severities.count("critical")
    assert critical * 2 < len(severities), f"{critical} of {len(severities)} findings are critical"


def test_the_pair_check_catches_a_duplicate_without_supersedes(rules_copy: Path) -> None:
    """Patient 12 takes phenelzine with dextromethorphan: the MAOI + serotonergic rule and the MAOI +
    sympathomimetic rule both fire on that pair. Without the `supersedes` that group the second under the
    first (NC-SER-001, and NC-SER-002 which would otherwise take it), the check must see two findings."""
    for name in ("maoi-with-serotonergic-drug.yaml", "maoi-washout-violation.yaml"):
        rule = rules_copy / "neuro" / "serotonergic" / name
        data = yaml.safe_load(rule.read_text(encoding="utf-8"))
        data["supersedes"].remove("NC-SER-010")
        rule.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    path = ROOT / "examples" / "patients" / "12-maoi-after-fluoxetine-cough-syrup.yaml"
    snapshot = _snapshot(path)
    result = Engine.load(rules=rules_copy, matcher="compiled").evaluate(snapshot)
    pairs = {(a, b) for a, b, _ in interaction_pairs(snapshot, result)}
    assert pairs == {("NC-SER-001", "NC-SER-010")}
