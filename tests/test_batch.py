"""`setpoint batch`: population screening from a folder of Bundles, NDJSON of Bundles and a FHIR Bulk
Data export, to Parquet, a per-rule JSON summary and an HTML page; resumable and deterministic."""

from __future__ import annotations

import json
import shutil
import tracemalloc
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from bench import population
from setpoint import Engine
from setpoint.batch import BatchOptions, run_batch
from setpoint.batch.index import open_index
from setpoint.batch.parts import PartStore
from setpoint.cli import app

from .fhir_data import HASSAN

AS_OF = date(2026, 11, 21)
N = 24  # patients in the test population
COLUMNS = ["patient_id", "source", "rule_id", "rule_version", "title", "severity", "outcome", "summary",
           "grouped_under", "as_of", "rulebase_version", "rulebase_hash"]


def cli(*args: str | Path):
    return CliRunner().invoke(app, [str(a) for a in args])


def batch(inp: Path, out: Path, **kw: object):
    opts = dict(input=inp, out=out, as_of=AS_OF, partition_size=5, workers=1, progress=False) | kw
    return run_batch(BatchOptions(**opts))  # type: ignore[arg-type]


def rows(path: Path) -> list[dict[str, object]]:
    return pq.read_table(path).to_pylist()


def findings_of(path: Path) -> set[tuple[object, ...]]:
    """What a user compares between inputs: who has which finding, in words."""
    return {(r["patient_id"], r["rule_id"], r["outcome"], r["severity"], r["summary"]) for r in rows(path)}


