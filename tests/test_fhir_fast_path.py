"""Differential test of the two FHIR paths: the fast one (engine.fhir.light, the default) and the strict one
(fhir.resources validation of every resource used, `--strict-fhir`).

They must give identical snapshots and findings on every shared fixture (Synthea records, the CDS Hooks
specification's prefetch examples) and every variant of the real-world corpus, and on hypothesis-generated
mutations of real resources (wrong types, missing elements, extra elements, odd dates):

- both map the resource the same, or
- both report it as not readable (the problem text may differ; the rest of the snapshot is identical), or
- the strict path refuses it for an element the fast path never reads (documented difference 1,
  engine/fhir/light.py): then the fast path's snapshot is exactly what it gives for the unmutated resource,
  which proves the mutated element is not read; or for a string made only of exotic whitespace
  (difference 2), which the fast path reads as written.

Nothing may raise out of either mapper.
"""

from __future__ import annotations

import copy
import json
import os
import types
import typing
from datetime import date
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from setpoint import Engine
from setpoint.errors import SnapshotError
from setpoint.fhir import light
from setpoint.fhir import parse as strict_parse
from setpoint.fhir.context import resource_name
from setpoint.service.prefetch import gather
from setpoint.snapshot.models import Snapshot
from tests.fhir_data import SPEC, SYNTHEA
from tests.realworld import test_corpus as corpus

AS_OF = date(2026, 11, 21)
UNREADABLE = "not valid FHIR R4"


@pytest.fixture(scope="module")
def eng() -> Engine:
    return corpus._ENGINE


def both(eng: Engine, doc: Any) -> tuple[Snapshot, Snapshot]:
    return eng.snapshot(doc, strict_fhir=False), eng.snapshot(doc, strict_fhir=True)


def findings(eng: Engine, snap: Snapshot, as_of: date) -> list[dict[str, Any]]:
    return [f.model_dump(mode="json") for f in eng.evaluate(snap, as_of=as_of).findings]


def assert_same(eng: Engine, doc: Any, label: str, as_of: date = AS_OF) -> None:
    fast, strict = both(eng, doc)
    assert fast == strict, f"{label}: the fast and strict paths map differently"
    assert findings(eng, fast, as_of) == findings(eng, strict, as_of), f"{label}: findings differ"


# ------------------------------------------------------------------------------------------- fixtures

@pytest.mark.parametrize("path", sorted(SYNTHEA.glob("*.json")), ids=lambda p: p.name.split("_")[0])
def test_synthea_records_map_identically(eng: Engine, path: Path) -> None:
    doc = json.loads(path.read_bytes())
    assert_same(eng, doc, path.name)
    assert eng.snapshot(path.read_bytes(), strict_fhir=False) == eng.snapshot(doc, strict_fhir=True)


def _spec_bundles() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(SPEC.glob("*.json")):
        doc = json.loads(path.read_bytes())
        entries: list[dict[str, Any]] = []
        prefetch = doc.get("prefetch") if isinstance(doc, dict) else None
        if isinstance(prefetch, dict) and all(isinstance(v, dict | None) for v in prefetch.values()):
            entries += [{"resource": r} for r, _ in gather(prefetch).entries]
        drafts = (doc.get("context") or {}).get("draftOrders") if isinstance(doc, dict) else None
        if isinstance(drafts, dict):
            entries += [e for e in drafts.get("entry", []) if isinstance(e, dict) and "resource" in e]
        if entries:
            out.append((path.name, {"resourceType": "Bundle", "type": "collection", "entry": entries}))
    return out


SPEC_BUNDLES = _spec_bundles()


def test_spec_examples_are_there() -> None:
    assert len(SPEC_BUNDLES) >= 3, [n for n, _ in SPEC_BUNDLES]


@pytest.mark.parametrize("name, doc", SPEC_BUNDLES, ids=[n for n, _ in SPEC_BUNDLES])
def test_cds_hooks_spec_examples_map_identically(eng: Engine, name: str, doc: dict[str, Any]) -> None:
    assert_same(eng, doc, name)


def test_realworld_corpus_maps_identically(eng: Engine) -> None:
    """Every variant of every bundled case (about 200), snapshots and findings."""
    for case, transform, variant in corpus.VARIANTS:
        snap, _, _ = corpus.CLEAN[case]
        assert_same(eng, variant, f"{case.stem}/{transform}", snap.as_of or AS_OF)
    for case, (snap, clean, _) in corpus.CLEAN.items():
        assert_same(eng, clean, f"{case.stem}/clean", snap.as_of or AS_OF)


