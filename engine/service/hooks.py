"""One hook call: the data gathered for it -> snapshot -> evaluation -> cards.  Runs in an evaluation
worker process (`work.py`, `pool.py`), or for `replay` and tests in the calling thread.

Evaluation is deterministic (same data, rule base and date give the same findings), and an EHR
sends the same chart again each time it is opened, so results are kept in a small LRU keyed by a
digest of the hook, its context, the prefetch, the date and the rule base hash (`ResultCache`; the
service keeps the rendered cards in it, per worker).  Only calls answered from the prefetch alone are
cached (data fetched from a FHIR server may have changed); cards always get new uuids.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson

from ..core import Engine
from ..fhir import entries
from ..fhir.context import resource_name
from ..findings import EvaluationResult
from .cards import OrderContext, cards
from .models import OrderSelectContext, OrderSignContext, PatientViewContext
from .prefetch import Gathered
from .store import IssuedCard


@dataclass(frozen=True)
class HookOutcome:
    cards: list[dict[str, Any]]
    issued: list[IssuedCard]
    result: EvaluationResult


def draft_orders(context: PatientViewContext) -> tuple[list[tuple[dict[str, Any], str | None]], OrderContext]:
    """The orders being placed (order-select / order-sign), and their record ids in the snapshot."""
    if not isinstance(context, OrderSignContext):
        return [], OrderContext()
    found = entries(context.draftOrders, "request", "context.draftOrders")
    names = frozenset(resource_name(raw, where) for where, raw, _ in found)
    selected: frozenset[str] = frozenset()
    if isinstance(context, OrderSelectContext):
        wanted = set(context.selections)
        selected = frozenset(resource_name(raw, where) for where, raw, _ in found
                             if resource_name(raw, where) in wanted or str(raw.get("id")) in wanted)
    return [(raw, full) for _, raw, full in found], OrderContext(drafts=names, selected=selected)


class ResultCache:
    def __init__(self, size: int = 256):
        self.size = size
        self._data: OrderedDict[bytes, Any] = OrderedDict()  # (result, patient ref); the service keeps cards
        self._lock = threading.Lock()

    @staticmethod
    def key(*parts: Any) -> bytes | None:
        """A digest of the parts (JSON values as parsed; orjson keeps 1, 1.0 and true apart and is about
        twice marshal's speed on a 200 KB prefetch); None, so no caching, for what orjson cannot write."""
        try:
            return hashlib.blake2b(orjson.dumps(parts), digest_size=20).digest()
        except (orjson.JSONEncodeError, ValueError):
            return None

    def get(self, key: bytes) -> Any:
        with self._lock:
            hit = self._data.get(key)
            if hit is not None:
                self._data.move_to_end(key)
            return hit

    def put(self, key: bytes, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            if len(self._data) > self.size:
                self._data.popitem(last=False)


def evaluate(eng: Engine, gathered: Gathered, drafts: list[tuple[dict[str, Any], str | None]],
             as_of: date) -> tuple[EvaluationResult, str | None]:
    """(result, patient reference) for the gathered data and the draft orders."""
    # Drafts first: a draft that repeats a stored order (same id) is read as the order being placed.
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"resource": r, **({"fullUrl": f} if f else {})} for r, f in [*drafts, *gathered.entries]]}
    snap = eng.snapshot(bundle, as_of=as_of, source="request")
    snap = snap.model_copy(update={"data_issues": [*gathered.issues, *snap.data_issues]})
    pid = snap.patient.id
    return eng.evaluate(snap, as_of=as_of), f"Patient/{pid}" if pid else None


def evaluate_and_cache(eng: Engine, gathered: Gathered, drafts: list[tuple[dict[str, Any], str | None]], as_of: date,
                       cache: ResultCache | None, key: bytes | None) -> tuple[EvaluationResult, str | None]:
    out = evaluate(eng, gathered, drafts, as_of)
    if cache is not None and key is not None:
        cache.put(key, out)
    return out


def run(eng: Engine, gathered: Gathered, context: PatientViewContext, as_of: date,
        cache: ResultCache | None = None, key: bytes | None = None) -> HookOutcome:
    """The whole call in one thread (the service splits it: cache look-up and cards on the event loop)."""
    drafts, orders = draft_orders(context)
    hit = cache.get(key) if cache is not None and key is not None else None
    if hit is None:
        hit = evaluate_and_cache(eng, gathered, drafts, as_of, cache, key)
    result, patient_ref = hit
    made, issued = cards(eng, result.findings, orders, patient_ref)
    return HookOutcome(made, issued, result)
