"""Mapping state for one Bundle: reference resolution, the patient's identity, import issues."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..snapshot.models import Condition, DataIssue, Medication, Result, ScaleScore, SmokingRecord, VitalSign
from . import light
from .values import ref_string
from .vocabulary import Vocabulary


def content_identity(resource: dict[str, Any]) -> str:
    """A resource's content without its bookkeeping (meta, narrative): equal for copies of one resource,
    different for two resources that only share an id."""
    return json.dumps({k: v for k, v in resource.items() if k not in ("meta", "text")}, sort_keys=True, default=str)


def resource_name(raw: dict[str, Any], fallback: str) -> str:
    """`Observation/abc` when the resource has an id, else where it sits (`Bundle.entry[3]`)."""
    rid = raw.get("id")
    rtype = raw.get("resourceType")
    if isinstance(rid, str) and rid.strip() and isinstance(rtype, str):
        return f"{rtype}/{rid.strip()}"
    return fallback


@dataclass
class MapContext:
    vocab: Vocabulary
    # Every way an entry can be referenced (`Type/id`, its fullUrl) -> the raw resource.
    index: dict[str, dict[str, Any]] = field(default_factory=dict)
    patient_refs: set[str] = field(default_factory=set)
    patient_id: str | None = None
    issues: list[DataIssue] = field(default_factory=list)
    # The start date given to draft orders (the CDS Hooks service: today); None keeps authoredOn.
    drafts_start: date | None = None
    # Output, already validated against the snapshot models.
    conditions: list[Condition] = field(default_factory=list)
    medications: list[Medication] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    vitals: list[VitalSign] = field(default_factory=list)
    scales: list[ScaleScore] = field(default_factory=list)
    smoking: list[SmokingRecord] = field(default_factory=list)
    # (local date-time, "pregnant" | "not_pregnant" | "unknown", source) of each pregnancy-status observation
    pregnancy: list[tuple[datetime, str, str]] = field(default_factory=list)
    # Clinical dates of everything mapped: the latest is the record's own "now".
    latest: date | None = None
    # Resources (by object identity) that a used resource referenced: a Medication, a Specimen.
    referenced: set[int] = field(default_factory=set)
    # How a resource is read: engine.fhir.light.parse (the fast path) or engine.fhir.parse.parse (strict).
    parse: light.Parser = light.parse

    def seen(self, when: date | None) -> None:
        if when is not None and (self.latest is None or when > self.latest):
            self.latest = when

    def issue(self, source: str, problem: str, when: date | None = None) -> None:
        self.issues.append(DataIssue(source=source, problem=problem, date=when))

    def unreadable(self, raw: dict[str, Any], problem: str | None) -> None:
        """A referenced resource (a Medication, a Specimen) that cannot be read: reported once, by its name;
        what referenced it is read without it."""
        name = resource_name(raw, f"a contained {raw.get('resourceType')}")
        if not any(i.source == name for i in self.issues):
            self.issue(name, problem or "unreadable")

    def add(self, raw: dict[str, Any], full_url: str | None) -> None:
        rtype, rid = raw.get("resourceType"), raw.get("id")
        if isinstance(rid, str) and rid:
            self.index.setdefault(f"{rtype}/{rid}", raw)
        if full_url:
            self.index.setdefault(full_url, raw)

    def resolve(self, ref: str | None, container: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """The resource a reference points to: contained (`#id`), `Type/id`, a fullUrl or an absolute URL."""
        found = self._resolve(ref, container)
        if found is not None:
            self.referenced.add(id(found))
        return found

    def _resolve(self, ref: str | None, container: dict[str, Any] | None) -> dict[str, Any] | None:
        if not ref:
            return None
        if ref.startswith("#") and container is not None:
            for c in container.get("contained") or []:
                if isinstance(c, dict) and c.get("id") == ref[1:]:
                    return c
            return None
        if ref in self.index:
            return self.index[ref]
        parts = ref.rstrip("/").split("/")
        if len(parts) >= 2:
            tail = f"{parts[-2]}/{parts[-1]}"
            if tail in self.index:
                return self.index[tail]
            if len(parts) >= 4 and parts[-2] == "_history":  # Type/id/_history/v
                return self.index.get(f"{parts[-4]}/{parts[-3]}")
        return None

    def set_patient(self, patient_id: str | None, full_url: str | None) -> None:
        self.patient_id = patient_id
        if patient_id:
            self.patient_refs.update({f"Patient/{patient_id}", f"urn:uuid:{patient_id}"})
        if full_url:
            self.patient_refs.add(full_url)

    def about_other_patient(self, name: str, subject: Any) -> bool:
        """True (and recorded as a data issue naming the resource) when `subject` is not this patient.

        Only a reference that resolves to this Bundle's Patient counts as this patient: `Patient/<id>`
        (optionally `/_history/<v>`, or as an absolute URL ending so), the Patient's fullUrl, or a
        reference to the Patient entry itself.  Anything else -- another id, `Patient/<id>/`,
        `patient/<id>`, a `Group`, an unresolved `urn:uuid:`, a subject given only by identifier or
        display -- is not used.  With no Patient identity to compare against, nothing is judged."""
        if subject is None or not (self.patient_refs or self.patient_id):
            return False
        ref = ref_string(subject)
        if ref is None:
            self.issue(name, "its subject is given only by identifier or display, not as a reference to this "
                             "patient; not used")
            return True
        if not self.is_this_patient(ref):
            self.issue(name, f"refers to another patient or subject ({_short(ref)}); not used")
            return True
        return False

    def is_this_patient(self, ref: str) -> bool:
        if ref in self.patient_refs:
            return True
        if any(ch.isspace() for ch in ref) or "#" in ref or "?" in ref:
            return False
        target = self.index.get(ref)
        if target is not None:
            return target.get("resourceType") == "Patient" and self.patient_id is not None \
                and target.get("id") == self.patient_id
        if self.patient_id is None:
            return False
        parts = ref.split("/")
        if len(parts) >= 4 and parts[-2] == "_history" and parts[-1]:
            parts = parts[:-2]  # Type/id/_history/v
        if len(parts) < 2 or parts[-2] != "Patient" or parts[-1] != self.patient_id:
            return False
        return len(parts) == 2 or ref.startswith(("http://", "https://"))

    def other_patient(self, ref: str | None) -> bool:
        """True when a subject reference names anyone or anything other than this bundle's patient."""
        if not ref or not (self.patient_refs or self.patient_id):
            return False
        return not self.is_this_patient(ref)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."
