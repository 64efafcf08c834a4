"""A worker's job: evaluate one partition's patients and return its rows and counts.

The engine is loaded once per process (`engine_for` caches it) and reused for every partition the
process runs, in a local process pool or on a Dask worker.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from .. import Engine, EvaluationResult
from .assemble import record
from .models import InputKind, Partition, PartitionCounts, PartitionResult, PatientRef, RuleCounts

COLUMNS = ("patient_id", "source", "rule_id", "rule_version", "title", "severity", "outcome", "summary",
           "grouped_under", "as_of", "rulebase_version", "rulebase_hash")
ERROR_TEXT_LIMIT = 1000
PROBE = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
    "resourceType": "Patient", "id": "setpoint-probe", "gender": "female", "birthDate": "1970-01-01"}}]}
log = logging.getLogger("setpoint.batch")
_ENGINES: dict[tuple[str | None, str | None], Engine] = {}
_STAMPS: dict[int, tuple[str, str]] = {}


def engine_for(rules: str | None, knowledge: str | None) -> Engine:
    """The process's engine for this rule base, loaded on first use."""
    key = (rules, knowledge)
    if key not in _ENGINES:
        # Kept for the process's lifetime (this dict holds it), so frozen out of the collector's way: full
        # collections then skip the engine's ~100,000 objects (Synthea-sized patients: 15.5-17.5 -> 9.6-11.6
        # ms of CPU each, measured).
        _ENGINES[key] = Engine.load(rules=Path(rules) if rules else None,
                                    knowledge=Path(knowledge) if knowledge else None, freeze=True)
    return _ENGINES[key]


def warm(rules: str | None, knowledge: str | None) -> None:
    """Load the engine and evaluate an empty record (which imports the FHIR mapping) before real work."""
    stamp(engine_for(rules, knowledge), date(2000, 1, 1))


def stamp(eng: Engine, as_of: date) -> tuple[str, str]:
    """(rule base version, content hash), read from an evaluation of an empty record."""
    if id(eng) not in _STAMPS:
        rb = eng.evaluate(PROBE, as_of=as_of).rulebase
        _STAMPS[id(eng)] = (rb.version, rb.content_hash)
    return _STAMPS[id(eng)]


def evaluate_partition(part: Partition, as_of: date, rules: str | None, knowledge: str | None,
                       strict_fhir: bool = False) -> PartitionResult:
    """`strict_fhir`: read the FHIR records with fhir.resources validation (else the engine's default)."""
    eng = engine_for(rules, knowledge)
    version, content_hash = stamp(eng, as_of)
    cols: dict[str, list[object]] = {c: [] for c in COLUMNS}
    counts = PartitionCounts()
    for ref in part.patients:
        counts.patients += 1
        try:
            data = record(ref, part.files)
            if strict_fhir:
                data = eng.snapshot(data, strict_fhir=True)
            result = eng.evaluate(data, as_of=as_of)
        except Exception as e:  # a bad record is an error row, never the end of the batch
            counts.errors += 1
            _error_row(cols, ref, e, as_of, version, content_hash)
            continue
        _finding_rows(cols, ref, result, counts)
    return PartitionResult(number=part.number, columns=cols, counts=counts,
                           rulebase_hash=content_hash, rulebase_version=version)


def _error_row(cols: dict[str, list[object]], ref: PatientRef, e: Exception, as_of: date, version: str,
               content_hash: str) -> None:
    from ..errors import SetpointError

    if isinstance(e, SetpointError):
        message = str(e)
    else:
        log.exception("%s: engine error", ref.source)
        message = f"engine error ({e.__class__.__name__}: {e})"
    if len(message) > ERROR_TEXT_LIMIT:
        message = message[: ERROR_TEXT_LIMIT - 1] + "…"
    pid = ref.source.removeprefix("Patient/") if ref.kind is InputKind.bulk else None
    row = dict(patient_id=pid, source=ref.source, rule_id=None, rule_version=None, title=None, severity=None,
               outcome="error", summary=message, grouped_under=None, as_of=as_of, rulebase_version=version,
               rulebase_hash=content_hash)
    for c in COLUMNS:
        cols[c].append(row[c])


def _finding_rows(cols: dict[str, list[object]], ref: PatientRef, result: EvaluationResult,
                  counts: PartitionCounts) -> None:
    seen: set[tuple[str, str]] = set()
    pid = result.patient.id
    common = dict(patient_id=pid, source=ref.source, as_of=result.as_of, rulebase_version=result.rulebase.version,
                  rulebase_hash=result.rulebase.content_hash)
    for f in result.findings:
        rows = [dict(rule_id=f.rule_id, rule_version=f.rule_version, title=f.title, severity=f.severity,
                     outcome=f.outcome, summary=f.summary, grouped_under=None)]
        rows += [dict(rule_id=r.rule_id, rule_version=r.rule_version, title=r.title, severity=r.severity,
                      outcome=r.outcome, summary=r.title, grouped_under=f.rule_id) for r in f.related]
        for row in rows:
            row |= common
            for c in COLUMNS:
                cols[c].append(row[c])
            key = (str(row["rule_id"]), str(row["outcome"]))
            if key in seen:
                continue
            seen.add(key)
            rc = counts.rules.setdefault(key[0], RuleCounts(rule_id=key[0], title=str(row["title"])))
            if key[1] == "fired":
                rc.fired += 1
                sev = str(row["severity"])
                rc.fired_by_severity[sev] = rc.fired_by_severity.get(sev, 0) + 1
            else:
                rc.cannot_assess += 1
