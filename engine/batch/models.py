"""The batch's typed boundaries: options, partitions sent to workers, their results, the summary."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InputKind(StrEnum):
    folder = "folder"  # a folder of Bundle (or snapshot) JSON files, one patient each
    ndjson = "ndjson"  # an NDJSON file, one Bundle per line
    bulk = "bulk"  # a FHIR Bulk Data export: Patient.ndjson, Observation.ndjson, ... one resource per line


class PatientRef(_Model):
    ordinal: int  # position in the run's deterministic order
    source: str  # where the patient comes from, for people: `a.json`, `bundles.ndjson:12`, `Patient/123`
    kind: InputKind
    # Where the record is: (file number in Partition.files, byte offset, length; -1 for the whole file).
    # Plain tuples: a partition of Synthea-sized Bulk Data patients has ~100,000 of them to send to a worker.
    slices: tuple[tuple[int, int, int], ...]


class Partition(_Model):
    number: int
    files: tuple[str, ...]
    patients: tuple[PatientRef, ...]


class RuleCounts(BaseModel):
    """Patients for whom a rule fired / could not be assessed, and fired findings by severity."""

    model_config = ConfigDict(extra="forbid")
    rule_id: str
    title: str
    fired: int = 0
    cannot_assess: int = 0
    fired_by_severity: dict[str, int] = Field(default_factory=dict)

    def add(self, other: RuleCounts) -> None:
        self.fired += other.fired
        self.cannot_assess += other.cannot_assess
        for sev, n in other.fired_by_severity.items():
            self.fired_by_severity[sev] = self.fired_by_severity.get(sev, 0) + n


class PartitionCounts(BaseModel):
    model_config = ConfigDict(extra="forbid")
    patients: int = 0
    errors: int = 0
    rules: dict[str, RuleCounts] = Field(default_factory=dict)

    def add(self, other: PartitionCounts) -> None:
        self.patients += other.patients
        self.errors += other.errors
        for rid, c in other.rules.items():
            self.rules.setdefault(rid, RuleCounts(rule_id=rid, title=c.title)).add(c)


class PartitionResult(BaseModel):
    """What a worker sends back: the partition's rows, column by column, and its counts."""

    model_config = ConfigDict(extra="forbid")
    number: int
    columns: dict[str, list[object]]
    counts: PartitionCounts
    rulebase_hash: str | None = None
    rulebase_version: str | None = None


class BatchOptions(_Model):
    input: Path
    out: Path
    as_of: date
    summary: Path | None = None  # default: OUT with .summary.json
    html: Path | None = None  # default: OUT with .html
    work: Path | None = None  # default: OUT + ".work" (index and finished partitions, for resuming)
    scheduler: str | None = None  # tcp://host:8786: run on that Dask cluster
    workers: int | None = Field(default=None, ge=1, le=256)  # local processes (default: the cores)
    partition_size: int | None = Field(default=None, ge=1, le=100_000)  # default: partition_size_for()
    rules: Path | None = None
    knowledge: Path | None = None
    progress: bool = True
    strict_fhir: bool = False  # validate every FHIR resource used whole with fhir.resources (--strict-fhir)

    def partition_size_for(self, patients: int) -> int:
        """Given, or 1/64 of the population between 10 and 200 patients: enough partitions to keep every
        worker busy on a small population, few enough files on a large one. Depends on the input
        only, never on the workers (the output files do not depend on it either)."""
        if self.partition_size is not None:
            return self.partition_size
        return max(10, min(200, -(-patients // 64)))

    def summary_path(self) -> Path:
        return self.summary or self.out.with_suffix(".summary.json")

    def html_path(self) -> Path:
        return self.html or self.out.with_suffix(".html")

    def work_dir(self) -> Path:
        return self.work or self.out.with_name(self.out.name + ".work")


class RuleSummary(_Model):
    rule_id: str
    title: str
    patients_fired: int
    patients_cannot_assess: int
    share_fired: float  # of the patients evaluated without error
    share_cannot_assess: float
    fired_by_severity: dict[str, int]


class BatchSummary(_Model):
    input: str
    input_kind: InputKind
    as_of: date
    rulebase_version: str | None
    rulebase_hash: str | None
    patients: int
    evaluated: int
    errors: int
    findings: int
    # Bulk Data only: lines that are not a JSON object, and resources that name no patient (left out;
    # a Medication referenced by a patient's order is not left out but goes with that patient).
    unreadable_lines: int = 0
    resources_without_patient: int = 0
    rules: list[RuleSummary]


class BatchReport(_Model):
    summary: BatchSummary
    out: Path
    summary_path: Path
    html_path: Path
    partitions: int
    partitions_reused: int
    parts: tuple[Path, ...]
