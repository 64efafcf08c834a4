"""A FHIR Bundle's bytes read with only the resources the engine uses built as Python objects.

A Synthea record or an EHR export is mostly resources the engine does not use (Encounter, Claim,
ExplanationOfBenefit, DiagnosticReport, ...), and building Python objects for all of them was about a fifth
of the evaluation of such a record.  Here the Bundle is decoded by msgspec with each entry's resource kept
as raw bytes; a resource of a type the mapper reads (`USED_TYPES`) is then parsed with orjson, and any other
becomes a stub holding only its `resourceType` and `id`, which is all the mapper reads of it (its name, the
reference index, the input counts).  The result is the same document for the mapper: the snapshot is
identical (tests/test_fhir_skim.py compares them on every fixture and the real-world corpus).

Anything this reader does not handle exactly like orjson (not a Bundle, a Bundle whose `entry` is not a list
of objects, a resource that is not an object, invalid JSON) returns None, and the caller parses the whole
document as before, so errors keep their messages.  Written here rather than with a library: what to skip
depends on which resource types the engine maps.
"""

from __future__ import annotations

from typing import Any

import msgspec
import orjson

from .light import CONTAINED_READ
from .mapper import ORDER

# The types the mapper reads beyond their name: mapped (ORDER), resolved by reference (Medication,
# Specimen), or flattened (a Bundle inside a Bundle).
USED_TYPES = frozenset((*ORDER, *CONTAINED_READ, "Bundle"))
_NULL = msgspec.Raw(b"null")


class _Head(msgspec.Struct):
    resourceType: Any = None
    id: Any = None


class _Entry(msgspec.Struct):
    fullUrl: Any = None
    resource: msgspec.Raw = _NULL


class _Bundle(msgspec.Struct):
    resourceType: Any = None
    type: Any = None
    entry: list[_Entry] | None = None


_BUNDLE = msgspec.json.Decoder(_Bundle)
_HEAD = msgspec.json.Decoder(_Head)


def read_bundle(data: bytes) -> dict[str, Any] | None:
    """The Bundle in `data` with unused resources as stubs, or None (not a Bundle, or anything unusual)."""
    try:
        doc = _BUNDLE.decode(data)
        if doc.resourceType != "Bundle" or doc.entry is None:
            return None
        entries: list[dict[str, Any]] = []
        for e in doc.entry:
            item: dict[str, Any] = {} if e.fullUrl is None else {"fullUrl": e.fullUrl}
            raw = e.resource
            if raw is not _NULL:  # an explicit null is not an object: _HEAD refuses it, and orjson reads it all
                head = _HEAD.decode(raw)
                if head.resourceType in USED_TYPES or not isinstance(head.resourceType, str):
                    item["resource"] = orjson.loads(memoryview(raw))
                else:
                    stub: dict[str, Any] = {"resourceType": head.resourceType}
                    if head.id is not None:
                        stub["id"] = head.id
                    item["resource"] = stub
            entries.append(item)
    except (msgspec.DecodeError, msgspec.ValidationError, orjson.JSONDecodeError):
        return None
    out: dict[str, Any] = {"resourceType": "Bundle", "entry": entries}
    if doc.type is not None:
        out["type"] = doc.type
    return out
