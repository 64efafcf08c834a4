"""Derive the facts the rule base needs from a normalised case.

Every window, "latest result", absence and dose is computed here, in Python,
before matching.  A fact that cannot be established is returned as *unknown*
with the reason, never as a default value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from datetime import date, time

from engine.facts.model import EvidenceItem, FactValue
from engine.facts.spec import Check, FactSpec
from engine.knowledge.load import Knowledge
from engine.normalize import Case, NormMed, NormResult, age_at, membership

Deriver = Callable[[Knowledge, Case, FactSpec], FactValue]
# Evidence is built from snapshot fields that pydantic already validated: construct without re-validating
# (a hot path, ~300 items per evaluation).
_evidence = EvidenceItem.model_construct
CHILDBEARING_AGES = (12, 55)
SCALE_LABELS = {"phq9": "PHQ-9", "gad7": "GAD-7"}


def _med_ev(m: NormMed, note: str | None = None) -> EvidenceItem:
    parts = [m.dose_text] if m.dose_text else []
    if m.route:
        parts.append(m.route)
    # Built from already-validated snapshot fields on a hot path: construct without re-validation.
    return EvidenceItem.model_construct(
        label=m.label, value=", ".join(parts) or None, unit=None, date=m.last_start_or_change(),
        record=m.record_id, note=note or ("compounded" if m.compounded else None),
    )


def _result_ev(r: NormResult) -> EvidenceItem:
    if r.value is not None:
        value: float | str | None = round(r.value, 4)
        unit = r.unit
    else:
        value = r.value_text if r.raw_value is None else f"{r.comparator or ''}{r.raw_value:g}"
        unit = r.raw_unit
    return _evidence(label=r.label, value=value, unit=unit, date=r.day, record=r.record_id,
                        note=r.problem or r.note or (None if r.specimen in ("serum", "ecg") else r.specimen))


def _days(a: date, b: date) -> int:
    return (a - b).days


# ------------------------------------------------------------------ medications


def _meds_in(k: Knowledge, case: Case, set_id: str) -> list[tuple[NormMed, bool | None]]:
    return [(case.meds[i], v) for i, v in membership(k, case, set_id).items()]


def d_med_active(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    comp, prn = spec.param("compounded"), spec.param("prn")
    sure, maybe = [], []
    for m, v in _meds_in(k, case, spec.param("set")):
        if not m.active(case.as_of):
            continue
        if comp is not None and m.compounded != comp:
            continue
        if prn is not None and m.prn != prn:
            continue
        (sure if v else maybe).append(m)
    if sure:
        return FactValue(spec.key, True, True, tuple(_med_ev(m) for m in sure))
    if maybe:
        return FactValue(spec.key, False, None, tuple(_med_ev(m, "route or dose not recorded") for m in maybe),
                         f"cannot tell whether {', '.join(m.label for m in maybe)} belongs to {spec.param('set')}"
                         " (route or dose not recorded)")
    return FactValue(spec.key, True, False, (), f"no active medication in {spec.param('set')}")


def _windowed_meds(k: Knowledge, case: Case, spec: FactSpec, when: Callable[[NormMed], date | None],
                   what: str, undated: Callable[[NormMed], bool] = lambda m: False) -> FactValue:
    days = spec.param("days")
    hits, unknown, maybe = [], [], []
    for m, v in _meds_in(k, case, spec.param("set")):
        d = when(m)
        if v and d is not None and 0 <= _days(case.as_of, d) <= days:
            hits.append(m)
        elif v and d is None and undated(m):
            unknown.append(m)
        elif v is None and d is not None and 0 <= _days(case.as_of, d) <= days:
            maybe.append(m)  # in the window, but set membership depends on a missing route or dose
    if hits:
        return FactValue(spec.key, True, True, tuple(_med_ev(m, f"{what} {when(m)}") for m in hits))
    if unknown:
        return FactValue(spec.key, False, None, tuple(_med_ev(m) for m in unknown),
                         f"{what} date of {unknown[0].label} not recorded")
    if maybe:
        return FactValue(spec.key, False, None, tuple(_med_ev(m, "route or dose not recorded") for m in maybe),
                         f"cannot tell whether {maybe[0].label} belongs to {spec.param('set')} "
                         "(route or dose not recorded)")
    return FactValue(spec.key, True, False, (), f"no {spec.param('set')} {what} within {days} days")


def d_med_stopped_within(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    # Stopped means an end date before the evaluation date.  A product stopped on an unrecorded date
    # (snapshot `stopped` without `end`) stopped after it started: certainly within the window when it
    # started within it, otherwise unknown, never "no".
    recent = [m for m, v in _meds_in(k, case, spec.param("set"))
              if v and m.source.stopped and m.end is None and m.start is not None
              and 0 <= _days(case.as_of, m.start) <= spec.param("days")]
    if recent:
        return FactValue(spec.key, True, True,
                         tuple(_med_ev(m, f"started {m.start}, stopped on an unrecorded date") for m in recent))
    return _windowed_meds(k, case, spec, lambda m: m.end if m.end and m.end < case.as_of else None, "stopped",
                          undated=lambda m: m.source.stopped and m.end is None)


def d_med_started_within(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    # An active product with no start date might have started yesterday: unknown, not "no".
    return _windowed_meds(k, case, spec, lambda m: m.start if m.active(case.as_of) else None, "started",
                          undated=lambda m: m.active(case.as_of))


def d_med_changed_within(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    return _windowed_meds(k, case, spec, lambda m: m.last_start_or_change() if m.active(case.as_of) else None,
                          "start or dose change", undated=lambda m: m.active(case.as_of))


def d_days_since_med_change(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    active = [(m, v) for m, v in _meds_in(k, case, spec.param("set")) if v and m.active(case.as_of)]
    dated = [m for m, _ in active if m.last_start_or_change()]
    if not active:
        return FactValue(spec.key, False, None, (), f"no active {spec.param('set')}")
    if not dated:
        return FactValue(spec.key, False, None, tuple(_med_ev(m) for m, _ in active),
                         f"start or dose-change date of {active[0][0].label} not recorded")
    latest = max(dated, key=lambda m: m.last_start_or_change() or date.min)
    d = latest.last_start_or_change()
    assert d is not None
    return FactValue(spec.key, True, float(_days(case.as_of, d)), (_med_ev(latest),))


def d_daily_dose(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    active = [m for m, v in _meds_in(k, case, spec.param("set")) if v and m.active(case.as_of)]
    if not active:
        return FactValue(spec.key, False, None, (), f"no active {spec.param('set')}")
    dosed = [m for m in active if m.daily_mg is not None]
    if not dosed:
        return FactValue(spec.key, False, None, tuple(_med_ev(m) for m in active),
                         f"daily dose of {active[0].label} cannot be computed (dose, unit or frequency missing)")
    total = sum(m.daily_mg for m in dosed if m.daily_mg is not None)
    ev = tuple(_med_ev(m, f"{m.daily_mg:g} mg/day") for m in dosed)
    if len(dosed) < len(active):
        return FactValue(spec.key, False, None, ev, "daily dose of some products cannot be computed")
    return FactValue(spec.key, True, round(total, 6), ev)


def d_count_active(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    seen: dict[str, NormMed] = {}
    for set_id in spec.param("sets"):
        for m, v in _meds_in(k, case, set_id):
            if v and m.active(case.as_of):
                seen.setdefault(m.record_id, m)
    return FactValue(spec.key, True, float(len(seen)), tuple(_med_ev(m) for m in seen.values()))


# ------------------------------------------------------------------ conditions and patient


def d_condition(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    status = spec.param("status")
    hits = [
        c for c in case.conditions
        if spec.param("set") in c.sets and (status == "any" or c.status == status
                                              or (status == "history" and c.status == "resolved"))
    ]
    if hits:
        return FactValue(spec.key, True, True, tuple(
            _evidence(label=c.label, date=c.onset, record=c.record_id, note=c.status) for c in hits))
    return FactValue(spec.key, True, False, (), f"no condition in {spec.param('set')}")


def _uterus_absent_by_code(case: Case) -> bool:
    return any("VS_UTERUS_ABSENT" in c.sets for c in case.conditions)


def _patient_value(k: Knowledge, case: Case, field: str) -> tuple[object | None, str | None, tuple[EvidenceItem, ...]]:
    """(value, reason-if-unknown, evidence)."""
    p = case.snapshot.patient
    if field == "age":
        if case.age is None:
            return None, "age and birth date not recorded", ()
        src = f"born {p.birth_date}" if p.birth_date else "age as recorded"
        return float(case.age), None, (_evidence(label="age", value=case.age, unit="years", note=src),)
    if field == "sex":
        if p.sex == "unknown":
            return None, "sex not recorded", ()
        return p.sex, None, (_evidence(label="sex", value=p.sex),)
    if field == "pregnant":
        if p.pregnancy == "unknown":
            return None, "pregnancy status unknown", ()
        return p.pregnancy == "pregnant", None, (_evidence(label="pregnancy status", value=p.pregnancy),)
    if field == "uterus_present":
        if p.uterus == "unknown":
            if _uterus_absent_by_code(case):
                return False, None, (_evidence(label="uterus", value="absent", note="coded hysterectomy"),)
            return None, "uterus status (hysterectomy) not recorded", ()
        return p.uterus == "present", None, (_evidence(label="uterus", value=p.uterus),)
    if field == "postmenopausal":
        if p.menopause_date or any("VS_MENOPAUSE" in c.sets for c in case.conditions):
            return True, None, (_evidence(label="menopause", value="documented", date=p.menopause_date),)
        if p.sex == "male":
            return False, None, (_evidence(label="sex", value="male"),)
        return None, "menopausal status not recorded", ()
    if field == "years_since_menopause":
        if not p.menopause_date:
            return None, "menopause date not recorded", ()
        yrs = _days(case.as_of, p.menopause_date) / 365.25
        return round(yrs, 2), None, (_evidence(label="menopause date", date=p.menopause_date),)
    if field == "weight_kg":
        if p.weight is None or not p.weight.unit:
            return None, "weight (with unit) not recorded", ()
        f = k.unit_factor("weight", p.weight.unit) if "weight" in k.analytes else None
        if f is None:
            return None, f"weight unit {p.weight.unit!r} not recognised", ()
        return float(p.weight.value) * f, None, (_evidence(label="weight", value=p.weight.value,
                                                             unit=p.weight.unit),)
    if field == "fertility_goal":
        if p.fertility_goal is None:
            return None, "fertility plans not recorded", ()
        return p.fertility_goal, None, (_evidence(label="fertility goal", value=p.fertility_goal),)
    if field == "childbearing_potential":
        return _childbearing(case)
    raise ValueError(field)


def _childbearing(case: Case) -> tuple[object | None, str | None, tuple[EvidenceItem, ...]]:
    p = case.snapshot.patient
    if p.sex == "male":
        return False, None, (_evidence(label="sex", value="male"),)
    if p.sex == "unknown":
        return None, "sex not recorded", ()
    if p.sex == "other":
        return None, "childbearing potential cannot be derived from sex 'other'", ()
    if case.age is None:
        return None, "age not recorded", ()
    ev = [_evidence(label="sex", value=p.sex), _evidence(label="age", value=case.age, unit="years")]
    lo, hi = CHILDBEARING_AGES
    if not lo <= case.age <= hi:
        return False, None, tuple(ev)
    if p.menopause_date or any("VS_MENOPAUSE" in c.sets or "VS_BSO" in c.sets for c in case.conditions):
        return False, None, (*ev, _evidence(label="menopause or bilateral oophorectomy", value="documented"))
    if p.uterus == "absent" or _uterus_absent_by_code(case):
        return False, None, (*ev, _evidence(label="uterus", value="absent"))
    return True, None, tuple(ev)


def d_patient(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    value, reason, ev = _patient_value(k, case, spec.param("field"))
    if value is None:
        return FactValue(spec.key, False, None, ev, reason)
    return FactValue(spec.key, True, value, ev)


def d_patient_unknown(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    value, reason, ev = _patient_value(k, case, spec.param("field"))
    if value is None:
        return FactValue(spec.key, True, True, (_evidence(label=spec.param("field"), value="unknown",
                                                            note=reason),))
    return FactValue(spec.key, True, False, ev)


# ------------------------------------------------------------------ results


def _in_window(case: Case, day: date, days: int) -> bool:
    return 0 <= _days(case.as_of, day) <= days


def _future(case: Case, rs: Iterable[NormResult]) -> list[NormResult]:
    return [r for r in rs if r.day > case.as_of]


def _latest(rs: list[NormResult]) -> NormResult | None:
    return max(rs, key=lambda r: (r.collected, r.record_id)) if rs else None


def _clock(s: str) -> time:
    h, m = s.split(":")
    return time(int(h), int(m))


def d_lab(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    analyte, days, between = spec.param("analyte"), spec.param("days"), spec.param("between")
    name = k.analytes[analyte].name
    mine = [r for r in case.results if r.analyte == analyte]
    interpreted = k.analytes[analyte].interpreted_specimens
    in_window = [r for r in mine if _in_window(case, r.day, days)]
    if between:
        lo, hi = _clock(between[0]), _clock(between[1])
        in_window = [r for r in in_window if lo <= r.collected.time() <= hi]
    usable = [r for r in in_window if r.value is not None and r.specimen in interpreted]
    latest_any = _latest([r for r in in_window if r.specimen in interpreted])
    if latest_any is not None and latest_any.value is None:
        # The latest result cannot be used (unit, implausible, censored): never fall back to an older one.
        return FactValue(spec.key, False, None, (_result_ev(latest_any),),
                         f"latest {name} ({latest_any.day}) cannot be assessed: {latest_any.problem}")
    latest = _latest(usable)
    if latest is not None:
        return FactValue(spec.key, True, latest.value, (_result_ev(latest),))
    older = _latest([r for r in mine if r.value is not None and r.day <= case.as_of])
    window = f" collected {between[0]}-{between[1]}" if between else ""
    if older is not None:
        return FactValue(spec.key, False, None, (_result_ev(older),),
                         f"no {name} result{window} within {days} days (latest {older.day}, "
                         f"{_days(case.as_of, older.day)} days old)")
    future = _future(case, mine)
    if future:
        return FactValue(spec.key, False, None, tuple(_result_ev(r) for r in future),
                         f"{name} result is dated after the evaluation date {case.as_of}")
    return FactValue(spec.key, False, None, (), f"no {name} result{window} on record")


def d_lab_missing(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    inner = d_lab(k, case, FactSpec(spec.key, "number", "lab", (("analyte", spec.param("analyte")),
                                                              ("days", spec.param("days")), ("between", None)),
                                    spec.describe))
    if inner.known:
        return FactValue(spec.key, True, False, inner.evidence)
    return FactValue(spec.key, True, True, inner.evidence, inner.reason)


def d_lab_since_med_change(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    changed = d_days_since_med_change(k, case, FactSpec("", "number", "", (("set", spec.param("set")),), ""))
    if not changed.known:
        return FactValue(spec.key, False, None, changed.evidence, changed.reason)
    since = case.as_of.toordinal() - int(changed.value) + spec.param("min_days_after")
    hits = [r for r in case.results
            if r.analyte == spec.param("analyte") and r.value is not None
            and since <= r.day.toordinal() <= case.as_of.toordinal()]
    if hits:
        latest = _latest(hits)
        assert latest is not None
        return FactValue(spec.key, True, True, (*changed.evidence, _result_ev(latest)))
    return FactValue(spec.key, True, False, changed.evidence,
                     f"no {spec.param('analyte')} result since the change")


def d_lab_specimen(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    hits = [r for r in case.results
            if r.analyte in spec.param("analytes") and r.specimen in spec.param("specimens")
            and _in_window(case, r.day, spec.param("days"))]
    if hits:
        return FactValue(spec.key, True, True, tuple(_result_ev(r) for r in sorted(hits, key=lambda r: r.record_id)))
    return FactValue(spec.key, True, False, ())


def d_lab_unusable(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    # Analytes interpreted in no specimen (urinary "neurotransmitters", dried-urine metabolite panels) never
    # reach a threshold: their unit cannot hide anything, and only their presence feeds evidence warnings.
    bad = [r for r in case.results
           if r.problem and _in_window(case, r.day, spec.param("days"))
           and not r.problem.endswith("serum cut-offs do not apply")
           and (r.analyte is None or k.analytes[r.analyte].interpreted_specimens)]
    if bad:
        return FactValue(spec.key, True, True, tuple(_result_ev(r) for r in bad))
    return FactValue(spec.key, True, False, ())


def d_scale(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    scale, item, days = spec.param("scale"), spec.param("item"), spec.param("days")
    label = f"{SCALE_LABELS.get(scale, scale)} {'item 9' if item == 'item9' else item}"
    scores = [s for s in case.snapshot.scales if s.scale == scale and getattr(s, item) is not None
              and s.date <= case.as_of]
    recent = [s for s in scores if _days(case.as_of, s.date) <= days]
    if recent:
        latest = max(recent, key=lambda s: s.date)
        v = getattr(latest, item)
        return FactValue(spec.key, True, float(v), (_evidence(label=label, value=v, date=latest.date,
                                                                 record=latest.id),))
    if scores:
        latest = max(scores, key=lambda s: s.date)
        return FactValue(spec.key, False, None, (_evidence(label=label, value=getattr(latest, item),
                                                              date=latest.date),),
                         f"no {label} within {days} days (latest {latest.date})")
    return FactValue(spec.key, False, None, (), f"no {label} on record")


def d_vital(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    kind, days = spec.param("kind"), spec.param("days")
    analyte = "temperature_c" if kind == "temperature" else kind
    a = k.analytes[analyte]
    vitals = [v for v in case.snapshot.vitals if v.kind == kind and v.taken.date() <= case.as_of]
    recent = [v for v in vitals if _days(case.as_of, v.taken.date()) <= days]
    if not recent:
        why = f"no {kind.replace('_', ' ')} within {days} days" if vitals else f"no {kind.replace('_', ' ')} on record"
        return FactValue(spec.key, False, None, (), why)
    latest = max(recent, key=lambda v: v.taken)
    ev = _evidence(label=kind.replace("_", " "), value=latest.value, unit=latest.unit, date=latest.taken.date(),
                      record=latest.id)
    factor = k.unit_factor(analyte, latest.unit) if latest.unit else None
    if factor is None:
        return FactValue(spec.key, False, None, (ev,), f"{kind.replace('_', ' ')} unit missing or not recognised")
    value = float(latest.value) * factor
    if not a.plausible.min <= value <= a.plausible.max:
        return FactValue(spec.key, False, None, (ev,), f"{kind.replace('_', ' ')} {latest.value} is implausible")
    return FactValue(spec.key, True, value, (ev,))


def d_note(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    kind, days = spec.param("kind"), spec.param("days")
    notes = [n for n in case.snapshot.notes
             if n.kind == kind and n.value is not False and _in_window(case, n.date, days)]
    if notes:
        return FactValue(spec.key, True, True, tuple(_evidence(label=kind.replace("_", " "), value=n.value,
                                                                  date=n.date, record=n.id) for n in notes))
    return FactValue(spec.key, True, False, ())


# ------------------------------------------------------------------ neurochemistry facts
# Washout after a stop, lithium sample timing, result trends, opioid MME, benzodiazepine tapering,
# scales after a change, missing vitals, medication started after a test, specimen mismatch, fractions.

# A washout can only be checked when the second product's start date is known; a stopped product older
# than this is not asked about (its washout is long past and cannot be acted on).
WASHOUT_LOOKBACK_DAYS = 365
# Lithium: a 12-hour trough is acceptable from 10 to 14 hours after the dose (catalogue N22 [S]).
TROUGH_HOURS = (10.0, 14.0)
# "Regular" benzodiazepine use: at least 4 days a week (catalogue N33).
REGULAR_PER_DAY = 4 / 7
# A product of the same set starting this close to another's end continues it (a taper step or a switch).
CONTINUATION_DAYS = 2


def d_med_started_after_stop(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    days, today = spec.param("days"), case.as_of.toordinal()
    started = [m for m, v in _meds_in(k, case, spec.param("set")) if v and m.active(case.as_of)]
    stopped = [m for m, v in _meds_in(k, case, spec.param("after")) if v and m.end and m.end <= case.as_of]
    undated: list[tuple[NormMed, NormMed]] = []
    for a in started:
        for b in stopped:
            if a.record_id == b.record_id or b.end is None:
                continue
            if a.start is None:
                if today - b.end.toordinal() <= WASHOUT_LOOKBACK_DAYS:
                    undated.append((a, b))
                continue
            gap = _days(a.start, b.end)
            if 0 <= gap <= days:
                return FactValue(spec.key, True, True, (
                    _med_ev(b, f"stopped {b.end}"), _med_ev(a, f"started {a.start}, {gap} days after the stop")))
    if undated:
        a, b = undated[0]
        return FactValue(spec.key, False, None, (_med_ev(a), _med_ev(b, f"stopped {b.end}")),
                         f"start date of {a.label} not recorded (needed to check the washout after "
                         f"{b.label} stopped on {b.end})")
    return FactValue(spec.key, True, False, (), f"nothing in {spec.param('set')} started within {days} days "
                                                 f"after {spec.param('after')} was stopped")


def _latest_result(k: Knowledge, case: Case, analyte: str, days: int) -> tuple[FactValue, NormResult | None]:
    """The latest usable result as `lab` selects it, with the record itself."""
    fv = d_lab(k, case, FactSpec("", "number", "lab", (("analyte", analyte), ("days", days), ("between", None)), ""))
    if not fv.known:
        return fv, None
    rid = fv.evidence[0].record
    return fv, next(r for r in case.results if r.record_id == rid)


def d_lab_dose_timing(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    fv, r = _latest_result(k, case, spec.param("analyte"), spec.param("days"))
    if r is None:
        return FactValue(spec.key, False, None, fv.evidence, fv.reason)
    h = r.hours_since_dose
    ev = _evidence(label=f"{r.label}: hours since last dose", value=h, unit="h" if h is not None else None,
                      date=r.day, record=r.record_id, note=None if h is not None else "not recorded")
    lo, hi = TROUGH_HOURS
    timing = "unrecorded" if h is None else ("early" if h < lo else ("late" if h > hi else "trough"))
    return FactValue(spec.key, True, timing, (*fv.evidence, ev))


def _usable(k: Knowledge, r: NormResult) -> bool:
    return r.value is not None and r.analyte is not None and r.specimen in k.analytes[r.analyte].interpreted_specimens


def d_lab_trend(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    analyte, lookback, measure = spec.param("analyte"), spec.param("lookback"), spec.param("measure")
    fv, latest = _latest_result(k, case, analyte, spec.param("days"))
    if latest is None or latest.value is None:
        return FactValue(spec.key, False, None, fv.evidence, fv.reason)
    earlier = [r for r in case.results if r.analyte == analyte and _usable(k, r)
               and 0 < _days(latest.day, r.day) <= lookback]
    if measure == "prior_count":
        return FactValue(spec.key, True, float(len(earlier)), (*fv.evidence, *(_result_ev(r) for r in earlier)))
    if not earlier:
        return FactValue(spec.key, False, None, fv.evidence,
                         f"no earlier {k.analytes[analyte].name} result within {lookback} days before {latest.day}")
    if measure == "previous":
        prev = _latest(earlier)
        assert prev is not None and prev.value is not None
        return FactValue(spec.key, True, prev.value, (*fv.evidence, _result_ev(prev)))
    ref = max(earlier, key=lambda r: (r.value or 0.0, r.collected))
    assert ref.value is not None
    if ref.value == 0:
        return FactValue(spec.key, False, None, (*fv.evidence, _result_ev(ref)),
                         "earlier result is zero: a percentage change cannot be computed")
    pct = round(100 * (latest.value - ref.value) / ref.value, 4)
    return FactValue(spec.key, True, pct, (*fv.evidence, _result_ev(ref)))


def d_lab_text(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    analyte, days = spec.param("analyte"), spec.param("days")
    a = k.analytes[analyte]
    rs = [r for r in case.results if r.analyte == analyte and r.specimen in a.interpreted_specimens
          and _in_window(case, r.day, days)]
    latest = _latest(rs)
    if latest is None:
        # "Reported as X" is positive evidence only: no result is not that report (rules that need the test
        # itself use lab_missing).
        return FactValue(spec.key, True, False, (), f"no {a.name} result within {days} days")
    text = (latest.value_text or "").strip().lower()
    return FactValue(spec.key, True, text in spec.param("values"), (_result_ev(latest),))


def d_total_mme(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    active = [m for m, v in _meds_in(k, case, spec.param("set")) if v and m.active(case.as_of)]
    total, ev = 0.0, []
    for m in active:
        factors = [k.concepts[c].mme_factor for c in m.concepts if k.concepts[c].mme_factor]
        if not factors:
            return FactValue(spec.key, False, None, (_med_ev(m),), f"no morphine-equivalent factor for {m.label}")
        if m.route != "oral":
            why = "route not recorded" if m.route is None else f"factor applies to oral doses, not {m.route}"
            return FactValue(spec.key, False, None, (_med_ev(m),), f"morphine equivalents of {m.label}: {why}")
        if m.daily_mg is None:
            return FactValue(spec.key, False, None, (_med_ev(m),),
                             f"daily dose of {m.label} cannot be computed (dose, unit or frequency missing)")
        mme = m.daily_mg * max(factors)
        total += mme
        ev.append(_med_ev(m, f"{m.daily_mg:g} mg/day x {max(factors):g} = {mme:g} MME/day"))
    return FactValue(spec.key, True, round(total, 4), tuple(ev))


def _regular(m: NormMed) -> bool:
    per_day = m.source.per_day()
    return not m.prn and (per_day is None or per_day >= REGULAR_PER_DAY)


def d_med_stopped_untapered(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    days, min_use = spec.param("days"), spec.param("min_use")
    members = [m for m, v in _meds_in(k, case, spec.param("set")) if v]
    hits, unknown = [], []
    for m in members:
        if m.end is None or not 0 <= _days(case.as_of, m.end) <= days or not _regular(m):
            continue
        if any(o is not m and o.start is not None and -1 <= _days(o.start, m.end) <= CONTINUATION_DAYS
               for o in members):
            continue  # a lower-dose step or a switch within the set, not a stop
        if min_use and (m.start is None or _days(m.end, m.start) < min_use):
            if m.start is None and m.source.stopped_without_taper is not False:
                unknown.append((m, f"start date of {m.label} not recorded (duration of use unknown)"))
            continue
        flag = m.source.stopped_without_taper
        if flag is True:
            hits.append(m)
        elif flag is None:
            unknown.append((m, f"whether {m.label} (stopped {m.end}) was tapered is not recorded"))
    if hits:
        return FactValue(spec.key, True, True, tuple(_med_ev(m, f"stopped {m.end} without a taper") for m in hits))
    if unknown:
        return FactValue(spec.key, False, None, tuple(_med_ev(m) for m, _ in unknown), unknown[0][1])
    return FactValue(spec.key, True, False, (), f"no regularly used {spec.param('set')} stopped without a taper "
                                                 f"within {days} days")


def _dose_on(ms: list[NormMed], day: date) -> tuple[float | None, list[NormMed]]:
    on = [m for m in ms if (m.start is None or m.start <= day) and (m.end is None or m.end >= day)]
    if any(m.daily_mg is None for m in on):
        return None, on
    return sum(m.daily_mg or 0.0 for m in on), on


def d_dose_reduction(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    days, min_use = spec.param("days"), spec.param("min_use")
    by_concept: dict[str, list[NormMed]] = {}
    for m, v in _meds_in(k, case, spec.param("set")):
        if v and m.concepts:
            by_concept.setdefault(m.concepts[0], []).append(m)
    today = case.as_of.toordinal()
    spans = [(date.fromordinal(today - days), case.as_of), (case.as_of, date.fromordinal(today + days))]
    best: float = 0.0
    best_ev: tuple[EvidenceItem, ...] = ()
    unknown: tuple[tuple[EvidenceItem, ...], str] | None = None
    for ms in by_concept.values():
        for early, late in spans:
            before, on_before = _dose_on(ms, early)
            after, on_after = _dose_on(ms, late)
            if not on_before or not on_after:
                continue  # not taken at one end: a start or a stop, not a reduction
            ev = tuple(_med_ev(m, f"taken on {early}") for m in on_before) + tuple(
                _med_ev(m, f"taken on {late}") for m in on_after if m not in on_before)
            if before is None or after is None:
                unknown = unknown or (ev, f"daily dose of {ms[0].label} cannot be computed")
                continue
            if before <= 0 or after >= before:
                continue
            pct = round(100 * (before - after) / before, 4)
            starts = [m.start for m in ms]
            regular = all(_regular(m) for m in on_before)
            if not regular or pct <= best:
                continue
            if min_use and any(s is None for s in starts):
                unknown = unknown or (ev, f"start date of {ms[0].label} not recorded (duration of use unknown)")
                continue
            if min_use and _days(early, min(s for s in starts if s is not None)) < min_use:
                continue
            best, best_ev = pct, ev
    # A definite reduction is reported even if another product's dose is unknown (it is a lower bound).
    if unknown is not None and best == 0:
        return FactValue(spec.key, False, None, unknown[0], unknown[1])
    return FactValue(spec.key, True, best, best_ev)


def d_scale_since_med_change(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    changed = d_days_since_med_change(k, case, FactSpec("", "number", "", (("set", spec.param("set")),), ""))
    if not changed.known:
        return FactValue(spec.key, False, None, changed.evidence, changed.reason)
    since = case.as_of.toordinal() - int(changed.value)
    hits = [s for s in case.snapshot.scales
            if s.scale in spec.param("scales") and since <= s.date.toordinal() <= case.as_of.toordinal()]
    if hits:
        s = max(hits, key=lambda x: x.date)
        return FactValue(spec.key, True, True, (*changed.evidence, _evidence(
            label=SCALE_LABELS.get(s.scale, s.scale), value=s.total, date=s.date, record=s.id)))
    return FactValue(spec.key, True, False, changed.evidence, "no symptom scale since the change")


def d_vital_missing(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    inner = d_vital(k, case, FactSpec(spec.key, "number", "vital", spec.params, spec.describe))
    if inner.known:
        return FactValue(spec.key, True, False, inner.evidence)
    # A vital sign may also arrive as a result (e.g. body weight LOINC 29463-7).
    analyte = "temperature_c" if spec.param("kind") == "temperature" else spec.param("kind")
    as_results = [r for r in case.results if r.analyte == analyte and _usable(k, r)
                  and _in_window(case, r.day, spec.param("days"))]
    if as_results:
        latest = _latest(as_results)
        assert latest is not None
        return FactValue(spec.key, True, False, (_result_ev(latest),))
    return FactValue(spec.key, True, True, inner.evidence, inner.reason)


def d_med_started_after_lab(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    days = spec.param("days")
    tests = [r for r in case.results if r.analyte in spec.param("analytes") and r.specimen in spec.param("specimens")
             and _in_window(case, r.day, spec.param("lookback"))]
    if not tests:
        return FactValue(spec.key, True, False, (), "no such result")
    undated = []
    for r in sorted(tests, key=lambda x: (x.collected, x.record_id)):
        for m in case.meds:
            if m.start is None:
                if m.active(case.as_of):
                    undated.append((r, m))
                continue
            if 0 <= _days(m.start, r.day) <= days:
                return FactValue(spec.key, True, True, (_result_ev(r), _med_ev(m, f"started {m.start}")))
    if undated:
        r, m = undated[0]
        return FactValue(spec.key, False, None, (_result_ev(r), _med_ev(m)),
                         f"start date of {m.label} not recorded (was it started after the {r.label} test?)")
    return FactValue(spec.key, True, False, tuple(_result_ev(r) for r in tests))


def d_lab_specimen_mismatch(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    blood = {"serum", "plasma", "blood"}
    hits = [r for r in case.results
            if r.analyte is not None and r.specimen in spec.param("specimens")
            and blood & set(k.analytes[r.analyte].interpreted_specimens)
            and r.specimen not in k.analytes[r.analyte].interpreted_specimens
            and _in_window(case, r.day, spec.param("days"))]
    if hits:
        return FactValue(spec.key, True, True, tuple(_result_ev(r) for r in sorted(hits, key=lambda r: r.record_id)))
    return FactValue(spec.key, True, False, ())


def d_lab_fraction(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    a = k.analytes[spec.param("analyte")]
    if a.fraction_below is None:
        return FactValue(spec.key, True, False, (), f"{a.name} has no fraction form")
    hits = [r for r in case.results
            if r.analyte == a.id and r.value is not None and r.raw_value is not None
            and r.raw_value < a.fraction_below and _in_window(case, r.day, spec.param("days"))]
    if hits:
        return FactValue(spec.key, True, True, tuple(_result_ev(r) for r in sorted(hits, key=lambda r: r.record_id)))
    return FactValue(spec.key, True, False, ())


def d_data_issue(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    # Records supplied but not readable (snapshot `data_issues`, e.g. from FHIR import): undated ones
    # always count, since they cannot be placed outside the window.
    days = spec.param("days")
    hits = [i for i in case.snapshot.data_issues if i.date is None or _in_window(case, i.date, days)]
    if hits:
        return FactValue(spec.key, True, True, tuple(
            _evidence(label=i.source, date=i.date, record=i.source, note=i.problem) for i in hits))
    return FactValue(spec.key, True, False, (), "every supplied record could be read")


# ------------------------------------------------------------------ hormone facts (course starts, baselines,
# dose changes after a result, result counts and timing, indications, glucocorticoid equivalents)


def _active_in(k: Knowledge, case: Case, set_id: str) -> list[NormMed]:
    return [m for m, v in _meds_in(k, case, set_id) if v and m.active(case.as_of)]


def _course_start(k: Knowledge, case: Case, set_id: str, which: str) -> tuple[date | None, NormMed | None, str | None]:
    """Start of the current course of `set_id`: the `first` or `latest` start date of its active products.

    (start, product, reason-if-unknown).  The first start is unknown when any active product is undated
    (it might be the earliest); the latest start uses the dated products."""
    active = _active_in(k, case, set_id)
    if not active:
        return None, None, f"no active {set_id}"
    dated = [m for m in active if m.start is not None]
    undated = [m for m in active if m.start is None]
    if not dated or (which == "first" and undated):
        return None, (undated or active)[0], f"start date of {(undated or active)[0].label} not recorded"
    pick = min(dated, key=lambda m: (m.start, m.record_id)) if which == "first" else \
        max(dated, key=lambda m: (m.start, m.record_id))
    return pick.start, pick, None


def _interval_check(lo: float, hi: float, op: str, value: float) -> bool | None:
    """Compare every value in [lo, hi] with `op value`: True/False when all agree, None when they differ."""
    outcomes = {Check(op, value).apply(lo), Check(op, value).apply(hi)}
    if op in ("==", "!=") and lo < value < hi:
        outcomes.add(Check(op, value).apply(value))
    return outcomes.pop() if len(outcomes) == 1 else None


def d_patient_at_med_start(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    start, med, why = _course_start(k, case, spec.param("set"), "latest")
    if start is None or med is None:
        return FactValue(spec.key, False, None, (_med_ev(med),) if med else (), why)
    p = case.snapshot.patient
    field, op, value = spec.param("field"), spec.param("op"), spec.param("value")
    ev = [_med_ev(med, f"started {start}")]
    if field == "age":
        if p.birth_date is not None:
            lo = hi = float(age_at(p.birth_date, start))
            ev.append(_evidence(label="age at start", value=lo, unit="years", note=f"born {p.birth_date}"))
        elif case.age is not None:
            # Age only (no birth date): the age at start is known to within the years elapsed since.
            d = _days(case.as_of, start)
            lo, hi = float(case.age - math.ceil(d / 365)), float(case.age - d // 366)
            ev.append(_evidence(label="age at start", value=lo if lo == hi else f"{lo:g}-{hi:g}", unit="years",
                                   note=f"age {case.age} now; birth date not recorded"))
        else:
            return FactValue(spec.key, False, None, tuple(ev), "age and birth date not recorded")
        what = "age at start"
    else:
        if p.menopause_date is None:
            return FactValue(spec.key, False, None, tuple(ev), "menopause date not recorded")
        lo = hi = round(_days(start, p.menopause_date) / 365.25, 2)
        ev.append(_evidence(label="years from menopause to start", value=lo, unit="years",
                               date=p.menopause_date, note="menopause date"))
        what = "years from menopause to start"
    outcome = _interval_check(lo, hi, op, value)
    if outcome is None:
        return FactValue(spec.key, False, None, tuple(ev),
                         f"{what} is {lo:g} or {hi:g} (birth date not recorded), so '{op} {value:g}' cannot be decided")
    return FactValue(spec.key, True, outcome, tuple(ev))


def d_dose_changed_after_lab(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    days = spec.param("days")
    tests = sorted((r for r in case.results if r.analyte in spec.param("analytes")
                    and r.specimen in spec.param("specimens") and _in_window(case, r.day, spec.param("lookback"))),
                   key=lambda r: (r.collected, r.record_id))
    if not tests:
        return FactValue(spec.key, True, False, (), "no such result")
    # Only the recorded last dose change is known; a start is not a titration step.
    changed = [m for m, v in _meds_in(k, case, spec.param("set"))
               if v and m.last_change is not None and m.last_change <= case.as_of]
    for r in tests:
        for m in changed:
            assert m.last_change is not None
            if 0 <= _days(m.last_change, r.day) <= days:
                return FactValue(spec.key, True, True, (_result_ev(r), _med_ev(m, f"dose changed {m.last_change}")))
    return FactValue(spec.key, True, False, tuple(_result_ev(r) for r in tests),
                     f"no {spec.param('set')} dose change within {days} days after the result")


def d_lab_before_med_start(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    analyte, days = spec.param("analyte"), spec.param("days")
    a = k.analytes[analyte]
    start, med, why = _course_start(k, case, spec.param("set"), "latest")
    if start is None or med is None:
        return FactValue(spec.key, False, None, (_med_ev(med),) if med else (), why)
    mev = _med_ev(med, f"started {start}")
    before = [r for r in case.results if r.analyte == analyte and r.specimen in a.interpreted_specimens
              and 0 <= _days(start, r.day) <= days]
    latest = _latest(before)
    if latest is None:
        return FactValue(spec.key, False, None, (mev,),
                         f"no {a.name} result in the {days} days before {med.label} was started ({start})")
    if latest.value is None:
        return FactValue(spec.key, False, None, (mev, _result_ev(latest)),
                         f"pre-start {a.name} ({latest.day}) cannot be assessed: {latest.problem}")
    return FactValue(spec.key, True, latest.value, (mev, _result_ev(latest)))


def d_lab_rise_since_med_start(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    analyte, rise, first = spec.param("analyte"), spec.param("rise"), spec.param("first_days")
    a = k.analytes[analyte]
    start, med, why = _course_start(k, case, spec.param("set"), "first")
    if start is None or med is None:
        return FactValue(spec.key, False, None, (_med_ev(med),) if med else (), why)
    mev = _med_ev(med, f"started {start}")
    mine = [r for r in case.results if r.analyte == analyte and r.specimen in a.interpreted_specimens
            and r.day <= case.as_of]
    latest = _latest(mine)
    if latest is None or latest.day <= start:
        return FactValue(spec.key, True, False, (mev,), f"no {a.name} result since the start ({start})")
    if latest.value is None:
        return FactValue(spec.key, False, None, (mev, _result_ev(latest)),
                         f"latest {a.name} ({latest.day}) cannot be assessed: {latest.problem}")
    if _days(latest.day, start) > first:
        return FactValue(spec.key, True, False, (mev, _result_ev(latest)),
                         f"latest {a.name} is more than {first} days after the start: the early-rise criterion "
                         "no longer applies")
    base = _latest([r for r in mine if r.value is not None and 0 <= _days(start, r.day) <= spec.param("baseline_days")])
    if base is None or base.value is None:
        return FactValue(spec.key, False, None, (mev, _result_ev(latest)),
                         f"no baseline {a.name} in the {spec.param('baseline_days')} days before the start ({start})")
    diff = round(latest.value - base.value, 6)
    ev = (mev, _result_ev(base), _result_ev(latest).model_copy(update={"note": f"rise {diff:g} {a.canonical_unit}"}))
    return FactValue(spec.key, True, diff > rise, ev)


def d_days_since_med_start(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    start, med, why = _course_start(k, case, spec.param("set"), "first")
    if start is None or med is None:
        return FactValue(spec.key, False, None, (_med_ev(med),) if med else (), why)
    return FactValue(spec.key, True, float(_days(case.as_of, start)), (_med_ev(med, f"started {start}"),))


def d_lab_after_med_start(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    analyte, from_day = spec.param("analyte"), spec.param("from_day")
    start, med, why = _course_start(k, case, spec.param("set"), "first")
    if start is None or med is None:
        return FactValue(spec.key, False, None, (_med_ev(med),) if med else (), why)
    mev = _med_ev(med, f"started {start}")
    hits = [r for r in case.results if r.analyte == analyte and _usable(k, r)
            and from_day <= _days(r.day, start) and r.day <= case.as_of]
    latest = _latest(hits)
    if latest is not None:
        return FactValue(spec.key, True, True, (mev, _result_ev(latest)))
    return FactValue(spec.key, True, False, (mev,),
                     f"no usable {k.analytes[analyte].name} from day {from_day} after the start ({start})")


def d_condition_onset_within(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    days = spec.param("days")
    mine = [c for c in case.conditions if spec.param("set") in c.sets]
    recent = [c for c in mine if c.onset is not None and _in_window(case, c.onset, days)]
    if recent:
        return FactValue(spec.key, True, True, tuple(
            _evidence(label=c.label, date=c.onset, record=c.record_id, note=c.status) for c in recent))
    undated = [c for c in mine if c.onset is None]
    if undated:
        return FactValue(spec.key, False, None, tuple(
            _evidence(label=c.label, record=c.record_id, note="onset not recorded") for c in undated),
            f"onset date of {undated[0].label} not recorded")
    return FactValue(spec.key, True, False, (), f"no condition in {spec.param('set')} with onset within {days} days")


MIDNIGHT = time(0, 0)  # a date-only collection is read as 00:00: its clock time is not recorded


def d_pre_treatment_labs(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    analyte, days, measure = spec.param("analyte"), spec.param("days"), spec.param("measure")
    sets = spec.param("sets")
    a = k.analytes[analyte]
    ev: list[EvidenceItem] = []
    if _active_in(k, case, sets[0]):
        ref, med, why = _course_start(k, case, sets[0], "first")
        if ref is None or med is None:
            return FactValue(spec.key, False, None, (_med_ev(med),) if med else (), why)
        ev.append(_med_ev(med, f"started {ref}"))
    else:
        ref = case.as_of  # not (yet) treated: every result so far is pre-treatment
    rs = sorted((r for r in case.results if r.analyte == analyte and _usable(k, r)
                 and 0 <= _days(ref, r.day) <= days), key=lambda r: (r.collected, r.record_id))
    ev.extend(_result_ev(r) for r in rs)
    if not rs:
        return FactValue(spec.key, False, None, tuple(ev), f"no pre-treatment {a.name} result on record")
    if measure == "count":
        return FactValue(spec.key, True, float(len(rs)), tuple(ev))
    unknown: list[NormResult] = []
    hits: list[NormResult] = []
    if measure == "after_clock":
        limit = _clock(spec.param("clock"))
        for r in rs:
            t = r.collected.time()
            if t == MIDNIGHT:
                unknown.append(r)
            elif t > limit:
                hits.append(r)
        what = "collection time"
    else:
        during = [m for m, v in _meds_in(k, case, sets[1]) if v]
        for r in rs:
            over = [m for m in during if (m.start is None or m.start <= r.day) and (m.end is None or m.end >= r.day)]
            if any(m.start is not None for m in over):
                hits.append(r)
            elif over:
                unknown.append(r)
        what = f"whether {sets[1]} was being taken at the time of the"
    if not hits and unknown:
        return FactValue(spec.key, False, None, tuple(ev),
                         f"{what} {a.name} result of {unknown[0].day} not recorded")
    return FactValue(spec.key, True, float(len(hits)), tuple(ev))


def d_lab_dose_interval_fraction(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    fv, r = _latest_result(k, case, spec.param("analyte"), spec.param("days"))
    if r is None:
        return FactValue(spec.key, False, None, fv.evidence, fv.reason)
    if r.hours_since_dose is None:
        return FactValue(spec.key, False, None, fv.evidence, f"time since the last dose not recorded for the "
                                                               f"{r.label} result of {r.day}")
    active = _active_in(k, case, spec.param("set"))
    if not active:
        return FactValue(spec.key, False, None, fv.evidence, f"no active {spec.param('set')}")
    per_day = {m.source.per_day() for m in active}
    if None in per_day:
        m = next(m for m in active if m.source.per_day() is None)
        return FactValue(spec.key, False, None, (*fv.evidence, _med_ev(m)),
                         f"dosing frequency of {m.label} not recorded")
    if len(per_day) > 1:
        return FactValue(spec.key, False, None, (*fv.evidence, *(_med_ev(m) for m in active)),
                         f"more than one {spec.param('set')} regimen: the dosing interval is ambiguous")
    interval_h = 24 / float(per_day.pop() or 1)
    frac = round(r.hours_since_dose / interval_h, 4)
    ev = _evidence(label=f"{r.label}: time since last dose", value=r.hours_since_dose, unit="h", date=r.day,
                      record=r.record_id, note=f"{frac:g} of a {interval_h:g} h dosing interval")
    return FactValue(spec.key, True, frac, (*fv.evidence, ev, *(_med_ev(m) for m in active)))


def d_med_indication(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    # A positive text screen: a missing indication does not match (and is said so in the reason).
    pattern = re.compile(spec.param("pattern"), re.IGNORECASE)
    active = _active_in(k, case, spec.param("set"))
    hits = [m for m in active if m.source.indication and pattern.search(m.source.indication)]
    if hits:
        return FactValue(spec.key, True, True, tuple(_med_ev(m, f"indication: {m.source.indication}") for m in hits))
    blank = [m.label for m in active if not m.source.indication]
    return FactValue(spec.key, True, False, (), "no matching indication" + (
        f" (no indication recorded for {', '.join(blank)})" if blank else ""))


def d_lab_collected_outside(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    fv, r = _latest_result(k, case, spec.param("analyte"), spec.param("days"))
    if r is None:
        return FactValue(spec.key, True, False, fv.evidence, fv.reason)
    lo, hi = (_clock(x) for x in spec.param("between"))
    t = r.collected.time()
    if t == MIDNIGHT:
        return FactValue(spec.key, True, True, (fv.evidence[0].model_copy(update={"note": "collection time not "
                                                                                          "recorded"}),))
    outside = not lo <= t <= hi
    note = f"collected {t.strftime('%H:%M')}"
    return FactValue(spec.key, True, outside, (fv.evidence[0].model_copy(update={"note": note}),))


def d_lab_count(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    rs = [r for r in case.results if r.analyte in spec.param("analytes") and r.specimen in spec.param("specimens")
          and _in_window(case, r.day, spec.param("days"))]
    if spec.param("same_day"):
        per_day: dict[date, list[NormResult]] = {}
        for r in rs:
            per_day.setdefault(r.day, []).append(r)
        rs = max(per_day.values(), key=lambda x: (len(x), x[0].day)) if per_day else []
    rs = sorted(rs, key=lambda r: (r.collected, r.record_id))
    return FactValue(spec.key, True, float(len(rs)), tuple(_result_ev(r) for r in rs))


def d_prednisone_equivalent_dose(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    active = _active_in(k, case, spec.param("set"))
    if not active:
        return FactValue(spec.key, False, None, (), f"no active {spec.param('set')}")
    total, ev = 0.0, []
    for m in active:
        factors = [k.concepts[c].prednisone_equivalent for c in m.concepts if k.concepts[c].prednisone_equivalent]
        if not factors:
            return FactValue(spec.key, False, None, (_med_ev(m),), f"no prednisone-equivalent factor for {m.label}")
        if m.daily_mg is None:
            return FactValue(spec.key, False, None, (_med_ev(m),),
                             f"daily dose of {m.label} cannot be computed (dose, unit or frequency missing)")
        eq = m.daily_mg * factors[0]
        total += eq
        ev.append(_med_ev(m, f"{m.daily_mg:g} mg/day = {eq:g} mg prednisone equivalent"))
    return FactValue(spec.key, True, round(total, 6), tuple(ev))



def d_vital_recorded(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    kind, days = spec.param("kind"), spec.param("days")
    hits = [v for v in case.snapshot.vitals
            if v.kind == kind and v.taken.date() <= case.as_of and _days(case.as_of, v.taken.date()) <= days]
    if hits:
        return FactValue(spec.key, True, True, tuple(
            _evidence(label=kind.replace("_", " "), value=v.value, unit=v.unit, date=v.taken.date(), record=v.id)
            for v in sorted(hits, key=lambda v: v.taken)))
    return FactValue(spec.key, True, False, (), f"no {kind.replace('_', ' ')} within {days} days")

DERIVERS: dict[str, Deriver] = {
    "med_active": d_med_active,
    "med_stopped_within": d_med_stopped_within,
    "med_started_within": d_med_started_within,
    "med_changed_within": d_med_changed_within,
    "days_since_med_change": d_days_since_med_change,
    "daily_dose": d_daily_dose,
    "count_active": d_count_active,
    "condition": d_condition,
    "patient": d_patient,
    "patient_unknown": d_patient_unknown,
    "lab": d_lab,
    "lab_missing": d_lab_missing,
    "lab_since_med_change": d_lab_since_med_change,
    "lab_specimen": d_lab_specimen,
    "lab_unusable": d_lab_unusable,
    "scale": d_scale,
    "vital": d_vital,
    "note": d_note,
    "med_started_after_stop": d_med_started_after_stop,
    "lab_dose_timing": d_lab_dose_timing,
    "lab_trend": d_lab_trend,
    "lab_text": d_lab_text,
    "total_mme": d_total_mme,
    "med_stopped_untapered": d_med_stopped_untapered,
    "dose_reduction": d_dose_reduction,
    "scale_since_med_change": d_scale_since_med_change,
    "vital_missing": d_vital_missing,
    "med_started_after_lab": d_med_started_after_lab,
    "lab_specimen_mismatch": d_lab_specimen_mismatch,
    "lab_fraction": d_lab_fraction,
    "data_issue": d_data_issue,
    "patient_at_med_start": d_patient_at_med_start,
    "dose_changed_after_lab": d_dose_changed_after_lab,
    "lab_before_med_start": d_lab_before_med_start,
    "lab_rise_since_med_start": d_lab_rise_since_med_start,
    "days_since_med_start": d_days_since_med_start,
    "lab_after_med_start": d_lab_after_med_start,
    "condition_onset_within": d_condition_onset_within,
    "pre_treatment_labs": d_pre_treatment_labs,
    "lab_dose_interval_fraction": d_lab_dose_interval_fraction,
    "med_indication": d_med_indication,
    "lab_collected_outside": d_lab_collected_outside,
    "lab_count": d_lab_count,
    "prednisone_equivalent_dose": d_prednisone_equivalent_dose,
    "vital_recorded": d_vital_recorded,
}


def derive(k: Knowledge, case: Case, specs: Iterable[FactSpec]) -> dict[str, FactValue]:
    return {s.key: DERIVERS[s.family](k, case, s) for s in specs}
