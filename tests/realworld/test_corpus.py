"""The real-world corpus (issue 10 §9): every bundled case written as a clean FHIR twin, then as EHRs write
it (other LOINC codes, local codes with laboratory names, SI units, censored values, time zones east of
UTC, ECG sources, uncoded products).  Each variant must keep every critical and high finding of its clean
twin, give the same findings or a data-quality finding naming the difference, and account for every
Observation it contains (used or reported, never dropped)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine import Engine
from engine.findings import EvaluationResult
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


_cache: dict[Path, tuple[Any, dict[str, Any], EvaluationResult]] = {}


def _clean(engine: Engine, path: Path) -> tuple[Any, dict[str, Any], EvaluationResult]:
    if path not in _cache:
        snap = engine.snapshot(path)
        bundle = twin(snap)
        _cache[path] = (snap, bundle, engine.evaluate(bundle, as_of=snap.as_of))
    return _cache[path]


VARIANTS = [(case, name) for case in CASES for name in TRANSFORMS]


@pytest.mark.parametrize("case, transform", VARIANTS, ids=[f"{c.stem[:2]}-{t}" for c, t in VARIANTS])
def test_variant_keeps_findings_and_drops_nothing(engine: Engine, case: Path, transform: str) -> None:
    snap, clean_bundle, clean = _clean(engine, case)
    variant = TRANSFORMS[transform](engine, clean_bundle, snap.as_of)
    if variant is None:
        pytest.skip(f"{transform}: nothing to vary for {case.stem}")
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
    observations = [e["resource"] for e in variant["entry"] if e["resource"]["resourceType"] == "Observation"
                    and e["resource"]["id"] != "preg"]
    dropped = [o["id"] for o in observations if f"Observation/{o['id']}" not in accounted]
    assert not dropped, f"{case.stem} / {transform}: observations dropped silently: {dropped}"


def test_corpus_has_enough_variants(engine: Engine) -> None:
    made = 0
    for case, name in VARIANTS:
        snap, bundle, _ = _clean(engine, case)
        made += TRANSFORMS[name](engine, bundle, snap.as_of) is not None
    assert made >= 30, made
