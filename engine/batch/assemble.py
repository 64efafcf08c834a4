"""One patient's record from the index's slices: a Bundle file, an NDJSON line, or the resources of a
Bulk Data export gathered into a `collection` Bundle."""

from __future__ import annotations

import json
from typing import Any

from engine.batch.models import InputKind, PatientRef, Slice
from engine.errors import SetpointError


class RecordError(SetpointError):
    """The patient's data cannot be read (not JSON, a line that is not an object)."""


def _read(s: Slice) -> bytes:
    with open(s.file, "rb") as fh:
        if s.length < 0:
            return fh.read()
        fh.seek(s.offset)
        return fh.read(s.length)


def _parse(s: Slice, where: str) -> Any:
    try:
        return json.loads(_read(s))
    except OSError as e:
        raise RecordError(f"{where}: cannot read ({e.__class__.__name__}: {e.strerror or e})") from e
    except (ValueError, UnicodeDecodeError) as e:
        raise RecordError(f"{where}: not valid JSON ({e})") from e


def record(ref: PatientRef) -> Any:
    """The document handed to `Engine.evaluate`."""
    if ref.kind is not InputKind.bulk:
        return _parse(ref.slices[0], ref.source)
    entries = []
    for s in ref.slices:
        resource = _parse(s, f"{ref.source} ({s.file.rsplit('/', 1)[-1]} at byte {s.offset})")
        entries.append({"resource": resource})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}
