"""The real-world corpus (issue 10 §9): every bundled case written as a clean FHIR twin, then as EHRs write
it (other LOINC codes, local codes with laboratory names, SI units, censored values, time zones east of
UTC, ECG sources, uncoded products).  Each variant must keep every critical and high finding of its clean
twin, give the same findings or a data-quality finding naming the difference, and account for every
Observation it contains (used or reported, never dropped)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from setpoint import Engine
from setpoint.findings import EvaluationResult
from tests.realworld.twin import twin
from tests.realworld.variants import TRANSFORMS

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted((ROOT / "examples" / "patients").glob("*.yaml"))
# Findings about the form of the data (unreadable records, fractions, units) differ with the form by design.
FORM_RULES = {"GN-DQ-001", "GN-DQ-004", "GN-DQ-010"}
READ_FAILURES = {"GN-DQ-001", "GN-DQ-010"}


def _fired(result: EvaluationResult) -> dict[str, str]:
    """Every fired rule (grouped ones included) -> its severity."""
    out: dict[str, str] = {}
    for f in result.findings:
        if f.outcome == "fired":
            out[f.rule_id] = f.severity
        for r in f.related:
            if r.outcome == "fired":
                out[r.rule_id] = r.severity
    return out


_ENGINE = Engine.load()  # the variants are made once, at collection, so that only real variants are listed


def _clean(path: Path) -> tuple[Any, dict[str, Any], EvaluationResult]:
    snap = _ENGINE.snapshot(path)
    bundle = twin(snap)
    return snap, bundle, _ENGINE.evaluate(bundle, as_of=snap.as_of)


CLEAN = {case: _clean(case) for case in CASES}
VARIANTS = [(case, name, variant) for case in CASES for name, make in TRANSFORMS.items()
            if (variant := make(_ENGINE, CLEAN[case][1], CLEAN[case][0].as_of)) is not None]


@pytest.mark.parametrize("case, transform, variant", VARIANTS, ids=[f"{c.stem[:2]}-{t}" for c, t, _ in VARIANTS])
def test_variant_keeps_findings_and_drops_nothing(engine: Engine, case: Path, transform: str,
                                                 variant: dict[str, Any]) -> None:
    snap, _, clean = CLEAN[case]
    result = engine.evaluate(variant, as_of=snap.as_of)
    before, after = _fired(clean), _fired(result)
    lost = {rid for rid, sev in before.items() if sev in ("critical", "high") and rid not in after}
    assert not lost, f"{case.stem} / {transform}: critical or high findings lost: {sorted(lost)}"
    diff = (set(before) ^ set(after)) - FORM_RULES
    if diff:
        named = [e.record for f in result.findings if f.rule_id in READ_FAILURES for e in f.evidence if e.record]
        assert named, f"{case.stem} / {transform}: findings differ {sorted(diff)} with no data-quality finding"
    mapped = engine.snapshot(variant)
    accounted = {r.id for r in mapped.results} | {i.source for i in mapped.data_issues}
    # Results entered in error are withdrawn by the laboratory: counted as not relevant, never used.
    observations = [e["resource"] for e in variant["entry"] if e["resource"]["resourceType"] == "Observation"
                    and e["resource"]["id"] != "preg" and e["resource"]["status"] != "entered-in-error"]
    dropped = [o["id"] for o in observations if f"Observation/{o['id']}" not in accounted]
    assert not dropped, f"{case.stem} / {transform}: observations dropped silently: {dropped}"
    counts = result.input
    assert counts is not None and counts.format == "fhir"
    assert counts.read == counts.used + counts.not_readable + counts.not_relevant == len(
        {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in variant["entry"]})


def test_corpus_has_enough_variants() -> None:
    assert len(VARIANTS) >= 30, len(VARIANTS)
    assert {t for _, t, _ in VARIANTS} == set(TRANSFORMS)
