"""MedicationRequest, MedicationStatement and MedicationDispense -> snapshot medications.

Codes: RxNorm and ATC codings are kept; the product text (or the coding display) becomes the name,
so a product code the knowledge base does not list (Synthea's RxNorm clinical drugs, e.g. 328670
"Sertraline 100MG") still resolves through the ingredient names, and the route written in the
product name ("... Topical Cream", "... Transdermal System") is inferred by engine.normalize.

Status: active, on-hold, draft, intended and unknown are taken as current; completed and stopped as
stopped (on an unrecorded date unless a period end is given); cancelled, entered-in-error, declined
and not-taken are not medication use and are left out.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from pydantic import ValidationError

from ..errors import format_validation_error
from ..knowledge.load import Knowledge, norm_name, norm_unit
from ..snapshot.models import Medication, frequency_per_day
from . import sig
from .context import MapContext
from .values import ATC, RXNORM, SNOMED, PartialDate, cc_text, codings, number, ref_string, to_date

CURRENT = {"active", "on-hold", "draft", "intended", "unknown"}
STOPPED = {"completed", "stopped"}
NOT_USE = {"cancelled", "entered-in-error", "declined", "not-taken"}
# SNOMED CT route codes -> route classes of knowledge/medications.yaml [U: from memory]; any other
# route is read from its text ("Oral route" -> oral).
ROUTE_CODES = {
    "26643006": "oral", "6064005": "topical", "45890007": "transdermal", "16857009": "vaginal",
    "78421000": "intramuscular", "34206005": "subcutaneous", "47625008": "intravenous", "37839007": "sublingual",
    "54471007": "buccal", "46713006": "nasal", "37161004": "rectal",
}
PERIOD_DAYS = {"d": 1.0, "wk": 7.0, "mo": 30.0, "a": 365.0, "h": 1 / 24}
COUNT_UNITS = {"", "1", "tablet", "tablets", "tab", "tabs", "tbl", "capsule", "capsules", "cap", "caps", "each",
               "ea", "dose", "doses", "actuat", "pill", "pills"}
MASS_UNITS = {"mg", "ug", "g", "mcg"}
_STRENGTH = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(mg|mcg|ug|g)\b(?!\s*/)", re.IGNORECASE)
_CONCENTRATION = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(mg|mcg|ug)\s*/\s*ml\b", re.IGNORECASE)
_RATE_UNITS = re.compile(r"\d\s*(?:mg|mcg|ug|g|ml|unt|iu|meq)\s*/\s*(?:ml|hr|h|actuat|day|24hr)\b", re.IGNORECASE)


def map_medication(raw: dict[str, Any], model: Any, name: str, ctx: MapContext, covered: set[str]) -> None:
    """Map one medication resource; `covered` holds product keys already current from a MedicationRequest."""
    rtype = raw.get("resourceType")
    status = model.status or "unknown"
    if status in NOT_USE or (rtype == "MedicationDispense" and status == "stopped"):
        return
    if ctx.about_other_patient(name, getattr(model, "subject", None)):
        return
    if rtype == "MedicationStatement" and any(ctx.resolve(ref_string(r)) is not None for r in model.basedOn or []):
        return  # the MedicationRequest it reports on is in the bundle and mapped
    if rtype == "MedicationDispense" and any(
            ctx.resolve(ref_string(r)) is not None for r in model.authorizingPrescription or []):
        return  # dispensed against a MedicationRequest that is in the bundle and mapped
    cc, form, ref_display = _product(raw, model, ctx)
    codes = [{"system": "rxnorm" if s == RXNORM else "atc", "code": c} for s, c, _ in codings(cc) if s in (RXNORM, ATC)]
    label = cc_text(cc) or ref_display
    if not codes and not label:
        ref = ref_string(getattr(model, "medicationReference", None))
        ctx.issue(name, f"medication {ref!r} is not in the bundle" if ref else "no medication code or name",
                  None if status in CURRENT else _authored(model))
        return
    d = _dates(rtype, model, status, ctx)
    if rtype == "MedicationRequest" and d.get("start") is not None:
        first = _course_start(model, ctx)
        if first is not None and first < d["start"]:
            # This order replaces an earlier one (priorPrescription): a dose change, not a new start.
            d["last_dose_change"], d["start"] = d["start"], first
    # A dispense (completed, in progress, ...) is use from hand-over for the days supplied.
    current = (status in CURRENT or rtype == "MedicationDispense") and not d.get("stopped")
    key = _key(codes, label)
    if rtype != "MedicationRequest" and current and key & covered:
        return  # the same product is already current from a MedicationRequest
    dosages = (model.dosage if rtype == "MedicationStatement" else model.dosageInstruction) or []
    d.update(_dosage(dosages, label, ctx.vocab.knowledge, form))
    d.update(id=name, name=label, codes=codes)
    if status in STOPPED or d.get("end") is not None:
        d["stopped_without_taper"] = _untapered(model)
    try:
        med = Medication.model_validate({k: v for k, v in d.items() if v is not None})
    except ValidationError as e:
        ctx.issue(name, format_validation_error(e), None if current else d.get("end") or d.get("start"))
        return
    ctx.medications.append(med)
    if rtype == "MedicationRequest" and current:
        covered.update(key)


# How a stop is described in the status reason or a note: abruptly (True) or by a taper (False).
_ABRUPT = re.compile(r"\b(abrupt(ly)?|cold turkey|without (a )?taper|not tapered|no taper|ran out|run out|"
                     r"self[- ]discontinued|stopped suddenly|suddenly stopped)\b", re.IGNORECASE)
_TAPERED = re.compile(r"\b(tapered|taper(ing)? (off|completed|finished)|weaned|titrated off|gradual(ly)?)\b",
                      re.IGNORECASE)


def _untapered(model: Any) -> bool | None:
    """Whether the record says the medication was stopped without a taper (True), after one (False), or
    says nothing (None), read from the status reason and the notes."""
    reasons = getattr(model, "statusReason", None)
    texts = [cc_text(r) for r in (reasons if isinstance(reasons, list) else [reasons]) if r is not None]
    texts.append(cc_text(getattr(model, "statusReasonCodeableConcept", None)))
    texts += [n.text for n in getattr(model, "note", None) or [] if n.text]
    for t in texts:
        if t and _ABRUPT.search(t):
            return True
    for t in texts:
        if t and _TAPERED.search(t):
            return False
    return None


def _key(codes: list[dict[str, str]], label: str | None) -> set[str]:
    return {f"{c['system']}:{c['code']}" for c in codes} | ({f"name:{norm_name(label)}"} if label else set())


def _day(value: Any) -> date | None:
    """A date, or None when not given or partial ('2020-05'): an unknown start is read as unknown by the
    engine, whereas leaving the medication out would hide it."""
    try:
        return to_date(value)
    except PartialDate:
        return None


def _authored(model: Any) -> date | None:
    return _day(getattr(model, "authoredOn", None))


def _product(raw: dict[str, Any], model: Any, ctx: MapContext) -> tuple[Any, str | None, str | None]:
    """(product CodeableConcept, dose form text, reference display) from the concept or a Medication resource."""
    if model.medicationCodeableConcept is not None:
        return model.medicationCodeableConcept, None, None
    ref = model.medicationReference
    if ref is None:
        return None, None, None
    target = ctx.resolve(ref_string(ref), raw)
    if target is not None and target.get("resourceType") == "Medication":
        parsed = ctx.parse(target)
        if parsed.model is not None:
            return parsed.model.code, cc_text(parsed.model.form), ref.display
        ctx.unreadable(target, parsed.problem)
    return None, None, ref.display


def _dates(rtype: str, m: Any, status: str, ctx: MapContext) -> dict[str, Any]:
    start: date | None = None
    end: date | None = None
    note: str | None = None
    if rtype == "MedicationRequest":
        bounds = _bounds(m.dosageInstruction)
        validity = m.dispenseRequest.validityPeriod if m.dispenseRequest is not None else None
        start = (_day(bounds[0]) if bounds[0] else None) or _day(m.authoredOn) \
            or (_day(validity.start) if validity is not None else None)
        end = _day(bounds[1]) if bounds[1] else None
        if bounds[2] is not None and start is not None and end is None:
            end = start + timedelta(days=bounds[2])
        if end is None and status in STOPPED and validity is not None and _day(validity.end):
            # A stopped order with no stop date of its own: the end of its validity is the best date on
            # record (stated in the evidence, so washouts and abrupt stops can be assessed).
            end, note = _day(validity.end), "stop date taken from the end of the prescription's validity period"
        if status == "draft" and ctx.drafts_start is not None:
            start, end = ctx.drafts_start, None
    elif rtype == "MedicationStatement":
        if m.effectiveDateTime is not None:
            start = _day(m.effectiveDateTime)
        elif m.effectivePeriod is not None:
            start, end = _day(m.effectivePeriod.start), _day(m.effectivePeriod.end)
        if start is None and end is None:
            bounds = _bounds(m.dosage)
            start, end = (_day(bounds[0]) if bounds[0] else None), (_day(bounds[1]) if bounds[1] else None)
    else:  # MedicationDispense: taken from hand-over for the days supplied
        start = _day(m.whenHandedOver) or _day(m.whenPrepared)
        days = number(m.daysSupply.value) if m.daysSupply is not None else None
        if start is not None and days:
            end = start + timedelta(days=float(days))
    if start and end and end < start:
        end = None if status in CURRENT else end
    ctx.seen(start)
    stopped = status in STOPPED and rtype != "MedicationDispense"
    return {"start": start, "end": end, "stopped": True if stopped else None, "date_note": note}


def _course_start(model: Any, ctx: MapContext, depth: int = 0) -> date | None:
    """The start of the earliest order in the `priorPrescription` chain that is in the bundle, if any."""
    prior = getattr(model, "priorPrescription", None)
    target = ctx.resolve(ref_string(prior)) if prior is not None and depth < 20 else None
    if target is None or target.get("resourceType") != "MedicationRequest":
        return None
    parsed = ctx.parse(target)
    if parsed.model is None:
        return None
    bounds = _bounds(parsed.model.dosageInstruction)
    start = (_day(bounds[0]) if bounds[0] else None) or _day(parsed.model.authoredOn)
    earlier = _course_start(parsed.model, ctx, depth + 1)
    return min(d for d in (start, earlier) if d is not None) if (start or earlier) else None


def _bounds(dosages: list[Any] | None) -> tuple[Any, Any, float | None]:
    for dose in dosages or []:
        t = dose.timing.repeat if dose.timing is not None else None
        if t is None:
            continue
        if t.boundsPeriod is not None:
            return t.boundsPeriod.start, t.boundsPeriod.end, None
        if t.boundsDuration is not None and t.boundsDuration.value is not None:
            per = PERIOD_DAYS.get(t.boundsDuration.code or t.boundsDuration.unit or "")
            if per:
                return None, None, float(t.boundsDuration.value) * per
    return None, None, None


def _dosage(dosages: list[Any], label: str | None, k: Knowledge, form: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    first = dosages[0] if dosages else None
    route = _route(first.route, k) if first is not None and first.route is not None else None
    out["route"] = route or (_route_text(form, k) if form else None)
    if first is not None:
        out["prn"] = bool(first.asNeededBoolean or first.asNeededCodeableConcept is not None) or None
    if len(dosages) != 1 or first is None:
        return out  # several dosage lines (split or tapering doses): no single dose per day
    per_day, freq = _frequency(first)
    out["times_per_day"], out["frequency"] = per_day, freq
    dose = _dose(first, label)
    if dose is not None:
        out["dose"], out["dose_unit"] = dose
        return out
    written = first.text or first.patientInstruction
    if written:
        single = _single_strength(label or "")
        parsed = sig.parse(written, single, keep_count=single is None and _COMBINATION.search(label or "") is not None)
        if parsed:
            out.update(parsed, dose_source="instructions")
            if per_day or freq:  # a structured frequency wins over the one written
                out["times_per_day"], out["frequency"] = per_day, freq
    return out


# "estradiol 1 MG / norethindrone acetate 0.5 MG", "Auvelity 45 MG / 105 MG": a strength on each side of " / ".
_COMBINATION = re.compile(r"\d\s*(?:mg|mcg|ug|g)\b[^/]*\s/\s[^/]*\d\s*(?:mg|mcg|ug|g)\b", re.IGNORECASE)


def _single_strength(name: str) -> tuple[float, str] | None:
    """The strength of a single-ingredient product per unit ("Sertraline 100 MG Oral Tablet" -> 100 mg)."""
    if _RATE_UNITS.sub("", name).count("/") or _CONCENTRATION.search(name):
        return None
    found = _STRENGTH.findall(name)
    if len(found) != 1:
        return None
    amount, mass = found[0]
    return float(amount), norm_unit(mass.lower())


def _frequency(dose: Any) -> tuple[float | None, str | None]:
    timing = dose.timing
    if timing is None:
        return None, None
    t = timing.repeat
    if t is not None and t.frequency and t.period and t.periodUnit in PERIOD_DAYS:
        per_day = float(t.frequency) / (float(t.period) * PERIOD_DAYS[t.periodUnit])
        return (round(per_day, 6), None) if 0 < per_day <= 48 else (None, None)
    if timing.code is not None:
        for text in [c for _, c, _ in codings(timing.code)] + [cc_text(timing.code) or ""]:
            if text and frequency_per_day(text) is not None:
                return None, text
    return None, None


def _dose(dose: Any, label: str | None) -> tuple[float | int, str] | None:
    q = next((dr.doseQuantity for dr in dose.doseAndRate or [] if dr.doseQuantity is not None), None)
    if q is None or q.value is None or q.value <= 0:
        return None
    value = number(q.value)
    assert value is not None
    unit = norm_unit((q.unit or q.code or "").strip("{} ").lower())
    if unit in MASS_UNITS:
        return value, unit
    # A count of units ("1 tablet") of a single-ingredient product whose name gives its strength
    # ("Sertraline 100 MG Oral Tablet") is that many times the strength.  Combination products and
    # rates (MG/HR patches) are left without a dose.
    name = label or ""
    if _RATE_UNITS.sub("", name).count("/"):
        return None
    if unit.rstrip("s") in {u.rstrip("s") for u in COUNT_UNITS}:
        strength = _single_strength(name)
        return (round(float(value) * strength[0], 6), strength[1]) if strength is not None else None
    if unit == "ml":
        conc = _CONCENTRATION.findall(name)
        if len(conc) == 1 and not _STRENGTH.findall(name):
            amount, mass = conc[0]
            return round(float(value) * float(amount), 6), norm_unit(mass.lower())
    return None


def _route_text(text: str, k: Knowledge) -> str | None:
    t = norm_name(text)
    for candidate in (t, " ".join(w for w in t.split() if w not in ("route", "use", "of", "administration"))):
        if candidate in k.route_aliases:
            return k.route_aliases[candidate]
    m = k.route_pattern.search(t) if k.route_pattern is not None else None
    return k.route_aliases[m.group(1)] if m else None


def _route(cc: Any, k: Knowledge) -> str | None:
    for system, code, _ in codings(cc):
        if system == SNOMED and code in ROUTE_CODES:
            return ROUTE_CODES[code]
    for text in [cc_text(cc), *(d for _, _, d in codings(cc))]:
        if text and (route := _route_text(text, k)):
            return route
    return None
