"""Observation -> snapshot results, vital signs, scale scores, smoking status and pregnancy status.

An Observation and each of its components (blood pressure, PHQ-9 items) are read as separate
measurements that share the Observation's time, specimen and status.  A measurement whose code the
engine uses but whose value or time cannot be read becomes an import issue naming it.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from pydantic import ValidationError

from .. import dose_timing
from ..errors import format_validation_error
from ..facts.model import PRESUMPTION
from ..snapshot.models import Result, ScaleScore, SmokingRecord, VitalSign
from .context import MapContext
from .values import (
    LOINC,
    SNOMED,
    UCUM,
    PartialDate,
    cc_text,
    codes_in,
    codings,
    local_datetime,
    number,
    ref_string,
)
from .vocabulary import PREGNANCY_STATUS

SKIP_STATUS = {"entered-in-error", "cancelled", "registered"}

# Pregnancy status answers (LOINC 82810-3): SNOMED CT and LOINC answer codes [U: from memory], then text.
PREGNANCY_CODES = {
    "77386006": "pregnant", "60001007": "not_pregnant", "261665006": "unknown",
    "LA15173-0": "pregnant", "LA26683-5": "not_pregnant", "LA4489-6": "unknown",
}
# PHQ-9/GAD-7 item answers (LOINC answer list LL358-3) and their scores [U: from memory].
ITEM_SCORES = {"LA6568-5": 0, "LA6569-3": 1, "LA6570-1": 2, "LA6571-9": 3}
ORDINAL_EXTENSIONS = ("http://hl7.org/fhir/StructureDefinition/ordinalValue",
                      "http://hl7.org/fhir/StructureDefinition/itemWeight")

# Specimen: SNOMED CT specimen types [U: from memory], then words in the specimen's text.
SPECIMEN_CODES = {"119364003": "serum", "119361006": "plasma", "119297000": "blood", "258580003": "blood",
                  "122575003": "urine", "119342007": "saliva"}
SPECIMEN_WORDS = (("dried urine", "dried_urine"), ("blood spot", "capillary_blood_spot"),
                  ("dried blood", "capillary_blood_spot"), ("capillary", "capillary_blood_spot"),
                  ("saliva", "saliva"), ("urine", "urine"), ("serum", "serum"), ("plasma", "plasma"),
                  ("blood", "blood"), ("ecg", "ecg"), ("ekg", "ecg"), ("electrocardiogram", "ecg"))
# v3 ObservationInterpretation codes -> the snapshot's flags.
FLAGS = {"H": "H", "L": "L", "N": "N", "A": "A", "HH": "HH", "LL": "LL", "HU": "HH", "LU": "LL", "AA": "A"}
_CENSORED = re.compile(r"^\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$")
_NUMBER = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*$")
_MISSING = object()


def relevant(raw: dict[str, Any], vocab: Any) -> bool:
    """Cheap test on the raw JSON: does this Observation or a component carry a code the engine uses?

    Unreadable structure counts as relevant, so that parsing reports it rather than skipping it."""
    try:
        if _code_relevant(raw["code"], vocab):
            return True
        return any(_code_relevant(c["code"], vocab) for c in raw.get("component") or ())
    except (KeyError, TypeError, AttributeError):
        return True


def _code_relevant(cc: dict[str, Any], vocab: Any) -> bool:
    codings = cc.get("coding") or ()
    for c in codings:
        if c.get("system") == LOINC:
            code = c.get("code", "")
            if vocab.loinc_relevant((code if type(code) is str else str(code)).strip()):
                return True
    text = cc.get("text")
    if isinstance(text, str) and vocab.name_relevant(text):
        return True
    for c in codings:
        display = c.get("display")
        if isinstance(display, str) and vocab.name_relevant(display):
            return True
    return False


def _classify(cc: Any, ctx: MapContext) -> tuple[str, Any, str | None] | None:
    """(section, detail, LOINC) of a code: vital kind, (scale, item), pregnancy, smoking, or analyte id."""
    v = ctx.vocab
    loincs = codes_in(cc, LOINC)
    for code in loincs:
        if code == PREGNANCY_STATUS:
            return "pregnancy", None, code
        if code in v.smoking:
            return "smoking", v.smoking[code], code
        if code in v.vitals:
            return "vital", v.vitals[code], code
        if code in v.scales:
            return "scale", v.scales[code], code
    for code in loincs:
        if code in v.analytes:
            return "result", v.analytes[code], code
    name = cc_text(cc)
    names = [n for n in [name, *(d for _, _, d in codings(cc))] if n]
    for n in names:
        analyte = v.analyte(None, n)
        if analyte:
            return "result", analyte, loincs[0] if loincs else None
    # Resembles a known test but maps to none: kept as a result the engine cannot read, so that it is
    # reported (GN-DQ-001) and a rule needing that test says "cannot assess" rather than "no result".
    if any(v.resembles(n) for n in names):
        return "result", None, loincs[0] if loincs else None
    return None


def map_observation(raw: dict[str, Any], obs: Any, name: str, ctx: MapContext) -> None:
    if obs.status in SKIP_STATUS:
        return
    if ctx.about_other_patient(name, obs.subject):
        return
    try:
        eff = obs.effectiveDateTime or (obs.effectivePeriod.start if obs.effectivePeriod else None) \
            or obs.effectiveInstant
        when: datetime | object | None = local_datetime(eff)
    except PartialDate as e:
        when = _MISSING
        partial = str(e)
    specimen = _specimen(obs, raw, ctx)
    timing = _dose_timing(obs, when if isinstance(when, datetime) else None)
    scales: dict[str, dict[str, int]] = {}
    parts: list[tuple[str, Any, Any]] = [(name, obs.code, obs)]
    for i, comp in enumerate(obs.component or []):
        loinc = codes_in(comp.code, LOINC)
        parts.append((f"{name}#{loinc[0] if loinc else i}", comp.code, comp))
    for rid, cc, holder in parts:
        kind = _classify(cc, ctx)
        if kind is None:
            continue
        section, detail, loinc = kind
        if holder is obs and _no_value(obs) and obs.component:
            continue  # a panel: its components carry the values
        if when is _MISSING:
            ctx.issue(rid, f"{partial}: the result cannot be placed in time")
            continue
        if when is None:
            ctx.issue(rid, "no effective date or time: the result cannot be placed in time")
            continue
        assert isinstance(when, datetime)
        ctx.seen(when.date())
        if section == "pregnancy":
            _pregnancy(rid, holder, when, ctx)
        elif section == "smoking":
            _smoking(rid, holder, detail, loinc, when, ctx)
        elif section == "vital":
            _vital(rid, holder, detail, when, ctx)
        elif section == "scale":
            score = _score(rid, holder, when, ctx)
            if score is not None and detail[1] in ("total", "item9"):
                scales.setdefault(detail[0], {})[detail[1]] = score
        else:
            _result(rid, cc, holder, detail, loinc, when, specimen, ctx, timing)
    for i, (scale, items) in enumerate(sorted(scales.items())):
        assert isinstance(when, datetime)
        sid = name if i == 0 else f"{name}#{scale}"
        try:
            ctx.scales.append(ScaleScore.model_validate({"id": sid, "scale": scale, "date": when.date(), **items}))
        except ValidationError as e:
            ctx.issue(sid, format_validation_error(e), when.date())


def _no_value(h: Any) -> bool:
    return all(getattr(h, f, None) is None for f in (
        "valueQuantity", "valueCodeableConcept", "valueString", "valueBoolean", "valueInteger", "valueRange",
        "valueRatio", "valueSampledData", "valueTime", "valueDateTime", "valuePeriod"))


def _absent(rid: str, h: Any, when: datetime, ctx: MapContext) -> None:
    reason = cc_text(h.dataAbsentReason) if h.dataAbsentReason is not None else None
    other = [f for f in ("valueRange", "valueRatio", "valueSampledData", "valueTime", "valueDateTime",
                         "valuePeriod") if getattr(h, f, None) is not None]
    if other:
        ctx.issue(rid, f"value given as {other[0]}, which Setpoint does not read", when.date())
    else:
        ctx.issue(rid, "no value" + (f" (data absent: {reason})" if reason else ""), when.date())


def _unit(q: Any, analyte: str | None, ctx: MapContext) -> str | None:
    """The unit the knowledge base converts from: the UCUM code or the printed unit."""
    options = [u for u in (q.code if q.system == UCUM else None, q.unit, q.code) if u and u.strip()]
    for u in options if analyte else ():
        if ctx.vocab.knowledge.unit_factor(analyte, u) is not None:
            return u
    return options[0] if options else None


def _result(rid: str, cc: Any, h: Any, analyte: str | None, loinc: str | None, when: datetime, specimen: str | None,
            ctx: MapContext, timing: dict[str, Any] | None = None) -> None:
    d: dict[str, Any] = {"id": rid, "code": loinc, "name": cc_text(cc) or loinc, "collected": when, **(timing or {})}
    if h.valueQuantity is not None and h.valueQuantity.value is not None:
        q = h.valueQuantity
        d.update(value=number(q.value), unit=_unit(q, analyte, ctx))
        if q.comparator in ("<", "<=", ">", ">="):
            d["comparator"] = q.comparator
    elif h.valueInteger is not None:
        d["value"] = h.valueInteger
    elif h.valueString is not None:
        m = _CENSORED.match(h.valueString)
        if m:
            d.update(comparator=m.group(1), value=number(Decimal(m.group(2))))
        elif _NUMBER.match(h.valueString):
            d["value"] = number(Decimal(h.valueString.strip()))
        else:
            d["value_text"] = h.valueString.strip()
    elif h.valueCodeableConcept is not None:
        text = cc_text(h.valueCodeableConcept) or next((c for _, c, _ in codings(h.valueCodeableConcept)), None)
        if text is None:
            ctx.issue(rid, "coded value without a code or text", when.date())
            return
        d["value_text"] = text
    elif h.valueBoolean is not None:
        d["value_text"] = "true" if h.valueBoolean else "false"
    else:
        _absent(rid, h, when, ctx)
        return
    if specimen:
        d["specimen"] = specimen
    if h.referenceRange:
        rr = h.referenceRange[0]
        low = number(rr.low.value) if rr.low is not None else None
        high = number(rr.high.value) if rr.high is not None else None
        if low is not None or high is not None or rr.text:
            d["reference_range"] = {"low": low, "high": high, "text": rr.text}
    for cc_i in h.interpretation or []:
        flag = next((FLAGS[c] for _, c, _ in codings(cc_i) if c in FLAGS), None)
        if flag:
            d["flag"] = flag
            break
    try:
        ctx.results.append(Result.model_validate(d))
    except ValidationError as e:
        ctx.issue(rid, format_validation_error(e), when.date())


_TIME_UNITS = {"h": 1.0, "hr": 1.0, "hour": 1.0, "hours": 1.0, "min": 1 / 60, "minutes": 1 / 60, "d": 24.0,
               "day": 24.0, "days": 24.0}


def _elapsed(q: Any) -> float | None:
    """Hours in a Quantity/Duration written in h, min or d (UCUM code or printed unit); None otherwise."""
    if q is None or q.value is None:
        return None
    for u in (q.code, q.unit):
        factor = _TIME_UNITS.get((u or "").strip().lower())
        if factor is not None and q.value >= 0:
            return round(float(q.value) * factor, 2)
    return None


def _dose_timing(obs: Any, when: datetime | None) -> dict[str, Any]:
    """How long after the last dose the sample was drawn, from wherever the record says it (most specific first):
    an extension or component giving the time since the dose as a duration, the result's notes, then its name.

    Returns snapshot fields: `hours_since_dose` when a duration is given, else `timing_note` (the words that
    say it, read by engine.dose_timing during normalisation); {} when the record says nothing."""
    for ext in obs.extension or []:
        url = (ext.url or "").lower()
        if "dose" not in url:
            continue
        hours = _elapsed(ext.valueDuration) if ext.valueDuration is not None else _elapsed(ext.valueQuantity)
        if hours is not None:
            return {"hours_since_dose": hours, "timing_note": f"{hours:g} h after the last dose (extension {ext.url})"}
        if ext.valueDateTime is not None and when is not None:
            try:
                last = local_datetime(ext.valueDateTime)
            except PartialDate:
                last = None
            if last is not None and last <= when and last.time() != time(0, 0) and when.time() != time(0, 0):
                hours = round((when - last).total_seconds() / 3600, 2)
                return {"hours_since_dose": hours,
                        "timing_note": f"last dose {last:%Y-%m-%d %H:%M}, sample {when:%Y-%m-%d %H:%M}"}
        if ext.valueString and dose_timing.read(ext.valueString):
            return {"timing_note": ext.valueString.strip()[:500]}
    for comp in obs.component or []:
        name = cc_text(comp.code) or ""
        if "dose" in name.lower():
            hours = _elapsed(comp.valueQuantity)
            if hours is not None:
                return {"hours_since_dose": hours, "timing_note": f"{name}: {hours:g} h"[:500]}
            if comp.valueString and dose_timing.read(comp.valueString):
                return {"timing_note": comp.valueString.strip()[:500]}
    texts = [n.text for n in obs.note or [] if n.text]
    texts += [obs.code.text, *(d for _, _, d in codings(obs.code))] if obs.code is not None else []
    said = dose_timing.first(texts)
    return {"timing_note": said.text[:500]} if said is not None else {}


def _vital(rid: str, h: Any, kind: str, when: datetime, ctx: MapContext) -> None:
    q = h.valueQuantity
    if q is None or q.value is None:
        if h.valueInteger is not None:
            ctx.issue(rid, f"{kind.replace('_', ' ')} without a unit", when.date())
        else:
            _absent(rid, h, when, ctx)
        return
    if q.comparator:
        ctx.issue(rid, f"{kind.replace('_', ' ')} is censored ({q.comparator}{number(q.value)}), not a measurement",
                  when.date())
        return
    analyte = "temperature_c" if kind == "temperature" else kind
    d = {"id": rid, "kind": kind, "value": number(q.value), "unit": _unit(q, analyte, ctx), "taken": when}
    try:
        ctx.vitals.append(VitalSign.model_validate(d))
    except ValidationError as e:
        ctx.issue(rid, format_validation_error(e), when.date())


def _ordinal(coding: Any) -> int | None:
    for ext in coding.extension or []:
        if ext.url in ORDINAL_EXTENSIONS:
            v = ext.valueDecimal if ext.valueDecimal is not None else ext.valueInteger
            n = number(v)
            if isinstance(n, int):
                return n
    return ITEM_SCORES.get(coding.code or "")


def _score(rid: str, h: Any, when: datetime, ctx: MapContext) -> int | None:
    if h.valueInteger is not None:
        return int(h.valueInteger)
    if h.valueQuantity is not None and h.valueQuantity.value is not None:
        n = number(h.valueQuantity.value)
        if isinstance(n, int) or (isinstance(n, float) and n.is_integer()):
            return int(n)
        ctx.issue(rid, f"score {n} is not a whole number", when.date())
        return None
    if h.valueCodeableConcept is not None:
        for c in h.valueCodeableConcept.coding or []:
            n = _ordinal(c)
            if n is not None:
                return n
        ctx.issue(rid, f"answer {cc_text(h.valueCodeableConcept)!r} has no score Setpoint recognises", when.date())
        return None
    if h.valueString is not None and h.valueString.strip().isdigit():
        return int(h.valueString.strip())
    ctx.issue(rid, "no score" + (f" (data absent: {cc_text(h.dataAbsentReason)})" if h.dataAbsentReason else ""),
              when.date())
    return None


def _pregnancy(rid: str, h: Any, when: datetime, ctx: MapContext) -> None:
    cc = h.valueCodeableConcept
    status = None
    if cc is not None:
        status = next((PREGNANCY_CODES[c] for _, c, _ in codings(cc) if c in PREGNANCY_CODES), None)
        if status is None:
            text = (cc_text(cc) or "").lower()
            status = "not_pregnant" if re.search(r"\bnot\b", text) else ("pregnant" if "pregnan" in text else None)
    if status is None:
        ctx.issue(rid, "pregnancy status answer not recognised", when.date())
        return
    ctx.pregnancy.append((when, status, rid))


def smoking_status(k: Any, cc: Any) -> str | None:
    """current | former | never | unknown from a coded answer (knowledge/smoking.yaml), else from its words."""
    systems = {SNOMED: "snomed", LOINC: "loinc"}
    for system, code, _ in codings(cc):
        found = k.smoking_answers.get((systems.get(system, ""), code))
        if found is not None:
            return str(found)
    texts = [t for t in (cc_text(cc), *(d for _, _, d in codings(cc))) if t]
    for text in texts:
        for pattern, status in k.smoking_patterns:
            if pattern.search(text):
                return str(status)
    return None


def _smoking(rid: str, h: Any, kind: str, loinc: str | None, when: datetime, ctx: MapContext) -> None:
    """A smoking-status answer (`kind` "status") or the amount smoked a day ("per_day"), as a SmokingRecord;
    an answer that cannot be read is a data issue naming the record."""
    k = ctx.vocab.knowledge
    d: dict[str, Any] = {"id": rid, "date": when.date()}
    if kind == "status":
        cc = h.valueCodeableConcept
        if cc is None:
            if h.valueString is not None and h.valueString.strip():
                cc = SimpleNamespace(text=h.valueString.strip(), coding=None)
            else:
                _absent(rid, h, when, ctx)
                return
        words = cc_text(cc) or next((f"{s} {c}" for s, c, _ in codings(cc)), None)
        status = smoking_status(k, cc)
        if status is None:
            ctx.issue(rid, f"smoking status answer {words!r} not recognised" if words
                      else "smoking status answer without a code or text", when.date())
            return
        d.update(status=status, answer=words[:200] if words else None)
    else:
        q = k.smoking_per_day[loinc]
        if h.valueQuantity is not None and h.valueQuantity.value is not None and not h.valueQuantity.comparator:
            amount = number(h.valueQuantity.value)
        elif h.valueInteger is not None:
            amount = h.valueInteger
        elif h.valueString is not None and _NUMBER.match(h.valueString):
            amount = number(Decimal(h.valueString.strip()))
        elif h.valueString is not None and h.valueString.strip():
            ctx.issue(rid, f"{q.name} {h.valueString.strip()[:80]!r} is not a number", when.date())
            return
        elif h.valueQuantity is not None and h.valueQuantity.comparator:
            ctx.issue(rid, f"{q.name} is censored ({h.valueQuantity.comparator}{number(h.valueQuantity.value)}), "
                           "not an amount", when.date())
            return
        else:
            _absent(rid, h, when, ctx)
            return
        if amount is None or amount < 0:
            ctx.issue(rid, f"{q.name} {amount} is not an amount", when.date())
            return
        d["answer"] = f"{amount:g} {q.name}"
        if q.factor != 1:
            d["per_day"] = round(float(amount) * q.factor, 4)
            d["note"] = f"{PRESUMPTION}{q.presumption}: {amount:g} {q.name} read as {d['per_day']:g} cigarettes a day"
        else:
            d["per_day"] = amount
    try:
        ctx.smoking.append(SmokingRecord.model_validate(d))
    except ValidationError as e:
        ctx.issue(rid, format_validation_error(e), when.date())


def _specimen(obs: Any, raw: dict[str, Any], ctx: MapContext) -> str | None:
    ref = obs.specimen
    if ref is None:
        return None
    texts: list[str] = [ref.display] if ref.display else []
    codes: list[str] = []
    target = ctx.resolve(ref_string(ref), raw)
    if target is not None:
        parsed = ctx.parse(target)
        if parsed.model is not None and parsed.model.type is not None:
            codes = codes_in(parsed.model.type, SNOMED)
            texts = [t for t in (cc_text(parsed.model.type), *texts) if t]
        elif parsed.model is None and target.get("resourceType") == "Specimen":
            ctx.unreadable(target, parsed.problem)
    for code in codes:
        if code in SPECIMEN_CODES:
            return SPECIMEN_CODES[code]
    for text in texts:
        low = text.lower()
        for word, kind in SPECIMEN_WORDS:
            if word in low:
                return kind
    return "other" if texts else None
