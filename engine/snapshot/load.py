"""Read a snapshot from a path, a JSON/YAML string, a dict or a Snapshot, with errors that name the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from engine.errors import SnapshotError, format_validation_error
from engine.snapshot.models import Snapshot

if TYPE_CHECKING:
    from engine.knowledge.load import Knowledge


def parse_text(text: str, source: str) -> Any:
    try:
        if text.lstrip().startswith(("{", "[")):
            return json.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as e:
        raise SnapshotError(f"{source}: not valid JSON (line {e.lineno}, column {e.colno}): {e.msg}") from e
    except yaml.YAMLError as e:
        raise SnapshotError(f"{source}: not valid YAML or JSON: {e}") from e


def read_document(data: Any, source: str | None = None) -> tuple[Any, str]:
    """(parsed document, a name for it in messages)."""
    if isinstance(data, Path):
        try:
            text = data.read_text(encoding="utf-8")
        except FileNotFoundError as e:
            raise SnapshotError(f"{data}: file not found") from e
        except (UnicodeDecodeError, IsADirectoryError) as e:
            raise SnapshotError(f"{data}: cannot read as text ({e.__class__.__name__})") from e
        return parse_text(text, str(data)), str(data)
    if isinstance(data, str):
        looks_like_path = "\n" not in data and not data.lstrip().startswith(("{", "[")) and (
            data.endswith((".json", ".yaml", ".yml")) or Path(data).is_file())
        if looks_like_path:
            return read_document(Path(data), source)
        return parse_text(data, source or "input"), source or "input"
    return data, source or "input"


def to_snapshot(doc: Any, source: str, knowledge: Knowledge | None = None) -> Snapshot:
    """`knowledge` decides which FHIR entries are relevant (default: the bundled knowledge base)."""
    if isinstance(doc, Snapshot):
        return doc
    if isinstance(doc, dict) and doc.get("resourceType") == "Bundle":
        from engine.fhir import bundle_to_snapshot  # FHIR support loads only when a Bundle arrives

        doc = bundle_to_snapshot(doc, knowledge, source)
    if not isinstance(doc, dict):
        raise SnapshotError(f"{source}: a snapshot must be a mapping with at least 'patient', got {type(doc).__name__}")
    try:
        return Snapshot.model_validate(doc)
    except ValidationError as e:
        raise SnapshotError(f"{source}: {format_validation_error(e)}") from e