# ------------------------------------------------------------------------------------------- mutations

RX = "http://www.nlm.nih.gov/research/umls/rxnorm"
# Types and shapes the corpus lacks: a dispense of a referenced Medication, a contained Medication, a Specimen,
# an OperationOutcome, a dated dose in an extension, a PHQ-9 item with an ordinal value.
EXTRA = {"resourceType": "Bundle", "type": "collection", "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r}
                                                                   for r in [
    {"resourceType": "Patient", "id": "px", "gender": "female", "birthDate": "1970-03-01"},
    {"resourceType": "Medication", "id": "med-li", "code": {"coding": [{"system": RX, "code": "197889"}],
                                                             "text": "Lithium carbonate 300 MG Oral Capsule"},
     "form": {"text": "capsule"}},
    {"resourceType": "MedicationDispense", "id": "disp", "status": "completed", "subject": {"reference": "Patient/px"},
     "medicationReference": {"reference": "Medication/med-li", "display": "lithium"},
     "whenHandedOver": "2026-10-01T10:00:00Z", "daysSupply": {"value": 30, "unit": "day"},
     "dosageInstruction": [{"text": "Take 1 capsule twice a day", "route": {"coding": [
         {"system": "http://snomed.info/sct", "code": "26643006"}]},
         "timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}},
         "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "capsule"}}]}],
     "note": [{"text": "stopped abruptly"}]},
    {"resourceType": "MedicationRequest", "id": "req-c", "status": "active", "intent": "order",
     "subject": {"reference": "Patient/px"}, "contained": [
         {"resourceType": "Medication", "id": "m1", "code": {"text": "Sertraline 50 MG Oral Tablet"}}],
     "medicationReference": {"reference": "#m1"}, "authoredOn": "2026-09-01",
     "dispenseRequest": {"validityPeriod": {"start": "2026-09-01", "end": "2027-09-01"}},
     "dosageInstruction": [{"timing": {"repeat": {"boundsPeriod": {"start": "2026-09-02"}, "frequency": 1,
                                                  "period": 1, "periodUnit": "d"}},
                            "doseAndRate": [{"doseQuantity": {"value": 50, "unit": "mg"}}], "asNeededBoolean": False}]},
    {"resourceType": "Specimen", "id": "spec", "type": {"coding": [{"system": "http://snomed.info/sct",
                                                                     "code": "119364003"}], "text": "Serum"}},
    {"resourceType": "Observation", "id": "li", "status": "final", "subject": {"reference": "Patient/px"},
     "code": {"coding": [{"system": "http://loinc.org", "code": "14334-7"}], "text": "Lithium"},
     "effectiveDateTime": "2026-10-20T08:30:00-05:00", "specimen": {"reference": "Specimen/spec"},
     "valueQuantity": {"value": 0.8, "unit": "mmol/L", "system": "http://unitsofmeasure.org", "code": "mmol/L"},
     "referenceRange": [{"low": {"value": 0.6}, "high": {"value": 1.2}, "text": "0.6-1.2"}],
     "interpretation": [{"coding": [{"code": "N"}]}], "note": [{"text": "12 hours after the last dose"}],
     "extension": [{"url": "http://example.org/last-dose", "valueDateTime": "2026-10-19T20:30:00-05:00"}]},
    {"resourceType": "Observation", "id": "phq9", "status": "final", "subject": {"reference": "Patient/px"},
     "code": {"coding": [{"system": "http://loinc.org", "code": "44261-6"}]},
     "effectiveDateTime": "2026-10-20", "valueInteger": 12, "component": [
         {"code": {"coding": [{"system": "http://loinc.org", "code": "44260-8"}]},
          "valueCodeableConcept": {"coding": [{"system": "http://loinc.org", "code": "LA6569-3", "extension": [
              {"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 1}]}]}}]},
    {"resourceType": "OperationOutcome", "id": "oo", "issue": [
        {"severity": "error", "code": "processing", "diagnostics": "lab search timed out"}]}]]}


def _pool() -> list[tuple[dict[str, Any], int]]:
    """(bundle, index of an entry the engine reads): small real bundles and each resource in them it reads."""
    bundles = [v for _, _, v in corpus.VARIANTS[::3]]
    for path in sorted(SYNTHEA.glob("*.json")):
        doc = json.loads(path.read_bytes())
        keep = [e for e in doc["entry"] if e["resource"]["resourceType"] in light.MODELS]
        for i in range(0, len(keep), 40):  # the Patient and 40 resources at a time
            bundles.append({"resourceType": "Bundle", "type": "collection",
                            "entry": [keep[0], *keep[max(i, 1):i + 40]]})
    bundles += [EXTRA] * 20  # weighted: its types are rare in the corpus
    out = []
    for b in bundles:
        for i, e in enumerate(b["entry"]):
            if e["resource"]["resourceType"] in light.MODELS:
                out.append((b, i))
    return out


POOL = _pool()
ODD_DATES = ["2020", "2020-05", "2020-05-01", "2020-05-01T08:30:00Z", "2020-05-01T08:30:00", "2020-05-01T08:30Z",
             "2020-02-30", "2021-02-29", "2024-02-29", "2020-05-01T24:00:00Z", "2016-12-31T23:59:60Z",
             "2020-05-01T08:30:00.123456789+05:30", "2020-05-01T08:30:00.1-03:00", "2020-05-01T08:30:00+14:00",
             "2020-05-01T08:30:00+15:00", "0000-01-01", "2020-13-01", "2020-00", "20200501", " 2020-05-01",
             "2020-05-01 ", "2020-5-1", "2020-05-01T08:30:00-00:00", "1850-01-01", "9999-12-31T23:59:59Z", ""]
EXOTIC_BLANK = ["\x0b", "\x0c\x0b", "\u2003"]  # whitespace only, none of it space, tab, CR or LF
ODD_STRINGS = [*EXOTIC_BLANK, "", " ", "  x", "x  y", "x\ty", "\n", "active", "final", "entered-in-error", "mg",
               "mmol/L", "<", "<=", "5", "5.5", "1e3", "-0", "true", "yes", "NaN", "Patient/other", "#contained",
               "urn:uuid:x", "Take 1 tablet by mouth twice a day", "http://loinc.org", "2986-8"]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([2**31, -(2**31) - 1, 10**20, 2**63]),
    st.floats(allow_nan=False, allow_infinity=False, width=32), st.sampled_from([0.0, -0.0, 1.0, 2.5, 1e20, 1e-7]),
    st.sampled_from(ODD_STRINGS), st.sampled_from(ODD_DATES), st.text(alphabet="ab 1.-", max_size=4))
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=2), st.dictionaries(
    st.sampled_from(["value", "text", "code", "system", "reference", "start", "coding", "x"]), SCALARS, max_size=2))
EXTRA_KEYS = ["zzz", "_status", "fhir_comments", "valueString", "valueInteger", "valueQuantity", "valueBoolean",
              "valueCodeableConcept", "valueDateTime", "valuePeriod", "effectivePeriod", "effectiveInstant",
              "effectiveTiming", "effectiveDateTime", "medicationReference", "medicationCodeableConcept",
              "onsetString", "abatementString", "abatementDateTime", "asNeededBoolean", "doseRange",
              "boundsPeriod", "performedString", "deceasedBoolean", "extension", "contained", "note", "display",
              "comparator", "issued", "performer", "modifierExtension"]


def _paths(node: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            if here == () and k in ("resourceType",):
                continue
            out.append((*here, k))
            out += _paths(v, (*here, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.append((*here, i))
            out += _paths(v, (*here, i))
    return out


def _containers(node: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of every object (where an element can be added)."""
    out = [here] if isinstance(node, dict) else []
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, v in children:
        out += _containers(v, (*here, k))
    return out


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        node = node[p]
    return node


def _struct_of(tp: Any) -> list[type[Any]]:
    """The struct types a (possibly optional / list) annotation holds."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType, list):
        return [s for a in typing.get_args(tp) for s in _struct_of(a)]
    if origin is typing.Annotated:
        return _struct_of(typing.get_args(tp)[0])
    return [tp] if isinstance(tp, type) and issubclass(tp, msgspec.Struct) else []


def reads(raw: dict[str, Any], path: tuple[Any, ...]) -> bool:
    """Whether the fast path reads the element at `path` of the resource `raw`: every object name on the path
    is a field of the struct that holds it (list indexes pass through).  Contained resources of the types it
    reads are read like resources."""
    if path[:1] == ("contained",):
        if len(path) < 3 or path[2] in ("resourceType", "id"):
            return True
        inner = raw["contained"][path[1]] if isinstance(raw.get("contained"), list) else None
        rtype = inner.get("resourceType") if isinstance(inner, dict) else None
        return rtype in light.CONTAINED_READ and reads(inner, path[2:])
    structs: list[type[Any]] = [light.MODELS[raw["resourceType"]]]
    for part in path:
        if isinstance(part, int):
            continue
        fields = {f.encode_name: f for s in structs for f in msgspec.structs.fields(s)}
        if part not in fields:
            return False
        structs = _struct_of(fields[part].type)
    return True


@st.composite
def mutation(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], int, tuple[Any, ...], Any, str]:
    """(original bundle, mutated bundle, index of the mutated entry, path of the mutated element, the value set
    there (None for a deletion), what was done)."""
    original, i = draw(st.sampled_from(POOL))
    b = copy.deepcopy(original)
    res = b["entry"][i]["resource"]
    kind = draw(st.sampled_from(["replace", "replace", "delete", "add", "date"]))
    if kind == "add":
        where = draw(st.sampled_from(_containers(res)))
        key = draw(st.sampled_from(EXTRA_KEYS))
        value = draw(VALUES)
        _at(res, where)[key] = value
        return original, b, i, (*where, key), value, f"add {key}={value!r} at {where}"
    paths = _paths(res)
    if kind == "date":
        dated = [p for p in paths if isinstance(_at(res, p), str) and _at(res, p)[:2] in ("19", "20")]
        paths = dated or paths
    path = draw(st.sampled_from(paths))
    parent = _at(res, path[:-1])
    if kind == "delete":
        del parent[path[-1]]
        return original, b, i, path, None, f"delete {path}"
    value = draw(st.sampled_from(ODD_DATES)) if kind == "date" else draw(VALUES)
    parent[path[-1]] = value
    return original, b, i, path, value, f"set {path} = {value!r}"


def _exotic(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_exotic(v) for v in value.values())
    if isinstance(value, list):
        return any(_exotic(v) for v in value)
    return isinstance(value, str) and value in EXOTIC_BLANK


def _refused(snap: Snapshot, name: str) -> bool:
    return any(i.source.split("#")[0] == name and i.problem.startswith(UNREADABLE) for i in snap.data_issues)


def _without_problem_text(snap: Snapshot) -> Snapshot:
    # Every unreadable resource (a mutated object may be shared by several resources of a bundle).
    issues = [i.model_copy(update={"problem": UNREADABLE}) if i.problem.startswith(UNREADABLE) else i
              for i in snap.data_issues]
    return snap.model_copy(update={"data_issues": issues})


def _diff(a: Snapshot, b: Snapshot) -> str:
    return "; ".join(f"{f}: fast {getattr(a, f)!r:.600} / strict {getattr(b, f)!r:.600}"
                     for f in type(a).model_fields if getattr(a, f) != getattr(b, f))


def _map(eng: Engine, doc: dict[str, Any], strict: bool) -> Snapshot | str:
    try:
        return eng.snapshot(doc, strict_fhir=strict)
    except SnapshotError as e:  # a malformed Bundle or two patients: the same refusal from both paths
        return f"SnapshotError: {e}"


@settings(max_examples=int(os.environ.get("FAST_PATH_EXAMPLES", "400")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(m=mutation())
def test_mutated_resources_are_read_alike(
        m: tuple[dict[str, Any], dict[str, Any], int, tuple[Any, ...], Any, str]) -> None:
    eng = corpus._ENGINE
    original, doc, i, path, value, what = m
    raw = doc["entry"][i]["resource"]
    name = resource_name(raw, f"Bundle.entry[{i}]")
    fast, strict = _map(eng, doc, False), _map(eng, doc, True)
    if isinstance(fast, str) or isinstance(strict, str):
        assert fast == strict, what
        return
    if fast == strict:
        event("identical" + (" (both refuse)" if _refused(fast, name) else ""))
        return
    # Asked of the readers themselves: a referenced Medication or Specimen is read only through what refers to it.
    strict_refused, fast_refused = strict_parse.parse(raw).model is None, light.parse(raw).model is None
    if strict_refused and fast_refused:
        a, b = _without_problem_text(fast), _without_problem_text(strict)
        assert a == b, f"{what}: {_diff(a, b)}"
        event("both refuse")
        return
    problems = [x.problem for x in (*strict.data_issues, *fast.data_issues) if x.source.split("#")[0] == name]
    assert not fast_refused, f"{what}: only the fast path refuses {name}: {problems}"
    assert strict_refused, f"{what}: both read {name} but map it differently: {_diff(fast, strict)}"
    if _exotic(value):  # difference 2: read as written
        event("only the strict path refuses (a string of exotic whitespace)")
        return
    # The strict path refuses the resource for an element the fast path does not read: the fast snapshot is
    # then the one it gives without the mutation.
    assert not reads(original["entry"][i]["resource"], path), \
        f"{what}: {name} refused by the strict path only: {problems}"
    event("only the strict path refuses (an element not read)")
    assert fast == eng.snapshot(original, strict_fhir=False), f"{what}: an element the fast path does not read " \
        "changed its snapshot"


def test_reads_knows_the_elements() -> None:
    obs, req = {"resourceType": "Observation"}, {"resourceType": "MedicationRequest"}
    assert reads(obs, ("valueQuantity", "value"))
    assert reads(obs, ("code", "coding", 0, "code"))
    assert not reads(obs, ("performer", 0, "reference"))
    assert not reads(obs, ("code", "coding", 0, "userSelected"))
    assert reads(req, ("dosageInstruction", 0, "timing", "repeat", "frequency"))


# ------------------------------------------------------------------------------------------- switches

def test_strict_path_is_chosen_by_flag_env_and_argument(monkeypatch: pytest.MonkeyPatch, eng: Engine) -> None:
    bad = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "p", "gender": "female"}},
        {"resource": {"resourceType": "Observation", "id": "o", "status": "final", "issued": "yesterday",
                      "code": {"coding": [{"system": "http://loinc.org", "code": "3016-3"}]},
                      "effectiveDateTime": "2026-11-01", "valueQuantity": {"value": 2.5, "unit": "mIU/L"}}}]}
    # `issued` is not read: the fast path uses the TSH, the strict one refuses the whole Observation.
    assert [r.id for r in eng.snapshot(bad).results] == ["Observation/o"]
    assert "issued" in eng.snapshot(bad, strict_fhir=True).data_issues[0].problem
    monkeypatch.setenv("SETPOINT_STRICT_FHIR", "1")
    assert Engine.load().strict_fhir and not Engine.load().snapshot(bad).results
    assert eng.strict_fhir is False  # an engine keeps the mode it was made with
    calls: list[str] = []
    real = strict_parse.parse
    monkeypatch.setattr(strict_parse, "parse", lambda raw: calls.append(raw["resourceType"]) or real(raw))
    from typer.testing import CliRunner

    from setpoint.cli import app

    monkeypatch.delenv("SETPOINT_STRICT_FHIR")
    path = next(SYNTHEA.glob("Hassan_*.json"))
    fast = CliRunner().invoke(app, ["evaluate", str(path), "--as-of", "2026-11-21", "-f", "json"])
    assert fast.exit_code == 0 and not calls
    strict = CliRunner().invoke(app, ["evaluate", str(path), "--as-of", "2026-11-21", "-f", "json", "--strict-fhir"])
    assert strict.exit_code == 0 and calls and strict.stdout == fast.stdout


def test_an_unreadable_referenced_medication_is_reported_not_dropped(eng: Engine) -> None:
    doc = copy.deepcopy(EXTRA)
    med = next(e["resource"] for e in doc["entry"] if e["resource"]["id"] == "med-li")
    med["code"]["coding"][0]["code"] = " 197889"  # a code with a leading space: not valid FHIR
    for strict in (False, True):
        snap = eng.snapshot(doc, strict_fhir=strict)
        issues = {i.source: i.problem for i in snap.data_issues}
        assert "code.coding[0].code" in issues["Medication/med-li"], issues
        assert snap.input is not None and snap.input.by_type["Medication"].not_readable == 1
        disp = next(m for m in snap.medications if m.id == "MedicationDispense/disp")
        assert disp.name == "lithium" and not disp.codes  # read by what the dispense itself says
