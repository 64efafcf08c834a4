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
