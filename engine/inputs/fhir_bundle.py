"""The FHIR R4 Bundle format (collection, searchset, transaction, ... as EHRs and Synthea export them).

Mapping lives in `engine.fhir`; it is imported only when a Bundle arrives."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ..knowledge.load import Knowledge
from ..snapshot.models import Snapshot
from .snapshot import SnapshotDocument


class FhirBundle:
    name = "fhir-bundle"

    def detect(self, doc: Mapping[str, Any]) -> bool:
        return doc.get("resourceType") == "Bundle"

    def to_snapshot(self, doc: Mapping[str, Any], *, source: str, knowledge: Knowledge,
                    drafts_start: date | None = None, strict_fhir: bool = False) -> Snapshot:
        from ..fhir import bundle_to_snapshot

        mapped = bundle_to_snapshot(dict(doc), knowledge, source, drafts_start=drafts_start, strict=strict_fhir)
        return SnapshotDocument().to_snapshot(mapped, source=source, knowledge=knowledge)
