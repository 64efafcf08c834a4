"""The snapshot format (JSON or YAML): Setpoint's own patient document, validated strictly."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import ValidationError

from ..errors import SnapshotError, format_validation_error
from ..knowledge.load import Knowledge
from ..snapshot.models import Snapshot


class SnapshotDocument:
    name = "snapshot"

    def detect(self, doc: Mapping[str, Any]) -> bool:
        return "resourceType" not in doc and "patient" in doc

    def to_snapshot(self, doc: Mapping[str, Any], *, source: str, knowledge: Knowledge,
                    drafts_start: date | None = None, strict_fhir: bool = False) -> Snapshot:
        try:
            return Snapshot.model_validate(doc)
        except ValidationError as e:
            raise SnapshotError(f"{source}: {format_validation_error(e)}") from e
