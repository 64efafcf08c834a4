"""A Bundle's bytes read by engine.fhir.skim (unused resources left as stubs) map exactly as the whole
document parsed: same snapshot (input counts included) and same findings, on every Synthea record, the
CDS Hooks examples and every variant of the real-world corpus; and anything unusual falls back to the
whole parse, so errors keep their messages."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from setpoint import Engine
from setpoint.errors import SnapshotError
from setpoint.fhir import skim
from setpoint.fhir.light import CONTAINED_READ
from setpoint.fhir.mapper import ORDER
from tests.fhir_data import SYNTHEA
from tests.realworld import test_corpus as corpus
from tests.test_fhir_fast_path import SPEC_BUNDLES

AS_OF = date(2026, 11, 21)


@pytest.fixture(scope="module")
def eng() -> Engine:
    return corpus._ENGINE


def assert_same(eng: Engine, doc: dict[str, Any], label: str, as_of: date = AS_OF) -> None:
    data = orjson.dumps(doc)
    skimmed = skim.read_bundle(data)
    assert skimmed is not None, label
    whole = eng.snapshot(doc)
    assert eng.snapshot(data) == whole, f"{label}: the skimmed bytes map differently"
    a = [f.model_dump(mode="json") for f in eng.evaluate(data, as_of=as_of).findings]
    b = [f.model_dump(mode="json") for f in eng.evaluate(doc, as_of=as_of).findings]
    assert a == b, f"{label}: findings differ"


@pytest.mark.parametrize("path", sorted(SYNTHEA.glob("*.json")), ids=lambda p: p.name.split("_")[0])
def test_synthea_records_map_identically(eng: Engine, path: Path) -> None:
    doc = json.loads(path.read_bytes())
    assert_same(eng, doc, path.name)
    skimmed = skim.read_bundle(path.read_bytes())
    assert skimmed is not None
    kept = [e["resource"] for e in skimmed["entry"] if e["resource"]["resourceType"] in skim.USED_TYPES]
    stubs = [e["resource"] for e in skimmed["entry"] if e["resource"]["resourceType"] not in skim.USED_TYPES]
    assert kept and stubs, "a Synthea record has both used and unused resources"
    assert all(set(s) <= {"resourceType", "id"} for s in stubs)


@pytest.mark.parametrize("name, doc", SPEC_BUNDLES, ids=[n for n, _ in SPEC_BUNDLES])
def test_cds_hooks_examples_map_identically(eng: Engine, name: str, doc: dict[str, Any]) -> None:
    assert_same(eng, doc, name)


def test_realworld_corpus_maps_identically(eng: Engine) -> None:
    for case, transform, variant in corpus.VARIANTS:
        snap, _, _ = corpus.CLEAN[case]
        assert_same(eng, variant, f"{case.stem}/{transform}", snap.as_of or AS_OF)


def test_every_type_the_mapper_reads_is_parsed_whole() -> None:
    assert {*ORDER, *CONTAINED_READ, "Bundle"} <= skim.USED_TYPES


def test_a_nested_bundle_and_unusual_ids_are_kept(eng: Engine) -> None:
    inner = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
        "resourceType": "Condition", "id": "c1", "subject": {"reference": "Patient/p"},
        "code": {"text": "bipolar disorder"}, "clinicalStatus": {"coding": [{"code": "active"}]}}}]}
    doc = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": "urn:uuid:p", "resource": {"resourceType": "Patient", "id": "p", "gender": "female",
                                               "birthDate": "1980-01-01"}},
        {"resource": inner},
        {"resource": {"resourceType": "Encounter", "id": 7}},  # an id that is not a string: named by place
        {"resource": {"resourceType": "Claim"}},  # no id at all
        {"request": {"method": "DELETE", "url": "Observation/x"}}]}  # an entry without a resource
    assert_same(eng, doc, "nested")
    snap = eng.snapshot(orjson.dumps(doc))
    assert snap.input is not None and snap.input.by_type["Encounter"].not_relevant == 1
    assert snap.input.by_type["Claim"].not_relevant == 1
    assert [c.id for c in snap.conditions] == ["Condition/c1"]


@pytest.mark.parametrize("data", [
    b'{"resourceType": "Patient", "id": "p"}',  # not a Bundle
    b'{"resourceType": "Bundle", "type": "collection", "entry": {"resource": {}}}',  # entry not a list
    b'{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": null}]}',
    b'{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": "Patient/p"}]}',
    b'{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Encounter",]}',
    b'{"resourceType": "Bundle", "type": "collection"}',  # no entries: the whole parse says what it says
])
def test_anything_unusual_is_left_to_the_whole_parse(data: bytes) -> None:
    assert skim.read_bundle(data) is None


def test_errors_keep_their_messages(eng: Engine) -> None:
    bad = b'{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": "Patient/p"}]}'
    with pytest.raises(SnapshotError) as e:
        eng.snapshot(bad)
    assert "Bundle.entry[0].resource: must be a FHIR resource" in str(e.value)
    with pytest.raises(SnapshotError) as e:
        eng.snapshot(b'{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": ]}')
    assert "not valid JSON (line 1" in str(e.value)


# ------------------------------------------------------------------ generated Bundles
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_TYPES = ["Patient", "Observation", "Condition", "MedicationRequest", "Medication", "Encounter", "Claim",
          "Basic", "Bundle", "OperationOutcome", "Specimen", "ExplanationOfBenefit"]
_IDS = st.one_of(st.none(), st.sampled_from(["a", "b", " p ", "", "x1"]), st.integers(-3, 3), st.booleans())


@st.composite
def _resource(draw: st.DrawFn, depth: int = 0) -> Any:
    if draw(st.integers(0, 20)) == 0:  # now and then not a resource at all
        return draw(st.one_of(st.none(), st.text(max_size=5), st.integers(-5, 5),
                              st.lists(st.integers(0, 3), max_size=2)))
    rtype = draw(st.one_of(st.sampled_from(_TYPES), st.none(), st.integers(0, 2)))
    r: dict[str, Any] = {} if rtype is None else {"resourceType": rtype}
    rid = draw(_IDS)
    if rid is not None or draw(st.booleans()):
        r["id"] = rid
    if rtype == "Bundle" and depth < 2:
        r["type"] = draw(st.sampled_from(["collection", "searchset", "bogus"]))
        r["entry"] = draw(st.lists(_entry(depth + 1), max_size=3))
    elif rtype == "Patient":
        r.update(gender=draw(st.sampled_from(["female", "male", "other"])), birthDate="1970-01-01")
    elif rtype == "Observation":
        r.update(status="final", code={"coding": [{"system": "http://loinc.org", "code": "14334-7"}]},
                 effectiveDateTime="2026-11-01", valueQuantity={"value": draw(st.floats(0, 3)), "unit": "mmol/L"})
    elif rtype == "Encounter":
        r["period"] = {"start": "2026-01-01"}
    return r


@st.composite
def _entry(draw: st.DrawFn, depth: int = 0) -> Any:
    e: dict[str, Any] = {}
    if draw(st.booleans()):
        e["fullUrl"] = draw(st.one_of(st.sampled_from(["urn:uuid:1", "Patient/a", "http://x/Encounter/b"]),
                                      st.integers(-5, 5)))
    if draw(st.integers(0, 6)):
        e["resource"] = draw(_resource(depth))
    if draw(st.integers(0, 5)) == 0:
        e["request"] = {"method": "POST", "url": "Observation"}
    return e


def _outcome(eng: Engine, doc: Any) -> Any:
    try:
        return eng.snapshot(doc)
    except SnapshotError as e:
        return f"SnapshotError: {e}"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_entry(), max_size=6), st.sampled_from(["collection", "searchset", "bogus"]))
def test_generated_bundles_read_alike(eng: Engine, entries: list[Any], btype: str) -> None:
    """Any Bundle, well formed or not: the bytes (skimmed, or parsed whole when unusual) and the parsed
    document give the same snapshot, or the same error."""
    doc = {"resourceType": "Bundle", "type": btype, "entry": entries}
    data = orjson.dumps(doc)
    assert _outcome(eng, data) == _outcome(eng, orjson.loads(data))