@pytest.fixture(scope="module")
def pop(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same N synthetic patients as a folder of Bundles, one NDJSON file and a Bulk Data export."""
    root = tmp_path_factory.mktemp("population")
    return {fmt: population.write(N, root / fmt, fmt, seed=7, synthea_share=0.0)  # type: ignore[arg-type]
            for fmt in ("bundles", "ndjson", "bulk")}


@pytest.fixture(scope="module")
def engine_here() -> Engine:
    return Engine.load()


@pytest.fixture(scope="module")
def folder_run(pop: dict[str, Path], tmp_path_factory: pytest.TempPathFactory):
    return batch(pop["bundles"], tmp_path_factory.mktemp("folder-run") / "results.parquet")


# ------------------------------------------------------------------ inputs and outputs


def test_folder_of_bundles_gives_one_row_per_finding(folder_run, pop: dict[str, Path], engine_here: Engine) -> None:
    table = pq.read_table(folder_run.out)
    assert table.column_names == COLUMNS
    expected, hashes = [], set()
    for f in sorted(pop["bundles"].glob("*.json")):
        result = engine_here.evaluate(json.loads(f.read_text()), as_of=AS_OF)
        expected += [(result.patient.id, f.name, x.rule_id, x.outcome, x.severity, x.summary) for x in result.findings]
        hashes.add(result.rulebase.content_hash)
    got = [(r["patient_id"], r["source"], r["rule_id"], r["outcome"], r["severity"], r["summary"])
           for r in table.to_pylist() if r["grouped_under"] is None]
    assert got == expected  # the engine's own findings, patient by patient in file order
    assert len(expected) > N  # the population is not trivial
    assert {r["as_of"] for r in table.to_pylist()} == {AS_OF}
    assert {r["rulebase_hash"] for r in table.to_pylist()} == hashes
    s = folder_run.summary
    assert (s.patients, s.evaluated, s.errors, s.findings) == (N, N, 0, table.num_rows)


def test_summary_counts_patients_per_rule_and_share(folder_run) -> None:
    data = json.loads(folder_run.summary_path.read_text())
    r = rows(folder_run.out)
    for rule in data["rules"]:
        fired = {x["source"] for x in r if x["rule_id"] == rule["rule_id"] and x["outcome"] == "fired"}
        unknown = {x["source"] for x in r if x["rule_id"] == rule["rule_id"] and x["outcome"] == "cannot_assess"}
        assert (rule["patients_fired"], rule["patients_cannot_assess"]) == (len(fired), len(unknown))
        assert rule["share_fired"] == round(len(fired) / N, 6)
    fired_counts = [x["patients_fired"] for x in data["rules"]]
    assert fired_counts[0] == max(fired_counts)


def test_html_is_self_contained_with_a_bar_per_rule(folder_run) -> None:
    html = folder_run.html_path.read_text()
    data = json.loads(folder_run.summary_path.read_text())
    assert "<svg" in html and "<style>" in html
    assert "<script" not in html and "<link" not in html and "src=" not in html  # nothing fetched
    for rule in data["rules"]:
        assert f">{rule['rule_id']}</text>" in html


def test_ndjson_and_bulk_data_give_the_same_findings_as_the_folder(folder_run, pop: dict[str, Path],
                                                                   tmp_path: Path) -> None:
    want = findings_of(folder_run.out)
    nd = batch(pop["ndjson"], tmp_path / "nd.parquet")
    bulk = batch(pop["bulk"], tmp_path / "bulk.parquet")
    assert nd.summary.input_kind == "ndjson" and bulk.summary.input_kind == "bulk"
    assert findings_of(nd.out) == want
    assert findings_of(bulk.out) == want
    assert {r["source"] for r in rows(nd.out)} <= {f"population.ndjson:{i}" for i in range(1, N + 1)}
    assert all(str(r["source"]).startswith("Patient/") for r in rows(bulk.out))
    assert nd.summary.patients == bulk.summary.patients == N


def test_same_input_gives_byte_identical_files_however_partitioned(folder_run, pop: dict[str, Path],
                                                                   tmp_path: Path) -> None:
    again = batch(pop["bundles"], tmp_path / "results.parquet", partition_size=None)  # 10 patients a partition
    assert again.partitions == 3 and folder_run.partitions == 5
    for a, b in ((folder_run.out, again.out), (folder_run.summary_path, again.summary_path),
                 (folder_run.html_path, again.html_path)):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_cli_shows_progress_with_counts_and_throughput(pop: dict[str, Path], tmp_path: Path) -> None:
    r = cli("batch", pop["ndjson"], "--out", tmp_path / "o.parquet", "--as-of", "2026-11-21", "--workers", "1")
    assert r.exit_code == 0, r.output
    assert f"{N}/{N}" in r.stderr and "patients/s" in r.stderr and "ETA" in r.stderr
    assert f"{N} patients (0 could not be evaluated)" in r.stdout


# ------------------------------------------------------------------ resuming


def test_rerun_reuses_finished_partitions_and_redoes_only_missing_ones(pop: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "r.parquet"
    first = batch(pop["bundles"], out)
    assert (first.partitions, first.partitions_reused) == (5, 0)
    before = out.read_bytes()
    stamps = {p: p.stat().st_mtime_ns for p in first.parts}
    first.parts[2].unlink()  # as if the run had stopped before partition 2 was written
    second = batch(pop["bundles"], out)
    assert second.partitions_reused == 4
    assert out.read_bytes() == before
    for p in first.parts:
        if p != first.parts[2]:
            assert p.stat().st_mtime_ns == stamps[p]  # not redone


def test_an_interrupted_run_resumes_where_it_stopped(pop: dict[str, Path], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "r.parquet"
    real_write = PartStore.write
    written: list[int] = []

    def write_then_crash(self: PartStore, result):  # type: ignore[no-untyped-def]
        if len(written) == 2:
            raise KeyboardInterrupt
        written.append(result.number)
        return real_write(self, result)

    monkeypatch.setattr(PartStore, "write", write_then_crash)
    with pytest.raises(KeyboardInterrupt):
        batch(pop["bundles"], out)
    assert not out.exists()
    monkeypatch.setattr(PartStore, "write", real_write)
    resumed = batch(pop["bundles"], out)
    assert resumed.partitions_reused == 2
    assert resumed.summary.patients == N


def test_a_changed_as_of_does_not_reuse_partitions(pop: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "r.parquet"
    batch(pop["bundles"], out)
    later = batch(pop["bundles"], out, as_of=date(2027, 6, 1))
    assert later.partitions_reused == 0
    assert {r["as_of"] for r in rows(out)} == {date(2027, 6, 1)}


def test_a_changed_input_is_indexed_again(pop: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(pop["bundles"], folder)
    out = tmp_path / "r.parquet"
    assert batch(folder, out).summary.patients == N
    shutil.copy(HASSAN, folder / "zz-hassan.json")
    again = batch(folder, out)
    assert again.summary.patients == N + 1 and again.partitions_reused == 0


# ------------------------------------------------------------------ bad records and bad options


def test_malformed_patients_become_error_rows_and_the_run_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(HASSAN, folder / "a-hassan.json")
    (folder / "b-truncated.json").write_text('{"resourceType": "Bundle", "entry": [', encoding="utf-8")
    two = {"resourceType": "Bundle", "type": "collection",
           "entry": [{"resource": {"resourceType": "Patient", "id": "p1"}},
                     {"resource": {"resourceType": "Patient", "id": "p2"}}]}
    (folder / "c-two-patients.json").write_text(json.dumps(two), encoding="utf-8")
    (folder / "d-list.json").write_text("[1, 2]", encoding="utf-8")
    shutil.copy(HASSAN, folder / "e-hassan-again.json")
    r = cli("batch", folder, "--out", tmp_path / "o.parquet", "--as-of", "2026-11-21", "--workers", "1",
            "--no-progress", "--partition-size", "2")
    assert r.exit_code == 0, r.output
    assert "5 patients (3 could not be evaluated)" in r.stdout
    errors = {x["source"]: x["summary"] for x in rows(tmp_path / "o.parquet") if x["outcome"] == "error"}
    assert set(errors) == {"b-truncated.json", "c-two-patients.json", "d-list.json"}
    assert "not valid JSON" in errors["b-truncated.json"]
    assert "2 patients" in errors["c-two-patients.json"]
    summary = json.loads((tmp_path / "o.summary.json").read_text())
    assert (summary["patients"], summary["evaluated"], summary["errors"]) == (5, 2, 3)


@pytest.mark.parametrize(("args", "message"), [
    (["/nonexistent/folder", "--out", "{tmp}/o.parquet"], "no such file or folder"),
    (["{tmp}/empty", "--out", "{tmp}/o.parquet"], "neither"),
    (["{pop}", "--out", "{tmp}/o.csv"], "should end in .parquet"),
    (["{pop}", "--out", "{tmp}/o.parquet", "--as-of", "21/11/2026"], "is not a date"),
    (["{pop}", "--out", "{tmp}/o.parquet", "--scheduler", "localhost"], "is not a scheduler address"),
])
def test_bad_paths_and_options_exit_2(args: list[str], message: str, pop: dict[str, Path], tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    r = cli("batch", *[a.format(tmp=tmp_path, pop=pop["bundles"]) for a in args], "--no-progress")
    assert r.exit_code == 2
    assert message in r.output


# ------------------------------------------------------------------ Bulk Data: grouping and bounded memory


def _line(resource: dict[str, object]) -> str:
    return json.dumps(resource) + "\n"


def test_bulk_data_groups_resources_by_their_patient_reference(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    (export / "Patient.ndjson").write_text(
        _line({"resourceType": "Patient", "id": "p2", "gender": "male", "birthDate": "1980-01-01"})
        + _line({"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1970-01-01"}))
    (export / "MedicationRequest.ndjson").write_text(
        _line({"resourceType": "MedicationRequest", "id": "m1", "status": "active", "intent": "order",
               "subject": {"reference": "https://ehr.example/fhir/Patient/p1"}, "authoredOn": "2020-01-01",
               "medicationCodeableConcept": {"text": "Levothyroxine 100 MCG Oral Tablet"}})
        + _line({"resourceType": "MedicationRequest", "id": "m2", "status": "active", "intent": "order",
                 "subject": {"reference": "Patient/p2"}, "authoredOn": "2021-03-01",
                 "medicationReference": {"reference": "Medication/levo"}})
        + '{"resourceType": "MedicationRequest", "id": "broken", \n')
    (export / "Medication.ndjson").write_text(_line({"resourceType": "Medication", "id": "levo", "code": {
        "text": "Levothyroxine Sodium 0.05 MG Oral Tablet"}}))
    (export / "AllergyIntolerance.ndjson").write_text(
        _line({"resourceType": "AllergyIntolerance", "id": "a1", "patient": {"reference": "Patient/p2"}}))
    (export / "Organization.ndjson").write_text(_line({"resourceType": "Organization", "id": "o1"}))
    index = open_index(export, tmp_path / "work")
    assert (index.kind, index.count, index.unlinked, index.unreadable) == ("bulk", 2, 2, 1)
    [part] = index.partitions(10)
    by_patient = {ref.source: [Path(part.files[f]).name for f, _, _ in ref.slices] for ref in part.patients}
    assert by_patient == {
        "Patient/p1": ["Patient.ndjson", "MedicationRequest.ndjson"],
        "Patient/p2": ["Patient.ndjson", "AllergyIntolerance.ndjson", "Medication.ndjson", "MedicationRequest.ndjson"]}
    report = batch(export, tmp_path / "o.parquet")
    tsh = {r["patient_id"]: r["outcome"] for r in rows(report.out) if r["rule_id"] == "HR-THY-035"}
    # levothyroxine and no TSH: found through an absolute URL (p1) and a referenced Medication (p2)
    assert tsh == {"p1": "fired", "p2": "fired"}
    assert (report.summary.unreadable_lines, report.summary.resources_without_patient) == (1, 2)


def test_bulk_data_index_streams_a_large_export(tmp_path: Path) -> None:
    """Indexing a 14 MB export keeps well under 2 MB of Python memory: it is read line by line."""
    export = tmp_path / "export"
    export.mkdir()
    patients = 300
    with (export / "Patient.ndjson").open("w") as fh:
        for i in range(patients):
            fh.write(_line({"resourceType": "Patient", "id": f"p{i:04d}", "gender": "female",
                            "birthDate": "1970-01-01"}))
    with (export / "Observation.ndjson").open("w") as fh:
        for i in range(12_000):
            fh.write(_line({"resourceType": "Observation", "id": f"o{i}", "status": "final",
                            "subject": {"reference": f"Patient/p{i % patients:04d}"},
                            "code": {"coding": [{"system": "http://loinc.org", "code": "3016-3"}],
                                     "text": "TSH " * 250},
                            "effectiveDateTime": "2026-01-01T08:00:00Z",
                            "valueQuantity": {"value": 2.1, "unit": "mIU/L"}}))
    size = (export / "Observation.ndjson").stat().st_size
    assert size > 14_000_000
    tracemalloc.start()
    try:
        index = open_index(export, tmp_path / "work")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert index.count == patients
    assert peak < 2_000_000, f"indexing peaked at {peak} bytes of Python memory for a {size}-byte export"
    first = next(index.partitions(10))
    assert len(first.patients) == 10
    assert all(len(p.slices) == 1 + 12_000 // patients for p in first.patients)


# ------------------------------------------------------------------ the population generator


def test_population_generator_is_deterministic_and_varied(tmp_path: Path) -> None:
    a = population.write(30, tmp_path / "a", "ndjson", seed=3, synthea_share=0.1).read_bytes()
    b = population.write(30, tmp_path / "b", "ndjson", seed=3, synthea_share=0.1).read_bytes()
    c = population.write(30, tmp_path / "c", "ndjson", seed=4, synthea_share=0.1).read_bytes()
    assert a == b and a != c
    bundles = [json.loads(line) for line in a.splitlines()]
    ids = {e["resource"]["id"] for bd in bundles for e in bd["entry"]}
    assert len(ids) == sum(len(bd["entry"]) for bd in bundles)  # fresh ids for every resource
    births = {e["resource"]["birthDate"] for bd in bundles for e in bd["entry"]
              if e["resource"]["resourceType"] == "Patient"}
    assert len(births) == 30
    assert any(len(bd["entry"]) > 100 for bd in bundles)  # some Synthea-sized records
