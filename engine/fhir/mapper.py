"""A FHIR R4 Bundle -> a snapshot-shaped dict (items already validated) with its import issues.

Entries are sorted by resourceType: the types the engine uses are read (engine.fhir.light, or
engine.fhir.parse on the strict path) and mapped; Medication and Specimen are read only when something
references them; everything else (Encounter, Claim, ExplanationOfBenefit, Immunization, ...) is skipped
without parsing.  A relevant entry that cannot be read becomes a `data_issues` item naming it, which rule
GN-DQ-010 reports.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from .. import paths
from ..errors import SnapshotError
from ..knowledge.load import Knowledge, load_knowledge
from ..snapshot.models import InputCounts, TypeCounts
from . import light
from .clinical import map_condition, map_outcome, map_patient, map_procedure, procedure_relevant
from .context import MapContext, content_identity, resource_name
from .medications import map_medication
from .observations import map_observation
from .observations import relevant as observation_relevant
from .vocabulary import vocabulary

BUNDLE_TYPES = ("collection", "searchset", "transaction", "batch", "document", "history", "message",
                "transaction-response", "batch-response")
MEDICATION_TYPES = ("MedicationRequest", "MedicationStatement", "MedicationDispense")
# Processing order: requests before statements and dispenses (which are dropped when they repeat a request).
ORDER = {"Patient": 0, "Condition": 1, "Procedure": 2, "MedicationRequest": 3, "MedicationStatement": 4,
         "MedicationDispense": 5, "Observation": 6, "OperationOutcome": 7}
MAX_NESTING = 3


def is_bundle(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("resourceType") == "Bundle"


@lru_cache(maxsize=1)
def _default_knowledge() -> Knowledge:
    return load_knowledge(paths.knowledge_dir())


def entries(doc: dict[str, Any], source: str, where: str = "Bundle",
            depth: int = 0) -> list[tuple[str, dict, str | None]]:
    """(location, resource, fullUrl) of every entry, nested Bundles flattened; SnapshotError for a malformed Bundle."""
    btype = doc.get("type")
    if btype not in BUNDLE_TYPES:
        raise SnapshotError(f"{source}: {where}.type: {btype!r} is not a FHIR Bundle type "
                            f"(expected one of {', '.join(BUNDLE_TYPES)})")
    raw_entries = doc.get("entry", [])
    if not isinstance(raw_entries, list):
        raise SnapshotError(f"{source}: {where}.entry: must be a list of entries, got {type(raw_entries).__name__}")
    out: list[tuple[str, dict, str | None]] = []
    for i, e in enumerate(raw_entries):
        loc = f"{where}.entry[{i}]"
        if not isinstance(e, dict):
            raise SnapshotError(f"{source}: {loc}: must be an object, got {type(e).__name__}")
        res = e.get("resource")
        if res is None:
            continue  # e.g. a DELETE in a transaction, or a response entry without a body
        if not isinstance(res, dict) or not isinstance(res.get("resourceType"), str):
            raise SnapshotError(f"{source}: {loc}.resource: must be a FHIR resource (an object with resourceType)")
        full = e.get("fullUrl") if isinstance(e.get("fullUrl"), str) else None
        if res["resourceType"] == "Bundle" and depth < MAX_NESTING:
            out.extend(entries(res, source, loc + ".resource", depth + 1))
        else:
            out.append((loc, res, full))
    return out


def _relevant(raw: dict[str, Any], ctx: MapContext) -> bool:
    rtype = raw["resourceType"]
    if rtype == "Observation":
        return observation_relevant(raw, ctx.vocab)
    if rtype == "Procedure":
        return procedure_relevant(raw, ctx.vocab)
    return rtype in ORDER


def bundle_to_snapshot(doc: dict[str, Any], knowledge: Knowledge | None = None, source: str = "input", *,
                       drafts_start: date | None = None, strict: bool = False) -> dict[str, Any]:
    """Map a Bundle into the snapshot's sections; raises SnapshotError only for a malformed Bundle or
    one that holds more than one patient.  `strict`: validate each resource whole with fhir.resources
    (engine.fhir.parse) instead of reading only what the engine uses (engine.fhir.light, the default)."""
    if strict:
        from . import parse

        reader: light.Parser = parse.parse
    else:
        reader = light.parse
    ctx = MapContext(vocabulary(knowledge or _default_knowledge()), drafts_start=drafts_start, parse=reader)
    found = entries(doc, source)
    for _, raw, full in found:
        ctx.add(raw, full)
    patients: dict[str, tuple[str, dict, str | None]] = {}
    for where, raw, full in found:
        if raw["resourceType"] == "Patient":
            key = str(raw.get("id") or full or where)
            first = patients.setdefault(key, (where, raw, full))
            if first[1] is not raw and content_identity(first[1]) != content_identity(raw):
                raise SnapshotError(f"{source}: the Bundle holds two different Patient resources with the id "
                                    f"{key!r} ({first[0]} and {where}); which one is the patient cannot be told")
    if len(patients) > 1:
        names = ", ".join(resource_name(raw, where) for where, raw, _ in patients.values())
        raise SnapshotError(f"{source}: the Bundle holds {len(patients)} patients ({names}); "
                            "a snapshot is one patient")
    patient: dict[str, Any] = {}
    if patients:
        where, raw, full = next(iter(patients.values()))
        name = resource_name(raw, where)
        parsed = ctx.parse(raw)
        rid = raw.get("id")
        ctx.set_patient(rid if isinstance(rid, str) else None, full)
        if parsed.model is None:
            ctx.issue(name, parsed.problem or "unreadable")
        else:
            patient = map_patient(raw, parsed.model, name, ctx)
    names = [resource_name(raw, where) for where, raw, _ in found]
    relevant = sorted(((ORDER.get(raw["resourceType"], 9), i, raw)
                       for i, (_, raw, _) in enumerate(found)
                       if raw["resourceType"] != "Patient" and _relevant(raw, ctx)), key=lambda t: (t[0], t[1]))
    done: set[str] = set()
    covered: set[str] = set()
    for _, i, raw in relevant:
        name = names[i]
        if name in done:
            continue  # the same resource twice (e.g. under two prefetch keys)
        done.add(name)
        parsed = ctx.parse(raw)
        if parsed.model is None:
            ctx.issue(name, parsed.problem or "unreadable")
            continue
        rtype = raw["resourceType"]
        if rtype == "Condition":
            map_condition(raw, parsed.model, name, ctx)
        elif rtype == "Procedure":
            map_procedure(raw, parsed.model, name, ctx)
        elif rtype in MEDICATION_TYPES:
            map_medication(raw, parsed.model, name, ctx, covered)
        elif rtype == "Observation":
            map_observation(raw, parsed.model, name, ctx)
        elif rtype == "OperationOutcome":
            map_outcome(parsed.model, name, ctx)
    _pregnancy(patient, ctx)
    weights = [v for v in ctx.vitals if v.kind == "weight"]
    if weights:
        latest = max(weights, key=lambda v: v.taken)
        patient["weight"] = {"value": latest.value, "unit": latest.unit}
    return {"patient": patient, "conditions": ctx.conditions, "medications": ctx.medications,
            "results": ctx.results, "vitals": ctx.vitals, "scales": ctx.scales, "smoking": ctx.smoking,
            "data_issues": ctx.issues,
            "input": _counts(found, names, ctx, patient_used=bool(patient))}


def _counts(found: list[tuple[str, dict, str | None]], names: list[str], ctx: MapContext, *,
            patient_used: bool) -> InputCounts:
    """Each resource (once, however often it appears) as used, not readable or not relevant.

    Used: something in the snapshot came from it (items keep the resource's name as their id, components as
    `name#code`), it answered the pregnancy question, or a used resource referenced it (a Medication, a
    Specimen) and it could be read.  Not readable: it is named in a data issue and nothing came from it.
    Everything else is of a type or code the engine does not use, or in a status it skips (entered-in-error,
    cancelled)."""
    produced = {str(item.id).split("#", 1)[0]
                for section in (ctx.conditions, ctx.medications, ctx.results, ctx.vitals, ctx.scales, ctx.smoking)
                for item in section if item.id}
    produced.update(src.split("#", 1)[0] for _, _, src in ctx.pregnancy)
    reported = {i.source.split("#", 1)[0] for i in ctx.issues}
    referenced = ctx.referenced
    per_type: dict[str, list[int]] = {}  # type -> [read, used, not readable, not relevant]
    seen: set[str] = set()
    for (_, raw, _), name in zip(found, names, strict=True):
        if name in seen:
            continue
        seen.add(name)
        rtype = raw["resourceType"]
        if rtype == "Patient":
            outcome = 1 if patient_used else (2 if name in reported else 3)
        elif name in produced:
            outcome = 1
        elif name in reported:
            outcome = 2
        elif id(raw) in referenced:
            outcome = 1
        else:
            outcome = 3
        c = per_type.get(rtype)
        if c is None:
            c = per_type[rtype] = [0, 0, 0, 0]
        c[0] += 1
        c[outcome] += 1
    totals = [sum(c[k] for c in per_type.values()) for k in range(4)]
    return InputCounts(format="fhir", read=totals[0], used=totals[1], not_readable=totals[2], not_relevant=totals[3],
                       by_type={t: TypeCounts(read=c[0], used=c[1], not_readable=c[2], not_relevant=c[3])
                                for t, c in sorted(per_type.items())})


def _pregnancy(patient: dict[str, Any], ctx: MapContext) -> None:
    """The latest pregnancy-status answer, with its date: how long it stays valid is decided from the
    evaluation date in normalisation (engine.normalize), the same for every input."""
    if not ctx.pregnancy:
        return
    when, status, _ = max(ctx.pregnancy, key=lambda p: (p[0], p[2]))
    if status != "unknown":
        patient["pregnancy"] = status
        patient["pregnancy_recorded"] = when.date().isoformat()
