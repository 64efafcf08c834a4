"""The strict FHIR path: one resource (a JSON object) validated whole with fhir.resources, leniently and with a
content cache (`--strict-fhir`; the default is the fast path, engine.fhir.light).

Only resources the engine uses reach this module; everything else in a Bundle is skipped by its
`resourceType` without parsing (a whole Synthea bundle takes ~0.6 s to validate, its relevant part
~30 ms).

Lenient on purpose, in two narrow ways that never change clinical content:
- `id`: the R4 pattern ([A-Za-z0-9-.]) is not enforced; an id is only a label here (the CDS Hooks
  specification's own examples use non-ASCII hyphens);
- elements unknown to the model (e.g. the specification's `"...": "<snipped>"` placeholders) are
  dropped.
Any other validation error makes the resource unreadable, reported with the field and problem.

Validation costs ~0.2 ms per resource, and EHRs send the same resources on every hook call, so
parsed results are cached by content (a digest of the JSON value, so a changed resource is a new
entry).  functools.lru_cache cannot key on dicts; the small LRU below is guarded by a lock.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import marshal
import threading
from collections import OrderedDict
from typing import Any

from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.medication import Medication
from fhir.resources.R4B.medicationdispense import MedicationDispense
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.procedure import Procedure
from fhir.resources.R4B.specimen import Specimen
from pydantic import ValidationError

from ..errors import validation_items
from .light import Parsed

__all__ = ["MODELS", "Parsed", "parse"]

MODELS: dict[str, type[Any]] = {
    m.__name__: m
    for m in (Patient, Condition, Procedure, Observation, MedicationRequest, MedicationStatement, MedicationDispense,
              Medication, Specimen, OperationOutcome)
}
CACHE_SIZE = 8192


class _LRU:
    def __init__(self, size: int):
        self.size = size
        self.data: OrderedDict[bytes, Parsed] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: bytes) -> Parsed | None:
        with self.lock:
            hit = self.data.get(key)
            if hit is not None:
                self.data.move_to_end(key)
            return hit

    def put(self, key: bytes, value: Parsed) -> None:
        with self.lock:
            self.data[key] = value
            if len(self.data) > self.size:
                self.data.popitem(last=False)


_cache = _LRU(CACHE_SIZE)


def _digest(raw: dict[str, Any]) -> bytes | None:
    try:
        return hashlib.blake2b(marshal.dumps(raw), digest_size=20).digest()
    except ValueError:  # a value marshal cannot write (not from a JSON parser): no caching
        return None


def _drop(data: Any, loc: tuple[Any, ...]) -> None:
    for part in loc[:-1]:
        data = data[part]
    if isinstance(data, dict):
        data.pop(loc[-1], None)


def _ignorable(e: dict[str, Any]) -> bool:
    return e["type"] == "extra_forbidden" or tuple(e["loc"]) == ("id",)


def parse(raw: dict[str, Any]) -> Parsed:
    """Parse a resource of a type in MODELS; never raises."""
    model = MODELS.get(str(raw.get("resourceType")))
    if model is None:
        return Parsed(None, f"resource type {raw.get('resourceType')!r} is not read by Setpoint")
    key = _digest(raw)
    if key is not None and (hit := _cache.get(key)) is not None:
        return hit
    result = _parse(model, raw)
    if key is not None:
        _cache.put(key, result)
    return result


def _parse(model: type[Any], raw: dict[str, Any]) -> Parsed:
    try:
        return Parsed(model.model_validate(raw))
    except ValidationError as err:
        errors = err.errors(include_url=False)
        if not all(_ignorable(e) for e in errors):
            problems = [f"{where}: {msg}" for where, msg in validation_items(err)
                        if not where.startswith("id") and "Extra inputs" not in msg]
            return Parsed(None, "not valid FHIR R4: " + "; ".join(problems[:3]))
    except Exception as err:  # e.g. a malformed primitive rejected by a root validator, or fhir.resources
        # failing on a shape it does not expect (AttributeError for `"_status": "2020"`): reported, never raised
        return Parsed(None, f"not valid FHIR R4: {err}")
    cleaned = copy.deepcopy(raw)
    for e in sorted(errors, key=lambda e: len(e["loc"]), reverse=True):
        with contextlib.suppress(KeyError, IndexError, TypeError):
            _drop(cleaned, tuple(e["loc"]))
    try:
        return Parsed(model.model_validate(cleaned))
    except Exception as err:
        detail = "; ".join(f"{w}: {m}" for w, m in validation_items(err)[:3]) if isinstance(err, ValidationError) \
            else str(err)
        return Parsed(None, f"not valid FHIR R4: {detail}")
