"""Snapshot validation: bad input gets a clear error naming the field and the problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from setpoint import Engine, SnapshotError
from setpoint.snapshot.models import Snapshot, frequency_per_day

from .conftest import AS_OF, patient


def err(engine: Engine, data: object) -> str:
    with pytest.raises(SnapshotError) as e:
        engine.evaluate(data, as_of=AS_OF)
    return str(e.value)


def test_unknown_field_is_rejected_and_named(engine: Engine) -> None:
    msg = err(engine, patient(medicatons=[]))
    assert "medicatons" in msg and "not permitted" in msg.lower()


def test_wrong_type_names_the_nested_field(engine: Engine) -> None:
    msg = err(engine, patient(results=[{"code": "3016-3", "value": True, "unit": "mIU/L",
                                         "collected": "2026-11-01"}]))
    assert msg.startswith("input: results[0].value")


def test_text_value_suggests_comparator_or_value_text(engine: Engine) -> None:
    msg = err(engine, patient(results=[{"code": "3016-3", "value": "high", "collected": "2026-11-01"}]))
    assert "results[0]" in msg and "value_text" in msg


def test_comparator_string_is_split() -> None:
    s = Snapshot.model_validate(patient(results=[{"code": "2986-8", "value": "<0.01", "unit": "ng/dL",
                                                  "collected": "2026-11-01"}]))
    assert s.results[0].comparator == "<" and s.results[0].value == 0.01


def test_duplicate_ids_are_rejected(engine: Engine) -> None:
    meds = [{"id": "m1", "name": "sertraline"}, {"id": "m1", "name": "lithium"}]
    msg = err(engine, patient(medications=meds))
    assert "duplicate id 'm1'" in msg and "medications[1]" in msg


def test_end_before_start_is_rejected(engine: Engine) -> None:
    msg = err(engine, patient(medications=[{"name": "sertraline", "start": "2026-05-01", "end": "2026-01-01"}]))
    assert "medications[0]" in msg and "before start" in msg


def test_impossible_calendar_date(engine: Engine) -> None:
    msg = err(engine, patient(medications=[{"name": "sertraline", "start": "2026-02-30"}]))
    assert "medications[0].start" in msg


def test_birth_date_after_evaluation_date(engine: Engine) -> None:
    msg = err(engine, {"patient": {"sex": "male", "birth_date": "2030-01-01"}})
    assert "patient.birth_date" in msg and "after the evaluation date" in msg


def test_unrecognised_frequency_is_an_error(engine: Engine) -> None:
    msg = err(engine, patient(medications=[{"name": "sertraline", "dose": 50, "dose_unit": "mg",
                                            "frequency": "whenever"}]))
    assert "frequency 'whenever' is not recognised" in msg


def test_dose_without_unit(engine: Engine) -> None:
    msg = err(engine, patient(medications=[{"name": "sertraline", "dose": 50}]))
    assert "dose_unit is required" in msg


def test_bad_json_text_names_line(engine: Engine) -> None:
    msg = err(engine, '{"patient": {"sex": "female",}}')
    assert "not valid JSON" in msg and "line 1" in msg


def test_non_mapping_document(engine: Engine) -> None:
    assert "expected a snapshot or a FHIR Bundle" in err(engine, [1, 2, 3])
    assert "expected a snapshot (a mapping with 'patient') or a FHIR Bundle, got list" in err(engine, "[1, 2]")


def test_a_string_is_content_never_a_file_name(engine: Engine, tmp_path: Path) -> None:
    """`evaluate("/etc/passwd")` must not read (and echo) a file: only an explicit Path is read."""
    secret = tmp_path / "secret.yaml"
    secret.write_text("patient: {sex: female, age: 40}\nroot_password: hunter2\n")
    msg = err(engine, str(secret))
    assert "hunter2" not in msg and "root_password" not in msg
    assert "expected a snapshot" in msg
    assert "root_password" in err(engine, secret), "an explicit Path is read (and its bad field named)"


@pytest.mark.parametrize(("doc", "expected"), [
    ("", "the input is empty: expected a snapshot (JSON or YAML) or a FHIR Bundle"),
    ({"resourceType": "Patient", "id": "p1"}, "a FHIR Patient resource: expected a snapshot or a FHIR Bundle"),
    ({"name": "x", "items": [1]}, "expected a snapshot (a mapping with 'patient') or a FHIR Bundle"),
    (b"\xff\xfe{", "not UTF-8 text"),
])
def test_unreadable_inputs_say_what_was_expected(engine: Engine, doc: object, expected: str) -> None:
    assert expected in err(engine, doc)


def test_bytes_and_text_give_the_same_snapshot(engine: Engine) -> None:
    doc = patient(medications=[{"name": "sertraline", "start": "2026-01-01"}])
    assert engine.snapshot(json.dumps(doc).encode()) == engine.snapshot(json.dumps(doc))


def test_missing_as_of_is_an_error(engine: Engine) -> None:
    with pytest.raises(SnapshotError, match="as_of"):
        engine.evaluate(patient())


def test_pregnancy_defaults_to_unknown_never_not_pregnant() -> None:
    assert Snapshot.model_validate(patient()).patient.pregnancy == "unknown"


def test_yaml_and_json_give_the_same_snapshot(engine: Engine) -> None:
    doc = patient(medications=[{"name": "sertraline", "start": "2026-01-01"}])
    import yaml

    assert engine.snapshot(json.dumps(doc)) == engine.snapshot(yaml.safe_dump(doc))


def test_local_clock_time_is_kept() -> None:
    s = Snapshot.model_validate(patient(results=[{"code": "9813-7", "value": 12, "unit": "ug/dL",
                                                  "collected": "2026-11-01T08:30:00-05:00"}]))
    assert s.results[0].collected.hour == 8 and s.results[0].collected.tzinfo is None


@pytest.mark.parametrize(("text", "expected"), [("bid", 2), ("Q8H", 3), ("twice weekly", 2 / 7),
                                                ("3 times per day", 3), ("every 2 weeks", 1 / 14)])
def test_frequencies(text: str, expected: float) -> None:
    assert frequency_per_day(text) == pytest.approx(expected)


def test_snapshot_schema_is_exported() -> None:
    schema = Snapshot.model_json_schema()
    assert schema["additionalProperties"] is False
    assert "as_of" in schema["properties"]
