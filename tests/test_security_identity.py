"""Patient identity: a resource is used for the patient only when its subject resolves to that patient.
Subjects written another way (another id behind a version, a trailing slash, lower case, a Group, an
unresolved urn:uuid, an identifier) are reported on GN-DQ-010 and never used; two different Patients
in one request are refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from setpoint import Engine
from setpoint.errors import SnapshotError

from .conftest import AS_OF
from .fhir_data import bundle, med, obs, patient, searchset
from .test_service import PV, Server

LITHIUM_LEVEL = {"valueQuantity": {"value": 1.9, "unit": "mmol/L"}}


def _lithium(subject: dict[str, Any]) -> list[dict[str, Any]]:
    m = med("li", None, "Lithium Carbonate 300 MG Oral Capsule", authoredOn="2025-06-01")
    o = obs("li-level", "14334-7", "Lithium", **LITHIUM_LEVEL)
    m["subject"] = o["subject"] = subject
    return [m, o]


def _ids(engine: Engine, doc: dict[str, Any]) -> list[str]:
    return [f.rule_id for f in engine.evaluate(doc, as_of=AS_OF).findings]


@pytest.mark.parametrize("subject", [
    {"reference": "Patient/p2/_history/1"},
    {"reference": "Patient/p2/"},
    {"reference": "Patient/p1/"},
    {"reference": "patient/p1"},
    {"reference": "Group/g1"},
    {"reference": "urn:uuid:6f1c2f9e-0000-4000-8000-000000000002"},
    {"reference": "https://other-ehr.example.org/fhir/Patient/p2"},
    {"identifier": {"system": "urn:mrn", "value": "12345"}},
    {"display": "Jane Doe"},
])
def test_a_subject_that_is_not_this_patient_is_reported_and_not_used(engine: Engine, subject: dict[str, Any]) -> None:
    doc = bundle(*_lithium(subject))
    ids = _ids(engine, doc)
    assert "NC-LI-019" not in ids  # the lithium level is not read as this patient's
    snap = engine.snapshot(doc)
    problems = " ".join(f"{i.source}: {i.problem}" for i in snap.data_issues)
    assert "MedicationRequest/li" in problems and "Observation/li-level" in problems
    assert "not used" in problems


@pytest.mark.parametrize("subject", [
    {"reference": "Patient/p1"},
    {"reference": "Patient/p1/_history/3"},
    {"reference": "https://ehr.example.org/fhir/Patient/p1"},
    {"reference": "urn:uuid:p1"},  # the Patient entry's fullUrl in these bundles
])
def test_a_subject_that_is_this_patient_is_used(engine: Engine, subject: dict[str, Any]) -> None:
    assert "NC-LI-019" in _ids(engine, bundle(*_lithium(subject)))


def test_a_bundle_with_two_different_patients_of_one_id_is_refused_naming_them(engine: Engine) -> None:
    """The CLI and Python path refuse it like the service does: which one is the patient cannot be told."""
    doc = bundle(*_lithium({"reference": "Patient/p1"}))
    doc["entry"].append({"fullUrl": "urn:uuid:second", "resource": patient("p1", birth="1990-01-01")})
    with pytest.raises(SnapshotError, match="two different Patient resources with the id 'p1'"):
        engine.evaluate(doc, as_of=AS_OF)
    copy = {**patient("p1"), "meta": {"versionId": "2"}}  # the same Patient twice (another version stamp) is fine
    doc["entry"][-1] = {"resource": copy}
    assert "NC-LI-019" in _ids(engine, doc)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("identity")
    s = Server(tmp / "data", tmp / "serve.log")
    yield s
    s.stop()


def test_two_different_patients_in_one_request_are_refused(server: Server) -> None:
    base = {"hook": "patient-view", "hookInstance": "h-id", "context": {"patientId": "p1"}}
    twin = patient("p1", birth="1990-01-01")  # same id, another person
    r = server.post(PV, {**base, "prefetch": {"patient": patient("p1"), "all": searchset(twin)}})
    assert r.status_code == 422 and "same id but different content" in r.json()["error"]
    r = server.post(PV, {**base, "prefetch": {"patient": patient("p1"), "all": searchset(patient("p2"))}})
    assert r.status_code == 422 and "2 different Patients" in r.json()["error"]
    same = {**patient("p1"), "meta": {"versionId": "2"}}  # the same Patient twice is fine
    assert server.post(PV, {**base, "prefetch": {"patient": patient("p1"), "all": searchset(same)}}).status_code == 200


def test_the_service_does_not_use_another_patients_lithium_level(server: Server) -> None:
    req = {"hook": "patient-view", "hookInstance": "h-id2", "context": {"patientId": "p1"},
           "prefetch": {"patient": patient("p1"), "all": searchset(*_lithium({"reference": "Patient/p2/_history/1"}))}}
    cards = server.post(PV, req).json()["cards"]
    codes = [c["source"]["topic"]["code"] for c in cards]
    assert "NC-LI-019" not in codes
    dq = next(c for c in cards if c["source"]["topic"]["code"] == "GN-DQ-010")
    assert "not used" in dq["detail"]
