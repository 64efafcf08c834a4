"""Derive the facts the rule base needs from a normalised case.

Every window, "latest result", absence and dose is computed here, in Python,
before matching.  A fact that cannot be established is returned as *unknown*
with the reason, never as a default value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, time

from engine.facts.model import EvidenceItem, FactValue
from engine.facts.spec import FactSpec
from engine.knowledge.load import Knowledge
from engine.normalize import Case, NormMed, NormResult, membership

Deriver = Callable[[Knowledge, Case, FactSpec], FactValue]
CHILDBEARING_AGES = (12, 55)
SCALE_LABELS = {"phq9": "PHQ-9", "gad7": "GAD-7"}


def _med_ev(m: NormMed, note: str | None = None) -> EvidenceItem:
    parts = [m.dose_text] if m.dose_text else []
    if m.route:
        parts.append(m.route)
    return EvidenceItem(
        label=m.label, value=", ".join(parts) or None, date=m.last_start_or_change(), record=m.record_id,
        note=note or ("compounded" if m.compounded else None),
    )


def _result_ev(r: NormResult) -> EvidenceItem:
    if r.value is not None:
        value: float | str | None = round(r.value, 4)
        unit = r.unit
    else:
        value = r.value_text if r.raw_value is None else f"{r.comparator or ''}{r.raw_value:g}"
        unit = r.raw_unit
    return EvidenceItem(label=r.label, value=value, unit=unit, date=r.day, record=r.record_id,
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
    hits, unknown = [], []
    for m, v in _meds_in(k, case, spec.param("set")):
        d = when(m)
        if v and d is not None and 0 <= _days(case.as_of, d) <= days:
            hits.append(m)
        elif v and d is None and undated(m):
            unknown.append(m)
    if hits:
        return FactValue(spec.key, True, True, tuple(_med_ev(m, f"{what} {when(m)}") for m in hits))
    if unknown:
        return FactValue(spec.key, False, None, tuple(_med_ev(m) for m in unknown),
                         f"{what} date of {unknown[0].label} not recorded")
    return FactValue(spec.key, True, False, (), f"no {spec.param('set')} {what} within {days} days")


def d_med_stopped_within(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    # Stopped means an end date before the evaluation date.
    return _windowed_meds(k, case, spec, lambda m: m.end if m.end and m.end < case.as_of else None, "stopped")


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
            EvidenceItem(label=c.label, date=c.onset, record=c.record_id, note=c.status) for c in hits))
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
        return float(case.age), None, (EvidenceItem(label="age", value=case.age, unit="years", note=src),)
    if field == "sex":
        if p.sex == "unknown":
            return None, "sex not recorded", ()
        return p.sex, None, (EvidenceItem(label="sex", value=p.sex),)
    if field == "pregnant":
        if p.pregnancy == "unknown":
            return None, "pregnancy status unknown", ()
        return p.pregnancy == "pregnant", None, (EvidenceItem(label="pregnancy status", value=p.pregnancy),)
    if field == "uterus_present":
        if p.uterus == "unknown":
            if _uterus_absent_by_code(case):
                return False, None, (EvidenceItem(label="uterus", value="absent", note="coded hysterectomy"),)
            return None, "uterus status (hysterectomy) not recorded", ()
        return p.uterus == "present", None, (EvidenceItem(label="uterus", value=p.uterus),)
    if field == "postmenopausal":
        if p.menopause_date or any("VS_MENOPAUSE" in c.sets for c in case.conditions):
            return True, None, (EvidenceItem(label="menopause", value="documented", date=p.menopause_date),)
        if p.sex == "male":
            return False, None, (EvidenceItem(label="sex", value="male"),)
        return None, "menopausal status not recorded", ()
    if field == "years_since_menopause":
        if not p.menopause_date:
            return None, "menopause date not recorded", ()
        yrs = _days(case.as_of, p.menopause_date) / 365.25
        return round(yrs, 2), None, (EvidenceItem(label="menopause date", date=p.menopause_date),)
    if field == "weight_kg":
        if p.weight is None or not p.weight.unit:
            return None, "weight (with unit) not recorded", ()
        f = k.unit_factor("weight", p.weight.unit) if "weight" in k.analytes else None
        if f is None:
            return None, f"weight unit {p.weight.unit!r} not recognised", ()
        return float(p.weight.value) * f, None, (EvidenceItem(label="weight", value=p.weight.value,
                                                             unit=p.weight.unit),)
    if field == "fertility_goal":
        if p.fertility_goal is None:
            return None, "fertility plans not recorded", ()
        return p.fertility_goal, None, (EvidenceItem(label="fertility goal", value=p.fertility_goal),)
    if field == "childbearing_potential":
        return _childbearing(case)
    raise ValueError(field)


def _childbearing(case: Case) -> tuple[object | None, str | None, tuple[EvidenceItem, ...]]:
    p = case.snapshot.patient
    if p.sex == "male":
        return False, None, (EvidenceItem(label="sex", value="male"),)
    if p.sex == "unknown":
        return None, "sex not recorded", ()
    if p.sex == "other":
        return None, "childbearing potential cannot be derived from sex 'other'", ()
    if case.age is None:
        return None, "age not recorded", ()
    ev = [EvidenceItem(label="sex", value=p.sex), EvidenceItem(label="age", value=case.age, unit="years")]
    lo, hi = CHILDBEARING_AGES
    if not lo <= case.age <= hi:
        return False, None, tuple(ev)
    if p.menopause_date or any("VS_MENOPAUSE" in c.sets or "VS_BSO" in c.sets for c in case.conditions):
        return False, None, (*ev, EvidenceItem(label="menopause or bilateral oophorectomy", value="documented"))
    if p.uterus == "absent" or _uterus_absent_by_code(case):
        return False, None, (*ev, EvidenceItem(label="uterus", value="absent"))
    return True, None, tuple(ev)


def d_patient(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    value, reason, ev = _patient_value(k, case, spec.param("field"))
    if value is None:
        return FactValue(spec.key, False, None, ev, reason)
    return FactValue(spec.key, True, value, ev)


def d_patient_unknown(k: Knowledge, case: Case, spec: FactSpec) -> FactValue:
    value, reason, ev = _patient_value(k, case, spec.param("field"))
    if value is None:
        return FactValue(spec.key, True, True, (EvidenceItem(label=spec.param("field"), value="unknown",
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
    bad = [r for r in case.results
           if r.problem and _in_window(case, r.day, spec.param("days"))
           and not r.problem.endswith("serum cut-offs do not apply")]
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
        return FactValue(spec.key, True, float(v), (EvidenceItem(label=label, value=v, date=latest.date,
                                                                 record=latest.id),))
    if scores:
        latest = max(scores, key=lambda s: s.date)
        return FactValue(spec.key, False, None, (EvidenceItem(label=label, value=getattr(latest, item),
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
    ev = EvidenceItem(label=kind.replace("_", " "), value=latest.value, unit=latest.unit, date=latest.taken.date(),
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
        return FactValue(spec.key, True, True, tuple(EvidenceItem(label=kind.replace("_", " "), value=n.value,
                                                                  date=n.date, record=n.id) for n in notes))
    return FactValue(spec.key, True, False, ())


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
}


def derive(k: Knowledge, case: Case, specs: Iterable[FactSpec]) -> dict[str, FactValue]:
    return {s.key: DERIVERS[s.family](k, case, s) for s in specs}
