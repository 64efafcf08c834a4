"""One patient's record from the index's slices: a Bundle file, an NDJSON line, or the resources of a
Bulk Data export gathered into a `collection` Bundle."""

from __future__ import annotations

import json
from typing import Any

import orjson

from ..errors import SetpointError
from ..inputs.text import read_bundle
from .models import InputKind, PatientRef


class RecordError(SetpointError):
    """The patient's data cannot be read (not JSON, a line that is not an object)."""


def _read(path: str, offset: int, length: int) -> bytes:
    with open(path, "rb") as fh:
        if length < 0:
            return fh.read()
        fh.seek(offset)
        return fh.read(length)


def _parse(path: str, offset: int, length: int, where: str) -> Any:
    try:
        raw = _read(path, offset, length)
        bundle = read_bundle(raw)  # a whole Bundle (folder, NDJSON): unused resources are not built
        if bundle is not None:
            return bundle
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            return json.loads(raw)  # what orjson refuses (a byte-order mark, a lone surrogate) or json's message
    except OSError as e:
        raise RecordError(f"{where}: cannot read ({e.__class__.__name__}: {e.strerror or e})") from e
    except (ValueError, UnicodeDecodeError) as e:
        raise RecordError(f"{where}: not valid JSON ({e})") from e


def record(ref: PatientRef, files: tuple[str, ...]) -> Any:
    """The document handed to `Engine.evaluate`."""
    if ref.kind is not InputKind.bulk:
        file, offset, length = ref.slices[0]
        return _parse(files[file], offset, length, ref.source)
    entries = []
    for file, offset, length in ref.slices:
        path = files[file]
        resource = _parse(path, offset, length, f"{ref.source} ({path.rsplit('/', 1)[-1]} at byte {offset})")
        entries.append({"resource": resource})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}
